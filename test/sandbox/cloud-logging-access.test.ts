/**
 * Cloud Logging entries.list refuses like Logging: a project that does not exist and a project the
 * caller may not read both get the IAM 403 on logging.logEntries.list (Logging does not say which),
 * decided by the sandbox's IAM policies; the operator, who holds roles/logging.viewer, reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { api, type ErrorBody, errorInfoOf, grant, metadataToken, operatorToken } from './helpers.js';

const PROJECT = 'datadog-ese-sandbox';

describe('Cloud Logging entries.list access (seed-incident)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 0 });
  });
  after(() => sb.close());
  const list = (token: string, project: string) =>
    api<ErrorBody & { entries?: Array<{ logName: string }> }>(sb, token, 'POST', '/v2/entries:list', {
      resourceNames: [`projects/${project}`],
      pageSize: 5,
    });

  function assertDenied(res: { status: number; body: ErrorBody }) {
    assert.equal(res.status, 403);
    assert.equal(res.body.error.status, 'PERMISSION_DENIED');
    assert.equal(
      res.body.error.message,
      "Permission 'logging.logEntries.list' denied on resource (or it may not exist).",
    );
    assert.deepEqual(errorInfoOf(res.body), {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission: 'logging.logEntries.list' },
    });
  }

  it('the operator (roles/logging.viewer) reads the project’s entries', async () => {
    const res = await list(await operatorToken(sb), PROJECT);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok((res.body.entries ?? []).length > 0);
    for (const e of res.body.entries ?? []) assert.match(e.logName, new RegExp(`^projects/${PROJECT}/`));
  });

  it('a project that does not exist gets the IAM 403, not a 404', async () => {
    assertDenied(await list(await operatorToken(sb), 'no-such-project-4711'));
  });

  it('a caller without logging.logEntries.list (the workload, a log writer) gets the 403', async () => {
    const workload = await metadataToken(sb);
    assertDenied(await list(workload, PROJECT));
    // One denied project among readable ones fails the whole call.
    const both = await api<ErrorBody>(sb, await operatorToken(sb), 'POST', '/v2/entries:list', {
      resourceNames: [`projects/${PROJECT}`, 'projects/no-such-project-4711'],
    });
    assertDenied(both);
  });

  it('granting roles/logging.viewer lets that caller read', async () => {
    const workload = await metadataToken(sb);
    const who = await fetch(`${sb.url}/computeMetadata/v1/instance/service-accounts/default/email`, {
      headers: { 'Metadata-Flavor': 'Google' },
    }).then((r) => r.text());
    await grant(sb, PROJECT, 'roles/logging.viewer', `serviceAccount:${who}`);
    const res = await list(workload, PROJECT);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('no credentials: the 401 with WWW-Authenticate, before any project is looked at', async () => {
    const res = await fetch(`${sb.url}/v2/entries:list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceNames: ['projects/no-such-project-4711'] }),
    });
    assert.equal(res.status, 401);
    assert.ok(res.headers.get('www-authenticate'));
    assert.equal(((await res.json()) as ErrorBody).error.status, 'UNAUTHENTICATED');
  });
});
