/**
 * What the service's own client sees when the model call fails: an HTTP status that says whose
 * problem it is, the catalog code and cause, a fixed message per cause and a docs link. Never the
 * upstream text, project ids or principals: those go to the log (see generate route).
 *
 * Mapping (also in docs/image-service.md):
 *   rate.throttled (1153), retries exhausted           -> 429 + Retry-After
 *   deadline passed                                     -> 504
 *   upstream rejected the request itself (400, unknown) -> 400
 *   model answered without an image                     -> 422
 *   other unknown upstream failures (5xx, network)      -> 502
 *   every access / configuration cause (IAM, project,
 *   API, billing, model, auth, quota, org policy)       -> 503 (+ Retry-After for IAM propagation)
 * The client is not at fault for the service's own access problems, and retrying will not help
 * until an operator fixes them, hence 503 rather than 403/404.
 */
import type { CauseId, Finding } from 'genai-doctor';
import type { ErrorBody } from './schemas.js';
import type { UpstreamFailure } from './upstream-failure.js';

export interface PublicFailure {
  status: number;
  retryAfterS?: number;
  body: ErrorBody;
}

const PUBLIC_MESSAGES: Record<CauseId, string> = {
  'iam.missing_permission': "The service's identity is not allowed to call the image model.",
  'iam.cross_project': "The service's identity has no access in the project that serves the image model.",
  'iam.vpc_service_controls': 'A security perimeter blocks the call to the image model.',
  'iam.deny_policy': 'An IAM deny policy blocks the call to the image model.',
  'iam.propagation_delay': 'Access to the image model was granted recently and is not active yet.',
  'iam.service_agent': 'A Google-managed service agent lacks access that the image model needs.',
  'iam.act_as': 'The service may not act as the service account it is configured with.',
  'project.mismatch': 'The service calls the image model in a project it is not configured for.',
  'project.invalid': 'The project the service is configured with does not exist or is not usable.',
  'api.disabled': 'The Vertex AI API is not enabled for the project the service uses.',
  'billing.disabled': 'Billing is not enabled for the project the service uses.',
  'quota_project.denied': 'The quota project of the service is not usable.',
  'model.not_found': 'The configured image model does not exist.',
  'model.location_unsupported': 'The configured image model is not served in the configured location.',
  'model.access_restricted': 'The project the service uses has no access to the configured image model.',
  'region.unsupported': 'The image model is not offered where the service runs.',
  'auth.credentials_missing': 'The service has no credentials to call the image model.',
  'auth.credentials_invalid': "The service's credentials were rejected.",
  'auth.scope_insufficient': "The service's credentials lack the required OAuth scope.",
  'auth.api_key_invalid': "The service's API key was rejected.",
  'auth.api_key_unsupported': 'The image model endpoint does not accept API keys.',
  'quota.exceeded': 'The image model quota of the service is used up.',
  'rate.throttled': 'The image model is busy; try again shortly.',
  'org_policy.violation': 'An organization policy forbids the call to the image model.',
  unknown: 'The image model call failed.',
};

/** Seconds a client should wait before retrying after an IAM grant (Google: usually < 2 minutes). */
const PROPAGATION_RETRY_AFTER_S = 60;

/** The client-safe sentence for a cause: no project, principal or upstream wording. */
export function publicMessage(cause: CauseId): string {
  return PUBLIC_MESSAGES[cause];
}

export type FindingSummary = Pick<Finding, 'cause' | 'code'>;

export function statusFor(finding: FindingSummary, failure: UpstreamFailure): number {
  if (failure.kind === 'timeout') return 504;
  if (failure.kind === 'no-image') return 422;
  if (finding.cause === 'rate.throttled') return 429;
  if (finding.cause === 'unknown') return failure.httpStatus === 400 ? 400 : 502;
  return 503;
}

export function publicFailure(
  finding: FindingSummary,
  failure: UpstreamFailure,
  requestId: string,
  retryDelaySeconds?: number,
): PublicFailure {
  const status = statusFor(finding, failure);
  let retryAfterS: number | undefined;
  if (status === 429) retryAfterS = Math.max(1, Math.ceil(retryDelaySeconds ?? 1));
  if (finding.cause === 'iam.propagation_delay') retryAfterS = PROPAGATION_RETRY_AFTER_S;
  let message = PUBLIC_MESSAGES[finding.cause];
  if (failure.kind === 'timeout') message = 'The image model did not answer in time.';
  else if (failure.kind === 'no-image') message = 'The image model returned no image for this prompt.';
  else if (status === 400) message = 'The image model rejected the request.';
  const noImage = failure.kind === 'no-image';
  return {
    status,
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    body: {
      error: {
        ...(noImage ? {} : { code: finding.code }),
        cause: noImage ? 'upstream.no_image' : finding.cause,
        message,
        ...(noImage ? {} : { docs: `/errors/${finding.code}` }),
        request_id: requestId,
        ...(retryAfterS !== undefined ? { retry_after_s: retryAfterS } : {}),
      },
    },
  };
}
