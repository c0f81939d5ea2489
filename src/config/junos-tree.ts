// The generic Junos statement tree, built from word paths with the schema.
//
// Both syntaxes become a list of operations on word paths (set / delete /
// deactivate / activate); the tree is built by replaying them, so the curly
// form and the set form of one configuration give the same tree.

import type { SourceLoc } from './model.js';
import { ANY_LEVEL, ROOT_SCHEMA, resolveSchema, type KwEntry, type SchemaNode } from './junos-schema.js';

export interface ConfNode {
  /** The statement's words: `address 10.0.0.1/24` → ['address', '10.0.0.1/24']; the root has none. */
  words: string[];
  children: ConfNode[];
  /** Where the statement's first word is. */
  loc: SourceLoc;
  /** Where each word is (parallel to `words`), for errors that point at a value. */
  wordLocs: SourceLoc[];
  /** `inactive:` / `deactivate`: kept in the tree, ignored by the builder. */
  inactive?: boolean;
  /** The statement came from a `[ ... ]` list (one node per element). */
  list?: boolean;
  /** A single-valued leaf (schema `value`): identified by its keyword alone. */
  value?: boolean;
  /** Name of the group this node was inherited from (apply-groups). */
  group?: string;
}

export interface PathWord {
  text: string;
  loc: SourceLoc;
  /** This word starts a statement marked `inactive:` (curly form). */
  inactive?: boolean;
  /** This word came from a `[ ... ]` list. */
  list?: boolean;
}

export type PathOp = 'set' | 'delete' | 'deactivate' | 'activate';

export interface PathCommand {
  op: PathOp;
  path: PathWord[];
  loc: SourceLoc;
}

export interface TreeProblem {
  loc: SourceLoc;
  message: string;
}

export function newRoot(file: string): ConfNode {
  return { words: [], children: [], loc: { file, line: 1, col: 1 }, wordLocs: [] };
}

interface Split {
  /** How many words of the remaining path this statement takes. */
  take: number;
  schema: SchemaNode | undefined;
  value: boolean;
}

/** Decides how many of the remaining words `rest` form the next statement below a node with schema `s`. */
export function splitStatement(s: SchemaNode | undefined, rest: string[]): Split {
  const w = rest[0]!;
  const kw: KwEntry | undefined = ANY_LEVEL[w] ?? s?.kw?.[w];
  if (kw) {
    if (kw.rest) return { take: rest.length, schema: undefined, value: !!kw.value };
    const take = Math.min(rest.length, 1 + (kw.args ?? 0));
    const child = resolveSchema(kw.schema);
    const after = rest.length - take;
    // `vrf-target target:1:1` — a lone word that the container does not know is the statement's value.
    if (after === 1 && !child?.named && !child?.kw?.[rest[take]!] && !ANY_LEVEL[rest[take]!]) {
      return { take: rest.length, schema: undefined, value: false };
    }
    return { take, schema: child ?? {}, value: false };
  }
  if (s?.named) return { take: 1, schema: resolveSchema(s.named), value: false };
  // Unknown hierarchy: one word per level, the last two words form the leaf.
  if (rest.length <= 2) return { take: rest.length, schema: undefined, value: false };
  return { take: 1, schema: {}, value: false };
}

/**
 * Index of a node's children by their words, so that inserting N siblings
 * (10,000 st0 units, gateways, routes) is not quadratic. Kept beside the tree
 * (nodes stay plain data) and checked before use: when the children changed
 * elsewhere (a delete, groups applied) the length or the last child differ and
 * the index is rebuilt.
 */
interface ChildIndex {
  byWords: Map<string, ConfNode>;
  len: number;
  last: ConfNode | undefined;
}
const childIndexes = new WeakMap<ConfNode, ChildIndex>();
const wordsKey = (words: readonly string[]): string => words.join('\u0000');

function childIndex(node: ConfNode): ChildIndex {
  const c = node.children;
  let ix = childIndexes.get(node);
  if (ix === undefined || ix.len !== c.length || ix.last !== c[c.length - 1]) {
    const byWords = new Map<string, ConfNode>();
    // The first child with given words wins, as a search from the front would find it.
    for (let k = c.length - 1; k >= 0; k--) byWords.set(wordsKey(c[k]!.words), c[k]!);
    ix = { byWords, len: c.length, last: c[c.length - 1] };
    childIndexes.set(node, ix);
  }
  return ix;
}

