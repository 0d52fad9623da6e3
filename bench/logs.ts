/**
 * npm run bench:logs [-- --size 1G] — `genai-doctor logs FILE --format json` against `rg -c` and
 * a `jq` filter selecting error records, on the same generated JSON-lines export (Datadog events,
 * Datadog raw JSON, Cloud Logging entries and Cloud Audit Logs; 0.5 % failures spread over every
 * cause). Prints wall seconds, MB/s, CPU seconds (user + sys), the ratios and genai-doctor's
 * peak RSS. Targets: >= 10x jq, within 4x of rg, within 2x of the Node read floor, peak RSS < 200 MB.
 * On a machine shared with other
 * jobs wall times swing with the load; CPU seconds and their ratio do not, so both are printed.
 *
 * Also timed, to read the rg ratio against: `node bench/read-floor.mjs` (a Node program that only
 * reads the file, with as many worker threads as genai-doctor: the floor for any JavaScript
 * scanner, since Node cannot mmap), `rg --no-mmap` and `node -e 0`; and genai-doctor's scanner
 * alone (bench/scan-alone.mjs), which splits the gap between the floor and the command.
 *
 * The export goes to bench/.data (gitignored) and is reused when present. Line shapes (one huge
 * line, blank lines, gzip bombs) and the console have their own bench: bench/long-lines.ts.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readerCount } from '../src/logs/scan-pool.js';
import { type Flavor, LogGenerator } from '../src/logs/synthetic.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1]
    ? (process.argv[i + 1] as string)
    : (process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`--size: cannot read "${s}" (e.g. 1G, 200M)`);
  const unit = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[(m[2] as string).toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}

const size = parseSize(arg('size', '1G'));
const runs = Number(arg('runs', '3'));
const dir = join('bench', '.data');
const file = join(dir, `logs-${size}.jsonl`);

/** Writes the export (to a temp name first, so an interrupted run is not reused). */
async function generate(path: string, bytes: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.part`;
  const out = createWriteStream(tmp);
  const gen = new LogGenerator({ seed: 2026, failureRate: 0.005, stepMs: 40 });
  // Mostly application logs, some audit entries: what an export of a busy service looks like.
  const mix: Flavor[] = [
    'datadog-api',
    'cloud-logging',
    'datadog-raw',
    'cloud-logging',
    'datadog-api',
    'datadog-api',
    'cloud-logging',
    'audit',
  ];
  let written = 0;
  let n = 0;
  while (written < bytes) {
    let batch = '';
    for (let k = 0; k < 1000; k++)
      batch += `${JSON.stringify(gen.record(mix[n++ % mix.length] as Flavor))}\n`;
    written += Buffer.byteLength(batch);
    if (!out.write(batch)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  renameSync(tmp, path);
}

interface Timing {
  seconds: number;
  /** User + system CPU seconds (from /usr/bin/time). */
  cpu?: number;
  rssMb?: number;
  status: number | null;
  stdout: string;
}

/** One run under /usr/bin/time -v (wall time and peak RSS), or plain when it is missing. */
function timed(cmd: string[], stdoutFile?: string): Timing {
  const useTime = existsSync('/usr/bin/time');
  const shell = `${cmd.map((c) => `'${c.replace(/'/g, "'\\''")}'`).join(' ')}${stdoutFile ? ` > ${stdoutFile}` : ''}`;
  const full = useTime ? ['/usr/bin/time', '-v', 'sh', '-c', shell] : ['sh', '-c', shell];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0] as string, full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr ?? '';
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1];
  const user = /User time \(seconds\): ([\d.]+)/.exec(err)?.[1];
  const sys = /System time \(seconds\): ([\d.]+)/.exec(err)?.[1];
  const cpu = user !== undefined && sys !== undefined ? Number(user) + Number(sys) : undefined;
  return {
    seconds,
    cpu,
    rssMb: rss ? Number(rss) / 1024 : undefined,
    status: r.status,
    stdout: r.stdout ?? '',
  };
}

/** Best wall time of n runs; the least CPU and the highest peak RSS of any run. */
function best(cmd: string[], n: number, stdoutFile?: string): Timing {
  const all: Timing[] = [];
  for (let i = 0; i < n; i++) all.push(timed(cmd, stdoutFile));
  const fastest = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const cpus = all.flatMap((t) => (t.cpu === undefined ? [] : [t.cpu]));
  const rss = all.flatMap((t) => (t.rssMb === undefined ? [] : [t.rssMb]));
  return {
    ...fastest,
    cpu: cpus.length > 0 ? Math.min(...cpus) : undefined,
    rssMb: rss.length > 0 ? Math.max(...rss) : undefined,
  };
}

if (!existsSync(file)) {
  process.stdout.write(`generating ${file} (${(size / 1e6).toFixed(0)} MB)...\n`);
  const t = Date.now();
  await generate(file, size);
  process.stdout.write(`  done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}
