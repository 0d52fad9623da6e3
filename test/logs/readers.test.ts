import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { LogRecord } from '../../src/core/incidents/model.js';
import { inputChunks } from '../../src/logs/input.js';
import { readFailures, sniffFormat } from '../../src/logs/read.js';
import { toFailureRecord } from '../../src/logs/records.js';
import { chunked, datadogPage, LogGenerator, readAll, SEED, SEED_TIME, seedIncident } from './fixtures.js';

const lines = (objs: object[]) => Buffer.from(`${objs.map((o) => JSON.stringify(o)).join('\n')}\n`);

describe('Datadog exports', () => {
  it('reads a Logs API v2 page (pretty-printed JSON document), whatever the chunking', async () => {
    const { events } = seedIncident(4, 0);
    const g = new LogGenerator({ seed: 1, failureRate: 0 });
    const page = datadogPage(
      [g.record('datadog-api'), ...events, g.record('datadog-api')],
      'eyJhZnRlciI6IkFRQUFBWE',
    );
    const buf = Buffer.from(JSON.stringify(page, null, 2));
    assert.equal(sniffFormat(buf), 'json');
    for (const size of [7, 64, 1 << 20]) {
      const { failures, result } = await readAll(buf, size);
      assert.equal(result.format, 'json');
      assert.equal(result.records, 6);
      assert.equal(failures.length, 4, `chunk size ${size}`);
      const first = failures[0]!;
      assert.equal(first.source, 'datadog');
      assert.equal(first.service, SEED.service);
      assert.equal(first.traceId, SEED.traceId);
      assert.equal(first.time, SEED_TIME);
      assert.equal(first.runtimeProject, SEED.runtimeProject);
      assert.equal(first.runtime, 'cloud-run');
      assert.match(first.id ?? '', /^AQAAA/);
      assert.match(first.text, /Permission 'aiplatform\.endpoints\.predict' denied/);
    }
  });

  it('reads the JSON lines a Datadog-instrumented service writes (the UI export)', async () => {
    const g = new LogGenerator({ seed: 2, failureRate: 0.2 });
    const objs = Array.from({ length: 200 }, () => g.record('datadog-raw'));
    const expected = objs.filter((o) => (o as { status: string }).status === 'error').length;
    assert.ok(expected > 10);
    const { failures, result } = await readAll(lines(objs), 333);
    assert.equal(result.format, 'jsonl');
    assert.equal(result.records, 200);
    assert.equal(failures.length, expected);
    assert.ok(failures.every((f) => f.traceId && f.service === SEED.service && f.line));
  });

  it('reads a Datadog CSV export with quoted multi-line messages', async () => {
    const csv = [
      'Date,Host,Service,Status,Message',
      '2026-01-02T16:14:47.000Z,genai-adk-python-00042-x7k,genai-adk-python,error,"403 PERMISSION_DENIED. {""error"": {""code"": 403}}',
      "Permission 'aiplatform.endpoints.predict' denied\"",
      '2026-01-02T16:14:48.000Z,genai-adk-python-00042-x7k,genai-adk-python,info,Image generation completed',
      '2026-01-02T16:14:49.000Z,h,genai-adk-python,error,"unterminated',
    ].join('\n');
    const { failures, result } = await readAll(Buffer.from(csv));
    assert.equal(result.format, 'csv');
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.text, /\nPermission 'aiplatform/);
    assert.equal(failures[0]!.line, 2);
    assert.deepEqual(result.malformedLines, [{ line: 5, reason: 'unterminated quoted field' }]);
  });
});

