import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value } from '@sinclair/typebox/value';
import type { Diagnosis } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { PLAN_TARGETS, RUNBOOK_SECTIONS, renderPlan, renderReport } from '../../src/core/render/index.js';
import { PlanSchema, ReportSchema } from '../../src/core/render/schema.js';
import { CAUSE_IDS } from '../../src/core/taxonomy.js';
import { diagnosisFor, finding, seedDiagnosis } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'genai-doctor-render-'));

function bashSyntax(script: string): { status: number | null; stderr: string } {
  const file = join(tmp, `s${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Walks parsed HCL JSON (hcl2json output) by keys; blocks are arrays, so numbers index them. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  let v = value;
  for (const k of path) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

function schemaErrors(schema: Parameters<typeof Value.Errors>[0], value: unknown): string[] {
  return [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);
}

const ALL: Array<[string, Diagnosis]> = [
  ['seed', seedDiagnosis()],
  ...CAUSE_IDS.map((c): [string, Diagnosis] => [c, diagnosisFor(c)]),
  ['no-context', diagnosisFor('iam.missing_permission', { context: {} })],
];

describe('gcloud script', () => {
  test('passes bash -n for every cause', () => {
    for (const [name, d] of ALL) {
      const script = renderPlan(buildPlan(d), 'gcloud');
      assert.match(script, /^#!\/usr\/bin\/env bash\n/);
      assert.match(script, /\nset -euo pipefail\n/);
      const r = bashSyntax(script);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }
  });

  test('runs against a stand-in gcloud: discovers the account and grants in the intended project', () => {
    const bin = mkdtempSync(join(tmpdir(), 'fake-gcloud-'));
    const log = join(bin, 'calls.log');
    // Answers what the real gcloud prints for these --format value(...) queries.
    writeFileSync(
      join(bin, 'gcloud'),
      `#!/usr/bin/env bash
echo "gcloud $*" >> "${log}"
case "$*" in
  "run services list"*) echo us-central1 ;;
  "run services describe"*"serviceAccountName"*) echo "" ;;
  "projects describe"*) echo 123456789 ;;
  "auth print-access-token"*) echo token ;;
  "iam roles describe"*|"iam service-accounts describe"*) exit 1 ;;
