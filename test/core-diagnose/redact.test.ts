import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from '../../src/core/redact.js';
import { SECRETS } from './fixtures.js';

test('each kind of secret is removed', () => {
  for (const [name, secret] of Object.entries(SECRETS)) {
    const out = redactSecrets(`before ${secret} after`);
    assert.ok(!out.includes(secret), name);
    assert.ok(out.startsWith('before ') && out.endsWith(' after'), name);
    assert.match(out, /\[REDACTED_/);
  }
});

test('query keys, headers and bearer tokens keep their names', () => {
  const out = redactSecrets(
    'GET https://generativelanguage.googleapis.com/v1beta/models?key=abc123secret&pageSize=1\nx-goog-api-key: zzz999\nAuthorization: Bearer opaque-token-value-123',
  );
  assert.ok(
    !out.includes('abc123secret') && !out.includes('zzz999') && !out.includes('opaque-token-value-123'),
  );
  assert.match(out, /\?key=\[REDACTED_API_KEY\]&pageSize=1/);
  assert.match(out, /Authorization: Bearer \[REDACTED_TOKEN\]/);
});

test('ordinary text is left alone', () => {
  const text =
    "Permission 'aiplatform.endpoints.predict' denied on resource projects/p/locations/global (eyJ not a jwt) keys=3 monkey=2";
  assert.equal(redactSecrets(text), text);
});

test('a key cut off by truncation is still removed', () => {
  const out = redactSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA');
  assert.ok(!out.includes('MIIEpAIBAAKCAQEA'));
});

test('a diagnosis never carries a secret from its input or context', async () => {
  const { diagnose } = await import('../../src/core/diagnose/index.js');
  const text = [
    `{"error":{"code":403,"message":"Permission denied: Consumer 'api_key:${SECRETS.apiKey}' has been suspended.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED","domain":"googleapis.com","metadata":{"consumer":"api_key:${SECRETS.apiKey}","service":"generativelanguage.googleapis.com"}}]}}`,
    `curl -H "Authorization: Bearer ${SECRETS.accessToken}" "https://aiplatform.googleapis.com/v1/projects/p1-acme/locations/global/publishers/google/models/gemini-2.5-flash:generateContent?key=${SECRETS.expressKey}"`,
    SECRETS.pem,
  ].join('\n');
  const out = JSON.stringify(diagnose(text, { notes: `token ${SECRETS.refreshToken} jwt ${SECRETS.jwt}` }));
  for (const [name, secret] of Object.entries(SECRETS)) {
    const probe = name === 'pem' ? 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' : secret;
    assert.ok(!out.includes(probe), name);
  }
});

test('redactDeep removes secrets at any depth and leaves the input as it was', async () => {
  const { redactDeep } = await import('../../src/core/redact-deep.js');
  const key = SECRETS.apiKey;
  const input = {
    incidents: [
      { id: 'a1', perMinute: [{ minute: '2026-01-02T15:44:00.000Z', count: 3 }], sample: `key=${key}` },
      { id: 'b2', env: ['prod', `header: ${key}`], count: 7, flag: true, none: null },
    ],
  };
  const before = JSON.stringify(input);
  const out = redactDeep(input);
  const text = JSON.stringify(out);
  assert.ok(!text.includes(key), 'no secret left in the output');
  assert.equal(JSON.stringify(input), before, 'the input is not modified');
  assert.equal(out.incidents[0]?.perMinute, input.incidents[0]?.perMinute, 'what holds no secret is shared');
  assert.deepEqual(out.incidents[1]?.env?.[0], 'prod');
  assert.equal(out.incidents[1]?.count, 7);
  assert.equal(out.incidents[1]?.none, null);
});
