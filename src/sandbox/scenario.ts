/**
 * The scenario format: everything the sandbox knows about a little Google Cloud world (projects,
 * policies, services, models, keys, the workload and the operator) plus the one call the
 * workload makes and the cause that call is expected to fail with. Typed with TypeBox so a JSON
 * file is checked field by field before the sandbox starts.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CAUSE_IDS } from '../core/taxonomy.js';

const Expr = Type.Object({
  expression: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
});

const Binding = Type.Object({
  role: Type.String(),
  members: Type.Array(Type.String()),
  condition: Type.Optional(Expr),
});

const AuditConfig = Type.Object({
  service: Type.String(),
  auditLogConfigs: Type.Array(
    Type.Object({
      logType: Type.Union([
        Type.Literal('LOG_TYPE_UNSPECIFIED'),
        Type.Literal('ADMIN_READ'),
        Type.Literal('DATA_WRITE'),
        Type.Literal('DATA_READ'),
      ]),
      exemptedMembers: Type.Optional(Type.Array(Type.String())),
    }),
  ),
});

export const PolicySchema = Type.Object({
  version: Type.Optional(Type.Number()),
  bindings: Type.Optional(Type.Array(Binding)),
  auditConfigs: Type.Optional(Type.Array(AuditConfig)),
  etag: Type.Optional(Type.String()),
});

const Role = Type.Object({
  name: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  includedPermissions: Type.Optional(Type.Array(Type.String())),
  stage: Type.Optional(Type.String()),
  deleted: Type.Optional(Type.Boolean()),
});

/** An IAM deny rule (iam.googleapis.com v2 deny policies), attached to the project. */
const DenyRule = Type.Object({
  name: Type.Optional(Type.String()),
  deniedPrincipals: Type.Array(
    Type.String({ description: 'principal://... or principalSet://..., or a plain member' }),
  ),
  deniedPermissions: Type.Array(
    Type.String({ description: 'aiplatform.googleapis.com/endpoints.predict style' }),
  ),
  exceptionPrincipals: Type.Optional(Type.Array(Type.String())),
});

const ServiceAccount = Type.Object({
  email: Type.String(),
  displayName: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Boolean()),
  policy: Type.Optional(PolicySchema),
});

const CloudRunService = Type.Object({
  name: Type.String(),
  region: Type.String(),
  /** Empty or absent: the revision runs as the default compute service account. */
  serviceAccount: Type.Optional(Type.String()),
  env: Type.Optional(Type.Record(Type.String(), Type.String())),
  image: Type.Optional(Type.String()),
});

/**
 * A workload other than a Cloud Run service, as Cloud Asset Inventory lists it: a Cloud Functions
 * (2nd gen) function, a Vertex AI reasoning engine or endpoint, a GKE cluster, a Compute instance.
 */
const HostedWorkload = Type.Object({
  kind: Type.Union([
    Type.Literal('function'),
    /** A 1st gen function: Cloud Asset Inventory's cloudfunctions.googleapis.com/CloudFunction. */
    Type.Literal('function-gen1'),
    Type.Literal('reasoning-engine'),
    Type.Literal('endpoint'),
    Type.Literal('gke-cluster'),
    Type.Literal('instance'),
  ]),
  project: Type.String(),
  name: Type.String(),
  /** Region (zone `<region>-a` for instances). */
  region: Type.String(),
  /** Absent: the kind's default identity (default compute account; Vertex AI's service agent). */
  serviceAccount: Type.Optional(Type.String()),
  /** Function env, reasoning engine deploymentSpec env, instance metadata items. */
  env: Type.Optional(Type.Record(Type.String(), Type.String())),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
});

const OrgPolicy = Type.Object({
  constraint: Type.String({ description: 'e.g. constraints/vertexai.allowedModels' }),
  allowedValues: Type.Optional(Type.Array(Type.String())),
  deniedValues: Type.Optional(Type.Array(Type.String())),
});

