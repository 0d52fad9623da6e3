/**
 * `undo FILE`: reverts exactly what one `fix --apply` recorded, newest change first.
 *
 * Decisions (documented in docs/live.md):
 * - A binding is removed only if the record says the fix ADDED it (`already-present` grants are
 *   left alone), from the policy it went in (the project's, or a service account's own). An allow policy does not say who added a member, so if someone granted the very
 *   same role to the very same member after the fix, that grant is indistinguishable from ours:
 *   undo removes it and says so, which restores the exact pre-fix state the record describes.
 *   Every other binding, condition and auditConfig is kept (etag-safe read-modify-write).
 * - A Cloud Run service is put back only if it still carries what the fix set; if someone changed
 *   it since, undo leaves it and reports the difference instead of overwriting their change.
 * - Custom roles and service accounts the fix created are deleted (both are restorable for a
 *   while with `undelete`); ones that already existed are kept.
 * - APIs the fix enabled stay enabled (other things may use them by now); undo prints the command.
 */
import { type Grant, removeGrant } from '../core/policy.js';
import type { GcpClient } from '../gcp/client.js';
import { describeError, isNotFound } from '../gcp/errors.js';
import { deleteCustomRole, deleteServiceAccount } from '../gcp/iam.js';
import { getRunService, runServiceEnv } from '../gcp/run.js';
import { type AppliedChange, applyCloudRun, type UndoRecord } from './fix.js';
import {
  modifyPolicy,
  type PolicyResource,
  projectPolicy,
  type RmwOptions,
  serviceAccountPolicy,
} from './iam-write.js';

export interface UndoStep {
  change: AppliedChange['kind'];
  outcome: 'reverted' | 'kept' | 'not-present' | 'skipped-changed-since' | 'manual' | 'failed';
  detail: string;
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
    const mark =
      s.outcome === 'reverted' ? '-' : s.outcome === 'failed' ? '✗' : s.outcome === 'manual' ? '!' : '=';
    log(`${mark} ${s.detail}`);
  };
  for (const c of [...record.changes].reverse()) {
    try {
      switch (c.kind) {
        case 'cloud_run_updated': {
          const svc = await getRunService(client, c.name);
          const env = runServiceEnv(svc);
          const sameSa = (svc.template?.serviceAccount ?? '') === c.after.serviceAccount;
          const sameEnv = Object.entries(c.after.env).every(([k, v]) => (env[k] ?? null) === v);
          if (!sameSa || !sameEnv) {
            push({
              change: c.kind,
              outcome: 'skipped-changed-since',
              detail: `Cloud Run ${c.name} changed since the fix; left as it is (before the fix: ${JSON.stringify(c.before)})`,
            });
            break;
          }
          await applyCloudRun(client, c.name, c.before.serviceAccount, c.before.env);
          push({
            change: c.kind,
            outcome: 'reverted',
            detail: `Cloud Run ${c.name} back to ${c.before.serviceAccount || 'the default compute account'} and ${JSON.stringify(c.before.env)}`,
          });
          break;
        }
        case 'binding_added':
          push(
            await undoBinding(
              client,
              c,
              projectPolicy(c.project),
              { role: c.role, member: c.member, ...(c.condition ? { condition: c.condition } : {}) },
              rmw,
            ),
          );
          break;
        case 'service_account_binding_added':
          push(
            await undoBinding(
              client,
              c,
              serviceAccountPolicy(c.serviceAccount),
              { role: c.role, member: c.member },
              rmw,
            ),
          );
          break;
        case 'custom_role_created':
          push(
            await undoCreated(
              c,
              `custom role ${c.name}`,
              () => deleteCustomRole(client, c.name),
              `deleted custom role ${c.name} (gcloud iam roles undelete restores it for 7 days)`,
            ),
          );
          break;
        case 'service_account_created':
          push(
            await undoCreated(
              c,
              `service account ${c.email}`,
              () => deleteServiceAccount(client, c.email),
              `deleted service account ${c.email} (restorable for 30 days with gcloud iam service-accounts undelete)`,
            ),
          );
          break;
        case 'service_enabled':
          push({
            change: c.kind,
            outcome: 'manual',
            detail: `${c.service} stays enabled on ${c.project}; if nothing else uses it: gcloud services disable ${c.service} --project=${c.project}`,
          });
          break;
      }
    } catch (e) {
      push({ change: c.kind, outcome: 'failed', detail: `could not revert ${c.kind}: ${describeError(e)}` });
    }
  }
  return steps;
}

/**
 * A binding the fix added is removed from the policy it went in (etag-safe, nothing else in the
 * policy touched); one that was there before the fix is kept.
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
  return res.outcome === 'not-present'
    ? { change: c.kind, outcome: 'not-present', detail: `${what} is already gone` }
    : {
        change: c.kind,
        outcome: 'reverted',
        detail: `removed ${c.role} from ${c.member} on ${resource.label} (${res.attempts} attempt(s), ${res.conflicts} conflict(s))`,
      };
}

/**
 * A resource the fix created is deleted (already gone counts as deleted); one that existed
 * before the fix is the user's and is kept.
 */
async function undoCreated<K extends string>(
  change: { kind: K; existed?: boolean },
  what: string,
  remove: () => Promise<unknown>,
  deleted: string,
): Promise<{ change: K; outcome: 'kept' | 'reverted'; detail: string }> {
  if (change.existed)
    return { change: change.kind, outcome: 'kept', detail: `${what} existed before the fix; kept` };
  await remove().catch((e) => {
    if (!isNotFound(e)) throw e;
  });
  return { change: change.kind, outcome: 'reverted', detail: deleted };
}
