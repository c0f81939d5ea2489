#!/usr/bin/env node
// Builds the native AES-GCM addon (crates/triode-crypto) into
// native/triode_crypto.node. Run by `npm install` (the "prepare" script).
// Never fails the install: without cargo, or if the build fails, it prints one
// line and triode uses the JS backend (@noble/ciphers).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crate = path.join(root, 'crates', 'triode-crypto');
const out = path.join(root, 'native', 'triode_crypto.node');
const quiet = process.argv.includes('--quiet');

function giveUp(reason) {
  rmSync(out, { force: true }); // never leave a stale addon behind to be loaded instead
  console.log(`triode: native crypto addon not built (${reason}); using the JS backend`);
  process.exit(0);
}

if (process.env.TRIODE_SKIP_NATIVE) giveUp('TRIODE_SKIP_NATIVE is set');
const cargo = process.env.CARGO || 'cargo';
const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) giveUp(`${cargo} not found; install Rust to get the fast path`);

// cwd = the crate, so cargo reads its .cargo/config.toml.
const build = spawnSync(
  cargo,
  ['build', '--release', '--offline', '--manifest-path', path.join(crate, 'Cargo.toml')],
  { cwd: crate, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
if (build.error || build.status !== 0) {
  const lines = `${build.stderr ?? ''}`.split('\n').map((l) => l.trim());
  const err = lines.find((l) => l.startsWith('error')) ?? build.error?.message ?? `exit ${build.status}`;
  giveUp(`cargo build failed: ${err}`);
}

const lib = { darwin: 'libtriode_crypto.dylib', win32: 'triode_crypto.dll' }[process.platform] ?? 'libtriode_crypto.so';
const target = process.env.CARGO_TARGET_DIR ? path.resolve(crate, process.env.CARGO_TARGET_DIR) : path.join(crate, 'target');
const built = path.join(target, 'release', lib);
if (!existsSync(built)) giveUp(`cargo produced no ${built}`);

mkdirSync(path.dirname(out), { recursive: true });
// Copy then rename: a process that has the old addon mapped keeps its inode.
copyFileSync(built, `${out}.tmp`);
renameSync(`${out}.tmp`, out);

// Load it once in a child node, so a link problem shows up now, not at first use.
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(out)}); if (typeof a.seal !== 'function') throw new Error('no seal()')`], { encoding: 'utf8' });
if (check.status !== 0) {
  const why = `${check.stderr}`.split('\n').find((l) => /Error/.test(l)) ?? `exit ${check.status}`;
  giveUp(`built ${path.relative(root, out)} but node cannot load it: ${why.trim()}`);
}
if (!quiet) console.log(`triode: native crypto addon built: ${path.relative(root, out)}`);
