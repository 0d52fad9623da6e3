import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Plan, Step } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { isPrimitive, isServiceAgentRole } from '../../src/core/roles/index.js';
import { CAUSE_IDS } from '../../src/core/taxonomy.js';
import { diagnosisFor, finding, seedDiagnosis } from './fixtures.js';

function steps(plan: Plan, kind?: Step['kind']): Step[] {
  return plan.options.flatMap((o) => o.steps).filter((s) => !kind || s.kind === kind);
}
function grants(plan: Plan) {
  return steps(plan, 'grant_role') as Extract<Step, { kind: 'grant_role' }>[];
}
function recommended(plan: Plan) {
  const r = plan.options.filter((o) => o.recommended);
  assert.equal(r.length, 1, 'exactly one recommended option');
  return r[0]!;
}

describe('seed incident: request to datadog-sandbox from a service in datadog-ese-sandbox', () => {
  const plan = buildPlan(seedDiagnosis());

  test('grants only in the intended project and fixes the config first', () => {
    assert.equal(plan.cause, 'project.mismatch');
    assert.ok(grants(plan).length >= 3);
    for (const g of grants(plan)) assert.equal(g.project, 'datadog-ese-sandbox');
    assert.ok(!JSON.stringify(plan.options).includes('"project":"datadog-sandbox"'));
    const rec = recommended(plan);
    assert.equal(rec.steps[0]?.kind, 'set_config');
    const set = rec.steps[0] as Extract<Step, { kind: 'set_config' }>;
    assert.equal(set.key, 'GOOGLE_CLOUD_PROJECT');
    assert.equal(set.value, 'datadog-ese-sandbox');
    assert.match(
      set.command ?? '',
      /gcloud run services update genai-adk-python .*--update-env-vars=GOOGLE_CLOUD_PROJECT=datadog-ese-sandbox/,
    );
    // One-line summaries (`logs`, the console) show the title: it must not read as a grant alone.
    for (const o of plan.options) assert.match(o.title, /^Point the client at datadog-ese-sandbox, then: /);
  });

  test('recommends roles/aiplatform.user, offers the exact custom role and a dedicated service account', () => {
    const rec = recommended(plan);
    assert.equal(rec.id, 'grant-predefined-role');
    assert.ok(rec.steps.some((s) => s.kind === 'grant_role' && s.role === 'roles/aiplatform.user'));
    const custom = steps(plan, 'create_custom_role')[0] as Extract<Step, { kind: 'create_custom_role' }>;
    assert.deepEqual(custom.permissions, ['aiplatform.endpoints.predict']);
    assert.ok(grants(plan).some((g) => g.role === `projects/datadog-ese-sandbox/roles/${custom.roleId}`));
    const sa = plan.options.find((o) => o.id === 'dedicated-service-account');
    assert.ok(
      sa?.steps.some((s) => s.kind === 'switch_workload_service_account' && s.service === 'genai-adk-python'),
    );
    assert.equal(plan.roleDecisions?.[0]?.chosen?.role, 'roles/aiplatform.user');
  });

  test('a region the context knows (the live check reads it) is used, not asked for', () => {
    const base = seedDiagnosis();
    const known = buildPlan(seedDiagnosis({ context: { ...base.context, region: 'us-central1' } }));
    const names = known.variables.map((v) => v.name);
    assert.deepEqual(names, ['SERVICE_ACCOUNT', 'MEMBER']);
    const sa = known.variables.find((v) => v.name === 'SERVICE_ACCOUNT')!;
    assert.match(sa.discover!, /--region us-central1 /);
    const sw = steps(known, 'switch_workload_service_account')[0];
    assert.equal(sw && 'region' in sw ? sw.region : undefined, 'us-central1');
  });

  test('the unknown service account is a named variable with a discover command, never a guess', () => {
    const g = recommended(plan).steps.find((s) => s.kind === 'grant_role') as Extract<
      Step,
      { kind: 'grant_role' }
    >;
    assert.deepEqual(g.member, { var: 'MEMBER' });
    const names = plan.variables.map((v) => v.name);
    assert.deepEqual(names, ['REGION', 'SERVICE_ACCOUNT', 'MEMBER']);
    const sa = plan.variables.find((v) => v.name === 'SERVICE_ACCOUNT')!;
    assert.match(
      sa.discover!,
      /gcloud run services describe genai-adk-python .*spec\.template\.spec\.serviceAccountName/,
    );
    assert.match(
      sa.discover!,
      /-compute@developer\.gserviceaccount\.com/,
      'falls back to the default compute account',
    );
  });

  test('verify and rollback are filled in', () => {
    assert.ok(plan.verify.some((v) => /get-iam-policy datadog-ese-sandbox/.test(v.command ?? '')));
    assert.ok(
      plan.verify.some(
        (v) => /:countTokens/.test(v.command ?? '') && /locations\/global/.test(v.command ?? ''),
      ),
    );
    assert.ok(
      plan.rollback.some((r) =>
        /remove-iam-policy-binding datadog-ese-sandbox .*roles\/aiplatform\.user/.test(r.command ?? ''),
      ),
    );
  });

  test('every option carries its own rollback, last step undone first', () => {
    const undo = (id: string) =>
      (plan.options.find((o) => o.id === id)?.rollback ?? []).map((r) => r.command ?? r.description);
    const index = (list: string[], re: RegExp) => list.findIndex((c) => re.test(c));
    assert.deepEqual(plan.options.find((o) => o.recommended)?.rollback, plan.rollback);

    const custom = undo('custom-role');
    assert.ok(index(custom, /remove-iam-policy-binding/) >= 0, custom.join('\n'));
    assert.ok(
      index(custom, /remove-iam-policy-binding/) <
        index(custom, /gcloud iam roles delete genaiDoctorGeminiCaller/),
      'the binding goes before the role it names',
    );

    const dedicated = undo('dedicated-service-account');
    const traffic = index(dedicated, /update-traffic/);
    assert.ok(traffic >= 0, dedicated.join('\n'));
    assert.ok(
      traffic < index(dedicated, /service-accounts delete \S+-sa@/),
      'traffic goes back to the old identity before the new account is deleted',
    );
    assert.match(dedicated.at(-1) ?? '', /Restore the previous value of GOOGLE_CLOUD_PROJECT/);
  });
});

