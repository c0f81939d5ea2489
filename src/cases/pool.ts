// Cases run in parallel: a pool of worker threads, each running whole cases
// in-process (src/cases/harness.ts) and posting back plain reports. Cases are
// handed out one at a time from a queue, so a long case does not hold back
// the others; a worker that dies fails only the case it was running and is
// replaced. With one job, or when the worker script is not there (running
// from the TypeScript sources, as vitest does), cases run in this thread.

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
 * Runs the tasks on `jobs` threads (1: this thread) and calls `onReport` as
 * each finishes (in finishing order, with the task's index). Resolves with the
 * reports in task order.
 */
export async function runCases(tasks: readonly CaseTask[], jobs: number, opts: HarnessOptions, onReport: (index: number, r: CaseReport) => void = () => {}): Promise<CaseReport[]> {
  const reports: CaseReport[] = new Array(tasks.length);
  const threads = Math.min(jobs, tasks.length);
  if (threads <= 1 || !workersAvailable()) {
    for (let i = 0; i < tasks.length; i++) {
      reports[i] = testCaseDir(tasks[i].dir, tasks[i].name, opts);
      onReport(i, reports[i]);
    }
    return reports;
  }
  return new Promise((resolvePool) => {
    let next = 0;
    let done = 0;
    const finish = (i: number, r: CaseReport): void => {
      reports[i] = r;
      done++;
      onReport(i, r);
    };
    const start = (): void => {
      if (next >= tasks.length) return;
      const w = new Worker(WORKER_URL, { workerData: opts });
      let current = -1;
      const feed = (): void => {
        if (next >= tasks.length) {
          current = -1;
          void w.terminate();
          if (done === tasks.length) resolvePool(reports);
          return;
        }
        current = next++;
        const t: WorkerTask = { index: current, dir: tasks[current].dir, name: tasks[current].name };
        w.postMessage(t);
      };
      w.on('message', (m: WorkerResult) => {
        finish(m.index, m.report);
        feed();
      });
      const died = (why: string): void => {
        if (current < 0) return;
        const i = current;
        current = -1;
        finish(i, crashed(tasks[i], why));
        if (done === tasks.length) resolvePool(reports);
        else start();
      };
      w.on('error', (e) => died(e.message));
      w.on('exit', (code) => died(`exit code ${code}`));
      feed();
    };
    for (let k = 0; k < threads; k++) start();
  });
}
