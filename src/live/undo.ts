/**
 * `undo FILE`: reconciles one `fix --apply` record with the live state and reverts exactly what is
 * really there, newest change first. A change the record holds as `intended` (the run was killed
 * or lost the answer mid-call) is looked up like any other: present means it happened.
 *
 * Decisions (documented in docs/live.md):
 * - A binding is removed only if the record says the fix ADDED it (`already-present` grants are
 *   left alone; an intent is saved only after a read showed the binding absent), from the policy
 *   it went in. An allow policy does not say who added a member, so if someone granted the very
 *   same role to the very same member after the fix, that grant is indistinguishable from ours:
 *   undo removes it and says so. Every other binding, condition and auditConfig is kept
 *   (etag-safe read-modify-write).
 * - A Cloud Run service is put back only if it still carries what the fix set; if someone changed
 *   it since, undo leaves it and reports the difference instead of overwriting their change.
 * - Custom roles and service accounts the fix created are deleted (both are restorable for a
 *   while with `undelete`), unless something still uses the account: a Cloud Run service of its
 *   project running as it, or a binding naming it. Ones that already existed are kept.
 * - APIs the fix enabled stay enabled (other things may use them by now); undo prints the command.
 * - Every revert is read back; only a read-back showing the pre-fix state counts as reverted.
 */
import type { Policy } from '../core/iam.js';
import { type Grant, hasGrant, removeGrant } from '../core/policy.js';
import type { GcpClient } from '../gcp/client.js';
import { describeError, isNotFound } from '../gcp/errors.js';
import { deleteCustomRole, deleteServiceAccount, getRole, getServiceAccount } from '../gcp/iam.js';
import { getIamPolicy } from '../gcp/resourcemanager.js';
import { getRunService, listRunServices, type RunService } from '../gcp/run.js';
import { applyCloudRun, cloudRunMatches } from './apply.js';
import type { AppliedChange, UndoRecord } from './fix.js';
import {
  modifyPolicy,
  type PolicyResource,
  projectPolicy,
  type RmwOptions,
  serviceAccountPolicy,
} from './iam-write.js';

export interface UndoStep {
  change: AppliedChange['kind'];
  outcome: 'reverted' | 'kept' | 'not-present' | 'skipped-changed-since' | 'in-use' | 'manual' | 'failed';
  detail: string;
}

/** Outcomes after which the live state is what the record says it was before the fix. */
const RESTORED: ReadonlySet<UndoStep['outcome']> = new Set(['reverted', 'kept', 'not-present', 'manual']);

export function fullyUndone(steps: UndoStep[]): boolean {
  return steps.every((s) => RESTORED.has(s.outcome));
}

export async function runUndo(
  record: UndoRecord,
  client: GcpClient,
  log: (line: string) => void,
  rmw?: RmwOptions,
): Promise<UndoStep[]> {
  const steps: UndoStep[] = [];
  const push = (s: UndoStep) => {
    steps.push(s);
    const mark = s.outcome === 'reverted' ? '-' : RESTORED.has(s.outcome) ? '=' : '✗';
    log(`${s.outcome === 'manual' ? '!' : mark} ${s.detail}`);
  };
  for (const c of [...record.changes].reverse()) {
    try {
      push(await undoOne(c, record, client, rmw));
    } catch (e) {
      push({ change: c.kind, outcome: 'failed', detail: `could not revert ${c.kind}: ${describeError(e)}` });
    }
  }
  return steps;
}

async function undoOne(
  c: AppliedChange,
  record: UndoRecord,
  client: GcpClient,
  rmw: RmwOptions | undefined,
): Promise<UndoStep> {
  if (c.state === 'not-applied')
    return { change: c.kind, outcome: 'not-present', detail: `${describeChange(c)}: never applied` };
  switch (c.kind) {
    case 'cloud_run_updated': {
      const svc = await settledRunService(client, c.name);
      if (cloudRunMatches(svc, c.before))
        return {
          change: c.kind,
          outcome: 'not-present',
          detail: `Cloud Run ${c.name} already runs as before the fix`,
        };
      if (!cloudRunMatches(svc, c.after))
        return {
          change: c.kind,
          outcome: 'skipped-changed-since',
          detail: `Cloud Run ${c.name} changed since the fix; left as it is (before the fix: ${JSON.stringify(c.before)})`,
        };
      await applyCloudRun(client, c.name, c.before.serviceAccount, c.before.env);
      if (!cloudRunMatches(await getRunService(client, c.name), c.before))
        return {
          change: c.kind,
          outcome: 'failed',
          detail: `Cloud Run ${c.name}: the revert was accepted but the service does not show it`,
        };
      return {
        change: c.kind,
        outcome: 'reverted',
        detail: `Cloud Run ${c.name} back to ${c.before.serviceAccount || 'the default compute account'} and ${JSON.stringify(c.before.env)}`,
      };
    }
    case 'binding_added':
      return undoBinding(
        client,
        c,
        projectPolicy(c.project),
        { role: c.role, member: c.member, ...(c.condition ? { condition: c.condition } : {}) },
        rmw,
      );
    case 'service_account_binding_added':
      return undoBinding(
        client,
        c,
        serviceAccountPolicy(c.serviceAccount),
        { role: c.role, member: c.member },
        rmw,
      );
    case 'custom_role_created': {
      if (c.existed) return kept(c, `custom role ${c.name}`);
      const live = await getRole(client, c.name).catch(notFoundAsUndefined);
      if (!live || live.deleted) return gone(c, `custom role ${c.name}`);
      await deleteCustomRole(client, c.name).catch(ignoreNotFound);
      const after = await getRole(client, c.name).catch(notFoundAsUndefined);
      if (after && !after.deleted) return readBackFailed(c, `custom role ${c.name}`);
      return {
        change: c.kind,
        outcome: 'reverted',
        detail: `deleted custom role ${c.name} (gcloud iam roles undelete restores it for 7 days)`,
      };
    }
    case 'service_account_created': {
      if (c.existed) return kept(c, `service account ${c.email}`);
      if (!(await getServiceAccount(client, c.email).catch(notFoundAsUndefined)))
        return gone(c, `service account ${c.email}`);
      const users = await usersOf(client, c.email, [c.project, record.target.project]);
      if (users.length)
        return {
          change: c.kind,
          outcome: 'in-use',
          detail: `service account ${c.email} is still in use (${users.join('; ')}); not deleted`,
        };
      await deleteServiceAccount(client, c.email).catch(ignoreNotFound);
      if (await getServiceAccount(client, c.email).catch(notFoundAsUndefined))
        return readBackFailed(c, `service account ${c.email}`);
      return {
        change: c.kind,
        outcome: 'reverted',
        detail: `deleted service account ${c.email} (restorable for 30 days with gcloud iam service-accounts undelete)`,
      };
    }
    case 'service_enabled':
      return {
        change: c.kind,
        outcome: 'manual',
        detail: `${c.service} stays enabled on ${c.project}; if nothing else uses it: gcloud services disable ${c.service} --project=${c.project}`,
      };
  }
}

