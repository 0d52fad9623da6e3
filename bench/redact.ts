/**
 * npm run bench:redact — redactSecrets throughput on what the `logs` hot path hands it: the text
 * of each failure record (JSON-serialised lines, Python reprs, stack traces from the synthetic
 * export), plus clean lines, one 1 MB error text and 1 MB / 10 MB single texts (plain, JSON-escaped,
 * URL-encoded). Prints MB/s and microseconds per record; the
 * redactor runs once per failure record, so the `logs` share is (failures x us/record).
 * `--compare FILE` also times another redact.ts (e.g. `git show main:src/core/redact.ts`).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { redactSecrets } from '../src/core/redact.js';
import { LogGenerator } from '../src/logs/synthetic.js';

const gen = new LogGenerator({ seed: 7, failureRate: 1 });
const failures: string[] = [];
for (let i = 0; i < 4000; i++) {
  failures.push(JSON.stringify(gen.record(i % 2 ? 'datadog-api' : 'cloud-logging')));
}
const clean = new LogGenerator({ seed: 8, failureRate: 0 });
const lines: string[] = [];
for (let i = 0; i < 4000; i++) lines.push(JSON.stringify(clean.record('datadog-raw')));
const big = failures.join('\n').slice(0, 1_000_000);

/**
 * Large single texts (issue 16: `diagnose` stays under 2 s up to 10 MB): a plain text (the failure
 * records, no escapes), the same JSON-escaped (a log line carrying it) and URL-encoded.
 */
function plainText(size: number): string {
  // The failure records with their escapes blanked out: the same words and secrets, nothing to decode.
  const base = failures.join('\n').replace(/[\\%]/g, ' ');
  return base.repeat(Math.ceil(size / base.length)).slice(0, size);
}
const LARGE: Array<[string, string]> = [];
for (const mb of [1, 10]) {
  const plain = plainText(mb * 1_000_000);
  LARGE.push([`${mb} MB plain`, plain]);
  LARGE.push([`${mb} MB JSON-escaped`, JSON.stringify(plain).slice(0, mb * 1_000_000)]);
  LARGE.push([`${mb} MB URL-encoded`, encodeURIComponent(plain).slice(0, mb * 1_000_000)]);
}

type Redact = (s: string) => string;

function time(redact: Redact, texts: string[], rounds: number): { mbs: number; us: number } {
  const bytes = texts.reduce((n, t) => n + t.length, 0) * rounds;
  for (const t of texts) redact(t);
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const t of texts) redact(t);
  const ms = performance.now() - t0;
  return { mbs: bytes / 1e6 / (ms / 1000), us: (ms * 1000) / (texts.length * rounds) };
}

const compare = process.argv.indexOf('--compare');
const others: Array<[string, Redact]> = [['this tree', redactSecrets]];
if (compare > 0) {
  const file = process.argv[compare + 1] as string;
  const mod = (await import(pathToFileURL(file).href)) as { redactSecrets: Redact };
  others.push([file, mod.redactSecrets]);
}
for (const [name, redact] of others) {
  const f = time(redact, failures, 5);
  const c = time(redact, lines, 5);
  const b = time(redact, [big], 10);
  process.stdout.write(
    `${name}\n  failure records  ${f.mbs.toFixed(0).padStart(5)} MB/s  ${f.us.toFixed(1).padStart(6)} us/record\n` +
      `  clean records    ${c.mbs.toFixed(0).padStart(5)} MB/s  ${c.us.toFixed(1).padStart(6)} us/record\n` +
      `  1 MB error text  ${b.mbs.toFixed(0).padStart(5)} MB/s\n`,
  );
  for (const [label, text] of LARGE) {
    const l = time(redact, [text], text.length > 2_000_000 ? 1 : 3);
    process.stdout.write(
      `  ${label.padEnd(20)} ${l.mbs.toFixed(0).padStart(5)} MB/s  ${(text.length / 1e3 / l.mbs).toFixed(0).padStart(5)} ms\n`,
    );
  }
}
