/**
 * `fix`: turns the last check's plan into changes. Dry run: what would change, with the IAM
 * policy diff computed on the LIVE policy. Apply: etag-safe grants, API enablement (LRO),
 * custom role / service account creation, and one Cloud Run revision carrying the service
 * account switch and the corrected project env. Every change is appended to an undo record as
 * soon as it is made, so even a run that stops half-way can be undone.
 */
import type { Expr, Policy } from '../core/iam.js';
import type { PlanOption, Step, Value } from '../core/model.js';
import { type AddOutcome, addGrant, type DiffStyle, type Grant, renderPolicyDiff } from '../core/policy.js';
import { isPrimitive, isServiceAgentRole } from '../core/roles/index.js';
import { adcClient, clientFromAccessToken, type GcpClient } from '../gcp/client.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { createCustomRole, createServiceAccount, serviceAccountEmail } from '../gcp/iam.js';
import { generateAccessToken } from '../gcp/iamcredentials.js';
import { getRunService, patchRunService, type RunService, runServiceEnv } from '../gcp/run.js';
import { enableService } from '../gcp/serviceusage.js';
import type { CheckRecord } from './check.js';
import {
  modifyPolicy,
  type PolicyResource,
  projectPolicy,
  type RmwOptions,
  serviceAccountPolicy,
} from './iam-write.js';
import { undoFileName, writeState } from './state.js';

export class FixRefusal extends Error {
  override readonly name = 'FixRefusal';
}

export type AppliedChange =
  | {
      kind: 'binding_added';
      project: string;
      role: string;
      member: string;
      condition?: Expr;
      outcome: AddOutcome;
      attempts: number;
      conflicts: number;
    }
  | {
      kind: 'service_account_binding_added';
      /** The service account whose own policy got the binding. */
      serviceAccount: string;
      role: string;
      member: string;
      outcome: AddOutcome;
      attempts: number;
      conflicts: number;
    }
  | { kind: 'service_enabled'; project: string; service: string }
  | { kind: 'custom_role_created'; project: string; name: string; existed: boolean }
  | { kind: 'service_account_created'; project: string; email: string; existed: boolean }
  | {
      kind: 'cloud_run_updated';
      name: string;
      before: { serviceAccount: string; env: Record<string, string | null> };
      after: { serviceAccount: string; env: Record<string, string | null> };
    };

export interface UndoRecord {
  schemaVersion: 1;
  createdAt: string;
  cause: string;
  option: string;
  target: { project?: string; principal?: string; cloudRun?: string };
  changes: AppliedChange[];
  /** Plan steps the tool does not apply (billing, quota, code changes): for a human. */
  manual: string[];
  completed: boolean;
  undoneAt?: string;
}

/** One concrete action, every Value resolved. */
export type Action =
  | {
      kind: 'grant';
      project: string;
      grant: Grant;
      why: string;
      /** Set: the binding goes on this service account's own policy, not the project's. */
      serviceAccount?: string;
    }
  | { kind: 'enable_api'; project: string; service: string; why: string }
  | {
      kind: 'create_role';
      project: string;
      roleId: string;
      title: string;
      description: string;
      permissions: string[];
      why: string;
    }
  | { kind: 'create_sa'; project: string; accountId: string; displayName: string; why: string }
  | {
      kind: 'cloud_run';
      project: string;
      name: string;
      serviceAccount?: string;
      env: Record<string, string>;
      why: string;
    }
  | { kind: 'manual'; text: string }
  | { kind: 'wait'; seconds: number };

export function chooseOption(record: CheckRecord, optionId?: string): PlanOption {
  const options = record.plan.options;
  if (options.length === 0) throw new FixRefusal('the plan has no options: nothing to fix');
  if (!optionId) return options.find((o) => o.recommended) ?? options[0]!;
  const o = options.find((x) => x.id === optionId);
  if (!o) throw new FixRefusal(`no plan option ${optionId}; options: ${options.map((x) => x.id).join(', ')}`);
  return o;
}

/** Values the check knows, by the variable names plans use. */
function knownVariables(r: CheckRecord): Record<string, string | undefined> {
  const t = r.target;
  const member = t
    ? /\.gserviceaccount\.com$/.test(t.principal)
      ? `serviceAccount:${t.principal}`
      : `user:${t.principal}`
    : undefined;
  return {
    PROJECT_ID: t?.project,
    PROJECT: t?.project,
    PROJECT_NUMBER: r.projectNumber,
    MEMBER: member,
    SERVICE_ACCOUNT: t?.principal,
    // With an actor, the principal is the account it acts as.
    TARGET_SERVICE_ACCOUNT: t?.actor ? t.principal : undefined,
    PRINCIPAL: t?.principal,
    SERVICE: t?.cloudRun?.service,
    REGION: t?.cloudRun?.region,
    LOCATION: t?.location,
    MODEL: t?.model,
  };
}

