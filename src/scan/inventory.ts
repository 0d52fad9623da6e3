/**
 * Reads what `scan` judges, organization-wide, in a few paged calls per scope: projects,
 * workloads, enabled APIs and API keys (Cloud Asset Inventory searchAllResources), project IAM
 * policies (searchAllIamPolicies), who may call Vertex AI where (Policy Analyzer), and billing
 * (billing accounts' project lists). Pages are reduced to compact facts as they arrive and
 * dropped. Only the few projects the inventory cannot settle are asked about one by one
 * (Service Usage batchGet, billingInfo, API Keys). A scope the caller may not read is reported,
 * never fatal.
 */

import { type ApiKeyInfo, listApiKeys } from '../gcp/api-keys.js';
import type { AnalysisQuery, AnalyzeIamPolicyResponse, IamPolicyAnalysisResult } from '../gcp/asset.js';
import {
  analyzeIamPolicy,
  analyzeIamPolicyLongrunning,
  searchAllIamPolicies,
  searchAllResources,
} from '../gcp/asset.js';
import { withBackoff } from '../gcp/backoff.js';
import { getBillingInfo, listBillingAccountProjects, listBillingAccounts } from '../gcp/billing.js';
import type { GcpClient } from '../gcp/client.js';
import { describeError, GoogleApiError } from '../gcp/errors.js';
import { batchGetServices } from '../gcp/serviceusage.js';
import type { ScopeStatus, Workload } from './model.js';
import {
  isDefaultCompute,
  recognise,
  WORKLOAD_TYPE_QUERIES,
  type WorkloadFacts,
  workloadFacts,
} from './recognise.js';

export const VERTEX_API = 'aiplatform.googleapis.com';
export const GEMINI_API = 'generativelanguage.googleapis.com';
export const PREDICT = 'aiplatform.endpoints.predict';
const PRIMITIVE = new Set(['roles/editor', 'roles/owner']);
const CRM_PROJECT = /^\/\/cloudresourcemanager\.googleapis\.com\/projects\/(\d+)$/;

export interface ProjectInfo {
  id: string;
  number: string;
  labels?: Record<string, string>;
  /** roles/owner users and groups (for the report per owner when there is no owner label). */
  owners: string[];
  /** The index of the scope it was found in (whose Policy Analyzer answer covers it). */
  scope: number;
}

export interface KeyInfo {
  name: string;
  projectNumber: string;
  displayName?: string;
  restrictions?: ApiKeyInfo['restrictions'];
}

export interface Inventory {
  scopes: ScopeStatus[];
  projects: Map<string, ProjectInfo>;
  idToNumber: Map<string, string>;
  workloads: Workload[];
  workloadCount: number;
  /** User-managed service account -> how many workloads run as it (every workload, not only Gemini callers). */
  identityServices: Map<string, number>;
  /** Project number -> the services Cloud Asset Inventory lists as ENABLED (Vertex AI / Gemini API only). */
  enabled: Map<string, Set<string>>;
  /** Project number -> members that hold aiplatform.endpoints.predict there (Policy Analyzer). */
  predict: Map<string, Set<string>>;
  /** Scope indexes whose Policy Analyzer answer arrived. */
  analysed: Set<number>;
  /** Service-account members holding a primitive role on a project: `number|member` -> role. */
  primitive: Map<string, string>;
  /** Projects (id) linked to an open billing account with billing on; undefined when unreadable. */
  billingOn?: Set<string>;
  /** Confirmed one by one: project id -> service -> state. */
  apiState: Map<string, Map<string, string>>;
  /** Confirmed one by one: project id -> billing enabled. */
  billingState: Map<string, boolean>;
  keys: KeyInfo[];
  unknowns: string[];
  retries: number;
}

export interface InventoryOptions {
  /** `organizations/N`, `folders/N`, `projects/P`. */
  scopes: string[];
  /** gs://bucket/object: use analyzeIamPolicyLongrunning and read its result there. */
  analysisOutput?: string;
  /** Parallel one-by-one confirmations (batchGet, billingInfo, keys.list). */
  concurrency?: number;
  onProgress?: (line: string) => void;
}

function emptyInventory(): Inventory {
  return {
    scopes: [],
    projects: new Map(),
    idToNumber: new Map(),
    workloads: [],
    workloadCount: 0,
    identityServices: new Map(),
    enabled: new Map(),
    predict: new Map(),
    analysed: new Set(),
    primitive: new Map(),
    apiState: new Map(),
    billingState: new Map(),
    keys: [],
    unknowns: [],
    retries: 0,
  };
}

function setIn(map: Map<string, Set<string>>, key: string): Set<string> {
  const existing = map.get(key);
  if (existing) return existing;
  const created = new Set<string>();
  map.set(key, created);
  return created;
}

