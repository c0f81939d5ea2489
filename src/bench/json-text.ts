// JSON input files (gates, baselines) with errors a user can find: a syntax
// error at file:line:column, and a wrong value at the line and column of the
// value and its path (gates[2].size), all problems listed together.

export type JsonPath = readonly (string | number)[];

export interface Problem {
  path: JsonPath;
  message: string;
}

/** Bad input to `triode bench` (a file, an option): exit status 2, one line per problem. */
export class BenchInputError extends Error {
  override readonly name = 'BenchInputError';
}

export function formatPath(path: JsonPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(top level)';
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') { line++; col = 1; } else col++;
  }
  return `${line}:${col}`;
}

/** Where each value of a JSON text starts, by formatPath() of its path. */
export type JsonPositions = Map<string, number>;

/**
 * A strict JSON parser (RFC 8259) that also records where each value starts,
 * so that a problem found later is reported at its line and column. Syntax
 * errors are thrown as `file:line:col: message`. (JSON.parse gives no
 * position for many errors in Node 20.)
 */
export function parseJsonText(text: string, file: string): { value: unknown; positions: JsonPositions } {
  const positions: JsonPositions = new Map();
  let i = 0;
  const fail = (what: string, at = i): never => {
    const found = at >= text.length ? 'the end of the file' : JSON.stringify(text[at]);
    throw new BenchInputError(`${file}:${lineCol(text, at)}: not valid JSON: expected ${what}, found ${found}`);
  };
  const ws = (): void => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('no control character in a string');
      if (text[i] === '\\') {
        const esc = /^\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(i, i + 6));
        if (!esc) fail('a valid escape in a string');
        i += esc![0].length;
      } else i++;
    }
    if (i >= text.length) fail('a closing quote', start);
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: (string | number)[]): unknown => {
    ws();
    positions.set(formatPath(path), i);
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a key in double quotes');
        const k = string();
        ws();
        if (text[i] !== ':') fail('":" after a key');
        i++;
        o[k] = value([...path, k]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        fail('"," or "}" in an object');
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value([...path, a.length]));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('"," or "]" in an array');
      }
    }
    if (c === '"') return string();
    const lit = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!lit) fail('a value');
    i += lit![0].length;
    return JSON.parse(lit![0]);
  };
  const v = value([]);
  ws();
  if (i < text.length) fail('the end of the file after the value');
  return { value: v, positions };
}

/** Offset of the value at `path`, or of its closest enclosing value that exists. */
function locate(positions: JsonPositions, path: JsonPath): number {
  for (let n = path.length; n >= 0; n--) {
    const at = positions.get(formatPath(path.slice(0, n)));
    if (at !== undefined) return at;
  }
  return 0;
}

/** Problems as one line each: `file:line:col: path: message`. */
export function formatProblems(text: string, positions: JsonPositions, file: string, problems: readonly Problem[]): string {
  return problems.map((p) => `${file}:${lineCol(text, locate(positions, p.path))}: ${formatPath(p.path)}: ${p.message}`).join('\n');
}
