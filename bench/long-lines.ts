/**
 * npm run bench:long-lines [-- --big 1G] — how `genai-doctor logs` and the console's log upload
 * scale with the shape of the lines, to show that time is linear in the input and memory bounded
 * by the record cap (16 MB), not by the file:
 *
 * - one JSON line of 4 ... 64 MB between two failing records (over the cap from 16 MB: skipped as
 *   oversized and reported with its line number);
 * - 64 ... 256 MB of blank lines followed by one record, and 32 / 64 MB of `{}` lines;
 * - at --big (1 GB by default): a gzip of zeros (refused as binary), a gzip of one text line, and
 *   one JSON document on a single line (skipped as oversized, never built as a string).
 *
 * Then the console (`genai-doctor serve`, a child process): single-line uploads of 8 ... 45 MB,
 * a 50 MB export, each while a probe (GET /favicon.ico) is sent every 20 ms, with the probe's
 * worst and median answer time; a chunked upload over the limit (time to 413); a 73 kB gzip bomb.
 * Each row prints the time, MB/s, peak RSS (CLI) and the exit code or HTTP status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';

const MB = 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`cannot read size "${s}" (e.g. 1G, 200M)`);
  const unit = { '': 1, K: 1024, M: MB, G: 1024 * MB }[
    (m[2] as string).toUpperCase() as '' | 'K' | 'M' | 'G'
  ];
  return Math.round(Number(m[1]) * unit);
}

const big = parseSize(arg('big', '1G'));
const dir = join('bench', '.data', 'shapes');
mkdirSync(dir, { recursive: true });

/** A Cloud Logging entry of the seed 403, as `gcloud logging read` writes it. */
const FAILURE = JSON.stringify({
  logName: 'projects/datadog-ese-sandbox/logs/run.googleapis.com%2Fstderr',
  resource: {
    type: 'cloud_run_revision',
    labels: { service_name: 'genai-adk-python', location: 'us-central1', project_id: 'datadog-ese-sandbox' },
  },
  severity: 'ERROR',
  timestamp: '2026-01-02T16:14:47.120Z',
  textPayload:
    "google.genai.errors.ClientError: 403 PERMISSION_DENIED. {'error': {'code': 403, 'message': \"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-ese-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist).\", 'status': 'PERMISSION_DENIED'}}",
});
/** The start of a Datadog JSON line whose message is made as long as wanted. */
const LONG_START = '{"status":"error","service":"genai-adk-python","message":"403 PERMISSION_DENIED ';

/** Writes `parts()` to `path` (through gzip when asked), once: files are reused between runs. */
async function ensure(path: string, parts: () => Iterable<Buffer | string>, gzip = false): Promise<string> {
  if (existsSync(path)) return path;
  const tmp = `${path}.part`;
  const file = createWriteStream(tmp);
  const out = gzip ? createGzip({ level: 6 }) : file;
  if (gzip) out.pipe(file);
  for (const p of parts()) if (!out.write(p)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve) => {
    file.once('close', () => resolve());
    out.end();
  });
  renameSync(tmp, path);
  return path;
}

/** `bytes` of `fill` (rounded down to whole copies of it), in pieces of about 1 MB. */
function* repeat(fill: string, bytes: number): Generator<Buffer> {
  const size = Math.floor(MB / fill.length) * fill.length;
  const piece = Buffer.alloc(size, fill);
  const total = bytes - (bytes % fill.length);
  for (let left = total; left > 0; left -= size) yield left >= size ? piece : piece.subarray(0, left);
}

interface CliRow {
  shape: string;
  bytes: number;
  seconds: number;
  cpu: number;
  rssMb: number;
  exit: number | null;
  note: string;
}

function runLogs(shape: string, path: string, bytes: number): CliRow {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', 'node', 'dist/cli/main.js', 'logs', path, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  const cpu =
    Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0);
  let note = '';
  try {
    const stats = (
      JSON.parse(r.stdout) as { stats: { failures: number; oversized: number; oversizedLines: number[] } }
    ).stats;
    note = `${stats.failures} failures, ${stats.oversized} oversized${stats.oversized ? ` (lines ${stats.oversizedLines.join(', ')})` : ''}`;
  } catch {
    note = (r.stderr.split('\n').find((l) => l.startsWith('genai-doctor:')) ?? '').slice(0, 90);
  }
  return { shape, bytes, seconds, cpu, rssMb: rss, exit: r.status, note };
}

