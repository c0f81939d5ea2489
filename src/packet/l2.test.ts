import { describe, expect, it } from 'vitest';
import { parseMac } from './addr.js';
import {
  ARP_BAD_OPCODE, ARP_OK, ARP_OP_REPLY, ARP_OP_REQUEST, ARP_TRUNCATED, ARP_UNSUPPORTED_HARDWARE,
  ARP_UNSUPPORTED_PROTOCOL, arpMakeReplyInPlace, arpOp, arpSpa, arpTpa, checkArp, parseArp, writeArp,
} from './arp.js';
import {
  ETH_OUT_ETHERTYPE, ETH_OUT_INNER_VID, ETH_OUT_LEN, ETH_OUT_OUTER_TPID, ETH_OUT_OUTER_VID, ETH_OUT_PAYLOAD_OFFSET,
  ETH_OUT_VLAN_COUNT, ETHERNET_ERRORS, ETHERNET_OK, ETHERNET_TOO_MANY_VLANS, ETHERNET_TRUNCATED, ETHERTYPE_ARP,
  ETHERTYPE_IPV4, ETHERTYPE_QINQ, ETHERTYPE_QINQ_9100, ETHERTYPE_VLAN, ethIsBroadcast, ethIsMulticast, ethType,
  ethernetWalkTags, parseEthernet, writeEthernet,
} from './ethernet.js';
import {
  checkMpls, MPLS_OK, MPLS_STACK_TOO_DEEP, MPLS_TRUNCATED, mplsBos, mplsLabel, mplsStackDepth, mplsTc, mplsTtl,
  parseMpls, writeMpls,
} from './mpls.js';

