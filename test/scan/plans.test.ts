/**
 * Every finding `scan` reports on org-fleet, will fail and risky alike, carries a plan that the
 * `plan` command's renderers render: a gcloud script that passes `bash -n` and dry-runs, every id
 * in it valid, Terraform that parses and is `terraform fmt` clean (where terraform is on PATH),
 * Console steps, and a JSON document that validates against the published schema. `--fix-plan
 * terraform --output-dir` writes one root module per finding; `-f md` shows each plan.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value as TypeboxValue } from '@sinclair/typebox/value';
import { type IdKind, isValidId } from '../../src/core/ids.js';
import type { Step, Value } from '../../src/core/model.js';
import { planJson, renderPlan } from '../../src/core/render/index.js';
import { PlanSchema, RiskPlanSchema } from '../../src/core/render/schema.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, type Fleet, orgFleet } from '../../src/sandbox/scenarios/fleet.js';
import { runScan, type ScanResult } from '../../src/scan/index.js';
import { runCli, tempDir } from '../support/cli.js';

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

/** The ids a step puts into commands, with the shape each must have (or be a plan variable). */
function stepIds(step: Step): Array<[IdKind, Value]> {
  const out: Array<[IdKind, Value]> = [];
  const add = (kind: IdKind, v: Value | undefined) => {
    if (v !== undefined) out.push([kind, v]);
  };
  if ('project' in step) add('project', step.project);
  if ('member' in step) add('member', step.member);
  if ('role' in step) add('role', step.role);
  if (step.kind === 'switch_workload_service_account') {
    add('email', step.serviceAccount);
    add('runService', step.service);
    add('location', step.region);
  }
  if (step.kind === 'restrict_api_key') {
    add('opaqueId', step.key);
    for (const s of step.apiTargets) add('apiService', s);
  }
  return out;
}

/** A known value embedding `${NAME}` plan refs is checked with a stand-in for them. */
function validValue(kind: IdKind, v: Value): boolean {
  if (typeof v !== 'string') return true;
  return isValidId(kind, v.replace(/\$\{[A-Z_][A-Z0-9_]*\}/g, 'project-var'));
}

