// sFlow version 5 datagrams (sflow.org, "sFlow Version 5", July 2004), XDR:
// big-endian 32-bit words, opaque data padded to 4 bytes.
//
//   datagram: version (5) | agent address type (1: IPv4) | agent address |
//             sub-agent id | sequence number | uptime (ms) | samples<>
//   sample record: data_format (enterprise << 12 | format) | length | data
//   flow_sample (0,1): sequence number | source_id (type << 24 | index) |
//             sampling_rate | sample_pool | drops | input | output | flow_records<>
//   flow record sampled_header (0,1): header_protocol (1: Ethernet) |
//             frame_length | stripped | header<> (opaque)

import { readU32, writeU32 } from './addr.js';

export const SFLOW_VERSION = 5;
/** Datagram header: version, address type, IPv4 address, sub-agent id, sequence, uptime, sample count. */
export const SFLOW_DATAGRAM_HEADER_LEN = 28;
/** Header bytes of a sampled packet kept (sFlow's default header size, sFlowFsMaximumHeaderSize 128). */
export const SFLOW_MAX_HEADER = 128;
/** Largest datagram payload sent (sFlow v5: sFlowRcvrMaximumDatagramSize defaults to 1400). */
export const SFLOW_MAX_DATAGRAM = 1400;
/** sample_type flow_sample (enterprise 0, format 1); flow record sampled_header (0, 1); header_protocol ETHERNET-ISO88023. */
export const SFLOW_FLOW_SAMPLE = 1;
export const SFLOW_RAW_HEADER = 1;
export const SFLOW_PROTO_ETHERNET = 1;
/** `output` of a packet that did not leave by an interface known to the agent (spec: 0 = unknown). */
export const SFLOW_IF_UNKNOWN = 0;

/** Bytes a flow sample with one raw header record of `headerLen` bytes takes, its tag and length included. */
export function flowSampleLen(headerLen: number): number {
  return 8 + 32 + 8 + 16 + ((headerLen + 3) & ~3);
}

export function writeSflowDatagramHeader(
  buf: Uint8Array, off: number, agent: number, subAgent: number, sequence: number, uptimeMs: number, samples: number,
): number {
  writeU32(buf, off, SFLOW_VERSION);
  writeU32(buf, off + 4, 1);
  writeU32(buf, off + 8, agent >>> 0);
  writeU32(buf, off + 12, subAgent >>> 0);
  writeU32(buf, off + 16, sequence >>> 0);
  writeU32(buf, off + 20, uptimeMs >>> 0);
  writeU32(buf, off + 24, samples >>> 0);
  return SFLOW_DATAGRAM_HEADER_LEN;
}

/** The fields of a flow_sample, numbers only (the hot path fills one and reuses it). */
export interface FlowSampleFields {
  sequence: number;
  sourceIfIndex: number;
  samplingRate: number;
  samplePool: number;
  drops: number;
  input: number;
  output: number;
  /** frame_length: the packet's length on the wire, FCS included. */
  frameLength: number;
  /** Bytes removed before the header (the FCS: 4). */
  stripped: number;
}

/** Writes a flow_sample with one sampled_header record holding `hlen` bytes of `hdr` at `hoff`; returns its length. */
export function writeFlowSample(buf: Uint8Array, off: number, f: FlowSampleFields, hdr: Uint8Array, hoff: number, hlen: number): number {
  const total = flowSampleLen(hlen);
  writeU32(buf, off, SFLOW_FLOW_SAMPLE);
  writeU32(buf, off + 4, total - 8);
  writeU32(buf, off + 8, f.sequence >>> 0);
  writeU32(buf, off + 12, f.sourceIfIndex & 0xffffff); // source id type 0: ifIndex
  writeU32(buf, off + 16, f.samplingRate >>> 0);
  writeU32(buf, off + 20, f.samplePool >>> 0);
  writeU32(buf, off + 24, f.drops >>> 0);
  writeU32(buf, off + 28, f.input >>> 0);
  writeU32(buf, off + 32, f.output >>> 0);
  writeU32(buf, off + 36, 1); // one flow record
  writeU32(buf, off + 40, SFLOW_RAW_HEADER);
  writeU32(buf, off + 44, total - 48);
  writeU32(buf, off + 48, SFLOW_PROTO_ETHERNET);
  writeU32(buf, off + 52, f.frameLength >>> 0);
  writeU32(buf, off + 56, f.stripped >>> 0);
  writeU32(buf, off + 60, hlen);
  buf.set(hdr.subarray(hoff, hoff + hlen), off + 64);
  for (let i = off + 64 + hlen; i < off + total; i++) buf[i] = 0;
  return total;
}

