/**
 * The sandbox's live world: projects, allow policies with their history (for the propagation
 * delay), deny rules, services, service accounts, Cloud Run services, tokens, keys, long-running
 * operations and quota counters. Built from a Scenario; mutated only through these methods so
 * that the routes stay thin and tests can inspect and change it directly.
 */

import type { KeyObject } from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import type { Binding, IamRole, Policy } from '../core/iam.js';
import { aborted, invalidArgument } from './errors.js';
import {
  type AllowExplanation,
  type DenyRuleLike,
  explainAllow,
  matchingDenyRules,
  memberOf,
  type RoleCatalog,
} from './iam-eval.js';
import type {
  Scenario,
  ScenarioApiKey,
  ScenarioModel,
  ScenarioPerimeter,
  ScenarioProject,
  ScenarioQuota,
} from './scenario.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/**
 * IAM and IAM Credentials also accept the narrower `iam` scope: google-auth (Python) narrows the
 * source credentials of impersonated_credentials to it, and Google issues the token.
 */
export const IAM_SCOPE = 'https://www.googleapis.com/auth/iam';

export interface PolicyVersion {
  at: number;
  policy: Policy;
}

export interface ServiceAccountState {
  email: string;
  projectId: string;
  projectNumber: string;
  uniqueId: string;
  displayName?: string;
  description?: string;
  disabled: boolean;
  policyHistory: PolicyVersion[];
}

export interface CloudRunServiceState {
  name: string;
  region: string;
  projectNumber: string;
  uid: string;
  generation: number;
  serviceAccount: string;
  env: Record<string, string>;
  image: string;
  createTime: string;
  updateTime: string;
  etag: string;
  /**
   * The spec being rolled out by a pending update: the service already shows its generation and
   * template (reconciling), while the live revision (what the workload runs as) is still the old.
   */
  rollout?: Pick<CloudRunServiceState, 'generation' | 'serviceAccount' | 'env' | 'image' | 'updateTime'>;
}

export interface BucketState {
  name: string;
  project: ProjectState;
  policyHistory: PolicyVersion[];
}

export interface ProjectState {
  projectId: string;
  projectNumber: string;
  name: string;
  lifecycleState: 'ACTIVE' | 'DELETE_REQUESTED';
  createTime: string;
  parent?: { type: string; id: string };
  labels?: Record<string, string>;
  services: Map<string, 'ENABLED' | 'DISABLED'>;
  billingEnabled: boolean;
  billingAccountName: string;
  policyHistory: PolicyVersion[];
  denyRules: DenyRuleLike[];
  serviceAccounts: Map<string, ServiceAccountState>;
  cloudRun: Map<string, CloudRunServiceState>;
  orgPolicies: NonNullable<ScenarioProject['orgPolicies']>;
}

export interface TokenRecord {
  email: string;
  scopes: string[];
  expiresAt: number;
  /** How it was obtained: shown by tokeninfo's azp/aud and useful to tests. */
  via: 'metadata' | 'jwt-bearer' | 'self-signed-jwt' | 'refresh-token' | 'impersonation' | 'scenario';
  revoked?: boolean;
}

export interface Operation {
  name: string;
  doneAt: number;
  metadata?: Record<string, unknown>;
  response?: Record<string, unknown>;
  /** Runs once when the operation completes (the change becomes real then). */
  onDone?: () => void;
  applied?: boolean;
}

export interface StateOptions {
  propagationDelayMs: number;
  catalog: RoleCatalog;
  operatorKeyId: string;
  operatorPublicKey: KeyObject;
}

/** The compute engine default service account of a project. */
export function defaultComputeAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}

function randomToken(prefix: string, bytes = 48): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

function newEtag(): string {
  // Google's etags are 8 opaque bytes, base64 ("BwYV1zI4m5A=").
  return randomBytes(8).toString('base64');
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function withcondSuffix(b: Binding): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(b.condition ?? {}))
    .digest('hex')
    .slice(0, 22);
  return `${b.role}_withcond_${hash}`;
}

