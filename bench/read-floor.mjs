/**
 * The least time any Node program needs to look at every byte of a file on this machine: the
 * file split in the same number of ranges as `genai-doctor logs` uses, each read by its own worker
 * thread with readSync into one reused 256 kB buffer, and nothing else done with the bytes.
 * Node cannot mmap a file (rg does), so the kernel copies every page into the process: this copy,
 * Node's start-up and the workers' start-up are a floor that no scanner written in JavaScript can go
 * under. bench/logs.ts prints it next to rg so the rg ratio can be read against it.
 *
 * Usage: node bench/read-floor.mjs FILE [WORKERS]
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const CHUNK = 256 * 1024;

if (isMainThread) {
  const [file, workersArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/read-floor.mjs FILE [WORKERS]\n');
    process.exit(2);
  }
  const size = statSync(file).size;
  const n = Math.max(1, Number(workersArg ?? 2));
  const read = await Promise.all(
    Array.from(
      { length: n },
      (_, k) =>
        new Promise((resolve, reject) => {
          const range = { file, start: Math.floor((size * k) / n), end: Math.floor((size * (k + 1)) / n) };
          const w = new Worker(new URL(import.meta.url), { workerData: range });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  process.stdout.write(`${read.reduce((a, b) => a + b, 0)} bytes read\n`);
} else {
  const { file, start, end } = workerData;
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = start;
  while (pos < end) {
    const got = readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
    if (got <= 0) break;
    pos += got;
  }
  closeSync(fd);
  parentPort.postMessage(pos - start);
}
