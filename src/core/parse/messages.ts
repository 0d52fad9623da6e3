/**
 * The message catalog: every phrase the parser recognises in error text, mapped to the signal it
 * stands for, each row with where the wording comes from (a client library's source file or a
 * Google page that prints it). Rules read signals, never phrases; adding a wording a client or
 * API prints is adding a row here.
 *
 * Phrases are lower case and matched on a lower-cased copy of the text; a space in a phrase
 * matches any whitespace run (terminals and log wrappers break long lines). A `near` guard keeps a
 * row whose phrase is a common word (`scope`, `allowlist`) to the contexts that give it meaning.
 */
import type { SignalId } from '../model.js';

export interface MessageRow {
  signal: SignalId;
  phrase: string;
  /** Repository and path (`owner/repo: path`) or the page that shows the wording. */
  source: string;
  /** Only counts when this also matches the lower-cased text. */
  near?: RegExp;
}

/** Sources, named once: the rows below refer to them. */
const SRC = {
  // Google's error model and the googleapis.com ErrorInfo reasons.
  errorModel: 'https://cloud.google.com/apis/design/errors',
  errorReasons: 'googleapis/googleapis: google/api/error_reason.proto',
  iamTroubleshoot: 'https://cloud.google.com/iam/docs/troubleshooting-access',
  denyPolicies: 'https://cloud.google.com/iam/docs/deny-overview',
  orgPolicy: 'https://cloud.google.com/resource-manager/docs/organization-policy/overview',
  vpcSc: 'https://cloud.google.com/vpc-service-controls/docs/troubleshooting',
  serviceUsage: 'https://cloud.google.com/service-usage/docs/enable-disable',
  billing: 'https://cloud.google.com/billing/docs/how-to/modify-project',
  quotas: 'https://cloud.google.com/docs/quotas/troubleshoot',
  adcTroubleshoot: 'https://cloud.google.com/docs/authentication/troubleshoot-adc',
  adcUserCreds: 'https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds',
  apiKeys: 'https://cloud.google.com/docs/authentication/api-keys',
  // Vertex AI and the Gemini API.
  vertexErrors: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/api-errors',
  vertexQuota: 'https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429',
  vertexModels: 'https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions',
  geminiTroubleshoot: 'https://ai.google.dev/gemini-api/docs/troubleshooting',
  geminiRegions: 'https://ai.google.dev/gemini-api/docs/available-regions',
  geminiRateLimits: 'https://ai.google.dev/gemini-api/docs/rate-limits',
  geminiBilling: 'https://ai.google.dev/gemini-api/docs/billing',
  aiplatformModelGarden: 'googleapis/python-aiplatform: vertexai/_model_garden/_model_garden_models.py',
  // Auth libraries.
  authPyDefault: 'googleapis/google-auth-library-python: google/auth/_default.py',
  authPyExceptions: 'googleapis/google-auth-library-python: google/auth/exceptions.py',
  authPyClient: 'googleapis/google-auth-library-python: google/oauth2/_client.py',
  authPyCredentials: 'googleapis/google-auth-library-python: google/oauth2/credentials.py',
  authPyReauth: 'googleapis/google-auth-library-python: google/oauth2/reauth.py',
  authPyImpersonated: 'googleapis/google-auth-library-python: google/auth/impersonated_credentials.py',
  authPyMetadata: 'googleapis/google-auth-library-python: google/auth/compute_engine/_metadata.py',
  authNode: 'googleapis/google-auth-library-nodejs: src/auth/googleauth.ts',
  gcloudAuth: 'https://cloud.google.com/sdk/gcloud/reference/auth/application-default/login',
  // Other Google APIs met by the same workloads.
  storageErrors: 'https://cloud.google.com/storage/docs/json_api/v1/status-codes',
  storageXmlErrors: 'https://cloud.google.com/storage/docs/xml-api/reference-status',
  bigqueryErrors: 'https://cloud.google.com/bigquery/docs/error-messages',
  pubsubErrors: 'https://cloud.google.com/pubsub/docs/reference/error-codes',
  kmsCmek: 'https://cloud.google.com/kms/docs/cmek',
  terraformGoogle:
    'hashicorp/terraform-provider-google: google/services/resourcemanager/resource_google_service_account.go',
  serviceAgents: 'https://cloud.google.com/iam/docs/service-agents',
} as const;