describe('Cloud Logging exports', () => {
  it('reads LogEntry lines and Cloud Audit Logs; the audit entry names principal and permission', async () => {
    const g = new LogGenerator({ seed: 3, failureRate: 1 });
    const app = g.record('cloud-logging');
    const { audits } = seedIncident(0, 1);
    const ok = new LogGenerator({ seed: 4, failureRate: 0 }).record('audit');
    const { failures } = await readAll(lines([app, audits[0]!, ok]));
    assert.equal(failures.length, 2);
    const [a, audit] = failures;
    assert.equal(a!.source, 'cloud-logging');
    assert.equal(a!.service, SEED.service);
    assert.equal(a!.runtime, 'cloud-run');
    assert.equal(a!.runtimeLocation, SEED.region);
    assert.match(a!.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(audit!.source, 'cloud-audit');
    assert.equal(audit!.principal, SEED.principal);
    assert.equal(audit!.permission, 'aiplatform.endpoints.predict');
    assert.equal(audit!.runtimeProject, SEED.targetProject);
    assert.match(audit!.text, /^403 PERMISSION_DENIED: /);
    assert.equal(audit!.line, 2);
  });

  it('takes the denied permission from authorizationInfo when the status message omits it', () => {
    const r = toFailureRecord({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        status: { code: 7, message: 'PERMISSION_DENIED' },
        authenticationInfo: { principalEmail: 'runner@p.iam.gserviceaccount.com' },
        authorizationInfo: [
          {
            resource: 'projects/p/locations/us-central1',
            permission: 'aiplatform.endpoints.predict',
            granted: false,
          },
        ],
        serviceName: 'aiplatform.googleapis.com',
        methodName: 'google.cloud.aiplatform.v1.PredictionService.Predict',
      },
      resource: { type: 'audited_resource', labels: { project_id: 'p' } },
      severity: 'ERROR',
      timestamp: '2026-01-02T16:14:47.123456789Z',
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access',
    });
    assert.ok(r);
    assert.equal(r.permission, 'aiplatform.endpoints.predict');
    assert.match(
      r.text,
      /Permission 'aiplatform\.endpoints\.predict' denied on resource 'projects\/p\/locations\/us-central1'/,
    );
    assert.equal(r.time, Date.parse('2026-01-02T16:14:47.123Z'));
  });

  it('reads an entries.list response and a `gcloud logging read --format=json` array', async () => {
    const g = new LogGenerator({ seed: 6, failureRate: 0.5 });
    const entries = Array.from({ length: 40 }, () => g.record('cloud-logging'));
    const expected = entries.filter((e) => (e as { severity: string }).severity === 'ERROR').length;
    const array = await readAll(Buffer.from(JSON.stringify(entries, null, 1)), 50);
    assert.equal(array.result.format, 'json');
    assert.equal(array.failures.length, expected);
    const page = await readAll(Buffer.from(JSON.stringify({ entries, nextPageToken: 'x' }, null, 2)), 101);
    assert.equal(page.failures.length, expected);
  });
});

