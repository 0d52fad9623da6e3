/**
 * Google's error bodies, built the way Google's front ends build them:
 * `{"error":{"code","message","status","details":[ErrorInfo, Help, QuotaFailure, RetryInfo...]}}`.
 * Each builder is one failure the real service returns; the wording follows real responses.
 */
import type { RpcStatus } from '../core/model.js';

export interface ErrorDetail {
  '@type': string;
  [key: string]: unknown;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: RpcStatus; details?: ErrorDetail[] };
}

/** Thrown by route handlers; the server's error handler turns it into the JSON body. */
export class GoogleApiError extends Error {
  override name = 'GoogleApiError';
  constructor(
    readonly code: number,
    readonly status: RpcStatus,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
  body(): GoogleErrorBody {
    const error: GoogleErrorBody['error'] = { code: this.code, message: this.message, status: this.status };
    if (this.details.length > 0) error.details = this.details;
    return { error };
  }
}

export function errorInfo(reason: string, domain: string, metadata: Record<string, string>): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

export function help(links: Array<{ description: string; url: string }>): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.Help', links };
}

export function localizedMessage(message: string): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message };
}

export const SERVICE_TITLES: Record<string, string> = {
  'aiplatform.googleapis.com': 'Vertex AI API',
  'generativelanguage.googleapis.com': 'Generative Language API',
  'run.googleapis.com': 'Cloud Run Admin API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'cloudbilling.googleapis.com': 'Cloud Billing API',
  'policytroubleshooter.googleapis.com': 'Policy Troubleshooter API',
};

export function serviceTitle(service: string): string {
  return SERVICE_TITLES[service] ?? service;
}

/** Where a request went: the service and the RPC method, as ErrorInfo metadata names them. */
export interface Rpc {
  service: string;
  method: string;
}

/** The ErrorInfo Google's front end attaches to an authentication failure: reason + the RPC. */
function authErrorInfo(reason: string, rpc: Rpc) {
  return errorInfo(reason, 'googleapis.com', { method: rpc.method, service: rpc.service });
}

export function credentialsMissing(rpc: Rpc): GoogleApiError {
  return new GoogleApiError(
    401,
    'UNAUTHENTICATED',
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [authErrorInfo('CREDENTIALS_MISSING', rpc)],
  );
}

export function apiKeyNotSupported(rpc: Rpc): GoogleApiError {
  return new GoogleApiError(
    401,
    'UNAUTHENTICATED',
    'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication',
    [authErrorInfo('CREDENTIALS_MISSING', rpc)],
  );
}

export function invalidCredentials(
  rpc: Rpc,
  reason: 'ACCESS_TOKEN_EXPIRED' | 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
) {
  return new GoogleApiError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [authErrorInfo(reason, rpc)],
  );
}

export function scopeInsufficient(rpc: Rpc): GoogleApiError {
  return new GoogleApiError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
    authErrorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', rpc),
  ]);
}

/** The project a request names does not exist (or is deleted): Google says so without a 404. */
export function consumerInvalid(project: string, rpc: Rpc): GoogleApiError {
  return new GoogleApiError(403, 'PERMISSION_DENIED', `Permission denied on resource project ${project}.`, [
    help([{ description: 'Google developers console', url: 'https://console.developers.google.com' }]),
    errorInfo('CONSUMER_INVALID', 'googleapis.com', {
      consumer: `projects/${project}`,
      containerInfo: project,
      service: rpc.service,
    }),
  ]);
}

/** The caller may not bill its calls to the quota project (`x-goog-user-project`). */
export function userProjectDenied(project: string, service: string): GoogleApiError {
  const url = `https://console.developers.google.com/iam-admin/iam/project?project=${project}`;
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Caller does not have required permission to use project ${project}. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting ${url} and then retry. Propagation of the new permission may take a few minutes.`,
    [
      help([{ description: 'Google developer console IAM admin', url }]),
      errorInfo('USER_PROJECT_DENIED', 'googleapis.com', { consumer: `projects/${project}`, service }),
    ],
  );
}

export function serviceDisabled(projectShown: string, service: string): GoogleApiError {
  const url = `https://console.developers.google.com/apis/api/${service}/overview?project=${projectShown}`;
  const title = serviceTitle(service);
  const message = `${title} has not been used in project ${projectShown} before or it is disabled. Enable it by visiting ${url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return new GoogleApiError(403, 'PERMISSION_DENIED', message, [
    errorInfo('SERVICE_DISABLED', 'googleapis.com', {
      activationUrl: url,
      consumer: `projects/${projectShown}`,
      containerInfo: projectShown,
      service,
      serviceTitle: title,
    }),
    localizedMessage(message),
    help([{ description: 'Google developers console API activation', url }]),
  ]);
}

export function billingDisabled(projectNumber: string, service: string): GoogleApiError {
  const url = `https://console.developers.google.com/billing/enable?project=${projectNumber}`;
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `This API method requires billing to be enabled. Please enable billing on project #${projectNumber} by visiting ${url} then retry. If you enabled billing for this project recently, wait a few minutes for the action to propagate to our systems and retry.`,
    [
      errorInfo('BILLING_DISABLED', 'googleapis.com', {
        consumer: `projects/${projectNumber}`,
        containerInfo: projectNumber,
        service,
      }),
      help([{ description: 'Google developer console API billing', url }]),
    ],
  );
}

export function vpcScViolation(uid: string, projectNumber: string, service: string): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: ${uid}`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{ type: 'VPC_SERVICE_CONTROLS', description: uid }],
      },
      errorInfo('SECURITY_POLICY_VIOLATED', 'googleapis.com', {
        consumer: `projects/${projectNumber}`,
        service,
        uid,
      }),
    ],
  );
}

/**
 * IAM denial as most Google APIs phrase it. `resourceFull` is the `//service/...` name printed in
 * the message; `resource` the relative name in ErrorInfo metadata.
 */