export class SandboxState {
  readonly projects = new Map<string, ProjectState>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly refreshTokens = new Map<string, { email: string; scopes: string[] }>();
  /** Public keys of service-account keys the sandbox issued, by key id. */
  readonly saKeys = new Map<string, { email: string; publicKey: KeyObject }>();
  /** API key strings by scenario id, and the reverse. */
  readonly apiKeyStrings: Record<string, string> = {};
  readonly apiKeys = new Map<string, ScenarioApiKey>();
  /** Token strings by scenario id (for `call.credential.kind === 'token'`). */
  readonly scenarioTokens: Record<string, string> = {};
  readonly operations = new Map<string, Operation>();
  readonly buckets = new Map<string, BucketState>();
  readonly models: ScenarioModel[];
  readonly perimeters: ScenarioPerimeter[];
  readonly quotas: Array<ScenarioQuota & { hits: number[] }>;
  readonly catalog: RoleCatalog;
  propagationDelayMs: number;
  /** Every request the sandbox served, newest last (method, path, status): for tests and the console. */
  readonly requestLog: Array<{
    at: number;
    method: string;
    path: string;
    status: number;
    principal?: string;
  }> = [];

  constructor(
    readonly scenario: Scenario,
    opts: StateOptions,
  ) {
    this.catalog = opts.catalog;
    this.propagationDelayMs = opts.propagationDelayMs;
    this.saKeys.set(opts.operatorKeyId, {
      email: scenario.operator.email,
      publicKey: opts.operatorPublicKey,
    });
    const start = Date.now();
    for (const p of scenario.projects) this.projects.set(p.projectId, this.buildProject(p));
    for (const g of scenario.recentGrants ?? []) {
      const project = this.project(g.project);
      if (!project) continue;
      const policy = clone(this.currentPolicy(project.policyHistory));
      addMember(policy, g.role, g.member);
      policy.etag = newEtag();
      project.policyHistory.push({ at: start - g.agoMs, policy });
    }
    for (const b of scenario.buckets ?? []) {
      const project = this.project(b.project);
      if (!project) continue;
      this.buckets.set(b.name, {
        name: b.name,
        project,
        policyHistory: [
          { at: Number.NEGATIVE_INFINITY, policy: { ...clone(b.policy ?? {}), etag: newEtag() } },
        ],
      });
    }
    this.models = clone(scenario.models ?? []);
    this.perimeters = clone(scenario.perimeters ?? []);
    this.quotas = (scenario.quotas ?? []).map((q) => ({
      ...q,
      hits: Array.from({ length: q.used ?? 0 }, () => start),
    }));
    for (const k of scenario.apiKeys ?? []) {
      // Real keys are 39 chars starting AIza; generated per start, never written to a log.
      const key = `AIzaSy${randomBytes(24).toString('base64url').slice(0, 33)}`;
      this.apiKeyStrings[k.id] = key;
      this.apiKeys.set(key, k);
    }
    for (const t of scenario.tokens ?? []) {
      const token = randomToken('ya29.');
      this.scenarioTokens[t.id] = token;
      this.tokens.set(token, {
        email: t.email,
        scopes: t.scopes ?? [CLOUD_PLATFORM_SCOPE],
        expiresAt: t.expired ? start - 60_000 : start + 3600_000,
        via: 'scenario',
      });
    }
  }

  private buildProject(p: ScenarioProject): ProjectState {
    const created = p.createTime ?? '2024-03-12T09:21:44.512Z';
    const project: ProjectState = {
      projectId: p.projectId,
      projectNumber: p.projectNumber,
      name: p.name ?? p.projectId,
      lifecycleState: p.lifecycleState ?? 'ACTIVE',
      createTime: created,
      parent: p.parent,
      labels: p.labels,
      services: new Map(p.enabledServices.map((s) => [s, 'ENABLED'] as const)),
      billingEnabled: p.billingEnabled,
      billingAccountName:
        p.billingAccountName ?? (p.billingEnabled ? 'billingAccounts/01A2B3-C4D5E6-F7A8B9' : ''),
      policyHistory: [{ at: Number.NEGATIVE_INFINITY, policy: { ...clone(p.policy), etag: newEtag() } }],
      denyRules: clone(p.denyRules ?? []),
      serviceAccounts: new Map(),
      cloudRun: new Map(),
      orgPolicies: clone(p.orgPolicies ?? []),
    };
    const compute = defaultComputeAccount(p.projectNumber);
    const accounts = [...(p.serviceAccounts ?? [])];
    if (!accounts.some((a) => a.email === compute)) {
      accounts.push({ email: compute, displayName: 'Compute Engine default service account' });
    }
    for (const a of accounts) {
      project.serviceAccounts.set(a.email, {
        email: a.email,
        projectId: p.projectId,
        projectNumber: p.projectNumber,
        uniqueId: uniqueIdFor(a.email),
        displayName: a.displayName,
        description: a.description,
        disabled: a.disabled ?? false,
        policyHistory: [
          { at: Number.NEGATIVE_INFINITY, policy: { ...clone(a.policy ?? {}), etag: newEtag() } },
        ],
      });
    }
    for (const r of p.customRoles ?? []) this.catalog.put(r as IamRole);
    for (const s of p.cloudRunServices ?? []) {
      project.cloudRun.set(`${s.region}/${s.name}`, {
        name: s.name,
        region: s.region,
        projectNumber: p.projectNumber,
        uid: createHash('md5').update(`${p.projectId}/${s.region}/${s.name}`).digest('hex'),
        generation: 1,
        serviceAccount: s.serviceAccount ?? '',
        env: { ...(s.env ?? {}) },
        image: s.image ?? `${s.region}-docker.pkg.dev/${p.projectId}/services/${s.name}:latest`,
        createTime: created,
        updateTime: created,
        etag: `"${randomBytes(12).toString('base64url')}"`,
      });
    }
    return project;
  }