export interface SflowFlowSample extends FlowSampleFields {
  headerProtocol: number;
  header: Uint8Array;
}

export interface SflowDatagram {
  version: number;
  agent: number;
  subAgent: number;
  sequence: number;
  uptimeMs: number;
  /** Flow samples with a raw header record; other samples and records are counted, not decoded. */
  flowSamples: SflowFlowSample[];
  otherSamples: number;
}

/** Decodes a datagram (tests, `triode` readers); a string says what is wrong with it. */
export function parseSflowDatagram(b: Uint8Array, off: number, len: number): SflowDatagram | string {
  const end = off + len;
  if (len < SFLOW_DATAGRAM_HEADER_LEN) return 'sflow: truncated datagram header';
  const version = readU32(b, off);
  if (version !== SFLOW_VERSION) return `sflow: version ${version}, not 5`;
  if (readU32(b, off + 4) !== 1) return 'sflow: agent address is not IPv4';
  const dg: SflowDatagram = {
    version, agent: readU32(b, off + 8), subAgent: readU32(b, off + 12), sequence: readU32(b, off + 16), uptimeMs: readU32(b, off + 20),
    flowSamples: [], otherSamples: 0,
  };
  const n = readU32(b, off + 24);
  let p = off + SFLOW_DATAGRAM_HEADER_LEN;
  for (let i = 0; i < n; i++) {
    if (p + 8 > end) return `sflow: sample ${i + 1} of ${n} truncated`;
    const format = readU32(b, p);
    const slen = readU32(b, p + 4);
    const body = p + 8;
    if (slen > end - body || (slen & 3) !== 0) return `sflow: sample ${i + 1} length ${slen} does not fit`;
    p = body + slen;
    if (format !== SFLOW_FLOW_SAMPLE) {
      dg.otherSamples++;
      continue;
    }
    if (slen < 32) return `sflow: flow sample ${i + 1} too short`;
    const records = readU32(b, body + 28);
    let q = body + 32;
    for (let r = 0; r < records; r++) {
      if (q + 8 > p) return `sflow: flow record ${r + 1} of sample ${i + 1} truncated`;
      const rf = readU32(b, q);
      const rlen = readU32(b, q + 4);
      if (rlen > p - q - 8) return `sflow: flow record ${r + 1} of sample ${i + 1} length ${rlen} does not fit`;
      if (rf === SFLOW_RAW_HEADER) {
        if (rlen < 16) return 'sflow: raw header record too short';
        const hlen = readU32(b, q + 20);
        if (((hlen + 3) & ~3) > rlen - 16) return `sflow: header length ${hlen} does not fit its record`;
        dg.flowSamples.push({
          sequence: readU32(b, body), sourceIfIndex: readU32(b, body + 4) & 0xffffff, samplingRate: readU32(b, body + 8),
          samplePool: readU32(b, body + 12), drops: readU32(b, body + 16), input: readU32(b, body + 20), output: readU32(b, body + 24),
          headerProtocol: readU32(b, q + 8), frameLength: readU32(b, q + 12), stripped: readU32(b, q + 16),
          header: b.slice(q + 24, q + 24 + hlen),
        });
      }
      q += 8 + rlen;
    }
  }
  if (p !== end) return `sflow: ${end - p} bytes after the last sample`;
  return dg;
}
