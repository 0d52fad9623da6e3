/**
 * The API through real HTTP, service -> @google/genai -> sandbox, identity from the sandbox's
 * metadata server: a real PNG on success, sessions, validation, size limit, OpenAPI, error pages.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { containsSecret } from '../../../src/core/redact.js';
import { SUCCESS_SCENARIO } from './helpers/scenarios.js';
import {
  getJson,
  PNG_SIGNATURE,
  postJson,
  SEED_BODY,
  type Stack,
  startStack,
  waitFor,
} from './helpers/stack.js';

describe('image service API against the sandbox', () => {
  let stack: Stack;
  let generate: string;
  before(async () => {
    stack = await startStack({
      scenario: SUCCESS_SCENARIO,
      config: { sockets: { headersTimeoutMs: 1500, requestTimeoutMs: 3000, keepAliveTimeoutMs: 1000 } },
    });
    generate = `${stack.url}/api/v1/images/generate`;
  });
  after(() => stack.close());

  test("the seed's request returns a real PNG with its metadata", async () => {
    const res = await postJson(generate, SEED_BODY);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { image } = res.body;
    const bytes = Buffer.from(image.base64, 'base64');
    assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
    assert.equal(image.mime_type, 'image/png');
    assert.equal(image.size_bytes, bytes.length);
    assert.equal(image.data_url, `data:image/png;base64,${image.base64}`);
    assert.equal(res.body.model, 'gemini-3-pro-image-preview');
    assert.equal(res.body.location, 'global');
    assert.equal(res.body.session_id, 'test_session');
    assert.equal(res.headers.get('x-request-id'), res.body.request_id);
    assert.equal(res.body.timings.attempts, 1);
    assert.ok(res.body.timings.total_ms >= res.body.timings.upstream_ms);
    const line = stack.logs.find((l) => l.message === 'Image generation completed');
    assert.ok(line, 'the completion line is logged');
    assert.equal(line.request_id, res.body.request_id);
    assert.equal(line.model, 'gemini-3-pro-image-preview');
    assert.equal(typeof line.latency_ms, 'number');
    assert.equal(line.level, 'info');
  });

  test('sessions list what they generated, metadata only', async () => {
    const body = { ...SEED_BODY, session_id: 'sess-list', aspect_ratio: '16:9', image_type: 'icon' };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await postJson(generate, body)).body.request_id);
    const res = await getJson(`${stack.url}/api/v1/sessions/sess-list`);
    assert.equal(res.status, 200);
    assert.equal(res.body.count, 2);
    assert.deepEqual(
      res.body.items.map((i: { request_id: string }) => i.request_id),
      ids,
    );
    assert.equal(res.body.items[0].aspect_ratio, '16:9');
    assert.equal(res.body.items[0].image_type, 'icon');
    assert.ok(!JSON.stringify(res.body).includes('base64'));
    const missing = await getJson(`${stack.url}/api/v1/sessions/never-used`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.cause, 'session.not_found');
    const bad = await getJson(`${stack.url}/api/v1/sessions/${encodeURIComponent('a b')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'params.id');
  });

  test('bad bodies get 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'prompt'],
      [{ ...SEED_BODY, prompt: '' }, 'prompt'],
      [{ ...SEED_BODY, image_type: 'hologram' }, 'image_type'],
      [{ ...SEED_BODY, aspect_ratio: '7:3' }, 'aspect_ratio'],
      [{ ...SEED_BODY, session_id: '../etc' }, 'session_id'],
      [{ ...SEED_BODY, extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await postJson(generate, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.cause, 'request.invalid');
      assert.equal(res.body.error.field, field);
      assert.match(res.body.error.message, new RegExp(field));
      assert.ok(res.body.error.request_id);
    }
    const notJson = await postJson(generate, '{"prompt":');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error.cause, 'request.invalid');
    const text = await fetch(generate, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    assert.equal(text.status, 415);
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded']) {
      const res = await fetch(generate, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify(SEED_BODY),
      });
      assert.equal(res.status, 415, type);
      assert.equal(
        ((await res.json()) as { error: { cause: string } }).error.cause,
        'request.unsupported_media_type',
      );
    }
  });

  test('a prompt of only invisible characters is empty: 400 naming the prompt, no model call', async () => {
    const before = stack.sandbox.state.requestLog.length;
    for (const prompt of [
      '\u200b',
      '\u200b\u200c\u200d\u2060\ufeff',
      ' \u00ad\u200e\u200f\t',
      '\u2800\u3164',
      '\u0301\ufe0f',
    ]) {
      const res = await postJson(generate, { ...SEED_BODY, prompt });
      assert.equal(res.status, 400, JSON.stringify(prompt));
      assert.equal(res.body.error.field, 'prompt');
      assert.match(res.body.error.message, /invisible characters/);
    }
    assert.equal(stack.sandbox.state.requestLog.length, before);
    const mixed = await postJson(generate, { ...SEED_BODY, prompt: '\u200ba red fox\u200b' });
    assert.equal(mixed.status, 200);
  });

  test('slow clients: unfinished headers and idle keep-alive sockets are closed at their timeouts', async () => {
    const { port } = new URL(stack.url);
    const closedAfter = (send: string) =>
      new Promise<number>((resolve, reject) => {
        const t0 = Date.now();
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(send));
        socket.on('data', () => {});
        socket.on('error', reject);
        socket.on('close', () => resolve(Date.now() - t0));
      });
    // Headers that never end: closed at headersTimeout (1.5 s here), not after 75 s.
    const slow = await closedAfter('POST /api/v1/images/generate HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    assert.ok(slow >= 1000 && slow < 4500, `slow-header socket closed after ${slow} ms`);
    // One full request, then idle: closed at keepAliveTimeout (1 s here).
    const idle = await closedAfter('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(idle < 4000, `idle keep-alive socket closed after ${idle} ms`);
  });

  test('oversized bodies are refused with 413 before any model call', async () => {
    const res = await postJson(generate, { ...SEED_BODY, prompt: 'x'.repeat(70 * 1024) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.cause, 'request.too_large');
  });

  test('health, readiness, OpenAPI and the error catalog', async () => {
    assert.deepEqual((await getJson(`${stack.url}/healthz`)).body, { status: 'ok' });
    const ready = await waitFor(async () => {
      const r = await getJson(`${stack.url}/readyz`);
      return r.body.status === 'starting' ? undefined : r;
    });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(ready.body.status, 'ready');

    const doc = (await getJson(`${stack.url}/openapi.json`)).body;
    assert.match(doc.openapi, /^3\./);
    const op = doc.paths['/api/v1/images/generate'].post;
    const schema = op.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required, ['prompt']);
    const ratios = schema.properties.aspect_ratio.anyOf.map(
      (x: { const?: string; enum?: string[] }) => x.const ?? x.enum?.[0],
    );
    assert.ok(ratios.includes('21:9') && ratios.includes('4:5'));
    assert.ok(doc.paths['/api/v1/sessions/{id}']);
    assert.ok(doc.paths['/readyz']);

    const html = await fetch(`${stack.url}/errors/1152`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const page = await html.text();
    assert.match(page, /<h1>Error 1152: /);
    assert.match(page, /iam\.missing_permission/);
    const json = await getJson(`${stack.url}/errors/iam.missing_permission`, { accept: 'application/json' });
    assert.equal(json.body.code, 1152);
    assert.equal(json.body.focus, 'iam.missing_permission');
    assert.equal((await getJson(`${stack.url}/errors/9999`)).status, 404);
    assert.equal((await getJson(`${stack.url}/no/such/route`)).body.error.cause, 'route.not_found');
  });

  test('no credential ever reaches the log', () => {
    assert.ok(stack.rawLogs.length > 0);
    for (const line of stack.rawLogs) assert.ok(!containsSecret(line), line);
  });
});

test('the platform fetch transport (UPSTREAM_TRANSPORT=fetch) behaves the same', async () => {
  const stack = await startStack({ scenario: SUCCESS_SCENARIO, config: { upstreamTransport: 'fetch' } });
  try {
    const res = await postJson(`${stack.url}/api/v1/images/generate`, SEED_BODY);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(res.body.image.base64, 'base64').subarray(0, 8), PNG_SIGNATURE);
  } finally {
    await stack.close();
  }
  const denied = await startStack({
    scenario: 'seed-incident',
    config: { upstreamTransport: 'fetch', project: 'datadog-sandbox' },
  });
  try {
    const res = await postJson(`${denied.url}/api/v1/images/generate`, SEED_BODY);
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 1152);
  } finally {
    await denied.close();
  }
});
