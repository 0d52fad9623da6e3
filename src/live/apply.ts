/**
 * `fix --apply`: runs the actions with a write-ahead record. Each change is saved as `intended`
 * BEFORE its API call and marked `done` / `not-applied` after it; when the call fails without
 * Google's answer (the connection dropped, a gateway 5xx), the live state is read back to learn
 * which. A run killed at any moment therefore leaves a record that names every change that may
 * have happened, and `undo` reconciles it with what is really there.
 *
 * A stop request (SIGINT / SIGTERM, through `stopRequested`) lets the step in flight finish, records
 * it, and stops before the next one; the record's `interrupted` says so.
 */
import type { PlanOption } from '../core/model.js';
import { addGrant, hasGrant } from '../core/policy.js';
import type { GcpClient } from '../gcp/client.js';
import { describeError, isAlreadyExists, isGoogleApiError, isNotFound } from '../gcp/errors.js';
import {
  createCustomRole,
  createServiceAccount,
  getRole,
  getServiceAccount,
  serviceAccountEmail,
} from '../gcp/iam.js';
import { getRunService, patchRunService, type RunService, runServiceEnv } from '../gcp/run.js';
import { enableService, getService } from '../gcp/serviceusage.js';
import type { CheckRecord } from './check.js';
import {
  type Action,
  type AppliedChange,
  describeAction,
  type FixContext,
  type Interruption,
  policyOf,
  type StepState,
  type UndoRecord,
} from './fix.js';
import { modifyPolicy } from './iam-write.js';
import { undoFileName, writeState, writeStateSync } from './state.js';

export interface ApplyContext extends FixContext {
  /** The signal that asked the run to stop, once one did (checked between steps). */
  stopRequested?: () => string | undefined;
}

export interface ApplyResult {
  undoPath: string;
  undo: UndoRecord;
  /** Set when a stop request ended the run before its last step. */
  stopped?: Interruption;
}

/**
 * True when a failed call may still have taken effect: no HTTP answer at all (connection reset,
 * timeout) or a 5xx, which a gateway can send after the backend applied the change.
 */
export function outcomeUnknown(e: unknown): boolean {
  if (!isGoogleApiError(e)) return true;
  return e.httpStatus === 0 || e.httpStatus >= 500;
}

/** The undo record of one run, saved (atomically) after every state change. */
export class Journal {
  private path: string | undefined;

