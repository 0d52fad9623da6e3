/**
 * A scan worker: reads one byte range of a JSON-lines file (it starts and ends on line
 * boundaries), parses the candidate lines and posts the failing records and malformed lines it
 * finds, in batches, with line numbers relative to the range. The main thread diagnoses, groups
 * and numbers them.
 * It imports the scanner and the record readers alone (node:fs, no streams, no zlib): a worker's
 * start-up is on the critical path of every large file.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogRecord } from '../core/incidents/model.js';
import { parseCandidate } from './candidate.js';
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
 * A failing record (`f` set), a malformed line (`r` set) or a line over the record cap (`o`),
 * `l` its line within the range.
 */
export interface ScanItem {
  l: number;
  f?: LogRecord;
  r?: string;
  o?: true;
}

export interface ScanTotals extends ScanCounts {
  /** Lines that held a marker and were parsed. */
  candidates: number;
}

export type ScanMessage =
  | { kind: 'batch'; items: ScanItem[] }
  | ({ kind: 'done' } & ScanTotals)
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
  let candidates = 0;
  const push = (item: ScanItem) => {
    batch.push(item);
    if (batch.length >= 256) flush();
  };
  const out = {
    failure: (f: LogRecord) => push({ l: f.line ?? 0, f }),
    bad: (l: number, r: string) => push({ l, r }),
  };
  const handlers: ScanHandlers = {
    candidate: (text, l) => {
      candidates++;
      parseCandidate(text, l, out);
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
} catch (err) {
  port?.postMessage({ kind: 'error', message: (err as Error).message } satisfies ScanMessage);
}
