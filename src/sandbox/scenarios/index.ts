/**
 * The shipped scenarios: the seed incident and one world per taxonomy cause a live call can
 * reproduce. Each is the healthy "acme" world (a Cloud Run image service whose dedicated service
 * account may call Vertex AI) with exactly one thing broken, so the cause is the only difference.
 */
import type { Scenario } from '../scenario.js';
import { BASE_SERVICES, computeAccount, DEFAULT_MODELS, operatorEmail, project, saEmail } from './world.js';

// --- the seed incident -----------------------------------------------------------------------

const ESE = { id: 'datadog-ese-sandbox', number: '482019374651' };
const DD = { id: 'datadog-sandbox', number: '601834572019' };

function seedIncident(): Scenario {
  const operator = operatorEmail(ESE.id);
  return {
    name: 'seed-incident',
    description:
      "Cloud Run genai-adk-python in datadog-ese-sandbox runs as the default compute service account, which holds no Vertex AI role, and its GOOGLE_CLOUD_PROJECT names datadog-sandbox (another team's project): the image call is denied aiplatform.endpoints.predict on datadog-sandbox.",
    propagationDelayMs: 3000,
    projects: [
      project({
        projectId: ESE.id,
        projectNumber: ESE.number,
        operator,
        owner: 'user:ese-lead@example.com',
        bindings: [
          {
            role: 'roles/editor',
            members: [`serviceAccount:${ESE.number}@cloudservices.gserviceaccount.com`],
          },
          { role: 'roles/logging.logWriter', members: [`serviceAccount:${computeAccount(ESE.number)}`] },
          { role: 'roles/run.invoker', members: ['allUsers'] },
        ],
        serviceAccounts: [
          { email: operator, displayName: 'genai-doctor operator' },
          { email: computeAccount(ESE.number), displayName: 'Compute Engine default service account' },
        ],
        cloudRunServices: [
          {
            name: 'genai-adk-python',
            region: 'us-central1',
            serviceAccount: '',
            env: {
              GOOGLE_CLOUD_PROJECT: DD.id,
              GOOGLE_CLOUD_LOCATION: 'global',
              GOOGLE_GENAI_USE_VERTEXAI: 'True',
              DD_SERVICE: 'genai-adk-python',
            },
          },
        ],
      }),
      project({
        projectId: DD.id,
        projectNumber: DD.number,
        operator,
        owner: 'user:sandbox-team@example.com',
        bindings: [{ role: 'roles/aiplatform.user', members: ['group:sandbox-team@example.com'] }],
      }),
    ],
    models: DEFAULT_MODELS,
    metadata: {
      email: 'default',
      projectId: ESE.id,
      region: 'us-central1',
      cloudRunService: 'genai-adk-python',
    },
    operator: { email: operator, projectId: ESE.id },
    call: {
      api: 'vertex',
      project: DD.id,
      projectEnv: 'GOOGLE_CLOUD_PROJECT',
      location: 'global',
      model: 'gemini-3-pro-image-preview',
      method: 'generateContent',
      credential: { kind: 'metadata' },
      cloudRun: { service: 'genai-adk-python', region: 'us-central1', project: ESE.id },
      prompt: 'A simple test image',
    },
    expect: {
      cause: 'project.mismatch',
      accept: ['iam.missing_permission', 'iam.cross_project'],
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'IAM_PERMISSION_DENIED',
      message: `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${DD.id}/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist).`,
    },
  };
}

// --- the acme world: healthy, then one thing broken per scenario -----------------------------

const PROD = { id: 'acme-genai-prod', number: '215346789012' };
const STAGING = { id: 'acme-genai-staging', number: '215346789013' };
const SHARED = { id: 'acme-ml-shared', number: '215346789014' };
const REGULATED = { id: 'acme-regulated', number: '215346789015' };
const WORKLOAD = saEmail('image-api', PROD.id);
const INVOKER = saEmail('vertex-invoker', PROD.id);
const OPERATOR = operatorEmail(PROD.id);
const SERVICES = [...BASE_SERVICES, 'generativelanguage.googleapis.com'];

interface Breakage {
  name: string;
  description: string;
  expect: Scenario['expect'];
  /** Change the healthy world; return nothing. */
  apply: (s: Scenario, w: AcmeHandles) => void;
}

interface AcmeHandles {
  prod: Scenario['projects'][number];
  env: Record<string, string>;
}

