// Junos text (curly-brace or set form) → generic statement tree.
//
// Both forms are first reduced to path commands (`set a b c`, `delete a b`,
// `deactivate a`), then the tree is rebuilt from them with the schema
// (junos-schema.ts), and groups are applied (junos-groups.ts). Syntax problems
// are collected and thrown once as a ConfigError.

import { ConfigError, type SourceLoc } from './model.js';
import { lexJunos, type TextOrigin, type Token } from './junos-lexer.js';
import { buildTree, type ConfNode, type PathCommand, type PathWord, type TreeProblem } from './junos-tree.js';
import { applyGroups } from './junos-groups.js';

export type { ConfNode } from './junos-tree.js';

export type JunosForm = 'curly' | 'set';

const SET_COMMANDS = new Set(['set', 'delete', 'deactivate', 'activate']);

export interface ParsedJunos {
  form: JunosForm;
  /** The root: its children are the top-level statements; groups already applied. */
  tree: ConfNode;
}

/** Parses Junos text of either form; throws ConfigError listing every syntax problem. */
export function parseJunos(text: string, file: string, origin?: TextOrigin): ParsedJunos {
  const problems: TreeProblem[] = [];
  const tokens = lexJunos(text, file, problems, origin);
  const first = tokens.find((t) => t.kind !== 'nl');
  const form: JunosForm = first?.kind === 'word' && SET_COMMANDS.has(first.text) ? 'set' : 'curly';
  const last = [...tokens].reverse().find((t) => t.kind !== 'nl');
  const eof = last ? last.end : { file, line: origin?.line ?? 1, col: origin?.col ?? 1 };
  const commands = form === 'set' ? setCommands(tokens, problems) : curlyCommands(tokens, eof, problems);
  if (problems.length) throw sortedError(problems);
  const tree = buildTree(commands, file, problems);
  applyGroups(tree, problems);
  if (problems.length) throw sortedError(problems);
  return { form, tree };
}

function sortedError(problems: TreeProblem[]): ConfigError {
  const sorted = [...problems].sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
  return new ConfigError(sorted);
}

/** Expands `[ ... ]` lists: a statement with a list of n words becomes n statements. */
function expandLists(items: (PathWord | PathWord[])[]): PathWord[][] {
  let out: PathWord[][] = [[]];
  for (const item of items) {
    if (Array.isArray(item)) {
      const next: PathWord[][] = [];
      for (const p of out) for (const w of item) next.push([...p, w]);
      out = next;
    } else {
      for (const p of out) p.push(item);
    }
  }
  return out;
}

/** Reads a `[ ... ]` list starting at tokens[i] (the '['); returns the words and the index after ']'. */
function readList(tokens: Token[], i: number, problems: TreeProblem[]): { words: PathWord[]; next: number } {
  const open = tokens[i]!;
  const words: PathWord[] = [];
  let j = i + 1;
  for (; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === ']') return { words, next: j + 1 };
    if (t.kind === 'word' || t.kind === 'string') words.push({ text: t.text, loc: t.loc, list: true });
    else if (t.kind !== 'nl') break;
  }
  problems.push({ loc: open.loc, message: "unterminated list: '[' is never closed by ']'" });
  return { words, next: j };
}

