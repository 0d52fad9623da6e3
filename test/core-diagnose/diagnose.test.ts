import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Diagnosis } from '../../src/core/model.js';
import { CAUSES } from '../../src/core/taxonomy.js';
import * as F from './fixtures.js';

const SEED = readFileSync(new URL('../../examples/seed-incident-403.txt', import.meta.url), 'utf8');

function causes(d: Diagnosis): string[] {
  return d.findings.map((f) => f.cause);
}

function finding(d: Diagnosis, cause: string) {
  const f = d.findings.find((x) => x.cause === cause);
  assert.ok(f, `finding ${cause} in ${causes(d).join(', ')}`);
  return f;
}

function assertWellFormed(d: Diagnosis): void {
  assert.equal(d.schemaVersion, 1);
  assert.ok(d.findings.length > 0);
  for (let i = 0; i < d.findings.length; i++) {
    const f = d.findings[i]!;
    assert.equal(f.code, CAUSES[f.cause]);
    assert.ok(f.confidence >= 0 && f.confidence <= 1);
    if (i > 0) assert.ok(d.findings[i - 1]!.confidence >= f.confidence, 'ranked by confidence');
  }
}

describe('the seed incident', () => {
  const d = diagnose(SEED, { project: 'datadog-ese-sandbox', runtime: 'cloud-run' });

  test('project.mismatch ranked with iam.missing_permission', () => {
    assertWellFormed(d);
    assert.deepEqual(causes(d).slice(0, 2).sort(), ['iam.missing_permission', 'project.mismatch']);
    const mismatch = finding(d, 'project.mismatch');
    assert.ok(mismatch.evidence.some((e) => e.fact === 'project' && e.value === 'datadog-sandbox'));
    assert.ok(
      mismatch.evidence.some((e) => e.fact === 'context.project' && e.value === 'datadog-ese-sandbox'),
    );
    assert.match(
      mismatch.summary,
      /grant belongs in `datadog-ese-sandbox`, the project the call should target/,
    );
  });

  test('missing permission names the permission, model, location and the default compute account', () => {
    const m = finding(d, 'iam.missing_permission');
    assert.ok(m.evidence.some((e) => e.fact === 'permission' && e.value === 'aiplatform.endpoints.predict'));
    assert.ok(m.evidence.some((e) => e.value.includes('gemini-3-pro-image-preview')));
    const principal = m.evidence.find(
      (e) => e.fact.startsWith('principal') || e.fact === 'context.principal',
    );
    assert.ok(principal?.value.endsWith('-compute@developer.gserviceaccount.com'));
    assert.match(principal?.note ?? '', /Compute Engine default service account/);
    assert.match(m.summary, /in project `datadog-ese-sandbox`/);
    assert.ok(m.against.some((a) => a.includes('a grant in `datadog-ese-sandbox` alone does not fix')));
    assert.ok(m.nextChecks.some((c) => c.probe === 'iam.testPermissions'));
    assert.ok(m.nextChecks.some((c) => c.command?.includes('gcloud run services describe')));
  });

  test("the runtime check names the Cloud Run service's region, never the model's location", () => {
    const describe = (ctx: Parameters<typeof diagnose>[1]) =>
      finding(diagnose(SEED, ctx), 'iam.missing_permission').nextChecks.find((c) =>
        c.command?.startsWith('gcloud run services describe'),
      )?.command;
    const base = {
      project: 'datadog-ese-sandbox',
      runtime: 'cloud-run' as const,
      service: 'genai-adk-python',
    };
    assert.match(
      describe({ ...base, region: 'us-central1' }) ?? '',
      /describe genai-adk-python --region us-central1 /,
    );
    // The model is served from europe-west4; the service's region is still unknown.
    assert.match(describe({ ...base, location: 'europe-west4' }) ?? '', /--region \$REGION /);
  });

  test('the spans of the evidence point into the input', () => {
    for (const f of d.findings) {
      for (const e of f.evidence) {
        if (!e.span) continue;
        assert.ok(e.value.startsWith(SEED.slice(e.span.start, e.span.end)), `${e.fact}`);
      }
    }
  });

  test('an explicit principal replaces the runtime default', () => {
    const withSa = diagnose(SEED, {
      project: 'datadog-ese-sandbox',
      runtime: 'cloud-run',
      principal: 'adk@datadog-ese-sandbox.iam.gserviceaccount.com',
    });
    const m = finding(withSa, 'iam.missing_permission');
    assert.ok(m.evidence.some((e) => e.value === 'adk@datadog-ese-sandbox.iam.gserviceaccount.com'));
    assert.ok(
      m.nextChecks.some((c) => c.command?.includes('--impersonate-service-account=adk@datadog-ese-sandbox')),
    );
  });

  test('without context the 403 is a missing permission', () => {
    const plain = diagnose(SEED);
    assert.equal(plain.findings[0]?.cause, 'iam.missing_permission');
    assert.ok(plain.unknowns.some((u) => u.includes('--project')));
  });
});

