import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value } from '@sinclair/typebox/value';
import { PlanSchema } from '../../src/core/render/schema.js';
import { runCliSync, tempDir } from '../support/cli.js';
import { FULL_CATALOG, SEED_403_REST } from './fixtures.js';

const dir = tempDir('plan-cli');
const ERROR = SEED_403_REST;
const errorFile = join(dir, 'error.json');
writeFileSync(errorFile, ERROR);
const CONTEXT = [
  '--project',
  'datadog-ese-sandbox',
  '--runtime',
  'cloud-run',
  '--service',
  'genai-adk-python',
];

function cli(args: string[], input?: string) {
  const r = runCliSync(['plan', ...args], input === undefined ? {} : { input });
  return { ...r, status: r.code };
}

describe('genai-doctor plan (child process)', () => {
  test('gcloud script from stdin: runnable syntax, grants in the intended project', () => {
    const r = cli(['-', ...CONTEXT], ERROR);
    assert.equal(r.status, 0, r.stderr);
    const script = join(dir, 'fix.sh');
    writeFileSync(script, r.stdout);
    assert.equal(spawnSync('bash', ['-n', script]).status, 0);
    assert.match(
      r.stdout,
      /add-iam-policy-binding "datadog-ese-sandbox" --member="\$\{MEMBER\}" --role="roles\/aiplatform\.user"/,
    );
    assert.doesNotMatch(r.stdout, /add-iam-policy-binding "datadog-sandbox"/);
  });

  test('terraform parses; --option picks another option', async () => {
    const r = cli([errorFile, ...CONTEXT, '--format', 'terraform', '--option', 'custom-role']);
    assert.equal(r.status, 0, r.stderr);
    const hcl = (await parseHcl('main.tf', r.stdout)) as { resource?: Record<string, unknown> };
    assert.ok(hcl.resource?.google_project_iam_custom_role);
  });

  test('--roles with the full catalog: JSON plan with roles/aiplatform.user, valid against the schema', () => {
    if (!existsSync(FULL_CATALOG)) return;
    const r = cli([errorFile, ...CONTEXT, '--format', 'json', '--roles', FULL_CATALOG]);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.deepEqual(
      [...Value.Errors(PlanSchema, plan)].map((e) => e.message),
      [],
    );
    assert.equal(plan.roleDecisions[0].chosen.role, 'roles/aiplatform.user');
    assert.ok(plan.roleDecisions[0].catalogSize > 2000);
  });

  test('bad input: one clear line and exit 2', () => {
    const cases: Array<[string[], RegExp, string?]> = [
      [[errorFile, '--format', 'yaml'], /unknown --format 'yaml'/],
      [[errorFile, '--option', 'nope'], /unknown --option 'nope'/],
      [[errorFile, '--roles', join(dir, 'missing.json')], /cannot load --roles/],
      [['-'], /empty/, '  \n'],
    ];
    for (const [args, message, input] of cases) {
      const r = cli(args, input);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