const bytes = statSync(file).size;
const mb = bytes / 1e6;
// Read the file once so every tool starts from the page cache.
spawnSync('sh', ['-c', `cat '${file}' > /dev/null`]);

const jqFilter = 'select(.attributes.status=="error" or .status=="error" or .severity=="ERROR")';
const ours = best(
  ['node', 'dist/cli/main.js', 'logs', file, '--format', 'json'],
  runs,
  '/tmp/genai-doctor-bench-logs.json',
);
const rg = best(['rg', '-c', 'PERMISSION_DENIED', file], runs);
// What a JavaScript scanner cannot go under (bench/read-floor.mjs), and rg without its mmap.
const readers = String(readerCount());
const floor = best(['node', 'bench/read-floor.mjs', file, readers], runs);
// The scanner without the CLI, the engine or the output: splits the gap between floor and command.
const scanner = best(['node', 'bench/scan-alone.mjs', file], runs);
const rgRead = best(['rg', '--no-mmap', '-c', 'PERMISSION_DENIED', file], runs);
const nodeStart = best(['node', '-e', '0'], runs);
const jq = best(['jq', '-c', jqFilter, file], Math.min(runs, 2), '/dev/null');

const analysis = JSON.parse(readFileSync('/tmp/genai-doctor-bench-logs.json', 'utf8')) as {
  stats: { records: number; failures: number; diagnosed: number; malformed: number };
  incidents: Array<{ cause: string }>;
};
const row = (name: string, t: Timing) =>
  `${name.padEnd(14)} ${t.seconds.toFixed(2).padStart(7)} s ${(mb / t.seconds).toFixed(0).padStart(7)} MB/s` +
  `${t.cpu !== undefined ? `  CPU ${t.cpu.toFixed(2)} s (${(mb / Math.max(t.cpu, 0.01)).toFixed(0)} MB/CPU-s)` : ''}` +
  `${t.rssMb ? `  peak RSS ${t.rssMb.toFixed(0)} MB` : ''}`;
const cpuRatio = (a: Timing, b: Timing) =>
  a.cpu !== undefined && b.cpu !== undefined ? (a.cpu / Math.max(b.cpu, 0.01)).toFixed(1) : '?';
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const lines = [
  `file: ${file} (${mb.toFixed(0)} MB, ${analysis.stats.records} records, ${analysis.stats.failures} failures, ${analysis.incidents.length} incidents, ${new Set(analysis.incidents.map((i) => i.cause)).size} causes, ${analysis.stats.diagnosed} distinct texts diagnosed)`,
  `best wall time of ${runs} runs (jq: ${Math.min(runs, 2)}), least CPU, page cache warm, load average ${load}:`,
  row('genai-doctor', ours),
  row('rg -c', rg),
  row('jq select', jq),
  row('scanner alone', scanner),
  row('node read only', floor),
  row('rg --no-mmap', rgRead),
  row('node -e 0', nodeStart),
  '',
  `genai-doctor vs jq: ${(jq.seconds / ours.seconds).toFixed(1)}x faster (target >= 10x); CPU: ${cpuRatio(jq, ours)}x less`,
  `genai-doctor vs rg: ${(ours.seconds / rg.seconds).toFixed(1)}x slower (target <= 4x); CPU: ${cpuRatio(ours, rg)}x more`,
  `floor: a Node program that only reads the file (${readers} worker threads, bench/read-floor.mjs) takes ${(floor.seconds / rg.seconds).toFixed(1)}x rg's time`,
  `genai-doctor vs the floor: ${(ours.seconds / floor.seconds).toFixed(2)}x its time (target <= 2x); CPU: ${cpuRatio(ours, floor)}x`,
  `of which: the scanner alone (bench/scan-alone.mjs, same workers, nothing diagnosed) ${(scanner.seconds / floor.seconds).toFixed(2)}x the floor's time; the CLI, engine and output the other ${((ours.seconds - scanner.seconds) * 1000).toFixed(0)} ms`,
  `genai-doctor peak RSS: ${ours.rssMb?.toFixed(0) ?? '?'} MB (target < 200 MB)`,
  `commands: node dist/cli/main.js logs ${file} --format json | rg -c PERMISSION_DENIED ${file} | jq -c '${jqFilter}' ${file}`,
];
if (ours.status !== 0 && ours.status !== 1) lines.push(`genai-doctor exited with ${ours.status}`);
process.stdout.write(`${lines.join('\n')}\n`);
