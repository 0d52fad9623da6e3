/**
 * The wrappers clients and log pipelines put around an error (src/core/parse/wrappers.ts): the
 * error inside reads the same as the error alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import { parseFacts } from '../../src/core/parse/index.js';

const PREDICT_DENIED =
  "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash' (or it may not exist).";
const GRPC_TEXT = `Traceback (most recent call last):\n  File "/app/main.py", line 41, in generate\n    response = client.generate_content(request)\ngrpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n\tstatus = StatusCode.PERMISSION_DENIED\n\tdetails = "${PREDICT_DENIED}"\n>`;

function cloudLoggingEntry(message: string): string {
  return JSON.stringify({
    insertId: '66a1f0c2000b1e5d4f2a9c10',
    jsonPayload: { message, logger: 'app.generate' },
    resource: {
      type: 'cloud_run_revision',
      labels: { project_id: 'acme-logging-host', service_name: 'genai-api', location: 'europe-west1' },
    },
    timestamp: '2026-03-02T10:15:00.120Z',
    severity: 'ERROR',
    logName: 'projects/acme-logging-host/logs/run.googleapis.com%2Fstderr',
  });
}

describe('log records', () => {
  test('a Cloud Logging entry is read for its jsonPayload.message, not as escaped JSON', () => {
    const entry = cloudLoggingEntry(GRPC_TEXT);
    const inside = parseFacts(entry);
    const alone = parseFacts(GRPC_TEXT);
    assert.equal(inside.status, 'PERMISSION_DENIED');
    assert.equal(inside.permission, 'aiplatform.endpoints.predict');
    // The project is the error's, not the one the log was written in.
    assert.equal(inside.project, 'acme-genai-prod');
    assert.equal(inside.model, alone.model);
    assert.equal(diagnose(entry).findings[0]?.cause, diagnose(GRPC_TEXT).findings[0]?.cause);
    // Evidence spans point into the pasted record.
    const span = inside.spans?.permission;
    assert.ok(span);
    assert.equal(entry.slice(span.start, span.end), 'aiplatform.endpoints.predict');
  });

  test('a gcloud logging read array and JSON lines are read record by record', () => {
    const one = cloudLoggingEntry(GRPC_TEXT);
    assert.equal(parseFacts(`[${one}]`).permission, 'aiplatform.endpoints.predict');
    const lines = `${cloudLoggingEntry('request started')}\n${one}\n`;
    assert.equal(parseFacts(lines).status, 'PERMISSION_DENIED');
  });

  test('a Datadog event is read for its message and the error object beside it', () => {
    const event = JSON.stringify({
      id: 'AQAAAZTHqMIrNFrLhAAAAAAAAAAYAAAAAEFaVEhxTUl1QUFCRXRuRDBrSHhLTGdBQQ',
      type: 'log',
      attributes: {
        message: 'Image generation failed',
        service: 'genai-api',
        status: 'error',
        timestamp: '2026-03-02T10:15:00Z',
        tags: ['env:prod', 'project_id:acme-logging-host'],
        attributes: {
          error: {
            kind: 'google.genai.errors.ClientError',
            message: `403 PERMISSION_DENIED. {'error': {'code': 403, 'message': "${PREDICT_DENIED}", 'status': 'PERMISSION_DENIED'}}`,
          },
        },
      },
    });
    const f = parseFacts(event);
    assert.equal(f.http, 403);
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
    assert.equal(f.project, 'acme-genai-prod');
  });

  test('an audit log entry stays a structured record (principal and permission read from it)', () => {
    const audit = JSON.stringify({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        status: { code: 7, message: PREDICT_DENIED },
        authenticationInfo: { principalEmail: 'runner@acme-genai-prod.iam.gserviceaccount.com' },
        authorizationInfo: [
          {
            permission: 'aiplatform.endpoints.predict',
            granted: false,
            resource:
              'projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash',
          },
        ],
      },
      severity: 'ERROR',
    });
    const f = parseFacts(audit);
    assert.equal(f.principal, 'runner@acme-genai-prod.iam.gserviceaccount.com');
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
  });

  test('a JSON error body is not taken for a log record', () => {
    const body = '{"error":{"code":429,"message":"Resource exhausted.","status":"RESOURCE_EXHAUSTED"}}';
    assert.equal(parseFacts(body).http, 429);
  });
});

describe('client exception lines', () => {
  test("google-api-core over HTTP: '400 POST url: message [details]'", () => {
    const text =
      "google.api_core.exceptions.BadRequest: 400 POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent: User location is not supported for the API use. [{'@type': 'type.googleapis.com/google.rpc.DebugInfo', 'detail': '[ORIGINAL ERROR] generic::failed_precondition'}]";
    const f = parseFacts(text);
    assert.equal(f.http, 400);
    assert.equal(f.message, 'User location is not supported for the API use.');
    assert.equal(f.location, 'us-central1');
  });

  test("google-api-core over gRPC: 'PermissionDenied: 403 message [reason: ...]'", () => {
    const text = `PermissionDenied: 403 ${PREDICT_DENIED} [reason: "IAM_PERMISSION_DENIED"\ndomain: "aiplatform.googleapis.com"\nmetadata {\n  key: "permission"\n  value: "aiplatform.endpoints.predict"\n}\n]`;
    const f = parseFacts(text);
    assert.equal(f.http, 403);
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.message, PREDICT_DENIED);
  });

  test('google-api-python-client: \'<HttpError 403 when requesting URL returned "message">\'', () => {
    const text =
      "<HttpError 403 when requesting https://serviceusage.googleapis.com/v1/projects/acme-genai-prod/services/aiplatform.googleapis.com:enable?alt=json returned \"Permission denied to enable service [aiplatform.googleapis.com]\". Details: \"[{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', 'reason': 'AUTH_PERMISSION_DENIED', 'domain': 'serviceusage.googleapis.com'}]\">";
    const f = parseFacts(text);
    assert.equal(f.http, 403);
    assert.equal(f.message, 'Permission denied to enable service [aiplatform.googleapis.com]');
    assert.equal(f.reason, 'AUTH_PERMISSION_DENIED');
  });

  test('a Go gRPC client: rpc error with gax-go error details', () => {
    const text = `rpc error: code = PermissionDenied desc = ${PREDICT_DENIED}\nerror details: name = ErrorInfo reason = IAM_PERMISSION_DENIED domain = aiplatform.googleapis.com metadata = map[permission:aiplatform.endpoints.predict resource:projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash]`;
    const f = parseFacts(text);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.domain, 'aiplatform.googleapis.com');
    assert.equal(f.message, PREDICT_DENIED);
    assert.equal(diagnose(text).findings[0]?.cause, diagnose(GRPC_TEXT).findings[0]?.cause);
  });

  test("'400 FAILED_PRECONDITION: message', Java genai's '401 . message', grpc-js's '7 STATUS: message', Ruby's '7:message'", () => {
    const a = parseFacts(
      'Error: create request failed: 400 FAILED_PRECONDITION: User location is not supported for the API use.',
    );
    assert.deepEqual(
      [a.http, a.status, a.message],
      [400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'],
    );
    const b = parseFacts(
      'com.google.genai.errors.ClientException: 401 . API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal.',
    );
    assert.equal(b.http, 401);
    assert.ok(b.message?.startsWith('API keys are not supported by this API.'));
    const d = parseFacts(
      `Error: 7 PERMISSION_DENIED: ${PREDICT_DENIED}\n    at callErrorFromStatus (node_modules/@grpc/grpc-js/build/src/call.js:31:19)`,
    );
    assert.deepEqual([d.status, d.message], ['PERMISSION_DENIED', PREDICT_DENIED]);
    const c = parseFacts(
      'Google::Cloud::PermissionDeniedError: 7:User not authorized to perform this action.',
    );
    assert.deepEqual(
      [c.status, c.message],
      ['PERMISSION_DENIED', 'User not authorized to perform this action.'],
    );
  });

  test("gemini-cli: '[API Error: message (Status: STATUS)]'", () => {
    const f = parseFacts(
      '✕ [API Error: API key not valid. Please pass a valid API key. (Status: INVALID_ARGUMENT)]',
    );
    assert.deepEqual(
      [f.status, f.message],
      ['INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'],
    );
  });

  test('a message that goes on over lines is read whole', () => {
    const text =
      '[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent: [429 Too Many Requests] You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-pro\nPlease retry in 30.5s.\n    at handleResponseNotOk (node_modules/@google/generative-ai/dist/index.mjs:414:11)';
    const f = parseFacts(text);
    assert.ok(f.message?.includes('limit: 0, model: gemini-2.5-pro'), f.message);
    assert.ok(!f.message?.includes('handleResponseNotOk'));
  });

  test('prose that starts with a number is not an error', () => {
    assert.equal(parseFacts('500 tokens used, all fine').http, undefined);
    assert.equal(parseFacts('Summary: 404 pages crawled').message, undefined);
  });
});
