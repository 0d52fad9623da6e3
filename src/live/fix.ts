/**
 * `fix`: turns the last check's plan into changes. Dry run: what would change, with the IAM
 * policy diff computed on the LIVE policy. Apply: etag-safe grants, API enablement (LRO),
 * custom role / service account creation, and one Cloud Run revision carrying the service
 * account switch and the corrected project env. Applying lives in apply.ts (write-ahead record).
 */
import type { Expr, Policy } from '../core/iam.js';
import { emailOf, isServiceAccountEmail, memberOf } from '../core/ids.js';
import type { PlanOption, Step, Value } from '../core/model.js';
import { type AddOutcome, addGrant, type DiffStyle, type Grant, renderPolicyDiff } from '../core/policy.js';
import { stepTitle } from '../core/render/steps.js';
import { isPrimitive, isServiceAgentRole } from '../core/roles/index.js';
import { adcClient, clientFromAccessToken, type GcpClient } from '../gcp/client.js';
import { serviceAccountEmail } from '../gcp/iam.js';
import { generateAccessToken } from '../gcp/iamcredentials.js';
import { getRunService, runServiceEnv } from '../gcp/run.js';
import type { CheckRecord } from './check.js';
import { type PolicyResource, projectPolicy, type RmwOptions, serviceAccountPolicy } from './iam-write.js';

export class FixRefusal extends Error {
  override readonly name = 'FixRefusal';
}

/**
 * Where a change stands in the write-ahead record: `intended` is saved BEFORE the API call (so a
 * run killed mid-call leaves a trace undo can reconcile), `done` after the call answered or a
 * read-back showed the change in place, `not-applied` when Google refused it or a read-back
 * showed it absent. Records without a state (older ones) list done changes only.
 */
export type StepState = 'intended' | 'done' | 'not-applied';

export interface StepMark {
  state?: StepState;
  /** How `done` / `not-applied` was established: the API's answer, or reading the live state back. */
  confirmedBy?: 'response' | 'read-back';
}

export type AppliedChange = StepMark &
  (
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
      }
  );

/** Why a run stopped before its last step (a signal, or an error), and what became of the step in flight. */
export interface Interruption {
  at: string;
  /** `SIGINT`, `SIGTERM`, or `error`. */
  by: string;
  /** finished: the step in flight completed and is recorded; left-intended: the process was
   * made to exit mid-call, undo reads the live state to learn whether it happened; none: between steps. */
  inFlight: 'finished' | 'left-intended' | 'none';
  step?: string;
  detail?: string;
}

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
  interrupted?: Interruption;
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
  const member = t ? memberOf(t.principal) : undefined;
  // Only a service account can be acted as or granted on: a user's, group's or domain's e-mail
  // never fills a service-account slot (the plan then asks for the account instead).
  const serviceAccount = member?.startsWith('serviceAccount:') ? emailOf(member) : undefined;
  return {
    PROJECT_ID: t?.project,
    PROJECT: t?.project,
    PROJECT_NUMBER: r.projectNumber,
    MEMBER: member,
    SERVICE_ACCOUNT: serviceAccount,
    // With an actor, the principal is the account it acts as.
    TARGET_SERVICE_ACCOUNT: t?.actor ? serviceAccount : undefined,
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
    const principal = r.target?.principal;
    if (!x && /SERVICE_ACCOUNT$/.test(name) && principal && !vars.SERVICE_ACCOUNT)
      throw new FixRefusal(
        `the plan needs ${name}, a service account, but the principal ${principal} is a ${memberOf(principal).split(':')[0]}: run check with --principal set to the service account the workload runs as`,
      );
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
        const onAccount =
          s.kind === 'grant_role_on_service_account' ? resolveValue(s.serviceAccount, r) : undefined;
        if (onAccount !== undefined && !isServiceAccountEmail(onAccount))
          throw new FixRefusal(
            `the plan grants ${s.role} on ${onAccount}, which is not a service account: only a service account can be acted as; run check with --principal set to the service account`,
          );
        actions.push({
          kind: 'grant',
          project: resolveValue(s.project, r),
          ...(onAccount !== undefined ? { serviceAccount: onAccount } : {}),
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
      // Only `scan`'s risk plans carry these; the live fixer applies cause plans.
      case 'revoke_role':
      case 'restrict_api_key':
        actions.push({ kind: 'manual', text: `${stepTitle(s)} (${s.why})` });
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
export function policyOf(a: Extract<Action, { kind: 'grant' }>): PolicyResource {
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