describe('Ethernet', () => {
  it('round trips untagged, 802.1Q, QinQ (0x88a8 and 0x9100) headers', () => {
    const cases = [
      [],
      [{ tpid: ETHERTYPE_VLAN, pcp: 5, dei: true, vid: 10 }],
      [{ tpid: ETHERTYPE_QINQ, pcp: 0, dei: false, vid: 100 }, { tpid: ETHERTYPE_VLAN, pcp: 3, dei: false, vid: 4094 }],
      [{ tpid: ETHERTYPE_QINQ_9100, pcp: 7, dei: false, vid: 1 }, { tpid: ETHERTYPE_VLAN, pcp: 0, dei: false, vid: 2 }],
    ];
    for (const vlans of cases) {
      const buf = new Uint8Array(64);
      const n = writeEthernet(buf, 3, { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', vlans, etherType: ETHERTYPE_IPV4 });
      expect(n).toBe(14 + 4 * vlans.length);
      const r = parseEthernet(buf, 3, n);
      expect(r).toEqual({ ok: true, value: { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', vlans, etherType: 0x0800, headerLen: n } });
      const out = new Int32Array(ETH_OUT_LEN);
      expect(ethernetWalkTags(buf, 3, n, out)).toBe(ETHERNET_OK);
      expect(out[ETH_OUT_ETHERTYPE]).toBe(ETHERTYPE_IPV4);
      expect(out[ETH_OUT_PAYLOAD_OFFSET]).toBe(3 + n);
      expect(out[ETH_OUT_VLAN_COUNT]).toBe(vlans.length);
      expect(out[ETH_OUT_OUTER_VID]).toBe(vlans[0]?.vid ?? -1);
      expect(out[ETH_OUT_INNER_VID]).toBe(vlans[1]?.vid ?? -1);
      expect(out[ETH_OUT_OUTER_TPID]).toBe(vlans[0]?.tpid ?? 0);
      // Truncated at every length.
      for (let l = 0; l < n; l++) {
        const t = parseEthernet(buf, 3, l);
        expect(t).toEqual({ ok: false, error: 'ethernet_truncated' });
        expect(ethernetWalkTags(buf, 3, l, out)).toBe(ETHERNET_TRUNCATED);
      }
    }
  });

  it('defaults the outer TPID of a two-tag stack to 0x88a8', () => {
    const buf = new Uint8Array(32);
    writeEthernet(buf, 0, { dst: 'ff:ff:ff:ff:ff:ff', src: parseMac('02:00:00:00:00:01'), vlans: [{ vid: 1 }, { vid: 2 }], etherType: ETHERTYPE_ARP });
    expect(ethType(buf, 0)).toBe(ETHERTYPE_QINQ);
    expect(ethIsBroadcast(buf, 0)).toBe(true);
    expect(ethIsMulticast(buf, 0)).toBe(true);
  });

  it('rejects an endless tag stack', () => {
    const buf = new Uint8Array(14 + 4 * 12);
    for (let p = 12; p + 2 <= buf.length; p += 4) { buf[p] = 0x81; buf[p + 1] = 0; }
    expect(parseEthernet(buf, 0, buf.length)).toEqual({ ok: false, error: 'ethernet_too_many_vlans' });
    expect(ethernetWalkTags(buf, 0, buf.length, new Int32Array(ETH_OUT_LEN))).toBe(ETHERNET_TOO_MANY_VLANS);
    expect(ETHERNET_ERRORS[ETHERNET_TOO_MANY_VLANS]).toBe('ethernet_too_many_vlans');
  });
});

describe('ARP', () => {
  const req = { op: ARP_OP_REQUEST, senderMac: '02:00:00:00:00:01', senderIp: '10.0.0.2', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.1' };

  it('round trips', () => {
    const buf = new Uint8Array(40);
    expect(writeArp(buf, 5, req)).toBe(28);
    expect(parseArp(buf, 5, 28)).toEqual({
      ok: true,
      value: { hardwareType: 1, protocolType: 0x0800, hardwareLen: 6, protocolLen: 4, ...req },
    });
    expect(checkArp(buf, 5, 28)).toBe(ARP_OK);
    expect(arpSpa(buf, 5)).toBe(0x0a000002);
    expect(arpTpa(buf, 5)).toBe(0x0a000001);
  });

  it('makes a reply in place', () => {
    const buf = new Uint8Array(28);
    writeArp(buf, 0, req);
    arpMakeReplyInPlace(buf, 0, parseMac('02:00:00:00:00:aa'), 0);
    expect(arpOp(buf, 0)).toBe(ARP_OP_REPLY);
    const r = parseArp(buf, 0, 28);
    expect(r.ok && r.value).toMatchObject({
      senderMac: '02:00:00:00:00:aa', senderIp: '10.0.0.1', targetMac: '02:00:00:00:00:01', targetIp: '10.0.0.2',
    });
  });

  it('reports truncation, unsupported hardware/protocol and bad opcodes', () => {
    const buf = new Uint8Array(28);
    writeArp(buf, 0, req);
    for (let l = 0; l < 28; l++) {
      expect(parseArp(buf, 0, l)).toEqual({ ok: false, error: 'arp_truncated' });
      expect(checkArp(buf, 0, l)).toBe(ARP_TRUNCATED);
    }
    const hw = buf.slice(); hw[4] = 14; // the over-long hardware length of tcpdump's arp-too-long-tha
    expect(parseArp(hw, 0, 28)).toEqual({ ok: false, error: 'arp_unsupported_hardware' });
    const ht = buf.slice(); ht[1] = 6;
    expect(checkArp(ht, 0, 28)).toBe(ARP_UNSUPPORTED_HARDWARE);
    const pt = buf.slice(); pt[2] = 0x86; pt[3] = 0xdd;
    expect(checkArp(pt, 0, 28)).toBe(ARP_UNSUPPORTED_PROTOCOL);
    const op = buf.slice(); op[7] = 9;
    expect(checkArp(op, 0, 28)).toBe(ARP_BAD_OPCODE);
    expect(parseArp(op, 0, 28).ok).toBe(true); // parse keeps any opcode
  });
});

describe('MPLS', () => {
  it('round trips label stacks and sets S on the last entry only', () => {
    const labels = [
      { label: 1048575, tc: 7, ttl: 255 }, { label: 16, tc: 0, ttl: 64 }, { label: 3, tc: 5, ttl: 1 },
    ];
    const buf = new Uint8Array(20);
    expect(writeMpls(buf, 2, labels)).toBe(12);
    const r = parseMpls(buf, 2, 12);
    expect(r).toEqual({ ok: true, value: { headerLen: 12, labels: labels.map((l, i) => ({ ...l, bos: i === 2 })) } });
    expect(mplsStackDepth(buf, 2, 12)).toBe(3);
    expect([mplsLabel(buf, 6), mplsTc(buf, 6), mplsBos(buf, 6), mplsTtl(buf, 6)]).toEqual([16, 0, false, 64]);
    expect(mplsBos(buf, 10)).toBe(true);
    for (let l = 0; l < 12; l++) {
      expect(parseMpls(buf, 2, l)).toEqual({ ok: false, error: 'mpls_truncated' });
      expect(checkMpls(buf, 2, l)).toBe(MPLS_TRUNCATED);
    }
    expect(checkMpls(buf, 2, 12)).toBe(MPLS_OK);
  });

  it('rejects a stack with no bottom within the limit', () => {
    const buf = new Uint8Array(4 * 20);
    expect(checkMpls(buf, 0, buf.length)).toBe(MPLS_STACK_TOO_DEEP);
    expect(parseMpls(buf, 0, buf.length)).toEqual({ ok: false, error: 'mpls_stack_too_deep' });
  });
});