function acme(b: Breakage): Scenario {
  const env = {
    GOOGLE_CLOUD_PROJECT: PROD.id,
    GOOGLE_CLOUD_LOCATION: 'global',
    GOOGLE_GENAI_USE_VERTEXAI: 'true',
  };
  const prod = project({
    projectId: PROD.id,
    projectNumber: PROD.number,
    operator: OPERATOR,
    services: SERVICES,
    bindings: [
      { role: 'roles/aiplatform.user', members: [`serviceAccount:${WORKLOAD}`, `serviceAccount:${INVOKER}`] },
      { role: 'roles/logging.logWriter', members: [`serviceAccount:${WORKLOAD}`] },
    ],
    serviceAccounts: [
      { email: OPERATOR, displayName: 'genai-doctor operator' },
      { email: WORKLOAD, displayName: 'image-api runtime' },
      { email: INVOKER, displayName: 'Vertex AI invoker (impersonated)' },
    ],
    cloudRunServices: [{ name: 'image-api', region: 'us-central1', serviceAccount: WORKLOAD, env }],
  });
  const others = [STAGING, SHARED, REGULATED].map((p) =>
    project({ projectId: p.id, projectNumber: p.number, operator: OPERATOR, services: SERVICES }),
  );
  const s: Scenario = {
    name: b.name,
    description: b.description,
    propagationDelayMs: 3000,
    projects: [prod, ...others],
    models: DEFAULT_MODELS,
    metadata: { email: WORKLOAD, projectId: PROD.id, region: 'us-central1', cloudRunService: 'image-api' },
    operator: { email: OPERATOR, projectId: PROD.id },
    call: {
      api: 'vertex',
      project: PROD.id,
      projectEnv: 'GOOGLE_CLOUD_PROJECT',
      location: 'global',
      model: 'gemini-2.5-flash-image',
      method: 'generateContent',
      credential: { kind: 'metadata' },
      cloudRun: { service: 'image-api', region: 'us-central1', project: PROD.id },
      prompt: 'A lighthouse at dawn, watercolour',
    },
    expect: b.expect,
  };
  b.apply(s, { prod, env });
  return s;
}

/** Removes a member from every binding of a policy (and drops emptied bindings). */
function revoke(p: Scenario['projects'][number], member: string, role?: string): void {
  p.policy.bindings = (p.policy.bindings ?? [])
    .map((b) => (role && b.role !== role ? b : { ...b, members: b.members.filter((m) => m !== member) }))
    .filter((b) => b.members.length > 0);
}

const denied = (project: string, model = 'gemini-2.5-flash-image', location = 'global') =>
  `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${location}/publishers/google/models/${model}' (or it may not exist).`;

const IAM_DENIED = { http: 403, status: 'PERMISSION_DENIED', reason: 'IAM_PERMISSION_DENIED' } as const;

