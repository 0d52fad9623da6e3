/**
 * Cloud Asset Inventory v1 (cloudasset.googleapis.com): searchAllResources, searchAllIamPolicies,
 * analyzeIamPolicy and analyzeIamPolicyLongrunning (an operation that writes its analysis to a
 * Cloud Storage object), operations.get, in the REST shapes of
 * https://cloud.google.com/asset-inventory/docs/reference/rest. The caller needs the method's
 * permission on the scope (granted there or on an ancestor); a scope it may not read answers 403
 * like any other. Pages are capped at 500 and carried by an opaque page token tied to the query.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Binding, Policy } from '../../core/iam.js';
import { callerLacksPermission, errorInfo, GoogleApiError, invalidArgument, notFound } from '../errors.js';
import {
  ancestorsOf,
  ancestryNames,
  folderOf,
  foldersIn,
  holdsOnScope,
  parseScope,
  projectsIn,
  type Scope,
} from '../hierarchy.js';
import type { RequestContext, Route } from '../router.js';
import type { ScenarioApiKey } from '../scenario.js';
import { defaultComputeAccount, type ProjectState, type SandboxState } from '../state.js';
import { putObject } from '../storage-objects.js';
import { hostedRefs } from './asset-workloads.js';
import { caller } from './guard.js';
import { operationJson } from './serviceusage.js';

const CAI = 'cloudasset.googleapis.com';
const rpc = (method: string) => ({ service: CAI, method: `google.cloud.asset.v1.AssetService.${method}` });
const CRM = '//cloudresourcemanager.googleapis.com';
const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

/** Asset types this sandbox can search (Google supports many more; others match nothing). */
export const SEARCHABLE_TYPES = [
  'cloudresourcemanager.googleapis.com/Project',
  'cloudresourcemanager.googleapis.com/Folder',
  'run.googleapis.com/Service',
  'serviceusage.googleapis.com/Service',
  'apikeys.googleapis.com/Key',
  'iam.googleapis.com/ServiceAccount',
  'cloudfunctions.googleapis.com/CloudFunction',
  'cloudfunctions.googleapis.com/Function',
  'aiplatform.googleapis.com/Endpoint',
  'aiplatform.googleapis.com/ReasoningEngine',
  'container.googleapis.com/Cluster',
  'compute.googleapis.com/Instance',
];

// --- request checks --------------------------------------------------------------------------

const requestTimes = new WeakMap<SandboxState, number[]>();

/** Cloud Asset's per-consumer rate limit, when the scenario sets one: 429 with RetryInfo. */
function rateLimit(ctx: RequestContext): void {
  const limit = ctx.state.scenario.assetRequestsPerSecond;
  if (!limit) return;
  const now = Date.now();
  const times = (requestTimes.get(ctx.state) ?? []).filter((t) => t > now - 1000);
  requestTimes.set(ctx.state, times);
  if (times.length >= limit) {
    throw new GoogleApiError(
      429,
      'RESOURCE_EXHAUSTED',
      `Quota exceeded for quota metric 'Search requests' and limit 'Search requests per second' of service '${CAI}'.`,
      [
        errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', {
          service: CAI,
          quota_metric: `${CAI}/search_requests`,
        }),
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' },
      ],
    );
  }
  times.push(now);
}

/** Authenticated, rate-limited, and holding `permission` on the `{scope}` of the path. */
function scopeFor(
  ctx: RequestContext,
  method: string,
  permission: string,
  name = ctx.params.scope,
  limited = true,
): Scope {
  const who = caller(ctx, rpc(method));
  // Polling an operation does not count against the search quota.
  if (limited) rateLimit(ctx);
  if (!name || !/^(organizations|folders|projects)\/[^/]+$/.test(name)) {
    throw invalidArgument(
      `Invalid scope: ${name ?? ''}. It must be organizations/N, folders/N or projects/P.`,
    );
  }
  const scope = parseScope(ctx.state, name);
  // A scope that does not exist and one the caller may not read answer alike.
  if (!scope || !holdsOnScope(ctx.state, who.email, permission, scope)) {
    throw callerLacksPermission(permission, name, CAI);
  }
  return scope;
}

