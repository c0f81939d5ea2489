// Writes the seed scenario's input pcaps, examples/seed/ce1.pcap and ce2.pcap
// (or into the directory given as the argument), from the packet lists below
// (run after `npm run build`). Deterministic: the same lists give the same
// bytes, which the CLI test checks against the bundled files.
//
// CE1 and CE2 are the unconnected LAN ports PE1:et-0/2/10 and PE2:et-0/2/10.
// What they send is here, including their answers to the PEs' ARP requests and
// neighbour solicitations, at the times those go out: PE2 resolves CE2 when
// CE1's first packets come out of the tunnel (t = 0), PE1 resolves CE1 when
// CE2's first replies come back (t = 0.5). Every frame is as on the wire
// (padded to 60 bytes).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { arpFrame, eth, ip4, ip6, icmpEcho, icmp6, naFrame, udp, pattern } from '../dist/craft/craft.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../dist/packet/ethernet.js';
import { writeTcp, TCP_FLAG_SYN, TCP_FLAG_ACK } from '../dist/packet/tcp.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { PcapWriter } from '../dist/pcap/writer.js';

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'seed');
const pe1 = formatMac(derivedMac('PE1', 'et-0/2/10'), 0);
const pe2 = formatMac(derivedMac('PE2', 'et-0/2/10'), 0);
const ce1 = '02:00:00:00:c1:01';
const ce2 = '02:00:00:00:c2:02';
const T0 = 1_718_092_800; // 2024-06-11 08:00:00 UTC
const fromCe1 = { src: ce1, dst: pe1 };
const fromCe2 = { src: ce2, dst: pe2 };
const v4 = { ce1: '10.10.10.2', ce2: '60.1.1.2' };
const v6 = { ce1: '2001:db8:10::2', ce2: '2001:db8:60::2' };

// DSCP values (the IPv4 TOS / IPv6 traffic class byte is DSCP << 2).
const BE = 0;
const AF21 = 18 << 2;
const AF41 = 34 << 2;
const EF = 46 << 2;
const CS6 = 48 << 2;

/** Pads a frame to the 60-byte Ethernet minimum, as it is on the wire. */
const wire = (f) => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));

/** The IPv6 header's traffic class (not in any checksum). */
function withTc6(frame, tc) {
  frame[14] = 0x60 | (tc >>> 4);
  frame[15] = ((tc & 0x0f) << 4) | (frame[15] & 0x0f);
  return frame;
}

const echo4 = (e, src, dst, type, seq, { tos = BE, size = 64, df = false } = {}) =>
  eth(e, ETHERTYPE_IPV4, ip4({ src, dst, tos, df, id: 0x1000 + seq + (type === 0 ? 0x100 : 0) }, 1, icmpEcho(type, 0x5eed, seq, pattern(size))));
const echo6 = (e, src, dst, type, seq, { tc = BE, size = 64 } = {}) =>
  withTc6(eth(e, ETHERTYPE_IPV6, ip6({ src, dst }, 58, icmp6(src, dst, { type, code: 0, id: 0x5eed, seq, payload: pattern(size) }))), tc);
const udp4 = (e, src, dst, sport, dport, size, { tos = BE, df = false, id = 1 } = {}) =>
  eth(e, ETHERTYPE_IPV4, ip4({ src, dst, tos, df, id }, 17, udp(src, dst, sport, dport, pattern(size))));
const udp6 = (e, src, dst, sport, dport, size, tc = BE) =>
  withTc6(eth(e, ETHERTYPE_IPV6, ip6({ src, dst }, 17, udp(src, dst, sport, dport, pattern(size)))), tc);

/** A TCP segment with an MSS option (SYN / SYN-ACK). */
function tcp(src, dst, sport, dport, flags, seq, ack) {
  const b = new Uint8Array(24);
  writeTcp(b, 0, { srcPort: sport, dstPort: dport, seq, ack, flags, window: 64240, options: Uint8Array.of(2, 4, 0x05, 0xb4) }, { src, dst });
  return b;
}
const tcp4 = (e, src, dst, sport, dport, flags, seq, ack, tos) =>
  eth(e, ETHERTYPE_IPV4, ip4({ src, dst, tos, df: true, id: 0x2000 + (flags & TCP_FLAG_ACK ? 1 : 0) }, 6, tcp(src, dst, sport, dport, flags, seq, ack)));
