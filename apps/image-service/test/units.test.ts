/** The service's pure decisions: retry, status mapping, validation, sessions, config. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CAUSE_IDS, codeOf } from '../../../src/core/taxonomy.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { publicFailure, statusFor } from '../src/failure-response.js';
import { base64Size } from '../src/image-model.js';
import { decideRetry } from '../src/retry.js';
import { successBody } from '../src/routes/generate.js';
import { ASPECT_RATIOS, GenerateRequest, GenerateResponse } from '../src/schemas.js';
import { SessionStore } from '../src/sessions.js';
import { typeboxValidatorCompiler } from '../src/validation.js';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 };

describe('decideRetry', () => {
  test('only throttling is retried', () => {
    for (const cause of CAUSE_IDS.filter((c) => c !== 'rate.throttled')) {
      assert.deepEqual(decideRetry({ cause, attempts: 1, remainingMs: 60_000, jitter: 0 }, policy), {
        retry: false,
        why: 'not-retryable',
      });
    }
  });
  test('RetryInfo sets the delay', () => {
    const d = decideRetry(
      { cause: 'rate.throttled', attempts: 1, retryDelaySeconds: 1.5, remainingMs: 60_000, jitter: 0.9 },
      policy,
    );
    assert.deepEqual(d, { retry: true, delayMs: 1500, basis: 'retry-info' });
  });
  test('backoff doubles without RetryInfo and is capped', () => {
    const delays = [1, 2, 3].map((attempts) =>
      decideRetry({ cause: 'rate.throttled', attempts, remainingMs: 60_000, jitter: 0 }, policy),
    );
    assert.deepEqual(
      delays.map((d) => d.retry && d.delayMs),
      [100, 200, 400],
    );
    const capped = decideRetry(
      { cause: 'rate.throttled', attempts: 3, remainingMs: 60_000, jitter: 0 },
      { ...policy, maxDelayMs: 250 },
    );
    assert.ok(capped.retry && capped.delayMs === 250);
  });
  test('never waits past the deadline, never beyond the attempt budget', () => {
    assert.deepEqual(
      decideRetry(
        { cause: 'rate.throttled', attempts: 1, retryDelaySeconds: 30, remainingMs: 10_000, jitter: 0 },
        policy,
      ),
      { retry: false, why: 'deadline' },
    );
    assert.deepEqual(
      decideRetry({ cause: 'rate.throttled', attempts: 4, remainingMs: 60_000, jitter: 0 }, policy),
      {
        retry: false,
        why: 'attempts-exhausted',
      },
    );
  });
});

describe('publicFailure', () => {
  const api = (httpStatus: number) => ({ kind: 'api-error' as const, httpStatus, text: '{"error":{}}' });
  test('every cause maps to a status that says whose problem it is', () => {
    for (const cause of CAUSE_IDS) {
      const status = statusFor({ cause, code: codeOf(cause) }, api(403));
      if (cause === 'rate.throttled') assert.equal(status, 429);
      else if (cause === 'unknown') assert.equal(status, 502);
      else assert.equal(status, 503, cause);
    }
    assert.equal(statusFor({ cause: 'unknown', code: 1199 }, api(400)), 400);
    assert.equal(statusFor({ cause: 'unknown', code: 1199 }, { kind: 'timeout', text: '' }), 504);
    assert.equal(statusFor({ cause: 'unknown', code: 1199 }, { kind: 'network', text: '' }), 502);
  });
  test('the body names code, cause and docs and nothing of the upstream text', () => {
    const text =
      '{"error":{"code":403,"message":"Permission denied on projects/secret-project for sa@p.iam.gserviceaccount.com"}}';
    const f = publicFailure(
      { cause: 'iam.missing_permission', code: 1152 },
      { kind: 'api-error', httpStatus: 403, text },
      'req-1',
    );
    assert.equal(f.status, 503);
    assert.equal(f.body.error.code, 1152);
    assert.equal(f.body.error.docs, '/errors/1152');
    assert.equal(f.body.error.request_id, 'req-1');
    const json = JSON.stringify(f.body);
    assert.ok(!json.includes('secret-project') && !json.includes('gserviceaccount'));
  });
  test('throttling carries Retry-After from RetryInfo', () => {
    const f = publicFailure({ cause: 'rate.throttled', code: 1153 }, api(429), 'r', 2.2);
    assert.equal(f.status, 429);
    assert.equal(f.retryAfterS, 3);
  });
});

describe('request schema', () => {
  const validate = typeboxValidatorCompiler({
    schema: GenerateRequest,
    method: 'POST',
    url: '/',
    httpPart: 'body',
  });
  const errorOf = (body: unknown) => (validate(body) as { error?: { field: string; message: string } }).error;
  test('accepts the seed body and every aspect ratio the model takes', () => {
    const seed = {
      prompt: 'A simple test image',
      image_type: 'illustration',
      aspect_ratio: '1:1',
      session_id: 'test_session',
    };
    assert.equal(errorOf(seed), undefined);
    for (const aspect_ratio of ASPECT_RATIOS) assert.equal(errorOf({ ...seed, aspect_ratio }), undefined);
    assert.equal(errorOf({ prompt: 'only a prompt' }), undefined);
  });
  test('names the field at fault', () => {
    const cases: [unknown, string][] = [
      [{}, 'prompt'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: '   ' }, 'prompt'],
      [{ prompt: 'x'.repeat(4001) }, 'prompt'],
      [{ prompt: 'x', image_type: 'hologram' }, 'image_type'],
      [{ prompt: 'x', aspect_ratio: '2:1' }, 'aspect_ratio'],
      [{ prompt: 'x', session_id: 'no spaces' }, 'session_id'],
      [{ prompt: 'x', aspectRatio: '1:1' }, 'aspectRatio'],
      [{ prompt: 42 }, 'prompt'],
    ];
    for (const [body, field] of cases) assert.equal(errorOf(body)?.field, field, JSON.stringify(body));
  });
  test('is a schema TypeBox compiles (the OpenAPI document shows the same one)', () => {
    assert.ok(TypeCompiler.Compile(GenerateRequest).Check({ prompt: 'p' }));
  });
});

describe('SessionStore', () => {
  const item = (n: number) => ({
    request_id: `r${n}`,
    created_at: new Date(0).toISOString(),
    prompt: 'p'.repeat(500),
    image_type: 'icon',
    aspect_ratio: '1:1',
    model: 'm',
    mime_type: 'image/png',
    size_bytes: n,
    latency_ms: 1,
  });
  test('bounds items per session, keeping the newest, and prompt length', () => {
    const s = new SessionStore({ maxSessions: 10, maxItemsPerSession: 3 });
    for (let i = 0; i < 5; i++) s.add('a', item(i));
    const got = s.get('a')!;
    assert.deepEqual(
      got.items.map((x) => x.request_id),
      ['r2', 'r3', 'r4'],
    );
    assert.equal(got.dropped, 2);
    assert.equal(got.items[0]!.prompt.length, 200);
  });
  test('evicts the least recently used session', () => {
    const s = new SessionStore({ maxSessions: 2, maxItemsPerSession: 3 });
    s.add('a', item(1));
    s.add('b', item(2));
    s.get('a');
    s.add('c', item(3));
    assert.ok(s.get('a') && s.get('c'));
    assert.equal(s.get('b'), undefined);
    assert.equal(s.size, 2);
  });
});

describe('config', () => {
  test('defaults: the seed model at global; sandbox locally, Google on Cloud Run', () => {
    const local = loadConfig({});
    assert.equal(local.model, 'gemini-3-pro-image-preview');
    assert.equal(local.location, 'global');
    assert.equal(local.backend, 'sandbox');
    assert.equal(loadConfig({ K_SERVICE: 'svc' }).backend, 'google');
    assert.equal(
      loadConfig({ PORT: '9000', IMAGE_MODEL: 'm', GOOGLE_CLOUD_LOCATION: 'us-central1' }).port,
      9000,
    );
  });
  test('rejects nonsense with the variable named', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      (e: Error) => e instanceof ConfigError && /PORT/.test(e.message),
    );
    assert.throws(() => loadConfig({ IMAGE_SERVICE_BACKEND: 'aws' }), /IMAGE_SERVICE_BACKEND/);
  });
});

test('base64Size is the decoded length', () => {
  for (const n of [0, 1, 2, 3, 4, 100, 1001]) {
    assert.equal(base64Size(Buffer.alloc(n, 7).toString('base64')), n);
  }
});

describe('successBody', () => {
  const answer = {
    request_id: 'req-1',
    session_id: 'a "quoted" session',
    model: 'gemini-3-pro-image-preview',
    location: 'global',
    image_type: 'illustration',
    aspect_ratio: '1:1',
    text: 'caption with "quotes", \\ and é',
    timings: { total_ms: 1.5, upstream_ms: 1.2, attempts: 1 },
  };
  const check = TypeCompiler.Compile(GenerateResponse);
  test('writes the image into the JSON as base64 and as a data URL', () => {
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0]).toString('base64');
    const body = successBody(answer, 'image/png', 7, data);
    assert.ok(Buffer.isBuffer(body));
    const parsed = JSON.parse(body.toString('utf8'));
    assert.deepEqual(parsed, {
      ...answer,
      image: {
        mime_type: 'image/png',
        size_bytes: 7,
        base64: data,
        data_url: `data:image/png;base64,${data}`,
      },
    });
    assert.ok(check.Check(parsed));
  });
  test('data outside the base64 alphabet is escaped, never spliced in', () => {
    const data = 'abc","injected":"x\\';
    const parsed = JSON.parse(String(successBody(answer, 'image/png', 3, data)));
    assert.equal(parsed.image.base64, data);
    assert.equal(parsed.image.data_url, `data:image/png;base64,${data}`);
    assert.equal(parsed.injected, undefined);
  });
});
