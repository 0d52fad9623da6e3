import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorFacts, FactName } from '../../src/core/model.js';
import { parseFacts } from '../../src/core/parse/index.js';
import { projectIdProblem, projectPlaceholder } from '../../src/core/parse/resource.js';
import * as F from './fixtures.js';

/** Every span points at text in the original that holds (or starts) the fact's value. */
function assertSpans(text: string, facts: ErrorFacts, names: FactName[]): void {
  for (const name of names) {
    const span = facts.spans?.[name];
    assert.ok(span, `span for ${name}`);
    const slice = text.slice(span.start, span.end);
    const value = String(facts[name]);
    assert.ok(value.startsWith(slice) && slice.length > 0, `span of ${name}: "${slice}" vs "${value}"`);
  }
}

describe('REST google.rpc.Status', () => {
  test('QuotaFailure, Help and RetryInfo', () => {
    const f = parseFacts(F.REST_QUOTA);
    assert.equal(f.http, 429);
    assert.equal(f.status, 'RESOURCE_EXHAUSTED');
    assert.equal(f.quota?.metric, 'generativelanguage.googleapis.com/generate_content_free_tier_requests');
    assert.equal(f.quota?.id, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    assert.equal(f.quota?.window, 'day');
    assert.equal(f.quota?.freeTier, true);
    assert.equal(f.quota?.limit, '50');
    assert.deepEqual(f.quota?.dimensions, { location: 'global', model: 'gemini-2.5-pro' });
    assert.equal(f.retryDelaySeconds, 41);
    assert.equal(f.helpLinks?.[0]?.url, 'https://ai.google.dev/gemini-api/docs/rate-limits');
    assert.equal(f.service, 'generativelanguage.googleapis.com');
    assert.equal(f.model, 'gemini-2.5-pro');
    assert.ok(f.shapes?.includes('rest-json'));
    assertSpans(F.REST_QUOTA, f, ['http', 'status']);
  });

  test('ErrorInfo metadata: service, consumer, project number', () => {
    const f = parseFacts(F.REST_SERVICE_DISABLED);
    assert.equal(f.reason, 'SERVICE_DISABLED');
    assert.equal(f.domain, 'googleapis.com');
    assert.equal(f.service, 'aiplatform.googleapis.com');
    assert.equal(f.consumer, 'projects/123456789012');
    assert.equal(f.project, '123456789012');
    assert.equal(f.projectIsNumber, true);
    assert.ok(f.localizedMessage?.startsWith('Vertex AI API has not been used'));
    assert.ok(f.signals?.some((s) => s.id === 'service_not_used'));
    assertSpans(F.REST_SERVICE_DISABLED, f, ['reason', 'service', 'project']);
  });

  test('BadRequest field violations and DebugInfo', () => {
    const f = parseFacts(F.REST_BAD_REQUEST);
    assert.equal(f.status, 'INVALID_ARGUMENT');
    assert.deepEqual(f.violations?.[0], {
      kind: 'field',
      field: 'generation_config.temperature',
      description: 'must be between 0 and 2',
    });
  });

  test('VPC-SC unique id and PreconditionFailure', () => {
    const f = parseFacts(F.REST_VPC_SC);
    assert.equal(f.reason, 'SECURITY_POLICY_VIOLATED');
    assert.equal(f.vpcScId, '2kRDsq9yhGxxjB3PJ9j1Y6bGfFExqLHRQcRa');
    assert.equal(f.violations?.[0]?.kind, 'precondition');
  });

  test('org-policy constraint from a PreconditionFailure', () => {
    const f = parseFacts(F.ORG_POLICY);
    assert.equal(f.constraint, 'constraints/gcp.resourceLocations');
    assert.equal(f.violations?.[0]?.kind, 'org-policy');
  });

  test('full resource name split into project, location, publisher, model', () => {
    const text = F.vertex403('acme-prod', 'global', 'gemini-3-pro-image-preview');
    const f = parseFacts(text);
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
    assert.equal(f.project, 'acme-prod');
    assert.equal(f.location, 'global');
    assert.equal(f.publisher, 'google');
    assert.equal(f.model, 'gemini-3-pro-image-preview');
    assert.equal(f.service, 'aiplatform.googleapis.com');
    assert.ok(f.signals?.some((s) => s.id === 'may_not_exist'));
    assertSpans(text, f, ['permission', 'project', 'location', 'model', 'publisher']);
  });
});

describe('SDK exceptions', () => {
  test('Python google-genai ClientError with a dict repr', () => {
    const f = parseFacts(F.PY_GENAI_DICT);
    assert.equal(f.http, 403);
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.project, 'acme-prod');
    assert.equal(f.location, 'us-central1');
    assert.equal(f.model, 'gemini-2.5-flash');
    assert.equal(f.sdk, 'google-genai');
    assert.equal(f.language, 'python');
    assert.ok(f.shapes?.includes('python-dict'));
    assertSpans(F.PY_GENAI_DICT, f, ['http', 'permission', 'project', 'model']);
  });

  test('Node @google/genai `got status: 404 Not Found. {json}`', () => {
    const f = parseFacts(F.NODE_GOT_STATUS);
    assert.equal(f.http, 404);
    assert.equal(f.status, 'NOT_FOUND');
    assert.equal(f.model, 'gemini-3-pro-preview');
    assert.equal(f.location, 'us-central1');
    assert.equal(f.language, 'node');
    assert.ok(f.signals?.some((s) => s.id === 'model_not_found'));
  });

  test('escaped JSON nested as a string, two levels deep', () => {
    const inner = JSON.parse(F.vertex404('acme-nest', 'us-central1', 'gemini-1.5-pro-002'));
    const level1 = JSON.stringify({
      error: { message: JSON.stringify(inner, null, 2), code: 404, status: 'Not Found' },
    });
    const level2 = JSON.stringify({ error: { message: level1, code: 500, status: 'Internal' } });
    for (const text of [level1, level2, `upstream said: ${JSON.stringify(level1)}`]) {
      const f = parseFacts(text);
      assert.equal(f.status, 'NOT_FOUND', text.slice(0, 60));
      assert.equal(f.model, 'gemini-1.5-pro-002');
      assert.equal(f.project, 'acme-nest');
    }
  });

  test('LangChain / LiteLLM wrapper around a JSON array', () => {
    const text = `litellm.BadRequestError: Vertex_aiException BadRequestError - [${F.vertex403('acme-llm', 'us-central1', 'gemini-2.5-pro')}]`;
    const f = parseFacts(text);
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.project, 'acme-llm');
    assert.equal(f.sdk, 'litellm');
  });
});

