/**
 * One 429 / 503 / dropped connection from an admin API must not fail a whole fix: idempotent
 * calls are retried (with backoff), writes are not. A fault proxy sits between the operator's
 * client and the sandbox and spoils exactly the requests a test names, once each.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { adcClient } from '../../src/gcp/client.js';
import { getIamPolicy, getProject, setIamPolicy } from '../../src/gcp/resourcemanager.js';
import { getRunService, runServiceName } from '../../src/gcp/run.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

type Fault = { path: RegExp; kind: 429 | 503 | 'reset' };

const GOOGLE_ERROR = {
  429: { code: 429, message: 'Quota exceeded for quota metric ...', status: 'RESOURCE_EXHAUSTED' },
  503: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
};

let sandbox: Sandbox;
let proxy: Server;
let faults: Fault[] = [];
const seen: string[] = [];

function proxyTo(target: URL): Server {
  return createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const i = faults.findIndex((f) => f.path.test(req.url ?? ''));
    const fault = i >= 0 ? faults.splice(i, 1)[0] : undefined;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault) {
      res.writeHead(fault.kind, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify({ error: GOOGLE_ERROR[fault.kind] }));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
}

before(async () => {
  sandbox = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 0 });
  proxy = proxyTo(new URL(sandbox.url));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
});

after(async () => {
  proxy.close();
  await sandbox.close();
});

async function operator() {
  const { port } = proxy.address() as AddressInfo;
  return adcClient({ ...sandbox.env, GENAI_DOCTOR_ENDPOINT: `http://127.0.0.1:${port}` });
}

const count = (pattern: RegExp) => seen.filter((s) => pattern.test(s)).length;

test('a read (POST getIamPolicy) answered 503, then 429, is retried and succeeds', async () => {
  const client = await operator();
  faults = [
    { path: /:getIamPolicy$/, kind: 503 },
    { path: /:getIamPolicy$/, kind: 429 },
  ];
  seen.length = 0;
  const policy = await getIamPolicy(client, 'datadog-ese-sandbox');
  assert.ok(policy.etag);
  assert.equal(count(/:getIamPolicy$/), 3, 'two spoiled answers, then the real one');
});

test('a GET whose connection is reset is retried', async () => {
  const client = await operator();
  faults = [{ path: /\/v1\/projects\/datadog-ese-sandbox$/, kind: 'reset' }];
  seen.length = 0;
  const project = await getProject(client, 'datadog-ese-sandbox');
  assert.equal(project.projectId, 'datadog-ese-sandbox');
  assert.equal(count(/\/v1\/projects\/datadog-ese-sandbox$/), 2);
});

test('a missing resource (404) is not retried: it is an answer', async () => {
  const client = await operator();
  faults = [];
  seen.length = 0;
  await assert.rejects(
    getRunService(client, runServiceName('datadog-ese-sandbox', 'us-central1', 'nope')),
    (e: { httpStatus?: number }) => e.httpStatus === 404,
  );
  assert.equal(count(/services\/nope$/), 1);
});

test('a write (setIamPolicy) answered 503 is not retried: the caller sees the failure once', async () => {
  const client = await operator();
  const policy = await getIamPolicy(client, 'datadog-ese-sandbox');
  faults = [{ path: /:setIamPolicy$/, kind: 503 }];
  seen.length = 0;
  await assert.rejects(
    setIamPolicy(client, 'datadog-ese-sandbox', policy),
    (e: { httpStatus?: number }) => e.httpStatus === 503,
  );
  assert.equal(count(/:setIamPolicy$/), 1);
});