describe('weighing `(or it may not exist)` against the model table', () => {
  test('a Gemini 3 model at a regional location', () => {
    const d = diagnose(F.vertex404('acme', 'us-central1', 'gemini-3-pro-preview'));
    assert.equal(d.findings[0]?.cause, 'model.location_unsupported');
    assert.match(d.findings[0]?.summary ?? '', /global/);
    const d403 = diagnose(F.vertex403('acme', 'us-central1', 'gemini-3-pro-image-preview'));
    assert.deepEqual(causes(d403).slice(0, 2), ['model.location_unsupported', 'iam.missing_permission']);
  });

  test('a retired model', () => {
    const d = diagnose(F.vertex404('acme', 'us-central1', 'gemini-1.5-pro-002'));
    assert.equal(d.findings[0]?.cause, 'model.not_found');
    assert.match(d.findings[0]?.summary ?? '', /gemini-2\.5-pro/);
  });

  test('a served model with a 403 is about the permission', () => {
    const d = diagnose(F.vertex403('acme', 'global', 'gemini-2.5-flash'));
    assert.equal(d.findings[0]?.cause, 'iam.missing_permission');
  });

  test('"is not allowed to use Publisher Model" is restricted access', () => {
    const d = diagnose(
      'FAILED_PRECONDITION: Project `123456789012` is not allowed to use Publisher Model `projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-flash`',
    );
    assert.equal(d.findings[0]?.cause, 'model.access_restricted');
  });

  test('a bare 404 with the model and location from context', () => {
    const d = diagnose('HTTP 404 Not Found', { model: 'gemini-3-flash-preview', location: 'europe-west1' });
    assert.equal(d.findings[0]?.cause, 'model.location_unsupported');
  });
});

