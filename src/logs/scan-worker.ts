/**
 * A scan worker: reads one byte range of a JSON-lines file (it starts and ends on line
 * boundaries) and posts the candidate lines (those holding a failure marker) and the malformed
 * lines it finds, in batches, with line numbers relative to the range. The main thread parses the
 * candidates, diagnoses, groups and numbers them: the worker's read is the critical path of a
 * large file, and the main thread is mostly idle meanwhile, so the worker does nothing it can hand
 * over (measured on 1 GB: parsing 6,288 candidates and cloning their records cost the worker
 * ~80 ms of its ~570; a string clones as one copy).
 * It imports the scanner alone (node:fs, no streams, no zlib): a worker's start-up is on the
 * critical path of every large file.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { type ScanCounts, type ScanHandlers, scanFileRange } from './jsonl-scan.js';

export interface ScanJob {
  path: string;
  start: number;
  /** Exclusive. */
  end: number;
  chunkBytes?: number;
  maxRecordBytes?: number;
  /** [0]: batches posted and not yet handled by the main thread (back-pressure). */
  pending: SharedArrayBuffer;
}

/** Batches a worker may have in flight before it waits for the main thread to catch up. */
export const MAX_PENDING_BATCHES = 16;

/**
 * A candidate line's text (`c` set), a malformed line (`r` set) or a line over the record cap
 * (`o`), `l` its line within the range.
 */
export interface ScanItem {
  l: number;
  c?: string;
  r?: string;
  o?: true;
}

export interface ScanTotals extends ScanCounts {
  /** Lines that held a marker (posted to be parsed). */
  candidates: number;
}

export type ScanMessage =
  | { kind: 'batch'; items: ScanItem[] }
  | ({ kind: 'done' } & ScanTotals)
  | { kind: 'error'; message: string };

const port = parentPort;

/** Scans one range, posting candidate batches and then its totals; then the thread ends. */
function run(job: ScanJob): void {
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
  let candidates = 0;
  const push = (item: ScanItem) => {
    batch.push(item);
    if (batch.length >= 256) flush();
  };
  const handlers: ScanHandlers = {
    candidate: (c, l) => {
      candidates++;
      push({ l, c });
    },
    malformed: (l, r) => push({ l, r }),
    oversized: (l) => push({ l, o: true }),
  };
  const fd = openSync(job.path, 'r');
  let counts: ScanCounts;
  try {
    counts = scanFileRange(fd, job.start, job.end, handlers, {
      chunkBytes: job.chunkBytes,
      maxRecordBytes: job.maxRecordBytes,
    });
  } finally {
    closeSync(fd);
  }
  flush();
  port?.postMessage({ kind: 'done', ...counts, candidates } satisfies ScanMessage);
}

// The job comes as a message, not as workerData: the worker may be started before its job is
// known (see scan-pool.ts).
port?.once('message', (job: ScanJob) => {
  try {
    run(job);
  } catch (err) {
    port?.postMessage({ kind: 'error', message: (err as Error).message } satisfies ScanMessage);
  }
});
