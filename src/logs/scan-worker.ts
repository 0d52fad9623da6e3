/**
 * A scan worker: reads one byte range of a JSON-lines file (it starts and ends on line
 * boundaries), parses the candidate lines and posts the failing records and malformed lines it
 * finds, in batches, with line numbers relative to the range. The main thread diagnoses, groups
 * and numbers them.
 * It imports the scanners and the record readers alone (node:fs, no streams, no zlib): a worker's
 * start-up is on the critical path of every large file. The native scanner (mmap, SIMD) finds the
 * candidate lines when it is built; the JavaScript one otherwise. Both call the same handlers.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogRecord } from '../core/incidents/model.js';
import { parseCandidate } from './candidate.js';
import { type ScanCounts, type ScanHandlers, scanFileRange } from './jsonl-scan.js';
import { loadNativeScan } from './native-scan.js';

export interface ScanJob {
  path: string;
  start: number;
  /** Exclusive. */
  end: number;
  chunkBytes?: number;
  /** [0]: batches posted and not yet handled by the main thread (back-pressure). */
  pending: SharedArrayBuffer;
}

/** Batches a worker may have in flight before it waits for the main thread to catch up. */
export const MAX_PENDING_BATCHES = 16;

/** A failing record (`f` set) or a malformed line (`r` set), `l` its line within the range. */
export interface ScanItem {
  l: number;
  f?: LogRecord;
  r?: string;
}

export type ScannerKind = 'native' | 'js';

export interface ScanTotals extends ScanCounts {
  /** Lines that held a marker and were parsed. */
  candidates: number;
  scanner: ScannerKind;
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
  };
  const native = loadNativeScan();
  let counts: ScanCounts;
  if (native) counts = native.scanFileRange(job.path, job.start, job.end, handlers);
  else {
    const fd = openSync(job.path, 'r');
    try {
      counts = scanFileRange(fd, job.start, job.end, handlers, { chunkBytes: job.chunkBytes });
    } finally {
      closeSync(fd);
    }
  }
  flush();
  const scanner: ScannerKind = native ? 'native' : 'js';
  port?.postMessage({ kind: 'done', ...counts, candidates, scanner } satisfies ScanMessage);
} catch (err) {
  port?.postMessage({ kind: 'error', message: (err as Error).message } satisfies ScanMessage);
}
