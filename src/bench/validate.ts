// Small shape checks for the JSON files `triode bench` reads (gates files,
// baselines): every problem collected with its path, not the first one thrown.
import type { JsonPath, Problem } from './json-text.js';

export type Validator = (v: unknown, path: JsonPath, out: Problem[]) => void;

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

export const isString: Validator = (v, path, out) => {
  if (typeof v !== 'string') out.push({ path, message: `expected a string, not ${show(v)}` });
};

export function isNumberIn(min: number, max: number, integer = false): Validator {
  return (v, path, out) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      out.push({ path, message: `expected ${integer ? 'a whole number' : 'a number'}, not ${show(v)}` });
    } else if (v < min || v > max) {
      out.push({ path, message: `${v} is out of range (${min} to ${max})` });
    }
  };
}

export const isNumber = isNumberIn(-Infinity, Infinity);

export function isOneOf(values: readonly string[], what: string): Validator {
  return (v, path, out) => {
    if (typeof v !== 'string' || !values.includes(v)) out.push({ path, message: `${show(v)} is not a ${what} (${values.join(', ')})` });
  };
}

export function isLiteral(value: string): Validator {
  return (v, path, out) => {
    if (v !== value) out.push({ path, message: `expected "${value}", not ${show(v)}` });
  };
}

export function nullable(inner: Validator): Validator {
  return (v, path, out) => { if (v !== null) inner(v, path, out); };
}

export function isArrayOf(item: Validator, nonEmpty = false): Validator {
  return (v, path, out) => {
    if (!Array.isArray(v)) { out.push({ path, message: `expected an array, not ${show(v)}` }); return; }
    if (nonEmpty && v.length === 0) out.push({ path, message: 'is empty' });
    v.forEach((x, i) => item(x, [...path, i], out));
  };
}

/**
 * An object with these fields; `optional` ones may be absent. Unknown fields
 * are problems unless `open` (a misspelt "minRatoi" must not be ignored).
 */
export function isObject(fields: Record<string, Validator>, optional: readonly string[] = [], open = false): Validator {
  return (v, path, out) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { out.push({ path, message: `expected an object, not ${show(v)}` }); return; }
    const o = v as Record<string, unknown>;
    for (const [k, check] of Object.entries(fields)) {
      if (k in o) check(o[k], [...path, k], out);
      else if (!optional.includes(k)) out.push({ path, message: `missing field "${k}"` });
    }
    if (!open) {
      for (const k of Object.keys(o)) if (!(k in fields)) out.push({ path: [...path, k], message: `unknown field (fields: ${Object.keys(fields).join(', ')})` });
    }
  };
}
