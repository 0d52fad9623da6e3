/**
 * The error catalog's per-code text, in the structure of the seed error page (quick answer,
 * core mechanics, causes, remediation by environment, best practices, related codes, TL;DR).
 * Causes come from the taxonomy and ./causes.ts, so a page lists exactly the cause ids that
 * carry its code. 1100, 1152 and 1153 keep the meanings the seed page gives them.
 */
import type { ErrorCode } from '../taxonomy.js';

export type Environment = 'Console' | 'gcloud' | 'Terraform';

export interface Remediation {
  environment: Environment;
  action: string;
  outcome: string;
  /** A command or HCL snippet; placeholders are UPPER_CASE. */
  snippet?: string;
}

export interface CodeText {
  title: string;
  quickAnswer: string;
  mechanics: string;
  remediation: Remediation[];
  bestPractices: string[];
  related: Array<{ code: ErrorCode; why: string }>;
  tldr: string;
}

const GRANT_TF = `resource "google_project_iam_member" "gemini_caller" {
  project = "PROJECT_ID"
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:SA_EMAIL"
}`;

export const CODE_TEXT: Record<ErrorCode, CodeText> = {
  1100: {
    title: 'Quota exhausted or API key rejected',
    quickAnswer:
      'Error 1100 covers quotas and API keys: either a hard quota (daily, free tier, limit 0) is used up, or the API key is invalid, expired or restricted. Read the message: "Quota exceeded" means raise the quota or enable billing; "API key" means fix or replace the key.',
    mechanics:
      'Google checks the API key and the consumer project’s quota before it looks at the model. A key that is deleted, expired or restricted to other APIs, referrers or IPs is refused with API_KEY_*; a request that would exceed a per-day or free-tier quota is refused with 429 until the quota resets or is raised.',
    remediation: [
      {
        environment: 'Console',
        action:
          'APIs & Services > Credentials: check the key’s API and application restrictions; IAM & Admin > Quotas: request an increase',
        outcome: 'Key accepted / quota raised.',
      },
      {
        environment: 'gcloud',
        action: 'Inspect keys and restrictions',
        outcome: 'See why a key is refused.',
        snippet: 'gcloud services api-keys list --project=PROJECT_ID',
      },
      {
        environment: 'Terraform',
        action: 'Manage the key and its restrictions as code',
        outcome: 'Reviewed, reproducible key restrictions.',
        snippet:
          'resource "google_apikeys_key" "gemini" {\n  name = "gemini"\n  restrictions {\n    api_targets { service = "generativelanguage.googleapis.com" }\n  }\n}',
      },
    ],
    bestPractices: [
      'Prefer service accounts with IAM over API keys for server workloads.',
      'Restrict every key to the one API it calls, and rotate keys.',
      'Alert on quota usage before it reaches the limit; enable billing to leave free-tier limits.',
    ],
    related: [
      { code: 1153, why: 'per-minute throttling, fixed with backoff rather than a quota increase' },
      { code: 1104, why: 'an API key sent to a Vertex AI endpoint that needs OAuth' },
    ],
    tldr: 'Quota used up or API key refused: raise the quota / enable billing, or fix the key’s restrictions.',
  },
  1101: {
    title: 'No credentials found',
    quickAnswer:
      'Error 1101 means the client library found no credentials at all. Locally run `gcloud auth application-default login`; on Google Cloud attach a service account to the workload.',
    mechanics:
      'Client libraries look for Application Default Credentials in order: GOOGLE_APPLICATION_CREDENTIALS, the gcloud ADC file, then the metadata server. When none answers, the call fails before it reaches Google.',
    remediation: [
      {
        environment: 'Console',
        action: 'Cloud Run / GCE: set the service account on the workload',
        outcome: 'The metadata server provides tokens.',
      },
      {
        environment: 'gcloud',
        action: 'Create local ADC',
        outcome: 'Local code finds user credentials.',
        snippet: 'gcloud auth application-default login',
      },
      {
        environment: 'Terraform',
        action: 'Set service_account on the workload resource',
        outcome: 'Every revision runs with an identity.',
        snippet: 'template {\n  service_account = google_service_account.caller.email\n}',
      },
    ],
    bestPractices: [
      'Do not ship service account key files; use attached service accounts or Workload Identity Federation.',
    ],
    related: [
      { code: 1102, why: 'credentials exist but are expired or revoked' },
      { code: 1112, why: 'user credentials also need a quota project' },
    ],
    tldr: 'No credentials: log in locally with ADC, attach a service account in the cloud.',
  },
  1102: {
    title: 'Credentials expired, revoked or malformed',
    quickAnswer:
      'Error 1102 means the credentials were found but refused (401 UNAUTHENTICATED, invalid_grant). Refresh the login or replace the credential.',
    mechanics:
      'A refresh token that was revoked, a user who must re-authenticate, a deleted service account key or a badly skewed clock all make token exchange fail, so every call is unauthenticated.',
    remediation: [
      {
        environment: 'Console',
        action: 'IAM > Service accounts: check the key or account is not disabled/deleted',
        outcome: 'A valid identity.',
      },
      {
        environment: 'gcloud',
        action: 'Re-login',
        outcome: 'Fresh refresh token.',
        snippet: 'gcloud auth application-default login',
      },
      {
        environment: 'Terraform',
        action: 'Replace key-based auth with an attached service account',
        outcome: 'No long-lived secret to expire.',
      },
    ],
    bestPractices: ['Keep machine clocks in sync (NTP).', 'Prefer short-lived tokens over keys.'],
    related: [{ code: 1101, why: 'no credentials at all' }],
    tldr: 'Credentials refused: refresh or replace them.',
  },
  1103: {
    title: 'OAuth scope insufficient',
    quickAnswer:
      'Error 1103 means the access token lacks the cloud-platform scope; on GCE give the VM the cloud-platform scope and control access with IAM.',
    mechanics:
      'Legacy access scopes on a VM cap what its token can do, whatever IAM grants. Default VM scopes do not include Vertex AI.',
    remediation: [
      {
        environment: 'Console',
        action: 'Stop the VM > Edit > Access scopes > Allow full access to all Cloud APIs',
        outcome: 'Token carries cloud-platform.',
      },
      {
        environment: 'gcloud',
        action: 'Set scopes',
        outcome: 'Token carries cloud-platform.',
        snippet:
          'gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=SA_EMAIL --scopes=cloud-platform',
      },
      {
        environment: 'Terraform',
        action: 'Set scopes on the instance',
        outcome: 'Reproducible scopes.',
        snippet:
          'service_account {\n  email  = google_service_account.caller.email\n  scopes = ["cloud-platform"]\n}',
      },
    ],
    bestPractices: ['Use the cloud-platform scope and narrow access with IAM roles, not scopes.'],
    related: [{ code: 1152, why: 'once the scope is right, IAM decides' }],
    tldr: 'Token scope too narrow: use cloud-platform and IAM.',
  },
  1104: {
    title: 'API key not supported by this endpoint',
    quickAnswer:
      'Error 1104 means an API key was sent to a Vertex AI endpoint that needs OAuth. Use Application Default Credentials for Vertex AI, or the Gemini Developer API for API keys.',
    mechanics:
      'Most Vertex AI endpoints authenticate callers with OAuth 2.0 tokens bound to a principal, so IAM can authorize them; an API key identifies only a project.',
    remediation: [
      {
        environment: 'Console',
        action: 'Create a service account and attach it to the workload',
        outcome: 'OAuth identity for Vertex AI.',
      },
      {
        environment: 'gcloud',
        action: 'Use ADC and Vertex mode',
        outcome: 'The client sends OAuth tokens.',
        snippet: 'export GOOGLE_GENAI_USE_VERTEXAI=true\ngcloud auth application-default login',
      },
      {
        environment: 'Terraform',
        action: 'Attach a service account',
        outcome: 'OAuth identity for Vertex AI.',
        snippet: GRANT_TF,
      },
    ],
    bestPractices: ['Keep API keys for the Gemini Developer API only, restricted to it.'],
    related: [{ code: 1100, why: 'API key invalid or restricted' }],
    tldr: 'Vertex AI wants OAuth, not an API key.',
  },
  1110: {
    title: 'API not enabled on the project',
    quickAnswer:
      'Error 1110 means the Vertex AI API (aiplatform.googleapis.com) or the Generative Language API is disabled on the consumer project. Enable it and wait a few minutes.',
    mechanics:
      'Every call is attributed to a consumer project; if that project has not enabled the API, Google returns SERVICE_DISABLED before IAM is checked. The consumer may be named by number.',
    remediation: [
      {
        environment: 'Console',
        action: 'APIs & Services > Enable APIs > Vertex AI API > Enable',
        outcome: 'API enabled.',
      },
      {
        environment: 'gcloud',
        action: 'Enable the API',
        outcome: 'API enabled in minutes.',
        snippet: 'gcloud services enable aiplatform.googleapis.com --project=PROJECT_ID',
      },
      {
        environment: 'Terraform',
        action: 'google_project_service',
        outcome: 'API enabled as code.',
        snippet:
          'resource "google_project_service" "aiplatform" {\n  project = "PROJECT_ID"\n  service = "aiplatform.googleapis.com"\n  disable_on_destroy = false\n}',
      },
    ],
    bestPractices: [
      'Enable APIs in infrastructure code, not by hand.',
      'Check which project is the consumer: it may not be the one you meant (1150).',
    ],
    related: [
      { code: 1150, why: 'the consumer project is the wrong one' },
      { code: 1111, why: 'billing must be enabled too' },
    ],
    tldr: 'Enable aiplatform.googleapis.com on the consumer project.',
  },
  1111: {
    title: 'Billing not enabled',
    quickAnswer:
      'Error 1111 means the project has no active billing account. Link an open billing account to the project.',
    mechanics:
      'Vertex AI calls are billable; a project without billing (or with a closed account) is refused with BILLING_DISABLED.',
    remediation: [
      {
        environment: 'Console',
        action: 'Billing > Account management > Link a billing account',
        outcome: 'Billing enabled.',
      },
      {
        environment: 'gcloud',
        action: 'Link billing',
        outcome: 'Billing enabled.',
        snippet: 'gcloud billing projects link PROJECT_ID --billing-account=BILLING_ACCOUNT_ID',
      },
      {
        environment: 'Terraform',
        action: 'Set billing_account on google_project',
        outcome: 'Billing as code.',
        snippet: 'resource "google_project" "p" {\n  billing_account = "BILLING_ACCOUNT_ID"\n}',
      },
    ],
    bestPractices: ['Set budgets and alerts on the billing account.'],
    related: [{ code: 1110, why: 'the API must be enabled too' }],
    tldr: 'Link an open billing account.',
  },
  1112: {
    title: 'Quota project missing or denied',
    quickAnswer:
      'Error 1112 means user credentials need a quota project, or the caller may not use the quota project. Set one with `gcloud auth application-default set-quota-project` and grant serviceusage.services.use on it.',
    mechanics:
      'With user (not service account) credentials, Google bills and meters calls against a quota project; using a project that way needs serviceusage.services.use.',
    remediation: [
      {
        environment: 'Console',
        action: 'IAM: grant Service Usage Consumer on the quota project',
        outcome: 'The user may use the project.',
      },
      {
        environment: 'gcloud',
        action: 'Set the quota project',
        outcome: 'ADC names a quota project.',
        snippet: 'gcloud auth application-default set-quota-project PROJECT_ID',
      },
      {
        environment: 'Terraform',
        action: 'Grant Service Usage Consumer',
        outcome: 'Reviewed grant.',
        snippet:
          'resource "google_project_iam_member" "quota" {\n  project = "PROJECT_ID"\n  role    = "roles/serviceusage.serviceUsageConsumer"\n  member  = "user:EMAIL"\n}',
      },
    ],
    bestPractices: ['Use service accounts for workloads; they need no quota project.'],
    related: [
      { code: 1101, why: 'credentials setup' },
      { code: 1152, why: 'IAM permission errors' },
    ],
    tldr: 'Set a quota project for user ADC and allow serviceusage.services.use on it.',
  },
  1120: {
    title: 'Model not found',
    quickAnswer:
      'Error 1120 means the model id or version does not exist or was retired. Use a current model id from the models list.',
    mechanics:
      'Publisher model names are exact; retired versions (Gemini 1.0/1.5) return 404 NOT_FOUND, as do typos and model names from another API surface.',
    remediation: [
      {
        environment: 'Console',
        action: 'Vertex AI > Model Garden: pick a current Gemini model',
        outcome: 'A valid model id.',
      },
      {
        environment: 'gcloud',
        action: 'Test the model id with a cheap call',
        outcome: '200 from countTokens.',
        snippet:
          'curl -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" https://aiplatform.googleapis.com/v1/projects/PROJECT_ID/locations/global/publishers/google/models/MODEL:countTokens -d \'{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}\'',
      },
      {
        environment: 'Terraform',
        action: 'Keep the model id in configuration (env var) managed with the service',
        outcome: 'Model upgrades reviewed as code.',
      },
    ],
    bestPractices: ['Pin stable model ids and track Google’s retirement dates.'],
    related: [
      { code: 1121, why: 'the model exists but not at that location' },
      { code: 1122, why: 'the model exists but access is gated' },
    ],
    tldr: 'Wrong or retired model id: switch to a current one.',
  },
  1121: {
    title: 'Model not served in this location',
    quickAnswer:
      'Error 1121 means the model exists but not at the requested location. Gemini 3 and image preview models are served at `global`: set location to global.',
    mechanics:
      'Each model is served at a set of locations; a regional endpoint ({region}-aiplatform.googleapis.com) returns 404 for a model it does not serve.',
    remediation: [
      {
        environment: 'Console',
        action: 'Model Garden > model card: read the supported locations',
        outcome: 'A location that serves the model.',
      },
      {
        environment: 'gcloud',
        action: 'Set the location',
        outcome: 'Calls go to a serving location.',
        snippet: 'export GOOGLE_CLOUD_LOCATION=global',
      },
      {
        environment: 'Terraform',
        action: 'Set GOOGLE_CLOUD_LOCATION in the service env',
        outcome: 'Location as code.',
        snippet: 'env {\n  name  = "GOOGLE_CLOUD_LOCATION"\n  value = "global"\n}',
      },
    ],
    bestPractices: ['Use the global endpoint unless data residency requires a region.'],
    related: [
      { code: 1120, why: 'model id wrong or retired' },
      { code: 1160, why: 'an org policy restricts locations' },
    ],
    tldr: 'Call the model where it is served (global for Gemini 3).',
  },
  1122: {
    title: 'Model access restricted',
    quickAnswer:
      'Error 1122 means the model needs allowlisting, terms acceptance or a tier the project lacks. Request access in Model Garden or use a GA model.',
    mechanics:
      'Preview and some partner models are gated per project; the call is refused while GA models work for the same caller.',
    remediation: [
      {
        environment: 'Console',
        action: 'Model Garden > model > Enable / Request access',
        outcome: 'Project allowlisted.',
      },
      {
        environment: 'gcloud',
        action: 'Check a GA model works with the same identity',
        outcome: 'Tells gating from IAM.',
        snippet: 'gcloud ai models list --region=us-central1 --limit=1',
      },
      {
        environment: 'Terraform',
        action: 'Keep a GA fallback model in configuration',
        outcome: 'Service keeps working.',
      },
    ],
    bestPractices: ['Keep a GA fallback model for preview features.'],
    related: [
      { code: 1152, why: 'a real IAM denial looks similar' },
      { code: 1120, why: 'model id wrong' },
    ],
    tldr: 'Gated model: request access or use a GA model.',
  },
  1123: {
    title: 'Region not supported by the Gemini API',
    quickAnswer:
      'Error 1123 means the Gemini Developer API is not offered where the caller is. Use Gemini through Vertex AI instead.',
    mechanics:
      'The Gemini Developer API checks the caller’s location; Vertex AI serves Gemini from Google Cloud locations independent of the caller’s country.',
    remediation: [
      {
        environment: 'Console',
        action: 'Enable Vertex AI on a project and use it',
        outcome: 'Gemini via Vertex AI.',
      },
      {
        environment: 'gcloud',
        action: 'Switch the client to Vertex AI',
        outcome: 'Calls go to Vertex AI.',
        snippet: 'export GOOGLE_GENAI_USE_VERTEXAI=true GOOGLE_CLOUD_LOCATION=global',
      },
      {
        environment: 'Terraform',
        action: 'google_project_service for aiplatform.googleapis.com',
        outcome: 'Vertex AI enabled.',
      },
    ],
    bestPractices: ['Use Vertex AI for production workloads.'],
    related: [{ code: 1110, why: 'Vertex AI API must be enabled' }],
    tldr: 'Unsupported country for the Gemini API: use Vertex AI.',
  },
  1150: {
    title: 'Wrong or invalid project',
    quickAnswer:
      'Error 1150 means the request went to a project other than the one you meant, or to a project id that does not exist. Fix the project in the client configuration first; granting roles in the wrong project does not fix it.',
    mechanics:
      'The project comes from GOOGLE_CLOUD_PROJECT, the client constructor, the ADC default project or a hard-coded resource name. When they disagree the call goes somewhere unexpected: a project where the caller has no access, or a placeholder.',
    remediation: [
      {
        environment: 'Console',
        action: 'Cloud Run > Edit & deploy > Variables: set GOOGLE_CLOUD_PROJECT',
        outcome: 'Calls go to the intended project.',
      },
      {
        environment: 'gcloud',
        action: 'Set the project on the service',
        outcome: 'New revision with the right project.',
        snippet:
          'gcloud run services update SERVICE --region=REGION --update-env-vars=GOOGLE_CLOUD_PROJECT=PROJECT_ID',
      },
      {
        environment: 'Terraform',
        action: 'Set the env var in google_cloud_run_v2_service',
        outcome: 'Project as code.',
        snippet: 'env {\n  name  = "GOOGLE_CLOUD_PROJECT"\n  value = "PROJECT_ID"\n}',
      },
    ],
    bestPractices: [
      'Pass the project explicitly to the client; never rely on a default.',
      'Compare the project in the error with the runtime project before changing IAM.',
    ],
    related: [
      { code: 1152, why: 'IAM denial in the right project' },
      { code: 1110, why: 'API disabled on the consumer project' },
    ],
    tldr: 'Fix which project the call goes to before touching IAM.',
  },
  1152: {
    title: 'IAM permission denied',
    quickAnswer:
      'Error 1152 is a strict Identity and Access Management (IAM) rejection: the authenticated identity lacks the permission (usually aiplatform.endpoints.predict) on the target project. Grant roles/aiplatform.user (or a custom role with exactly the missing permission) to the executing identity, in the project the call targets.',
    mechanics:
      'Google identified the caller but it is not allowed to perform the action. Unlike 1100, which deals with quotas and API keys, 1152 is purely about access control: a missing role, a binding in a different project, a VPC Service Controls perimeter, a deny policy, a grant that has not propagated yet, or a service account that cannot be acted as.',
    remediation: [
      {
        environment: 'Console',
        action: 'IAM > Grant access > principal > role "Vertex AI User"',
        outcome: 'Access granted in the target project.',
      },
      {
        environment: 'gcloud',
        action: 'Add the binding',
        outcome: 'Programmatic policy update.',
        snippet:
          'gcloud projects add-iam-policy-binding PROJECT_ID --member="serviceAccount:SA_EMAIL" --role="roles/aiplatform.user"',
      },
      {
        environment: 'Terraform',
        action: 'google_project_iam_member',
        outcome: 'Infrastructure as code alignment.',
        snippet: GRANT_TF,
      },
    ],
    bestPractices: [
      'Never fix 1152 with Owner or Editor: it expands the attack surface. Use roles/aiplatform.user or a custom role.',
      'Never grant service-agent roles (roles/*.serviceAgent) to a workload, even when they look smaller.',
      'Give each workload a dedicated service account instead of the default compute account.',
      'If throttling starts after the fix, see 1153 to tune throughput.',
    ],
    related: [
      { code: 1150, why: 'the call went to the wrong project' },
      { code: 1153, why: 'throttling once access works' },
      { code: 1122, why: 'gated preview models look like IAM denials' },
    ],
    tldr: 'IAM denial: grant roles/aiplatform.user (or a minimal custom role) to the calling identity in the project the call targets; never Owner/Editor.',
  },
  1153: {
    title: 'Throttled: rate limit or shared capacity',
    quickAnswer:
      'Error 1153 is short-term throttling (429 RESOURCE_EXHAUSTED per minute or shared capacity). Retry with exponential backoff, spread load (global endpoint), and raise throughput (quota or Provisioned Throughput) if it persists.',
    mechanics:
      'Per-minute request and token limits, and dynamic shared capacity for popular models, reject bursts. The limit resets within seconds to a minute; payload size (tokens per request) counts against throughput.',
    remediation: [
      {
        environment: 'Console',
        action: 'IAM & Admin > Quotas: request more per-minute quota; Vertex AI > Provisioned Throughput',
        outcome: 'Higher throughput.',
      },
      {
        environment: 'gcloud',
        action: 'Read the quota',
        outcome: 'See the current limit.',
        snippet:
          'gcloud alpha services quota list --service=aiplatform.googleapis.com --consumer=projects/PROJECT_ID',
      },
      {
        environment: 'Terraform',
        action: 'Manage quota preferences as code',
        outcome: 'Reviewed limits.',
        snippet:
          'resource "google_cloud_quotas_quota_preference" "rpm" {\n  parent   = "projects/PROJECT_ID"\n  service  = "aiplatform.googleapis.com"\n  quota_id = "QUOTA_ID"\n}',
      },
    ],
    bestPractices: [
      'Retry with exponential backoff and jitter; honour RetryInfo.',
      'Keep payloads small; batch where possible.',
      'Use the global endpoint for more shared capacity.',
    ],
    related: [
      { code: 1100, why: 'hard (daily / free tier) quota exhausted' },
      { code: 1152, why: 'permission errors' },
    ],
    tldr: 'Throttled: back off and retry; raise throughput if sustained.',
  },
  1160: {
    title: 'Organization policy violation',
    quickAnswer:
      'Error 1160 means an organization policy constraint forbids the call or a setting it uses (e.g. constraints/gcp.resourceLocations). Comply or ask the org admins for an exception.',
    mechanics:
      'Organization policies are evaluated before IAM and apply to every principal; no role overrides them.',
    remediation: [
      {
        environment: 'Console',
        action: 'IAM & Admin > Organization policies: read the constraint',
        outcome: 'Know the allowed values.',
      },
      {
        environment: 'gcloud',
        action: 'Read the effective policy',
        outcome: 'Allowed values.',
        snippet: 'gcloud org-policies describe CONSTRAINT --project=PROJECT_ID --effective',
      },
      {
        environment: 'Terraform',
        action: 'google_org_policy_policy (org admins)',
        outcome: 'Exception as reviewed code.',
      },
    ],
    bestPractices: [
      'Choose locations and settings the org policy allows; do not move to another project to avoid it.',
    ],
    related: [
      { code: 1121, why: 'location choice' },
      { code: 1152, why: 'IAM denial' },
    ],
    tldr: 'An org policy forbids it: comply or get an exception.',
  },
  1199: {
    title: 'Unclassified failure',
    quickAnswer:
      'Error 1199 means the evidence does not match a known cause. Collect the full error body (with details) and the audit log entry, then diagnose again.',
    mechanics:
      'Truncated messages, wrappers that drop google.rpc details, and errors from other services hide the reason.',
    remediation: [
      {
        environment: 'Console',
        action: 'Logging > Logs Explorer: find the failing call’s audit entry',
        outcome: 'Principal, permission and resource.',
      },
      {
        environment: 'gcloud',
        action: 'Read recent Vertex AI errors',
        outcome: 'The full error.',
        snippet:
          'gcloud logging read \'protoPayload.serviceName="aiplatform.googleapis.com" AND severity>=ERROR\' --project=PROJECT_ID --limit=5',
      },
      {
        environment: 'Terraform',
        action: 'Enable Data Access audit logs for aiplatform.googleapis.com',
        outcome: 'Evidence next time.',
        snippet:
          'resource "google_project_iam_audit_config" "vertex" {\n  project = "PROJECT_ID"\n  service = "aiplatform.googleapis.com"\n  audit_log_config { log_type = "DATA_READ" }\n}',
      },
    ],
    bestPractices: ['Log the full error body, not only the message.'],
    related: [{ code: 1152, why: 'most common Gemini access failure' }],
    tldr: 'Not enough evidence: collect the full error and audit log.',
  },
};