const Project = Type.Object({
  projectId: Type.String({ minLength: 6 }),
  projectNumber: Type.String({ pattern: '^[0-9]+$' }),
  name: Type.Optional(Type.String()),
  lifecycleState: Type.Optional(Type.Union([Type.Literal('ACTIVE'), Type.Literal('DELETE_REQUESTED')])),
  createTime: Type.Optional(Type.String()),
  parent: Type.Optional(Type.Object({ type: Type.String(), id: Type.String() })),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  enabledServices: Type.Array(Type.String()),
  billingEnabled: Type.Boolean(),
  billingAccountName: Type.Optional(Type.String()),
  policy: PolicySchema,
  denyRules: Type.Optional(Type.Array(DenyRule)),
  customRoles: Type.Optional(Type.Array(Role)),
  serviceAccounts: Type.Optional(Type.Array(ServiceAccount)),
  cloudRunServices: Type.Optional(Type.Array(CloudRunService)),
  orgPolicies: Type.Optional(Type.Array(OrgPolicy)),
});

const Model = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('text'), Type.Literal('image')]),
  /** Locations where Vertex serves it (`global`, `us-central1`...). */
  locations: Type.Array(Type.String()),
  /** `allowlist`: only `allowlistedProjects` (numbers) may call it. */
  access: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('allowlist')])),
  allowlistedProjects: Type.Optional(Type.Array(Type.String())),
  /** Also served by the Gemini Developer API (generativelanguage.googleapis.com). */
  geminiApi: Type.Optional(Type.Boolean()),
});

const Perimeter = Type.Object({
  name: Type.String({ description: 'accessPolicies/N/servicePerimeters/NAME' }),
  /** Project numbers inside the perimeter. */
  projects: Type.Array(Type.String()),
  restrictedServices: Type.Array(Type.String()),
});

const Quota = Type.Object({
  /** Project id or number of the consumer. */
  project: Type.String(),
  api: Type.Optional(Type.Union([Type.Literal('vertex'), Type.Literal('gemini')])),
  model: Type.Optional(Type.String()),
  window: Type.Union([Type.Literal('minute'), Type.Literal('day')]),
  limit: Type.Number({ minimum: 0 }),
  /** Requests already counted in the current window when the sandbox starts. */
  used: Type.Optional(Type.Number({ minimum: 0 })),
});

const ApiKey = Type.Object({
  /** How the scenario names the key; the key string itself is generated at start. */
  id: Type.String(),
  project: Type.String(),
  state: Type.Union([Type.Literal('ACTIVE'), Type.Literal('EXPIRED'), Type.Literal('DELETED')]),
  /** API restrictions: services the key may call; absent = unrestricted. */
  apiTargets: Type.Optional(Type.Array(Type.String())),
  displayName: Type.Optional(Type.String()),
  /** Application restriction: HTTP referrers the key may be sent from; absent = any. */
  allowedReferrers: Type.Optional(Type.Array(Type.String())),
});

/** A folder of the organization (Resource Manager); `parent` is the organization or a folder. */
const Folder = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$' }),
  displayName: Type.String(),
  parent: Type.Object({
    type: Type.Union([Type.Literal('organization'), Type.Literal('folder')]),
    id: Type.String(),
  }),
  policy: Type.Optional(PolicySchema),
});

const Organization = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$' }),
  displayName: Type.String(),
  policy: Type.Optional(PolicySchema),
});

const Token = Type.Object({
  id: Type.String(),
  email: Type.String(),
  scopes: Type.Optional(Type.Array(Type.String())),
  /** A token that was issued but has expired or been revoked. */
  expired: Type.Optional(Type.Boolean()),
});

const Identity = Type.Object({ email: Type.String(), projectId: Type.String() });

const Metadata = Type.Object({
  /** Service account the runtime serves tokens for; `default` = the project's compute account. */
  email: Type.String(),
  projectId: Type.String(),
  region: Type.String(),
  zone: Type.Optional(Type.String()),
  /** OAuth scopes of the instance (GCE-style); absent = cloud-platform. */
  scopes: Type.Optional(Type.Array(Type.String())),
  /** The Cloud Run service this runtime is; its live service account wins over `email`. */
  cloudRunService: Type.Optional(Type.String()),
});

