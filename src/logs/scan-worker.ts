/**
 * A scan worker: reads one byte range of a JSON-lines file (it starts and ends on line
 * boundaries) and posts the candidate lines and malformed lines it finds, in batches, with line
 * numbers relative to the range. The main thread parses, diagnoses and numbers them.
 * It imports the scanner alone (node:fs, no streams, no zlib): a worker's start-up is on the
 * critical path of every large file.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { scanFileRange } from './jsonl-scan.js';

export interface ScanJob {
  path: string;
  start: number;
  /** Exclusive. */
  end: number;
  /** [0]: batches posted and not yet handled by the main thread (back-pressure). */
  pending: SharedArrayBuffer;
}

/** Batches a worker may have in flight before it waits for the main thread to catch up. */
export const MAX_PENDING_BATCHES = 16;

/** A candidate (`t` set) or a malformed line (`r` set), `l` its line within the range. */
export interface ScanItem {
  l: number;
  t?: string;
  r?: string;
}

export type ScanMessage =
  | { kind: 'batch'; items: ScanItem[] }
  | { kind: 'done'; records: number; lines: number; bytes: number }
  | { kind: 'error'; message: string };

const job = workerData as ScanJob;
const port = parentPort;
const pending = new Int32Array(job.pending);
let batch: ScanItem[] = [];
const flush = () => {
  if (batch.length === 0) return;
  // A file of nothing but failures must not queue itself whole in the main thread's inbox: wait
  // while it diagnoses (it notifies after each batch). Normal logs never get here.
  let n = Atomics.load(pending, 0);
  while (n >= MAX_PENDING_BATCHES) {
    Atomics.wait(pending, 0, n, 100);
    n = Atomics.load(pending, 0);
  }
  Atomics.add(pending, 0, 1);
  port?.postMessage({ kind: 'batch', items: batch } satisfies ScanMessage);
  batch = [];
};

try {
  const fd = openSync(job.path, 'r');
  try {
    const counts = scanFileRange(fd, job.start, job.end, {
      candidate: (t, l) => {
        batch.push({ l, t });
        if (batch.length >= 256) flush();
      },
      malformed: (l, r) => {
        batch.push({ l, r });
        if (batch.length >= 256) flush();
      },
    });
    flush();
    port?.postMessage({ kind: 'done', ...counts } satisfies ScanMessage);
  } finally {
    closeSync(fd);
  }
} catch (err) {
  port?.postMessage({ kind: 'error', message: (err as Error).message } satisfies ScanMessage);
}