/**
 * The enabled-API sets, shared: a project holds one of three immutable sets ({Vertex AI}, {Gemini
 * API}, both) instead of a set of its own, so thousands of projects cost a map entry each.
 */
const SHARED_SETS = new Map<string, Set<string>>();
function servicesSet(current: Set<string> | undefined, add: string): Set<string> {
  const names = [...new Set([...(current ?? []), add])].sort();
  const key = names.join(',');
  let shared = SHARED_SETS.get(key);
  if (!shared) {
    shared = new Set(names);
    SHARED_SETS.set(key, shared);
  }
  return shared;
}

const numberOf = (project: string | undefined) => (project ?? '').replace(/^projects\//, '');

/**
 * Reads one scope. Its Policy Analyzer answer is kept only for the identities Gemini callers run
 * as, in any of the scopes (a caller in one folder may be granted in another): that part waits for
 * `callers`, which the caller settles once every scope's workloads are read, and comes back
 * unawaited as `analysis` (its error, if any, as the value).
 */
async function scanScope(
  client: GcpClient,
  inv: Inventory,
  index: number,
  opts: InventoryOptions,
  callers: Promise<Set<string>>,
): Promise<{ analysis: Promise<unknown> }> {
  const scope = opts.scopes[index] as string;
  const runsPending: WorkloadFacts[] = [];
  const keyProjects = new Set<string>();

  const projectsTask = (async () => {
    for await (const page of searchAllResources(client, scope, {
      assetTypes: ['cloudresourcemanager.googleapis.com/Project'],
      readMask: '*',
    })) {
      for (const r of page) {
        const res = r.versionedResources?.[0]?.resource as
          | { projectId?: string; projectNumber?: string }
          | undefined;
        const number = res?.projectNumber ?? /projects\/(\d+)$/.exec(r.name)?.[1];
        if (!number || !res?.projectId) continue;
        const existing = inv.projects.get(number);
        // Compact: of the labels, only the owner one (the report groups by it); of the owners, the first.
        const owner = r.labels?.owner;
        inv.projects.set(number, {
          id: res.projectId,
          number,
          ...(owner ? { labels: { owner } } : {}),
          owners: existing?.owners ?? [],
          scope: existing?.scope ?? index,
        });
        inv.idToNumber.set(res.projectId, number);
      }
    }
  })();

  const workloadsTask = (async () => {
    for await (const page of searchAllResources(client, scope, {
      assetTypes: WORKLOAD_TYPE_QUERIES,
      readMask: '*',
    })) {
      // Recognition needs the hosting project's id, which the project stream may not have yet:
      // keep only the compact facts until both are in.
      for (const r of page) {
        const f = workloadFacts(r);
        if (!f) continue;
        inv.workloadCount++;
        const sa = f.serviceAccount;
        if (sa && !isDefaultCompute(sa))
          inv.identityServices.set(sa, (inv.identityServices.get(sa) ?? 0) + 1);
        if (recognise(f, '') !== undefined) runsPending.push(f);
      }
    }
  })();

  const servicesTask = (async () => {
    for await (const page of searchAllResources(client, scope, {
      assetTypes: ['serviceusage.googleapis.com/Service'],
      query: 'state:ENABLED',
      readMask: 'name,project,state',
    })) {
      for (const r of page) {
        const service = r.name.split('/services/')[1];
        if (service !== VERTEX_API && service !== GEMINI_API) continue;
        const n = numberOf(r.project);
        inv.enabled.set(n, servicesSet(inv.enabled.get(n), service));
      }
    }
  })();

  const keysTask = (async () => {
    for await (const page of searchAllResources(client, scope, {
      assetTypes: ['apikeys.googleapis.com/Key'],
      readMask: 'name,project,displayName,versionedResources',
    })) {
      for (const r of page) {
        const key = r.versionedResources?.[0]?.resource as ApiKeyInfo | undefined;
        const projectNumber = numberOf(r.project);
        // Cloud Asset Inventory carries the Key with its restrictions; the API Keys API is asked
        // only for a project whose keys came without them.
        if (key?.name)
          inv.keys.push({
            name: key.name,
            projectNumber,
            ...(key.displayName ? { displayName: key.displayName } : {}),
            ...(key.restrictions ? { restrictions: key.restrictions } : {}),
          });
        else keyProjects.add(projectNumber);
      }
    }
  })();

  const policiesTask = (async () => {
    for await (const page of searchAllIamPolicies(client, scope, {
      assetTypes: ['cloudresourcemanager.googleapis.com/Project'],
    })) {
      for (const p of page) {
        const n = CRM_PROJECT.exec(p.resource)?.[1];
        if (!n) continue;
        const owners: string[] = [];
        for (const b of p.policy?.bindings ?? []) {
          if (b.condition) continue;
          for (const m of b.members ?? []) {
            if (b.role === 'roles/owner' && !owners.length && /^(user|group):/.test(m))
              owners.push(m.replace(/^\w+:/, ''));
            if (PRIMITIVE.has(b.role) && m.startsWith('serviceAccount:'))
              inv.primitive.set(`${n}|${m}`, b.role);
          }
        }
        const known = inv.projects.get(n);
        if (known) known.owners = owners;
        else inv.projects.set(n, { id: '', number: n, owners, scope: index });
      }
    }
  })();

  // Policy Analyzer's answer names every holder of the permission on every project; only the
  // identities Gemini callers run as are kept, so its reduction waits for all of them to be known.
  const analysisTask = (async () => {
    const q: AnalysisQuery = {
      accessSelector: { permissions: [PREDICT] },
      options: { expandGroups: true, expandResources: true },
    };
    let members = new Set<string>();
    const keep = (result: IamPolicyAnalysisResult) => {
      const identities = (result.identityList?.identities ?? [])
        .map((i) => i.name ?? '')
        .filter((m) => members.has(m));
      if (!identities.length) return;
      for (const acl of result.accessControlLists ?? []) {
        // A conditional grant may or may not apply: it does not count as holding the permission.
        if (acl.conditionEvaluation?.evaluationValue && acl.conditionEvaluation.evaluationValue !== 'TRUE')
          continue;
        if (!(acl.accesses ?? []).some((a) => a.permission === PREDICT)) continue;
        for (const r of acl.resources ?? []) {
          const n = CRM_PROJECT.exec(r.fullResourceName ?? '')?.[1];
          if (!n) continue;
          const holders = setIn(inv.predict, n);
          for (const id of identities) holders.add(id);
        }
      }
    };
    let explored: boolean;
    if (opts.analysisOutput) {
      const ready = callers.then((c) => {
        members = c;
      });
      ({ fullyExplored: explored } = await analyzeIamPolicyLongrunning(
        client,
        scope,
        q,
        opts.analysisOutput,
        keep,
        { beforeRead: ready },
      ));
    } else {
      let res: AnalyzeIamPolicyResponse;
      try {
        res = await analyzeIamPolicy(client, scope, q);
      } catch (e) {
        // "If it's not finished until then [the RPC deadline], you will get a DEADLINE_EXCEEDED
        // error" (AnalyzeIamPolicyRequest.execution_timeout, google.cloud.asset.v1): the scope is
        // too big for the synchronous call; the long-running one needs somewhere to write.
        if (e instanceof GoogleApiError && e.status === 'DEADLINE_EXCEEDED')
          throw new Error(
            `the synchronous analyzeIamPolicy ran out of time (DEADLINE_EXCEEDED): the scope is too big for it. Run again with --analysis-output gs://BUCKET/OBJECT to use the long-running analysis, which writes its answer to Cloud Storage`,
          );
        throw e;
      }
      members = await callers;
      // The synchronous answer comes whole (the method has no pages); it is dropped once reduced.
      for (const result of res.mainAnalysis?.analysisResults ?? []) keep(result);
      explored = res.mainAnalysis?.fullyExplored !== false && res.fullyExplored !== false;
    }
    if (explored) inv.analysed.add(index);
    else
      inv.unknowns.push(
        `${scope}: Policy Analyzer did not explore everything; missing permissions there are not reported`,
      );
  })();

  // Settled at once (a rejection is its value), so it may fail before anyone awaits it.
  const analysis = analysisTask.then(
    () => undefined,
    (e: unknown) => e ?? new Error('failed'),
  );
  const [projects, workloads, ...rest] = await Promise.allSettled([
    projectsTask,
    workloadsTask,
    servicesTask,
    keysTask,
    policiesTask,
  ]);
  const first = [projects, workloads].find((r) => r.status === 'rejected') as
    | PromiseRejectedResult
    | undefined;
  if (first) {
    const denied = first.reason instanceof GoogleApiError && first.reason.httpStatus === 403;
    inv.scopes[index] = { scope, status: denied ? 'denied' : 'error', message: describeError(first.reason) };
    return { analysis: Promise.resolve(undefined) };
  }
  const names = ['enabled APIs', 'API keys', 'IAM policies'];
  rest.forEach((r, i) => {
    if (r.status === 'rejected')
      inv.unknowns.push(`${scope}: ${names[i]} could not be read: ${describeError(r.reason)}`);
  });
  inv.scopes[index] = { scope, status: 'ok' };
  for (const f of runsPending) {
    const host = inv.projects.get(f.projectNumber)?.id || f.projectNumber;
    const w = recognise(f, host);
    if (w) inv.workloads.push(w);
  }
  for (const n of keyProjects) inv.keys.push(...(await keysOf(client, n, inv)));
  return { analysis };
}

async function keysOf(client: GcpClient, projectNumber: string, inv: Inventory): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  try {
    for await (const page of listApiKeys(client, projectNumber)) {
      for (const k of page) {
        out.push({
          name: k.name,
          projectNumber,
          ...(k.displayName ? { displayName: k.displayName } : {}),
          ...(k.restrictions ? { restrictions: k.restrictions } : {}),
        });
      }
    }
  } catch (e) {
    inv.unknowns.push(`API keys of projects/${projectNumber} could not be listed: ${describeError(e)}`);
  }
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

async function readBilling(client: GcpClient, inv: Inventory): Promise<void> {
  const on = new Set<string>();
  let accounts = 0;
  try {
    for await (const page of listBillingAccounts(client)) {
      for (const a of page) {
        if (a.open === false) continue;
        accounts++;
        for await (const infos of listBillingAccountProjects(client, a.name)) {
          for (const b of infos) if (b.billingEnabled && b.projectId) on.add(b.projectId);
        }
      }
    }
  } catch (e) {
    inv.unknowns.push(`billing accounts could not be read: ${describeError(e)}; billing is not checked`);
    return;
  }
  if (accounts === 0) {
    inv.unknowns.push('no billing account is visible to the caller; billing is not checked');
    return;
  }
  inv.billingOn = on;
}

/**
 * The targets the inventory cannot settle, asked about one by one: APIs not listed as enabled
 * (Service Usage batchGet: they may be disabled, or the project outside the scopes) and projects
 * not found linked to a visible billing account (billingInfo).
 */
async function confirmTargets(client: GcpClient, inv: Inventory, concurrency: number): Promise<void> {
  const targets = [...new Set(inv.workloads.filter((w) => w.api === 'vertex').map((w) => w.targetProject))];
  const apiUnsure = targets.filter((t) => {
    const n = inv.idToNumber.get(t);
    return !n || !inv.enabled.get(n)?.has(VERTEX_API);
  });
  await pool(apiUnsure, concurrency, async (project) => {
    try {
      const states = await withBackoff(() => batchGetServices(client, project, [VERTEX_API]));
      inv.apiState.set(project, new Map(states.map((s) => [s.name.split('/services/')[1] ?? '', s.state])));
      const n = /^projects\/(\d+)\//.exec(states[0]?.name ?? '')?.[1];
      if (n && !inv.idToNumber.has(project)) inv.idToNumber.set(project, n);
    } catch (e) {
      inv.unknowns.push(`${project}: the state of ${VERTEX_API} could not be read (${describeError(e)})`);
    }
  });
  const billingOn = inv.billingOn;
  if (!billingOn) return;
  const billingUnsure = targets.filter((t) => !billingOn.has(t));
  await pool(billingUnsure, concurrency, async (project) => {
    try {
      const info = await withBackoff(() => getBillingInfo(client, project));
      inv.billingState.set(project, info.billingEnabled === true);
    } catch (e) {
      inv.unknowns.push(`${project}: billing could not be read (${describeError(e)})`);
    }
  });
}

export async function readInventory(client: GcpClient, opts: InventoryOptions): Promise<Inventory> {
  const inv = emptyInventory();
  const billing = readBilling(client, inv);
  let settleCallers: (members: Set<string>) => void = () => {};
  const callers = new Promise<Set<string>>((done) => {
    settleCallers = done;
  });
  const analyses: Array<Promise<unknown>> = [];
  for (let i = 0; i < opts.scopes.length; i++) {
    opts.onProgress?.(`reading ${opts.scopes[i]}`);
    analyses.push((await scanScope(client, inv, i, opts, callers)).analysis);
  }
  settleCallers(new Set(inv.workloads.map((w) => `serviceAccount:${w.identity}`)));
  const failed = await Promise.all(analyses);
  failed.forEach((e, i) => {
    if (e !== undefined && inv.scopes[i]?.status === 'ok')
      inv.unknowns.push(`${opts.scopes[i]}: Policy Analyzer could not be read: ${describeError(e)}`);
  });
  await billing;
  // Only the accounts Gemini callers run as, running more than one service, can be shared ones;
  // the other counts go.
  const identities = new Set(inv.workloads.map((w) => w.identity));
  for (const [sa, n] of inv.identityServices)
    if (n < 2 || !identities.has(sa)) inv.identityServices.delete(sa);
  await confirmTargets(client, inv, opts.concurrency ?? 8);
  return inv;
}
