import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseUrl, rewriteGoogleUrl } from '../../src/gcp/endpoints.js';
import { toGoogleApiError } from '../../src/gcp/errors.js';
import { backoffMs } from '../../src/live/iam-write.js';
import { parseDuration } from '../../src/live/verify.js';

describe('endpoints', () => {
  it('uses real hosts, regional Vertex for non-global locations', () => {
    assert.equal(baseUrl('aiplatform', 'global', {}), 'https://aiplatform.googleapis.com');
    assert.equal(baseUrl('aiplatform', 'us-central1', {}), 'https://us-central1-aiplatform.googleapis.com');
    assert.equal(
      baseUrl('cloudresourcemanager', undefined, {}),
      'https://cloudresourcemanager.googleapis.com',
    );
  });
  it('sends every API to GENAI_DOCTOR_ENDPOINT when set', () => {
    const env = { GENAI_DOCTOR_ENDPOINT: 'http://127.0.0.1:8089/' };
    assert.equal(baseUrl('aiplatform', 'europe-west4', env), 'http://127.0.0.1:8089');
    assert.equal(baseUrl('run', undefined, env), 'http://127.0.0.1:8089');
    assert.equal(baseUrl('logging', undefined, env), 'http://127.0.0.1:8089');
    assert.equal(baseUrl('logging', undefined, {}), 'https://logging.googleapis.com');
    assert.equal(
      rewriteGoogleUrl(new URL('https://oauth2.googleapis.com/token?x=1'), env).toString(),
      'http://127.0.0.1:8089/token?x=1',
    );
    const metadata = new URL('http://metadata.google.internal/computeMetadata/v1/project/project-id');
    assert.equal(rewriteGoogleUrl(metadata, env), metadata);
  });
});

describe('Google error bodies', () => {
  it('keep the raw body, status and ErrorInfo reason', () => {
    const body = {
      error: {
        code: 403,
        message: 'Permission denied',
        status: 'PERMISSION_DENIED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED' }],
      },
    };
    const e = toGoogleApiError(403, body, 'POST', 'https://x', 'fallback');
    assert.equal(e.status, 'PERMISSION_DENIED');
    assert.equal(e.reason, 'IAM_PERMISSION_DENIED');
    assert.deepEqual(JSON.parse(e.body), body);
    assert.match(e.diagnosable(), /^HTTP 403 POST https:\/\/x\n\{"error"/);
  });
  it('read OAuth error bodies too', () => {
    const e = toGoogleApiError(
      400,
      '{"error":"invalid_grant","error_description":"Bad Request"}',
      'POST',
      'u',
      'f',
    );
    assert.equal(e.reason, 'invalid_grant');
  });
});

describe('durations and backoff', () => {
  it('parses 10m, 90s, 500ms, bare seconds', () => {
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2'), 2000);
    assert.equal(parseDuration('soon'), undefined);
  });
  it('backs off exponentially with jitter, capped', () => {
    assert.equal(backoffMs(1, { baseDelayMs: 100, random: () => 1 }), 200);
    assert.equal(backoffMs(3, { baseDelayMs: 100, random: () => 0 }), 400);
    assert.equal(backoffMs(20, { baseDelayMs: 100, maxDelayMs: 4000, random: () => 1 }), 4000);
  });
});