const Credential = Type.Union([
  Type.Object({ kind: Type.Literal('metadata') }),
  Type.Object({ kind: Type.Literal('apiKey'), id: Type.String() }),
  Type.Object({ kind: Type.Literal('token'), id: Type.String() }),
  Type.Object({ kind: Type.Literal('impersonate'), target: Type.String() }),
]);

const Call = Type.Object({
  api: Type.Union([Type.Literal('vertex'), Type.Literal('gemini')]),
  /** The project the call names (before `projectEnv` is applied). */
  project: Type.String(),
  /** If the Cloud Run service sets this env var, its value is the project the call names. */
  projectEnv: Type.Optional(Type.String()),
  location: Type.String(),
  model: Type.String(),
  method: Type.Optional(Type.Union([Type.Literal('generateContent'), Type.Literal('countTokens')])),
  credential: Credential,
  cloudRun: Type.Optional(
    Type.Object({ service: Type.String(), region: Type.String(), project: Type.String() }),
  ),
  /** A `gs://` object the request references as fileData (Vertex reads it as its service agent). */
  fileUri: Type.Optional(Type.String()),
  /** Sent as `x-goog-user-project` (user ADC with a quota project). */
  quotaProject: Type.Optional(Type.String()),
  /** What the workload was asked for, e.g. an image prompt. */
  prompt: Type.Optional(Type.String()),
});

const CauseSchema = Type.Union(CAUSE_IDS.map((c) => Type.Literal(c)));

const Expect = Type.Object({
  cause: CauseSchema,
  accept: Type.Optional(Type.Array(CauseSchema)),
  http: Type.Number(),
  status: Type.String(),
  reason: Type.Optional(Type.String()),
  /** A substring of the error message. */
  message: Type.Optional(Type.String()),
});

export const ScenarioSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
  description: Type.String(),
  /** Default IAM propagation delay for this world (SandboxOptions.propagationDelayMs wins). */
  propagationDelayMs: Type.Optional(Type.Number({ minimum: 0 })),
  /** A roles.list?view=FULL JSON (optionally .gz) to use as the predefined-role catalog. */
  rolesFile: Type.Optional(Type.String()),
  projects: Type.Array(Project, { minItems: 1 }),
  /** Grants made `agoMs` before the sandbox started: visible at once, effective after the delay. */
  recentGrants: Type.Optional(
    Type.Array(
      Type.Object({
        project: Type.String(),
        role: Type.String(),
        member: Type.String(),
        agoMs: Type.Number(),
      }),
    ),
  ),
  models: Type.Optional(Type.Array(Model)),
  perimeters: Type.Optional(Type.Array(Perimeter)),
  /** Cloud Storage buckets (for fileData); access is the owning project's policy plus the bucket's. */
  buckets: Type.Optional(
    Type.Array(
      Type.Object({ name: Type.String(), project: Type.String(), policy: Type.Optional(PolicySchema) }),
    ),
  ),
  /** Country the caller's requests come from (ISO 3166 alpha-2), for the Gemini API's region check. */
  clientCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  quotas: Type.Optional(Type.Array(Quota)),
  apiKeys: Type.Optional(Type.Array(ApiKey)),
  hostedWorkloads: Type.Optional(Type.Array(HostedWorkload)),
  /**
   * Requests each project consumed per day, per API, over the last `days` days (default 30): what
   * Cloud Monitoring's serviceruntime.googleapis.com/api/request_count (resource consumed_api)
   * answers for it. A project and API not listed consumed nothing.
   */
  apiUsage: Type.Optional(
    Type.Array(
      Type.Object({
        project: Type.String(),
        service: Type.String(),
        perDay: Type.Integer({ minimum: 0 }),
        days: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    ),
  ),
  /** The organization and folders above the projects (Cloud Asset Inventory scopes, inherited IAM). */
  organization: Type.Optional(Organization),
  folders: Type.Optional(Type.Array(Folder)),
  /** Cloud Asset Inventory requests per second before it answers 429 (absent = no limit). */
  assetRequestsPerSecond: Type.Optional(Type.Number({ minimum: 1 })),
  /**
   * Projects in a scope beyond which Policy Analyzer's synchronous analyzeIamPolicy runs out of
   * its deadline (504 DEADLINE_EXCEEDED) and only analyzeIamPolicyLongrunning answers (absent = no
   * limit).
   */
  policyAnalyzerSyncMaxProjects: Type.Optional(Type.Integer({ minimum: 1 })),
  /**
   * The first N polls (operations.get) of each Cloud Asset Inventory operation answer 503
   * UNAVAILABLE, the transient failure Google's clients retry (absent = none).
   */
  assetOperationPollsUnavailable: Type.Optional(Type.Integer({ minimum: 1 })),
  tokens: Type.Optional(Type.Array(Token)),
  metadata: Metadata,
  operator: Identity,
  call: Call,
  expect: Expect,
});

