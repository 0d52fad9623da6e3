/**
 * The `logs`, `report` and `monitors` commands as a user runs them: real child processes, the
 * Datadog API client (src/datadog/api.ts) and google-auth-library talking to the local Datadog and Cloud Logging
 * stand-ins over HTTP.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { LogAnalysis } from '../../src/core/incidents/model.js';
import { startCloudLoggingApi } from '../../src/sandbox/cloud-logging-api.js';
import { startDatadogApi } from '../../src/sandbox/datadog-api.js';
import { datadogPage, LogGenerator, SEED, seedIncident } from './fixtures.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'genai-doctor-logs-'));

/** An export like the seed's: background traffic, the seed incident, its audit entries, one broken line. */
function writeExport(): string {
  const g = new LogGenerator({ seed: 21, failureRate: 0.02 });
  const { events, audits } = seedIncident(12, 3);
  const lines = [
    ...Array.from({ length: 300 }, (_, i) =>
      JSON.stringify(g.record(i % 3 === 0 ? 'cloud-logging' : 'datadog-api')),
    ),
    ...events.map((e) => JSON.stringify(e)),
    '{"id":"AQAAAZ","type":"log","attributes":{"status":"error","message":"ERROR cut',
    ...audits.map((e) => JSON.stringify(e)),
  ];
  const path = join(dir, 'export.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('genai-doctor logs / report (files)', () => {
  const file = writeExport();

  it('groups a JSON-lines export into incidents (exit 1: failures found)', async () => {
    const r = await cli(['logs', file, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const a = JSON.parse(r.stdout) as LogAnalysis;
    assert.equal(a.stats.records, 316);
    assert.equal(a.stats.malformed, 1);
    assert.deepEqual(a.stats.malformedLines, [{ line: 313, reason: 'truncated JSON object' }]);
    const seed = a.incidents.find((i) => i.traceIds.includes(SEED.traceId));
    assert.ok(seed, 'the seed incident is found');
    assert.ok(seed.count >= 12);
    assert.equal(seed.principal, SEED.principal);
    assert.equal(seed.model, SEED.model);
    assert.ok(a.incidents.length > 5, 'background failures of other causes form their own incidents');
  });

  it('reads gzip from stdin the same as the file', async () => {
    const plain = await cli(['logs', file, '--format', 'json']);
    const piped = await cli(['logs', '-', '--format', 'json'], {}, gzipSync(readFileSync(file)));
    const strip = (s: string) => ({ ...(JSON.parse(s) as LogAnalysis), input: '' });
    assert.deepEqual(strip(piped.stdout), strip(plain.stdout));
  });

  it('writes the Markdown and HTML runbook of an incident', async () => {
    const out = join(dir, 'incident.html');
    const md = await cli(['report', file]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# .*gemini-3-pro-image-preview in genai-adk-python/);
    assert.ok(md.stdout.includes(SEED.traceId));
    const html = await cli(['report', file, '--format', 'html', '-o', out]);
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /<svg [^>]*role="img"/);
  });

  it('exits 2 with one clear line on bad input', async () => {
    const missing = await cli(['logs', join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `genai-doctor: cannot read ${join(dir, 'nope.jsonl')}: no such file`);
    const none = await cli(['logs']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name a log file/);
    const format = await cli(['logs', file, '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(
      await cli(['report', file, '--incident', '99']).then((r) => `${r.code} ${r.stderr}`),
      /^2 genai-doctor: --incident 99/,
    );
    const noKeys = await cli(['logs', '--datadog', 'service:x'], { DD_API_KEY: '', DD_APP_KEY: '' });
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /DD_API_KEY/);
    const noService = await cli(['monitors']);
    assert.equal(noService.code, 2);
  });

  it('reads a large export with the workers it started before loading, as a small one is read', async () => {
    const { PARALLEL_MIN_BYTES } = await import('../../src/logs/scan-pool.js');
    const small = readFileSync(file, 'utf8');
    const copies = Math.ceil(PARALLEL_MIN_BYTES / Buffer.byteLength(small));
    const big = join(dir, 'large-export.jsonl');
    writeFileSync(big, small.repeat(copies));
    const one = JSON.parse((await cli(['logs', file, '-f', 'json'])).stdout) as LogAnalysis;
    const r = await cli(['logs', big, '-f', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const many = JSON.parse(r.stdout) as LogAnalysis;
    assert.equal(many.stats.records, one.stats.records * copies);
    assert.equal(many.stats.failures, one.stats.failures * copies);
    assert.equal(many.stats.malformed, copies);
    assert.deepEqual(
      many.incidents.map((i) => [i.cause, i.count]),
      one.incidents.map((i) => [i.cause, i.count * copies]),
    );
  });

  it('exits 2 at once on a usage error about a large file, though its scan workers had started', async () => {
    const { truncateSync } = await import('node:fs');
    const { PARALLEL_MIN_BYTES } = await import('../../src/logs/scan-pool.js');
    const big = join(dir, 'large.jsonl');
    writeFileSync(big, `${readFileSync(file, 'utf8')}`);
    truncateSync(big, PARALLEL_MIN_BYTES);
    const started = Date.now();
    const r = await cli(['logs', big, '--format', 'xml']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'genai-doctor: --format must be text, json or md, got "xml"');
    // An idle worker keeps nothing alive: no wait for a scan nobody asked for.
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });

  it('exits 2 with one line on a binary file, empty stdin, and report -o into a missing directory', async () => {
    const binary = join(dir, 'image.png');
    writeFileSync(
      binary,
      Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
    );
    const bin = await cli(['logs', binary]);
    assert.equal(bin.code, 2);
    assert.match(bin.stderr, /^genai-doctor: .*image\.png is not a log: it holds binary data/);
    const zeros = await cli(['logs', '-'], {}, gzipSync(Buffer.alloc(1 << 20)));
    assert.equal(zeros.code, 2);
    assert.match(zeros.stderr, /^genai-doctor: standard input is not a log/);
    const empty = await cli(['logs', '-'], {}, Buffer.alloc(0));
    assert.equal(empty.code, 2);
    assert.equal(
      empty.stderr,
      'genai-doctor: standard input is empty: give a log export (JSON lines, JSON, CSV or text; gzip ok)\n',
    );
    const missing = join(dir, 'missing', 'dir', 'r.md');
    const report = await cli(['report', file, '-o', missing]);
    assert.equal(report.code, 2);
    assert.equal(
      report.stderr,
      `genai-doctor: -o ${missing}: no such directory: ${join(dir, 'missing', 'dir')}\n`,
    );
    for (const r of [bin, zeros, empty, report])
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('counts a line over the record cap as oversized, with its line number, and reads on', async () => {
    const path = join(dir, 'one-long-line.jsonl');
    const seed = JSON.stringify(seedIncident(1, 0).events[0]);
    // 17 MB on one line, over the 16 MB cap, between two failures.
    writeFileSync(path, `${seed}\n{"message":"ERROR ${'x'.repeat(17_000_000)}"}\n${seed}\n`);
    const r = await cli(['logs', path, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const a = JSON.parse(r.stdout) as LogAnalysis;
    assert.equal(a.stats.records, 3);
    assert.equal(a.stats.oversized, 1);
    assert.deepEqual(a.stats.oversizedLines, [2]);
    assert.equal(a.stats.failures, 2);
    const text = await cli(['logs', path]);
    assert.match(text.stdout, /1 record over the 16\.0 MB record cap skipped, at line 2\n/);
  });

  it('exits 0 when the logs hold no failures', async () => {
    const path = join(dir, 'clean.json');
    const g = new LogGenerator({ seed: 1, failureRate: 0 });
    writeFileSync(
      path,
      JSON.stringify(datadogPage([g.record('datadog-api'), g.record('datadog-api')]), null, 2),
    );
    const r = await cli(['logs', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 records \(json, .*\), 0 failures in 0 incidents/);
  });
});

describe('genai-doctor logs --datadog / --gcp-logging / monitors --apply (real HTTP clients)', () => {
  let dd: Awaited<ReturnType<typeof startDatadogApi>>;
  let gcp: Awaited<ReturnType<typeof startCloudLoggingApi>>;
  const ddEnv = () => ({
    DD_API_KEY: 'test-api-key',
    DD_APP_KEY: 'test-app-key',
    GENAI_DOCTOR_DATADOG_URL: dd.url,
  });
  let gcpEnv: NodeJS.ProcessEnv;

  before(async () => {
    dd = await startDatadogApi({ count: 1500 });
    gcp = await startCloudLoggingApi({
      count: 1500,
      // The OAuth token endpoint google-auth-library refreshes user credentials at.
      extra: (app) => {
        app.addContentTypeParser(
          'application/x-www-form-urlencoded',
          { parseAs: 'string' },
          (_req, body, done) => done(null, body),
        );
        app.post('/token', async () => ({
          access_token: 'ya29.test-token',
          expires_in: 3599,
          token_type: 'Bearer',
        }));
      },
    });
    const creds = join(dir, 'adc.json');
    writeFileSync(
      creds,
      JSON.stringify({
        type: 'authorized_user',
        client_id: 'cid.apps.googleusercontent.com',
        client_secret: 's',
        refresh_token: 'r',
      }),
    );
    gcpEnv = {
      GOOGLE_APPLICATION_CREDENTIALS: creds,
      GENAI_DOCTOR_ENDPOINT: gcp.url,
      GOOGLE_CLOUD_PROJECT: '',
    };
  });
  after(async () => {
    await dd.close();
    await gcp.close();
  });

  it('reads Datadog Logs search page by page with the cursor', async () => {
    const r = await cli(
      [
        'logs',
        '--datadog',
        'service:genai-adk-python status:error',
        '--from',
        'now-24h',
        '--format',
        'json',
        '--page-size',
        '20',
      ],
      ddEnv(),
    );
    assert.equal(r.code, 1, r.stderr);
    const a = JSON.parse(r.stdout) as LogAnalysis;
    const expected = dd.state.events.filter(
      (e) => (e.attributes as { status: string }).status === 'error',
    ).length;
    assert.equal(a.stats.records, expected);
    assert.equal(a.stats.failures, expected);
    const seed = a.incidents.find((i) => i.traceIds.includes(SEED.traceId));
    assert.ok(seed && seed.count >= 24);
    const searches = dd.state.requests.filter((q) => q.path === '/api/v2/logs/events/search');
    assert.ok(searches.length >= 2, 'paged with the cursor');
    const small = await cli(
      ['logs', '--datadog', 'service:genai-adk-python status:error', '--limit', '10'],
      ddEnv(),
    );
    assert.match(small.stdout, /10 records \(api\)/);
  });

  it('reads Cloud Logging entries.list page by page with google-auth-library', async () => {
    const before = gcp.state.requests.length;
    const r = await cli(
      [
        'logs',
        '--gcp-logging',
        'severity>=ERROR',
        '--project',
        SEED.runtimeProject,
        '--project',
        SEED.targetProject,
        '--from',
        new Date(Date.now() - 24 * 3_600_000).toISOString(),
        '--format',
        'json',
        '--page-size',
        '8',
      ],
      gcpEnv,
    );
    assert.equal(r.code, 1, r.stderr);
    const a = JSON.parse(r.stdout) as LogAnalysis;
    const requests = gcp.state.requests.slice(before);
    assert.ok(requests.length >= 2, 'paged with pageToken');
    assert.deepEqual(requests[0]!.resourceNames, [
      `projects/${SEED.runtimeProject}`,
      `projects/${SEED.targetProject}`,
    ]);
    assert.match(
      String(requests[0]!.filter),
      /^\(severity>=ERROR\) AND timestamp >= "\d{4}-.*Z" AND timestamp <= ".*Z"$/,
    );
    assert.equal(requests[0]!.orderBy, 'timestamp asc');
    assert.ok(requests.slice(1).every((q) => typeof q.pageToken === 'string'));
    const errors = gcp.state.entries.filter((e) => e.severity === 'ERROR').length;
    assert.equal(a.stats.records, errors);
    const audited = a.incidents.find((i) => i.principal === SEED.principal);
    assert.ok(audited, 'the audit entries name the principal');
  });

  it('applies monitors idempotently through MonitorsApi', async () => {
    const first = await cli(
      ['monitors', '--service', SEED.service, '--env', 'prod', '--notify', '@slack-genai-oncall', '--apply'],
      ddEnv(),
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.match(/^created /gm)?.length, 5);
    const second = await cli(
      ['monitors', '--service', SEED.service, '--env', 'prod', '--notify', '@slack-genai-oncall', '--apply'],
      ddEnv(),
    );
    assert.equal(second.stdout.match(/^unchanged /gm)?.length, 5, second.stdout);
    assert.equal(dd.state.monitors.size, 5);
  });
});
