/**
 * Cloud Asset Inventory resource -> a Gemini-calling workload, or nothing. Pure: reads the
 * runtime account and env where each kind's resource keeps them (versionedResources: Knative
 * Cloud Run service, Functions v2 serviceConfig, reasoning engine deploymentSpec, endpoint
 * deployed models, GKE node config, instance service accounts and metadata); keeps only the env
 * values that name a project or location. GKE and Compute rarely carry env in their resource:
 * those are recognised by their labels, and the finding says so.
 */
import type { WorkloadHost } from '../core/plan/risk.js';
import type { ResourceSearchResult } from '../gcp/asset.js';
import type { Workload } from './model.js';

/** Env vars client libraries read the project from, in the order they read them. */
const PROJECT_VARS = ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT'];
/** Vertex-specific project / location variables (LiteLLM, LangChain, older samples). */
const VERTEX_PROJECT_VARS = ['VERTEXAI_PROJECT', 'VERTEX_PROJECT', 'VERTEX_AI_PROJECT'];
const LOCATION_VARS = [
  'GOOGLE_CLOUD_LOCATION',
  'VERTEXAI_LOCATION',
  'VERTEX_LOCATION',
  'GOOGLE_CLOUD_REGION',
];
const KEY_VARS = ['GEMINI_API_KEY', 'GOOGLE_API_KEY'];
const TRUE = /^(true|1|yes)$/i;
/** The only env a workload's facts keep: what recognition reads. Key values are never kept. */
const KEPT_VARS = new Set([
  ...PROJECT_VARS,
  ...VERTEX_PROJECT_VARS,
  ...LOCATION_VARS,
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GEMINI_MODEL',
  'MODEL',
]);

/** Env reduced to what recognition reads: bounded per workload, and no secret values held. */
function keptEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (KEPT_VARS.has(k)) out[k] = v;
    else if (KEY_VARS.includes(k) && v !== '') out[k] = '(set)';
  }
  return out;
}

/** Where a workload runs, as Cloud Asset Inventory lists it (one list, shared with the risk plans). */
export type WorkloadKind = WorkloadHost;

/**
 * The Cloud Asset Inventory asset types of each workload kind, as Google's list of supported asset
 * types names them (https://cloud.google.com/asset-inventory/docs/asset-types; searchable unless
 * noted there): Cloud Run `run.googleapis.com/Service`; Cloud Functions
 * `cloudfunctions.googleapis.com/CloudFunction` (the list's note: "This only includes 1st gen
 * Cloud Functions"; the v1 CloudFunction resource) and `cloudfunctions.googleapis.com/Function`
 * (the v2 Function resource; a 2nd gen function also runs as a Cloud Run service, found as such);
 * Vertex AI `aiplatform.googleapis.com/Endpoint` and `aiplatform.googleapis.com/ReasoningEngine`;
 * GKE `container.googleapis.com/Cluster`; Compute Engine `compute.googleapis.com/Instance`.
 */
export const WORKLOAD_ASSET_TYPES: Record<string, WorkloadKind> = {
  'run.googleapis.com/Service': 'cloud-run',
  'cloudfunctions.googleapis.com/CloudFunction': 'cloud-function',
  'cloudfunctions.googleapis.com/Function': 'cloud-function',
  'aiplatform.googleapis.com/Endpoint': 'vertex-endpoint',
  'aiplatform.googleapis.com/ReasoningEngine': 'reasoning-engine',
  'container.googleapis.com/Cluster': 'gke-cluster',
  'compute.googleapis.com/Instance': 'compute-instance',
};

/**
 * What searchAllResources is asked for. `assetTypes` entries are RE2 expressions, and "if the
 * regular expression does not match any supported asset type, an INVALID_ARGUMENT error will be
 * returned" (searchAllResources, assetTypes[]): so the types whose support we could not confirm
 * in Google's list (the 2nd gen Function, the ReasoningEngine) share an expression with one that is
 * listed. Were one of them missing from Google's index, that expression still matches its partner
 * and the search still answers; the missing type simply matches nothing.
 */
export const WORKLOAD_TYPE_QUERIES = [
  'run.googleapis.com/Service',
  'cloudfunctions.googleapis.com/(CloudFunction|Function)',
  'aiplatform.googleapis.com/(Endpoint|ReasoningEngine)',
  'container.googleapis.com/Cluster',
  'compute.googleapis.com/Instance',
];
const KIND_OF = new Map(Object.entries(WORKLOAD_ASSET_TYPES));

