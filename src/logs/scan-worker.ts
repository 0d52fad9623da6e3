/**
 * A scan worker: reads one byte range of a JSON-lines file (it starts and ends on line
 * boundaries) and posts the candidate lines and malformed lines it finds, in batches, with line
 * numbers relative to the range. The main thread parses, diagnoses and numbers them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileRangeChunks } from './input.js';
import { scanJsonLines } from './jsonl-scan.js';

export interface ScanJob {
  path: string;
  start: number;
  /** Exclusive. */
  end: number;
}

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
let batch: ScanItem[] = [];
const flush = () => {
  if (batch.length > 0) port?.postMessage({ kind: 'batch', items: batch } satisfies ScanMessage);
  batch = [];
};

try {
  const counts = await scanJsonLines(fileRangeChunks(job.path, job.start, job.end), {
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
} catch (err) {
  port?.postMessage({ kind: 'error', message: (err as Error).message } satisfies ScanMessage);
}