/**
 * The service once no rollout is in progress: a fix killed right after its PATCH was accepted
 * leaves the service reconciling, and only the settled service says what it now runs as.
 */
async function settledRunService(client: GcpClient, name: string): Promise<RunService> {
  const deadline = Date.now() + 300_000;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    const svc = await getRunService(client, name);
    if (svc.reconciling !== true || Date.now() > deadline) return svc;
    await new Promise((r) => setTimeout(r, wait));
  }
}

function describeChange(c: AppliedChange): string {
  switch (c.kind) {
    case 'binding_added':
      return `${c.role} for ${c.member} on project ${c.project}`;
    case 'service_account_binding_added':
      return `${c.role} for ${c.member} on service account ${c.serviceAccount}`;
    case 'cloud_run_updated':
      return `Cloud Run ${c.name}`;
    case 'custom_role_created':
      return `custom role ${c.name}`;
    case 'service_account_created':
      return `service account ${c.email}`;
    case 'service_enabled':
      return `${c.service} on ${c.project}`;
  }
}

const kept = (c: AppliedChange, what: string): UndoStep => ({
  change: c.kind,
  outcome: 'kept',
  detail: `${what} existed before the fix; kept`,
});
const gone = (c: AppliedChange, what: string): UndoStep => ({
  change: c.kind,
  outcome: 'not-present',
  detail: `${what} is not there (never created, or already deleted)`,
});
const readBackFailed = (c: AppliedChange, what: string): UndoStep => ({
  change: c.kind,
  outcome: 'failed',
  detail: `${what}: the delete was accepted but reading it back still shows it`,
});

function notFoundAsUndefined(e: unknown): undefined {
  if (isNotFound(e)) return undefined;
  throw e;
}

function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) throw e;
}

/**
 * What still runs as or names `email`: Cloud Run services of the projects running as it, and
 * bindings on the projects' policies. Deleting such an account would break them.
 */
async function usersOf(
  client: GcpClient,
  email: string,
  projects: Array<string | undefined>,
): Promise<string[]> {
  const users: string[] = [];
  const member = `serviceAccount:${email}`;
  for (const project of new Set(projects.filter((p): p is string => Boolean(p)))) {
    for (const svc of await listRunServices(client, project))
      if (svc.template?.serviceAccount === email) users.push(`Cloud Run ${svc.name} runs as it`);
    const policy: Policy = await getIamPolicy(client, project);
    for (const b of policy.bindings ?? [])
      if (b.members.includes(member)) users.push(`${b.role} on project ${project}`);
  }
  return users;
}

/**
 * A binding the fix added is removed from the policy it went in (etag-safe, nothing else in the
 * policy touched) and read back; one that was there before the fix is kept.
 */
async function undoBinding(
  client: GcpClient,
  c: Extract<AppliedChange, { kind: 'binding_added' | 'service_account_binding_added' }>,
  resource: PolicyResource,
  grant: Grant,
  rmw: RmwOptions | undefined,
): Promise<UndoStep> {
  const what = `${c.role} for ${c.member} on ${resource.label}`;
  if (c.outcome === 'already-present')
    return { change: c.kind, outcome: 'kept', detail: `${what} was there before the fix; kept` };
  const res = await modifyPolicy(client, resource, (p) => removeGrant(p, grant), ['not-present'], rmw);
  if (res.outcome === 'not-present')
    return {
      change: c.kind,
      outcome: 'not-present',
      detail: `${what} is not there (never applied, or already removed)`,
    };
  if (hasGrant(await resource.get(client), grant))
    return {
      change: c.kind,
      outcome: 'failed',
      detail: `${what}: removed, but reading the policy back still shows it`,
    };
  return {
    change: c.kind,
    outcome: 'reverted',
    detail: `removed ${c.role} from ${c.member} on ${resource.label} (${res.attempts} attempt(s), ${res.conflicts} conflict(s))`,
  };
}
