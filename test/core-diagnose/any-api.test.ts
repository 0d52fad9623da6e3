/**
 * The causes are the same for every Google API a Gemini / Vertex AI workload meets (Storage,
 * BigQuery, Artifact Registry, KMS, Cloud Build, Pub/Sub, Service Usage): one test per general
 * rule, with wording as those APIs and their clients print it. Ids, numbers and keys are made up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Context } from '../../src/core/model.js';

function top(text: string, context: Context = {}) {
  const d = diagnose(text, context);
  const first = d.findings[0];
  assert.ok(first, 'a finding');
  assert.equal(d.noError, undefined, 'an error is recognised');
  return { ...first, facts: d.facts, ranking: d.findings.map((f) => `${f.cause}:${f.confidence}`).join(' ') };
}

test('Storage: "X does not have storage.objects.get access to ..." names the permission', () => {
  const t = top(
    'google.api_core.exceptions.Forbidden: 403 GET https://storage.googleapis.com/storage/v1/b/acme-data/o/x?prettyPrint=false: runner@acme-prod.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object.',
  );
  assert.equal(t.cause, 'iam.missing_permission');
  assert.equal(t.facts.permission, 'storage.objects.get');
  assert.equal(t.facts.http, 403);
});

test('Storage: a legacy accountDisabled reason is billing, not a permission', () => {
  const t = top(
    '{"error":{"errors":[{"domain":"global","reason":"accountDisabled","message":"The project to be billed has not configured billing."}],"code":403,"message":"The project to be billed has not configured billing."}}',
  );
  assert.equal(t.cause, 'billing.disabled', t.ranking);
});

test('BigQuery: project and location are read from "Access Denied: Table P:d.t ... in location US"', () => {
  const t = top(
    'Access Denied: Table acme-shared-data:sales.orders: User does not have permission to query table acme-shared-data:sales.orders, or perhaps it does not exist in location US.',
  );
  assert.equal(t.facts.project, 'acme-shared-data');
  assert.equal(t.facts.location, 'US');
  assert.equal(t.cause, 'iam.missing_permission');
});

test('BigQuery: a domain-scoped project id is kept whole', () => {
  const t = top(
    'BigQuery error in query operation: Access Denied: Project example.com:acme-analytics: User does not have bigquery.jobs.create permission in project example.com:acme-analytics.',
  );
  assert.equal(t.facts.project, 'example.com:acme-analytics');
  assert.equal(t.facts.permission, 'bigquery.jobs.create');
});

test('BigQuery: jobs.create denied in the project of a public dataset is a project mix-up', () => {
  const text =
    'google.api_core.exceptions.Forbidden: 403 POST https://bigquery.googleapis.com/bigquery/v2/projects/acme-public-data/jobs: Access Denied: Project acme-public-data: User does not have bigquery.jobs.create permission in project acme-public-data.';
  assert.equal(
    top(text, { notes: 'querying a public dataset from a tutorial notebook' }).cause,
    'project.mismatch',
  );
  // Without that context it stays a missing grant.
  assert.equal(top(text).cause, 'iam.missing_permission');
});

test('KMS: a key use denied inside another API (CMEK) is the service agent, not the caller', () => {
  const t = top(
    "googleapi: Error 400: Cloud KMS error when using key projects/acme-sec/locations/us/keyRings/r/cryptoKeys/k: Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on resource 'projects/acme-sec/locations/us/keyRings/r/cryptoKeys/k' (or it may not exist)., kmsError",
  );
  assert.equal(t.cause, 'iam.service_agent', t.ranking);
  assert.match(t.summary, /cryptoKeyEncrypterDecrypter/);
});

test('Artifact Registry: a denial inside a Cloud Logging jsonPayload keeps its permission', () => {
  const t = top(
    '{"insertId":"1x","jsonPayload":{"message":"DENIED: Permission \\"artifactregistry.repositories.downloadArtifacts\\" denied on resource \\"projects/acme-prod/locations/us/repositories/images\\" (or it may not exist)"},"severity":"ERROR"}',
  );
  assert.equal(t.cause, 'iam.missing_permission');
  assert.equal(t.facts.permission, 'artifactregistry.repositories.downloadArtifacts');
  assert.equal(t.facts.project, 'acme-prod');
});

test('Pub/Sub (Ruby): PermissionDeniedError is a denial; the notes place the topic in another project', () => {
  const text = 'Google::Cloud::PermissionDeniedError: 7:User not authorized to perform this action.';
  assert.equal(top(text).cause, 'iam.missing_permission');
  assert.equal(
    top(text, { notes: 'the topic lives in a different project owned by the vendor' }).cause,
    'iam.cross_project',
  );
});

test('Service Usage: "API has not been used in project N" for gcloud\'s own project is a quota project', () => {
  const t = top(
    'googleapi: Error 403: Vertex AI API has not been used in project 764086051850 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=764086051850 then retry., accessNotConfigured',
  );
  assert.equal(t.cause, 'quota_project.denied', t.ranking);
  // The same text for the user's own project is a disabled API.
  assert.equal(
    top('403 Vertex AI API has not been used in project 123456789012 before or it is disabled.').cause,
    'api.disabled',
  );
});

test('Service Usage: "Please make sure that X API is enabled" is a disabled API', () => {
  const t = top(
    '{"error":{"code":400,"message":"Field: parent Error: Please make sure that Google Cloud Machine Learning API is enabled for the project.","status":"FAILED_PRECONDITION"}}',
  );
  assert.equal(t.cause, 'api.disabled');
});

test('Gemini API: a spending cap is a hard quota and "billed users only" is billing', () => {
  assert.equal(
    top(
      '{"error":{"code":429,"message":"Your project has exceeded its monthly spending cap.","status":"RESOURCE_EXHAUSTED"}}',
    ).cause,
    'quota.exceeded',
  );
  assert.equal(
    top(
      '{"error":{"code":400,"message":"Imagen API is only accessible to billed users at this time.","status":"INVALID_ARGUMENT"}}',
    ).cause,
    'billing.disabled',
  );
});

test('CONSUMER_SUSPENDED on an api_key consumer is a key problem, not a suspended project', () => {
  const t = top(
    '{"error":{"code":403,"message":"Permission denied: Consumer \'api_key:AIzaSyEXAMPLE\' has been suspended.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED","domain":"googleapis.com","metadata":{"consumer":"projects/123456789012","service":"generativelanguage.googleapis.com"}}]}}',
  );
  assert.equal(t.cause, 'auth.api_key_invalid', t.ranking);
});

test('Terraform: a read right after creation that is refused is propagation', () => {
  const t = top(
    'Error: Error reading service account after creation: googleapi: Error 403: Permission iam.serviceAccounts.get is required to perform this operation on service account projects/acme-prod/serviceAccounts/runner@acme-prod.iam.gserviceaccount.com., forbidden',
  );
  assert.equal(t.cause, 'iam.propagation_delay', t.ranking);
  assert.equal(t.facts.permission, 'iam.serviceAccounts.get');
});

test('a service agent named as the one refused outranks the act-as reading', () => {
  const t = top(
    'googleapi: Error 403: Google Cloud Run Service Agent does not have permission to get access tokens for the service account 123456789012-compute@developer.gserviceaccount.com. Please give service-123456789012@serverless-robot-prod.iam.gserviceaccount.com permission iam.serviceAccounts.getAccessToken on the service account.',
  );
  assert.equal(t.cause, 'iam.service_agent', t.ranking);
  assert.equal(t.facts.permission, 'iam.serviceAccounts.getAccessToken');
});

test('gcloud: project and region in brackets are read', () => {
  const t = top(
    "Deploying container to Cloud Run service [api] in project [acme-staging] region [europe-west2]\nERROR: (gcloud.run.deploy) PERMISSION_DENIED: Permission 'iam.serviceaccounts.actAs' denied on service account api@acme-staging.iam.gserviceaccount.com (or it may not exist).",
  );
  assert.equal(t.facts.project, 'acme-staging');
  assert.equal(t.facts.location, 'europe-west2');
  assert.equal(t.cause, 'iam.act_as');
});

test('one-line SDK messages are errors: Vertex SDK auth, OAuth token codes, RefreshError text', () => {
  assert.equal(
    top(
      'ValueError: Unable to authenticate your request. Depending on your runtime environment, you can complete authentication by: ...',
    ).cause,
    'auth.credentials_missing',
  );
  const oauth = top(
    "('invalid_scope: Invalid OAuth scope or ID token audience provided.', {'error': 'invalid_scope', 'error_description': 'Invalid OAuth scope or ID token audience provided.'})",
  );
  assert.equal(oauth.cause, 'auth.credentials_invalid');
  assert.ok(oauth.confidence < 0.8, 'an OAuth code alone is not a confident answer');
  top(
    'The credentials do not contain the necessary fields need to refresh the access token. You must specify refresh_token, token_uri, client_id, and client_secret.',
  );
});
