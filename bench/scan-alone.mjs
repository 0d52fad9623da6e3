/**
 * genai-doctor's scanner alone: the same worker threads, chunking and marker search as
 * `genai-doctor logs FILE`, the candidate lines parsed into records on the main thread, and
 * nothing loaded or diagnosed beyond that. bench/logs.ts times it between the read floor and the
 * full command, which splits the gap: scanner minus floor is what finding the failing lines costs,
 * command minus scanner is what the CLI, the diagnosis engine and the output cost.
 * Needs the build (dist/); bench:logs builds it first.
 *
 * Usage: node bench/scan-alone.mjs FILE
 */
import { statSync } from 'node:fs';
import { scanJsonLinesParallel } from '../dist/logs/parallel.js';
import { readerCount } from '../dist/logs/scan-pool.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/scan-alone.mjs FILE\n');
  process.exit(2);
}
let failures = 0;
const r = await scanJsonLinesParallel(file, statSync(file).size, readerCount(), {
  failure: () => failures++,
  malformed: () => {},
  oversized: () => {},
});
process.stdout.write(`${r.records} records, ${r.candidates} candidates, ${failures} failures\n`);