/** Inserts a `set` path below `root`. */
export function insertPath(root: ConfNode, path: PathWord[]): void {
  let node = root;
  let schema: SchemaNode | undefined = ROOT_SCHEMA;
  let i = 0;
  while (i < path.length) {
    const rest = path.slice(i).map((p) => p.text);
    const split = splitStatement(schema, rest);
    const seg = path.slice(i, i + split.take);
    const words = seg.map((p) => p.text);
    const key = wordsKey(words);
    let ix = childIndex(node);
    let child = ix.byWords.get(key);
    if (!child && split.value) {
      // A single-valued leaf set again replaces the old value.
      const old = node.children.findIndex((c) => c.value && c.words[0] === words[0]);
      if (old >= 0) {
        node.children.splice(old, 1);
        ix = childIndex(node);
      }
    }
    if (!child) {
      child = { words, children: [], loc: seg[0]!.loc, wordLocs: seg.map((p) => p.loc) };
      if (split.value) child.value = true;
      if (seg.some((p) => p.list)) child.list = true;
      node.children.push(child);
      if (!ix.byWords.has(key)) ix.byWords.set(key, child);
      ix.len = node.children.length;
      ix.last = child;
    }
    if (seg[0]!.inactive) child.inactive = true;
    node = child;
    schema = split.schema;
    i += split.take;
  }
}

/**
 * Finds the statements a delete/deactivate path names: walks children whose words
 * are a prefix of the path; at the end, a statement whose words start with what is
 * left (`delete ... description` removes `description "x"`).
 */
export function findPath(root: ConfNode, path: string[]): { parent: ConfNode; node: ConfNode }[] {
  const out: { parent: ConfNode; node: ConfNode }[] = [];
  const walk = (node: ConfNode, rest: string[]): void => {
    for (const c of node.children) {
      const k = c.words.length;
      if (k <= rest.length && c.words.every((w, j) => w === rest[j])) {
        if (k === rest.length) out.push({ parent: node, node: c });
        else walk(c, rest.slice(k));
      } else if (k > rest.length && rest.every((w, j) => w === c.words[j])) {
        out.push({ parent: node, node: c });
      }
    }
  };
  walk(root, path);
  return out;
}

/** Replays path commands into a tree. Problems (a delete of something absent) are collected. */
export function buildTree(commands: PathCommand[], file: string, problems: TreeProblem[]): ConfNode {
  const root = newRoot(file);
  for (const cmd of commands) {
    if (cmd.op === 'set') {
      insertPath(root, cmd.path);
      continue;
    }
    const found = findPath(
      root,
      cmd.path.map((p) => p.text),
    );
    if (found.length === 0) {
      problems.push({ loc: cmd.loc, message: `${cmd.op}: statement not found: ${cmd.path.map((p) => p.text).join(' ')}` });
      continue;
    }
    for (const { parent, node } of found) {
      if (cmd.op === 'delete') parent.children.splice(parent.children.indexOf(node), 1);
      else if (cmd.op === 'deactivate') node.inactive = true;
      else delete node.inactive;
    }
  }
  return root;
}

/** The first child whose first word is `kw`. */
export function child(node: ConfNode, kw: string): ConfNode | undefined {
  return node.children.find((c) => c.words[0] === kw && !c.inactive);
}

/** Prints a tree in the curly form (for debugging and tests). */
export function printTree(node: ConfNode, indent = ''): string {
  let out = '';
  for (const c of node.children) {
    const head = `${indent}${c.inactive ? 'inactive: ' : ''}${c.words.map(quoteWord).join(' ')}`;
    if (c.children.length === 0) out += `${head};\n`;
    else out += `${head} {\n${printTree(c, indent + '    ')}${indent}}\n`;
  }
  return out;
}

function quoteWord(w: string): string {
  return w === '' || /[\s;{}[\]"#]/.test(w) ? `"${w.replace(/["\\]/g, (m) => `\\${m}`)}"` : w;
}