esac
exit 0
`,
    );
    writeFileSync(
      join(bin, 'curl'),
      `#!/usr/bin/env bash\necho "curl $*" >> "${log}"\necho '{"totalTokens":1}'\n`,
    );
    chmodSync(join(bin, 'gcloud'), 0o755);
    chmodSync(join(bin, 'curl'), 0o755);
    const script = join(bin, 'fix.sh');
    writeFileSync(script, renderPlan(buildPlan(seedDiagnosis()), 'gcloud'));
    const r = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, WAIT_SECONDS: '0', HOME: bin },
    });
    assert.equal(r.status, 0, r.stderr);
    const calls = readFileSync(log, 'utf8');
    assert.match(
      calls,
      /gcloud run services update genai-adk-python --region=us-central1 --project=datadog-ese-sandbox --update-env-vars=GOOGLE_CLOUD_PROJECT=datadog-ese-sandbox/,
    );
    assert.match(
      calls,
      /gcloud projects add-iam-policy-binding datadog-ese-sandbox --member=serviceAccount:123456789-compute@developer\.gserviceaccount\.com --role=roles\/aiplatform\.user --condition=None/,
    );
    assert.doesNotMatch(calls, /add-iam-policy-binding datadog-sandbox/);
    assert.match(
      calls,
      /curl .*aiplatform\.googleapis\.com\/v1\/projects\/datadog-ese-sandbox\/locations\/global\/publishers\/google\/models\/gemini-3-pro-image-preview:countTokens/,
    );

    // The custom-role option creates exactly the missing permission, then binds it.
    writeFileSync(log, '');
    const r2 = spawnSync('bash', [script, 'custom-role'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, WAIT_SECONDS: '0', HOME: bin },
    });
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(
      readFileSync(log, 'utf8'),
      /gcloud iam roles create genaiDoctorGeminiCaller --project=datadog-ese-sandbox .*--permissions=aiplatform\.endpoints\.predict --stage=GA/,
    );
  });

  test('DRY_RUN=1 calls no gcloud, discovery included; a failed discovery exits 2 with the set X message', () => {
    const bin = mkdtempSync(join(tmp, 'discover-'));
    const log = join(bin, 'calls.log');
    writeFileSync(log, '');
    // gcloud with no active account: what a fresh machine answers to every call.
    writeFileSync(
      join(bin, 'gcloud'),
      `#!/usr/bin/env bash\necho "gcloud $*" >> "${log}"\necho 'ERROR: (gcloud.run.services.list) You do not currently have an active account selected.' >&2\nexit 1\n`,
    );
    chmodSync(join(bin, 'gcloud'), 0o755);
    const script = join(bin, 'fix.sh');
    const d = seedDiagnosis();
    writeFileSync(
      script,
      renderPlan(buildPlan({ ...d, context: { ...d.context, region: undefined } }), 'gcloud'),
    );
    const env = { PATH: `${bin}:${process.env.PATH}`, WAIT_SECONDS: '0', HOME: bin };
    const dry = spawnSync('bash', [script], { encoding: 'utf8', env: { ...env, DRY_RUN: '1' } });
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(readFileSync(log, 'utf8'), '', 'a dry run calls no gcloud');
    assert.match(dry.stderr, /\+ REGION=\$\(gcloud run services list/);
    const real = spawnSync('bash', [script], { encoding: 'utf8', env });
    assert.equal(real.status, 2, real.stderr);
    assert.match(real.stderr, /genai-doctor: set REGION: Region of the Cloud Run service/);
  });

  test('an unknown value with no discover command stops the script with a clear message (exit 2)', () => {
    const d = diagnosisFor('iam.missing_permission', { context: { project: 'p1' } });
    const file = join(tmp, 'needs-member.sh');
    writeFileSync(file, renderPlan(buildPlan(d), 'gcloud'));
    const r = spawnSync('bash', [file], { encoding: 'utf8', env: { PATH: process.env.PATH, DRY_RUN: '1' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /set MEMBER: IAM member of the identity that calls Gemini/);
    const ok = spawnSync('bash', [file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, DRY_RUN: '1', MEMBER: 'serviceAccount:a@p1.iam.gserviceaccount.com' },
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /\+ gcloud projects add-iam-policy-binding "datadog-sandbox" --member="\$\{MEMBER\}"/,
    );
  });
});

describe('terraform', () => {
  test('parses with hcl2json for every cause; the seed grants in the intended project', async () => {
    for (const [name, d] of ALL) {
      const hcl = renderPlan(buildPlan(d), 'terraform');
      const json = await parseHcl(`${name}.tf`, hcl);
      assert.ok(at(json, 'terraform'), name);
      if (name === 'seed') {
        const grant = at(json, 'resource', 'google_project_iam_member', 'grant_aiplatform_user', 0);
        assert.equal(at(grant, 'project'), 'datadog-ese-sandbox');
        assert.equal(at(grant, 'role'), 'roles/aiplatform.user');
        assert.equal(at(grant, 'member'), `\${var.member}`);
        assert.ok(at(json, 'variable', 'member'));
      }
    }
  });

  test('the custom-role and dedicated-account options reference their own resources', async () => {
    const plan = buildPlan(seedDiagnosis());
    const custom = await parseHcl('c.tf', renderPlan(plan, 'terraform', { option: 'custom-role' }));
    const role = at(custom, 'resource', 'google_project_iam_custom_role', 'genaidoctorgeminicaller', 0);
    assert.deepEqual(at(role, 'permissions'), ['aiplatform.endpoints.predict']);
    const binding = Object.values(at(custom, 'resource', 'google_project_iam_member') as object)[0];
    assert.equal(at(binding, 0, 'role'), `\${google_project_iam_custom_role.genaidoctorgeminicaller.name}`);
    const sa = await parseHcl('s.tf', renderPlan(plan, 'terraform', { option: 'dedicated-service-account' }));
    assert.equal(
      at(sa, 'resource', 'google_service_account', 'genai_adk_python_sa', 0, 'account_id'),
      'genai-adk-python-sa',
    );
    const saBinding = Object.values(at(sa, 'resource', 'google_project_iam_member') as object)[0];
    assert.equal(
      at(saBinding, 0, 'member'),
      `serviceAccount:\${google_service_account.genai_adk_python_sa.email}`,
    );
  });
});

describe('JSON output', () => {
  test('report and plan JSON validate against the documented schema for every cause', () => {
    for (const [name, d] of ALL) {
      const plan = buildPlan(d);
      const report = JSON.parse(renderReport(d, plan, 'json', { color: false }));
      assert.deepEqual(schemaErrors(ReportSchema, report), [], name);
      assert.deepEqual(schemaErrors(PlanSchema, JSON.parse(renderPlan(plan, 'json'))), [], name);
    }
    const noPlan = JSON.parse(renderReport(seedDiagnosis(), undefined, 'json', { color: false }));
    assert.deepEqual(schemaErrors(ReportSchema, noPlan), []);
  });

  test('carries the documented fields; the grant step has role, project and member', () => {
    const d = seedDiagnosis();
    const report = JSON.parse(renderReport(d, buildPlan(d), 'json', { color: false }));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.findings[0].cause, 'project.mismatch');
    assert.equal(report.findings[0].code, 1150);
    assert.equal(typeof report.findings[0].confidence, 'number');
    for (const k of ['http', 'status', 'reason', 'permission', 'project', 'location', 'model', 'service']) {
      assert.ok(report.facts[k] !== undefined, k);
    }
    const grant = report.plan.steps.find((s: { kind: string }) => s.kind === 'grant_role');
    assert.equal(grant.role, 'roles/aiplatform.user');
    assert.equal(grant.project, 'datadog-ese-sandbox');
    assert.deepEqual(grant.member, { var: 'MEMBER' });
  });
});