export function resolveValue(v: Value, r: CheckRecord): string {
  const vars = knownVariables(r);
  const fill = (name: string) => {
    const x = vars[name];
    if (!x)
      throw new FixRefusal(
        `the plan needs ${name}, which the check could not find; pass it as a flag to check`,
      );
    return x;
  };
  if (typeof v !== 'string') return fill(v.var);
  return v.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => fill(name));
}

/** Refuses what must never be granted to a workload, whatever the plan says. */
export function assertGrantable(role: string, member: string): void {
  if (isPrimitive(role)) {
    throw new FixRefusal(
      `refusing to grant the primitive role ${role}: it grants far more than a Gemini call needs`,
    );
  }
  if (isServiceAgentRole(role)) {
    throw new FixRefusal(
      `refusing to grant the service-agent role ${role} to ${member}: it is reserved for Google-managed service agents`,
    );
  }
}

function isCloudRunEnvKey(step: Extract<Step, { kind: 'set_config' }>, r: CheckRecord): boolean {
  return (
    Boolean(r.target?.cloudRun) &&
    /^[A-Z][A-Z0-9_]*$/.test(step.key) &&
    (/cloud run/i.test(step.where) || step.key in (r.target?.cloudRun?.env ?? {}))
  );
}

export function toActions(option: PlanOption, r: CheckRecord): Action[] {
  const actions: Action[] = [];
  let run: Extract<Action, { kind: 'cloud_run' }> | undefined;
  let runIndex = -1;
  const cloudRun = () => {
    if (!run) {
      const cr = r.target?.cloudRun;
      if (!cr)
        throw new FixRefusal('the plan changes a Cloud Run service, but check was not run with --cloud-run');
      run = { kind: 'cloud_run', project: cr.name.split('/')[1]!, name: cr.name, env: {}, why: '' };
    }
    return run;
  };
  for (const s of option.steps) {
    switch (s.kind) {
      case 'grant_role':
      case 'grant_role_on_service_account': {
        const member = resolveValue(s.member, r);
        assertGrantable(s.role, member);
        actions.push({
          kind: 'grant',
          project: resolveValue(s.project, r),
          ...(s.kind === 'grant_role_on_service_account'
            ? { serviceAccount: resolveValue(s.serviceAccount, r) }
            : {}),
          grant: {
            role: resolveValue(s.role, r),
            member,
            ...(s.kind === 'grant_role' && s.condition ? { condition: s.condition } : {}),
          },
          why: s.why,
        });
        break;
      }
      case 'enable_api':
        actions.push({
          kind: 'enable_api',
          project: resolveValue(s.project, r),
          service: s.service,
          why: s.why,
        });
        break;
      case 'create_custom_role':
        actions.push({
          kind: 'create_role',
          project: resolveValue(s.project, r),
          roleId: s.roleId,
          title: s.title,
          description: s.description,
          permissions: s.permissions,
          why: s.why,
        });
        break;
      case 'create_service_account':
        actions.push({
          kind: 'create_sa',
          project: resolveValue(s.project, r),
          accountId: s.accountId,
          displayName: s.displayName,
          why: s.why,
        });
        break;
      case 'switch_workload_service_account': {
        if (s.workload !== 'cloud-run') {
          actions.push({
            kind: 'manual',
            text: `Run ${resolveValue(s.service, r)} as ${resolveValue(s.serviceAccount, r)} (${s.why})`,
          });
          break;
        }
        const c = cloudRun();
        c.serviceAccount = resolveValue(s.serviceAccount, r);
        c.why = [c.why, s.why].filter(Boolean).join('; ');
        runIndex = actions.length;
        break;
      }
      case 'set_config':
        if (isCloudRunEnvKey(s, r)) {
          const c = cloudRun();
          c.env[s.key] = resolveValue(s.value, r);
          c.why = [c.why, s.why].filter(Boolean).join('; ');
          runIndex = Math.max(runIndex, actions.length);
        } else {
          actions.push({
            kind: 'manual',
            text: `Set ${s.key}=${resolveValue(s.value, r)} in ${s.where} (${s.why})`,
          });
        }
        break;
      case 'wait_propagation':
        actions.push({ kind: 'wait', seconds: s.seconds });
        break;
      case 'enable_billing':
        actions.push({
          kind: 'manual',
          text: `Link a billing account to ${resolveValue(s.project, r)} (${s.why})`,
        });
        break;
      case 'request_quota':
        actions.push({
          kind: 'manual',
          text: `Request more quota${s.metric ? ` for ${s.metric}` : ''} in ${resolveValue(s.project, r)} (${s.why})`,
        });
        break;
      case 'manual':
        actions.push({ kind: 'manual', text: `${s.title}: ${s.instructions}` });
        break;
    }
  }
  // Env values the service already has change nothing: no revision for them.
  const current = r.target?.cloudRun?.env ?? {};
  if (run) for (const [k, v] of Object.entries(run.env)) if (current[k] === v) delete run.env[k];
  if (run && !run.serviceAccount && Object.keys(run.env).length === 0) run = undefined;
  // One Cloud Run revision carries the account switch and the env fix, deployed after the
  // grants so the new revision starts with its permissions in place.
  if (run) {
    const lastGrant = actions.reduce(
      (i, a, k) => (a.kind === 'grant' || a.kind === 'create_sa' || a.kind === 'create_role' ? k : i),
      -1,
    );
    actions.splice(Math.max(runIndex, lastGrant + 1), 0, run);
  }
  return actions;
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'grant':
      return `grant ${a.grant.role} to ${a.grant.member} on ${policyOf(a).label}`;
    case 'enable_api':
      return `enable ${a.service} on ${a.project}`;
    case 'create_role':
      return `create custom role projects/${a.project}/roles/${a.roleId} (${a.permissions.join(', ')})`;
    case 'create_sa':
      return `create service account ${serviceAccountEmail(a.accountId, a.project)}`;
    case 'cloud_run': {
      const parts = [
        ...(a.serviceAccount ? [`run as ${a.serviceAccount}`] : []),
        ...Object.entries(a.env).map(([k, v]) => `set env ${k}=${v}`),
      ];
      return `update Cloud Run ${a.name}: ${parts.join(', ')}`;
    }
    case 'manual':
      return `MANUAL: ${a.text}`;
    case 'wait':
      return `wait for IAM propagation (usually < ${a.seconds} s; genai-doctor verify polls for it)`;
  }
}

