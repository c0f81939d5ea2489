// The independent peers tests compare triode against (Debian's tshark and
// scapy, installed by .ci/run): whether each is here, with a printed reason
// when a check has to skip, so a skip is never silent.
import { spawnSync } from 'node:child_process';

/** The Python the scapy checks run (Debian's, where python3-scapy installs). */
export const PY = '/usr/bin/python3';

let tshark: boolean | undefined;

/** Whether tshark runs here; when not, prints that `what` is skipped. */
export function tsharkAvailable(what: string): boolean {
  tshark ??= spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!tshark) console.warn(`${what}: tshark not installed: SKIPPED`);
  return tshark;
}

/** Whether /usr/bin/python3 imports `modules` (scapy and friends); when not, prints that `what` is skipped. */
export function scapyAvailable(what: string, modules = 'scapy.layers.ipsec, cryptography'): boolean {
  const ok = spawnSync(PY, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
  if (!ok) console.warn(`${what}: ${modules} not importable by ${PY} (python3-scapy): SKIPPED`);
  return ok;
}

let chromium: boolean | undefined;

/** Whether Debian's chromium runs here (headless checks of HTML reports); when not, prints that `what` is skipped. */
export function chromiumAvailable(what: string): boolean {
  chromium ??= spawnSync('chromium', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!chromium) console.warn(`${what}: chromium not installed (apt-get install chromium): SKIPPED`);
  return chromium;
}