describe('gRPC, Java, .NET, Go, gcloud', () => {
  test('Python _InactiveRpcError', () => {
    const f = parseFacts(F.PY_GRPC);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
    assert.equal(f.location, 'europe-west4');
    assert.equal(f.model, 'gemini-2.0-flash-001');
    assert.ok(f.message?.startsWith("Permission 'aiplatform.endpoints.predict'"));
    assert.ok(f.shapes?.includes('grpc-text'));
    assertSpans(F.PY_GRPC, f, ['status', 'permission', 'location', 'model']);
  });

  test('text proto QuotaFailure + RetryInfo', () => {
    const f = parseFacts(F.PY_TEXTPROTO_QUOTA);
    assert.equal(f.http, 429);
    assert.equal(f.status, 'RESOURCE_EXHAUSTED');
    assert.equal(f.quota?.window, 'minute');
    assert.equal(f.quota?.id, 'GenerateContentRequestsPerMinutePerProjectPerBaseModel');
    assert.equal(f.quota?.dimensions?.base_model, 'gemini-2.5-pro');
    assert.equal(f.retryDelaySeconds, 30);
    assert.equal(f.location, 'us-central1');
    assert.equal(f.service, 'aiplatform.googleapis.com');
    assert.ok(f.shapes?.includes('text-proto'));
  });

  test('text proto ErrorInfo metadata and Help links', () => {
    const f = parseFacts(F.PY_TEXTPROTO_SERVICE_DISABLED);
    assert.equal(f.reason, 'SERVICE_DISABLED');
    assert.equal(f.service, 'aiplatform.googleapis.com');
    assert.equal(f.consumer, 'projects/555555555555');
    assert.equal(f.project, '555555555555');
    assert.ok(f.helpLinks?.[0]?.url.includes('aiplatform.googleapis.com/overview'));
  });

  test('Java gax StatusRuntimeException', () => {
    const f = parseFacts(F.JAVA_GAX);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.project, 'acme-java');
    assert.equal(f.location, 'us-east4');
    assert.equal(f.language, 'java');
    assert.ok(f.shapes?.includes('java-gax'));
  });

  test('Java GoogleJsonResponseException with legacy errors[]', () => {
    const f = parseFacts(F.JAVA_JSON_RESPONSE);
    assert.equal(f.http, 403);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.reason, 'forbidden');
    assert.equal(f.message, 'The caller does not have permission');
  });

  test('.NET RpcException', () => {
    const f = parseFacts(F.DOTNET_RPC);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.project, 'acme-dotnet');
    assert.equal(f.language, 'csharp');
  });

  test('Go googleapi error with Details', () => {
    const f = parseFacts(F.GO_GOOGLEAPI);
    assert.equal(f.http, 403);
    assert.equal(f.permission, 'iam.serviceAccounts.actAs');
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.service, 'iam.googleapis.com');
    assert.equal(f.principal, 'runner@acme-go.iam.gserviceaccount.com');
    assert.equal(f.language, 'go');
  });

  test('gcloud with YAML details and a relative endpoint resource', () => {
    const f = parseFacts(F.GCLOUD_YAML);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.project, 'acme-cli');
    assert.equal(f.endpoint, '1234567890');
    assert.equal(f.location, 'us-central1');
    assert.ok(f.shapes?.includes('gcloud'));
  });
});

