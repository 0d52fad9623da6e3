/**
 * Realistic generated log records: Datadog log events, Cloud Logging entries (application logs and
 * Cloud Audit Logs) and their failures, one template per cause of ../shared/corpus/TAXONOMY.md.
 * Used by the benchmark (1 GB export), the tests and the local Datadog / Cloud Logging servers, so
 * every reader is exercised on the shapes the real services write. Deterministic for a given seed.
 *
 * The error texts are written here from the public Google error formats; they are not corpus cases.
 */
import type { CauseId } from '../core/taxonomy.js';

/** The seed incident (seeds/000): Cloud Run service in one project calling a model in another. */
export const SEED = {
  service: 'genai-adk-python',
  runtimeProject: 'datadog-ese-sandbox',
  targetProject: 'datadog-sandbox',
  region: 'us-central1',
  model: 'gemini-3-pro-image-preview',
  modelLocation: 'global',
  projectNumber: '417935542111',
  principal: '417935542111-compute@developer.gserviceaccount.com',
  resource: 'POST /api/v1/images/generate',
  traceId: '3895988154444577359',
  timestamp: '2026-01-02T16:14:47.000Z',
  env: 'prod',
} as const;

/** A tiny deterministic PRNG (mulberry32): the same seed gives the same file. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ErrorTemplate {
  cause: CauseId;
  http: number;
  status: string;
  /** The text an application logs when the call fails (exception line with the error body). */
  text: (p: TemplateVars) => string;
  /** Exception class a Python client raises for it. */
  kind: string;
}

export interface TemplateVars {
  project: string;
  projectNumber: string;
  location: string;
  model: string;
  principal: string;
}

/** Google's error body; `details` absent when empty, as Google sends it. */
function errorBody(code: number, status: string, message: string, details: unknown[] = []) {
  const error: Record<string, unknown> = { code, message, status };
  if (details.length > 0) error.details = details;
  return { error };
}

/**
 * The body as `str(google.genai.errors.APIError)` prints it: `f'{code} {status}. {details}'` with
 * the parsed response as a Python dict repr (single quotes, True/False/None).
 */
function body(code: number, status: string, message: string, details: unknown[] = []): string {
  return pythonRepr(errorBody(code, status, message, details));
}

/** Python's repr() of a JSON value (dicts keep their insertion order, as Python's do). */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pythonStr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pythonStr(k)}: ${pythonRepr(v)}`)
    .join(', ')}}`;
}