const tcp6 = (e, src, dst, sport, dport, flags, seq, ack, tc) =>
  withTc6(eth(e, ETHERTYPE_IPV6, ip6({ src, dst }, 6, tcp(src, dst, sport, dport, flags, seq, ack))), tc);

// CE1 → CE2 (and CE1's answers to PE1). The first two packets are the ones
// `triode demo` traces: an IPv4 and an IPv6 ping.
const ce1Packets = [
  [0.000000, echo4(fromCe1, v4.ce1, v4.ce2, 8, 1)],
  [0.000010, echo6(fromCe1, v6.ce1, v6.ce2, 128, 1)],
  [0.001000, udp4(fromCe1, v4.ce1, v4.ce2, 40000, 5004, 172, { tos: EF, df: true, id: 0x3001 })], // RTP-sized voice
  [0.002000, tcp4(fromCe1, v4.ce1, v4.ce2, 45678, 443, TCP_FLAG_SYN, 1000, 0, AF21)],
  [0.003000, udp4(fromCe1, v4.ce1, v4.ce2, 40001, 5201, 1472, { tos: AF41, id: 0x3002 })], // 1500 B IP packet
  [0.004000, echo4(fromCe1, v4.ce1, v4.ce2, 8, 2, { tos: CS6, size: 1372, df: true })], // 1400 B IP packet
  [0.005000, udp6(fromCe1, v6.ce1, v6.ce2, 40000, 5004, 172, EF)],
  [0.006000, tcp6(fromCe1, v6.ce1, v6.ce2, 45679, 443, TCP_FLAG_SYN, 2000, 0, AF21)],
  [0.007000, echo6(fromCe1, v6.ce1, v6.ce2, 128, 2, { tc: AF41, size: 1452 })], // 1500 B IP packet
  [0.008000, echo6(fromCe1, v6.ce1, v6.ce2, 128, 3, { tc: CS6, size: 0 })], // 48 B IP packet
  // PE1 asks for CE1 when CE2's replies arrive at 0.5.
  [0.500300, arpFrame({ src: ce1, dst: pe1 }, 2, ce1, v4.ce1, pe1, '10.10.10.1')],
  [0.501300, naFrame(fromCe1, v6.ce1, '2001:db8:10::1', v6.ce1, ce1)],
  [1.000000, echo4(fromCe1, v4.ce1, v4.ce2, 8, 3)],
  [1.000010, echo6(fromCe1, v6.ce1, v6.ce2, 128, 4)],
];

// CE2's answers to PE2, then replies to CE1. (Answers and replies are spaced
// more than a vector's span, 100 µs, apart: packets of one vector are handled
// IPv4 first, then IPv6, and would leave out of input order.)
const ce2Packets = [
  [0.000300, arpFrame({ src: ce2, dst: pe2 }, 2, ce2, v4.ce2, pe2, '60.1.1.1')],
  [0.000600, naFrame(fromCe2, v6.ce2, '2001:db8:60::1', v6.ce2, ce2)],
  [0.500000, echo4(fromCe2, v4.ce2, v4.ce1, 0, 1)],
  [0.501000, echo6(fromCe2, v6.ce2, v6.ce1, 129, 1)],
  [0.502000, tcp4(fromCe2, v4.ce2, v4.ce1, 443, 45678, TCP_FLAG_SYN | TCP_FLAG_ACK, 9000, 1001, AF21)],
  [0.503000, tcp6(fromCe2, v6.ce2, v6.ce1, 443, 45679, TCP_FLAG_SYN | TCP_FLAG_ACK, 9000, 2001, AF21)],
  [1.000500, echo4(fromCe2, v4.ce2, v4.ce1, 0, 3)],
  [1.000510, echo6(fromCe2, v6.ce2, v6.ce1, 129, 4)],
];

function write(file, packets) {
  const w = new PcapWriter(join(dir, file));
  for (const [t, frame] of packets) {
    const f = wire(frame);
    const us = Math.round(t * 1e6);
    w.write(f, 0, f.length, T0 + Math.floor(us / 1e6), (us % 1e6) * 1000);
  }
  w.close();
}
write('ce1.pcap', ce1Packets);
write('ce2.pcap', ce2Packets);
console.log(`wrote ${dir}/ce1.pcap (${ce1Packets.length} packets), ce2.pcap (${ce2Packets.length} packets)`);