describe('scan plans on org-fleet', () => {
  let fleet: Fleet;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let result: ScanResult;
  before(async () => {
    fleet = orgFleet({ projects: 60 });
    sb = await startSandbox({ scenario: fleet.scenario });
    env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
    result = await runScan({ scopes: [`organizations/${FLEET_ORG}`], env });
  });
  after(() => sb.close());

  test('every finding, will fail and risky, has a plan with steps, verification and rollback', () => {
    const risky = result.findings.filter((f) => f.severity === 'risky');
    assert.equal(result.findings.length, fleet.seeded.length);
    assert.deepEqual([...new Set(risky.map((f) => f.class))].sort(), [
      'risk.default_sa_editor',
      'risk.primitive_role',
      'risk.shared_identity',
      'risk.unrestricted_api_key',
    ]);
    for (const f of result.findings) {
      assert.ok(f.plan, `${f.id} has a plan`);
      assert.equal(f.plan.cause, f.class);
      assert.equal(f.plan.code, f.code);
      const recommended = f.plan.options.find((o) => o.recommended);
      assert.ok(recommended && recommended.steps.length > 0, `${f.id}: a recommended option with steps`);
      assert.ok(f.plan.verify.length > 0, `${f.id}: verification`);
      if (f.severity === 'risky') assert.ok(f.plan.rollback.length > 0, `${f.id}: rollback`);
      assert.ok(!('remediation' in f), 'no ad-hoc remediation list');
    }
  });

  test('risk plans: the commands the rules call for, with their undo', () => {
    const plan = (cls: string) => {
      const f = result.findings.find((x) => x.class === cls);
      assert.ok(f);
      return { f, script: renderPlan(f.plan, 'gcloud') };
    };
    const editor = plan('risk.default_sa_editor');
    assert.match(
      editor.script,
      /gcloud projects remove-iam-policy-binding \\?"fleet-\d+\\?" --member=\\?"serviceAccount:\d+-compute@developer\.gserviceaccount\.com\\?" --role=\\?"roles\/editor\\?" --condition=None/,
    );
    assert.ok(
      editor.f.plan.rollback.some((r) => /add-iam-policy-binding .*roles\/editor/.test(r.command ?? '')),
    );
    const key = plan('risk.unrestricted_api_key');
    assert.match(
      key.script,
      /gcloud services api-keys update \\?"[0-9a-f-]+\\?" --project=\\?"fleet-\d+\\?" --location=global --api-target=service=generativelanguage\.googleapis\.com --allowed-referrers=/,
    );
    assert.match(key.script, /--allowed-ips=/, 'the server-IP option too');
    assert.ok(key.f.plan.rollback.some((r) => /--clear-restrictions/.test(r.command ?? '')));
    const shared = plan('risk.shared_identity');
    // The workload the shared account runs (whichever the fleet ranks first) gets an account of its own.
    const service = shared.f.workload?.service ?? '';
    assert.ok(service, 'a shared-identity finding names the workload');
    assert.ok(shared.script.includes(`gcloud iam service-accounts create ${service}-sa`), shared.script);
    assert.match(shared.script, /--role=\\?"roles\/aiplatform\.user\\?"/);
    const primitive = plan('risk.primitive_role');
    const steps = primitive.f.plan.options[0]?.steps.map((s) => s.kind);
    assert.deepEqual(steps, ['grant_role', 'wait_propagation', 'revoke_role'], 'grant first, then remove');
  });

  test('gcloud: every plan passes bash -n, every id valid, and dry-runs', () => {
    const dir = tempDir('scan-plans');
    for (const [i, f] of result.findings.entries()) {
      const script = renderPlan(f.plan, 'gcloud');
      assert.match(script, /^#!\/usr\/bin\/env bash\n/);
      assert.match(script, /\nset -euo pipefail\n/);
      const file = join(dir, `plan-${i}.sh`);
      writeFileSync(file, script);
      const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      assert.equal(syntax.status, 0, `${f.id}: ${syntax.stderr}`);
      for (const o of f.plan.options)
        for (const s of o.steps)
          for (const [kind, v] of stepIds(s))
            assert.ok(validValue(kind, v), `${f.id}: ${kind} ${JSON.stringify(v)}`);
      const dry = spawnSync('bash', [file], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          DRY_RUN: '1',
          WAIT_SECONDS: '0',
          // What a user sets for the values the inventory does not give (a billing account...).
          ...Object.fromEntries(f.plan.variables.map((v) => [v.name, `test-${v.name.toLowerCase()}`])),
          ALLOWED_REFERRERS: 'https://app.example.com/*',
          ALLOWED_IPS: '203.0.113.7',
        },
      });
      assert.equal(dry.status, 0, `${f.id}: ${dry.stderr}`);
      assert.match(dry.stderr, /\+ (gcloud|curl) /);
    }
  });

  test(`terraform: every plan parses${terraform ? ' and is terraform-fmt clean' : ' (hcl2json only: no terraform here)'}`, async () => {
    const dir = tempDir('scan-tf');
    for (const [i, f] of result.findings.entries()) {
      const hcl = renderPlan(f.plan, 'terraform');
      await parseHcl(`plan-${i}.tf`, hcl);
      writeFileSync(join(dir, `plan-${i}.tf`), hcl);
    }
    const key = result.findings.find((f) => f.class === 'risk.unrestricted_api_key');
    assert.ok(key);
    const keyTf = renderPlan(key.plan, 'terraform');
    assert.match(keyTf, /^import \{\n {2}to = google_apikeys_key\./m);
    assert.match(keyTf, /allowed_referrers = split\(",", var\.allowed_referrers\)/);
    const editor = result.findings.find((f) => f.class === 'risk.default_sa_editor');
    assert.match(
      renderPlan(editor?.plan as never, 'terraform'),
      /resource "google_project_iam_member_remove"/,
    );
    if (!terraform) return;
    const fmt = spawnSync('terraform', ['fmt', '-check', '-diff', dir], { encoding: 'utf8' });
    assert.equal(fmt.status, 0, `terraform fmt would change:\n${fmt.stdout}`);
  });

  test('console and JSON: every plan renders, and its JSON validates against the published schema', () => {
    for (const f of result.findings) {
      const steps = renderPlan(f.plan, 'console');
      assert.match(steps, /^Fix for (risk\.\w+ \(risky setup|[a-z_.]+ \(error \d{4}\))/);
      assert.match(steps, /\n1\. /);
      const json = planJson(f.plan);
      const schema = f.severity === 'risky' ? RiskPlanSchema : PlanSchema;
      const errors = [...TypeboxValue.Errors(schema, JSON.parse(JSON.stringify(json)))].map(
        (e) => `${e.path}: ${e.message}`,
      );
      assert.deepEqual(errors, [], f.id);
    }
  });

  test('--fix-plan terraform --output-dir: one root module per finding, each fmt-clean', async () => {
    const dir = tempDir('scan-fix-tf');
    const r = await runCli(
      ['scan', '--organization', FLEET_ORG, '--fix-plan', 'terraform', '--output-dir', dir],
      { env },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`Wrote ${fleet.seeded.length} Terraform plans under `));
    const modules = readdirSync(dir).sort();
    assert.equal(modules.length, fleet.seeded.length);
    assert.ok(modules.some((m) => /^\d{3}-risk-unrestricted-api-key-/.test(m)));
    for (const m of modules) await parseHcl(`${m}/main.tf`, readFileSync(join(dir, m, 'main.tf'), 'utf8'));
    if (!terraform) return;
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', dir], { encoding: 'utf8' });
    assert.equal(fmt.status, 0, fmt.stdout);
  });

  test('--fix-plan console and md, and -f md: a plan per finding', async () => {
    const consoleOut = await runCli(['scan', '--organization', FLEET_ORG, '--fix-plan', 'console'], { env });
    assert.equal((consoleOut.stdout.match(/^==== \d+\. /gm) ?? []).length, fleet.seeded.length);
    const md = await runCli(['scan', '--organization', FLEET_ORG, '-f', 'md'], { env });
    // Each finding's plan under its heading: `plan -f md`'s headings, three levels down.
    assert.equal((md.stdout.match(/^#### Fix plan: /gm) ?? []).length, fleet.seeded.length);
    assert.match(md.stdout, /^#### Fix plan: risk\.primitive_role \(risky setup/m);
    assert.match(md.stdout, /^###### Option 1: Grant roles\/aiplatform\.user, then remove roles\/editor/m);
  });
});