/** repr() of a str: single quotes unless the text has one and no double quote. */
function pythonStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function errorInfo(reason: string, domain: string, metadata: Record<string, string>): unknown {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

function modelPath(v: TemplateVars): string {
  return `projects/${v.project}/locations/${v.location}/publishers/google/models/${v.model}`;
}

const clientError = (code: number, status: string) => `google.genai.errors.ClientError: ${code} ${status}. `;

/** One template per cause id. Causes the text alone cannot tell apart share a wording on purpose. */
export const ERROR_TEMPLATES: ErrorTemplate[] = [
  {
    cause: 'iam.missing_permission',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(403, 'PERMISSION_DENIED') +
      body(
        403,
        'PERMISSION_DENIED',
        `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${modelPath(v)}' (or it may not exist).`,
        [
          errorInfo('IAM_PERMISSION_DENIED', 'aiplatform.googleapis.com', {
            permission: 'aiplatform.endpoints.predict',
            resource: modelPath(v),
          }),
        ],
      ),
  },
  {
    cause: 'iam.vpc_service_controls',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(403, 'PERMISSION_DENIED') +
      body(
        403,
        'PERMISSION_DENIED',
        "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: 3Hq7yZ0kQmS",
        [
          {
            '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
            violations: [{ type: 'VPC_SERVICE_CONTROLS', description: '3Hq7yZ0kQmS' }],
          },
          errorInfo('SECURITY_POLICY_VIOLATED', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            consumer: `projects/${v.projectNumber}`,
          }),
        ],
      ),
  },
  {
    cause: 'iam.service_agent',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.api_core.exceptions.PermissionDenied',
    text: (v) =>
      `google.api_core.exceptions.PermissionDenied: 403 Service account service-${v.projectNumber}@gcp-sa-aiplatform.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).`,
  },
  {
    cause: 'iam.act_as',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.auth.exceptions.RefreshError',
    text: (v) =>
      // RefreshError(msg, response_body): str() is the args tuple's repr, the body Google's
      // pretty-printed JSON text as a Python string.
      `google.auth.exceptions.RefreshError: ('Unable to acquire impersonated credentials', ${pythonRepr(
        `${JSON.stringify(
          errorBody(
            403,
            'PERMISSION_DENIED',
            "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
            [
              errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', {
                permission: 'iam.serviceAccounts.getAccessToken',
                resource: `projects/-/serviceAccounts/${v.principal}`,
              }),
            ],
          ),
          null,
          2,
        )}\n`,
      )})`,
  },
  {
    cause: 'project.invalid',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(403, 'PERMISSION_DENIED') +
      body(403, 'PERMISSION_DENIED', 'Permission denied on resource project YOUR_PROJECT_ID.', [
        errorInfo('CONSUMER_INVALID', 'googleapis.com', {
          service: 'aiplatform.googleapis.com',
          consumer: 'projects/YOUR_PROJECT_ID',
        }),
      ]),
  },
  {
    cause: 'api.disabled',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(403, 'PERMISSION_DENIED') +
      body(
        403,
        'PERMISSION_DENIED',
        `Vertex AI API has not been used in project ${v.projectNumber} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=${v.projectNumber} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
        [
          errorInfo('SERVICE_DISABLED', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            consumer: `projects/${v.projectNumber}`,
            serviceTitle: 'Vertex AI API',
          }),
        ],
      ),
  },
  {
    cause: 'billing.disabled',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(403, 'PERMISSION_DENIED') +
      body(
        403,
        'PERMISSION_DENIED',
        `This API method requires billing to be enabled. Please enable billing on project #${v.projectNumber} by visiting https://console.developers.google.com/billing/enable?project=${v.projectNumber} then retry.`,
        [
          errorInfo('BILLING_DISABLED', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            consumer: `projects/${v.projectNumber}`,
          }),
        ],
      ),
  },
  {
    cause: 'quota_project.denied',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(403, 'PERMISSION_DENIED') +
      body(
        403,
        'PERMISSION_DENIED',
        `Caller does not have required permission to use project ${v.project}. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=${v.project} and then retry.`,
        [
          errorInfo('USER_PROJECT_DENIED', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            consumer: `projects/${v.project}`,
          }),
        ],
      ),
  },
  {
    cause: 'model.not_found',
    http: 404,
    status: 'NOT_FOUND',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(404, 'NOT_FOUND') +
      body(
        404,
        'NOT_FOUND',
        `Publisher Model \`projects/${v.project}/locations/${v.location}/publishers/google/models/gemini-1.0-pro-vision-001\` was not found or your project does not have access to it. Please ensure you are using a valid model version.`,
      ),
  },
  {
    cause: 'region.unsupported',
    http: 400,
    status: 'FAILED_PRECONDITION',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(400, 'FAILED_PRECONDITION') +
      body(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
  },
  {
    cause: 'auth.credentials_missing',
    http: 0,
    status: '',
    kind: 'google.auth.exceptions.DefaultCredentialsError',
    text: () =>
      'google.auth.exceptions.DefaultCredentialsError: Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.',
  },
  {
    cause: 'auth.credentials_invalid',
    http: 401,
    status: 'UNAUTHENTICATED',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(401, 'UNAUTHENTICATED') +
      body(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        [errorInfo('ACCESS_TOKEN_EXPIRED', 'googleapis.com', { service: 'aiplatform.googleapis.com' })],
      ),
  },
  {
    cause: 'auth.scope_insufficient',
    http: 403,
    status: 'PERMISSION_DENIED',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(403, 'PERMISSION_DENIED') +
      body(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
        errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', {
          service: 'aiplatform.googleapis.com',
          method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
        }),
      ]),
  },
  {
    cause: 'auth.api_key_invalid',
    http: 400,
    status: 'INVALID_ARGUMENT',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(400, 'INVALID_ARGUMENT') +
      body(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        errorInfo('API_KEY_INVALID', 'googleapis.com', { service: 'generativelanguage.googleapis.com' }),
      ]),
  },
  {
    cause: 'auth.api_key_unsupported',
    http: 401,
    status: 'UNAUTHENTICATED',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(401, 'UNAUTHENTICATED') +
      body(
        401,
        'UNAUTHENTICATED',
        'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication',
        [
          errorInfo('CREDENTIALS_MISSING', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
          }),
        ],
      ),
  },
  {
    cause: 'quota.exceeded',
    http: 429,
    status: 'RESOURCE_EXHAUSTED',
    kind: 'google.genai.errors.ClientError',
    text: (v) =>
      clientError(429, 'RESOURCE_EXHAUSTED') +
      body(
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric 'Generate content requests' and limit 'Generate content requests per day per project per base model' of service 'aiplatform.googleapis.com' for consumer 'project_number:${v.projectNumber}'.`,
        [
          errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', {
            service: 'aiplatform.googleapis.com',
            consumer: `projects/${v.projectNumber}`,
            quota_metric: 'aiplatform.googleapis.com/generate_content_requests',
            quota_limit: 'GenerateContentRequestsPerDayPerProjectPerBaseModel',
            quota_limit_value: '0',
          }),
        ],
      ),
  },
  {
    cause: 'rate.throttled',
    http: 429,
    status: 'RESOURCE_EXHAUSTED',
    kind: 'google.genai.errors.ClientError',
    text: () =>
      clientError(429, 'RESOURCE_EXHAUSTED') +
      body(
        429,
        'RESOURCE_EXHAUSTED',
        'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
      ),
  },
  {
    cause: 'org_policy.violation',
    http: 400,
    status: 'FAILED_PRECONDITION',
    kind: 'google.api_core.exceptions.FailedPrecondition',
    text: (v) =>
      `google.api_core.exceptions.FailedPrecondition: 400 Location ${v.location} violates constraint constraints/gcp.resourceLocations on the resource projects/${v.project}.`,
  },
  {
    cause: 'unknown',
    http: 500,
    status: 'INTERNAL',
    kind: 'google.genai.errors.ServerError',
    text: () =>
      'google.genai.errors.ServerError: 500 INTERNAL. ' +
      body(500, 'INTERNAL', 'Internal error encountered.'),
  },
];

export type Flavor = 'datadog-api' | 'datadog-raw' | 'cloud-logging' | 'audit';

export interface GeneratorOptions {
  seed?: number;
  /** Epoch ms of the first record. */
  start?: number;
  /** Milliseconds between records on average. */
  stepMs?: number;
  /** Fraction of records that are failures (0.005 for the benchmark). */
  failureRate?: number;
}

const INFO_MESSAGES = [
  'Image generation completed',
  'GET /healthz 200',
  'POST /api/v1/images/generate 200',
  'Session created',
  'Prompt accepted for generation',
  'Cache hit for prompt embedding',
];

function hex(next: () => number, n: number): string {
  let s = '';
  while (s.length < n)
    s += Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
}

function decimalId(next: () => number): string {
  // 64-bit Datadog trace ids printed in decimal, like the seed's 3895988154444577359.
  const hi = Math.floor(next() * 0x7fffffff);
  const lo = Math.floor(next() * 0x100000000);
  return (BigInt(hi) * 4294967296n + BigInt(lo)).toString();
}

/** Vars of the seed incident: the runtime project's default SA calling the other project's model. */
export function seedVars(): TemplateVars {
  return {
    project: SEED.targetProject,
    projectNumber: SEED.projectNumber,
    location: SEED.modelLocation,
    model: SEED.model,
    principal: SEED.principal,
  };
}

/** Streams of generated records; each call to next() returns one JSON object (not yet serialised). */
export class LogGenerator {
  private readonly next: () => number;
  private t: number;
  private readonly stepMs: number;
  private readonly failureRate: number;
  private n = 0;

  constructor(opts: GeneratorOptions = {}) {
    this.next = rng(opts.seed ?? 42);
    this.t = opts.start ?? Date.parse(SEED.timestamp) - 30 * 60_000;
    this.stepMs = opts.stepMs ?? 50;
    this.failureRate = opts.failureRate ?? 0.005;
  }

  /** One record of the given flavor; failure or not by the failure rate, cause spread evenly. */
  record(flavor: Flavor): Record<string, unknown> {
    this.n++;
    this.t += Math.floor(this.next() * this.stepMs * 2);
    const failing = this.next() < this.failureRate;
    if (flavor === 'audit') return this.auditEntry(failing);
    const template = failing ? ERROR_TEMPLATES[this.n % ERROR_TEMPLATES.length] : undefined;
    if (flavor === 'cloud-logging') return this.cloudLoggingEntry(template);
    return flavor === 'datadog-api' ? this.datadogEvent(template) : this.datadogRaw(template);
  }

  /** The seed incident as a Datadog API event at the given time. */
  seedEvent(time: number, traceId: string = decimalId(this.next)): Record<string, unknown> {
    const t = this.t;
    this.t = time;
    const e = this.datadogEvent(ERROR_TEMPLATES[0], seedVars(), traceId);
    this.t = t;
    return e;
  }

  /** The audit-log entry that goes with the seed incident (names the principal the 403 hides). */
  seedAudit(time: number): Record<string, unknown> {
    const t = this.t;
    this.t = time;
    const e = this.auditEntry(true, seedVars());
    this.t = t;
    return e;
  }

  private vars(): TemplateVars {
    return seedVars();
  }

  private datadogAttributes(template: ErrorTemplate | undefined, v: TemplateVars, traceId: string) {
    const ts = new Date(this.t).toISOString();
    const message = template ? `Image generation failed: ${template.text(v)}` : this.infoMessage();
    const custom: Record<string, unknown> = {
      dd: {
        trace_id: traceId,
        span_id: decimalId(this.next),
        service: SEED.service,
        env: SEED.env,
        version: '1.4.2',
      },
      logger: { name: 'app.services.image_generation', thread_name: 'MainThread' },
      http: {
        method: 'POST',
        url_details: { path: '/api/v1/images/generate' },
        status_code: template ? 500 : 200,
      },
    };
    if (template)
      custom.error = {
        kind: template.kind,
        message: template.text(v),
        stack: `Traceback (most recent call last):\n  File "app/services/image_generation.py", line 88, in generate\n${template.kind}`,
      };
    return {
      timestamp: ts,
      service: SEED.service,
      status: template ? 'error' : 'info',
      message,
      host: 'genai-adk-python-00042-x7k',
      tags: [
        `env:${SEED.env}`,
        `service:${SEED.service}`,
        'source:python',
        'origin:cloudrun',
        `project_id:${SEED.runtimeProject}`,
        `location:${SEED.region}`,
        `revision_name:${SEED.service}-00042-x7k`,
      ],
      attributes: custom,
    };
  }

  private datadogEvent(template: ErrorTemplate | undefined, v = this.vars(), traceId = decimalId(this.next)) {
    return {
      id: `AQAAAZ${hex(this.next, 26)}`,
      type: 'log',
      attributes: this.datadogAttributes(template, v, traceId),
    };
  }

  /** The JSON a Datadog-instrumented Python service writes (what the UI's JSON export holds). */
  private datadogRaw(template: ErrorTemplate | undefined) {
    const a = this.datadogAttributes(template, this.vars(), decimalId(this.next));
    return {
      date: a.timestamp,
      service: a.service,
      status: a.status,
      host: a.host,
      message: a.message,
      ...a.attributes,
    };
  }

  private infoMessage(): string {
    return INFO_MESSAGES[Math.floor(this.next() * INFO_MESSAGES.length)] ?? 'ok';
  }

  private cloudLoggingEntry(template: ErrorTemplate | undefined) {
    const v = this.vars();
    const ts = new Date(this.t).toISOString().replace('Z', `${String(this.n % 1000).padStart(3, '0')}Z`);
    const project = SEED.runtimeProject;
    const entry: Record<string, unknown> = {
      insertId: hex(this.next, 16),
      resource: {
        type: 'cloud_run_revision',
        labels: {
          project_id: project,
          service_name: SEED.service,
          revision_name: `${SEED.service}-00042-x7k`,
          location: SEED.region,
          configuration_name: SEED.service,
        },
      },
      timestamp: ts,
      severity: template ? 'ERROR' : 'INFO',
      labels: { instanceId: `0069c7a988${hex(this.next, 24)}` },
      logName: `projects/${project}/logs/run.googleapis.com%2Fstderr`,
      trace: `projects/${project}/traces/${hex(this.next, 32)}`,
      spanId: hex(this.next, 16),
      traceSampled: true,
      receiveTimestamp: ts,
    };
    if (template) {
      entry.jsonPayload = {
        message: `Image generation failed: ${template.text(v)}`,
        logger: 'app.services.image_generation',
        'logging.googleapis.com/sourceLocation': { file: 'app/services/image_generation.py', line: '88' },
      };
    } else if (this.next() < 0.5) {
      entry.textPayload = this.infoMessage();
    } else {
      entry.jsonPayload = { message: this.infoMessage(), logger: 'app.main' };
    }
    return entry;
  }

  private auditEntry(failing: boolean, v = this.vars()) {
    const ts = new Date(this.t).toISOString();
    const resource = `projects/${v.project}/locations/${v.location}/publishers/google/models/${v.model}`;
    const method = 'google.cloud.aiplatform.v1.PredictionService.GenerateContent';
    return {
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        status: failing
          ? {
              code: 7,
              message: `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
            }
          : {},
        authenticationInfo: { principalEmail: v.principal },
        requestMetadata: {
          callerIp: '34.96.12.8',
          callerSuppliedUserAgent: 'google-genai-sdk/1.56.0 gl-python/3.12.8,gzip(gfe)',
          requestAttributes: { time: ts, auth: {} },
          destinationAttributes: {},
        },
        serviceName: 'aiplatform.googleapis.com',
        methodName: method,
        authorizationInfo: [
          {
            resource,
            permission: 'aiplatform.endpoints.predict',
            granted: !failing,
            resourceAttributes: {
              service: 'aiplatform.googleapis.com',
              name: resource,
              type: 'aiplatform.googleapis.com/PublisherModel',
            },
            permissionType: 'DATA_READ',
          },
        ],
        resourceName: resource,
        request: {
          '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.GenerateContentRequest',
          model: resource,
        },
      },
      insertId: hex(this.next, 12),
      resource: {
        type: 'audited_resource',
        labels: { service: 'aiplatform.googleapis.com', method, project_id: v.project },
      },
      timestamp: ts,
      severity: failing ? 'ERROR' : 'INFO',
      logName: `projects/${v.project}/logs/cloudaudit.googleapis.com%2Fdata_access`,
      receiveTimestamp: ts,
    };
  }
}
