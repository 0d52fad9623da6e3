/**
 * iam.act_as end to end through the CLI: a Cloud Run service running as image-api impersonates
 * vertex-invoker but may not mint its tokens. check names image-api as the member and
 * vertex-invoker as the account; fix --apply writes that one binding into vertex-invoker's OWN
 * policy (etag-safe); verify goes green with the workload's real call; undo removes exactly
 * that binding, keeping one someone else added meanwhile; and the call fails again.
 */
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { addGrant } from '../../src/core/policy.js';
import { adcClient } from '../../src/gcp/client.js';
import { getServiceAccountIamPolicy } from '../../src/gcp/iam.js';
import { modifyPolicy, serviceAccountPolicy } from '../../src/live/iam-write.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { operatorEmail, saEmail } from '../../src/sandbox/scenarios/world.js';
import { checkInvocation, runCli, workDir } from './harness.js';

const PROJECT = 'acme-genai-prod';
const INVOKER = saEmail('vertex-invoker', PROJECT);
const RUNTIME = saEmail('image-api', PROJECT);

function grants(p: Policy): string[] {
  return (p.bindings ?? []).flatMap((b) => b.members.map((m) => `${b.role} ${m}`)).sort();
}

interface CheckJson {
  findings: Array<{ cause: string }>;
  context: { principal?: string; actor?: string };
  plan: {
    options: Array<{
      recommended: boolean;
      steps: Array<{ kind: string; serviceAccount?: unknown; member?: unknown; role?: string }>;
    }>;
  };
}

function saGrantOf(report: CheckJson) {
  const step = report.plan.options
    .find((o) => o.recommended)
    ?.steps.find((s) => s.kind === 'grant_role_on_service_account');
  assert.ok(step, JSON.stringify(report.plan));
  return step;
}

async function undoFile(dir: string): Promise<string> {
  const f = (await readdir(join(dir, '.genai-doctor'))).find((x) => x.startsWith('undo-'));
  assert.ok(f, 'fix --apply wrote an undo record');
  return join(dir, '.genai-doctor', f);
}

test('iam-act-as: check -> fix --apply on the service account -> verify -> undo -> fails again', async () => {
  const sb = await startSandbox({ scenario: 'iam-act-as', propagationDelayMs: 300, operationDelayMs: 0 });
  const dir = await workDir();
  try {
    Object.assign(process.env, sb.env);
    const client = await adcClient();
    const before = await getServiceAccountIamPolicy(client, INVOKER);
    const { args, env } = checkInvocation(sb);
    assert.ok(args.includes('--principal') && args.includes(INVOKER), args.join(' '));

    const check = await runCli([...args, '--format', 'json'], env, dir);
    assert.equal(check.code, 1, check.stderr);
    const report = JSON.parse(check.stdout) as CheckJson;
    assert.equal(report.findings[0]?.cause, 'iam.act_as');
    assert.equal(report.context.actor, RUNTIME);
    const step = saGrantOf(report);
    assert.equal(step.member, `serviceAccount:${RUNTIME}`);
    assert.equal(step.serviceAccount, INVOKER);
    assert.equal(step.role, 'roles/iam.workloadIdentityUser');

    const dry = await runCli(['fix'], env, dir);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.ok(!dry.stdout.includes('MANUAL:'), dry.stdout);
    assert.ok(
      dry.stdout.includes(`IAM policy of service account ${INVOKER} (etag ${before.etag})`),
      dry.stdout,
    );
    assert.ok(dry.stdout.includes(`+ roles/iam.workloadIdentityUser  serviceAccount:${RUNTIME}`), dry.stdout);
    assert.deepEqual(grants(await getServiceAccountIamPolicy(client, INVOKER)), grants(before), 'dry run');

    const apply = await runCli(['fix', '--apply', '--yes'], env, dir);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /Undo record: /);
    const fixed = await getServiceAccountIamPolicy(client, INVOKER);
    assert.deepEqual(
      grants(fixed),
      [...grants(before), `roles/iam.workloadIdentityUser serviceAccount:${RUNTIME}`].sort(),
    );

    const verify = await runCli(['verify', '--timeout', '90s', '--interval', '300ms'], env, dir);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /VERIFIED after/);

    // Someone else lets another identity mint the account's tokens after the fix: undo keeps it.
    const later = { role: 'roles/iam.serviceAccountTokenCreator', member: 'user:someone-else@example.com' };
    await modifyPolicy(client, serviceAccountPolicy(INVOKER), (p) => addGrant(p, later), ['already-present']);

    const undo = await runCli(['undo', await undoFile(dir)], env, dir);
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.ok(
      undo.stdout.includes(
        `removed roles/iam.workloadIdentityUser from serviceAccount:${RUNTIME} on service account ${INVOKER}`,
      ),
      undo.stdout,
    );
    const after = await getServiceAccountIamPolicy(client, INVOKER);
    assert.deepEqual(grants(after), [...grants(before), `${later.role} ${later.member}`].sort());
    assert.deepEqual(after.auditConfigs, before.auditConfigs);

    // The removal propagates like the grant did; then the workload's impersonation fails again.
    await new Promise((r) => setTimeout(r, 600));
    const again = await runCli([...args, '--format', 'json'], env, dir);
    assert.equal(again.code, 1, again.stdout);
    assert.equal((JSON.parse(again.stdout) as CheckJson).findings[0]?.cause, 'iam.act_as');
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('check --impersonate: the operator is the actor; fix --apply grants it on the account, then green', async () => {
  const sb = await startSandbox({ scenario: 'iam-act-as', propagationDelayMs: 0, operationDelayMs: 0 });
  const dir = await workDir();
  try {
    const operator = operatorEmail(PROJECT);
    const args = [
      'check',
      '--project',
      PROJECT,
      '--location',
      'global',
      '--model',
      'gemini-3-pro-image-preview',
      '--impersonate',
      INVOKER,
    ];
    const refused = await runCli([...args, '--format', 'json'], sb.env, dir);
    assert.equal(refused.code, 1, refused.stderr);
    const report = JSON.parse(refused.stdout) as CheckJson;
    assert.equal(report.findings[0]?.cause, 'iam.act_as');
    assert.equal(report.context.actor, operator);
    const step = saGrantOf(report);
    assert.equal(step.member, `serviceAccount:${operator}`);
    assert.equal(step.serviceAccount, INVOKER);

    // The fix cannot go through the impersonation it repairs: the operator's own credentials make it.
    const apply = await runCli(['fix', '--apply', '--yes'], sb.env, dir);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(
      apply.stdout,
      new RegExp(`\\+ grant roles/iam\\.workloadIdentityUser to serviceAccount:${operator}`),
    );

    const green = await runCli(args, sb.env, dir);
    assert.equal(green.code, 0, green.stdout + green.stderr);
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});