describe('text logs, gzip and malformed input', () => {
  it('reads plain text lines, with ddtrace log-injection fields', async () => {
    const text = [
      '2026-01-02 16:14:46,901 INFO [dd.service=genai-adk-python dd.env=prod dd.trace_id=0 dd.span_id=0] Prompt accepted',
      `2026-01-02 16:14:47,120 ERROR [dd.service=genai-adk-python dd.env=prod dd.version=1.4.2 dd.trace_id=${SEED.traceId} dd.span_id=11] google.api_core.exceptions.PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist).`,
      '',
      '2026-01-02 16:14:48,002 INFO [dd.service=genai-adk-python dd.env=prod dd.trace_id=0 dd.span_id=0] all good',
    ].join('\n');
    const { failures, result } = await readAll(Buffer.from(text));
    assert.equal(result.format, 'text');
    assert.equal(result.records, 3);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.traceId, SEED.traceId);
    assert.equal(failures[0]!.service, 'genai-adk-python');
    assert.equal(failures[0]!.line, 2);
    assert.equal(failures[0]!.time, Date.parse('2026-01-02T16:14:47.120Z'));
  });

  it('joins a Python traceback to the log line above it: one failure, with time, trace id and cause', async () => {
    const text = [
      '2026-01-02 16:14:46,901 INFO [dd.service=genai-adk-python dd.trace_id=0 dd.span_id=0] Prompt accepted',
      `2026-01-02 16:14:47,120 ERROR [dd.service=genai-adk-python dd.env=prod dd.trace_id=${SEED.traceId} dd.span_id=11] app.services.image_generation: Image generation failed`,
      'Traceback (most recent call last):',
      '  File "/usr/local/lib/python3.12/site-packages/google/api_core/grpc_helpers.py", line 76, in error_remapped_callable',
      '    return callable_(*args, **kwargs)',
      'grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:',
      '\tstatus = StatusCode.PERMISSION_DENIED',
      `\tdetails = "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist)."`,
      '>',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/app/services/image_generation.py", line 88, in generate',
      '    response = await self.client.aio.models.generate_content(model=self.model, contents=prompt)',
      `google.api_core.exceptions.PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist). [reason: "IAM_PERMISSION_DENIED"]`,
      '2026-01-02 16:14:47,300 INFO [dd.service=genai-adk-python dd.trace_id=0 dd.span_id=0] 127.0.0.1 - "POST /api/v1/images/generate HTTP/1.1" 500',
    ].join('\n');
    const { failures, result } = await readAll(Buffer.from(text));
    assert.equal(result.format, 'text');
    assert.equal(result.records, 3, 'three entries, not 18 lines');
    assert.equal(failures.length, 1);
    const f = failures[0]!;
    assert.equal(f.line, 2);
    assert.equal(f.traceId, SEED.traceId);
    assert.equal(f.time, Date.parse('2026-01-02T16:14:47.120Z'));
    assert.match(f.text, /^2026-01-02 16:14:47,120 ERROR/);
    assert.match(f.text, /PermissionDenied: 403 Permission 'aiplatform\.endpoints\.predict' denied/);

    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { analyzeFile } = await import('../../src/logs/analyze.js');
    const { coreEngine } = await import('../../src/logs/engine.js');
    const path = join(mkdtempSync(join(tmpdir(), 'genai-doctor-text-')), 'app.log');
    writeFileSync(path, text);
    const analysis = await analyzeFile(path, {
      engine: coreEngine,
      context: { project: 'datadog-ese-sandbox' },
    });
    assert.equal(analysis.incidents.length, 1);
    const incident = analysis.incidents[0]!;
    assert.equal(
      incident.code,
      1150,
      'the request names datadog-sandbox, the service runs in datadog-ese-sandbox',
    );
    assert.equal(incident.permission, 'aiplatform.endpoints.predict');
    assert.equal(incident.model, 'gemini-3-pro-image-preview');
    assert.deepEqual(incident.traceIds, [SEED.traceId]);
    assert.deepEqual(incident.lines, [2]);
  });

  it('joins Java stack traces and their "Caused by" chain; logs without timestamps stay one entry per line', async () => {
    const java = [
      '2026-01-02T16:14:47.120Z ERROR 1 --- [nio-8080-exec-3] c.e.images.ImageController : generation failed',
      'com.google.api.gax.rpc.PermissionDeniedException: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission denied on resource project datadog-sandbox.',
      '\tat com.google.api.gax.rpc.ApiExceptionFactory.createException(ApiExceptionFactory.java:55)',
      '\tat com.google.cloud.vertexai.generativeai.GenerativeModel.generateContent(GenerativeModel.java:390)',
      'Caused by: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission denied on resource project datadog-sandbox.',
      '\tat io.grpc.Status.asRuntimeException(Status.java:533)',
      '\t... 48 more',
      '2026-01-02T16:14:48.000Z INFO 1 --- [nio-8080-exec-4] c.e.images.ImageController : ok',
    ].join('\n');
    const a = await readAll(Buffer.from(java));
    assert.equal(a.result.records, 2);
    assert.equal(a.failures.length, 1);
    assert.match(a.failures[0]!.text, /Caused by: io\.grpc\.StatusRuntimeException/);

    // No line starts with a timestamp or a level: nothing to join by, every line is an entry.
    const bare = [
      'request failed: 403 PERMISSION_DENIED',
      'retrying',
      'request failed: 429 RESOURCE_EXHAUSTED',
    ].join('\n');
    const b = await readAll(Buffer.from(bare));
    assert.equal(b.result.records, 3);
    assert.deepEqual(
      b.failures.map((f) => f.line),
      [1, 3],
    );
  });

  it('keeps an endless entry bounded in memory', async () => {
    const { MAX_ENTRY_CHARS } = await import('../../src/logs/text-entries.js');
    const rows = ['2026-01-02T16:14:47.120Z ERROR request failed: 403 PERMISSION_DENIED'];
    for (let i = 0; i < 50_000; i++) rows.push(`\tat frame${i}(Generated.java:${i})`);
    rows.push('2026-01-02T16:14:48.000Z INFO next');
    const { failures, result } = await readAll(Buffer.from(rows.join('\n')), 4096);
    assert.equal(result.records, 2);
    assert.equal(failures.length, 1);
    assert.ok(failures[0]!.text.length <= MAX_ENTRY_CHARS, `${failures[0]!.text.length} chars kept`);
  });

  it('gunzips input by its magic bytes and reads the same records', async () => {
    const g = new LogGenerator({ seed: 8, failureRate: 0.1 });
    const plain = lines(
      Array.from({ length: 300 }, (_, i) => g.record(i % 2 ? 'datadog-api' : 'cloud-logging')),
    );
    const a = await readAll(plain, 4096);
    const failures: unknown[] = [];
    const { readFailures } = await import('../../src/logs/read.js');
    const result = await readFailures(inputChunks(chunked(gzipSync(plain), 1000) as never), {
      failure: (r) => failures.push(r),
    });
    assert.equal(result.bytes, plain.length);
    assert.equal(result.records, 300);
    assert.deepEqual(failures, a.failures);
  });

  it('counts malformed lines with their numbers and keeps going', async () => {
    const g = new LogGenerator({ seed: 9, failureRate: 1 });
    const good = JSON.stringify(g.record('datadog-api'));
    const body = [
      good,
      '{"id":"AQAAAZ","type":"log","attributes":{"status":"error","message":"ERROR cut', // truncated
      'not json at all',
      good,
      '{"status":"error","message":"ERROR here" ,}', // passes the byte check, fails JSON.parse
      good,
    ].join('\r\n');
    const { failures, result } = await readAll(Buffer.from(body), 16);
    assert.equal(result.format, 'jsonl');
    assert.equal(failures.length, 3);
    assert.deepEqual(
      result.malformedLines.map((m) => m.line),
      [2, 3, 5],
    );
    assert.equal(result.malformed, 3);
    assert.match(result.malformedLines[2]!.reason, /^invalid JSON/);
  });

  it('reports a truncated JSON document instead of failing', async () => {
    const { events } = seedIncident(3, 0);
    const text = JSON.stringify(datadogPage(events), null, 2);
    const { failures, result } = await readAll(Buffer.from(text.slice(0, text.length - 200)));
    assert.equal(failures.length, 2);
    assert.equal(result.malformed, 1);
    assert.equal(result.malformedLines[0]!.reason, 'truncated JSON document');
  });
});

