import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientFromAccessToken } from '../../src/gcp/client.js';
import { Endpoints } from '../../src/gcp/endpoints.js';
import { toGoogleApiError } from '../../src/gcp/errors.js';
import { backoffMs } from '../../src/live/iam-write.js';
import { parseDuration } from '../../src/live/verify.js';

describe('endpoints', () => {
  it('uses real hosts, regional Vertex for non-global locations', () => {
    const google = new Endpoints({});
    assert.equal(google.base('aiplatform', 'global'), 'https://aiplatform.googleapis.com');
    assert.equal(google.base('aiplatform', 'us-central1'), 'https://us-central1-aiplatform.googleapis.com');
    assert.equal(
      google.url('cloudresourcemanager', '/v1/projects/p'),
      'https://cloudresourcemanager.googleapis.com/v1/projects/p',
    );
  });
  it('sends every API to GENAI_DOCTOR_ENDPOINT when set', () => {
    const sandbox = new Endpoints({ GENAI_DOCTOR_ENDPOINT: 'http://127.0.0.1:8089/' });
    assert.equal(sandbox.base('aiplatform', 'europe-west4'), 'http://127.0.0.1:8089');
    assert.equal(sandbox.base('run'), 'http://127.0.0.1:8089');
    assert.equal(sandbox.url('logging', '/v2/entries:list'), 'http://127.0.0.1:8089/v2/entries:list');
    assert.equal(new Endpoints({}).base('logging'), 'https://logging.googleapis.com');
    assert.equal(
      sandbox.rewrite(new URL('https://oauth2.googleapis.com/token?x=1')).toString(),
      'http://127.0.0.1:8089/token?x=1',
    );
    const metadata = new URL('http://metadata.google.internal/computeMetadata/v1/project/project-id');
    assert.equal(sandbox.rewrite(metadata), metadata);
  });
  it('reads the env it was given, not process.env', () => {
    const saved = process.env.GENAI_DOCTOR_ENDPOINT;
    process.env.GENAI_DOCTOR_ENDPOINT = 'http://127.0.0.1:1';
    try {
      const client = clientFromAccessToken({ GENAI_DOCTOR_ENDPOINT: 'http://127.0.0.1:2' }, 't', 'x');
      assert.equal(client.url('iam', '/v1/roles'), 'http://127.0.0.1:2/v1/roles');
      assert.equal(
        clientFromAccessToken({}, 't', 'x').url('iam', '/v1/roles'),
        'https://iam.googleapis.com/v1/roles',
      );
    } finally {
      if (saved === undefined) delete process.env.GENAI_DOCTOR_ENDPOINT;
      else process.env.GENAI_DOCTOR_ENDPOINT = saved;
    }
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