  // --- lookups --------------------------------------------------------------------------------

  /** A project by id or number (Google accepts both in most paths). */
  project(idOrNumber: string): ProjectState | undefined {
    const byId = this.projects.get(idOrNumber);
    if (byId) return byId;
    for (const p of this.projects.values()) if (p.projectNumber === idOrNumber) return p;
    return undefined;
  }

  serviceAccount(email: string): ServiceAccountState | undefined {
    for (const p of this.projects.values()) {
      const sa =
        p.serviceAccounts.get(email) ?? [...p.serviceAccounts.values()].find((s) => s.uniqueId === email);
      if (sa) return sa;
    }
    return undefined;
  }

  cloudRunService(project: ProjectState, region: string, name: string): CloudRunServiceState | undefined {
    return project.cloudRun.get(`${region}/${name}`);
  }

  /** The identity the metadata server serves: the Cloud Run service's live account if it is one. */
  metadataIdentity(): { email: string; project: ProjectState; region: string; scopes: string[] } {
    const m = this.scenario.metadata;
    const project = this.project(m.projectId) as ProjectState;
    let email = m.email;
    if (m.cloudRunService) {
      const svc = project.cloudRun.get(`${m.region}/${m.cloudRunService}`);
      if (svc) email = svc.serviceAccount || 'default';
    }
    if (email === 'default') email = defaultComputeAccount(project.projectNumber);
    return { email, project, region: m.region, scopes: m.scopes ?? [CLOUD_PLATFORM_SCOPE] };
  }

  // --- policies -------------------------------------------------------------------------------

  currentPolicy(history: PolicyVersion[]): Policy {
    return history[history.length - 1]?.policy as Policy;
  }

  /** The policy permission checks see: the newest one older than the propagation delay. */
  effectivePolicy(history: PolicyVersion[], now = Date.now()): Policy {
    const cutoff = now - this.propagationDelayMs;
    for (let i = history.length - 1; i >= 0; i--) {
      const v = history[i] as PolicyVersion;
      if (v.at <= cutoff) return v.policy;
    }
    return (history[0] as PolicyVersion).policy;
  }

  /** Drops versions no check can see any more: all but the newest one older than the delay. */
  private prune(history: PolicyVersion[]): void {
    const cutoff = Date.now() - this.propagationDelayMs;
    let newestVisible = -1;
    for (let i = history.length - 1; i >= 0; i--) {
      if ((history[i] as PolicyVersion).at <= cutoff) {
        newestVisible = i;
        break;
      }
    }
    if (newestVisible > 0) history.splice(0, newestVisible);
  }

  /** getIamPolicy: the current policy as the requested version shows it. */
  readPolicy(history: PolicyVersion[], requestedVersion = 1): Policy {
    const policy = clone(this.currentPolicy(history));
    const hasConditions = (policy.bindings ?? []).some((b) => b.condition);
    if (!hasConditions) {
      if (policy.version === undefined || policy.version > 1) policy.version = 1;
      return tidy(policy);
    }
    if (requestedVersion >= 3) {
      policy.version = 3;
      return tidy(policy);
    }
    // Google's documented behaviour: a version-1 read of a conditional policy renames the
    // conditional roles (`_withcond_HASH`) and drops the conditions, so a v1 writer cannot
    // silently strip them.
    policy.version = 1;
    policy.bindings = (policy.bindings ?? []).map((b) =>
      b.condition ? { role: withcondSuffix(b), members: b.members } : b,
    );
    return tidy(policy);
  }

