import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Context } from '../../src/core/model.js';

// More of the ways Google services and client libraries phrase each failure (REST JSON, Python
// dict repr, text proto, gcloud, grpc-js, OpenAI-compatible wrappers). Ids are made up.
const J = (o: unknown) => JSON.stringify(o);
const inputs: Array<[string, string, Context?]> = [
  [
    'rate.throttled',
    J({
      error: {
        code: 429,
        message:
          'You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: gemini-2.5-flash\nPlease retry in 33.1s.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
                quotaValue: '10',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '33s' },
        ],
      },
    }),
  ],
  [
    'rate.throttled',
    'google.api_core.exceptions.ResourceExhausted: 429 Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
  ],
  [
    'auth.credentials_invalid',
    J({
      error: {
        code: 401,
        message:
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        status: 'UNAUTHENTICATED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
            metadata: {
              service: 'aiplatform.googleapis.com',
              method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
            },
          },
        ],
      },
    }),
  ],
  [
    'auth.api_key_invalid',
    J({
      error: {
        code: 403,
        message: 'Requests from referer <empty> are blocked.',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_HTTP_REFERRER_BLOCKED',
            domain: 'googleapis.com',
            metadata: { consumer: 'projects/123456789', service: 'generativelanguage.googleapis.com' },
          },
        ],
      },
    }),
  ],
  [
    'iam.missing_permission',
    "PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/my-project/locations/us-central1/publishers/google/models/gemini-pro' (or it may not exist).",
  ],
  [
    'api.disabled',
    'google.api_core.exceptions.PermissionDenied: 403 Cloud Resource Manager API has not been used in project 1234567 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudresourcemanager.googleapis.com/overview?project=1234567 then retry.',
  ],
  [
    'quota_project.denied',
    'UserWarning: Your application has authenticated using end user credentials from Google Cloud SDK without a quota project. You might receive a "quota exceeded" or "API not enabled" error.\n403 PERMISSION_DENIED',
  ],
  [
    'model.not_found',
    'models/gemini-2.0-flash-exp is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
  ],
  [
    'project.invalid',
    J({
      error: {
        code: 403,
        message: "Permission denied: Consumer 'projects/123456' has been suspended.",
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'CONSUMER_SUSPENDED',
            domain: 'googleapis.com',
            metadata: { consumer: 'projects/123456', service: 'aiplatform.googleapis.com' },
          },
        ],
      },
    }),
  ],
  [
    'iam.act_as',
    "Error code 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
  ],
  [
    'org_policy.violation',
    'FAILED_PRECONDITION: Org Policy constraint constraints/vertexai.allowedModels violated for projects/acme attempting to use publishers/google/models/gemini-2.5-pro.',
  ],
  [
    'auth.scope_insufficient',
    'google.api_core.exceptions.PermissionDenied: 403 Request had insufficient authentication scopes. [reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT"\ndomain: "googleapis.com"\n]',
  ],
  [
    'billing.disabled',
    J({
      error: {
        code: 403,
        message:
          'This API method requires billing to be enabled. Please enable billing on project #1234567 by visiting https://console.developers.google.com/billing/enable?project=1234567 then retry.',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'BILLING_DISABLED',
            domain: 'googleapis.com',
            metadata: { consumer: 'projects/1234567', service: 'aiplatform.googleapis.com' },
          },
        ],
      },
    }),
  ],
  [
    'region.unsupported',
    J({
      error: {
        code: 400,
        message:
          'Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.',
        status: 'FAILED_PRECONDITION',
      },
    }),
  ],
  ['rate.throttled', '503 The model is overloaded. Please try again later.'],
  [
    'auth.credentials_missing',
    'google.auth.exceptions.DefaultCredentialsError: Could not automatically determine credentials. Please set GOOGLE_APPLICATION_CREDENTIALS or explicitly create credentials and re-run the application.',
  ],
  [
    'auth.credentials_invalid',
    "google.auth.exceptions.RefreshError: ('invalid_grant: Invalid JWT Signature.', {'error': 'invalid_grant', 'error_description': 'Invalid JWT Signature.'})",
  ],
  [
    'quota_project.denied',
    J({
      error: {
        code: 403,
        message:
          'Caller does not have required permission to use project acme. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=acme and then retry.',
        status: 'PERMISSION_DENIED',
      },
    }),
  ],
  [
    'auth.credentials_missing',
    "[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent: [403 Forbidden] Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  ],
  [
    'auth.credentials_invalid',
    'ERROR: (gcloud.auth.application-default.print-access-token) There was a problem refreshing your current auth tokens: Reauthentication failed. cannot prompt during non-interactive execution.',
  ],
  [
    'iam.missing_permission',
    'ERROR: (gcloud.ai.models.list) PERMISSION_DENIED: The caller does not have permission',
  ],
  [
    'auth.api_key_invalid',
    J({
      error: {
        code: 403,
        message: 'Your API key was reported as leaked. Please use another API key.',
        status: 'PERMISSION_DENIED',
      },
    }),
  ],
  [
    'auth.credentials_missing',
    J({
      error: {
        code: 401,
        message:
          'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        status: 'UNAUTHENTICATED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'CREDENTIALS_MISSING',
            domain: 'googleapis.com',
            metadata: {
              service: 'aiplatform.googleapis.com',
              method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
            },
          },
        ],
      },
    }),
  ],
  [
    'project.invalid',
    'google.api_core.exceptions.PermissionDenied: 403 Permission denied on resource project None. [links {\n  description: "Google developers console"\n  url: "https://console.developers.google.com"\n}\n, reason: "CONSUMER_INVALID"\ndomain: "googleapis.com"\nmetadata {\n  key: "service"\n  value: "aiplatform.googleapis.com"\n}\nmetadata {\n  key: "consumer"\n  value: "projects/None"\n}\n]',
  ],
  [
    'model.not_found',
    '404 Publisher Model `projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-flash-preview-05-20` is no longer available.',
  ],
  [
    'billing.disabled',
    J({
      error: {
        code: 403,
        message: 'The project to be billed is associated with a closed billing account.',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'BILLING_DISABLED',
            domain: 'googleapis.com',
            metadata: { consumer: 'projects/987654321', service: 'generativelanguage.googleapis.com' },
          },
        ],
      },
    }),
  ],
  [
    'iam.act_as',
    "ERROR: (gcloud.run.deploy) PERMISSION_DENIED: Permission 'iam.serviceaccounts.actAs' denied on service account runner@acme-prod.iam.gserviceaccount.com (or it may not exist).",
  ],
  [
    'iam.missing_permission',
    "Error: 7 PERMISSION_DENIED: Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).",
  ],
  [
    'iam.deny_policy',
    "403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme/locations/global/publishers/google/models/gemini-2.5-flash'. The permission is denied by an IAM deny policy.",
  ],
  [
    'iam.service_agent',
    J({
      error: {
        code: 400,
        message:
          'Vertex AI Service Agent does not have permission to use the Cloud KMS key projects/acme/locations/us/keyRings/r/cryptoKeys/k. Grant roles/cloudkms.cryptoKeyEncrypterDecrypter to the service agent.',
        status: 'FAILED_PRECONDITION',
      },
    }),
  ],
  [
    'auth.credentials_missing',
    'google.auth.exceptions.TransportError: Failed to retrieve http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/?recursive=true from the Google Compute Engine metadata service. Compute Engine Metadata server unavailable',
  ],
  [
    'iam.missing_permission',
    "google.genai.errors.ClientError: 403 PERMISSION_DENIED. {'error': {'code': 403, 'message': 'You do not have permission to access the File abc123 or it may not exist.', 'status': 'PERMISSION_DENIED'}}",
  ],
  [
    'rate.throttled',
    'google.api_core.exceptions.ResourceExhausted: 429 Online prediction request quota exceeded for gemini-2.5-pro. Please try again later with backoff.',
  ],
  [
    'auth.credentials_invalid',
    "Error code: 401 - [{'error': {'code': 401, 'message': 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'status': 'UNAUTHENTICATED'}}]",
  ],
  [
    'model.location_unsupported',
    'Error: Publisher Model `projects/acme/locations/europe-west4/publishers/google/models/gemini-3-pro-image-preview` was not found or your project does not have access to it.',
  ],
  [
    'model.not_found',
    'google.api_core.exceptions.NotFound: 404 Publisher Model `projects/acme/locations/us-central1/publishers/google/models/text-bison@002` not found.',
  ],
  [
    'iam.missing_permission',
    "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/123456789/locations/us-central1/endpoints/987' (or it may not exist).",
    { project: 'my-app-prod' },
  ],
];

for (const [cause, text, context] of inputs) {
  test(`${cause} <- ${text.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
    const d = diagnose(text, context ?? {});
    assert.equal(d.findings[0]?.cause, cause, d.findings.map((f) => `${f.cause}:${f.confidence}`).join(' '));
  });
}
