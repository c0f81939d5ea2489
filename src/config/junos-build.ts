// The machinery the Junos → Device builder is made of: a context that collects
// problems and ignored statements, and handler tables keyed by keyword, one
// table per hierarchy level. A later feature plugs in by adding an entry to the
// right table (and, if its hierarchy is new, a shape in junos-schema.ts).
// A statement with no handler is reported in `device.ignored`, never dropped.

import type { Device, SourceLoc } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { FieldLocs, type Placement, type Problem } from './device-checks.js';

export interface BuildContext {
  device: Device;
  file: string;
  problems: Problem[];
  placements: Placement[];
  locs: FieldLocs;
  /** The whole statement tree (groups applied): what `apply-path` expands over. */
  root?: ConfNode;
}

/** Handles one statement `node` found below `path` (the words of its ancestors), writing into `target`. */
export type StatementHandler<T> = (node: ConfNode, target: T, ctx: BuildContext, path: string[]) => void;
export type HandlerTable<T> = Record<string, StatementHandler<T>>;

/** Statements consumed by the parser (junos-groups.ts), skipped everywhere. */
const PARSER_STATEMENTS = new Set(['apply-groups', 'apply-groups-except']);

export function error(ctx: BuildContext, loc: SourceLoc | undefined, message: string): void {
  ctx.problems.push({ loc, message });
}

/** Reports a statement the emulator does not model. */
export function ignore(ctx: BuildContext, node: ConfNode, path: string[], words = node.words): void {
  ctx.device.ignored.push({ path: [...path, ...words].join(' '), loc: node.loc });
}

/** Runs the handler of each active child of `parent`; the others are reported as ignored. */
export function dispatch<T>(table: HandlerTable<T>, parent: ConfNode, target: T, ctx: BuildContext, path: string[]): void {
  for (const c of parent.children) {
    const kw = c.words[0]!;
    if (PARSER_STATEMENTS.has(kw)) continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...path, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const h = Object.prototype.hasOwnProperty.call(table, kw) ? table[kw] : undefined;
    if (h) h(c, target, ctx, path);
    else ignore(ctx, c, path);
  }
}

/** The i-th word of a statement, or an error when it is missing. */
export function word(ctx: BuildContext, node: ConfNode, i: number, what: string): string | undefined {
  const w = node.words[i];
  if (w === undefined) error(ctx, node.loc, `${node.words[0]}: missing ${what}`);
  return w;
}

/** Where the i-th word of a statement is (the statement's loc when absent). */
export function wordLoc(node: ConfNode, i: number): SourceLoc {
  return node.wordLocs[i] ?? node.loc;
}

/**
 * A statement that takes exactly one value (`mtu 9192`). Extra words are
 * reported as ignored; the value's loc is recorded as `field` of `obj`.
 */
export function single(ctx: BuildContext, node: ConfNode, path: string[], what: string): string | undefined {
  const v = word(ctx, node, 1, what);
  if (node.words.length > 2) ignore(ctx, node, path);
  if (node.children.length) for (const c of node.children) ignore(ctx, c, [...path, ...node.words]);
  return v;
}

/** A flag statement (`disable;`, `discard;`): reports anything after the keyword. */
export function flag(ctx: BuildContext, node: ConfNode, path: string[]): void {
  if (node.words.length > 1 || node.children.length) ignore(ctx, node, path);
}