export function iamPermissionDenied(
  permission: string,
  resourceFull: string,
  resource: string,
  domain: string,
): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Permission '${permission}' denied on resource '${resourceFull}' (or it may not exist).`,
    [errorInfo('IAM_PERMISSION_DENIED', domain, { permission, resource })],
  );
}

/** Resource Manager / IAM style: "The caller does not have permission". */
export function callerLacksPermission(permission: string, resource: string, domain: string): GoogleApiError {
  return new GoogleApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission', [
    errorInfo('IAM_PERMISSION_DENIED', domain, { permission, resource }),
  ]);
}

export function notFound(message: string): GoogleApiError {
  return new GoogleApiError(404, 'NOT_FOUND', message);
}

export function invalidArgument(message: string, details: ErrorDetail[] = []): GoogleApiError {
  return new GoogleApiError(400, 'INVALID_ARGUMENT', message, details);
}

export function publisherModelNotFound(project: string, location: string, model: string): GoogleApiError {
  return notFound(
    `Publisher Model \`projects/${project}/locations/${location}/publishers/google/models/${model}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`,
  );
}

export function publisherModelNotAllowed(
  projectNumber: string,
  project: string,
  location: string,
  model: string,
): GoogleApiError {
  // Vertex answers an allowlisted (not yet granted) model with a bare FAILED_PRECONDITION.
  return new GoogleApiError(
    400,
    'FAILED_PRECONDITION',
    `Project \`${projectNumber}\` is not allowed to use Publisher Model \`projects/${project}/locations/${location}/publishers/google/models/${model}\``,
  );
}

/** Vertex reads gs:// inputs as its service agent; without storage.objects.get it says so. */
export function serviceAgentCannotRead(agent: string, bucket: string): GoogleApiError {
  return new GoogleApiError(
    400,
    'FAILED_PRECONDITION',
    `Service account \`${agent}\` does not have \`[storage.objects.get]\` IAM permission(s) to the bucket "${bucket}". Please either copy the files to the Google Cloud Storage bucket owned by your project, or grant the required IAM permission(s) to the service account.`,
  );
}

export function userLocationUnsupported(): GoogleApiError {
  return new GoogleApiError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.');
}

export function orgPolicyViolation(constraint: string, projectNumber: string, model: string): GoogleApiError {
  return new GoogleApiError(
    400,
    'FAILED_PRECONDITION',
    `Organization Policy constraint \`${constraint}\` violated for \`projects/${projectNumber}\` attempting to use a disallowed Gen AI model \`publishers/google/models/${model}\`. Please contact your organization administrator to fix this violation. For more information, see https://cloud.google.com/vertex-ai/generative-ai/docs/control-model-access.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [
          {
            type: constraint,
            subject: `projects/${projectNumber}`,
            description: `Gen AI model publishers/google/models/${model} is not allowed by ${constraint}.`,
          },
        ],
      },
    ],
  );
}

export interface QuotaViolation {
  quotaMetric: string;
  quotaId: string;
  quotaDimensions: Record<string, string>;
  quotaValue: string;
}

export function quotaExhausted(
  message: string,
  violation: QuotaViolation,
  retryDelaySeconds: number | undefined,
  helpUrl: string,
): GoogleApiError {
  const details: ErrorDetail[] = [
    { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [violation] },
    help([{ description: 'Learn more about quotas', url: helpUrl }]),
  ];
  if (retryDelaySeconds !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${retryDelaySeconds}s`,
    });
  }
  return new GoogleApiError(429, 'RESOURCE_EXHAUSTED', message, details);
}

export function apiKeyInvalid(service: string, expired: boolean): GoogleApiError {
  const message = expired
    ? 'API key expired. Please renew the API key.'
    : 'API key not valid. Please pass a valid API key.';
  return new GoogleApiError(400, 'INVALID_ARGUMENT', message, [
    // Google reports an expired key with the same reason as a wrong one; only the text differs.
    errorInfo('API_KEY_INVALID', 'googleapis.com', { service }),
    localizedMessage(message),
  ]);
}

export function apiKeyServiceBlocked(rpc: Rpc, consumerNumber: string): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Requests to this API ${rpc.service} method ${rpc.method} are blocked.`,
    [
      errorInfo('API_KEY_SERVICE_BLOCKED', 'googleapis.com', {
        consumer: `projects/${consumerNumber}`,
        service: rpc.service,
        methodName: rpc.method,
        apiName: rpc.service,
      }),
    ],
  );
}

export function aborted(message: string): GoogleApiError {
  return new GoogleApiError(409, 'ABORTED', message);
}

/** The ErrorInfo domain of answers that come from the sandbox itself, never from Google. */
export const SANDBOX_DOMAIN = 'sandbox.genai-doctor.dev';

/**
 * A route the sandbox does not serve. Deliberately not Google's 404 NOT_FOUND: that would read
 * as "the resource does not exist" to a client and to diagnose, when only the sandbox is lacking.
 */
export function sandboxNotImplemented(method: string, path: string): GoogleApiError {
  return new GoogleApiError(
    501,
    'UNIMPLEMENTED',
    `The genai-doctor sandbox does not implement ${method} ${path}. This is a gap in the sandbox, not an answer from Google: the routes it serves are listed in docs/sandbox.md.`,
    [errorInfo('SANDBOX_ROUTE_NOT_IMPLEMENTED', SANDBOX_DOMAIN, { method, path })],
  );
}