  /** setIamPolicy: etag check, version rules, update mask; returns the stored policy. */
  writePolicy(history: PolicyVersion[], incoming: Policy, updateMask?: string): Policy {
    const current = this.currentPolicy(history);
    if (incoming.etag !== undefined && incoming.etag !== '' && incoming.etag !== current.etag) {
      throw aborted(
        `There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff. The request's ETag '${JSON.stringify(incoming.etag)}' did not match the current policy's ETag '${JSON.stringify(current.etag)}'.`,
      );
    }
    const fields = new Set(
      (updateMask ?? 'bindings,etag')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    );
    const bindings = (incoming.bindings ?? [])
      .map((b) => ({ ...b, members: [...new Set(b.members)].sort() }))
      .filter((b) => b.members.length > 0);
    for (const b of bindings) {
      if (b.role.includes('_withcond_')) {
        throw invalidArgument(
          `Role ${b.role} is not a valid role. A policy read with version 1 cannot be written back when it has conditional bindings; read it with options.requestedPolicyVersion 3.`,
        );
      }
      if (!b.role.startsWith('roles/') && !/^(projects|organizations)\/[^/]+\/roles\/[^/]+$/.test(b.role)) {
        throw invalidArgument(`Role ${b.role} is not a valid role.`);
      }
      // A custom role named without its projects/P/ prefix, or a predefined role that does not
      // exist: IAM says the role "is not supported for this resource".
      if (b.role.startsWith('roles/') && !this.catalog.get(b.role)) {
        const id = b.role.slice('roles/'.length);
        const customNamed = [...this.catalog.all()].some((r) => r.name.endsWith(`/roles/${id}`));
        if (customNamed || this.catalog.complete) {
          throw invalidArgument(`Role ${b.role} is not supported for this resource.`);
        }
      }
      if (!this.catalog.get(b.role) && b.role.includes('/roles/')) {
        throw invalidArgument(`Role (${b.role}) does not exist in the resource's hierarchy.`);
      }
    }
    // Like IAM, refuse a new service-account member that does not exist (a typo in a grant
    // fails loudly instead of granting nobody). Members already in the policy are kept as they are.
    const existing = new Set((current.bindings ?? []).flatMap((b) => b.members));
    for (const member of bindings.flatMap((b) => b.members)) {
      if (existing.has(member)) continue;
      if (!wellFormedMember(member)) throw invalidArgument('Request contains an invalid argument.');
      if (!member.startsWith('serviceAccount:')) continue;
      const email = member.slice('serviceAccount:'.length);
      if (this.knownServiceAccount(email) === false) {
        throw invalidArgument(`Service account ${email} does not exist.`);
      }
    }
    const hasConditions = bindings.some((b) => b.condition);
    if (hasConditions && (incoming.version ?? 1) < 3) {
      throw invalidArgument(
        'Invalid policy version 1 for a policy with conditional role bindings. Set policy.version to 3. See https://cloud.google.com/iam/help/conditions/resource-policies.',
      );
    }
    const next: Policy = {
      version: hasConditions ? 3 : (incoming.version ?? current.version ?? 1),
      bindings: fields.has('bindings') || fields.has('policy') ? bindings : current.bindings,
      auditConfigs: fields.has('auditConfigs') ? incoming.auditConfigs : current.auditConfigs,
      etag: newEtag(),
    };
    history.push({ at: Date.now(), policy: next });
    this.prune(history);
    return this.readPolicy(history, 3);
  }

  /**
   * Whether a service account exists, when the sandbox can know: accounts of projects in this
   * world (user-managed and the compute default); undefined for accounts of other worlds
   * (Google-managed service agents, projects the scenario does not model).
   */
  knownServiceAccount(email: string): boolean | undefined {
    if (this.serviceAccount(email)) return true;
    const compute = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(email);
    if (compute) return this.project(compute[1] as string) ? true : undefined;
    const managed = /@([a-z][a-z0-9-]*)\.iam\.gserviceaccount\.com$/.exec(email);
    if (managed && this.project(managed[1] as string)) return false;
    return undefined;
  }

  // --- permission checks ----------------------------------------------------------------------

  /**
   * Does `email` hold `permission` on the project (or on a resource in it with its own policy:
   * a service account, a bucket), as the
   * propagated policies say now? Deny rules on the project win over any grant.
   */
  checkPermission(
    email: string,
    permission: string,
    project: ProjectState,
    resource?: { policyHistory: PolicyVersion[] },
    now = Date.now(),
  ): { granted: boolean; allow: AllowExplanation; denyRules: DenyRuleLike[] } {
    const member = memberOf(email);
    const allow = explainAllow(
      this.effectivePolicy(project.policyHistory, now),
      member,
      permission,
      this.catalog,
      now,
    );
    if (resource && allow.state !== 'ALLOW_ACCESS_STATE_GRANTED') {
      const saAllow = explainAllow(
        this.effectivePolicy(resource.policyHistory, now),
        member,
        permission,
        this.catalog,
        now,
      );
      allow.bindings.push(...saAllow.bindings);
      if (saAllow.state === 'ALLOW_ACCESS_STATE_GRANTED') allow.state = saAllow.state;
    }
    const denyRules = matchingDenyRules(project.denyRules, member, permission);
    return {
      granted: allow.state === 'ALLOW_ACCESS_STATE_GRANTED' && denyRules.length === 0,
      allow,
      denyRules,
    };
  }