const cliRows: CliRow[] = [];
process.stdout.write('genai-doctor logs FILE --format json, by line shape (files in bench/.data/shapes):\n');
const cliRow = (row: CliRow) => {
  cliRows.push(row);
  process.stdout.write(
    `  ${row.shape.padEnd(34)} ${(row.bytes / MB).toFixed(0).padStart(5)} MB ${row.seconds.toFixed(2).padStart(6)} s ${(row.bytes / MB / row.seconds).toFixed(0).padStart(5)} MB/s  CPU ${row.cpu.toFixed(2).padStart(5)} s  peak RSS ${row.rssMb.toFixed(0).padStart(4)} MB  exit ${row.exit}  ${row.note}\n`,
  );
};
for (const mb of [4, 8, 16, 32, 64]) {
  const path = await ensure(join(dir, `one-line-${mb}M.jsonl`), function* () {
    yield `${FAILURE}\n${LONG_START}`;
    yield* repeat('x', mb * MB);
    yield `"}\n${FAILURE}\n`;
  });
  cliRow(runLogs(`one JSON line of ${mb} MB`, path, statSync(path).size));
}
for (const mb of [64, 128, 256]) {
  const path = await ensure(join(dir, `blank-lines-${mb}M.jsonl`), function* () {
    yield* repeat('\n', mb * MB);
    yield `${FAILURE}\n`;
  });
  cliRow(runLogs(`${mb} MB of blank lines, one record`, path, statSync(path).size));
}
for (const mb of [32, 64]) {
  const path = await ensure(join(dir, `short-lines-${mb}M.jsonl`), function* () {
    yield* repeat('{}\n', mb * MB);
    yield `${FAILURE}\n`;
  });
  cliRow(runLogs(`${mb} MB of {} lines, one failure`, path, statSync(path).size));
}
const g = big / MB;
const zeros = await ensure(join(dir, `zeros-${g}M.gz`), () => repeat('\0', big), true);
cliRow(runLogs(`gzip of ${g} MB of zeros (${(statSync(zeros).size / 1024).toFixed(0)} kB)`, zeros, big));
const oneTextLine = await ensure(join(dir, `one-text-line-${g}M.gz`), () => repeat('a', big), true);
cliRow(runLogs(`gzip of one ${g} MB text line`, oneTextLine, big));
const oneDoc = await ensure(join(dir, `one-json-document-${g}M.json`), function* () {
  yield '{"severity":"ERROR","message":"';
  yield* repeat('e', big);
  yield '"}';
});
cliRow(runLogs(`one ${g} MB JSON document line`, oneDoc, statSync(oneDoc).size));

// --- the console ---------------------------------------------------------------------------

const serve = spawn('node', ['dist/cli/main.js', 'serve', '--port', '0', '--no-sandbox'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (d) => {
    out += d;
    const m = /genai-doctor console: (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1] as string);
  });
  serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const base = new URL(url);

interface Answer {
  status: number;
  seconds: number;
  body: string;
}

