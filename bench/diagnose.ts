/**
 * `npm run bench:diagnose`: (1) median wall time of `genai-doctor diagnose` on one error as a
 * whole process against `node -e 0` on the same machine (target: at most 3x), and (2) the pure
 * core's throughput over the labelled corpus (cases per second, in-process).
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../src/core/diagnose/index.js';
import type { Context } from '../src/core/model.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CLI = 'dist/cli/main.js';
const SEED = 'examples/seed-incident-403.txt';
const CORPUS = new URL('../../shared/corpus/cases', import.meta.url).pathname;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timeOnce(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Alternates the two commands run by run, so load from other processes hits both alike. */
function timePair(a: string[], b: string[]): [number[], number[]] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const x = timeOnce(a);
    const y = timeOnce(b);
    if (i >= 2) {
      // the first two warm the file cache
      ta.push(x);
      tb.push(y);
    }
  }
  return [ta, tb];
}

if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run \`npm run build\` first (npm run bench:diagnose does).`);
  process.exit(2);
}

const [baseRuns, cliRuns] = timePair(['-e', '0'], [CLI, 'diagnose', SEED, '--format', 'json']);
const baseline = median(baseRuns);
const cli = median(cliRuns);
console.log(`diagnose (whole process, median of ${RUNS}): ${cli.toFixed(1)} ms`);
console.log(`node -e 0 (median of ${RUNS}):                ${baseline.toFixed(1)} ms`);
console.log(`ratio: ${(cli / baseline).toFixed(2)}x (target <= 3x)`);

// Core throughput over the corpus (or the seed alone when ../shared is not beside the repo).
const cases: Array<{ text: string; context: Context }> = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((n) => n.endsWith('.json'))
      .map((n) => JSON.parse(readFileSync(join(CORPUS, n), 'utf8')))
      .map((c) => ({ text: String(c.input?.text ?? ''), context: (c.input?.context ?? {}) as Context }))
  : [{ text: readFileSync(SEED, 'utf8'), context: {} }];
for (let i = 0; i < 3; i++) for (const c of cases) diagnose(c.text, c.context); // warm-up
const passes = Math.max(20, Math.ceil(4000 / cases.length));
const t0 = process.hrtime.bigint();
for (let p = 0; p < passes; p++) for (const c of cases) diagnose(c.text, c.context);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const n = passes * cases.length;
console.log(
  `core throughput: ${Math.round(n / seconds)} cases/s (${n} diagnoses of ${cases.length} ${existsSync(CORPUS) ? 'corpus cases' : 'seed copies'} in ${seconds.toFixed(2)} s)`,
);
