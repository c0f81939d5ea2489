import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LEARN_MOVE, LEARN_NEW, LEARN_REFRESH, LEARN_REFUSED_DOMAIN, LEARN_REFUSED_PORT, LEARN_STATIC, MAC_MISS, MAC_REMOTE, MacTable,
} from './mac-table.js';

/** The obviously-correct model: a Map from "domain/mac" to the entry, and the same rules written plainly. */
class Model {
  readonly m = new Map<string, { domain: number; mac: string; dest: number; static: boolean; seen: number }>();
  readonly domainLimit = new Map<number, number>();
  readonly portLimit = new Map<number, number>();
  readonly c = { learned: 0, refreshed: 0, moves: 0, refusedDomain: 0, refusedPort: 0, aged: 0, removed: 0 };

  private learnedIn(domain: number): number {
    return [...this.m.values()].filter((e) => !e.static && e.domain === domain).length;
  }
  learnedOn(dest: number): number {
    return [...this.m.values()].filter((e) => !e.static && e.dest === dest).length;
  }
  private portFits(dest: number): boolean {
    const lim = this.portLimit.get(dest) ?? 0;
    if (lim === 0 || this.learnedOn(dest) < lim) return true;
    this.c.refusedPort++;
    return false;
  }
  learn(domain: number, mac: string, dest: number, now: number): number {
    const k = `${domain}/${mac}`;
    const e = this.m.get(k);
    if (e) {
      if (e.static) return LEARN_STATIC;
      if (e.dest === dest) {
        e.seen = now;
        this.c.refreshed++;
        return LEARN_REFRESH;
      }
      if (!this.portFits(dest)) return LEARN_REFUSED_PORT;
      e.dest = dest;
      e.seen = now;
      this.c.moves++;
      return LEARN_MOVE;
    }
    const dl = this.domainLimit.get(domain) ?? 0;
    if (dl !== 0 && this.learnedIn(domain) >= dl) {
      this.c.refusedDomain++;
      return LEARN_REFUSED_DOMAIN;
    }
    if (!this.portFits(dest)) return LEARN_REFUSED_PORT;
    this.m.set(k, { domain, mac, dest, static: false, seen: now });
    this.c.learned++;
    return LEARN_NEW;
  }
  addStatic(domain: number, mac: string, dest: number, now: number): void {
    this.m.set(`${domain}/${mac}`, { domain, mac, dest, static: true, seen: now });
  }
  remove(domain: number, mac: string): boolean {
    const ok = this.m.delete(`${domain}/${mac}`);
    if (ok) this.c.removed++;
    return ok;
  }
  age(now: number, aging: number): number {
    let n = 0;
    for (const [k, e] of this.m) if (!e.static && now - e.seen >= aging) { this.m.delete(k); n++; }
    this.c.aged += n;
    return n;
  }
}

const macText = (b: Uint8Array, off: number): string => Array.from(b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, '0')).join(':');

/** A pool of MACs in one buffer (as in frames), some differing only in the last or the first byte. */
function macPool(n: number): Uint8Array {
  const b = new Uint8Array(n * 6);
  for (let i = 0; i < n; i++) {
    b.set([0x02, i % 3, 0, (i * 37) & 0xff, i >>> 8, i & 0xff], i * 6);
    if (i % 5 === 0) b[i * 6] = 0xfe;
  }
  return b;
}

const dests = [0, 1, 2, 7, MAC_REMOTE | 0, MAC_REMOTE | 1, MAC_REMOTE | 500];
const domains = [0, 1, 2, 65535];

const opArb = fc.oneof(
  { weight: 10, arbitrary: fc.record({ op: fc.constant('learn' as const), d: fc.nat(3), mac: fc.nat(39), dest: fc.nat(dests.length - 1), dt: fc.nat(20) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('lookup' as const), d: fc.nat(3), mac: fc.nat(39) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), d: fc.nat(3), mac: fc.nat(39) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('static' as const), d: fc.nat(3), mac: fc.nat(39), dest: fc.nat(dests.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('age' as const), dt: fc.nat(100), aging: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('domainLimit' as const), d: fc.nat(3), n: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('portLimit' as const), dest: fc.nat(dests.length - 1), n: fc.nat(8) }) },
);

function compare(t: MacTable, m: Model): void {
  t.verify();
  expect(t.size).toBe(m.m.size);
  const got = [...t.entries()].map((e) => `${e.domain}/${e.mac} ${e.remote ? 'r' : 'l'}${e.port} ${e.static} ${e.seen}`).sort();
  const want = [...m.m.values()].map((e) => `${e.domain}/${e.mac} ${e.dest & MAC_REMOTE ? 'r' : 'l'}${e.dest & 0xfffff} ${e.static} ${e.seen}`).sort();
  expect(got).toEqual(want);
  expect(t.counters).toEqual(m.c);
}

