// The bridge MAC table: (bridge domain, MAC) → where the MAC lives (a local
// IFL, or a remote VTEP for VXLAN/EVPN), static or learned, last seen.
//
// One open-addressing hash table in one Uint32Array, four words per slot
// (16 bytes, four slots to a cache line):
//   [0] bridge domain index << 16 | MAC bytes 0-1
//   [1] MAC bytes 2-5
//   [2] probe distance + 1 << 24 (0: empty) | flags | port index
//   [3] last seen, seconds
// Linear probing with Robin Hood placement (an entry far from its home slot
// takes the place of one nearer to its own), so lookups of absent MACs stop
// early and the table runs at up to 80% load; removal shifts the following
// entries back (no tombstones, so aging churn never degrades it). The
// capacity is any number (homes by multiply-shift, not a mask), grown by 1.5×
// at 80% load: 20 to 30 bytes per entry. Nothing is allocated per lookup,
// learn, removal or aging step.
//
// Limits (Junos `mac-table-size` per bridge domain, `interface-mac-limit` per
// interface) count learned entries; a learn past a limit is refused and
// counted, per domain or port and in total. Static entries are configuration:
// outside the limits, never moved or aged by learning.

/** Flags of a destination: a remote VTEP (else a local IFL). */
export const MAC_REMOTE = 1 << 20;
/** Largest port (IFL or VTEP) index. */
export const MAC_PORT_MAX = (1 << 20) - 1;
const STATIC = 1 << 21;
const DEST_MASK = MAC_REMOTE | MAC_PORT_MAX;
/** Largest bridge domain index (16 bits of the key). */
export const MAC_DOMAIN_MAX = 0xffff;

/** Told of each entry age() removes: its domain, MAC bytes 0-1 and 2-5 (as numbers), and where it was. */
export type AgedHook = (domain: number, macHi: number, macLo: number, dest: number) => void;

/** lookup(): no entry. */
export const MAC_MISS = -1;

/** learn() results. */
export const LEARN_NEW = 0;
export const LEARN_REFRESH = 1;
/** The MAC was on another port (or VTEP) of the domain: it moved. */
export const LEARN_MOVE = 2;
/** A static entry has the MAC: left as configured. */
export const LEARN_STATIC = 3;
export const LEARN_REFUSED_DOMAIN = 4;
export const LEARN_REFUSED_PORT = 5;

const W = 4; // words per slot
const MAX_LOAD = 0.8;
const GROW = 1.5;
/** Homes come from 26 bits of the hash times the capacity: exact in a double up to 2^26 slots. */
const HOME_BITS = 26;
const MAX_CAPACITY = 1 << HOME_BITS;
const MAX_DIST = 254;

export interface MacEntry {
  domain: number;
  /** aa:bb:cc:dd:ee:ff */
  mac: string;
  remote: boolean;
  /** IFL index (local) or VTEP index (remote). */
  port: number;
  static: boolean;
  /** Last seen (learned, refreshed, moved), seconds. */
  seen: number;
}

export interface MacCounters {
  learned: number;
  refreshed: number;
  moves: number;
  refusedDomain: number;
  refusedPort: number;
  aged: number;
  removed: number;
}

/** 32 bits of hash of a key; the home slot takes its top bits. */
function mix(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0xcc9e2d51);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/** Per-index counters that grow with the largest index used. */
class Tally {
  count: Uint32Array = new Uint32Array(0);
  limit: Uint32Array = new Uint32Array(0);
  refused: Float64Array = new Float64Array(0);

  ensure(i: number): void {
    if (i < this.count.length) return;
    const n = Math.max(16, i + 1, this.count.length * 2);
    const c = new Uint32Array(n);
    c.set(this.count);
    const l = new Uint32Array(n);
    l.set(this.limit);
    const r = new Float64Array(n);
    r.set(this.refused);
    this.count = c;
    this.limit = l;
    this.refused = r;
  }

  /** Whether one more entry fits under index i's limit (0: none). */
  fits(i: number): boolean {
    const lim = i < this.limit.length ? this.limit[i]! : 0;
    return lim === 0 || (i < this.count.length ? this.count[i]! : 0) < lim;
  }

  bytes(): number {
    return this.count.byteLength + this.limit.byteLength + this.refused.byteLength;
  }
}

export class MacTable {
  /** Slots, W words each (see the top of this file). */
  private t: Uint32Array;
  private cap: number;
  private used = 0;
  /** Where the next age() step starts. */
  private cursor = 0;
  private readonly domains = new Tally();
  private readonly locals = new Tally();
  private readonly remotes = new Tally();
  readonly counters: MacCounters = { learned: 0, refreshed: 0, moves: 0, refusedDomain: 0, refusedPort: 0, aged: 0, removed: 0 };

