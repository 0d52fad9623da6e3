/**
 * One test per general rule added while checking the engine against the hold-out set. Texts
 * follow Google's wording and the shapes clients print; project ids, numbers and keys are made up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose, readNotes } from '../../src/core/diagnose/index.js';
import type { Context, Diagnosis } from '../../src/core/model.js';
import { parseFacts } from '../../src/core/parse/index.js';

function top(text: string, context: Context = {}): Diagnosis['findings'][number] {
  const d = diagnose(text, context);
  const first = d.findings[0];
  assert.ok(first, 'a finding');
  return first;
}

function ranking(text: string, context: Context = {}): string {
  return diagnose(text, context)
    .findings.map((f) => `${f.cause}:${f.confidence}`)
    .join(' ');
}

const VERTEX_MODEL = (loc: string, model: string) =>
  `//aiplatform.googleapis.com/projects/acme-prod/locations/${loc}/publishers/google/models/${model}`;

test('permission: typographic quotes around the permission are read', () => {
  const f = parseFacts(
    'googleapi: Error 403: Permission ‘iam.serviceaccounts.actAs’ denied on service account runner@acme-prod.iam.gserviceaccount.com (or it may not exist)., forbidden',
  );
  assert.equal(f.permission, 'iam.serviceaccounts.actAs');
  assert.equal(f.http, 403);
  assert.equal(top('Permission ‘iam.serviceaccounts.actAs’ denied on service account x').cause, 'iam.act_as');
});

test('permission: "You do not have permission to act as service_account" is the actAs check', () => {
  const text =
    'status = StatusCode.INVALID_ARGUMENT\n\tdetails = "You do not have permission to act as service_account: 123456789012-compute@developer.gserviceaccount.com. (or it may not exist)."';
  const f = parseFacts(text);
  assert.equal(f.permission, 'iam.serviceAccounts.actAs');
  assert.equal(f.status, 'INVALID_ARGUMENT');
  assert.equal(top(text).cause, 'iam.act_as');
});

test('permission: "X does not have `[a.b.c, d.e.f]` IAM permission(s)" is a denial with its permission', () => {
  const text =
    'Service account `123456789012-compute@developer.gserviceaccount.com` does not have `[storage.objects.get, storage.objects.create]` IAM permission(s) to the bucket "acme-staging".';
  const f = parseFacts(text);
  assert.equal(f.permission, 'storage.objects.get');
  assert.ok(f.signals?.some((s) => s.id === 'caller_lacks_permission'));
  const first = top(text);
  assert.equal(first.cause, 'iam.missing_permission');
  assert.match(first.summary, /Compute Engine default service account/);
});

test('permission: the same denial for a Google service agent ranks iam.service_agent first', () => {
  const text =
    'details = "Service account `service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com` does not have `[storage.objects.get]` IAM permission(s) to the directory "gs://acme-models/m1"."';
  assert.equal(top(text).cause, 'iam.service_agent', ranking(text));
});

test('http: "Error Code: 403,", "Error, 400 User ..." and "400 - {" are read', () => {
  assert.equal(
    parseFacts('Exception: Error Code: 403, Message: denied, Status: PERMISSION_DENIED').http,
    403,
  );
  assert.equal(parseFacts('Bad Request Error, 400 User has requested a restricted setting.').http, 400);
  assert.equal(parseFacts('400 - {"error":"invalid_grant","error_description":"Bad Request"}').http, 400);
  // A number in prose is still not a status code.
  assert.equal(parseFacts('processed 403 rows, 12 failed').http, undefined);
});

test('status: an exception class at the end of a line and a bare grpc_status number', () => {
  assert.equal(
    parseFacts('Exception has occurred: PermissionDenied\n403 something').status,
    'PERMISSION_DENIED',
  );
  assert.equal(
    parseFacts('{grpc_status:9, grpc_message:"User location is not supported for the API use."}').status,
    'FAILED_PRECONDITION',
  );
  assert.equal(parseFacts('grpc_status:7').status, 'PERMISSION_DENIED');
});

test('quota: the window is read from per_minute / PerMinute / per day / PerDay alike', () => {
  const rate = [
    '429 Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: gemini-2.5-flash.',
    '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count","quotaId":"GenerateContentPaidTierInputTokensPerModelPerMinute"}]}]}}',
    'quota exceeded for quota metric Provisioned requests and Limit Provisioned requests per minute of service managedprojects.googleapis.com for consumer project_number:1234567',
  ];
  const hard = [
    "429 Quota exceeded for quota metric 'Generate requests' and limit 'Generate requests per day per project' of service 'generativelanguage.googleapis.com' for consumer 'project_number:1234567'.",
    '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel"}]}]}}',
    'Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests\nquotaId: GenerateRequestsPerDayPerProjectPerModel-FreeTier',
  ];
  for (const t of rate) assert.equal(top(t).cause, 'rate.throttled', `${t}\n${ranking(t)}`);
  for (const t of hard) assert.equal(top(t).cause, 'quota.exceeded', `${t}\n${ranking(t)}`);
  const unquoted = parseFacts(rate[2] as string);
  assert.equal(unquoted.service, 'managedprojects.googleapis.com');
  assert.equal(unquoted.quota?.window, 'minute');
  assert.equal(parseFacts(hard[2] as string).quota?.id, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier');
});

test('quota: notes that it lasts until the next day make a generic 429 a hard quota', () => {
  const text =
    '{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED"}}';
  assert.equal(top(text).cause, 'rate.throttled');
  assert.equal(
    top(text, { notes: 'The error is sticky and only resets at midnight.' }).cause,
    'quota.exceeded',
  );
  assert.equal(readNotes('it only resets midnight').dailyReset, true);
  assert.equal(readNotes('retrying after a minute works').dailyReset, false);
});

test('billing: "not supported ... without a billing account linked" names billing as the condition', () => {
  const text = '400 User location is not supported for the API use without a billing account linked.';
  assert.equal(top(text).cause, 'billing.disabled', ranking(text));
  assert.equal(top('400 User location is not supported for the API use.').cause, 'region.unsupported');
});

test('access: an allowlist named as the way to get access is a restricted tier', () => {
  const text =
    '400 User has requested a restricted HarmBlockThreshold setting BLOCK_NONE. You can get access either (a) through an allowlist via your Google account team, or (b) by switching your account type to monthly invoiced billing.';
  assert.equal(top(text).cause, 'model.access_restricted', ranking(text));
});

test('resource names: a `<placeholder>` project segment keeps location and model readable', () => {
  const text =
    "404 NOT_FOUND. {'error': {'code': 404, 'message': 'Publisher Model `projects/<project>/locations/us-central1/publishers/google/models/gemini-3-pro-preview` was not found or your project does not have access to it.'}}";
  const f = parseFacts(text);
  assert.equal(f.project, '<project>');
  assert.equal(f.location, 'us-central1');
  assert.equal(f.model, 'gemini-3-pro-preview');
  assert.equal(top(text).cause, 'model.location_unsupported', ranking(text));
});

test('project: a placeholder project in a not-found for a model served there is project.invalid', () => {
  const text =
    "404 NOT_FOUND. {'error': {'code': 404, 'message': 'Publisher Model `projects/PROJECT_ID/locations/europe-west4/publishers/google/models/gemini-2.5-flash` not found.', 'status': 'NOT_FOUND'}}";
  assert.equal(top(text).cause, 'project.invalid', ranking(text));
  // The same not-found for a model that is not served there stays a model finding.
  const elsewhere = text.replace('gemini-2.5-flash', 'gemini-3-pro-preview');
  assert.equal(top(elsewhere).cause, 'model.location_unsupported', ranking(elsewhere));
});

test('api.disabled on a Google tenant project points to the project mix-up instead', () => {
  const text =
    'Cloud Translation API has not been used in project a1b2c3d4e5f6a7b8c-tp before or it is disabled.';
  assert.equal(top(text, { runtime: 'cloud-functions', project: 'acme-prod' }).cause, 'project.mismatch');
  const own = 'Vertex AI API has not been used in project acme-prod before or it is disabled.';
  assert.equal(top(own, { project: 'acme-prod' }).cause, 'api.disabled');
});

test('(or it may not exist): weighed against the models table', () => {
  const may = (loc: string, model: string) =>
    `403 Permission 'aiplatform.endpoints.predict' denied on resource '${VERTEX_MODEL(loc, model)}' (or it may not exist).`;
  // Served there: the permission is what is missing.
  assert.equal(top(may('us-central1', 'gemini-2.5-flash')).cause, 'iam.missing_permission');
  // Retired: IAM is checked first, so the grant still comes first; the retirement follows.
  const retired = diagnose(may('us-central1', 'gemini-1.5-pro-002'));
  assert.equal(retired.findings[0]?.cause, 'iam.missing_permission');
  assert.ok(retired.findings.some((f) => f.cause === 'model.not_found'));
  // A 403 on a regional Gemini 3 model: it is only served at global.
  for (const loc of ['us-central1', 'europe-west4']) {
    const t = may(loc, 'gemini-3-pro-preview');
    const d = diagnose(t);
    assert.equal(d.findings[0]?.cause, 'model.location_unsupported', ranking(t));
    assert.ok(
      d.findings.some((f) => f.cause === 'iam.missing_permission'),
      'the grant stays a close second',
    );
  }
});

test('an API key sent to Vertex: the missing credential is the key being ignored', () => {
  const text =
    'POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent?key=AIzaSyA0000000000000000000000000000000\n{"error":{"code":401,"message":"Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}';
  assert.equal(top(text).cause, 'auth.api_key_unsupported', ranking(text));
  // Without a key in sight it is plain missing credentials.
  const noKey = text.replace(/\?key=\S+/, '');
  assert.equal(top(noKey).cause, 'auth.credentials_missing', ranking(noKey));
});

test('principal: the Compute Engine default service account named without its e-mail', () => {
  const text = `PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource '${VERTEX_MODEL('us-central1', 'gemini-2.5-flash')}' (or it may not exist). The caller is the Compute Engine default service account.`;
  const first = top(text);
  assert.equal(first.cause, 'iam.missing_permission');
  assert.match(first.summary, /PROJECT_NUMBER-compute@developer\.gserviceaccount\.com/);
  assert.ok(first.evidence.some((e) => e.fact === 'principal'));
});

test('notes: library names are not models; "works for" alone is not "same credentials work"', () => {
  assert.equal(readNotes('PHP, google-gemini-php/laravel package').model, undefined);
  assert.equal(readNotes('calling gemini-2.5-flash from the gemini-cli').model, 'gemini-2.5-flash');
  assert.equal(readNotes('legacy gemini-pro model').model, 'gemini-pro');
  assert.equal(readNotes('global works for the model').worksOtherwise, false);
  assert.equal(readNotes('the same key works for Firestore').worksOtherwise, true);
});

test('quota: a box-drawn, wrapped quota message is read as one line', () => {
  const text =
    '"message": "Quota exceeded for quota metric \'Gemini 2.5 Pro Requests\' and limit    │\n│    \'Gemini 2.5 Pro Requests per day per user per tier\' of service                   │\n│    \'cloudcode-pa.googleapis.com\' for consumer \'project_number:1234567\'.",\n│            "reason": "rateLimitExceeded"';
  const f = parseFacts(text);
  assert.equal(f.quota?.window, 'day');
  assert.equal(f.service, 'cloudcode-pa.googleapis.com');
  assert.equal(f.reason, 'rateLimitExceeded');
  assert.equal(top(text).cause, 'quota.exceeded', ranking(text));
});

test('http: a code in backticks and a code opening an error line', () => {
  assert.equal(parseFacts('It returns `status: 401`, invalid_token').http, 401);
  assert.equal(parseFacts('404 models/gemini-pro is not found for API version v1beta').http, 404);
  assert.equal(parseFacts('500 tokens used, all fine').http, undefined);
});

test('an API key used against Vertex AI, known only from the notes', () => {
  const text =
    '{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}';
  const viaNotes = { notes: 'API key from the credentials page sent to the Vertex AI REST endpoint' };
  assert.equal(top(text, viaNotes).cause, 'auth.api_key_unsupported', ranking(text, viaNotes));
  // The same 401 with a key for the Gemini API is a bad key / header, not an unsupported one.
  const gemini = { notes: 'API key for the Gemini API (generativelanguage)' };
  assert.notEqual(top(text, gemini).cause, 'auth.api_key_unsupported');
});

test('notes that disown the project in the error make it a project mix-up, not a disabled API', () => {
  const text =
    'status = StatusCode.PERMISSION_DENIED\n\tdetails = "Cloud Text-to-Speech API has not been used in project 987654321098 before or it is disabled."';
  assert.equal(top(text).cause, 'api.disabled');
  const notes = {
    notes: 'The error names project 987654321098 even though my own project is set in the notebook.',
  };
  assert.equal(top(text, notes).cause, 'project.mismatch', ranking(text, notes));
  // Naming the project without disowning it still reads as the intended (cross-project) target.
  const intended = diagnose(text, { notes: 'We call 987654321098 on purpose.' });
  assert.equal(intended.findings[0]?.cause, 'api.disabled');
});

test('"Consumer \'api_key:...\' has been suspended" is CONSUMER_SUSPENDED for the key', () => {
  const text =
    "gemini error: Permission denied: Consumer 'api_key:AIza****************************' has been suspended. (code: 403, status: PERMISSION_DENIED)";
  const f = parseFacts(text);
  assert.equal(f.reason, 'CONSUMER_SUSPENDED');
  assert.equal(top(text).cause, 'auth.api_key_invalid', ranking(text));
  const project = "Permission denied: Consumer 'projects/123456789012' has been suspended.";
  assert.equal(top(project).cause, 'project.invalid', ranking(project));
});

test('a bare denial for a preview model while other models work is a gated model', () => {
  const text =
    '{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}';
  const notes = { notes: 'gemini-3-pro-preview fails; gemini 2.5 flash still works with the same key.' };
  assert.equal(top(text, notes).cause, 'model.access_restricted', ranking(text, notes));
  // Without that contrast the bare denial stays an IAM finding.
  assert.equal(top(text, { notes: 'calling gemini-3-pro-preview' }).cause, 'iam.missing_permission');
  assert.equal(readNotes('older models like 2.5 are working').otherModelsWork, true);
});