  constructor(
    readonly record: UndoRecord,
    private readonly file: string,
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  async save(): Promise<string> {
    this.path = await writeState(this.file, this.record, this.env);
    return this.path;
  }

  /** For an exit that cannot wait (a second Ctrl-C): the record as it stands, synchronously. */
  saveNow(): void {
    writeStateSync(this.file, this.record, this.env);
  }

  /** Saves `change` as intended: from here on, undo looks for it in the live state. */
  async intend<C extends AppliedChange>(change: C): Promise<C> {
    change.state = 'intended';
    this.record.changes.push(change);
    await this.save();
    return change;
  }

  async settle(
    change: AppliedChange,
    state: StepState,
    confirmedBy: 'response' | 'read-back',
  ): Promise<void> {
    change.state = state;
    change.confirmedBy = confirmedBy;
    await this.save();
  }

  /**
   * Runs the call of an intended change (`change()` is undefined until the intent is saved) and
   * settles it: done on an answer; on a failure whose outcome is unknown, whatever a read-back
   * shows; not-applied when Google refused. Returns undefined when only the read-back confirmed it.
   */
  async confirm<T>(
    change: () => AppliedChange | undefined,
    call: () => Promise<T>,
    inPlace: () => Promise<boolean>,
  ): Promise<T | undefined> {
    try {
      const result = await call();
      const c = change();
      if (c) await this.settle(c, 'done', 'response');
      return result;
    } catch (e) {
      const c = change();
      if (!c) throw e;
      if (outcomeUnknown(e) && (await inPlace().catch(() => false))) {
        await this.settle(c, 'done', 'read-back');
        return undefined;
      }
      // An unknown outcome whose read-back failed too stays `intended`: undo will look.
      if (!outcomeUnknown(e)) await this.settle(c, 'not-applied', 'response');
      throw e;
    }
  }
}

/** The next revision's spec and mask for a service-account / env change; `before` for undo. */
export function cloudRunEdit(
  svc: RunService,
  serviceAccount: string | undefined,
  env: Record<string, string | null>,
): { next: RunService; mask: string[]; change: Extract<AppliedChange, { kind: 'cloud_run_updated' }> } {
  const current = runServiceEnv(svc);
  const before = {
    serviceAccount: svc.template?.serviceAccount ?? '',
    env: Object.fromEntries(Object.keys(env).map((k) => [k, current[k] ?? null])),
  };
  const next = structuredClone(svc);
  next.template = next.template ?? {};
  const mask: string[] = [];
  if (serviceAccount !== undefined) {
    next.template.serviceAccount = serviceAccount;
    mask.push('template.serviceAccount');
  }
  if (Object.keys(env).length) {
    setEnv(next, env);
    mask.push('template.containers');
  }
  return {
    next,
    mask,
    change: {
      kind: 'cloud_run_updated',
      name: svc.name,
      before,
      after: { serviceAccount: serviceAccount ?? before.serviceAccount, env },
    },
  };
}

/** Whether the live service runs as `serviceAccount` with `env` (null: unset). */
export function cloudRunMatches(
  svc: RunService,
  state: { serviceAccount: string; env: Record<string, string | null> },
): boolean {
  const env = runServiceEnv(svc);
  return (
    (svc.template?.serviceAccount ?? '') === state.serviceAccount &&
    Object.entries(state.env).every(([k, v]) => (env[k] ?? null) === v)
  );
}

function setEnv(svc: RunService, env: Record<string, string | null>): void {
  const container = svc.template?.containers?.[0];
  if (!container) throw new Error(`Cloud Run ${svc.name} has no container to set env on`);
  let list = [...(container.env ?? [])];
  for (const [name, value] of Object.entries(env)) {
    list = list.filter((e) => e.name !== name);
    if (value !== null) list.push({ name, value });
  }
  container.env = list;
}

/** Applies one Cloud Run change set in one revision (used by undo to put the old one back). */
export async function applyCloudRun(
  client: GcpClient,
  name: string,
  serviceAccount: string | undefined,
  env: Record<string, string | null>,
): Promise<Extract<AppliedChange, { kind: 'cloud_run_updated' }>> {
  const { next, mask, change } = cloudRunEdit(await getRunService(client, name), serviceAccount, env);
  await patchRunService(client, next, mask);
  return change;
}

/** Creates a resource unless it exists; true when it was there already (then undo keeps it). */
async function createOnce(
  journal: Journal,
  change: Extract<AppliedChange, { kind: 'custom_role_created' | 'service_account_created' }>,
  exists: () => Promise<boolean>,
  create: () => Promise<unknown>,
): Promise<boolean> {
  if (await exists()) {
    change.existed = true;
    journal.record.changes.push(change);
    await journal.settle(change, 'done', 'read-back');
    return true;
  }
  change.existed = false;
  const c = await journal.intend(change);
  try {
    await journal.confirm(() => c, create, exists);
    return false;
  } catch (e) {
    // Someone else created it between our read and our call: theirs, so undo keeps it.
    if (!isAlreadyExists(e)) throw e;
    c.existed = true;
    await journal.settle(c, 'done', 'response');
    return true;
  }
}

const existsBy = (get: () => Promise<unknown>) => () =>
  get().then(
    () => true,
    (e) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );

async function applyOne(a: Action, journal: Journal, ctx: ApplyContext): Promise<void> {
  switch (a.kind) {
    case 'grant': {
      const resource = policyOf(a);
      const base = a.serviceAccount
        ? {
            kind: 'service_account_binding_added' as const,
            serviceAccount: a.serviceAccount,
            role: a.grant.role,
            member: a.grant.member,
          }
        : {
            kind: 'binding_added' as const,
            project: a.project,
            role: a.grant.role,
            member: a.grant.member,
            ...(a.grant.condition ? { condition: a.grant.condition } : {}),
          };
      let change: AppliedChange | undefined;
      const res = await journal.confirm(
        () => change,
        () =>
          modifyPolicy(ctx.client, resource, (p) => addGrant(p, a.grant), ['already-present'], {
            ...ctx.rmw,
            // The intent is saved only once a read showed the binding absent: a record never
            // claims a binding that was there before the fix (undo would remove someone's grant).
            beforeWrite: async (before) => {
              const outcome = addGrant(before, a.grant).outcome;
              change ??= await journal.intend({ ...base, outcome, attempts: 0, conflicts: 0 });
            },
          }),
        async () => hasGrant(await resource.get(ctx.client), a.grant),
      );
      if (!change) {
        change = { ...base, outcome: 'already-present', attempts: res?.attempts ?? 1, conflicts: 0 };
        journal.record.changes.push(change);
      }
      if (res && (change.kind === 'binding_added' || change.kind === 'service_account_binding_added')) {
        // Added by someone else after our first read: theirs (kept by undo).
        if (res.outcome === 'already-present') change.outcome = 'already-present';
        change.attempts = res.attempts;
        change.conflicts = res.conflicts;
      }
      await journal.settle(change, 'done', res ? 'response' : 'read-back');
      ctx.log(
        `${res?.outcome === 'already-present' ? '=' : '+'} ${describeAction(a)}` +
          (res?.outcome === 'already-present'
            ? ' (already there)'
            : res
              ? ` (${res.attempts} attempt(s), ${res.conflicts} conflict(s))`
              : ' (confirmed by reading the policy back)'),
      );
      return;
    }
    case 'enable_api': {
      const c = await journal.intend({ kind: 'service_enabled', project: a.project, service: a.service });
      await journal.confirm(
        () => c,
        () => enableService(ctx.client, a.project, a.service),
        async () => (await getService(ctx.client, a.project, a.service)).state === 'ENABLED',
      );
      ctx.log(`+ ${describeAction(a)}`);
      return;
    }
    case 'create_role': {
      const name = `projects/${a.project}/roles/${a.roleId}`;
      const existed = await createOnce(
        journal,
        { kind: 'custom_role_created', project: a.project, name, existed: false },
        existsBy(() => getRole(ctx.client, name)),
        () =>
          createCustomRole(ctx.client, a.project, a.roleId, {
            title: a.title,
            description: a.description,
            includedPermissions: a.permissions,
          }),
      );
      ctx.log(`${existed ? '=' : '+'} ${describeAction(a)}${existed ? ' (already existed)' : ''}`);
      return;
    }
    case 'create_sa': {
      const email = serviceAccountEmail(a.accountId, a.project);
      const existed = await createOnce(
        journal,
        { kind: 'service_account_created', project: a.project, email, existed: false },
        existsBy(() => getServiceAccount(ctx.client, email)),
        () => createServiceAccount(ctx.client, a.project, a.accountId, a.displayName),
      );
      ctx.log(`${existed ? '=' : '+'} ${describeAction(a)}${existed ? ' (already existed)' : ''}`);
      return;
    }
    case 'cloud_run': {
      const { next, mask, change } = cloudRunEdit(
        await getRunService(ctx.client, a.name),
        a.serviceAccount,
        a.env,
      );
      const c = await journal.intend(change);
      await journal.confirm(
        () => c,
        () => patchRunService(ctx.client, next, mask),
        async () => cloudRunMatches(await getRunService(ctx.client, a.name), c.after),
      );
      ctx.log(`+ ${describeAction(a)} (new revision rolled out)`);
      return;
    }
    case 'manual':
      ctx.log(`! ${describeAction(a)}`);
      return;
    case 'wait':
      ctx.log(`… ${describeAction(a)}`);
      return;
  }
}

export interface ApplyRun {
  /** The record, saved before the first change (the CLI's second-signal exit saves it again). */
  journal: Journal;
  done: Promise<ApplyResult>;
}

/** Starts applying; the journal is available at once so a forced exit can save it synchronously. */
export function startApply(
  actions: Action[],
  record: CheckRecord,
  option: PlanOption,
  ctx: ApplyContext,
): ApplyRun {
  const undo: UndoRecord = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    cause: record.plan.cause,
    option: option.id,
    target: {
      project: record.target?.project,
      principal: record.target?.principal,
      cloudRun: record.target?.cloudRun?.name,
    },
    changes: [],
    manual: actions.flatMap((a) => (a.kind === 'manual' ? [a.text] : [])),
    completed: false,
  };
  const journal = new Journal(undo, undoFileName(), ctx.env);
  const done = (async (): Promise<ApplyResult> => {
    const undoPath = await journal.save();
    for (const a of actions) {
      try {
        await applyOne(a, journal, ctx);
      } catch (e) {
        undo.interrupted = {
          at: new Date().toISOString(),
          by: 'error',
          inFlight: undo.changes.at(-1)?.state === 'intended' ? 'left-intended' : 'none',
          step: describeAction(a),
          detail: describeError(e),
        };
        await journal.save();
        throw e;
      }
      const signal = ctx.stopRequested?.();
      if (signal && a !== actions.at(-1)) {
        undo.interrupted = {
          at: new Date().toISOString(),
          by: signal,
          inFlight: 'finished',
          step: describeAction(a),
        };
        await journal.save();
        return { undoPath, undo, stopped: undo.interrupted };
      }
    }
    undo.completed = true;
    await journal.save();
    return { undoPath, undo };
  })();
  return { journal, done };
}

export function applyActions(
  actions: Action[],
  record: CheckRecord,
  option: PlanOption,
  ctx: ApplyContext,
): Promise<ApplyResult> {
  return startApply(actions, record, option, ctx).done;
}
