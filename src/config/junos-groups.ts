// Junos configuration groups: `groups NAME { ... }` and `apply-groups [ A B ]`.
//
// Semantics follow Junos inheritance: at the point where `apply-groups G` is
// written, the statements of G found at the same hierarchy path are merged in.
// What is configured locally wins over inherited values; of several groups, the
// first listed wins; an apply-groups at a deeper level wins over one above it
// (deeper levels are applied first). Group statements with wildcard names
// (`<*>`, `<et-*>`, `<ge-0/0/[0-3]>`) match existing statements only and never
// create new ones. `apply-groups-except G` stops G from being inherited at that
// level and below. Inherited nodes keep the group's source location and carry
// `group: NAME`.

import type { ConfNode, TreeProblem } from './junos-tree.js';

function isWildcard(w: string): boolean {
  return w.length > 2 && w.startsWith('<') && w.endsWith('>');
}

const globCache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    let src = '';
    const inner = pattern.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i]!;
      if (c === '*') src += '.*';
      else if (c === '?') src += '.';
      else if (c === '[') {
        const end = inner.indexOf(']', i + 1);
        if (end < 0) src += '\\[';
        else {
          src += `[${inner.slice(i + 1, end).replace(/\\/g, '\\\\').replace(/^!/, '^')}]`;
          i = end;
        }
      } else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`);
    globCache.set(pattern, re);
  }
  return re;
}

function wordMatches(pattern: string, word: string): boolean {
  return isWildcard(pattern) ? globRegExp(pattern).test(word) : pattern === word;
}

function wordsMatch(pattern: string[], words: string[]): boolean {
  return pattern.length === words.length && pattern.every((p, i) => wordMatches(p, words[i]!));
}

function sameWords(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

function excepts(node: ConfNode, group: string): boolean {
  return node.children.some((c) => !c.inactive && c.words[0] === 'apply-groups-except' && c.words.includes(group));
}

const GROUP_STATEMENTS = new Set(['apply-groups', 'apply-groups-except']);

/** Merges the statements of group node `src` into `target` (local statements win). */
function merge(target: ConfNode, src: ConfNode, group: string): void {
  for (const sc of src.children) {
    if (GROUP_STATEMENTS.has(sc.words[0]!)) continue;
    if (sc.words.some(isWildcard)) {
      for (const tc of target.children) {
        if (!tc.inactive && wordsMatch(sc.words, tc.words) && !excepts(tc, group)) merge(tc, sc, group);
      }
      continue;
    }
    let tc = target.children.find((c) => (sc.value ? c.value && c.words[0] === sc.words[0] : sameWords(c.words, sc.words)));
    if (tc) {
      if (excepts(tc, group)) continue;
    } else {
      tc = { words: [...sc.words], children: [], loc: sc.loc, wordLocs: [...sc.wordLocs], group };
      if (sc.value) tc.value = true;
      if (sc.list) tc.list = true;
      if (sc.inactive) tc.inactive = true;
      target.children.push(tc);
    }
    merge(tc, sc, group);
  }
}

/** Group nodes found at hierarchy path `segs` inside group `g` (wildcards match). */
function findInGroup(g: ConfNode, segs: string[][]): ConfNode[] {
  let nodes = [g];
  for (const seg of segs) {
    const next: ConfNode[] = [];
    for (const n of nodes) {
      for (const c of n.children) if (!c.inactive && wordsMatch(c.words, seg)) next.push(c);
    }
    nodes = next;
    if (!nodes.length) break;
  }
  // Exact matches before wildcard ones, so an explicit group statement wins.
  const wild = (n: ConfNode): number => (n.words.some(isWildcard) ? 1 : 0);
  return nodes.sort((a, b) => wild(a) - wild(b));
}

/** Applies every `apply-groups` in the tree, in place. */
export function applyGroups(root: ConfNode, problems: TreeProblem[]): void {
  const groupsNode = root.children.find((c) => c.words.length === 1 && c.words[0] === 'groups' && !c.inactive);
  const groups = new Map<string, ConfNode>();
  for (const g of groupsNode?.children ?? []) {
    if (!g.inactive && g.words.length === 1 && !GROUP_STATEMENTS.has(g.words[0]!)) groups.set(g.words[0]!, g);
  }

  // `segs`: the words of each statement from the root down to `node` (one array, pushed and popped: no copy per node).
  const visit = (node: ConfNode, segs: string[][]): void => {
    for (const c of node.children) {
      if (c === groupsNode || c.inactive || c.children.length === 0) continue;
      segs.push(c.words);
      visit(c, segs);
      segs.pop();
    }
    for (const stmt of node.children) {
      if (stmt.inactive || stmt.words[0] !== 'apply-groups') continue;
      stmt.words.slice(1).forEach((name, k) => {
        const g = groups.get(name);
        if (!g) {
          problems.push({ loc: stmt.wordLocs[k + 1] ?? stmt.loc, message: `apply-groups: group '${name}' is not defined` });
          return;
        }
        for (const m of findInGroup(g, segs)) merge(node, m, name);
      });
    }
  };
  visit(root, []);
}