/** The policy a grant goes in: the service account's own, or the project's. */
function policyOf(a: Extract<Action, { kind: 'grant' }>): PolicyResource {
  return a.serviceAccount ? serviceAccountPolicy(a.serviceAccount) : projectPolicy(a.project);
}

export interface FixContext {
  client: GcpClient;
  rmw?: RmwOptions;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** The operator's client for the env the check ran in (the CLI's: process.env). */
export async function operatorClient(
  record: CheckRecord,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GcpClient> {
  const base = await adcClient(env);
  const sa = record.options.impersonate;
  // When the operator may not impersonate SA, that is what the fix grants: it can only be made
  // with the operator's own credentials, not through the impersonation it repairs.
  const repairsImpersonation =
    record.plan.cause === 'iam.act_as' && record.identity.callerSource !== 'impersonation';
  if (!sa || repairsImpersonation) return base;
  const t = await generateAccessToken(base, sa);
  return clientFromAccessToken(env, t.accessToken, sa, Date.parse(t.expireTime));
}

/**
 * Dry run: the actions and, per policy (a project's, a service account's own), the live policy
 * before/after the grants.
 */
export async function dryRun(actions: Action[], ctx: FixContext, style?: DiffStyle): Promise<string[]> {
  const out: string[] = [];
  const byPolicy = new Map<string, { resource: PolicyResource; grants: Grant[] }>();
  for (const a of actions) {
    if (a.kind !== 'grant') continue;
    const resource = policyOf(a);
    const entry = byPolicy.get(resource.label) ?? { resource, grants: [] };
    entry.grants.push(a.grant);
    byPolicy.set(resource.label, entry);
  }
  for (const { resource, grants } of byPolicy.values()) {
    const before = await resource.get(ctx.client);
    let after: Policy = before;
    for (const g of grants) after = addGrant(after, g).policy;
    out.push(`IAM policy of ${resource.label} (etag ${before.etag ?? '-'}), before -> after:`);
    out.push(renderPolicyDiff(before, after, style));
  }
  const run = actions.find((a): a is Extract<Action, { kind: 'cloud_run' }> => a.kind === 'cloud_run');
  if (run) {
    const svc = await getRunService(ctx.client, run.name);
    const env = runServiceEnv(svc);
    out.push(`Cloud Run ${run.name}:`);
    if (run.serviceAccount) {
      out.push(
        `  - serviceAccount: ${svc.template?.serviceAccount || '(default compute account)'}`,
        `  + serviceAccount: ${run.serviceAccount}`,
      );
    }
    for (const [k, v] of Object.entries(run.env))
      out.push(`  - env ${k}=${env[k] ?? '(unset)'}`, `  + env ${k}=${v}`);
  }
  return out;
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

/** Applies one Cloud Run change set in one revision; returns the before/after record. */
export async function applyCloudRun(
  client: GcpClient,
  name: string,
  serviceAccount: string | undefined,
  env: Record<string, string | null>,
): Promise<Extract<AppliedChange, { kind: 'cloud_run_updated' }>> {
  const svc = await getRunService(client, name);
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
  await patchRunService(client, next, mask);
  return {
    kind: 'cloud_run_updated',
    name,
    before,
    after: { serviceAccount: serviceAccount ?? before.serviceAccount, env },
  };
}

export async function applyActions(
  actions: Action[],
  record: CheckRecord,
  option: PlanOption,
  ctx: FixContext,
): Promise<{ undoPath: string; undo: UndoRecord }> {
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
  const file = undoFileName();
  const save = () => writeState(file, undo, ctx.env);
  const undoPath = await save();
  for (const a of actions) {
    switch (a.kind) {
      case 'grant': {
        const res = await modifyPolicy(
          ctx.client,
          policyOf(a),
          (p) => addGrant(p, a.grant),
          ['already-present'],
          ctx.rmw,
        );
        const outcome = { outcome: res.outcome, attempts: res.attempts, conflicts: res.conflicts };
        undo.changes.push(
          a.serviceAccount
            ? {
                kind: 'service_account_binding_added',
                serviceAccount: a.serviceAccount,
                role: a.grant.role,
                member: a.grant.member,
                ...outcome,
              }
            : {
                kind: 'binding_added',
                project: a.project,
                role: a.grant.role,
                member: a.grant.member,
                ...(a.grant.condition ? { condition: a.grant.condition } : {}),
                ...outcome,
              },
        );
        ctx.log(
          `${res.outcome === 'already-present' ? '=' : '+'} ${describeAction(a)}` +
            (res.outcome === 'already-present'
              ? ' (already there)'
              : ` (${res.attempts} attempt(s), ${res.conflicts} conflict(s))`),
        );
        break;
      }
      case 'enable_api':
        await enableService(ctx.client, a.project, a.service);
        undo.changes.push({ kind: 'service_enabled', project: a.project, service: a.service });
        ctx.log(`+ ${describeAction(a)}`);
        break;
      case 'create_role': {
        const existed = await alreadyExisted(() =>
          createCustomRole(ctx.client, a.project, a.roleId, {
            title: a.title,
            description: a.description,
            includedPermissions: a.permissions,
          }),
        );
        undo.changes.push({
          kind: 'custom_role_created',
          project: a.project,
          name: `projects/${a.project}/roles/${a.roleId}`,
          existed,
        });
        ctx.log(`${existed ? '=' : '+'} ${describeAction(a)}${existed ? ' (already existed)' : ''}`);
        break;
      }
      case 'create_sa': {
        const existed = await alreadyExisted(() =>
          createServiceAccount(ctx.client, a.project, a.accountId, a.displayName),
        );
        undo.changes.push({
          kind: 'service_account_created',
          project: a.project,
          email: serviceAccountEmail(a.accountId, a.project),
          existed,
        });
        ctx.log(`${existed ? '=' : '+'} ${describeAction(a)}${existed ? ' (already existed)' : ''}`);
        break;
      }
      case 'cloud_run': {
        const change = await applyCloudRun(ctx.client, a.name, a.serviceAccount, a.env);
        undo.changes.push(change);
        ctx.log(`+ ${describeAction(a)} (new revision rolled out)`);
        break;
      }
      case 'manual':
        ctx.log(`! ${describeAction(a)}`);
        break;
      case 'wait':
        ctx.log(`… ${describeAction(a)}`);
        break;
    }
    await save();
  }
  undo.completed = true;
  await save();
  return { undoPath, undo };
}

/**
 * Creates a resource; true when it was there already (409), which makes a re-run of the same fix
 * harmless and tells undo to keep what the user had.
 */
async function alreadyExisted(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return false;
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    return true;
  }
}
