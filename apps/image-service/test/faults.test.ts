/**
 * Fault test: upstream 500s, timeouts, dropped connections and throttling injected by a proxy in
 * front of the sandbox, then a permission revoked through the real setIamPolicy REST API and
 * restored. The service keeps answering with the right codes, retries only throttling, and
 * recovers; readiness flips not-ready and back. Graceful shutdown finishes in-flight requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GoogleAuth } from 'google-auth-library';
import type { Binding, Policy } from '../../../src/core/iam.js';
import {
  CLOUD_PLATFORM_SCOPE,
  clientFromGoogleAuth,
  type GcpClient,
  makeTransporter,
} from '../../../src/gcp/client.js';
import { getIamPolicy, setIamPolicy } from '../../../src/gcp/resourcemanager.js';
import { INTERNAL_500, throttled429 } from './helpers/fault-proxy.js';
import { SUCCESS_SCENARIO } from './helpers/scenarios.js';
import { getJson, postJson, SEED_BODY, type Stack, startStack, waitFor } from './helpers/stack.js';

describe('fault test', () => {
  let stack: Stack;
  let generate: string;
  const transcript: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => transcript.push(`+${String(Date.now() - t0).padStart(5)}ms ${line}`);
  const call = async (label: string) => {
    const res = await postJson(generate, SEED_BODY);
    const e = res.body.error;
    note(
      `${label.padEnd(34)} -> ${res.status} ${e ? `${e.code ?? ''} ${e.cause}` : `image ${res.body.image.size_bytes} B, attempts ${res.body.timings.attempts}`}`,
    );
    return res;
  };

  before(async () => {
    stack = await startStack({
      scenario: SUCCESS_SCENARIO,
      proxy: true,
      sandbox: { propagationDelayMs: 300 },
      config: {
        requestDeadlineMs: 1500,
        retryBaseDelayMs: 50,
        readinessIntervalMs: 400,
        readinessCheck: 'count-tokens',
      },
    });
    generate = `${stack.url}/api/v1/images/generate`;
  });
  after(async () => {
    await stack.close();
    // The transcript of the run, for the report (node:test prints it under the suite).
    process.stdout.write(`# fault test transcript\n${transcript.map((l) => `#   ${l}`).join('\n')}\n`);
  });

  test('upstream faults get 502 / 504 with the catalog code, and are not retried', async () => {
    assert.equal((await call('healthy')).status, 200);
    const proxy = stack.proxy!;

    proxy.set({ kind: 'status', status: 500, body: INTERNAL_500 });
    let before = proxy.calls;
    const e500 = await call('upstream 500 INTERNAL');
    assert.equal(e500.status, 502);
    assert.equal(e500.body.error.code, 1199);
    assert.equal(proxy.calls - before, 1, 'a 500 is not retried blindly');

    proxy.set({ kind: 'reset' });
    const reset = await call('upstream connection reset');
    assert.equal(reset.status, 502);
    assert.equal(reset.body.error.cause, 'unknown');

    proxy.set({ kind: 'delay', ms: 10_000 });
    before = proxy.calls;
    const slow = await call('upstream slower than the deadline');
    assert.equal(slow.status, 504);
    assert.equal(slow.body.error.code, 1199);
    assert.equal(proxy.calls - before, 1);

    proxy.set({ kind: 'none' });
    assert.equal((await call('faults cleared')).status, 200);
    const failed = stack.logs
      .filter((l) => l.event === 'image.failed')
      .map((l) => (l.upstream as { kind: string }).kind);
    assert.deepEqual(failed, ['api-error', 'network', 'timeout']);
  });

  test('credentials inside an upstream error never reach the log or the client', async () => {
    // Assembled at run time so no credential-shaped literal sits in the source.
    const key = ['AIza', 'SyD3'.padEnd(35, 'x')].join('');
    const token = ['ya29', 'a0AfB_byC'.padEnd(60, 'q')].join('.');
    stack.proxy!.set({
      kind: 'status',
      status: 400,
      times: 1,
      body: {
        error: {
          code: 400,
          message: `Request had key=${key} and Bearer ${token}`,
          status: 'INVALID_ARGUMENT',
        },
      },
    });
    const res = await call('upstream error quoting credentials');
    assert.equal(res.status, 400);
    const text = JSON.stringify(res.body);
    assert.ok(!text.includes(key) && !text.includes(token));
    const line = stack.rawLogs.findLast((l) => l.includes('"image.failed"'))!;
    assert.ok(!line.includes(key) && !line.includes(token), 'redacted in the log');
    assert.match(line, /Request had key=/, 'the rest of the upstream text is kept');
  });

  test('throttling is retried honouring RetryInfo, within the deadline', async () => {
    const proxy = stack.proxy!;
    proxy.set({ kind: 'status', status: 429, body: throttled429('0.2s'), times: 1 });
    const once = await call('one 429 (RetryInfo 0.2s), then ok');
    assert.equal(once.status, 200);
    assert.equal(once.body.timings.attempts, 2);
    const done = stack.logs.findLast((l) => l.message === 'Image generation completed')!;
    assert.equal(done.attempts, 2);

    proxy.set({ kind: 'status', status: 429, body: throttled429('0.4s') });
    const before = proxy.calls;
    const always = await call('429 on every call');
    assert.equal(always.status, 429);
    assert.equal(always.body.error.code, 1153);
    assert.equal(always.headers.get('retry-after'), '1');
    const line = stack.logs.find(
      (l) => l.event === 'image.failed' && l.request_id === always.body.error.request_id,
    )!;
    const attempts = line.attempts as { retry: { retry: boolean; basis?: string; why?: string } }[];
    // 3000 ms deadline, 400 ms server-named delay, at most 4 attempts, all RetryInfo-paced.
    assert.ok(attempts.length >= 2 && attempts.length <= 4, `attempts ${attempts.length}`);
    assert.equal(proxy.calls - before, attempts.length);
    assert.ok(attempts.slice(0, -1).every((a) => a.retry.basis === 'retry-info'));
    assert.match(String(attempts.at(-1)!.retry.why), /deadline|attempts-exhausted/);
    proxy.set({ kind: 'none' });
    assert.equal((await call('throttling over')).status, 200);
  });

  test('a permission revoked mid-run via setIamPolicy, then restored: 1152, not ready, then recovery', async () => {
    const { sandbox } = stack;
    process.env.GENAI_DOCTOR_ENDPOINT = sandbox.url;
    const operator: GcpClient = await clientFromGoogleAuth(
      new GoogleAuth({
        keyFile: sandbox.adcFile,
        scopes: [CLOUD_PLATFORM_SCOPE],
        clientOptions: { transporter: makeTransporter() },
      }),
    );
    const project = stack.service.identity.project!;
    const member = `serviceAccount:${stack.service.identity.principal}`;
    const grant: Binding = { role: 'roles/aiplatform.user', members: [member] };
    const readyz = async () => (await getJson(`${stack.url}/readyz`)).body;
    await waitFor(async () => ((await readyz()).status === 'ready' ? true : undefined), 5000, 'ready');
    note(`readyz: ${(await readyz()).status}`);

    const policy: Policy = await getIamPolicy(operator, project);
    const without = (policy.bindings ?? [])
      .map((b) => (b.role === grant.role ? { ...b, members: b.members.filter((m) => m !== member) } : b))
      .filter((b) => b.members.length > 0);
    await setIamPolicy(operator, project, { ...policy, bindings: without });
    note(`setIamPolicy: removed ${grant.role} from the service account (propagates in ~300 ms)`);

    const denied = await waitFor(
      async () => {
        const r = await call('generate while revoked');
        return r.status === 200 ? undefined : r;
      },
      10_000,
      'the revocation to take effect',
    );
    assert.equal(denied.status, 503);
    assert.equal(denied.body.error.code, 1152);
    assert.equal(denied.body.error.cause, 'iam.missing_permission');
    const notReady = await waitFor(
      async () => {
        const r = await readyz();
        return r.status === 'not_ready' ? r : undefined;
      },
      10_000,
      'readiness to flip',
    );
    note(`readyz: ${notReady.status} ${notReady.finding.code} ${notReady.finding.cause}`);
    assert.equal(notReady.finding.code, 1152);

    const current = await getIamPolicy(operator, project);
    await setIamPolicy(operator, project, { ...current, bindings: [...(current.bindings ?? []), grant] });
    note(`setIamPolicy: restored ${grant.role}`);
    const ok = await waitFor(
      async () => {
        const r = await call('generate after restore');
        return r.status === 200 ? r : undefined;
      },
      10_000,
      'the grant to take effect',
    );
    assert.equal(ok.status, 200);
    const ready = await waitFor(
      async () => ((await readyz()).status === 'ready' ? true : undefined),
      10_000,
      'ready again',
    );
    assert.ok(ready);
    note('readyz: ready');
  });
});

describe('graceful shutdown', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      scenario: SUCCESS_SCENARIO,
      proxy: true,
      config: { readinessCheck: 'count-tokens' },
    });
  });
  after(() => stack.close());

  test('close() lets in-flight requests finish and refuses new ones', async () => {
    assert.equal((await postJson(`${stack.url}/api/v1/images/generate`, SEED_BODY)).status, 200);
    stack.proxy!.set({ kind: 'delay', ms: 600 });
    const inFlight = Promise.all(
      [1, 2, 3].map(() => postJson(`${stack.url}/api/v1/images/generate`, SEED_BODY)),
    );
    await waitFor(async () => (stack.proxy!.calls >= 4 ? true : undefined), 5000, 'requests in flight');
    const closing = stack.service.close({ graceMs: 5000 });
    assert.equal(stack.service.readiness.snapshot().shuttingDown, true);
    const results = await inFlight;
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200],
    );
    await closing;
    await assert.rejects(fetch(`${stack.url}/healthz`), 'the port is closed after shutdown');
  });
});