  // --- tokens ---------------------------------------------------------------------------------

  issueToken(
    email: string,
    scopes: string[],
    via: TokenRecord['via'],
    lifetimeSeconds = 3599,
  ): {
    token: string;
    expiresIn: number;
  } {
    const token = randomToken('ya29.c.');
    this.tokens.set(token, { email, scopes, expiresAt: Date.now() + lifetimeSeconds * 1000, via });
    return { token, expiresIn: lifetimeSeconds };
  }

  issueRefreshToken(email: string, scopes: string[]): string {
    const token = randomToken('1//', 40);
    this.refreshTokens.set(token, { email, scopes });
    return token;
  }

  // --- operations -----------------------------------------------------------------------------

  startOperation(name: string, delayMs: number, op: Omit<Operation, 'name' | 'doneAt'>): Operation {
    const record: Operation = { ...op, name, doneAt: Date.now() + delayMs };
    this.operations.set(name, record);
    // An operation finishes on its own clock, polled or not (a fire-and-forget enable works
    // at Google). unref: a pending operation never keeps the process alive.
    if (delayMs <= 0) this.settle(record);
    else setTimeout(() => this.settle(record), delayMs).unref();
    return record;
  }

  /** Applies a finished operation's effect once; returns whether it is done. */
  settle(op: Operation): boolean {
    if (Date.now() < op.doneAt) return false;
    if (!op.applied) {
      op.applied = true;
      op.onDone?.();
    }
    return true;
  }

  // --- quotas ---------------------------------------------------------------------------------

  /** The first quota this call would exceed, counting the call if none is exceeded. */
  consumeQuota(
    api: 'vertex' | 'gemini',
    project: ProjectState,
    model: string,
  ): (ScenarioQuota & { hits: number[] }) | undefined {
    const now = Date.now();
    const applicable = this.quotas.filter(
      (q) =>
        (q.api ?? 'vertex') === api &&
        (q.project === project.projectId || q.project === project.projectNumber) &&
        (q.model === undefined || q.model === model),
    );
    for (const q of applicable) {
      const windowMs = q.window === 'minute' ? 60_000 : 86_400_000;
      q.hits = q.hits.filter((t) => t > now - windowMs);
      if (q.hits.length >= q.limit) return q;
    }
    for (const q of applicable) q.hits.push(now);
    return undefined;
  }
}

const EMAIL = /^[^\s@:]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** A principal IAM accepts in a binding: `type:email`, `domain:`, the public sets, federated ones. */
export function wellFormedMember(member: string): boolean {
  if (member === 'allUsers' || member === 'allAuthenticatedUsers') return true;
  if (/^principal(Set)?:\/\/iam\.googleapis\.com\/\S+$/.test(member)) return true;
  if (/^(projectOwner|projectEditor|projectViewer):[a-z][a-z0-9-]+$/.test(member)) return true;
  const m = /^(?:deleted:)?(user|serviceAccount|group|domain):(.+?)(\?uid=\d+)?$/.exec(member);
  if (!m) return false;
  return m[1] === 'domain' ? /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(m[2] as string) : EMAIL.test(m[2] as string);
}

function addMember(policy: Policy, role: string, member: string): void {
  policy.bindings ??= [];
  const b = policy.bindings.find((x) => x.role === role && !x.condition);
  if (b) {
    if (!b.members.includes(member)) b.members.push(member);
  } else policy.bindings.push({ role, members: [member] });
}

function tidy(policy: Policy): Policy {
  const out: Policy = { version: policy.version };
  if (policy.bindings && policy.bindings.length > 0) out.bindings = policy.bindings;
  if (policy.auditConfigs && policy.auditConfigs.length > 0) out.auditConfigs = policy.auditConfigs;
  out.etag = policy.etag;
  return out;
}

/** A stable 21-digit numeric id, as IAM gives every service account. */
export function uniqueIdFor(email: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`).toString();
  return `1${digits.padStart(20, '0').slice(0, 20)}`;
}