export type Scenario = Static<typeof ScenarioSchema>;
export type ScenarioProject = Static<typeof Project>;
export type ScenarioModel = Static<typeof Model>;
export type ScenarioCall = Static<typeof Call>;
export type ScenarioCredential = Static<typeof Credential>;
export type ScenarioCloudRunService = Static<typeof CloudRunService>;
export type ScenarioQuota = Static<typeof Quota>;
export type ScenarioApiKey = Static<typeof ApiKey>;
export type ScenarioHostedWorkload = Static<typeof HostedWorkload>;
export type ScenarioDenyRule = Static<typeof DenyRule>;
export type ScenarioPerimeter = Static<typeof Perimeter>;
export type ScenarioFolder = Static<typeof Folder>;
export type ScenarioOrganization = Static<typeof Organization>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Checks a parsed scenario; throws one readable ScenarioError listing the first problems. */
export function validateScenario(value: unknown, source = 'scenario'): Scenario {
  if (Value.Check(ScenarioSchema, value)) {
    checkReferences(value, source);
    return value;
  }
  const problems = [...Value.Errors(ScenarioSchema, value)]
    .slice(0, 5)
    .map((e) => `${e.path || '/'}: ${e.message}`);
  throw new ScenarioError(`${source} is not a valid scenario: ${problems.join('; ')}`);
}

/** Cross-field checks TypeBox cannot express: every reference names something that exists. */
function checkReferences(s: Scenario, source: string): void {
  const problems: string[] = [];
  const ids = new Set(s.projects.flatMap((p) => [p.projectId, p.projectNumber]));
  const numbers = new Set<string>();
  for (const p of s.projects) {
    if (numbers.has(p.projectNumber)) problems.push(`duplicate project number ${p.projectNumber}`);
    numbers.add(p.projectNumber);
  }
  if (!ids.has(s.metadata.projectId))
    problems.push(`metadata.projectId ${s.metadata.projectId} is not a project`);
  if (!ids.has(s.operator.projectId))
    problems.push(`operator.projectId ${s.operator.projectId} is not a project`);
  const keyIds = new Set((s.apiKeys ?? []).map((k) => k.id));
  const tokenIds = new Set((s.tokens ?? []).map((t) => t.id));
  const cred = s.call.credential;
  if (cred.kind === 'apiKey' && !keyIds.has(cred.id))
    problems.push(`call.credential names unknown api key ${cred.id}`);
  if (cred.kind === 'token' && !tokenIds.has(cred.id))
    problems.push(`call.credential names unknown token ${cred.id}`);
  if (s.call.cloudRun) {
    const { service, region, project } = s.call.cloudRun;
    const p = s.projects.find((x) => x.projectId === project || x.projectNumber === project);
    if (!p?.cloudRunServices?.some((r) => r.name === service && r.region === region)) {
      problems.push(`call.cloudRun names unknown service ${project}/${region}/${service}`);
    }
  }
  for (const g of s.recentGrants ?? []) {
    if (!ids.has(g.project)) problems.push(`recentGrants names unknown project ${g.project}`);
  }
  if (problems.length > 0) throw new ScenarioError(`${source}: ${problems.join('; ')}`);
}
