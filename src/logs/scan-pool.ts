/**
 * Scan workers started before the scan is known to need them. A worker thread takes ~60 ms to
 * boot (a new isolate and Node's own bootstrap), about as long as the CLI takes to load its
 * command and parse its arguments: started as soon as the command line names a large file, the
 * worker boots meanwhile and is waiting when the file's ranges are known, instead of starting to
 * boot then. A worker nobody takes is stopped; while idle it keeps nothing alive (unref), so a
 * command that fails before it reads still exits at once.
 * Imports only node built-ins and start-worker.ts: the CLI loads this module before commander.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { isGzip } from '../gzip.js';
import { startModuleWorker } from './start-worker.js';

/** Files below this size are read on the main thread: starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * How many scan workers to use: one core is left to the main thread, which loads the diagnosis
 * engine and diagnoses while the workers read, and at most two workers (each costs ~25 MB of RSS,
 * and the gain flattens beyond two: memory bandwidth). On a 2-core machine that is one worker:
 * measured on 1 GB, a second worker gave the same wall time (0.80-1.06 s against 0.76-1.02 s)
 * for ~25 % more CPU, since it only contends with the main thread. GENAI_DOCTOR_READERS overrides.
 */
export function readerCount(): number {
  const env = Number(process.env.GENAI_DOCTOR_READERS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

const SCAN_WORKER = new URL('./scan-worker.js', import.meta.url);
const idle: Worker[] = [];

function startIdle(): void {
  const w = startModuleWorker(SCAN_WORKER, undefined);
  // A worker that dies while idle (it cannot boot) is dropped; whoever takes the next one sees
  // the same failure on a worker of its own.
  const drop = () => {
    const i = idle.indexOf(w);
    if (i !== -1) idle.splice(i, 1);
  };
  w.once('error', drop);
  w.once('exit', drop);
  w.unref();
  idle.push(w);
}

/** Set by the CLI (see prestartForFiles): lower this thread's priority once the scan starts. */
let yieldWhenTaken = false;

/**
 * Starts the scan workers a large JSON-lines file among `args` would use: the first argument that
 * names a regular file of at least PARALLEL_MIN_BYTES that is not gzip. Reads two bytes of it at
 * most; anything it cannot read is left to the command to report. With `yieldCpu` (the CLI, for a
 * command that ends with the scan) the calling thread steps back for the workers once they scan
 * (see yieldToScanWorkers).
 */
export function prestartForFiles(args: readonly string[], opts: { yieldCpu?: boolean } = {}): void {
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    try {
      const st = statSync(arg, { throwIfNoEntry: false });
      if (!st?.isFile() || st.size < PARALLEL_MIN_BYTES) continue;
      const head = Buffer.alloc(2);
      const fd = openSync(arg, 'r');
      try {
        readSync(fd, head, 0, 2, 0);
      } finally {
        closeSync(fd);
      }
      if (isGzip(head)) return;
    } catch {
      continue;
    }
    for (let k = idle.length; k < readerCount(); k++) startIdle();
    yieldWhenTaken = opts.yieldCpu === true;
    return;
  }
}

/** A started scan worker, waiting for its job (a ScanJob message): a prestarted one if any. */
export function takeScanWorker(): Worker {
  if (yieldWhenTaken) {
    yieldWhenTaken = false;
    yieldToScanWorkers();
  }
  const w = idle.shift();
  if (!w) return startModuleWorker(SCAN_WORKER, undefined);
  w.ref();
  return w;
}

/**
 * The calling thread steps back for the scan workers (nice 19), on Linux only, where a nice value
 * is a thread's own. On a machine with fewer cores than busy threads, the scan, which decides when
 * the command ends, then keeps its core, and the main thread's engine load and diagnoses fill the
 * gaps. Measured on 1 GB on 2 cores, best of 8 alternating runs in five rounds: 0.65-0.67 s against
 * 0.70-0.73 s without it. Done when the scan takes its workers rather than when they start: while
 * they boot the main thread still loads the CLI, which stepping back then slowed.
 * Elsewhere the call would lower the whole process, workers included, so it is not made. Without
 * privileges a nice value cannot be raised back, so only the CLI asks for it, for a command that
 * ends with the scan; threads started later by this one inherit it.
 */
function yieldToScanWorkers(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(19);
  } catch {
    // A scheduling hint: refused (a container's seccomp profile), the scan runs as it would have.
  }
}

/** How many prestarted workers wait to be taken. */
export function idleScanWorkers(): number {
  return idle.length;
}

/** Stops the prestarted workers nobody took (the file was small, compressed or not JSON lines). */
export function stopIdleScanWorkers(): void {
  yieldWhenTaken = false;
  for (const w of idle.splice(0)) void w.terminate();
}
