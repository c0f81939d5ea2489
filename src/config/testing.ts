// Helpers the configuration tests share.
import { loadJunosText } from './junos-device.js';
import { ConfigError, formatLoc, type Device } from './model.js';

/** A device without its source locations, for comparing models built from different texts. */
export function strip(d: Device): unknown {
  return JSON.parse(JSON.stringify(d, (k, v) => (k === 'loc' || k === 'source' ? undefined : v)));
}

/** The configuration errors of a Junos text, each as `file:line:col: message` (none: []). */
export function errors(text: string): string[] {
  try {
    loadJunosText(text, 'r.conf');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${formatLoc(p.loc)}: ${p.message}`);
    throw e;
  }
  return [];
}