function curlyCommands(tokens: Token[], eof: SourceLoc, problems: TreeProblem[]): PathCommand[] {
  const commands: PathCommand[] = [];
  let i = 0;
  const opened: Token[] = [];

  const emit = (prefix: PathWord[], items: (PathWord | PathWord[])[]): PathWord[][] => {
    const paths = expandLists(items).map((p) => [...prefix, ...p]);
    for (const path of paths) commands.push({ op: 'set', path, loc: path[path.length - 1]?.loc ?? eof });
    return paths;
  };

  // Parses statements until the matching '}' (depth > 0) or the end of the tokens.
  const block = (prefix: PathWord[]): void => {
    let items: (PathWord | PathWord[])[] = [];
    let lastEnd: SourceLoc | undefined;
    let newlineSeen = false;
    let inactive = false;
    const flushLeaf = (): void => {
      if (items.length) emit(prefix, items);
      items = [];
      inactive = false;
      newlineSeen = false;
    };
    const missingSemicolon = (): void => {
      problems.push({ loc: lastEnd!, message: "missing ';' at the end of the statement" });
    };
    while (i < tokens.length) {
      const t = tokens[i]!;
      switch (t.kind) {
        case 'nl':
          if (items.length) newlineSeen = true;
          i++;
          continue;
        case 'word':
        case 'string': {
          if (items.length === 0 && t.kind === 'word' && (t.text === 'inactive:' || t.text === 'protect:' || t.text === 'replace:')) {
            if (t.text === 'inactive:') inactive = true;
            i++;
            continue;
          }
          if (newlineSeen) {
            // A statement never continues on the next line: a ';' is missing.
            missingSemicolon();
            flushLeaf();
          }
          const w: PathWord = { text: t.text, loc: t.loc };
          if (items.length === 0 && inactive) w.inactive = true;
          items.push(w);
          lastEnd = t.end;
          i++;
          continue;
        }
        case '[': {
          const { words, next } = readList(tokens, i, problems);
          if (items.length === 0 && inactive && words[0]) words[0].inactive = true;
          items.push(words);
          lastEnd = tokens[next - 1]?.end ?? t.end;
          i = next;
          continue;
        }
        case ']':
          problems.push({ loc: t.loc, message: "unexpected ']' without '['" });
          i++;
          continue;
        case ';':
          flushLeaf();
          i++;
          continue;
        case '{': {
          if (items.length === 0) {
            problems.push({ loc: t.loc, message: "'{' without a statement before it" });
          }
          const before = commands.length;
          const paths = expandLists(items);
          const inner = paths.length === 1 ? [...prefix, ...paths[0]!] : prefix;
          if (paths.length !== 1) problems.push({ loc: t.loc, message: "a list cannot open a '{' block" });
          items = [];
          inactive = false;
          newlineSeen = false;
          opened.push(t);
          i++;
          block(inner);
          // An empty container is still a statement.
          if (commands.length === before && inner.length > prefix.length) {
            commands.push({ op: 'set', path: inner, loc: inner[inner.length - 1]!.loc });
          }
          continue;
        }
        case '}':
          if (items.length) {
            missingSemicolon();
            flushLeaf();
          }
          if (opened.length === 0) {
            problems.push({ loc: t.loc, message: "unbalanced '}': no '{' to close" });
            i++;
            continue;
          }
          opened.pop();
          i++;
          return;
      }
    }
    if (items.length) {
      missingSemicolon();
      flushLeaf();
    }
  };

  while (i < tokens.length) block([]);
  // Whatever is still open at the end of the text.
  for (const t of opened) {
    problems.push({ loc: t.loc, message: `missing '}': this '{' is never closed (end of text at ${eof.line}:${eof.col})` });
  }
  return commands;
}

function setCommands(tokens: Token[], problems: TreeProblem[]): PathCommand[] {
  const commands: PathCommand[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.kind === 'nl') {
      i++;
      continue;
    }
    // One command per line.
    const items: (PathWord | PathWord[])[] = [];
    let bad = false;
    const start = t;
    while (i < tokens.length && tokens[i]!.kind !== 'nl') {
      const u = tokens[i]!;
      if (u.kind === 'word' || u.kind === 'string') {
        items.push({ text: u.text, loc: u.loc });
        i++;
      } else if (u.kind === '[') {
        const { words, next } = readList(tokens, i, problems);
        items.push(words);
        i = next;
      } else {
        if (!bad) problems.push({ loc: u.loc, message: `unexpected '${u.kind}' in a set-form configuration` });
        bad = true;
        i++;
      }
    }
    if (bad) continue;
    const head = items.shift();
    if (!head || Array.isArray(head) || start.kind !== 'word' || !SET_COMMANDS.has(head.text)) {
      problems.push({ loc: start.loc, message: `expected set, delete, deactivate or activate, found '${start.text}'` });
      continue;
    }
    if (items.length === 0) {
      problems.push({ loc: start.loc, message: `'${head.text}' without a statement` });
      continue;
    }
    for (const path of expandLists(items)) {
      commands.push({ op: head.text as PathCommand['op'], path, loc: start.loc });
    }
  }
  return commands;
}