describe('causes from the evidence', () => {
  const cases: Array<[string, string, Parameters<typeof diagnose>[1]?]> = [
    [F.REST_QUOTA, 'quota.exceeded'],
    [F.PY_TEXTPROTO_QUOTA, 'rate.throttled'],
    [F.REST_SERVICE_DISABLED, 'api.disabled'],
    [F.PY_TEXTPROTO_SERVICE_DISABLED, 'api.disabled'],
    [F.REST_VPC_SC, 'iam.vpc_service_controls'],
    [F.REST_USER_PROJECT_DENIED, 'quota_project.denied'],
    [F.REST_API_KEY_INVALID, 'auth.api_key_invalid'],
    [F.ORG_POLICY, 'org_policy.violation'],
    [F.GO_GOOGLEAPI, 'iam.act_as'],
    [F.SERVICE_AGENT_STORAGE, 'iam.service_agent'],
    [F.PY_DEFAULT_CREDENTIALS, 'auth.credentials_missing'],
    [F.NODE_NO_CREDENTIALS, 'auth.credentials_missing'],
    [F.PY_REFRESH_INVALID_GRANT, 'auth.credentials_invalid'],
    [F.PY_REAUTH, 'auth.credentials_invalid'],
    [F.GCLOUD_YAML, 'iam.missing_permission'],
    [F.JAVA_GAX, 'iam.missing_permission'],
    [F.DOTNET_RPC, 'iam.missing_permission'],
    [
      'Error: [400 FAILED_PRECONDITION] User location is not supported for the API use.',
      'region.unsupported',
    ],
    ['403 Permission denied on resource project YOUR-PROJECT-ID.', 'project.invalid'],
    [
      '{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED"}}',
      'auth.scope_insufficient',
    ],
    [
      '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}',
      'rate.throttled',
    ],
    [
      F.vertex403('acme-prod', 'global', 'gemini-2.5-flash'),
      'iam.propagation_delay',
      { notes: 'granted roles/aiplatform.user; running the job again a few minutes later succeeds' },
    ],
    [F.vertex403('gbd40bc90c7804989-tp', 'us-central1', 'gemini-2.5-flash'), 'project.mismatch'],
    [
      'google.api_core.exceptions.ResourceExhausted: 429 Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
      'rate.throttled',
    ],
    [
      '{"error":{"code":403,"message":"Requests from referer <empty> are blocked.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_HTTP_REFERRER_BLOCKED","domain":"googleapis.com","metadata":{"consumer":"projects/123456789","service":"generativelanguage.googleapis.com"}}]}}',
      'auth.api_key_invalid',
    ],
    [
      'models/gemini-2.0-flash-exp is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
      'model.not_found',
    ],
    [
      '{"error":{"code":403,"message":"Permission denied: Consumer \'projects/123456\' has been suspended.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED","domain":"googleapis.com","metadata":{"consumer":"projects/123456","service":"aiplatform.googleapis.com"}}]}}',
      'project.invalid',
    ],
    [
      '{"error":{"code":403,"message":"Caller does not have required permission to use project acme. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=acme and then retry.","status":"PERMISSION_DENIED"}}',
      'quota_project.denied',
    ],
    [
      "[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent: [403 Forbidden] Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      'auth.credentials_missing',
    ],
    ['503 The model is overloaded. Please try again later.', 'rate.throttled'],
    [
      '{"error":{"code":400,"message":"Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.","status":"FAILED_PRECONDITION"}}',
      'region.unsupported',
    ],
  ];
  for (const [text, cause, context] of cases) {
    test(`${cause} <- ${text.replace(/\s+/g, ' ').slice(0, 70)}`, () => {
      const d = diagnose(text, context);
      assertWellFormed(d);
      assert.equal(d.findings[0]?.cause, cause, causes(d).join(', '));
      assert.ok(d.findings[0]!.evidence.length > 0);
    });
  }

  test('a per-minute free-tier limit is throttling, a daily or zero one is a hard quota', () => {
    const perMinute = F.REST_QUOTA.replace('PerDay', 'PerMinute');
    assert.equal(diagnose(perMinute).findings[0]?.cause, 'rate.throttled');
    assert.equal(diagnose(F.REST_QUOTA).findings[0]?.cause, 'quota.exceeded');
    assert.equal(
      diagnose(perMinute.replace('"quotaValue": "50"', '"quotaValue": "0"')).findings[0]?.cause,
      'quota.exceeded',
    );
  });

  test('a generic RESOURCE_EXHAUSTED ranks quota.exceeded second', () => {
    const d = diagnose(
      '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}',
    );
    assert.deepEqual(causes(d).slice(0, 2), ['rate.throttled', 'quota.exceeded']);
  });

  test('a cross-project call names the project the grant belongs in', () => {
    const d = diagnose(F.vertex403('shared-ml', 'global', 'gemini-2.5-flash'), {
      principal: 'api@team-app.iam.gserviceaccount.com',
    });
    const cross = finding(d, 'iam.cross_project');
    assert.match(cross.summary, /needs a binding in `shared-ml`/);
  });

  test('notes naming the error project as the target turn a mismatch into cross-project', () => {
    const d = diagnose(SEED, {
      project: 'datadog-ese-sandbox',
      runtime: 'cloud-run',
      notes: 'the image model is only enabled in datadog-sandbox, which this service calls on purpose',
    });
    assert.equal(d.findings[0]?.cause, 'iam.cross_project');
    assert.match(d.findings[0]?.summary ?? '', /needs a binding in `datadog-sandbox`/);
    assert.match(finding(d, 'iam.missing_permission').summary, /in project `datadog-sandbox`/);
  });

  test('a default compute account named by the error is named as such', () => {
    const text = `${F.vertex403('acme', 'global', 'gemini-2.5-flash')}\ncaller: 123456789012-compute@developer.gserviceaccount.com`;
    const m = finding(diagnose(text), 'iam.missing_permission');
    const e = m.evidence.find((x) => x.value === '123456789012-compute@developer.gserviceaccount.com');
    assert.match(e?.note ?? '', /Compute Engine default service account of project number 123456789012/);
  });

  test('the App Engine default account is named as such', () => {
    const d = diagnose(F.vertex403('acme', 'global', 'gemini-2.5-flash'), {
      principal: 'acme@appspot.gserviceaccount.com',
    });
    const m = finding(d, 'iam.missing_permission');
    assert.ok(m.evidence.some((e) => /App Engine default service account/.test(e.note ?? '')));
  });
});

describe('unknown and empty input', () => {
  test('text with no recognisable error is unknown with what to collect', () => {
    const d = diagnose('something went wrong, please try again');
    assert.equal(d.findings[0]?.cause, 'unknown');
    assert.ok(d.findings[0]!.nextChecks.length > 0);
  });

  test('empty and non-error input set noError', () => {
    assert.ok(diagnose('').noError);
    assert.ok(diagnose('   \n\t ').noError);
    assert.ok(diagnose('Deployed revision hello-00001 serving 100% of traffic').noError);
    assert.equal(diagnose(SEED).noError, undefined);
  });

  test('a lone 500 is not guessed at', () => {
    const d = diagnose('{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}');
    assert.equal(d.findings[0]?.cause, 'unknown');
  });
});
