// Junos configuration text → tokens.
//
// Handles both the curly-brace form (`show configuration`) and the `set` form
// (`show configuration | display set`): words, quoted strings with backslash
// escapes, `[ ... ]` lists, `;`, `{`, `}`, `#` comments (only where a token
// would start: `#` inside a word is part of the word), `/* ... */` comments
// (Junos annotations) and the `## SECRET-DATA` marker, which is just a comment.
// Newlines outside strings are kept as tokens: the set form is line based and
// the curly parser uses them to spot a missing `;`.

import type { SourceLoc } from './model.js';

export type TokenKind = 'word' | 'string' | '{' | '}' | ';' | '[' | ']' | 'nl';

export interface Token {
  kind: TokenKind;
  /** The word, or the string's value with escapes resolved. */
  text: string;
  loc: SourceLoc;
  /** Loc just past the token's last character (for "missing ';'" errors). */
  end: SourceLoc;
}

export interface LexProblem {
  loc: SourceLoc;
  message: string;
}

const PUNCT = new Set(['{', '}', ';', '[', ']']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
}

/** Where a text embedded in another file (a YAML block scalar) starts: its first character's line and column. */
export interface TextOrigin {
  line: number;
  col: number;
}

/** Splits `text` into tokens. Problems (unterminated string or comment) are collected, never thrown. */
export function lexJunos(text: string, file: string, problems: LexProblem[], origin?: TextOrigin): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const dl = (origin?.line ?? 1) - 1;
  const dc = (origin?.col ?? 1) - 1;
  const here = (at = i): SourceLoc => ({ file, line: line + dl, col: at - lineStart + 1 + dc });
  const n = text.length;

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'nl', text: '\n', loc: here(), end: here(i + 1) });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      // Comment to end of line (also `## SECRET-DATA`, `## Last commit: ...`).
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = here();
      i += 2;
      let closed = false;
      while (i < n) {
        if (text[i] === '*' && text[i + 1] === '/') {
          i += 2;
          closed = true;
          break;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (!closed) problems.push({ loc: start, message: "unterminated comment: '/*' is never closed by '*/'" });
      continue;
    }
    if (PUNCT.has(c)) {
      const loc = here();
      i++;
      tokens.push({ kind: c as TokenKind, text: c, loc, end: here() });
      continue;
    }
    if (c === '"') {
      const start = here();
      const startLine = line;
      const startLineStart = lineStart;
      let firstNewline = -1;
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        if (text[i] === '\n' && firstNewline < 0) firstNewline = i;
        const d = text[i]!;
        if (d === '\\' && i + 1 < n) {
          const e = text[i + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          if (e === '\n') {
            line++;
            lineStart = i + 2;
          }
          i += 2;
          continue;
        }
        if (d === '"') {
          i++;
          closed = true;
          break;
        }
        if (d === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += d;
        i++;
      }
      if (!closed) {
        problems.push({ loc: start, message: 'unterminated string: \'"\' is never closed' });
        // Recover: the string ends with its first line; lexing resumes there.
        if (firstNewline >= 0) {
          value = text.slice(start.col - (origin?.col ?? 1) + startLineStart + 1, firstNewline);
          i = firstNewline;
          line = startLine;
          lineStart = startLineStart;
        }
      }
      tokens.push({ kind: 'string', text: value, loc: start, end: here() });
      continue;
    }
    // A word: everything up to whitespace, punctuation or a quote. `#` inside a word is kept.
    const loc = here();
    const from = i;
    while (i < n) {
      const d = text[i]!;
      if (d === '\n' || isSpace(d) || PUNCT.has(d) || d === '"') break;
      i++;
    }
    tokens.push({ kind: 'word', text: text.slice(from, i), loc, end: here() });
  }
  return tokens;
}