function pageSizeOf(query: URLSearchParams, body?: Record<string, unknown>): number {
  const raw = Number(query.get('pageSize') ?? body?.pageSize ?? 0);
  if (!Number.isFinite(raw) || raw <= 0) return DEFAULT_PAGE;
  return Math.min(Math.floor(raw), MAX_PAGE);
}

/** Page tokens are opaque to clients; here an offset bound to the request it belongs to. */
function pageToken(fingerprint: string, offset: number): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, o: offset })).toString('base64url');
}

function offsetOf(token: string | null, fingerprint: string): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { f?: string; o?: number };
    if (parsed.f === fingerprint && typeof parsed.o === 'number' && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid page_token: it does not belong to this request.');
}

const snapshots = new WeakMap<SandboxState, Map<string, { at: number; items: unknown[] }>>();
const SNAPSHOT_MS = 10_000;

/**
 * The matching items of a search, computed once and paged from for a few seconds: like Cloud
 * Asset Inventory's own index, a search pages through one snapshot rather than re-reading the
 * world for every page (and a 1,000-project organization stays cheap to page).
 */
function snapshot<T>(
  state: SandboxState,
  query: URLSearchParams,
  fingerprint: string,
  compute: () => T[],
): T[] {
  let byKey = snapshots.get(state);
  if (!byKey) {
    byKey = new Map();
    snapshots.set(state, byKey);
  }
  const now = Date.now();
  for (const [k, v] of byKey) if (v.at < now - SNAPSHOT_MS) byKey.delete(k);
  // A first page starts a new snapshot; later pages read the one it made.
  const hit = query.get('pageToken') ? byKey.get(fingerprint) : undefined;
  if (hit) return hit.items as T[];
  const items = compute();
  byKey.set(fingerprint, { at: now, items });
  return items;
}

function paginate<T, R>(
  items: T[],
  query: URLSearchParams,
  fingerprint: string,
  render: (item: T) => R,
): { results?: R[]; nextPageToken?: string } {
  const size = pageSizeOf(query);
  const offset = offsetOf(query.get('pageToken'), fingerprint);
  const page = items.slice(offset, offset + size).map(render);
  const next = offset + size < items.length ? pageToken(fingerprint, offset + size) : undefined;
  return { ...(page.length ? { results: page } : {}), ...(next ? { nextPageToken: next } : {}) };
}

function fingerprintOf(scope: string, query: URLSearchParams): string {
  const parts = [...query.entries()].filter(([k]) => k !== 'pageToken').sort();
  return createHash('sha256')
    .update(JSON.stringify([scope, parts]))
    .digest('hex')
    .slice(0, 16);
}

function assetTypeFilter(query: URLSearchParams): (type: string) => boolean {
  const wanted = query.getAll('assetTypes').flatMap((v) => v.split(','));
  if (wanted.length === 0) return () => true;
  const patterns = wanted.map((w) => {
    try {
      return new RegExp(`^(?:${w})$`);
    } catch {
      throw invalidArgument(`Invalid asset type regular expression: ${w}`);
    }
  });
  if (!SEARCHABLE_TYPES.some((t) => patterns.some((p) => p.test(t)))) {
    throw invalidArgument(`The asset types ${wanted.join(', ')} do not match any supported asset type.`);
  }
  return (type) => patterns.some((p) => p.test(type));
}

// --- the query language (the subset the sandbox understands) ---------------------------------

interface Term {
  field: string;
  value: string;
  exact: boolean;
}

