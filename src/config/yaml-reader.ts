// Reading a YAML document node by node, with file:line:column for every
// problem (the `yaml` package's node ranges and LineCounter).

import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { SourceLoc } from './model.js';
import type { Problem } from './device-checks.js';

export interface MapEntry {
  key: string;
  keyNode: Scalar;
  value: Node | null;
}

export class YamlReader {
  readonly lines = new LineCounter();
  readonly doc: Document;
  readonly problems: Problem[] = [];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of this.doc.errors) {
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      this.problems.push({ loc: this.at(e.pos[0]), message: `YAML: ${message}` });
    }
  }

  at(offset: number): SourceLoc {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, col: p.col };
  }

  loc(node: Node | null | undefined, fallback?: SourceLoc): SourceLoc | undefined {
    return node?.range ? this.at(node.range[0]) : fallback;
  }

  error(node: Node | null | undefined, message: string, fallback?: SourceLoc): void {
    this.problems.push({ loc: this.loc(node, fallback), message });
  }

  /** A mapping's entries; keys not in `allowed` are errors. */
  map(node: Node | null, what: string, allowed?: readonly string[], fallback?: SourceLoc): MapEntry[] {
    if (node === null || !isMap(node)) {
      this.error(node, `${what}: expected a mapping`, fallback);
      return [];
    }
    const out: MapEntry[] = [];
    for (const pair of (node as YAMLMap).items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.error(keyNode, `${what}: keys must be plain names`, this.loc(node));
        continue;
      }
      const key = String(keyNode.value);
      if (allowed && !allowed.includes(key)) {
        this.error(keyNode, `${what}: unknown key '${key}' (expected one of: ${allowed.join(', ')})`);
        continue;
      }
      out.push({ key, keyNode, value: (pair.value as Node | null) ?? null });
    }
    return out;
  }

  isMap(node: Node | null): boolean {
    return node !== null && isMap(node);
  }

  str(node: Node | null, what: string, fallback?: SourceLoc): string | undefined {
    if (node !== null && isScalar(node) && node.value !== null && typeof node.value !== 'object' && typeof node.value !== 'boolean') {
      return String(node.value);
    }
    this.error(node, `${what}: expected a string`, fallback);
    return undefined;
  }

  int(node: Node | null, what: string, lo: number, hi: number, fallback?: SourceLoc): number | undefined {
    const v = node !== null && isScalar(node) ? node.value : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    this.error(node, `${what}: expected an integer in ${lo}..${hi}`, fallback);
    return undefined;
  }

  bool(node: Node | null, what: string, fallback?: SourceLoc): boolean | undefined {
    const v = node !== null && isScalar(node) ? node.value : undefined;
    if (typeof v === 'boolean') return v;
    this.error(node, `${what}: expected true or false`, fallback);
    return undefined;
  }

  /** A sequence's items (a single scalar counts as a one-item list when `scalarOk`). */
  seq(node: Node | null, what: string, scalarOk = false, fallback?: SourceLoc): Node[] {
    if (node !== null && isSeq(node)) return node.items as Node[];
    if (scalarOk && node !== null && isScalar(node)) return [node];
    this.error(node, `${what}: expected a list`, fallback);
    return [];
  }

  /** Where the text of a block scalar (`junos: |`) starts, for errors inside it. */
  blockOrigin(node: Node): { line: number; col: number } | undefined {
    if (!isScalar(node) || !node.range) return undefined;
    if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') {
      const start = this.at(node.range[0]);
      return node.type === 'PLAIN' ? start : { line: start.line, col: start.col + 1 };
    }
    const headerEnd = this.text.indexOf('\n', node.range[0]);
    if (headerEnd < 0) return undefined;
    const body = this.text.slice(headerEnd + 1, node.range[1]);
    const firstLine = body.split('\n').find((l) => l.trim() !== '') ?? '';
    const indent = firstLine.length - firstLine.trimStart().length;
    const p = this.at(headerEnd + 1);
    return { line: p.line, col: indent + 1 };
  }
}