describe('google-auth and plain text', () => {
  test('credential errors become signals', () => {
    const cases: Array<[string, string]> = [
      [F.PY_DEFAULT_CREDENTIALS, 'credentials_missing'],
      [F.NODE_NO_CREDENTIALS, 'credentials_missing'],
      [F.PY_REFRESH_INVALID_GRANT, 'invalid_grant'],
      [F.PY_REAUTH, 'reauth_needed'],
    ];
    for (const [text, signal] of cases) {
      const f = parseFacts(text);
      assert.ok(
        f.signals?.some((s) => s.id === signal),
        `${signal} in ${text.slice(0, 50)}`,
      );
    }
  });

  test('HTTP status lines and URLs', () => {
    const f = parseFacts(
      'Error fetching from https://us-east5-aiplatform.googleapis.com/v1/projects/acme-url/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent?key=AIzaSyA1234567890abcdefghijklmnopqrstuv: [401 Unauthorized] API keys are not supported by this API.',
    );
    assert.equal(f.http, 401);
    assert.equal(f.service, 'aiplatform.googleapis.com');
    assert.equal(f.location, 'us-east5');
    assert.equal(f.project, 'acme-url');
    assert.equal(f.apiKey?.used, true);
    assert.equal(f.apiKey?.sentTo, 'vertex');
    assert.ok(f.url && !f.url.includes('AIza'), 'the key is not kept in the URL fact');
    assert.equal(parseFacts('HTTP 404 Not Found').http, 404);
    assert.equal(parseFacts('Error: [429 Too Many Requests] slow down').http, 429);
  });

  test('project phrasing, numbers and placeholders', () => {
    assert.equal(
      parseFacts('Permission denied on resource project YOUR-PROJECT-ID.').project,
      'YOUR-PROJECT-ID',
    );
    assert.equal(
      parseFacts('Project my-thing-123 (#808448574146) has billing disabled. Please enable it.').project,
      'my-thing-123',
    );
    assert.equal(projectPlaceholder('YOUR-PROJECT-ID'), 'placeholder');
    assert.equal(projectPlaceholder('[PROJECT_ID]'), 'placeholder');
    assert.equal(projectPlaceholder('my-project'), 'placeholder');
    assert.equal(projectPlaceholder('advance-river-******-i5'), 'redacted');
    assert.equal(projectPlaceholder('XXXXXXXXX'), 'redacted');
    assert.equal(projectPlaceholder('datadog-sandbox'), undefined);
    assert.equal(projectIdProblem('jizu_personal'), 'underscore');
    assert.equal(projectIdProblem('qwiklabs-gcp-04-53b3d52c8891 '), 'whitespace');
    assert.equal(projectIdProblem('123456789012'), undefined);
  });

  test('terminal-wrapped service agent e-mail is joined', () => {
    const f = parseFacts(
      'Error: bqcx-1234-abcd@gcp-sa-\n│ bigquery-condel.iam.gserviceaccount.com does not have the permission to access or use the endpoint.',
    );
    assert.equal(f.principal, 'bqcx-1234-abcd@gcp-sa-bigquery-condel.iam.gserviceaccount.com');
  });

  test('several errors: each listed, the most specific is primary', () => {
    const text = [
      '2025-01-01T10:00:00Z WARN retrying: {"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}',
      `2025-01-01T10:00:05Z ERROR giving up: ${F.vertex403('acme-multi', 'global', 'gemini-2.5-flash').replace(/\s+/g, ' ')}`,
    ].join('\n');
    const f = parseFacts(text);
    assert.equal(f.errors.length, 2);
    assert.equal(f.http, 403);
    assert.equal(f.reason, 'IAM_PERMISSION_DENIED');
    assert.equal(f.project, 'acme-multi');
  });

  test('several plain-text errors stay apart, with exact spans', () => {
    const text = [
      '2025-01-01 10:00:00 ERROR google.api_core.exceptions.ResourceExhausted: 429 Resource exhausted. Please try again later.',
      "2025-01-01 10:05:00 ERROR google.api_core.exceptions.PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-logs/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).",
    ].join('\n');
    const f = parseFacts(text);
    assert.equal(f.errors.length, 2);
    assert.equal(f.errors[0]?.http, 429);
    assert.equal(f.errors[0]?.permission, undefined);
    assert.equal(f.http, 403);
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
    assert.equal(f.project, 'acme-logs');
    assertSpans(text, f, ['http', 'permission', 'project', 'model']);
    assert.ok((f.spans?.http?.start ?? 0) > text.indexOf('\n'), 'the 403 span is on the second line');
  });

  test('a Cloud Audit Log entry names the hidden principal and permission', () => {
    const entry = JSON.stringify({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        status: {
          code: 7,
          message:
            "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-audit/locations/global/publishers/google/models/gemini-2.5-flash' (or it may not exist).",
        },
        authenticationInfo: { principalEmail: '123456789012-compute@developer.gserviceaccount.com' },
        requestMetadata: { callerIp: '10.0.0.1' },
        serviceName: 'aiplatform.googleapis.com',
        methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
        authorizationInfo: [
          {
            resource: 'projects/acme-audit/locations/global/publishers/google/models/gemini-2.5-flash',
            permission: 'aiplatform.endpoints.predict',
            granted: false,
            resourceAttributes: {},
          },
        ],
        resourceName: 'projects/acme-audit/locations/global/publishers/google/models/gemini-2.5-flash',
      },
      severity: 'ERROR',
      logName: 'projects/acme-audit/logs/cloudaudit.googleapis.com%2Fdata_access',
    });
    const f = parseFacts(entry);
    assert.equal(f.status, 'PERMISSION_DENIED');
    assert.equal(f.permission, 'aiplatform.endpoints.predict');
    assert.equal(f.principal, '123456789012-compute@developer.gserviceaccount.com');
    assert.equal(f.project, 'acme-audit');
    assert.equal(f.model, 'gemini-2.5-flash');
    assert.equal(f.method, 'google.cloud.aiplatform.v1.PredictionService.GenerateContent');
  });

  test('non-error text gives no facts that look like an error', () => {
    const f = parseFacts('Deployed revision genai-adk-python-00042 serving 100% of traffic.');
    assert.equal(f.http, undefined);
    assert.equal(f.status, undefined);
    assert.equal(f.errors.length, 0);
  });
});

describe('permissions named in prose', () => {
  test('a permission far from the word "permission" is read whole, not cut at the search window', () => {
    // USER_PROJECT_DENIED as Google words it: the first "permission" is 160+ characters before
    // the permission's name.
    const text =
      'Caller does not have required permission to use project datadog-sandbox. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=datadog-sandbox and then retry.';
    const f = parseFacts(text);
    assert.equal(f.permission, 'serviceusage.services.use');
    assertSpans(text, f, ['permission']);
  });
});
