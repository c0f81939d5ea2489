import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getAeadBackend } from '../crypto/backend.js';
import { formatEspSaFile, readEspSaFile, espSaRecordOf, saConfigOf, type EspSaRecord } from '../config/esp-sa-file.js';
import { SaDatabase, type DfBitMode, type SaConfig } from '../ipsec/sa.js';
import { espPcap } from '../ipsec/esp-pcap.js';

export const ESP_HELP = `Usage: triode esp encrypt --sa-file <esp_sa> [--spi 0x..] [--esn] [--seq N] [--df-bit clear|set|copy] in.pcap out.pcap
       triode esp decrypt --sa-file <esp_sa> [--spi 0x..] [--esn] [--seq N] [--replay-window N | --no-anti-replay] in.pcap out.pcap

ESP (RFC 4303) with AES-GCM (RFC 4106), SAs from a Wireshark esp_sa file
("IPv4","<src>","<dst>","0x<spi>","AES-GCM with 16 octet ICV [RFC4106]","0x<key><salt>","NULL","").

  encrypt   tunnels every IPv4/IPv6 packet of the input (Ethernet frames; MACs
            and VLAN tags kept) in ESP by the SA: outer addresses from the SA
            line, IV = the 64-bit sequence number, so output is reproducible.
            --seq is the first sequence number (default 1): with --esn,
            --seq 0xfffffffe crosses 2^32 on the third packet; without ESN the
            sender stops at 2^32-1 and counts seq_cycled.
  decrypt   verifies (ICV), replay-checks and decapsulates every ESP packet;
            failures are counted by reason, never written out. Default
            anti-replay window 4096 (Junos's). --seq seeds the highest
            sequence number already received (default 0: none), so a
            receiver can start next to a wrap.

  --spi 0x..           the SA to use (required when the file holds several, for encrypt)
  --stats <file.json>  accounting, drops by reason, IPsec counters per SA and in total
  --write-esp-sa <f>   write the SAs used, for Wireshark (Preferences > Protocols > ESP)
  -h, --help           this text`;

function parseSeq(text: string): bigint {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new Error(`--seq takes a number (decimal or 0x hex), not "${text}"`);
  return BigInt(text);
}

function parseSpi(text: string): number {
  if (!/^(0x[0-9a-f]{1,8}|\d+)$/i.test(text)) throw new Error(`--spi takes a number (0x hex or decimal), not "${text}"`);
  return Number(text) >>> 0;
}

export function espCommand(argv: string[]): number {
  const [mode, ...rest] = argv;
  if (mode === undefined || mode === '--help' || mode === '-h') {
    console.log(ESP_HELP);
    return 0;
  }
  if (mode !== 'encrypt' && mode !== 'decrypt') throw new Error(`esp takes "encrypt" or "decrypt", not "${mode}" (see triode esp --help)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'sa-file': { type: 'string' },
      spi: { type: 'string' },
      esn: { type: 'boolean' },
      seq: { type: 'string' },
      'df-bit': { type: 'string' },
      'replay-window': { type: 'string' },
      'no-anti-replay': { type: 'boolean' },
      stats: { type: 'string' },
      'write-esp-sa': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(ESP_HELP);
    return 0;
  }
  if (!values['sa-file']) throw new Error(`esp ${mode} needs --sa-file <esp_sa>`);
  if (positionals.length !== 2) throw new Error(`esp ${mode} takes an input and an output pcap (see triode esp --help)`);
  const [inFile, outFile] = positionals;
  let records: EspSaRecord[] = readEspSaFile(values['sa-file']);
  if (values.spi !== undefined) {
    const spi = parseSpi(values.spi);
    records = records.filter((r) => r.spi === spi);
    if (records.length === 0) throw new Error(`${values['sa-file']}: no SA with SPI 0x${spi.toString(16)}`);
  }
  if (records.length === 0) throw new Error(`${values['sa-file']}: no SAs`);
  const db = new SaDatabase(getAeadBackend());
  const esn = values.esn === true;
  let saIndex = 0;
  if (mode === 'encrypt') {
    if (records.length > 1) {
      throw new Error(`${values['sa-file']} holds ${records.length} SAs: choose one with --spi (${records.map((r) => `0x${r.spi.toString(16)}`).join(', ')})`);
    }
    const df = values['df-bit'];
    if (df !== undefined && df !== 'clear' && df !== 'set' && df !== 'copy') throw new Error(`--df-bit takes clear, set or copy, not "${df}"`);
    const cfg: SaConfig = saConfigOf(records[0], {
      direction: 'outbound', mode: 'tunnel', esn, seq: values.seq !== undefined ? parseSeq(values.seq) : 1n, dfBit: df as DfBitMode | undefined,
    });
    saIndex = db.add(cfg).index;
  } else {
    const window = values['replay-window'] === undefined ? 4096 : Number(values['replay-window']);
    if (!Number.isInteger(window) || window < 32) throw new Error(`--replay-window takes a whole number of at least 32, not "${values['replay-window']}"`);
    for (const r of records) {
      db.add(saConfigOf(r, {
        direction: 'inbound', mode: 'tunnel', esn, antiReplay: values['no-anti-replay'] !== true, replayWindowSize: window,
        highestSeen: values.seq !== undefined ? parseSeq(values.seq) : 0n,
      }));
    }
  }
  try {
    const { graph: g } = espPcap(mode, db, saIndex, inFile, outFile);
    const a = g.acct;
    const drops = g.dropsByReason();
    const sas = db.sas.map((sa) => ({ name: sa.name, spi: `0x${sa.spi.toString(16).padStart(8, '0')}`, direction: sa.outbound ? 'outbound' : 'inbound', counters: sa.counters() }));
    const balanced = a.in + a.generated === a.out + a.consumed + a.dropped;
    if (values.stats) {
      writeFileSync(values.stats, `${JSON.stringify({ accounting: a, balanced, drops, ipsec: { total: db.totals(), sas } }, null, 2)}\n`);
    }
    if (values['write-esp-sa']) writeFileSync(values['write-esp-sa'], formatEspSaFile(db.sas.map((sa) => espSaRecordOf(sa.config))));
    const t = db.totals();
    const did = mode === 'encrypt' ? `encrypted ${t.encrypted_packets} packets (${t.encrypted_bytes} bytes)` : `decrypted ${t.decrypted_packets} packets (${t.decrypted_bytes} bytes)`;
    console.log(`${did}; in ${a.in} = out ${a.out} + consumed ${a.consumed} + dropped ${a.dropped}${Object.keys(drops).length ? ` ${JSON.stringify(drops)}` : ''}`);
    if (!balanced) {
      console.error('triode: accounting does not balance: this is a bug');
      return 3;
    }
    return 0;
  } finally {
    db.close();
  }
}