const BREAKAGES: Breakage[] = [
  {
    name: 'iam-missing-permission',
    description:
      'The image-api runtime service account holds no role with aiplatform.endpoints.predict on its own project.',
    expect: { cause: 'iam.missing_permission', ...IAM_DENIED, message: denied(PROD.id) },
    apply: (_s, w) => revoke(w.prod, `serviceAccount:${WORKLOAD}`, 'roles/aiplatform.user'),
  },
  {
    name: 'iam-cross-project',
    description:
      'By design image-api calls the models of the shared ML project acme-ml-shared (GOOGLE_CLOUD_PROJECT=acme-ml-shared), but its service account was only granted Vertex AI User in its own project.',
    expect: {
      cause: 'iam.cross_project',
      accept: ['iam.missing_permission', 'project.mismatch'],
      ...IAM_DENIED,
      message: denied(SHARED.id),
    },
    apply: (s, w) => {
      w.env.GOOGLE_CLOUD_PROJECT = SHARED.id;
      const shared = s.projects.find((p) => p.projectId === SHARED.id);
      if (shared) shared.labels = { role: 'shared-ml-models' };
    },
  },
  {
    name: 'iam-vpc-service-controls',
    description:
      "image-api calls Vertex AI in acme-regulated, which sits in a VPC Service Controls perimeter restricting aiplatform.googleapis.com; the caller's project is outside it.",
    expect: {
      cause: 'iam.vpc_service_controls',
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'SECURITY_POLICY_VIOLATED',
    },
    apply: (s, w) => {
      w.env.GOOGLE_CLOUD_PROJECT = REGULATED.id;
      const regulated = s.projects.find((p) => p.projectId === REGULATED.id);
      regulated?.policy.bindings?.push({
        role: 'roles/aiplatform.user',
        members: [`serviceAccount:${WORKLOAD}`],
      });
      s.perimeters = [
        {
          name: 'accessPolicies/558914367120/servicePerimeters/regulated_data',
          projects: [REGULATED.number],
          restrictedServices: ['aiplatform.googleapis.com', 'storage.googleapis.com'],
        },
      ];
    },
  },
  {
    name: 'iam-deny-policy',
    description:
      'image-api holds Vertex AI User, but an IAM deny policy on the project denies it aiplatform.googleapis.com/endpoints.predict.',
    expect: {
      cause: 'iam.deny_policy',
      accept: ['iam.missing_permission'],
      ...IAM_DENIED,
      message: denied(PROD.id),
    },
    apply: (_s, w) => {
      w.prod.denyRules = [
        {
          name: 'block-genai-from-runtime-accounts',
          deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${WORKLOAD}`],
          deniedPermissions: ['aiplatform.googleapis.com/endpoints.predict'],
        },
      ];
    },
  },
  {
    name: 'iam-propagation-delay',
    description:
      'Vertex AI User was granted to image-api seconds ago; the policy shows the binding but permission checks do not see it yet (propagation 2 minutes in this world).',
    expect: {
      cause: 'iam.propagation_delay',
      accept: ['iam.missing_permission'],
      ...IAM_DENIED,
      message: denied(PROD.id),
    },
    apply: (s, w) => {
      revoke(w.prod, `serviceAccount:${WORKLOAD}`, 'roles/aiplatform.user');
      s.propagationDelayMs = 120_000;
      s.recentGrants = [
        {
          project: PROD.id,
          role: 'roles/aiplatform.user',
          member: `serviceAccount:${WORKLOAD}`,
          agoMs: 10_000,
        },
      ];
    },
  },
  {
    name: 'iam-act-as',
    description:
      'image-api impersonates vertex-invoker to call Vertex AI, but holds no role with iam.serviceAccounts.getAccessToken on that account.',
    expect: {
      cause: 'iam.act_as',
      ...IAM_DENIED,
      message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    },
    apply: (s, w) => {
      revoke(w.prod, `serviceAccount:${WORKLOAD}`, 'roles/aiplatform.user');
      s.call.credential = { kind: 'impersonate', target: INVOKER };
    },
  },
  {
    name: 'project-mismatch',
    description:
      'image-api runs in acme-genai-prod where its account may call Vertex AI, but GOOGLE_CLOUD_PROJECT was copied from staging: the call names acme-genai-staging.',
    expect: {
      cause: 'project.mismatch',
      accept: ['iam.cross_project', 'iam.missing_permission'],
      ...IAM_DENIED,
      message: denied(STAGING.id),
    },
    apply: (_s, w) => {
      w.env.GOOGLE_CLOUD_PROJECT = STAGING.id;
    },
  },
  {
    name: 'project-invalid',
    description: 'GOOGLE_CLOUD_PROJECT still holds the placeholder your-project-id, which is no project.',
    expect: {
      cause: 'project.invalid',
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'CONSUMER_INVALID',
      message: 'Permission denied on resource project your-project-id.',
    },
    apply: (_s, w) => {
      w.env.GOOGLE_CLOUD_PROJECT = 'your-project-id';
    },
  },
  {
    name: 'api-disabled',
    description: 'The Vertex AI API (aiplatform.googleapis.com) is not enabled on acme-genai-prod.',
    expect: { cause: 'api.disabled', http: 403, status: 'PERMISSION_DENIED', reason: 'SERVICE_DISABLED' },
    apply: (_s, w) => {
      w.prod.enabledServices = w.prod.enabledServices.filter((x) => x !== 'aiplatform.googleapis.com');
    },
  },
  {
    name: 'billing-disabled',
    description: 'acme-genai-prod has no billing account linked.',
    expect: { cause: 'billing.disabled', http: 403, status: 'PERMISSION_DENIED', reason: 'BILLING_DISABLED' },
    apply: (_s, w) => {
      w.prod.billingEnabled = false;
    },
  },
  {
    name: 'model-not-found',
    description: 'image-api asks for gemini-1.5-pro-002, a retired model version.',
    expect: {
      cause: 'model.not_found',
      http: 404,
      status: 'NOT_FOUND',
      message: 'was not found or your project does not have access to it',
    },
    apply: (s) => {
      s.call.model = 'gemini-1.5-pro-002';
    },
  },
  {
    name: 'model-location-unsupported',
    description:
      'image-api calls gemini-3-pro-image-preview on us-central1; the model is served on the global endpoint only.',
    expect: {
      cause: 'model.location_unsupported',
      accept: ['model.not_found'],
      http: 404,
      status: 'NOT_FOUND',
      message:
        'Publisher Model `projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-3-pro-image-preview` was not found',
    },
    apply: (s, w) => {
      w.env.GOOGLE_CLOUD_LOCATION = 'us-central1';
      s.call.location = 'us-central1';
      s.call.model = 'gemini-3-pro-image-preview';
    },
  },
  {
    name: 'model-access-restricted',
    description:
      'gemini-3-pro-image-preview is allowlisted in this world and acme-genai-prod is not on the list.',
    expect: {
      cause: 'model.access_restricted',
      http: 400,
      status: 'FAILED_PRECONDITION',
      message: 'is not allowed to use Publisher Model',
    },
    apply: (s) => {
      s.call.model = 'gemini-3-pro-image-preview';
      s.models = DEFAULT_MODELS.map((m) =>
        m.id === 'gemini-3-pro-image-preview'
          ? { ...m, access: 'allowlist', allowlistedProjects: [SHARED.number] }
          : m,
      );
    },
  },
  {
    name: 'auth-credentials-invalid',
    description: 'A batch job calls Vertex AI with an access token cached hours ago: it has expired.',
    expect: {
      cause: 'auth.credentials_invalid',
      http: 401,
      status: 'UNAUTHENTICATED',
      reason: 'ACCESS_TOKEN_EXPIRED',
    },
    apply: (s) => {
      s.tokens = [{ id: 'cached-token', email: WORKLOAD, expired: true }];
      s.call.credential = { kind: 'token', id: 'cached-token' };
    },
  },
  {
    name: 'auth-scope-insufficient',
    description:
      'A Compute Engine VM runs as the default compute account (which holds Vertex AI User) but was created with the default access scopes, without cloud-platform.',
    expect: {
      cause: 'auth.scope_insufficient',
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
    },
    apply: (s, w) => {
      w.prod.policy.bindings?.push({
        role: 'roles/aiplatform.user',
        members: [`serviceAccount:${computeAccount(PROD.number)}`],
      });
      s.metadata = {
        email: 'default',
        projectId: PROD.id,
        region: 'us-central1',
        zone: 'us-central1-a',
        scopes: [
          'https://www.googleapis.com/auth/devstorage.read_only',
          'https://www.googleapis.com/auth/logging.write',
          'https://www.googleapis.com/auth/monitoring.write',
        ],
      };
      delete s.call.cloudRun;
      delete s.call.projectEnv;
    },
  },
  {
    name: 'auth-api-key-invalid',
    description: 'A script calls the Gemini Developer API with an API key that has expired.',
    expect: {
      cause: 'auth.api_key_invalid',
      http: 400,
      status: 'INVALID_ARGUMENT',
      reason: 'API_KEY_INVALID',
    },
    apply: (s) => {
      s.apiKeys = [{ id: 'old-key', project: PROD.id, state: 'EXPIRED' }];
      s.call = {
        ...s.call,
        api: 'gemini',
        model: 'gemini-2.5-flash',
        credential: { kind: 'apiKey', id: 'old-key' },
      };
    },
  },
  {
    name: 'auth-api-key-unsupported',
    description:
      'image-api was switched to an API key but still calls the Vertex AI project endpoint, which accepts only OAuth.',
    expect: {
      cause: 'auth.api_key_unsupported',
      http: 401,
      status: 'UNAUTHENTICATED',
      reason: 'CREDENTIALS_MISSING',
    },
    apply: (s) => {
      s.apiKeys = [{ id: 'studio-key', project: PROD.id, state: 'ACTIVE' }];
      s.call.credential = { kind: 'apiKey', id: 'studio-key' };
    },
  },
  {
    name: 'region-unsupported',
    description:
      'A developer in a country where the Gemini API is not offered calls it with a valid API key.',
    expect: {
      cause: 'region.unsupported',
      http: 400,
      status: 'FAILED_PRECONDITION',
      message: 'User location is not supported for the API use.',
    },
    apply: (s) => {
      s.apiKeys = [{ id: 'dev-key', project: PROD.id, state: 'ACTIVE' }];
      s.clientCountry = 'HK';
      s.call = {
        ...s.call,
        api: 'gemini',
        model: 'gemini-2.5-flash',
        credential: { kind: 'apiKey', id: 'dev-key' },
      };
      delete s.call.cloudRun;
      delete s.call.projectEnv;
    },
  },
  {
    name: 'quota-project-denied',
    description:
      'A developer runs image-api locally with user ADC whose quota project is acme-genai-staging; she may call Vertex AI in prod but may not bill to staging (no serviceusage.services.use there).',
    expect: {
      cause: 'quota_project.denied',
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'USER_PROJECT_DENIED',
      message: 'Caller does not have required permission to use project acme-genai-staging.',
    },
    apply: (s, w) => {
      w.prod.policy.bindings?.push({ role: 'roles/aiplatform.user', members: ['user:dev@acme.example'] });
      s.tokens = [{ id: 'dev-user', email: 'dev@acme.example' }];
      s.call.credential = { kind: 'token', id: 'dev-user' };
      s.call.quotaProject = STAGING.id;
      delete s.call.cloudRun;
      delete s.call.projectEnv;
    },
  },
  {
    name: 'quota-exceeded',
    description:
      'A free-tier Gemini API key calls gemini-2.5-pro, whose daily free-tier quota for the project is 0.',
    expect: {
      cause: 'quota.exceeded',
      http: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: 'You exceeded your current quota',
    },
    apply: (s) => {
      s.apiKeys = [
        {
          id: 'free-key',
          project: STAGING.id,
          state: 'ACTIVE',
          apiTargets: ['generativelanguage.googleapis.com'],
        },
      ];
      const staging = s.projects.find((p) => p.projectId === STAGING.id);
      if (staging) staging.billingEnabled = false;
      s.quotas = [{ project: STAGING.id, api: 'gemini', model: 'gemini-2.5-pro', window: 'day', limit: 0 }];
      s.call = {
        ...s.call,
        api: 'gemini',
        project: STAGING.id,
        model: 'gemini-2.5-pro',
        credential: { kind: 'apiKey', id: 'free-key' },
      };
      delete s.call.projectEnv;
      delete s.call.cloudRun;
    },
  },
  {
    name: 'rate-throttled',
    description:
      'acme-genai-prod has used its per-minute request quota for gemini-2.5-flash-image; calls succeed again within a minute.',
    expect: {
      cause: 'rate.throttled',
      http: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: 'Resource exhausted. Please try again later.',
    },
    apply: (s) => {
      s.quotas = [
        {
          project: PROD.id,
          api: 'vertex',
          model: 'gemini-2.5-flash-image',
          window: 'minute',
          limit: 5,
          used: 5,
        },
      ];
    },
  },
  {
    name: 'org-policy-violation',
    description:
      'The organization policy constraints/vertexai.allowedModels allows only gemini-2.5-flash in acme-genai-prod; image-api calls gemini-2.5-flash-image.',
    expect: {
      cause: 'org_policy.violation',
      http: 400,
      status: 'FAILED_PRECONDITION',
      message: 'constraints/vertexai.allowedModels',
    },
    apply: (_s, w) => {
      w.prod.orgPolicies = [
        {
          constraint: 'constraints/vertexai.allowedModels',
          allowedValues: ['publishers/google/models/gemini-2.5-flash:predict'],
        },
      ];
    },
  },
];

/**
 * Scenarios whose failure needs a request input `check`'s probe call does not carry (a gs://
 * file): loadable by name, listed only on request.
 */
const EXTRA_BREAKAGES: Breakage[] = [
  {
    name: 'iam-service-agent',
    description:
      "image-api sends a reference image from gs://acme-shared-assets (owned by acme-ml-shared); Vertex AI reads it as the prod project's Vertex AI service agent, which has no storage role there.",
    expect: {
      cause: 'iam.service_agent',
      http: 400,
      status: 'FAILED_PRECONDITION',
      message: `Service account \`service-${PROD.number}@gcp-sa-aiplatform.iam.gserviceaccount.com\` does not have \`[storage.objects.get]\` IAM permission(s) to the bucket "acme-shared-assets".`,
    },
    apply: (s) => {
      s.buckets = [{ name: 'acme-shared-assets', project: SHARED.id }];
      s.call.fileUri = 'gs://acme-shared-assets/brand/reference.png';
    },
  },
];

/** Every shipped scenario, built fresh (callers may mutate what they get). */
export function shippedScenarios(opts: { all?: boolean } = {}): Scenario[] {
  const extra = opts.all ? EXTRA_BREAKAGES.map(acme) : [];
  return [seedIncident(), ...BREAKAGES.map(acme), ...extra];
}