describe('plans per cause', () => {
  test('every cause gets a plan: one recommended option, no primitive or service-agent role for a workload', () => {
    for (const cause of CAUSE_IDS) {
      const plan = buildPlan(diagnosisFor(cause));
      assert.equal(plan.cause, cause);
      assert.ok(plan.options.length >= 1, cause);
      recommended(plan);
      assert.ok(plan.summary.length > 10, cause);
      for (const g of grants(plan)) {
        assert.ok(!isPrimitive(g.role), `${cause}: ${g.role}`);
        assert.ok(!isServiceAgentRole(g.role), `${cause}: ${g.role}`);
      }
      // Every variable a step refers to is declared.
      const declared = new Set(plan.variables.map((v) => v.name));
      for (const m of JSON.stringify(plan.options).matchAll(/\{"var":"([A-Z_]+)"\}|\$\{([A-Z_]+)/g)) {
        assert.ok(declared.has(m[1] ?? m[2]!), `${cause}: ${m[1] ?? m[2]} undeclared`);
      }
    }
  });

  test('cross-project: grants in the resource project, where the call really goes', () => {
    const plan = buildPlan(
      seedDiagnosis({ findings: [finding('iam.cross_project', 0.8), finding('project.mismatch', 0.3)] }),
    );
    for (const g of grants(plan)) assert.equal(g.project, 'datadog-sandbox');
    assert.ok(plan.options.some((o) => o.id === 'call-own-project'));
  });

  test('missing permission with a known default compute principal: dedicated service account recommended', () => {
    const d = diagnosisFor('iam.missing_permission', {
      context: {
        project: 'datadog-sandbox',
        runtime: 'cloud-run',
        service: 'genai-adk-python',
        principal: '123456789-compute@developer.gserviceaccount.com',
      },
    });
    const plan = buildPlan(d);
    assert.equal(recommended(plan).id, 'dedicated-service-account');
    assert.ok(
      grants(plan).some((g) => g.member === 'serviceAccount:123456789-compute@developer.gserviceaccount.com'),
    );
    assert.ok(!plan.variables.some((v) => v.name === 'MEMBER'), 'a known principal is not a variable');
  });

  test('GCE and GKE workloads get a dedicated-account option for their runtime', () => {
    const principal = '123456789-compute@developer.gserviceaccount.com';
    const gce = buildPlan(
      diagnosisFor('iam.missing_permission', { context: { project: 'p-gce-1', runtime: 'gce', principal } }),
    );
    assert.equal(recommended(gce).id, 'dedicated-service-account');
    const vm = recommended(gce).steps.find((s) => s.kind === 'manual') as Extract<Step, { kind: 'manual' }>;
    assert.match(
      vm.command ?? '',
      /gcloud compute instances set-service-account "\$\{INSTANCE\}" .*--scopes=cloud-platform/,
    );
    const gke = buildPlan(
      diagnosisFor('iam.missing_permission', { context: { project: 'p-gke-1', runtime: 'gke' } }),
    );
    const wi = gke.options
      .find((o) => o.id === 'dedicated-service-account')
      ?.steps.find((s) => s.kind === 'manual');
    assert.match(
      (wi as Extract<Step, { kind: 'manual' }>).command ?? '',
      /roles\/iam\.workloadIdentityUser .*svc\.id\.goog\[/,
    );
    assert.ok(gke.variables.some((v) => v.name === 'K8S_NAMESPACE'));
  });

  test('a permission no role grants: custom role only, recommended', () => {
    const base = seedDiagnosis();
    const facts = { ...base.facts, permission: 'aiplatform.madeUp.permission', errors: [] };
    const plan = buildPlan({
      ...base,
      facts,
      findings: [finding('iam.missing_permission', 0.9)],
      context: { project: 'p1' },
    });
    assert.equal(recommended(plan).id, 'custom-role');
    assert.ok(!plan.options.some((o) => o.id === 'grant-predefined-role'));
    assert.ok(plan.notes.some((n) => /only a custom role/.test(n)));
  });

  test('api.disabled enables the API on the consumer project named by number', () => {
    const base = seedDiagnosis();
    const facts = {
      ...base.facts,
      project: '1234567890',
      projectIsNumber: true,
      reason: 'SERVICE_DISABLED',
      errors: [],
    };
    const plan = buildPlan({ ...base, facts, findings: [finding('api.disabled', 0.95)], context: {} });
    const enable = steps(plan, 'enable_api')[0] as Extract<Step, { kind: 'enable_api' }>;
    assert.equal(enable.project, '1234567890');
    assert.equal(enable.service, 'aiplatform.googleapis.com');
  });

  test('model.location_unsupported suggests global for a Gemini 3 model (models table)', () => {
    const base = seedDiagnosis();
    const facts = { ...base.facts, location: 'us-central1', errors: [] };
    const plan = buildPlan({ ...base, facts, findings: [finding('model.location_unsupported', 0.9)] });
    const set = steps(plan, 'set_config').find(
      (s) => s.kind === 'set_config' && s.key === 'GOOGLE_CLOUD_LOCATION',
    );
    assert.equal((set as Extract<Step, { kind: 'set_config' }>).value, 'global');
  });

  test('model.not_found on a retired model suggests its replacement', () => {
    const base = seedDiagnosis();
    const facts = { ...base.facts, model: 'gemini-1.5-pro-002', location: 'us-central1', errors: [] };
    const plan = buildPlan({ ...base, facts, findings: [finding('model.not_found', 0.9)], context: {} });
    const set = steps(plan, 'set_config').find(
      (s) => s.kind === 'set_config' && s.key === 'model',
    ) as Extract<Step, { kind: 'set_config' }>;
    assert.equal(set.value, 'gemini-2.5-pro');
  });

  test('no project anywhere: PROJECT_ID variable, never a made-up id', () => {
    const base = seedDiagnosis();
    const { project: _p, ...rest } = base.facts;
    const plan = buildPlan({
      ...base,
      facts: { ...rest, errors: [] },
      context: {},
      findings: [finding('iam.missing_permission', 0.9)],
    });
    for (const g of grants(plan)) assert.deepEqual(g.project, { var: 'PROJECT_ID' });
    assert.ok(plan.variables.some((v) => v.name === 'PROJECT_ID'));
  });
});