/** POSTs a body to /api/logs (chunked when `chunked`, else with Content-Length). */
function upload(
  body: Buffer | (() => Iterable<Buffer>),
  name = 'upload',
): Promise<Answer & { sent: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request({
      host: base.hostname,
      port: base.port,
      path: `/api/logs?name=${name}`,
      method: 'POST',
      agent: false,
      headers: Buffer.isBuffer(body) ? { 'content-length': body.length } : {},
    });
    let sent = 0;
    let answered = false;
    req.on('error', (err) => (answered ? undefined : reject(err)));
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          seconds: Number(process.hrtime.bigint() - t0) / 1e9,
          body: text,
          sent,
        });
        req.destroy();
      });
    });
    if (Buffer.isBuffer(body)) {
      sent = body.length;
      req.end(body);
      return;
    }
    const it = body()[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (answered) return;
        const n = it.next();
        if (n.done) return void req.end();
        sent += n.value.length;
        if (!req.write(n.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/**
 * A chunked upload of `mb` MB that keeps sending until the answer's first bytes arrive, on a raw
 * socket (as curl does: it reads while it sends): the status line and how much was sent by then.
 */
function chunkedOverLimit(mb: number): Promise<{ status: string; seconds: number; sent: number }> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const socket = connect(Number(base.port), base.hostname);
    let sent = 0;
    let answer = '';
    const done = (status: string) => {
      resolve({ status, seconds: Number(process.hrtime.bigint() - t0) / 1e9, sent });
      socket.destroy();
    };
    socket.on('data', (d) => {
      answer += d;
      const status = /^HTTP\/1\.1 (\d+ [^\r]*)\r\n/.exec(answer)?.[1];
      if (status) done(`HTTP ${status}`);
    });
    socket.on('error', (err) => done(`connection error ${(err as NodeJS.ErrnoException).code}`));
    const chunk = Buffer.concat([
      Buffer.from(`${MB.toString(16)}\r\n`),
      Buffer.alloc(MB, 'b'),
      Buffer.from('\r\n'),
    ]);
    socket.write(
      `POST /api/logs HTTP/1.1\r\nHost: ${base.host}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const pump = () => {
      while (sent < mb * MB && !socket.destroyed) {
        sent += MB;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (!socket.destroyed) socket.write('0\r\n\r\n');
    };
    pump();
  });
}

/** GET /favicon.ico every 20 ms until `until` settles: answer times in ms. */
async function probeDuring(until: Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    const t0 = process.hrtime.bigint();
    await fetch(new URL('/favicon.ico', base));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 20));
  }
  return times;
}

const probeSummary = (t: number[]) => {
  const sorted = [...t].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `probe: ${t.length} answers, median ${median.toFixed(0)} ms, worst ${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms`;
};

const consoleRow = async (label: string, body: Buffer) => {
  const answer = upload(body);
  const probes = await probeDuring(answer);
  const a = await answer;
  let note = '';
  try {
    const parsed = JSON.parse(a.body) as {
      stats?: { failures: number; oversized: number; oversizedLines: number[] };
      error?: { code: string };
    };
    note = parsed.stats
      ? `${parsed.stats.failures} failures, ${parsed.stats.oversized} oversized`
      : (parsed.error?.code ?? '');
  } catch {
    note = a.body.slice(0, 60);
  }
  process.stdout.write(
    `  ${label.padEnd(34)} ${(body.length / MB).toFixed(1).padStart(6)} MB ${a.seconds.toFixed(2).padStart(6)} s  HTTP ${a.status}  ${note}; ${probeSummary(probes)}\n`,
  );
};

process.stdout.write(
  `\nconsole (${url}, 50 MB upload limit), POST /api/logs while probing GET /favicon.ico:\n`,
);
for (const mb of [8, 16, 32, 45]) {
  const body = Buffer.concat([
    Buffer.from(`${FAILURE}\n${LONG_START}`),
    Buffer.alloc(mb * MB, 'x'),
    Buffer.from(`"}\n${FAILURE}\n`),
  ]);
  await consoleRow(`one JSON line of ${mb} MB`, body);
}
const bench1g = join('bench', '.data', 'logs-1000000000.jsonl');
if (existsSync(bench1g)) {
  const head = readFileSync(bench1g).subarray(0, 50 * 1000 * 1000);
  await consoleRow('50 MB export (bench:logs file head)', head.subarray(0, head.lastIndexOf(0x0a) + 1));
}
const bomb = gzipSync(Buffer.alloc(75 * MB, 'a'));
await consoleRow(`gzip bomb (${(bomb.length / 1024).toFixed(0)} kB -> 75 MB one line)`, bomb);
const over = await chunkedOverLimit(200);
process.stdout.write(
  `  chunked upload over the limit: ${over.status} after ${over.seconds.toFixed(2)} s, ${(over.sent / MB).toFixed(0)} MB sent of 200 MB\n`,
);
serve.kill('SIGTERM');

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const line = cliRows.filter((r) => r.shape.startsWith('one JSON line'));
const first = line[0];
const last = line[line.length - 1];
if (first && last) {
  process.stdout.write(
    `\nlinearity: one JSON line ${(first.bytes / MB).toFixed(0)} -> ${(last.bytes / MB).toFixed(0)} MB (${(last.bytes / first.bytes).toFixed(0)}x the bytes) took ${(last.seconds / first.seconds).toFixed(1)}x the time, ${(last.cpu / first.cpu).toFixed(1)}x the CPU (Node's start-up included); load average ${load}\n`,
  );
}