describe('records over the cap and inputs that are not logs', () => {
  const cap = 4096;
  const readCapped = async (buf: Buffer, chunkSize: number) => {
    const failures: LogRecord[] = [];
    const result = await readFailures(
      chunked(buf, chunkSize),
      { failure: (r) => failures.push(r) },
      { maxRecordBytes: cap },
    );
    return { failures, result };
  };
  const seedLine = () => JSON.stringify(seedIncident(1, 0).events[0]);
  const huge = `{"status":"error","message":"PERMISSION_DENIED ${'x'.repeat(3 * cap)}"}`;

  it('skips an oversized JSON line, JSON element, text line and CSV record with its line number', async () => {
    const g = new LogGenerator({ seed: 30, failureRate: 0 });
    const shapes: Array<[string, Buffer, number[]]> = [
      ['jsonl', Buffer.from([seedLine(), huge, seedLine()].join('\n')), [2]],
      [
        'json',
        Buffer.from(
          JSON.stringify(
            datadogPage([
              seedIncident(1, 0).events[0]!,
              { attributes: { message: huge } },
              g.record('datadog-api'),
              seedIncident(1, 0).events[0]!,
            ]),
            null,
            2,
          ),
        ),
        [],
      ],
      [
        'text',
        Buffer.from(
          [
            '2026-01-02T16:14:47.120Z ERROR 403 PERMISSION_DENIED first',
            `2026-01-02T16:14:48.120Z ERROR 403 PERMISSION_DENIED ${'y'.repeat(3 * cap)}`,
            '2026-01-02T16:14:49.120Z ERROR 403 PERMISSION_DENIED third',
          ].join('\n'),
        ),
        [2],
      ],
      [
        'csv',
        Buffer.from(
          [
            'Date,Host,Service,Status,Message',
            '2026-01-02T16:14:47.000Z,h,genai-adk-python,error,403 PERMISSION_DENIED one',
            `2026-01-02T16:14:48.000Z,h,genai-adk-python,error,"403 PERMISSION_DENIED\n${'z'.repeat(3 * cap)}"`,
            '2026-01-02T16:14:49.000Z,h,genai-adk-python,error,403 PERMISSION_DENIED three',
          ].join('\n'),
        ),
        [3],
      ],
    ];
    for (const [format, buf, lines] of shapes) {
      for (const size of [100, 1 << 20]) {
        const { failures, result } = await readCapped(buf, size);
        const how = `${format}, chunks of ${size}`;
        assert.equal(result.format, format, how);
        assert.equal(result.oversized, 1, how);
        assert.equal(result.maxRecordBytes, cap, how);
        assert.equal(failures.length, 2, how);
        // The JSON element starts on the line its object opens on; the others are known.
        if (lines.length) assert.deepEqual(result.oversizedLines, lines, how);
        else assert.equal(result.oversizedLines.length, 1, how);
        assert.equal(result.malformed, 0, how);
      }
    }
  });

  it('reads one JSON document that is a single line far over the cap without building it', async () => {
    const { failures, result } = await readCapped(Buffer.from(`{"message":"${'e'.repeat(50 * cap)}"}`), 1000);
    assert.equal(result.format, 'json');
    assert.equal(result.records, 1);
    assert.deepEqual(result.oversizedLines, [1]);
    assert.equal(failures.length, 0);
  });

  it('refuses binary data and empty or blank input with a LogInputError naming the input', async () => {
    const read = (buf: Buffer) =>
      readFailures(chunked(buf, 1000), { failure: () => {} }, { name: 'standard input' });
    await assert.rejects(read(Buffer.alloc(0)), {
      name: 'LogInputError',
      message: /^standard input is empty/,
    });
    await assert.rejects(read(Buffer.from('\n\n  \n')), {
      name: 'LogInputError',
      message: /^standard input holds no log records/,
    });
    // A gzip of zeros unpacks to NUL bytes: refused at its first chunk, not read to the end.
    await assert.rejects(read(Buffer.alloc(5000)), {
      name: 'LogInputError',
      message: /^standard input is not a log: it holds binary data/,
    });
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    await assert.rejects(read(png), { message: /binary data/ });
  });
});