/** `state:ENABLED name:aiplatform labels.env=prod`: terms joined by spaces or AND. */
function parseQuery(q: string | null, fields: string[]): Term[] {
  if (!q?.trim()) return [];
  return q
    .trim()
    .split(/\s+(?:AND\s+)?/)
    .map((raw) => {
      const m = /^([A-Za-z][\w.]*)(:|=)(.+)$/.exec(raw);
      const field = m?.[1] ?? '';
      if (!m || !(fields.includes(field) || field.startsWith('labels.'))) {
        throw invalidArgument(`Invalid query: ${q}. Unsupported term "${raw}".`);
      }
      return { field, value: (m[3] as string).replace(/^"|"$/g, ''), exact: m[2] === '=' };
    });
}

function termMatches(t: Term, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return t.exact ? actual === t.value : actual.toLowerCase().includes(t.value.toLowerCase());
}

// --- resources -------------------------------------------------------------------------------

interface ResourceRef {
  assetType: string;
  name: string;
  project: ProjectState;
  displayName: string;
  location: string;
  state?: string;
  labels?: Record<string, string>;
  versioned: () => Record<string, unknown>;
  version: string;
}

function projectRefs(state: SandboxState, p: ProjectState): ResourceRef[] {
  const refs: ResourceRef[] = [
    {
      assetType: 'cloudresourcemanager.googleapis.com/Project',
      name: `${CRM}/projects/${p.projectNumber}`,
      project: p,
      displayName: p.name,
      location: 'global',
      state: p.lifecycleState,
      labels: p.labels,
      version: 'v1',
      versioned: () => ({
        projectNumber: p.projectNumber,
        projectId: p.projectId,
        lifecycleState: p.lifecycleState,
        name: p.name,
        createTime: p.createTime,
        ...(p.parent ? { parent: p.parent } : {}),
        ...(p.labels ? { labels: p.labels } : {}),
      }),
    },
  ];
  for (const [service, st] of p.services) {
    refs.push({
      assetType: 'serviceusage.googleapis.com/Service',
      name: `//serviceusage.googleapis.com/projects/${p.projectNumber}/services/${service}`,
      project: p,
      displayName: service,
      location: 'global',
      state: st,
      version: 'v1',
      versioned: () => ({
        name: `projects/${p.projectNumber}/services/${service}`,
        parent: `projects/${p.projectNumber}`,
        state: st,
        config: { name: service },
      }),
    });
  }
  for (const sa of p.serviceAccounts.values()) {
    refs.push({
      assetType: 'iam.googleapis.com/ServiceAccount',
      name: `//iam.googleapis.com/projects/${p.projectId}/serviceAccounts/${sa.uniqueId}`,
      project: p,
      displayName: sa.displayName ?? sa.email,
      location: 'global',
      state: sa.disabled ? 'DISABLED' : 'ENABLED',
      version: 'v1',
      versioned: () => ({
        name: `projects/${p.projectId}/serviceAccounts/${sa.email}`,
        email: sa.email,
        uniqueId: sa.uniqueId,
        projectId: p.projectId,
        ...(sa.displayName ? { displayName: sa.displayName } : {}),
        disabled: sa.disabled,
      }),
    });
  }
  for (const s of p.cloudRun.values()) {
    refs.push({
      assetType: 'run.googleapis.com/Service',
      name: `//run.googleapis.com/projects/${p.projectId}/locations/${s.region}/services/${s.name}`,
      project: p,
      displayName: s.name,
      location: s.region,
      version: 'v1',
      // Cloud Asset Inventory keeps Cloud Run services in the Knative serving.knative.dev/v1
      // shape, where the runtime account is always spelled out (the default compute one too).
      versioned: () => ({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: {
          name: s.name,
          namespace: p.projectNumber,
          uid: s.uid,
          generation: s.generation,
          creationTimestamp: s.createTime,
          labels: { 'cloud.googleapis.com/location': s.region },
        },
        spec: {
          template: {
            spec: {
              serviceAccountName: s.serviceAccount || defaultComputeAccount(p.projectNumber),
              containers: [
                { image: s.image, env: Object.entries(s.env).map(([name, value]) => ({ name, value })) },
              ],
            },
          },
        },
      }),
    });
  }
  for (const h of hostedRefs(state, p))
    refs.push({ ...h, project: p, displayName: h.name.split('/').pop() ?? '' });
  for (const k of state.scenario.apiKeys ?? []) {
    if (k.project !== p.projectId && k.project !== p.projectNumber) continue;
    if (k.state === 'DELETED') continue;
    refs.push({
      assetType: 'apikeys.googleapis.com/Key',
      name: `//apikeys.googleapis.com/projects/${p.projectNumber}/locations/global/keys/${apiKeyUid(k.id)}`,
      project: p,
      displayName: k.displayName ?? k.id,
      location: 'global',
      version: 'v2',
      versioned: () => apiKeyJson(k, p),
    });
  }
  return refs;
}

