/**
 * One entry per cause id of ../taxonomy.ts: what happened, the evidence that shows it, and the
 * fix in one line. The catalog pages (./pages.ts) list these under "Causes" for their code, so a
 * cause is described once and every page, report and front end says the same thing.
 */
import type { CauseId } from '../taxonomy.js';

export interface CauseInfo {
  title: string;
  /** What happened, in one or two sentences. */
  happens: string;
  /** What in an error shows it. */
  evidence: string;
  /** The fix in one line. */
  fix: string;
}

export const CAUSE_INFO: Record<CauseId, CauseInfo> = {
  'iam.missing_permission': {
    title: 'Missing IAM permission',
    happens: 'The calling principal holds no role that grants the permission on the resource.',
    evidence:
      "403 PERMISSION_DENIED, reason IAM_PERMISSION_DENIED, Permission 'aiplatform.endpoints.predict' denied on resource ...",
    fix: 'Grant the smallest predefined role holding the permission (roles/aiplatform.user for predict), or a custom role with exactly it.',
  },
  'iam.cross_project': {
    title: 'Cross-project call without a binding',
    happens: 'The principal lives in project A and calls a model in project B, where it has no binding.',
    evidence:
      'The project in the resource name differs from the caller’s project, and project B really is the intended target.',
    fix: 'Grant the role in the resource project B (or call the model in your own project).',
  },
  'iam.vpc_service_controls': {
    title: 'Blocked by a VPC Service Controls perimeter',
    happens: 'A service perimeter around the project denies the request regardless of IAM.',
    evidence:
      "Request is prohibited by organization's policy, vpcServiceControlsUniqueIdentifier, reason SECURITY_POLICY_VIOLATED.",
    fix: 'Look the unique id up in the audit log and add a narrow ingress/egress rule or access level.',
  },
  'iam.deny_policy': {
    title: 'Blocked by an IAM deny policy',
    happens: 'An IAM deny policy removes a permission that an allow binding grants.',
    evidence: 'Policy Troubleshooter or the audit log names a deny policy.',
    fix: 'Ask the deny policy owner for an exception principal; more roles cannot override a deny rule.',
  },
  'iam.propagation_delay': {
    title: 'Grant not yet propagated',
    happens: 'The binding exists but has not reached every frontend yet.',
    evidence: 'Failure right after a grant, success minutes later with no further change.',
    fix: 'Wait (usually under 2 minutes, up to 7) and retry with backoff; change nothing else.',
  },
  'iam.service_agent': {
    title: 'Service agent lacks access to a dependency',
    happens:
      'A Google-managed service agent (e.g. the Vertex AI service agent) cannot read a bucket, key or table the job uses.',
    evidence:
      'The principal is service-NNN@gcp-sa-aiplatform.iam.gserviceaccount.com or the message names the service agent.',
    fix: 'Grant the service agent an ordinary role on that one resource (bucket, key); never grant service-agent roles to workloads.',
  },
  'iam.act_as': {
    title: 'Cannot act as / impersonate the service account',
    happens:
      'The caller lacks iam.serviceAccounts.actAs or getAccessToken on the service account it runs as or impersonates (incl. Workload Identity not bound).',
    evidence: 'iam.serviceAccounts.actAs or iam.serviceAccounts.getAccessToken denied.',
    fix: 'Grant roles/iam.serviceAccountUser (actAs) or roles/iam.serviceAccountTokenCreator (tokens) on that service account only.',
  },
  'project.mismatch': {
    title: 'Request went to the wrong project',
    happens:
      'The client sent the call to a different project than the one it meant (env var, ADC default project, hard-coded id).',
    evidence: 'The resource or consumer project differs from the configured or runtime project.',
    fix: 'Point the client at the intended project, then make sure the caller may call Gemini there; do not grant in the wrong project.',
  },
  'project.invalid': {
    title: 'Project id invalid or a placeholder',
    happens: 'The project id does not exist, was deleted, or is a placeholder such as YOUR-PROJECT-ID.',
    evidence:
      'CONSUMER_INVALID, Permission denied on resource project YOUR-PROJECT-ID, project ... not found.',
    fix: 'Set GOOGLE_CLOUD_PROJECT (or project=) to a real, active project id.',
  },
  'api.disabled': {
    title: 'API not enabled',
    happens: 'The Vertex AI (or Generative Language) API is disabled on the consumer project.',
    evidence: 'SERVICE_DISABLED, ... API has not been used in project N before or it is disabled.',
    fix: 'gcloud services enable aiplatform.googleapis.com --project=PROJECT, then wait a few minutes.',
  },
  'billing.disabled': {
    title: 'Billing not enabled',
    happens: 'The project has no active billing account, or it was closed.',
    evidence: 'BILLING_DISABLED, requires billing to be enabled.',
    fix: 'Link the project to an open billing account.',
  },
  'quota_project.denied': {
    title: 'Quota project missing or not usable',
    happens: 'User credentials need a quota project, or the caller may not use the one set.',
    evidence: 'USER_PROJECT_DENIED, requires a quota project, serviceusage.services.use.',
    fix: 'gcloud auth application-default set-quota-project PROJECT and grant roles/serviceusage.serviceUsageConsumer there.',
  },
  'model.not_found': {
    title: 'Model name wrong or retired',
    happens: 'The model id or version does not exist (typo) or has been shut down.',
    evidence: '404 Publisher Model ... was not found, models/xyz is not found for API version.',
    fix: 'Use a current model id (e.g. gemini-2.5-flash for a retired 1.x model).',
  },
  'model.location_unsupported': {
    title: 'Model not served in that location',
    happens:
      'The model exists but not at the requested location; Gemini 3 and image preview models are served at global.',
    evidence: '404 on a regional endpoint for a model served elsewhere.',
    fix: 'Set location to one that serves the model (global for Gemini 3).',
  },
  'model.access_restricted': {
    title: 'Model access restricted',
    happens: 'The model needs allowlisting, terms acceptance or a tier the project lacks.',
    evidence: 'A preview model is denied while GA models work from the same caller.',
    fix: 'Request access / accept terms in Model Garden, or use a GA model.',
  },
  'region.unsupported': {
    title: 'Gemini API not offered in the caller’s region',
    happens: 'The Gemini Developer API refuses callers from unsupported countries.',
    evidence: 'User location is not supported for the API use.',
    fix: 'Call Gemini through Vertex AI, or from a supported region.',
  },
  'auth.credentials_missing': {
    title: 'No credentials found',
    happens: 'Application Default Credentials are not set up where the code runs.',
    evidence: 'Could not load the default credentials, DefaultCredentialsError.',
    fix: 'gcloud auth application-default login locally; an attached service account on Google Cloud.',
  },
  'auth.credentials_invalid': {
    title: 'Credentials expired or revoked',
    happens: 'Credentials exist but are expired, revoked or malformed.',
    evidence: '401 UNAUTHENTICATED, invalid_grant, Reauthentication is needed, ACCESS_TOKEN_EXPIRED.',
    fix: 'Refresh the login (gcloud auth application-default login) or replace the credential.',
  },
  'auth.scope_insufficient': {
    title: 'OAuth scope missing',
    happens: 'The token lacks the cloud-platform scope (e.g. a VM created with default scopes).',
    evidence: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT, insufficient authentication scopes.',
    fix: 'Give the VM the cloud-platform scope and control access with IAM.',
  },
  'auth.api_key_invalid': {
    title: 'API key invalid or restricted',
    happens: 'The API key is invalid, expired, deleted, or restricted (referrer, IP, API target).',
    evidence: 'API_KEY_INVALID, API key expired, API_KEY_SERVICE_BLOCKED, API_KEY_HTTP_REFERRER_BLOCKED.',
    fix: 'Fix the key’s restrictions or create a new key restricted to the Gemini API.',
  },
  'auth.api_key_unsupported': {
    title: 'API key sent to an OAuth-only endpoint',
    happens: 'An API key was sent to a Vertex AI endpoint that needs OAuth.',
    evidence: 'API keys are not supported by this API, CREDENTIALS_MISSING with an API key in use.',
    fix: 'Use Application Default Credentials for Vertex AI (or the Gemini API endpoint for keys).',
  },
  'quota.exceeded': {
    title: 'Quota exhausted',
    happens: 'A hard quota is used up (per day, free tier, or a limit of 0).',
    evidence: '429 with Quota exceeded for quota metric ... per day, limit: 0.',
    fix: 'Request a quota increase or enable billing to leave the free tier; retries do not help.',
  },
  'rate.throttled': {
    title: 'Throttled',
    happens: 'Short-term per-minute limits or shared capacity are exhausted.',
    evidence: '429 RESOURCE_EXHAUSTED per minute, Resource exhausted. Please try again later.',
    fix: 'Retry with exponential backoff; use the global endpoint; raise throughput if sustained.',
  },
  'org_policy.violation': {
    title: 'Organization policy violation',
    happens: 'An organization policy constraint forbids the call or the setting it uses.',
    evidence: 'A constraints/... name in the error.',
    fix: 'Read the effective policy and comply, or ask the org admins for an exception.',
  },
  unknown: {
    title: 'Cause not determined',
    happens: 'The evidence does not match any known cause.',
    evidence: 'No recognisable status, reason or message.',
    fix: 'Collect the full error body and the audit log entry, then diagnose again.',
  },
};
