/**
 * JSON-lines files large enough to be worth it are scanned by several worker threads, one byte
 * range each (split on line boundaries). The workers find the candidate lines and post them;
 * parsing, diagnosis and grouping stay on the main thread, in arrival order, with back-pressure
 * on the workers, so memory stays constant.
 * Line numbers of a range are only known once the ranges before it are counted: records carry
 * `range * LINE_RANGE + line` until then, and the caller resolves the few numbers it keeps.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { LogRecord } from '../core/incidents/model.js';
import { type CandidateSink, parseCandidate } from './candidate.js';
import { stopIdleScanWorkers, takeScanWorker } from './scan-pool.js';
import type { ScanItem, ScanJob, ScanMessage, ScanTotals } from './scan-worker.js';

/** Lines per range in the provisional numbering (2^40: no file has that many lines). */
export const LINE_RANGE = 2 ** 40;

export interface ParallelHandlers {
  /** A failing record; its `line` is provisional (see resolve). */
  failure(record: LogRecord): void;
  malformed(line: number, reason: string): void;
  oversized(line: number): void;
}

export interface ParallelResult {
  records: number;
  bytes: number;
  candidates: number;
  /** Provisional line number -> the real one. */
  resolve(line: number): number;
}

/** Byte offsets that split the file into `n` ranges, each starting just after a newline. */
export function splitRanges(path: string, size: number, n: number): Array<[number, number]> {
  const fd = openSync(path, 'r');
  const cuts = [0];
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let k = 1; k < n; k++) {
      let pos = Math.max(Math.floor((size * k) / n), cuts[cuts.length - 1] as number);
      let cut = size;
      while (pos < size) {
        const got = readSync(fd, buf, 0, buf.length, pos);
        if (got <= 0) break;
        const nl = buf.subarray(0, got).indexOf(0x0a);
        if (nl !== -1) {
          cut = pos + nl + 1;
          break;
        }
        pos += got;
      }
      cuts.push(cut);
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(size);
  const ranges: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) ranges.push([cuts[k] as number, cuts[k + 1] as number]);
  return ranges;
}

/**
 * `ready` lets the workers start reading before the caller can take their records (the CLI loads
 * the diagnosis engine meanwhile): their batches wait unhandled until it resolves, and since a
 * batch counts as pending until handled, the workers' back-pressure bounds what waits.
 */
export async function scanJsonLinesParallel(
  path: string,
  size: number,
  workers: number,
  h: ParallelHandlers,
  opts: { chunkBytes?: number; maxRecordBytes?: number } = {},
  ready: Promise<unknown> = Promise.resolve(),
): Promise<ParallelResult> {
  const ranges = splitRanges(path, size, workers);
  const sink: CandidateSink = { failure: (r) => h.failure(r), bad: (l, r) => h.malformed(l, r) };
  const done = await Promise.all(
    ranges.map(
      ([start, end], k) =>
        new Promise<ScanTotals>((resolve, reject) => {
          const shared = new SharedArrayBuffer(4);
          const pending = new Int32Array(shared);
          const w = takeScanWorker();
          w.postMessage({ path, start, end, ...opts, pending: shared } satisfies ScanJob);
          let result: ScanTotals | undefined;
          let waiting: ScanMessage[] | undefined = [];
          const handle = (m: ScanMessage) => {
            if (m.kind === 'batch') {
              for (const it of m.items as ScanItem[]) {
                const line = k * LINE_RANGE + it.l;
                if (it.c !== undefined) parseCandidate(it.c, line, sink);
                else if (it.o) h.oversized(line);
                else h.malformed(line, it.r ?? 'malformed');
              }
              Atomics.sub(pending, 0, 1);
              Atomics.notify(pending, 0);
            } else if (m.kind === 'done') {
              // Its counts are final: the thread's own teardown is no reason to wait.
              result = m;
              resolve(m);
            } else reject(new Error(m.message));
          };
          const opened = ready.then(() => {
            for (const m of waiting ?? []) handle(m);
            waiting = undefined;
          });
          opened.catch(reject);
          w.on('message', (m: ScanMessage) => (waiting ? waiting.push(m) : handle(m)));
          w.on('error', reject);
          w.on('exit', (code) =>
            opened.then(() =>
              result ? resolve(result) : reject(new Error(`scan worker exited with ${code}`)),
            ),
          );
        }),
    ),
  );
  stopIdleScanWorkers();
  const offsets: number[] = [];
  let total = 0;
  for (const d of done) {
    offsets.push(total);
    total += d.lines;
  }
  return {
    records: done.reduce((a, d) => a + d.records, 0),
    bytes: done.reduce((a, d) => a + d.bytes, 0),
    candidates: done.reduce((a, d) => a + d.candidates, 0),
    resolve: (line) => (offsets[Math.floor(line / LINE_RANGE)] ?? 0) + (line % LINE_RANGE),
  };
}