describe('MAC table against a Map model', () => {
  it('random learn / lookup / remove / static / age / limits, from a table of 8 slots (it grows)', () => {
    const pool = macPool(40);
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 300 }), (ops) => {
      const t = new MacTable(8);
      const m = new Model();
      let now = 1000;
      for (const o of ops) {
        switch (o.op) {
          case 'learn': {
            now += o.dt;
            const d = domains[o.d]!;
            expect(t.learn(d, pool, o.mac * 6, dests[o.dest]!, now)).toBe(m.learn(d, macText(pool, o.mac * 6), dests[o.dest]!, now));
            break;
          }
          case 'lookup': {
            const d = domains[o.d]!;
            const e = m.m.get(`${d}/${macText(pool, o.mac * 6)}`);
            expect(t.lookup(d, pool, o.mac * 6)).toBe(e ? e.dest : MAC_MISS);
            // The same key in a vector with every MAC of the pool, in the domain's order.
            const n = 41;
            const doms = Uint16Array.from({ length: n }, (_, k) => (k === 40 ? d : domains[k % 4]!));
            const offs = Uint32Array.from({ length: n }, (_, k) => (k === 40 ? o.mac : k) * 6);
            const out = new Int32Array(n);
            t.lookupVector(n, doms, pool, offs, out);
            for (let k = 0; k < n; k++) expect(out[k]).toBe(t.lookup(doms[k]!, pool, offs[k]!));
            break;
          }
          case 'remove':
            expect(t.remove(domains[o.d]!, pool, o.mac * 6)).toBe(m.remove(domains[o.d]!, macText(pool, o.mac * 6)));
            break;
          case 'static':
            t.addStatic(domains[o.d]!, pool, o.mac * 6, dests[o.dest]!, now);
            m.addStatic(domains[o.d]!, macText(pool, o.mac * 6), dests[o.dest]!, now);
            break;
          case 'age':
            now += o.dt;
            expect(t.age(now, o.aging)).toBe(m.age(now, o.aging));
            break;
          case 'domainLimit':
            t.setDomainLimit(domains[o.d]!, o.n);
            m.domainLimit.set(domains[o.d]!, o.n);
            break;
          case 'portLimit':
            t.setPortLimit(dests[o.dest]!, o.n);
            m.portLimit.set(dests[o.dest]!, o.n);
            break;
        }
      }
      compare(t, m);
      for (const d of dests) expect(t.portCount(d)).toBe(m.learnedOn(d));
    }), { numRuns: 300 });
  });

  it('counts moves and refusals per domain and per port', () => {
    const t = new MacTable();
    const mac = Uint8Array.of(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0, 1, 2, 3, 4, 7);
    t.setDomainLimit(3, 2);
    t.setPortLimit(MAC_REMOTE | 9, 1);
    expect(t.learn(3, mac, 0, 4, 10)).toBe(LEARN_NEW);
    expect(t.learn(3, mac, 6, MAC_REMOTE | 9, 10)).toBe(LEARN_NEW);
    expect(t.learn(3, mac, 12, 4, 10)).toBe(LEARN_REFUSED_DOMAIN);
    expect(t.learn(3, mac, 0, MAC_REMOTE | 9, 11)).toBe(LEARN_REFUSED_PORT); // a move onto a full VTEP
    expect(t.learn(3, mac, 0, 5, 12)).toBe(LEARN_MOVE);
    expect(t.lookup(3, mac, 0)).toBe(5);
    expect(t.lookup(3, mac, 6)).toBe(MAC_REMOTE | 9);
    expect(t.lookup(4, mac, 0)).toBe(MAC_MISS); // another domain
    expect([t.domainCount(3), t.domainRefused(3), t.portCount(4), t.portCount(5), t.portRefused(MAC_REMOTE | 9)]).toEqual([2, 1, 0, 1, 1]);
    expect(t.counters).toMatchObject({ learned: 2, moves: 1, refusedDomain: 1, refusedPort: 1 });
    t.addStatic(3, mac, 12, 8);
    expect(t.learn(3, mac, 12, 4, 13)).toBe(LEARN_STATIC);
    expect(t.age(10_000, 300)).toBe(2); // the static one stays
    expect([...t.entries()].map((e) => [e.mac, e.port, e.static])).toEqual([['00:01:02:03:04:07', 8, true]]);
  });

  it('grows from 8 slots to 100,000 entries and back down through removals and aging, invariants intact', () => {
    const t = new MacTable(8);
    const n = 100_000;
    const mac = new Uint8Array(n * 6);
    for (let i = 0; i < n; i++) mac.set([0x02, 0, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff], i * 6);
    for (let i = 0; i < n; i++) expect(t.learn(i % 7, mac, i * 6, i % 1000, i < n / 2 ? 100 : 200)).toBe(LEARN_NEW);
    t.verify();
    expect(t.size).toBe(n);
    expect(t.bytes() / n).toBeLessThanOrEqual(32 + 1);
    for (let i = 0; i < n; i += 3) expect(t.remove(i % 7, mac, i * 6)).toBe(true);
    t.verify();
    // Aging in slices of 1,000 slots: one sweep's worth of calls takes every expired entry.
    let aged = 0;
    for (let k = 0; k * 1000 < t.capacity + 1000; k++) aged += t.age(400, 250, 1000);
    const left = [...Array(n).keys()].filter((i) => i % 3 !== 0);
    expect(aged).toBe(left.filter((i) => i < n / 2).length);
    t.verify();
    for (const i of left) expect(t.lookup(i % 7, mac, i * 6)).toBe(i < n / 2 ? MAC_MISS : i % 1000);
  });
});
