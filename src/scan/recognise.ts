/**
 * Cloud Asset Inventory resource -> a Gemini-calling workload, or nothing. Pure: reads the
 * Knative-shaped Cloud Run service Cloud Asset Inventory returns (versionedResources), its env
 * and runtime account; keeps only the env values that name a project or location.
 */
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

export interface RunFacts {
  name: string;
  service: string;
  region: string;
  projectNumber: string;
  /** Runtime account as the resource spells it ('' when unset). */
  serviceAccount: string;
  env: Record<string, string>;
}

/** The Knative serving.knative.dev/v1 Service Cloud Asset Inventory keeps for run.googleapis.com/Service. */
export function runFacts(r: ResourceSearchResult): RunFacts | undefined {
  if (r.assetType !== 'run.googleapis.com/Service') return undefined;
  const res = r.versionedResources?.find((v) => v.resource)?.resource as
    | {
        metadata?: { name?: string };
        spec?: {
          template?: {
            spec?: {
              serviceAccountName?: string;
              containers?: Array<{ env?: Array<{ name?: string; value?: string }> }>;
            };
          };
        };
      }
    | undefined;
  const m = /\/projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(r.name);
  if (!m) return undefined;
  const spec = res?.spec?.template?.spec;
  const env: Record<string, string> = {};
  for (const c of spec?.containers ?? []) {
    for (const e of c.env ?? []) if (e.name && typeof e.value === 'string') env[e.name] = e.value;
  }
  return {
    name: r.name,
    service: m[3] as string,
    region: r.location ?? (m[2] as string),
    projectNumber: (r.project ?? '').replace(/^projects\//, ''),
    serviceAccount: spec?.serviceAccountName ?? '',
    env,
  };
}

export function isDefaultCompute(email: string): boolean {
  return /^\d+-compute@developer\.gserviceaccount\.com$/.test(email);
}

/** A Cloud Run service that calls Gemini, with how it was recognised; undefined for the others. */
export function recogniseRun(f: RunFacts, hostProject: string): Workload | undefined {
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
  } else {
    return undefined;
  }
  const projectVar = [...vertexVars, ...present(PROJECT_VARS)][0];
  const projectVars: Record<string, string> = {};
  for (const v of [...VERTEX_PROJECT_VARS, ...PROJECT_VARS]) if (env[v]) projectVars[v] = env[v] as string;
  if (projectVar) recognisedBy.push(`env ${projectVar}=${env[projectVar]}`);
  const locationVar = present(LOCATION_VARS)[0];
  const defaultCompute = f.serviceAccount === '' || isDefaultCompute(f.serviceAccount);
  const identity = f.serviceAccount || `${f.projectNumber}-compute@developer.gserviceaccount.com`;
  recognisedBy.push(
    defaultCompute
      ? `identity ${identity} (the default compute account: no service account set)`
      : `identity ${identity} (Cloud Run service account)`,
  );
  return {
    name: f.name,
    kind: 'cloud-run',
    service: f.service,
    region: f.region,
    hostProject,
    hostProjectNumber: f.projectNumber,
    identity,
    identitySource: defaultCompute ? 'default compute account' : 'service account',
    api,
    targetProject: (projectVar && env[projectVar]) || hostProject,
    ...(projectVar ? { targetVar: projectVar } : {}),
    location: (locationVar && env[locationVar]) || 'global',
    model: env.GEMINI_MODEL ?? env.MODEL ?? 'gemini-2.5-flash',
    recognisedBy,
    projectVars,
  };
}
