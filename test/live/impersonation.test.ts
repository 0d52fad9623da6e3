/**
 * `check --impersonate SA` calls Google as that service account, like gcloud's
 * --impersonate-service-account: refused with a message naming who tried while the operator may
 * not mint its tokens, then green once the operator is granted Token Creator on that account (on
 * the account's own policy, through IAM's real setIamPolicy). Through the CLI as a user runs it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { adcClient } from '../../src/gcp/client.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { operatorEmail, saEmail } from '../../src/sandbox/scenarios/world.js';
import { runCli, workDir } from './harness.js';

test('check --impersonate: refused and explained without Token Creator, green with it', async () => {
  const sb = await startSandbox({ scenario: 'iam-act-as', operationDelayMs: 0, propagationDelayMs: 0 });
  const dir = await workDir();
  try {
    const project = 'acme-genai-prod';
    const invoker = saEmail('vertex-invoker', project);
    const operator = operatorEmail(project);
    const args = [
      'check',
      '--project',
      project,
      '--location',
      'global',
      '--model',
      'gemini-3-pro-image-preview',
      '--impersonate',
      invoker,
      '--format',
      'json',
    ];

    const refused = await runCli(args, sb.env, dir);
    assert.equal(refused.code, 1, refused.stderr);
    const before = JSON.parse(refused.stdout) as CheckJson;
    assert.equal(before.findings[0]?.cause, 'iam.act_as');
    assert.equal(before.target?.principal, invoker);
    const identity = before.probes.find((p) => p.id === 'identity');
    assert.equal(identity?.status, 'problem');
    assert.ok(identity?.summary.includes(`${operator} may not impersonate ${invoker}`), identity?.summary);
    // Credentials exist: the report names the operator that tried, not "no credentials".
    assert.equal(before.identity.operator, operator);
    assert.equal(before.identity.callerSource, undefined);
    const text = await runCli(args.slice(0, -2), sb.env, dir);
    assert.equal(text.code, 1, text.stderr);
    assert.ok(
      text.stdout.includes(`caller: (none) — ${operator} may not impersonate ${invoker}`),
      text.stdout,
    );
    assert.ok(!text.stdout.includes('(no credentials)'), text.stdout);

    // What the finding says to do: Token Creator for the operator on the account itself.
    const client = await adcClient(sb.env);
    const base = `${sb.url}/v1/projects/${project}/serviceAccounts/${invoker}`;
    const policy = await client.request<Policy>({ method: 'POST', url: `${base}:getIamPolicy`, body: {} });
    policy.bindings = [
      ...(policy.bindings ?? []),
      { role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${operator}`] },
    ];
    await client.request({ method: 'POST', url: `${base}:setIamPolicy`, body: { policy } });

    const green = await runCli(args, sb.env, dir);
    assert.equal(green.code, 0, green.stdout + green.stderr);
    const after = JSON.parse(green.stdout) as CheckJson;
    const id = after.probes.find((p) => p.id === 'identity');
    assert.equal(id?.data?.caller, invoker);
    assert.equal(id?.data?.callerSource, 'impersonation');
    assert.equal(after.probes.find((p) => p.id === 'call')?.status, 'ok');
    assert.equal(after.healthy, true);
  } finally {
    await sb.close();
  }
});

interface CheckJson {
  target?: { principal: string };
  identity: { caller?: string; callerSource?: string; operator?: string };
  probes: Array<{ id: string; status: string; summary: string; data?: Record<string, unknown> }>;
  healthy: boolean;
  findings: Array<{ cause: string }>;
}
