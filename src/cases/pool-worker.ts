// A worker thread of the case pool (src/cases/pool.ts): runs each case it is
// given in-process and posts back the plain report.
import { parentPort, workerData } from 'node:worker_threads';
import { testCaseDir, type HarnessOptions } from './harness.js';
import type { WorkerResult, WorkerTask } from './pool.js';

const opts = workerData as HarnessOptions;
parentPort!.on('message', (t: WorkerTask) => {
  const r: WorkerResult = { index: t.index, report: testCaseDir(t.dir, t.name, opts) };
  parentPort!.postMessage(r);
});