export interface WorkloadFacts {
  kind: WorkloadKind;
  name: string;
  service: string;
  region: string;
  projectNumber: string;
  /** Runtime account as the resource spells it ('' when unset: the kind's default identity). */
  serviceAccount: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

type Env = Array<{ name?: string; value?: string }> | undefined;
const fromList = (list: Env, into: Record<string, string>) => {
  for (const e of list ?? []) if (e.name && typeof e.value === 'string') into[e.name] = e.value;
};

/** Runtime account and env, read where each service's REST resource keeps them. */
function identityAndEnv(
  kind: WorkloadKind,
  res: Record<string, unknown>,
): { sa: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads one documented resource shape
  const r = res as any;
  switch (kind) {
    case 'cloud-run': {
      // The Knative serving.knative.dev/v1 Service.
      const spec = r.spec?.template?.spec;
      for (const c of spec?.containers ?? []) fromList(c.env, env);
      return { sa: spec?.serviceAccountName ?? '', env };
    }
    case 'cloud-function': {
      // cloudfunctions v2 Function: serviceConfig carries the runtime account and env.
      if (r.serviceConfig) {
        Object.assign(env, r.serviceConfig.environmentVariables ?? {});
        return { sa: r.serviceConfig.serviceAccountEmail ?? '', env };
      }
      // cloudfunctions v1 CloudFunction (1st gen): both at the top; an unset account "defaults to
      // {projectId}@appspot.gserviceaccount.com" (v1 projects.locations.functions reference).
      Object.assign(env, r.environmentVariables ?? {});
      const projectId = /^projects\/([^/]+)\//.exec(r.name ?? '')?.[1];
      return {
        sa: r.serviceAccountEmail ?? (projectId ? `${projectId}@appspot.gserviceaccount.com` : ''),
        env,
      };
    }
    case 'reasoning-engine':
      fromList(r.spec?.deploymentSpec?.env, env);
      return { sa: r.spec?.serviceAccount ?? '', env };
    case 'vertex-endpoint':
      return {
        sa:
          r.deployedModels?.find((m: { serviceAccount?: string }) => m.serviceAccount)?.serviceAccount ?? '',
        env,
      };
    case 'gke-cluster': {
      const sa = r.nodeConfig?.serviceAccount ?? r.nodePools?.[0]?.config?.serviceAccount ?? '';
      return { sa: sa === 'default' ? '' : sa, env };
    }
    case 'compute-instance':
      // Metadata items are rarely env; they are read in case a startup script exports them.
      for (const i of r.metadata?.items ?? []) if (i.key && typeof i.value === 'string') env[i.key] = i.value;
      return { sa: r.serviceAccounts?.[0]?.email ?? '', env };
  }
}

/** A Cloud Asset Inventory resource of a workload type -> its compact facts; undefined otherwise. */
export function workloadFacts(r: ResourceSearchResult): WorkloadFacts | undefined {
  const kind = KIND_OF.get(r.assetType);
  if (!kind) return undefined;
  const res = (r.versionedResources?.find((v) => v.resource)?.resource ?? {}) as Record<string, unknown>;
  const m = /\/projects\/[^/]+\/(?:locations|zones)\/([^/]+)\/[^/]+\/([^/]+)$/.exec(r.name);
  if (!m) return undefined;
  const { sa, env } = identityAndEnv(kind, res);
  return {
    kind,
    name: r.name,
    service: m[2] as string,
    region: r.location ?? (m[1] as string),
    projectNumber: (r.project ?? '').replace(/^projects\//, ''),
    serviceAccount: sa,
    env: keptEnv(env),
    labels: Object.fromEntries(
      Object.entries(r.labels ?? {}).filter(([k, v]) => GENAI_LABEL.test(k) || GENAI_LABEL.test(v)),
    ),
  };
}

/** Labels a team puts on a GenAI workload (GKE and Compute rarely carry the env in their resource). */
const GENAI_LABEL = /^(genai|gemini|vertex-?ai|llm)$/;

export function isDefaultCompute(email: string): boolean {
  return /^\d+-compute@developer\.gserviceaccount\.com$/.test(email);
}

/** The identity a workload runs as when its resource names none. */
function defaultIdentity(f: WorkloadFacts): { email: string; source: Workload['identitySource'] } {
  if (f.kind === 'reasoning-engine')
    return {
      email: `service-${f.projectNumber}@gcp-sa-aiplatform-re.iam.gserviceaccount.com`,
      source: 'service agent',
    };
  if (f.kind === 'vertex-endpoint')
    return {
      email: `service-${f.projectNumber}@gcp-sa-aiplatform-cc.iam.gserviceaccount.com`,
      source: 'service agent',
    };
  return {
    email: `${f.projectNumber}-compute@developer.gserviceaccount.com`,
    source: 'default compute account',
  };
}

const KIND_TITLES: Record<WorkloadKind, string> = {
  'cloud-run': 'Cloud Run service',
  'cloud-function': 'Cloud Functions function',
  'reasoning-engine': 'Vertex AI reasoning engine',
  'vertex-endpoint': 'Vertex AI endpoint deployed model',
  'gke-cluster': 'GKE node pool',
  'compute-instance': 'Compute instance',
};

/** A workload that calls Gemini, with how it was recognised; undefined for the others. */
export function recognise(f: WorkloadFacts, hostProject: string): Workload | undefined {
  const env = f.env;
  const present = (vars: string[]) => vars.filter((v) => env[v] !== undefined && env[v] !== '');
  const vertexFlag = env.GOOGLE_GENAI_USE_VERTEXAI;
  const vertexVars = present(VERTEX_PROJECT_VARS);
  const keyVars = present(KEY_VARS);
  const recognisedBy: string[] = [];
  let api: Workload['api'];
  if (vertexFlag !== undefined && TRUE.test(vertexFlag)) {
    api = 'vertex';
    recognisedBy.push(`env GOOGLE_GENAI_USE_VERTEXAI=${vertexFlag}`);
  } else if (vertexVars.length) {
    api = 'vertex';
    recognisedBy.push(...vertexVars.map((v) => `env ${v}`));
  } else if (keyVars.length) {
    api = 'gemini';
    recognisedBy.push(...keyVars.map((v) => `env ${v} (Gemini Developer API key)`));
  } else if (f.kind === 'reasoning-engine') {
    // Agent Engine runs agents (ADK, LangChain) whose model calls go to Vertex AI in the engine's project.
    api = 'vertex';
    recognisedBy.push('a Vertex AI reasoning engine (Agent Engine): its agent calls Gemini on Vertex AI');
  } else {
    const label = Object.entries(f.labels).find(([k, v]) => GENAI_LABEL.test(k) || GENAI_LABEL.test(v));
    if (!label) return undefined;
    api = 'vertex';
    recognisedBy.push(
      `label ${label[0]}=${label[1]} (no env in the ${KIND_TITLES[f.kind]}'s resource: recognised by its labels only)`,
    );
  }
  const projectVar = [...vertexVars, ...present(PROJECT_VARS)][0];
  const projectVars: Record<string, string> = {};
  for (const v of [...VERTEX_PROJECT_VARS, ...PROJECT_VARS]) if (env[v]) projectVars[v] = env[v] as string;
  if (projectVar) recognisedBy.push(`env ${projectVar}=${env[projectVar]}`);
  const locationVar = present(LOCATION_VARS)[0];
  const fallback = defaultIdentity(f);
  const identity = f.serviceAccount || fallback.email;
  const identitySource: Workload['identitySource'] = isDefaultCompute(identity)
    ? 'default compute account'
    : f.serviceAccount
      ? 'service account'
      : fallback.source;
  recognisedBy.push(
    identitySource === 'service account'
      ? `identity ${identity} (${KIND_TITLES[f.kind]} service account)`
      : `identity ${identity} (the ${identitySource}: no service account set)`,
  );
  return {
    name: f.name,
    kind: f.kind,
    service: f.service,
    region: f.region,
    hostProject,
    hostProjectNumber: f.projectNumber,
    identity,
    identitySource,
    api,
    targetProject: (projectVar && env[projectVar]) || hostProject,
    ...(projectVar ? { targetVar: projectVar } : {}),
    location: (locationVar && env[locationVar]) || 'global',
    model: env.GEMINI_MODEL ?? env.MODEL ?? 'gemini-2.5-flash',
    recognisedBy,
    projectVars,
  };
}