  /** `capacity`: slots to start with (grows as needed). */
  constructor(capacity = 1024) {
    this.cap = Math.max(8, Math.min(MAX_CAPACITY, Math.ceil(capacity)));
    this.t = new Uint32Array(this.cap * W);
  }

  /** Entries in the table. */
  get size(): number {
    return this.used;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Bytes of the table and its per-domain / per-port tallies. */
  bytes(): number {
    return this.t.byteLength + this.domains.bytes() + this.locals.bytes() + this.remotes.bytes();
  }

  private home(h: number): number {
    return ((h >>> (32 - HOME_BITS)) * this.cap) / MAX_CAPACITY | 0;
  }

  /** The slot of (hi, lo), or -1. */
  private find(hi: number, lo: number): number {
    const t = this.t;
    const cap = this.cap;
    let i = this.home(mix(hi, lo));
    for (let d = 1; ; d++) {
      const w = i * W;
      const occ = t[w + 2]! >>> 24;
      // Empty, or an entry nearer its home than we are to ours: (hi, lo) would have taken its place.
      if (occ < d) return -1;
      if (t[w] === hi && t[w + 1] === lo) return i;
      if (++i === cap) i = 0;
    }
  }

  // The entry being placed ("in hand"): place() may swap it for a resident one.
  private cHi = 0;
  private cLo = 0;
  private cInfo = 0;
  private cSeen = 0;

  /**
   * Places the entry in hand (its key absent from the table). False if its
   * probe would run past MAX_DIST: then the entry in hand is whichever one was
   * displaced last, still to be placed (in a larger table).
   */
  private place(): boolean {
    const t = this.t;
    const cap = this.cap;
    let hi = this.cHi, lo = this.cLo, info = this.cInfo, seen = this.cSeen;
    let i = this.home(mix(hi, lo));
    for (let d = 1; ; ) {
      const w = i * W;
      const occ = t[w + 2]! >>> 24;
      if (occ < d) {
        // An empty slot, or (Robin Hood) one whose entry is nearer its home: ours goes here.
        const h2 = t[w]!, l2 = t[w + 1]!, i2 = t[w + 2]! & 0xffffff, s2 = t[w + 3]!;
        t[w] = hi;
        t[w + 1] = lo;
        t[w + 2] = ((d << 24) | info) >>> 0;
        t[w + 3] = seen;
        if (occ === 0) return true;
        hi = h2;
        lo = l2;
        info = i2;
        seen = s2;
        d = occ;
      }
      if (++i === cap) i = 0;
      if (++d > MAX_DIST) {
        this.cHi = hi;
        this.cLo = lo;
        this.cInfo = info;
        this.cSeen = seen;
        return false;
      }
    }
  }

  /** Adds an entry that is not in the table, growing it as needed. */
  private insert(hi: number, lo: number, info: number, seen: number): void {
    if (this.used + 1 > this.cap * MAX_LOAD) this.rehash(Math.ceil(this.cap * GROW));
    this.cHi = hi;
    this.cLo = lo;
    this.cInfo = info;
    this.cSeen = seen;
    while (!this.place()) this.rehash(Math.ceil(this.cap * GROW));
    this.used++;
  }

  /** Moves every entry into a table of `cap` slots (or more, should a probe run too long); keeps the entry in hand. */
  private rehash(cap: number): void {
    const old = this.t;
    const oldCap = this.cap;
    const hand = [this.cHi, this.cLo, this.cInfo, this.cSeen] as const;
    for (let done = false; !done; cap = Math.ceil(cap * GROW)) {
      if (cap > MAX_CAPACITY) throw new RangeError(`MAC table: more than ${MAX_CAPACITY} slots`);
      this.cap = cap;
      this.t = new Uint32Array(cap * W);
      done = true;
      for (let i = 0; i < oldCap && done; i++) {
        const w = i * W;
        if (old[w + 2]! >>> 24 === 0) continue;
        this.cHi = old[w]!;
        this.cLo = old[w + 1]!;
        this.cInfo = old[w + 2]! & 0xffffff;
        this.cSeen = old[w + 3]!;
        done = this.place();
      }
    }
    [this.cHi, this.cLo, this.cInfo, this.cSeen] = hand;
    this.cursor = 0;
  }

  /** Removes the entry in slot i: the entries after it move back one slot, up to an empty one or one at home. */
  private removeAt(i: number): void {
    const t = this.t;
    const cap = this.cap;
    const info = t[i * W + 2]!;
    if ((info & STATIC) === 0) this.untally(t[i * W]! >>> 16, info);
    for (;;) {
      let j = i + 1;
      if (j === cap) j = 0;
      const wj = j * W;
      const occ = t[wj + 2]! >>> 24;
      const wi = i * W;
      if (occ <= 1) {
        t[wi] = 0;
        t[wi + 1] = 0;
        t[wi + 2] = 0;
        t[wi + 3] = 0;
        break;
      }
      t[wi] = t[wj]!;
      t[wi + 1] = t[wj + 1]!;
      t[wi + 2] = (t[wj + 2]! - (1 << 24)) >>> 0;
      t[wi + 3] = t[wj + 3]!;
      i = j;
    }
    this.used--;
  }

  private tally(domain: number, dest: number): void {
    this.domains.ensure(domain);
    this.domains.count[domain]!++;
    const ports = dest & MAC_REMOTE ? this.remotes : this.locals;
    const p = dest & MAC_PORT_MAX;
    ports.ensure(p);
    ports.count[p]!++;
  }

  private untally(domain: number, dest: number): void {
    this.domains.count[domain]!--;
    (dest & MAC_REMOTE ? this.remotes : this.locals).count[dest & MAC_PORT_MAX]!--;
  }

  /**
   * Where the MAC at mac[off, off + 6) lives in `domain`: the port index, with
   * MAC_REMOTE set for a VTEP; MAC_MISS when it is not in the table.
   */
  lookup(domain: number, mac: Uint8Array, off: number): number {
    const s = this.find(((domain << 16) | (mac[off]! << 8) | mac[off + 1]!) >>> 0, ((mac[off + 2]! << 24) | (mac[off + 3]! << 16) | (mac[off + 4]! << 8) | mac[off + 5]!) >>> 0);
    return s < 0 ? MAC_MISS : this.t[s * W + 2]! & DEST_MASK;
  }

  // Scratch of lookupVector (one vector's keys and homes).
  private vHi: Uint32Array = new Uint32Array(256);
  private vLo: Uint32Array = new Uint32Array(256);
  private vHome: Uint32Array = new Uint32Array(256);
  /** Keeps lookupVector's first-pass loads from being optimised away. */
  private touched = 0;

  /**
   * lookup() of a vector of MACs: out[k] = where the MAC at mac[offs[k]..]
   * of domains[k] lives, or MAC_MISS. In passes, as a vector dataplane does
   * it: hash every key, then load every home slot in a loop of loads alone
   * (with a table larger than the caches, the misses of many keys are then in
   * flight together instead of one after another), then probe, mostly in
   * cache by then.
   */
  lookupVector(n: number, domains: Uint16Array | Uint32Array, mac: Uint8Array, offs: Uint32Array, out: Int32Array): void {
    if (n > this.vHi.length) {
      this.vHi = new Uint32Array(n);
      this.vLo = new Uint32Array(n);
      this.vHome = new Uint32Array(n);
    }
    const t = this.t;
    const cap = this.cap;
    const vHi = this.vHi, vLo = this.vLo, vHome = this.vHome;
    let touched = 0;
    for (let k = 0; k < n; k++) {
      const off = offs[k]!;
      const hi = ((domains[k]! << 16) | (mac[off]! << 8) | mac[off + 1]!) >>> 0;
      const lo = ((mac[off + 2]! << 24) | (mac[off + 3]! << 16) | (mac[off + 4]! << 8) | mac[off + 5]!) >>> 0;
      const home = this.home(mix(hi, lo));
      vHi[k] = hi;
      vLo[k] = lo;
      vHome[k] = home;
    }
    // A loop of loads alone: short enough that the out-of-order core keeps dozens of its misses in flight.
    for (let k = 0; k < n; k++) touched ^= t[vHome[k]! * W + 2]!;
    this.touched = touched;
    for (let k = 0; k < n; k++) {
      const hi = vHi[k]!, lo = vLo[k]!;
      let i = vHome[k]!;
      let r = MAC_MISS;
      for (let d = 1; ; d++) {
        const w = i * W;
        const info = t[w + 2]!;
        if (info >>> 24 < d) break;
        if (t[w] === hi && t[w + 1] === lo) {
          r = info & DEST_MASK;
          break;
        }
        if (++i === cap) i = 0;
      }
      out[k] = r;
    }
  }

  /**
   * A frame from mac[off, off + 6) arrived on `dest` (port index | MAC_REMOTE)
   * at `now` (seconds): inserts the MAC, refreshes it, or moves it here. A
   * LEARN_* result; refusals and moves are counted.
   */
  learn(domain: number, mac: Uint8Array, off: number, dest: number, now: number): number {
    if (domain > MAC_DOMAIN_MAX) checkDomain(domain);
    const hi = ((domain << 16) | (mac[off]! << 8) | mac[off + 1]!) >>> 0;
    const lo = ((mac[off + 2]! << 24) | (mac[off + 3]! << 16) | (mac[off + 4]! << 8) | mac[off + 5]!) >>> 0;
    dest &= DEST_MASK;
    const s = this.find(hi, lo);
    const c = this.counters;
    if (s >= 0) {
      const w = s * W;
      const info = this.t[w + 2]!;
      if (info & STATIC) return LEARN_STATIC;
      if ((info & DEST_MASK) === dest) {
        this.t[w + 3] = now;
        c.refreshed++;
        return LEARN_REFRESH;
      }
      if (!this.portFits(dest)) return LEARN_REFUSED_PORT;
      this.untally(domain, info);
      this.tally(domain, dest);
      this.t[w + 2] = ((info & ~DEST_MASK) | dest) >>> 0;
      this.t[w + 3] = now;
      c.moves++;
      return LEARN_MOVE;
    }
    if (!this.domains.fits(domain)) {
      this.domains.ensure(domain);
      this.domains.refused[domain]!++;
      c.refusedDomain++;
      return LEARN_REFUSED_DOMAIN;
    }
    if (!this.portFits(dest)) return LEARN_REFUSED_PORT;
    this.insert(hi, lo, dest, now);
    this.tally(domain, dest);
    c.learned++;
    return LEARN_NEW;
  }

  /** Whether a port can take one more learned MAC; counts the refusal when not. */
  private portFits(dest: number): boolean {
    const ports = dest & MAC_REMOTE ? this.remotes : this.locals;
    const p = dest & MAC_PORT_MAX;
    if (ports.fits(p)) return true;
    ports.ensure(p);
    ports.refused[p]!++;
    this.counters.refusedPort++;
    return false;
  }

  /** Configures a static entry (replacing a learned one), outside the limits. */
  addStatic(domain: number, mac: Uint8Array, off: number, dest: number, now = 0): void {
    checkDomain(domain);
    const hi = ((domain << 16) | (mac[off]! << 8) | mac[off + 1]!) >>> 0;
    const lo = ((mac[off + 2]! << 24) | (mac[off + 3]! << 16) | (mac[off + 4]! << 8) | mac[off + 5]!) >>> 0;
    const info = STATIC | (dest & DEST_MASK);
    const s = this.find(hi, lo);
    if (s >= 0) {
      const w = s * W;
      const old = this.t[w + 2]!;
      if ((old & STATIC) === 0) this.untally(domain, old);
      this.t[w + 2] = ((old & 0xff000000) | info) >>> 0;
      this.t[w + 3] = now;
      return;
    }
    this.insert(hi, lo, info, now);
  }

  /** Removes the MAC from the domain (learned or static); false if it was not there. */
  remove(domain: number, mac: Uint8Array, off: number): boolean {
    const s = this.find(((domain << 16) | (mac[off]! << 8) | mac[off + 1]!) >>> 0, ((mac[off + 2]! << 24) | (mac[off + 3]! << 16) | (mac[off + 4]! << 8) | mac[off + 5]!) >>> 0);
    if (s < 0) return false;
    this.removeAt(s);
    this.counters.removed++;
    return true;
  }

  /**
   * Ages out learned entries not seen for their aging time at `now`, looking
   * at up to `slots` slots from where the previous call stopped (a sweep
   * spread over calls; the default: the whole table). The aging time is one
   * number for all entries, or seconds by domain index (0: never), for local
   * entries and for remote ones (EVPN's remote MACs are withdrawn, not aged).
   * `onAged` hears of each entry removed. Returns how many entries it removed.
   */
  age(now: number, agingTime: number | Float64Array, slots = this.cap, remoteAging: number | Float64Array = agingTime, onAged: AgedHook | null = null): number {
    const t = this.t;
    let i = this.cursor;
    let aged = 0;
    for (let k = 0; k < slots && this.used > 0; ) {
      const w = i * W;
      const info = t[w + 2]!;
      if (info >>> 24 !== 0 && (info & STATIC) === 0) {
        const by = info & MAC_REMOTE ? remoteAging : agingTime;
        const time = typeof by === 'number' ? by : by[t[w]! >>> 16]!;
        if (time > 0 && now - t[w + 3]! >= time) {
          if (onAged !== null) onAged(t[w]! >>> 16, t[w]! & 0xffff, t[w + 1]!, info & DEST_MASK);
          // The next entry may move into this slot: look at it again.
          this.removeAt(i);
          aged++;
          continue;
        }
      }
      k++;
      if (++i === this.cap) i = 0;
    }
    this.cursor = i;
    this.counters.aged += aged;
    return aged;
  }

  /** Sets the most learned MACs a domain may hold (0: no limit). */
  setDomainLimit(domain: number, limit: number): void {
    checkDomain(domain);
    this.domains.ensure(domain);
    this.domains.limit[domain] = limit;
  }

  /** Sets the most learned MACs a port (index | MAC_REMOTE for a VTEP) may hold (0: no limit). */
  setPortLimit(dest: number, limit: number): void {
    const ports = dest & MAC_REMOTE ? this.remotes : this.locals;
    ports.ensure(dest & MAC_PORT_MAX);
    ports.limit[dest & MAC_PORT_MAX] = limit;
  }

  /** Learned entries in a domain, and the learns it refused. */
  domainCount(domain: number): number {
    return this.domains.count[domain] ?? 0;
  }
  domainRefused(domain: number): number {
    return this.domains.refused[domain] ?? 0;
  }

  /** Learned entries on a port (index | MAC_REMOTE for a VTEP), and the learns it refused. */
  portCount(dest: number): number {
    return (dest & MAC_REMOTE ? this.remotes : this.locals).count[dest & MAC_PORT_MAX] ?? 0;
  }
  portRefused(dest: number): number {
    return (dest & MAC_REMOTE ? this.remotes : this.locals).refused[dest & MAC_PORT_MAX] ?? 0;
  }

  /** Every entry (of one domain, if given), in table order: for `show` (allocates per entry). */
  *entries(domain?: number): IterableIterator<MacEntry> {
    const t = this.t;
    for (let i = 0; i < this.cap; i++) {
      const w = i * W;
      const info = t[w + 2]!;
      if (info >>> 24 === 0) continue;
      const d = t[w]! >>> 16;
      if (domain !== undefined && d !== domain) continue;
      const hi = t[w]! & 0xffff;
      const lo = t[w + 1]!;
      const bytes = [hi >>> 8, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
      yield {
        domain: d,
        mac: bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'),
        remote: (info & MAC_REMOTE) !== 0,
        port: info & MAC_PORT_MAX,
        static: (info & STATIC) !== 0,
        seen: t[w + 3]!,
      };
    }
  }

  /**
   * Checks the table's invariants (tests): every entry is reachable from its
   * home with the distance it records, nothing is farther than Robin Hood
   * allows, and the tallies match the entries. Throws on the first violation.
   */
  verify(): void {
    const t = this.t;
    const dom = new Map<number, number>();
    let n = 0;
    for (let i = 0; i < this.cap; i++) {
      const w = i * W;
      const occ = t[w + 2]! >>> 24;
      if (occ === 0) continue;
      n++;
      const home = this.home(mix(t[w]!, t[w + 1]!));
      const dist = (i - home + this.cap) % this.cap;
      if (dist !== occ - 1) throw new Error(`slot ${i}: distance ${occ - 1} recorded, ${dist} from home ${home}`);
      const prev = (i + this.cap - 1) % this.cap;
      const pocc = t[prev * W + 2]! >>> 24;
      if (occ > 1 && pocc < occ - 1) throw new Error(`slot ${i}: distance ${occ - 1} behind a slot at ${pocc - 1}`);
      if ((t[w + 2]! & STATIC) === 0) dom.set(t[w]! >>> 16, (dom.get(t[w]! >>> 16) ?? 0) + 1);
    }
    if (n !== this.used) throw new Error(`${n} entries, ${this.used} counted`);
    for (let d = 0; d < this.domains.count.length; d++) {
      if ((dom.get(d) ?? 0) !== this.domains.count[d]) throw new Error(`domain ${d}: ${dom.get(d) ?? 0} learned entries, ${this.domains.count[d]} counted`);
    }
  }
}

function checkDomain(domain: number): void {
  if (!Number.isInteger(domain) || domain < 0 || domain > MAC_DOMAIN_MAX) throw new RangeError(`bridge domain index ${domain} is not in 0 .. ${MAC_DOMAIN_MAX}`);
}