/** A scenario key in the API Keys v2 Key shape (restrictions included, never the key string). */
export function apiKeyJson(k: ScenarioApiKey, p: ProjectState) {
  const uid = apiKeyUid(k.id);
  const restrictions: Record<string, unknown> = {};
  if (k.apiTargets?.length) restrictions.apiTargets = k.apiTargets.map((service) => ({ service }));
  if (k.allowedReferrers?.length)
    restrictions.browserKeyRestrictions = { allowedReferrers: k.allowedReferrers };
  return {
    name: `projects/${p.projectNumber}/locations/global/keys/${uid}`,
    uid,
    displayName: k.displayName ?? k.id,
    createTime: p.createTime,
    updateTime: p.createTime,
    ...(Object.keys(restrictions).length ? { restrictions } : {}),
    etag: `W/"${uid.slice(0, 12)}"`,
  };
}

/** The stable uid the API Keys API gives a scenario key. */
export function apiKeyUid(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function folderRef(state: SandboxState, id: string): ResourceRef | undefined {
  const f = folderOf(state, id);
  if (!f) return undefined;
  return {
    assetType: 'cloudresourcemanager.googleapis.com/Folder',
    name: `${CRM}/folders/${f.id}`,
    // Folders belong to no project; the field is omitted for them below.
    project: undefined as unknown as ProjectState,
    displayName: f.displayName,
    location: 'global',
    state: 'ACTIVE',
    version: 'v3',
    versioned: () => ({
      name: `folders/${f.id}`,
      displayName: f.displayName,
      parent: `${f.parent.type}s/${f.parent.id}`,
    }),
  };
}

function parentName(state: SandboxState, p: ProjectState): string | undefined {
  const first = ancestorsOf(state, p.parent)[0];
  return first ? `${CRM}/${first.kind === 'folder' ? 'folders' : 'organizations'}/${first.id}` : undefined;
}

/** A ResourceSearchResult with the fields `readMask` asks for (default: all but versionedResources). */
function resourceJson(state: SandboxState, r: ResourceRef, mask: Set<string> | 'all') {
  const full: Record<string, unknown> = { name: r.name, assetType: r.assetType };
  if (r.project) {
    full.project = `projects/${r.project.projectNumber}`;
    const { folders, organization } = ancestryNames(state, r.project);
    if (folders.length) full.folders = folders;
    if (organization) full.organization = organization;
    const parent = r.assetType.endsWith('/Project')
      ? parentName(state, r.project)
      : `${CRM}/projects/${r.project.projectNumber}`;
    if (parent) full.parentFullResourceName = parent;
  }
  full.displayName = r.displayName;
  full.location = r.location;
  if (r.labels) full.labels = r.labels;
  if (r.state) full.state = r.state;
  if (mask === 'all' || mask.has('versionedResources')) {
    full.versionedResources = [{ version: r.version, resource: r.versioned() }];
  }
  if (mask === 'all') return full;
  return Object.fromEntries(Object.entries(full).filter(([k]) => mask.has(k) || k === 'name'));
}

function readMaskOf(query: URLSearchParams): Set<string> | 'all' {
  const raw = query.get('readMask');
  if (!raw)
    return new Set([
      'name',
      'assetType',
      'project',
      'folders',
      'organization',
      'displayName',
      'location',
      'labels',
      'state',
      'parentFullResourceName',
    ]);
  if (raw.trim() === '*') return 'all';
  return new Set(raw.split(',').map((s) => s.trim()));
}

function searchAllResources(ctx: RequestContext) {
  const scope = scopeFor(ctx, 'SearchAllResources', 'cloudasset.assets.searchAllResources');
  const typeOk = assetTypeFilter(ctx.query);
  const terms = parseQuery(ctx.query.get('query'), [
    'name',
    'displayName',
    'state',
    'location',
    'assetType',
    'project',
  ]);
  const fingerprint = fingerprintOf(ctx.params.scope as string, ctx.query);
  const matching = snapshot(ctx.state, ctx.query, fingerprint, () => {
    const refs: ResourceRef[] = [];
    for (const f of foldersIn(ctx.state, scope)) {
      const ref = folderRef(ctx.state, f.id);
      if (ref) refs.push(ref);
    }
    for (const p of projectsIn(ctx.state, scope)) refs.push(...projectRefs(ctx.state, p));
    return refs.filter(
      (r) =>
        typeOk(r.assetType) &&
        terms.every((t) => {
          if (t.field.startsWith('labels.')) return termMatches(t, r.labels?.[t.field.slice(7)]);
          const value =
            t.field === 'project'
              ? r.project
                ? `projects/${r.project.projectNumber}`
                : undefined
              : (r as unknown as Record<string, string | undefined>)[t.field];
          return termMatches(t, value);
        }),
    );
  });
  const mask = readMaskOf(ctx.query);
  return paginate(matching, ctx.query, fingerprint, (r) => resourceJson(ctx.state, r, mask));
}

// --- IAM policies ----------------------------------------------------------------------------

interface PolicyRef {
  resource: string;
  assetType: string;
  project?: ProjectState;
  ancestry: { folders: string[]; organization?: string };
  policy: Policy;
  /** Projects the policy applies to (itself, or every project below a folder / organization). */
  covers: () => ProjectState[];
}

function policyRefs(state: SandboxState, scope: Scope): PolicyRef[] {
  const refs: PolicyRef[] = [];
  const org = state.scenario.organization;
  if (scope.kind === 'organization' && org?.policy?.bindings?.length) {
    refs.push({
      resource: `${CRM}/organizations/${org.id}`,
      assetType: 'cloudresourcemanager.googleapis.com/Organization',
      ancestry: { folders: [], organization: `organizations/${org.id}` },
      policy: org.policy,
      covers: () => projectsIn(state, scope),
    });
  }
  for (const f of foldersIn(state, scope)) {
    if (!f.policy?.bindings?.length) continue;
    const up = ancestorsOf(state, f.parent);
    const orgUp = up.find((a) => a.kind === 'organization');
    refs.push({
      resource: `${CRM}/folders/${f.id}`,
      assetType: 'cloudresourcemanager.googleapis.com/Folder',
      ancestry: {
        folders: [`folders/${f.id}`, ...up.filter((a) => a.kind === 'folder').map((a) => `folders/${a.id}`)],
        ...(orgUp ? { organization: `organizations/${orgUp.id}` } : {}),
      },
      policy: f.policy,
      covers: () => projectsIn(state, { kind: 'folder', id: f.id }),
    });
  }
  for (const p of projectsIn(state, scope)) {
    const policy = state.effectivePolicy(p.policyHistory);
    if (policy.bindings?.length) {
      refs.push({
        resource: `${CRM}/projects/${p.projectNumber}`,
        assetType: 'cloudresourcemanager.googleapis.com/Project',
        project: p,
        ancestry: ancestryNames(state, p),
        policy,
        covers: () => [p],
      });
    }
    for (const sa of p.serviceAccounts.values()) {
      const saPolicy = state.effectivePolicy(sa.policyHistory);
      if (!saPolicy.bindings?.length) continue;
      refs.push({
        resource: `//iam.googleapis.com/projects/${p.projectId}/serviceAccounts/${sa.uniqueId}`,
        assetType: 'iam.googleapis.com/ServiceAccount',
        project: p,
        ancestry: ancestryNames(state, p),
        policy: saPolicy,
        covers: () => [],
      });
    }
  }
  return refs;
}

function policyJson(r: PolicyRef) {
  return {
    resource: r.resource,
    assetType: r.assetType,
    ...(r.project ? { project: `projects/${r.project.projectNumber}` } : {}),
    ...(r.ancestry.folders.length ? { folders: r.ancestry.folders } : {}),
    ...(r.ancestry.organization ? { organization: r.ancestry.organization } : {}),
    policy: { version: r.policy.version ?? 1, bindings: r.policy.bindings ?? [] },
  };
}

function searchAllIamPolicies(ctx: RequestContext) {
  const scope = scopeFor(ctx, 'SearchAllIamPolicies', 'cloudasset.assets.searchAllIamPolicies');
  const typeOk = (() => {
    const wanted = ctx.query.getAll('assetTypes');
    if (!wanted.length) return () => true;
    const patterns = wanted.map((w) => new RegExp(`^(?:${w})$`));
    return (t: string) => patterns.some((p) => p.test(t));
  })();
  const terms = parseQuery(ctx.query.get('query'), ['policy', 'resource', 'policy.role.permissions']);
  const fingerprint = fingerprintOf(ctx.params.scope as string, ctx.query);
  const refs = snapshot(ctx.state, ctx.query, fingerprint, () =>
    policyRefs(ctx.state, scope).filter(
      (r) =>
        typeOk(r.assetType) &&
        terms.every((t) => {
          if (t.field === 'resource') return termMatches(t, r.resource);
          if (t.field === 'policy.role.permissions') {
            return (r.policy.bindings ?? []).some((b) =>
              ctx.state.catalog.permissionsOf(b.role)?.has(t.value),
            );
          }
          return (r.policy.bindings ?? []).some(
            (b) => termMatches(t, b.role) || b.members.some((m) => termMatches(t, m)),
          );
        }),
    ),
  );
  return paginate(refs, ctx.query, fingerprint, policyJson);
}

// --- Policy Analyzer -------------------------------------------------------------------------

export interface AnalysisQuery {
  scope?: string;
  resourceSelector?: { fullResourceName?: string };
  identitySelector?: { identity?: string };
  accessSelector?: { roles?: string[]; permissions?: string[] };
  options?: {
    expandGroups?: boolean;
    expandRoles?: boolean;
    expandResources?: boolean;
    outputResourceEdges?: boolean;
    outputGroupEdges?: boolean;
    analyzeServiceAccountImpersonation?: boolean;
  };
}

const bool = (v: string | null | undefined) => v === 'true';

/** GET's dotted query parameters (`analysisQuery.accessSelector.permissions=...`) -> AnalysisQuery. */
function analysisQueryFromParams(query: URLSearchParams, scope: string): AnalysisQuery {
  const get = (k: string) => query.get(`analysisQuery.${k}`);
  const all = (k: string) => query.getAll(`analysisQuery.${k}`);
  const q: AnalysisQuery = { scope };
  if (get('resourceSelector.fullResourceName'))
    q.resourceSelector = { fullResourceName: get('resourceSelector.fullResourceName') as string };
  if (get('identitySelector.identity'))
    q.identitySelector = { identity: get('identitySelector.identity') as string };
  const roles = all('accessSelector.roles');
  const permissions = all('accessSelector.permissions');
  if (roles.length || permissions.length) q.accessSelector = { roles, permissions };
  q.options = {
    expandGroups: bool(get('options.expandGroups')),
    expandRoles: bool(get('options.expandRoles')),
    expandResources: bool(get('options.expandResources')),
  };
  return q;
}

function checkAnalysisQuery(q: AnalysisQuery): void {
  if (!q.resourceSelector && !q.identitySelector && !q.accessSelector) {
    throw invalidArgument(
      'At least one of resource_selector, identity_selector and access_selector must be specified.',
    );
  }
  const n = (q.accessSelector?.roles?.length ?? 0) + (q.accessSelector?.permissions?.length ?? 0);
  if (n > 10)
    throw invalidArgument('The total number of roles and permissions should be equal or less than 10.');
}

/** The IamPolicyAnalysisResults of a query: one per binding that grants what the query selects. */
export function analyze(state: SandboxState, scope: Scope, q: AnalysisQuery) {
  const wantRoles = new Set(q.accessSelector?.roles ?? []);
  const wantPerms = q.accessSelector?.permissions ?? [];
  const results: unknown[] = [];
  for (const ref of policyRefs(state, scope)) {
    if (ref.assetType === 'iam.googleapis.com/ServiceAccount') continue;
    for (const b of ref.policy.bindings ?? []) {
      const accesses = accessesOf(state, b, wantRoles, wantPerms, q.options?.expandRoles === true);
      if (q.accessSelector && accesses.length === 0) continue;
      const identities = b.members.filter(
        (m) => !q.identitySelector?.identity || m === q.identitySelector.identity,
      );
      if (identities.length === 0) continue;
      const resources = q.options?.expandResources
        ? [ref.resource, ...ref.covers().map((p) => `${CRM}/projects/${p.projectNumber}`)]
        : [ref.resource];
      const unique = [...new Set(resources)];
      const wanted = q.resourceSelector?.fullResourceName;
      if (wanted && !unique.includes(wanted)) continue;
      results.push({
        attachedResourceFullName: ref.resource,
        iamBinding: { role: b.role, members: b.members, ...(b.condition ? { condition: b.condition } : {}) },
        accessControlLists: [
          {
            resources: (wanted ? [wanted] : unique).map((fullResourceName) => ({ fullResourceName })),
            accesses,
            ...(b.condition ? { conditionEvaluation: { evaluationValue: 'CONDITIONAL' } } : {}),
          },
        ],
        identityList: { identities: identities.map((name) => ({ name })), groupEdges: [] },
        fullyExplored: true,
      });
    }
  }
  return results;
}

function accessesOf(
  state: SandboxState,
  b: Binding,
  roles: Set<string>,
  perms: string[],
  expandRoles: boolean,
): Array<{ role?: string; permission?: string }> {
  const out: Array<{ role?: string; permission?: string }> = [];
  if (roles.has(b.role)) out.push({ role: b.role });
  const held = state.catalog.permissionsOf(b.role);
  for (const p of perms) if (held?.has(p)) out.push({ permission: p });
  if (expandRoles && roles.size === 0 && perms.length === 0) {
    for (const p of held ?? []) out.push({ permission: p });
  }
  return out;
}

function analyzeIamPolicy(ctx: RequestContext) {
  const scopeName = ctx.params.scope as string;
  const scope = scopeFor(ctx, 'AnalyzeIamPolicy', 'cloudasset.assets.analyzeIamPolicy');
  const q = analysisQueryFromParams(ctx.query, scopeName);
  checkAnalysisQuery(q);
  // A synchronous analysis must finish within its RPC deadline: "If it's not finished until then,
  // you will get a DEADLINE_EXCEEDED error" (AnalyzeIamPolicyRequest.execution_timeout,
  // google.cloud.asset.v1). Here a scope with more projects than the scenario allows runs out.
  const limit = ctx.state.scenario.policyAnalyzerSyncMaxProjects;
  if (limit !== undefined && projectsIn(ctx.state, scope).length > limit) {
    throw new GoogleApiError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.');
  }
  const analysisResults = analyze(ctx.state, scope, q);
  return { mainAnalysis: { analysisQuery: q, analysisResults, fullyExplored: true }, fullyExplored: true };
}

function analyzeIamPolicyLongrunning(operationDelayMs: () => number) {
  return (ctx: RequestContext) => {
    const scopeName = ctx.params.scope as string;
    const scope = scopeFor(ctx, 'AnalyzeIamPolicyLongrunning', 'cloudasset.assets.analyzeIamPolicy');
    const body = ctx.body as {
      analysisQuery?: AnalysisQuery;
      outputConfig?: { gcsDestination?: { uri?: string } };
    };
    const q: AnalysisQuery = { ...(body.analysisQuery ?? {}), scope: scopeName };
    checkAnalysisQuery(q);
    const uri = body.outputConfig?.gcsDestination?.uri;
    if (!uri) throw invalidArgument('output_config must have a gcs_destination or a bigquery_destination.');
    const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw invalidArgument(`Invalid Cloud Storage URI: ${uri}`);
    const [, bucket, object] = m as unknown as [string, string, string];
    if (!ctx.state.buckets.has(bucket)) {
      throw invalidArgument(`The Cloud Storage bucket ${bucket} does not exist or is not accessible.`);
    }
    const createTime = new Date().toISOString();
    const op = ctx.state.startOperation(
      `${scopeName}/operations/AnalyzeIamPolicyLongrunning/${BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 15)}`)}`,
      operationDelayMs(),
      {
        metadata: {
          '@type': 'type.googleapis.com/google.cloud.asset.v1.AnalyzeIamPolicyLongrunningMetadata',
          createTime,
        },
        response: {
          '@type': 'type.googleapis.com/google.cloud.asset.v1.AnalyzeIamPolicyLongrunningResponse',
        },
        // The analysis reflects the policies when the operation finishes, as Google's does.
        onDone: () => {
          const analysisResults = analyze(ctx.state, scope, q);
          putObject(
            ctx.state,
            bucket,
            object,
            JSON.stringify({
              mainAnalysis: { analysisQuery: q, analysisResults, fullyExplored: true },
              fullyExplored: true,
            }),
          );
        },
      },
    );
    return operationJson(op, ctx.state.settle(op));
  };
}

const failedPolls = new WeakMap<SandboxState, Map<string, number>>();

/**
 * UNAVAILABLE is "most likely a transient condition, which can be corrected by retrying with a
 * backoff" (google.rpc.Code); the scenario makes the first polls of each operation meet it.
 */
function transientlyUnavailable(ctx: RequestContext, name: string): void {
  const n = ctx.state.scenario.assetOperationPollsUnavailable;
  if (!n) return;
  let polls = failedPolls.get(ctx.state);
  if (!polls) {
    polls = new Map();
    failedPolls.set(ctx.state, polls);
  }
  const done = polls.get(name) ?? 0;
  if (done >= n) return;
  polls.set(name, done + 1);
  throw new GoogleApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
}

function getOperation(ctx: RequestContext) {
  const name = ctx.params.name as string;
  const scopeName = name.split('/operations/')[0] as string;
  scopeFor(ctx, 'GetOperation', 'cloudasset.assets.analyzeIamPolicy', scopeName, false);
  transientlyUnavailable(ctx, name);
  const op = ctx.state.operations.get(name);
  if (!op) throw notFound(`Operation ${name} not found.`);
  return operationJson(op, ctx.state.settle(op));
}

export function assetRoutes(operationDelayMs: () => number): Route[] {
  const S = '(?<scope>(?:organizations|folders|projects)/[^/:]+)';
  return [
    { method: 'GET', path: new RegExp(`^/v1/${S}:searchAllResources$`), handler: searchAllResources },
    { method: 'GET', path: new RegExp(`^/v1/${S}:searchAllIamPolicies$`), handler: searchAllIamPolicies },
    { method: 'GET', path: new RegExp(`^/v1/${S}:analyzeIamPolicy$`), handler: analyzeIamPolicy },
    {
      method: 'POST',
      path: new RegExp(`^/v1/${S}:analyzeIamPolicyLongrunning$`),
      handler: analyzeIamPolicyLongrunning(operationDelayMs),
    },
    {
      method: 'GET',
      path: /^\/v1\/(?<name>(?:organizations|folders|projects)\/[^/]+\/operations\/AnalyzeIamPolicyLongrunning\/[^/:]+)$/,
      handler: getOperation,
    },
  ];
}