type Row = [SignalId, string, string, RegExp?];

const ROWS: Row[] = [
  ['may_not_exist', '(or it may not exist)', SRC.iamTroubleshoot],

  ['model_not_found', 'was not found or your project does not have access', SRC.vertexErrors],
  ['model_not_found', 'is not found for api version', SRC.geminiTroubleshoot],
  ['model_not_found', '` not found', SRC.vertexErrors],
  ['model_not_found', 'model not found', SRC.vertexErrors],
  ['model_not_found', 'is not supported for generatecontent', SRC.geminiTroubleshoot],
  ['model_not_found', 'publisher model not found', SRC.vertexErrors],
  ['model_not_found', 'unknown model', SRC.vertexModels],
  ['model_not_found', 'is no longer available', SRC.vertexModels],
  ['model_not_found', 'has been discontinued', SRC.vertexModels],
  ['model_not_found', 'no model found called', SRC.vertexModels],

  ['publisher_model_not_allowed', 'is not allowed to use publisher model', SRC.vertexErrors],
  ['publisher_model_not_allowed', 'not allowlisted', SRC.vertexErrors],
  [
    'publisher_model_not_allowed',
    'allowlist',
    SRC.vertexErrors,
    /publisher model|access[^.\n]{0,60}allowlist|allowlist[^.\n]{0,60}access/,
  ],

  ['api_keys_not_supported', 'api keys are not supported by this api', SRC.apiKeys],
  ['api_key_invalid', 'api key not valid', SRC.geminiTroubleshoot],
  ['api_key_invalid', 'api_key_invalid', SRC.errorReasons],
  ['api_key_consumer', "consumer 'api_key:", SRC.errorReasons],
  ['api_key_consumer', 'consumer "api_key:', SRC.errorReasons],
  ['api_key_invalid', 'invalid api key', SRC.apiKeys],
  ['api_key_invalid', 'api key not found', SRC.apiKeys],
  ['api_key_invalid', 'reported as leaked', SRC.geminiTroubleshoot],
  ['api_key_expired', 'api key expired', SRC.apiKeys],
  ['api_blocked', ' are blocked.', SRC.errorReasons],
  ['api_blocked', '_blocked"', SRC.errorReasons],
  ['api_blocked', 'api_key_service_blocked', SRC.errorReasons],

  ['service_not_used', 'has not been used in project', SRC.errorReasons],
  ['service_not_used', 'it is disabled. enable it', SRC.errorReasons],
  ['service_not_used', 'service_disabled', SRC.errorReasons],
  ['service_not_used', 'api is not enabled', SRC.serviceUsage],
  ['service_not_used', 'api has not been enabled', SRC.serviceUsage],
  ['service_not_used', 'api is enabled for the project', SRC.serviceUsage],
  ['service_not_used', 'api to be enabled', SRC.serviceUsage],
  ['service_not_used', ') to be enabled', SRC.serviceUsage, /\bapi\b/],
  ['service_not_used', 'accessnotconfigured', SRC.bigqueryErrors],
  ['service_not_used', 'access not configured', SRC.errorModel],

  ['billing_disabled', 'billing to be enabled', SRC.errorReasons],
  ['billing_disabled', 'has billing disabled', SRC.billing],
  ['billing_disabled', 'billing account for project', SRC.billing],
  ['billing_disabled', 'billing is disabled', SRC.billing],
  ['billing_disabled', 'billing_disabled', SRC.errorReasons],
  ['billing_disabled', 'billing must be enabled', SRC.billing],
  ['billing_disabled', 'billing account is closed', SRC.billing],
  ['billing_disabled', 'billing_not_found', SRC.errorReasons],
  ['billing_disabled', 'billing account not found', SRC.billing],
  ['billing_disabled', 'closed billing account', SRC.billing],
  ['billing_disabled', 'billing account is disabled', SRC.billing],
  ['billing_disabled', 'without a billing account', SRC.geminiTroubleshoot],
  ['billing_disabled', 'has not configured billing', SRC.storageErrors],
  ['billing_disabled', 'accountdisabled', SRC.storageErrors],
  ['billing_disabled', 'billingnotenabled', SRC.bigqueryErrors],
  ['billing_disabled', 'billing has not been enabled', SRC.bigqueryErrors],
  ['billing_disabled', 'only accessible to billed users', SRC.geminiTroubleshoot],
  ['billing_disabled', 'only available to billed users', SRC.geminiTroubleshoot],
  ['billing_disabled', 'requires a paid tier', SRC.geminiRateLimits],
  ['spending_cap', 'spending cap', SRC.geminiBilling],
  ['spending_cap', 'spend cap', SRC.geminiBilling],
  ['spending_cap', 'budget exceeded', SRC.geminiBilling],

  ['end_user_credentials_unsupported', 'end user credentials from the google cloud sdk', SRC.authPyDefault],
  ['end_user_credentials_unsupported', 'end user credentials', SRC.authPyDefault],
  [
    'end_user_credentials_unsupported',
    'authenticating by using local application default credentials',
    SRC.adcUserCreds,
  ],
  ['quota_project_required', 'quota project', SRC.adcUserCreds],
  ['quota_project_required', 'billing/quota_project', SRC.adcUserCreds],
  ['quota_project_required', 'x-goog-user-project', SRC.adcUserCreds],
  ['quota_project_required', 'user_project_denied', SRC.errorReasons],
  ['quota_project_required', 'serviceusage.services.use', SRC.adcUserCreds],

  ['permission_denied_on_project', 'permission denied on resource project', SRC.errorReasons],
  ['project_not_found', 'project not found', SRC.errorReasons],
  ['project_not_found', 'project was not found', SRC.errorReasons],
  ['project_not_found', 'unknown project', SRC.errorReasons],
  ['project_not_found', 'consumer_invalid', SRC.errorReasons],

  ['user_location_unsupported', 'user location is not supported', SRC.geminiRegions],
  ['user_location_unsupported', 'not available in your country', SRC.geminiRegions],
  ['user_location_unsupported', 'is not supported in your country', SRC.geminiRegions],

  ['invalid_credentials', 'invalid authentication credentials', SRC.vertexErrors],
  ['invalid_credentials', 'access_token_expired', SRC.errorReasons],
  ['invalid_credentials', 'invalid_token', SRC.authPyClient],
  ['invalid_credentials', 'invalid credentials', SRC.errorModel],

  ['insufficient_scopes', 'insufficient authentication scopes', SRC.errorReasons],
  ['insufficient_scopes', 'access_token_scope_insufficient', SRC.errorReasons],
  [
    'insufficient_scopes',
    'scope',
    SRC.errorReasons,
    /insufficient[^.\n]{0,40}scope|scopes?[^.\n]{0,40}(insufficient|missing)/,
  ],

  ['credentials_missing', 'could not load the default credentials', SRC.authNode],
  ['credentials_missing', 'defaultcredentialserror', SRC.authPyExceptions],
  ['credentials_missing', 'could not automatically determine credentials', SRC.authPyDefault],
  ['credentials_missing', 'no credentials', SRC.authPyDefault],
  ['credentials_missing', 'credentials were not found', SRC.authPyDefault],
  ['credentials_missing', 'missing required authentication credential', SRC.errorReasons],
  ['credentials_missing', 'compute engine metadata service', SRC.authPyMetadata],
  ['credentials_missing', "doesn't allow unregistered callers", SRC.errorReasons],
  ['credentials_missing', 'does not allow unregistered callers', SRC.errorReasons],
  ['credentials_missing', 'unable to authenticate your request', SRC.aiplatformModelGarden],
  ['credentials_missing', 'file was not found', SRC.authPyDefault],

  ['project_id_undetected', 'unable to detect a project id', SRC.authNode],
  ['project_id_undetected', 'no_project_id_found', SRC.authNode],
  ['project_id_undetected', 'project id is required', SRC.authNode],

  ['refresh_error', 'refresherror', SRC.authPyExceptions],
  ['refresh_error', 'do not contain the necessary fields', SRC.authPyCredentials],
  // OAuth 2.0 token endpoint error codes (RFC 6749 section 5.2), as google-auth raises them.
  ['oauth_error', 'invalid_scope', SRC.authPyClient],
  ['oauth_error', 'invalid_client', SRC.authPyClient],
  ['oauth_error', 'unauthorized_client', SRC.authPyClient],
  ['oauth_error', 'invalid_request', SRC.authPyClient],
  ['refresh_error', 'unable to acquire impersonated credentials', SRC.authPyImpersonated],
  ['impersonation', 'impersonat', SRC.authPyImpersonated],
  ['invalid_grant', 'invalid_grant', SRC.authPyClient],
  ['reauth_needed', 'reauthentication is needed', SRC.authPyReauth],
  ['reauth_needed', 'reauthentication failed', SRC.authPyReauth],
  ['reauth_needed', 'reauth related error', SRC.authPyReauth],
  ['reauth_needed', 'problem refreshing your current auth tokens', SRC.gcloudAuth],
  ['reauth_needed', 'please run `gcloud auth', SRC.gcloudAuth],
  ['token_expired', 'token has been expired or revoked', SRC.authPyClient],
  ['token_expired', 'token expired', SRC.authPyClient],
  ['token_expired', 'token is expired', SRC.authPyClient],

  ['quota_exceeded', 'quota exceeded', SRC.quotas],
  ['quota_exceeded', 'exceeded your current quota', SRC.geminiRateLimits],
  ['quota_exceeded', 'quota_exceeded', SRC.errorReasons],
  ['quota_exceeded', 'exceeds quota', SRC.quotas],
  ['quota_exceeded', 'quotaexceeded', SRC.bigqueryErrors],
  ['quota_exceeded', 'ratelimitexceeded', SRC.bigqueryErrors],
  ['resource_exhausted', 'resource has been exhausted', SRC.vertexQuota],
  ['resource_exhausted', 'resource exhausted', SRC.vertexQuota],
  ['resource_exhausted', 'resource_exhausted', SRC.errorModel],
  ['try_again_later', 'try again later', SRC.vertexQuota],
  ['try_again_later', 'please retry', SRC.geminiRateLimits],
  ['try_again_later', 'retry in ', SRC.geminiRateLimits],
  ['try_again_later', 'retry after', SRC.errorModel],
  ['out_of_capacity', 'out of capacity', SRC.vertexQuota],
  ['out_of_capacity', 'overloaded', SRC.geminiTroubleshoot],
  ['out_of_capacity', 'insufficient capacity', SRC.vertexQuota],
  ['no_free_tier', "doesn't have a free quota tier", SRC.geminiRateLimits],
  ['no_free_tier', 'does not have a free quota tier', SRC.geminiRateLimits],
  ['no_free_tier', 'no free tier', SRC.geminiRateLimits],

  ['vpc_sc', 'vpcservicecontrolsuniqueidentifier', SRC.vpcSc],
  ['vpc_sc', "prohibited by organization's policy", SRC.vpcSc],
  ['vpc_sc', 'security_policy_violated', SRC.errorReasons],
  ['vpc_sc', 'vpc service controls', SRC.vpcSc],
  ['org_policy', 'constraints/', SRC.orgPolicy],
  ['org_policy', 'org policies', SRC.orgPolicy],
  ['org_policy', 'org policy', SRC.orgPolicy],
  ['org_policy', 'organization policy', SRC.orgPolicy],
  ['org_policy', 'orgpolicy', SRC.orgPolicy],
  ['deny_policy', 'deny policy', SRC.denyPolicies],
  ['deny_policy', 'denypolicy', SRC.denyPolicies],
  ['deny_policy', 'denied by an iam deny', SRC.denyPolicies],
  ['deny_policy', 'iam deny', SRC.denyPolicies],

  ['caller_lacks_permission', 'caller does not have permission', SRC.errorModel],
  ['caller_lacks_permission', 'does not have the permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'does not have permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'does not have required permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'lacks permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'missing permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'do not have permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'not authorized to perform this action', SRC.pubsubErrors],
  ['caller_lacks_permission', 'access denied', SRC.bigqueryErrors],
  ['caller_lacks_permission', 'accessdenied', SRC.storageXmlErrors],
  ['caller_lacks_permission', 'insufficient permission', SRC.iamTroubleshoot],
  ['caller_lacks_permission', 'permission denied to enable service', SRC.serviceUsage],
  ['caller_lacks_permission', 'auth_permission_denied', SRC.serviceUsage],

  ['service_agent_denied', 'service agent does not have', SRC.serviceAgents],
  ['service_agent_denied', 'service agent lacks', SRC.serviceAgents],
  ['service_agent_denied', 'service agent is missing', SRC.serviceAgents],
  ['service_agent_named', 'service agent', SRC.serviceAgents],
  ['service_agent_named', '@gcp-sa-', SRC.serviceAgents],
  ['default_compute_named', 'compute engine default service account', SRC.serviceAgents],
  ['default_compute_named', 'default compute service account', SRC.serviceAgents],
  ['grant_role_hint', 'please grant', SRC.iamTroubleshoot],
  ['grant_role_hint', 'grant the ', SRC.iamTroubleshoot],

  ['read_after_create', 'after creation', SRC.terraformGoogle],
  ['read_after_create', 'eventual consistency', SRC.iamTroubleshoot],
  ['read_after_create', 'eventually consistent', SRC.iamTroubleshoot],
  ['read_after_create', 'was just created', SRC.iamTroubleshoot],
  ['read_after_create', 'newly created', SRC.iamTroubleshoot],
  ['cmek_key_use', 'cloud kms error', SRC.kmsCmek],
  ['cmek_key_use', 'customer-managed encryption key', SRC.kmsCmek],
  ['cmek_key_use', 'cmek', SRC.kmsCmek],

  ['gemini_api_wording', 'is not found for api version', SRC.geminiTroubleshoot],

  // A failure stated in words, with no code or class printed: enough to call the text an error.
  ['failure_stated', 'permission denied', SRC.errorModel],
  ['failure_stated', 'not found', SRC.errorModel],
  ['failure_stated', 'is disabled', SRC.errorModel],
  ['failure_stated', 'exceeded', SRC.errorModel],
  ['failure_stated', 'not enabled', SRC.errorModel],
  ['failure_stated', 'forbidden', SRC.errorModel],
  ['failure_stated', 'unauthorized', SRC.errorModel],
  ['failure_stated', 'unauthenticated', SRC.errorModel],
  ['failure_stated', 'api error', SRC.geminiTroubleshoot],
  ['failure_stated', 'failed to ', SRC.errorModel],
];

export const MESSAGES: readonly MessageRow[] = ROWS.map(([signal, phrase, source, near]) => ({
  signal,
  phrase,
  source,
  ...(near ? { near } : {}),
}));

/** How many distinct sources the catalog draws on. */
export function catalogSources(): string[] {
  return [...new Set(MESSAGES.map((m) => m.source))].sort();
}
