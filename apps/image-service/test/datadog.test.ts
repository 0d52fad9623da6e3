/**
 * The real process (`node apps/image-service/dist/main.js`, as the container runs it) with dd-trace
 * on: spans reach a stand-in agent (fastify's `POST /api/v1/images/generate` resource and the
 * upstream `gemini.generate_content` span with model, status, cause and code), JSON log lines carry
 * the matching dd.trace_id / dd.span_id, SIGTERM finishes in-flight requests, and with no agent at
 * all nothing blocks or crashes. Needs `npm run build` (npm test builds first).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { containsSecret } from '../../../src/core/redact.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { type FakeAgent, startFakeAgent } from './helpers/fake-agent.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { SUCCESS_SCENARIO } from './helpers/scenarios.js';
import { postJson, SEED_BODY, waitFor } from './helpers/stack.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  raw: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

async function spawnService(env: Record<string, string>): Promise<Child> {
  assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build`);
  const { GOOGLE_APPLICATION_CREDENTIALS: _adc, GOOGLE_CLOUD_PROJECT: _p, ...base } = process.env;
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      ...base,
      HOST: '127.0.0.1',
      PORT: '0',
      IMAGE_SERVICE_BACKEND: 'google',
      READINESS_CHECK: 'count-tokens',
      DD_ENV: 'test',
      DD_VERSION: '9.9.9',
      DD_TRACE_FLUSH_INTERVAL: '100',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stderr: string[] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      raw.push(line);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ unparsed: line });
      }
      nl = buffer.indexOf('\n');
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const started = await waitFor(
    async () => lines.find((l) => l.event === 'service.started'),
    20_000,
    `the service to start (stderr: ${stderr.join('')})`,
  );
  return { proc, url: String(started.address), lines, raw, stderr, exit };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const PERMISSION_DENIED_403 = {
  error: {
    code: 403,
    message:
      "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-ese-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist).",
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'aiplatform.googleapis.com',
        metadata: {
          permission: 'aiplatform.endpoints.predict',
          resource:
            'projects/datadog-ese-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview',
        },
      },
    ],
  },
};

describe('Datadog APM and logs from the real process', () => {
  let sandbox: Sandbox;
  let proxy: FaultProxy;
  let agent: FakeAgent;
  let child: Child;
  before(async () => {
    sandbox = await startSandbox({ scenario: SUCCESS_SCENARIO });
    proxy = await startFaultProxy(sandbox.url);
    agent = await startFakeAgent();
    child = await spawnService({
      GENAI_DOCTOR_ENDPOINT: proxy.url,
      GCE_METADATA_HOST: sandbox.metadataHost,
      DD_TRACE_AGENT_URL: agent.url,
    });
  });
  after(async () => {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    await agent.close();
    await proxy.close();
    await sandbox.close();
  });

  test('a success and a 1152 failure are traced and logged with correlation', async () => {
    const ok = await postJson(`${child.url}/api/v1/images/generate`, SEED_BODY);
    assert.equal(ok.status, 200);
    proxy.set({ kind: 'status', status: 403, body: PERMISSION_DENIED_403, times: 1 });
    const denied = await postJson(`${child.url}/api/v1/images/generate`, SEED_BODY);
    assert.equal(denied.status, 503);
    assert.equal(denied.body.error.code, 1152);

    const requestSpans = await waitFor(
      async () => {
        const s = agent.spans.filter(
          (x) => x.name === 'fastify.request' && x.resource === 'POST /api/v1/images/generate',
        );
        return s.length >= 2 ? s : undefined;
      },
      15_000,
      'fastify request spans at the agent',
    );
    for (const s of requestSpans) {
      assert.equal(s.service, 'genai-image-service');
      assert.equal(s.meta.env, 'test');
      assert.equal(s.meta.version, '9.9.9');
    }
    const upstream = await waitFor(
      async () => {
        const s = agent.spans.filter((x) => x.name === 'gemini.generate_content');
        return s.length >= 2 ? s : undefined;
      },
      15_000,
      'gemini spans at the agent',
    );
    const good = upstream.find((s) => s.meta['http.status_code'] === '200')!;
    const bad = upstream.find((s) => s.meta['http.status_code'] === '403')!;
    for (const s of [good, bad]) {
      assert.equal(s.meta['gemini.model'], 'gemini-3-pro-image-preview');
      assert.equal(s.meta['gemini.location'], 'global');
      // The upstream span is a child in the request's trace.
      assert.ok(requestSpans.some((r) => r.trace_id === s.trace_id));
    }
    // One span per upstream call: the library's and the HTTP client's duplicates are off, and
    // so are background client calls (metadata server, readiness probes).
    assert.deepEqual(
      agent.spans
        .filter((x) => x.meta['span.kind'] === 'client' && x.name !== 'gemini.generate_content')
        .map((x) => `${x.name} ${x.meta.component} ${x.meta['http.url']}`),
      [],
    );
    assert.equal(bad.error, 1);
    assert.equal(bad.meta['genai_doctor.cause'], 'iam.missing_permission');
    assert.equal(bad.metrics['genai_doctor.code'], 1152);

    const completed = child.lines.find((l) => l.message === 'Image generation completed')!;
    const failed = child.lines.find((l) => l.event === 'image.failed')!;
    for (const [line, span] of [
      [completed, good],
      [failed, bad],
    ] as const) {
      const dd = line.dd as { trace_id: string; span_id: string; service: string; env: string };
      assert.equal(dd.service, 'genai-image-service');
      assert.equal(dd.env, 'test');
      // 128-bit trace ids are logged as 32 hex digits; the agent payload carries the low 64 bits.
      const low = dd.trace_id.length === 32 ? BigInt(`0x${dd.trace_id.slice(16)}`) : BigInt(dd.trace_id);
      assert.equal(low, BigInt(span.trace_id));
      assert.ok(
        agent.spans.some((x) => BigInt(x.span_id) === BigInt(dd.span_id)),
        'dd.span_id names an emitted span',
      );
    }
    assert.equal(completed.model, 'gemini-3-pro-image-preview');
    assert.equal(typeof completed.latency_ms, 'number');
    assert.equal(failed.level, 'error');
    assert.equal(failed.code, 1152);
    for (const raw of child.raw) assert.ok(!containsSecret(raw), 'no credential in the log');
    process.stdout.write(
      `# success log line:\n#   ${child.raw.find((r) => r.includes('Image generation completed'))}\n`,
    );
    process.stdout.write(
      `# 1152 failure log line:\n#   ${child.raw.find((r) => r.includes('"image.failed"'))}\n`,
    );
  });

  test('SIGTERM finishes in-flight requests, then the process exits 0', async () => {
    proxy.set({ kind: 'delay', ms: 500 });
    const before = proxy.calls;
    const inFlight = postJson(`${child.url}/api/v1/images/generate`, SEED_BODY);
    await waitFor(
      async () => (proxy.calls > before ? true : undefined),
      5000,
      'the request to reach upstream',
    );
    child.proc.kill('SIGTERM');
    assert.equal((await inFlight).status, 200);
    assert.equal(await child.exit, 0);
    assert.ok(child.lines.some((l) => l.event === 'service.stopped'));
  });
});

test('with no Datadog agent at all, requests succeed and shutdown is clean', async () => {
  const sandbox = await startSandbox({ scenario: SUCCESS_SCENARIO });
  const port = await closedPort();
  const child = await spawnService({
    GENAI_DOCTOR_ENDPOINT: sandbox.url,
    GCE_METADATA_HOST: sandbox.metadataHost,
    DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`,
  });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await postJson(`${child.url}/api/v1/images/generate`, SEED_BODY)).status, 200);
    }
    // Let the tracer try (and fail) to flush to the closed port a few times.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await postJson(`${child.url}/api/v1/images/generate`, SEED_BODY)).status, 200);
    child.proc.kill('SIGTERM');
    assert.equal(await child.exit, 0);
    assert.ok(!/uncaught|unhandled/i.test(child.stderr.join('')), child.stderr.join(''));
  } finally {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    await sandbox.close();
  }
});