describe('Markdown runbook and text', () => {
  test('the runbook has every seed section, filled from the evidence', () => {
    const d = seedDiagnosis();
    const md = renderReport(d, buildPlan(d), 'md', { color: false });
    for (const s of RUNBOOK_SECTIONS) assert.match(md, new RegExp(`^## ${s}$`, 'm'), s);
    assert.match(md, /service:genai-adk-python status:error "IAM_PERMISSION_DENIED"/);
    assert.match(md, /resource\.labels\.service_name="genai-adk-python"/);
    assert.match(md, /make sure the client uses `datadog-ese-sandbox`, not `datadog-sandbox`/);
    assert.match(md, /served at `location="global"`/);
    assert.match(md, /service-agent roles \(`roles\/aiplatform\.rapidevalServiceAgent`/);
    assert.match(md, /non-GA roles \(`roles\/aiplatform\.expressUser`/);
  });

  test('every cause renders md, text, console without throwing, and text colour follows the option', () => {
    for (const [name, d] of ALL) {
      const plan = buildPlan(d);
      assert.ok(renderReport(d, plan, 'md', { color: false }).length > 200, name);
      for (const t of PLAN_TARGETS) assert.ok(renderPlan(plan, t).length > 50, `${name} ${t}`);
      assert.doesNotMatch(renderReport(d, plan, 'text', { color: false }), /\x1b\[/);
    }
    assert.match(renderReport(seedDiagnosis(), undefined, 'text', { color: true }), /\x1b\[/);
  });
});

describe('secrets', () => {
  test('an API key or token in the evidence never reaches any output', () => {
    const key = `AIza${'SyD3xAmpLeKeY0123456789abcdefghij'.slice(0, 35)}`;
    const token = `ya29.${'a0AfB_byExampleToken1234567890'}`;
    const base = seedDiagnosis();
    const facts = {
      ...base.facts,
      message: `API key ${key} not valid; Authorization: Bearer ${token}`,
      url: `https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`,
      errors: [],
    };
    const d: Diagnosis = {
      ...base,
      facts,
      findings: [
        finding('auth.api_key_invalid', 0.9, { evidence: [{ fact: 'message', value: facts.message }] }),
      ],
      context: { ...base.context, notes: `key ${key}` },
    };
    const plan = buildPlan(d);
    const outputs = [
      ...(['text', 'md', 'json'] as const).map((f) => renderReport(d, plan, f, { color: false })),
      ...PLAN_TARGETS.map((t) => renderPlan(plan, t)),
    ];
    for (const out of outputs) {
      assert.ok(!out.includes(key), 'API key leaked');
      assert.ok(!out.includes(token), 'token leaked');
    }
  });
});

describe('published JSON Schema files', () => {
  test('docs/schema/*.schema.json match the schema the code validates with', () => {
    const read = (name: string) =>
      JSON.parse(readFileSync(new URL(`../../docs/schema/${name}`, import.meta.url), 'utf8'));
    // Regenerate after a schema change: see docs/json-schema.md ("Machine-readable schema").
    assert.deepEqual(read('report-v1.schema.json'), JSON.parse(JSON.stringify(ReportSchema)));
    assert.deepEqual(read('plan-v1.schema.json'), JSON.parse(JSON.stringify(PlanSchema)));
  });
});
