// `npm test`: the whole vitest suite, then one closing line "N passed, N failed"
// (N skipped after it when any were skipped), which CI reads. Exit status is vitest's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'triode-test-'));
const report = join(dir, 'vitest.json');
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let line = 'test run did not report: 0 passed, 1 failed';
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = j.numPendingTests + j.numTodoTests;
  line = `${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
} catch {
  // vitest died before writing its report: counted as a failure above.
}
rmSync(dir, { recursive: true, force: true });
console.log(line);
process.exit(r.status ?? 1);