/** `n` generated records, Datadog and Cloud Logging in turn, as JSON-lines rows. */
function generatedRows(seed: number, failureRate: number, n: number): string[] {
  const g = new LogGenerator({ seed, failureRate });
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify(g.record(i % 2 ? 'datadog-api' : 'cloud-logging')),
  );
}

/** A fresh temporary directory under the OS's. */
function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `genai-doctor-${prefix}-`));
}

/** The file as the streaming reader sees it, and as `workers` scan workers see it. */
async function serialAndParallel(path: string, workers: number) {
  const { analyzeFile } = await import('../../src/logs/analyze.js');
  const { coreEngine } = await import('../../src/logs/engine.js');
  const serial = await analyzeFile(path, { engine: coreEngine, workers: 1 });
  const parallel = await analyzeFile(path, { engine: coreEngine, workers, parallelMinBytes: 1 });
  return { serial, parallel };
}

describe('parallel scan of large JSON-lines files', () => {
  it('finds the same failures, counts and line numbers as the streaming reader', async () => {
    const { analyzeFile } = await import('../../src/logs/analyze.js');
    const { coreEngine } = await import('../../src/logs/engine.js');
    const rows = generatedRows(12, 0.05, 3000);
    rows.splice(1234, 0, '{"status":"error","message":"ERROR cut'); // line 1235
    rows.splice(2500, 0, 'garbage'); // line 2501
    rows.splice(2800, 0, ''); // a blank line still counts as a line
    const path = join(tempDir('par'), 'big.jsonl');
    writeFileSync(path, `${rows.join('\n')}\n`);
    const { serial, parallel } = await serialAndParallel(path, 3);
    assert.deepEqual(parallel.stats, serial.stats);
    assert.deepEqual(
      serial.stats.malformedLines.map((m) => m.line),
      [1235, 2501],
    );
    // The same report, examples and representative records included, whatever order the three
    // workers delivered in; example line numbers are real ones.
    assert.deepEqual(parallel.incidents, serial.incidents);
    const failing = new Set(serial.incidents.flatMap((i) => i.lines));
    for (const l of failing) assert.ok(l >= 1 && l <= 3003, `line ${l}`);
    assert.ok(failing.size > 0);

    // The engine may still be loading when the workers start: their records wait, nothing is lost.
    const late = new Promise<typeof coreEngine>((resolve) => setTimeout(() => resolve(coreEngine), 300));
    const early = await analyzeFile(path, { engine: late, workers: 3, parallelMinBytes: 1 });
    assert.deepEqual(early, { ...parallel });
  });
});

