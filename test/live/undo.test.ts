/**
 * `undo` reverts exactly what `fix --apply` recorded: the grant it added goes, a grant someone
 * else made afterwards stays, a grant that was already there before the fix stays, and a Cloud
 * Run env the fix changed goes back. Through the CLI as a user runs it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { addGrant, removeGrant } from '../../src/core/policy.js';
import { adcClient } from '../../src/gcp/client.js';
import { getServiceAccount } from '../../src/gcp/iam.js';
import { getIamPolicy } from '../../src/gcp/resourcemanager.js';
import { getRunService, runServiceEnv, runServiceName } from '../../src/gcp/run.js';
import { modifyPolicy } from '../../src/live/iam-write.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { checkInvocation, runCli, workDir } from './harness.js';

function grants(p: Policy): string[] {
  return (p.bindings ?? [])
    .flatMap((b) => b.members.map((m) => `${b.role} ${m}${b.condition ? ' (cond)' : ''}`))
    .sort();
}

async function undoFile(dir: string): Promise<string> {
  const f = (await readdir(join(dir, '.genai-doctor'))).find((x) => x.startsWith('undo-'));
  assert.ok(f, 'fix --apply wrote an undo record');
  return join(dir, '.genai-doctor', f);
}

test('undo removes the grant fix added and keeps a grant made after the fix', async () => {
  const sb = await startSandbox({
    scenario: 'iam-missing-permission',
    propagationDelayMs: 300,
    operationDelayMs: 0,
  });
  const dir = await workDir();
  try {
    Object.assign(process.env, sb.env);
    const client = await adcClient();
    const project = sb.scenario.call.cloudRun?.project ?? sb.scenario.call.project;
    const before = await getIamPolicy(client, project);
    const { args, env } = checkInvocation(sb);
    assert.equal((await runCli(args, env, dir)).code, 1);
    const apply = await runCli(['fix', '--apply', '--yes'], env, dir);
    assert.equal(apply.code, 0, apply.stderr);
    const fixed = await getIamPolicy(client, project);
    assert.ok(grants(fixed).length > grants(before).length, 'the fix added a grant');

    const later = { role: 'roles/logging.viewer', member: 'user:someone-else@example.com' };
    await modifyPolicy(client, project, (p) => addGrant(p, later), ['already-present']);

    const undo = await runCli(['undo', await undoFile(dir)], env, dir);
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.match(undo.stdout, /removed roles\/aiplatform\.user/);
    const after = await getIamPolicy(client, project);
    assert.deepEqual(grants(after), [...grants(before), `${later.role} ${later.member}`].sort());
    assert.deepEqual(after.auditConfigs, before.auditConfigs);

    const again = await runCli(['undo', await undoFile(dir)], env, dir);
    assert.equal(again.code, 2, 'a record is undone once');
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('undo restores the Cloud Run env and removes the grant: the policy is as before the fix', async () => {
  const sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 300, operationDelayMs: 0 });
  const dir = await workDir();
  try {
    Object.assign(process.env, sb.env);
    const client = await adcClient();
    const run = sb.scenario.call.cloudRun!;
    const name = runServiceName(run.project, run.region, run.service);
    const envBefore = runServiceEnv(await getRunService(client, name));
    const policyBefore = await getIamPolicy(client, run.project);
    const { args, env } = checkInvocation(sb);
    const check = await runCli([...args, '--format', 'json'], env, dir);
    assert.equal(check.code, 1);
    // The option that corrects the env and grants, without creating a service account.
    const plan = (
      JSON.parse(check.stdout) as {
        plan: { options: Array<{ id: string; steps: Array<{ kind: string; key?: string }> }> };
      }
    ).plan;
    const option = plan.options.find(
      (o) =>
        o.steps.some((st) => st.kind === 'set_config' && st.key === 'GOOGLE_CLOUD_PROJECT') &&
        o.steps.some((st) => st.kind === 'grant_role') &&
        !o.steps.some((st) => st.kind === 'create_service_account'),
    );
    assert.ok(option, `no env+grant option in ${plan.options.map((o) => o.id).join(', ')}`);
    const apply = await runCli(['fix', '--apply', '--yes', '--option', option.id], env, dir);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const envFixed = runServiceEnv(await getRunService(client, name));
    assert.notEqual(envFixed.GOOGLE_CLOUD_PROJECT, envBefore.GOOGLE_CLOUD_PROJECT);

    const undo = await runCli(['undo', await undoFile(dir)], env, dir);
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.deepEqual(runServiceEnv(await getRunService(client, name)), envBefore);
    assert.deepEqual(grants(await getIamPolicy(client, run.project)), grants(policyBefore));
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('fix refuses to run without --yes off a terminal, and without a check record', async () => {
  const dir = await workDir();
  try {
    const none = await runCli(['fix'], {}, dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /run genai-doctor check first/);
    const sb = await startSandbox({
      scenario: 'iam-missing-permission',
      propagationDelayMs: 300,
      operationDelayMs: 0,
    });
    try {
      const { args, env } = checkInvocation(sb);
      await runCli(args, env, dir);
      const noYes = await runCli(['fix', '--apply'], env, dir);
      assert.equal(noYes.code, 2);
      assert.match(noYes.stderr, /refusing to apply without --yes/);

      // A plan edited to grant a primitive or a service-agent role is refused, even with --yes.
      const record = JSON.parse(await readFile(join(dir, '.genai-doctor', 'last-check.json'), 'utf8'));
      for (const role of ['roles/editor', 'roles/aiplatform.serviceAgent']) {
        for (const o of record.plan.options) {
          for (const st of o.steps) if (st.kind === 'grant_role') st.role = role;
        }
        const edited = join(dir, `edited-${role.replace(/\W/g, '_')}.json`);
        await writeFile(edited, JSON.stringify(record));
        const refused = await runCli(['fix', '--apply', '--yes', '--from', edited], env, dir);
        assert.equal(refused.code, 2, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /refusing to grant/);
      }
    } finally {
      await sb.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('undo never deletes a service account something still uses, and says Undone. only once it is restored', async () => {
  const sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 100, operationDelayMs: 0 });
  const dir = await workDir();
  try {
    const client = await adcClient(sb.env);
    const run = sb.scenario.call.cloudRun!;
    const name = runServiceName(run.project, run.region, run.service);
    const runBefore = await getRunService(client, name);
    const { args, env } = checkInvocation(sb);
    assert.equal((await runCli(args, env, dir)).code, 1);
    const apply = await runCli(
      ['fix', '--apply', '--yes', '--option', 'dedicated-service-account'],
      env,
      dir,
    );
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const sa = (await getRunService(client, name)).template?.serviceAccount ?? '';
    assert.match(sa, /genai-adk-python-sa@/, 'the service now runs as the new account');

    // A colleague gives the new account a role of its own: deleting it would break that.
    const theirs = { role: 'roles/logging.viewer', member: `serviceAccount:${sa}` };
    await modifyPolicy(client, run.project, (p) => addGrant(p, theirs), ['already-present']);
    const file = await undoFile(dir);
    const partial = await runCli(['undo', file], env, dir);
    assert.equal(partial.code, 1, partial.stdout + partial.stderr);
    assert.match(
      partial.stdout,
      new RegExp(`service account ${sa} is still in use \\(roles/logging\\.viewer`),
    );
    assert.doesNotMatch(partial.stdout, /^Undone\./m);
    assert.ok(await getServiceAccount(client, sa), 'the account in use is kept');
    assert.equal(
      (await getRunService(client, name)).template?.serviceAccount ?? '',
      runBefore.template?.serviceAccount ?? '',
    );

    // Once nothing uses it, the same record finishes the job.
    await modifyPolicy(client, run.project, (p) => removeGrant(p, theirs), ['not-present']);
    const rest = await runCli(['undo', file], env, dir);
    assert.equal(rest.code, 0, rest.stdout + rest.stderr);
    assert.match(rest.stdout, /deleted service account/);
    assert.match(rest.stdout, /^Undone\./m);
    await assert.rejects(getServiceAccount(client, sa), (e: { httpStatus?: number }) => e.httpStatus === 404);
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});
