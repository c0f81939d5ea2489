// Cases run in parallel: this thread and a pool of worker threads, each
// running whole cases in-process (src/cases/harness.ts); workers post back
// plain reports. Cases are handed out one at a time from a queue, so a long
// case does not hold back the others; a worker that dies fails only the case
// it was running and is replaced. With one job, or when the worker script is
// not there (running from the TypeScript sources, as vitest does), cases run
// in this thread alone.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { testCaseDir, type CaseReport, type HarnessOptions } from './harness.js';

export interface CaseTask {
  dir: string;
  name: string;
}

/** What the pool posts to a worker, and gets back. */
export interface WorkerTask { index: number; dir: string; name: string }
export interface WorkerResult { index: number; report: CaseReport }

const WORKER_URL = new URL('./pool-worker.js', import.meta.url);

/** Whether cases can run in worker threads here (the compiled worker script exists). */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

function crashed(task: CaseTask, why: string): CaseReport {
  return {
    name: task.name, dir: task.dir, file: `${task.dir}/case.yaml`, status: 'fail', ms: 0,
    failures: [{ kind: 'setup', message: `the worker running the case died: ${why}` }], details: `  the worker running the case died: ${why}`, notes: [],
  };
}

/**
 * Runs the tasks on `jobs` threads: this one and jobs - 1 workers, all taking
 * the next case from one queue (this thread starts on cases at once, while
 * the workers load). Calls `onReport` as each case finishes (in finishing
 * order, with the task's index). Resolves with the reports in task order.
 */
export async function runCases(tasks: readonly CaseTask[], jobs: number, opts: HarnessOptions, onReport: (index: number, r: CaseReport) => void = () => {}): Promise<CaseReport[]> {
  const reports: CaseReport[] = new Array(tasks.length);
  const threads = Math.min(jobs, tasks.length);
  let next = 0;
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => { allDone = r; });
  const finish = (i: number, r: CaseReport): void => {
    reports[i] = r;
    onReport(i, r);
    if (++done === tasks.length) allDone();
  };
  const startWorker = (): void => {
    if (next >= tasks.length) return;
    const w = new Worker(WORKER_URL, { workerData: opts });
    let current = -1;
    const feed = (): void => {
      if (next >= tasks.length) {
        current = -1;
        void w.terminate();
        return;
      }
      current = next++;
      const t: WorkerTask = { index: current, dir: tasks[current].dir, name: tasks[current].name };
      w.postMessage(t);
    };
    w.on('message', (m: WorkerResult) => {
      current = -1;
      finish(m.index, m.report);
      feed();
    });
    const died = (why: string): void => {
      if (current < 0) return;
      const i = current;
      current = -1;
      finish(i, crashed(tasks[i], why));
      startWorker();
    };
    w.on('error', (e) => died(e.message));
    w.on('exit', (code) => died(`exit code ${code}`));
    feed();
  };
  if (threads > 1 && workersAvailable()) for (let k = 1; k < threads; k++) startWorker();
  // This thread's share: a case at a time, letting the workers' messages in between.
  while (next < tasks.length) {
    const i = next++;
    finish(i, testCaseDir(tasks[i].dir, tasks[i].name, opts));
    await new Promise<void>((r) => setImmediate(r));
  }
  if (tasks.length > 0) await finished;
  return reports;
}