describe('parallel scan of a file dense with failures', () => {
  it('posts candidates in many batches, none cut or shifted at a batch boundary', async () => {
    // Every other record fails: ~2,000 candidates, several batches of 256 from each of two workers.
    const path = join(tempDir('dense'), 'dense.jsonl');
    writeFileSync(path, `${generatedRows(5, 0.5, 4000).join('\n')}\n`);
    const { serial, parallel } = await serialAndParallel(path, 2);
    assert.ok(serial.stats.candidates > 4 * 256, `${serial.stats.candidates} candidates`);
    assert.equal(parallel.stats.malformed, 0);
    assert.deepEqual(parallel, serial);
  });
});

describe('scan workers started while the CLI loads', () => {
  it('start for a large uncompressed file only, and the scan of that file takes them', async () => {
    const pool = await import('../../src/logs/scan-pool.js');
    const { analyzeFile } = await import('../../src/logs/analyze.js');
    const { coreEngine } = await import('../../src/logs/engine.js');
    const dir = tempDir('pool');
    const small = join(dir, 'small.jsonl');
    writeFileSync(small, '{"status":"error","message":"403 PERMISSION_DENIED"}\n');
    // A large gzip file: only its first two bytes are ever read here.
    const gz = join(dir, 'big.jsonl.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b]));
    truncateSync(gz, pool.PARALLEL_MIN_BYTES);
    const g = new LogGenerator({ seed: 7, failureRate: 0.01 });
    const block = `${Array.from({ length: 2000 }, () => JSON.stringify(g.record('datadog-api'))).join('\n')}\n`;
    const big = join(dir, 'big.jsonl');
    writeFileSync(big, block.repeat(Math.ceil(pool.PARALLEL_MIN_BYTES / Buffer.byteLength(block))));

    pool.prestartForFiles([small, '--format', 'json', gz, join(dir, 'missing.jsonl')]);
    assert.equal(pool.idleScanWorkers(), 0, 'small, compressed and missing files start nothing');
    pool.prestartForFiles(['-f', 'json', big]);
    assert.equal(pool.idleScanWorkers(), pool.readerCount());
    pool.prestartForFiles([big]);
    assert.equal(pool.idleScanWorkers(), pool.readerCount(), 'asked twice, started once');

    const early = await analyzeFile(big, { engine: coreEngine });
    assert.equal(pool.idleScanWorkers(), 0, 'the scan took the workers');
    const serial = await analyzeFile(big, { engine: coreEngine, parallelMinBytes: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(early, serial);

    // Started for a file that turns out to be read on this thread: stopped, not leaked.
    pool.prestartForFiles([big]);
    await analyzeFile(big, { engine: coreEngine, parallelMinBytes: Number.MAX_SAFE_INTEGER });
    assert.equal(pool.idleScanWorkers(), 0);
  });
});
