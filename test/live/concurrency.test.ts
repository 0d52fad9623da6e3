/**
 * Many writers change the same project policy while `fix --apply` runs (as a user runs it, a
 * child process): every writer's bindings and the fix's binding must be there afterwards, and
 * every binding that existed before must still exist. Writers use raw getIamPolicy/setIamPolicy
 * with their own etag retry, independent of the code under test.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { adcClient, type GcpClient } from '../../src/gcp/client.js';
import { isConcurrentModification } from '../../src/gcp/errors.js';
import { getIamPolicy, setIamPolicy } from '../../src/gcp/resourcemanager.js';
import type { UndoRecord } from '../../src/live/fix.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { checkInvocation, runCli, workDir } from './harness.js';

const WRITERS = 8;
/**
 * Rounds after which a writer stops even if the fix is still running. On a quiet machine the fix
 * lands within 3-5 attempts, while the writers make 35-120 rounds in all; a storm with no end,
 * on a loaded CI machine, starved it for all 20 attempts, which it then rightly refused (nothing
 * written, exit 1). Real policies are not written to without pause; the race stays real for the
 * fix's first attempts, and it must then land.
 */
const MAX_ROUNDS = 25;
const ROLE = 'roles/logging.viewer';

let sb: Sandbox;
let dir: string;

before(async () => {
  sb = await startSandbox({
    scenario: 'iam-missing-permission',
    propagationDelayMs: 300,
    operationDelayMs: 0,
    latencyMs: 15,
  });
  // A little per-request latency widens every read-modify-write window, so the fix really races.
  // This file runs in its own process: the in-process writers talk to this sandbox.
  Object.assign(process.env, sb.env);
  dir = await workDir();
});

after(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface WriterStats {
  rounds: number;
  conflicts: number;
  members: string[];
}

/** One writer: adds its own member per round with a raw read-modify-write, retrying on 409. */
async function writer(
  client: GcpClient,
  project: string,
  id: number,
  until: () => boolean,
): Promise<WriterStats> {
  const stats: WriterStats = { rounds: 0, conflicts: 0, members: [] };
  while ((!until() || stats.rounds < 3) && stats.rounds < MAX_ROUNDS) {
    const member = `user:writer-${id}-${stats.rounds}@example.com`;
    for (;;) {
      const policy: Policy = await getIamPolicy(client, project);
      const bindings = [...(policy.bindings ?? [])];
      const i = bindings.findIndex((b) => b.role === ROLE && !b.condition);
      if (i >= 0) bindings[i] = { ...bindings[i]!, members: [...bindings[i]!.members, member] };
      else bindings.push({ role: ROLE, members: [member] });
      try {
        await setIamPolicy(client, project, { ...policy, bindings });
        break;
      } catch (e) {
        if (!isConcurrentModification(e)) throw e;
        stats.conflicts++;
        await new Promise((r) => setTimeout(r, Math.random() * 20));
      }
    }
    stats.members.push(member);
    stats.rounds++;
  }
  return stats;
}

test('no binding is lost when 8 writers race fix --apply on the same policy', async () => {
  const project = sb.scenario.call.cloudRun?.project ?? sb.scenario.call.project;
  const client = await adcClient();
  const original = await getIamPolicy(client, project);
  const { args, env } = checkInvocation(sb);
  const check = await runCli(args, env, dir);
  assert.equal(check.code, 1, check.stderr);

  let fixDone = false;
  const writers = Array.from({ length: WRITERS }, (_, i) => writer(client, project, i, () => fixDone));
  const fix = await runCli(['fix', '--apply', '--yes'], env, dir);
  fixDone = true;
  const stats = await Promise.all(writers);
  assert.equal(fix.code, 0, fix.stdout + fix.stderr);

  const final = await getIamPolicy(client, project);
  const has = (role: string, member: string) =>
    (final.bindings ?? []).some((b) => b.role === role && !b.condition && b.members.includes(member));
  for (const s of stats) for (const m of s.members) assert.ok(has(ROLE, m), `writer binding ${m} lost`);
  for (const b of original.bindings ?? []) {
    for (const m of b.members) {
      assert.ok(
        (final.bindings ?? []).some((x) => x.role === b.role && x.members.includes(m)),
        `original ${b.role} ${m} lost`,
      );
    }
  }
  assert.deepEqual(final.auditConfigs, original.auditConfigs);

  const undoFile = (await readdir(join(dir, '.genai-doctor'))).find((f) => f.startsWith('undo-'));
  assert.ok(undoFile, 'fix wrote an undo record');
  const undo = JSON.parse(await readFile(join(dir, '.genai-doctor', undoFile), 'utf8')) as UndoRecord;
  const grants = undo.changes.filter((c) => c.kind === 'binding_added');
  assert.ok(grants.length > 0);
  for (const g of grants) assert.ok(has(g.role, g.member), `fix binding ${g.role} ${g.member} lost`);

  const rounds = stats.reduce((a, s) => a + s.rounds, 0);
  const conflicts = stats.reduce((a, s) => a + s.conflicts, 0);
  const fixConflicts = grants.reduce((a, g) => a + (g.kind === 'binding_added' ? g.conflicts : 0), 0);
  const fixAttempts = grants.reduce((a, g) => a + (g.kind === 'binding_added' ? g.attempts : 0), 0);
  console.log(
    `concurrency: ${WRITERS} writers, ${rounds} rounds, ${conflicts} writer 409s; fix: ${fixAttempts} attempt(s), ${fixConflicts} 409(s); ${stats.flatMap((s) => s.members).length + grants.length} bindings written, none lost`,
  );
});

test('a write between read and write gets 409 and the whole cycle is redone', async () => {
  const { modifyPolicy } = await import('../../src/live/iam-write.js');
  const { addGrant } = await import('../../src/core/policy.js');
  const project = sb.scenario.call.cloudRun?.project ?? sb.scenario.call.project;
  const client = await adcClient();
  let sneaked = 0;
  const res = await modifyPolicy(
    client,
    project,
    async (p) => {
      // Another writer lands its change after our read, on the first two attempts.
      if (sneaked < 2) {
        sneaked++;
        await setIamPolicy(client, project, {
          ...p,
          bindings: [...(p.bindings ?? []), { role: ROLE, members: [`user:sneaky-${sneaked}@example.com`] }],
        });
      }
      return addGrant(p, { role: ROLE, member: 'user:fixer@example.com' });
    },
    ['already-present'],
    { baseDelayMs: 50 },
  );
  const final = await getIamPolicy(client, project);
  const members = (final.bindings ?? []).filter((b) => b.role === ROLE).flatMap((b) => b.members);
  assert.equal(res.conflicts, 2);
  assert.equal(res.attempts, 3);
  for (const m of ['user:fixer@example.com', 'user:sneaky-1@example.com', 'user:sneaky-2@example.com']) {
    assert.ok(members.includes(m), `${m} lost`);
  }
  console.log(`forced race: ${res.attempts} attempts, ${res.conflicts} 409(s), all bindings kept`);
});
