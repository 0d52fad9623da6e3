/**
 * Every Terraform file genai-doctor writes (fix plans for each cause, Datadog monitors, Cloud
 * Monitoring alert policies) parses as HCL and is already in `terraform fmt` form, so a team
 * that runs fmt in CI can commit it unchanged. `terraform fmt` is the judge where the binary is
 * on PATH (as on the project's CI machine); hcl2json parses it everywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { buildPlan } from '../../src/core/plan/index.js';
import { renderPlan } from '../../src/core/render/index.js';
import { CAUSE_IDS } from '../../src/core/taxonomy.js';
import { monitorSet } from '../../src/monitors/definitions.js';
import { renderMonitors } from '../../src/monitors/render.js';
import { diagnosisFor, seedDiagnosis } from '../core-plan/fixtures.js';
import { tempDir } from '../support/cli.js';

const SETTINGS = {
  service: 'genai-adk-python',
  env: 'prod',
  resource: 'POST /api/v1/images/generate',
  spanName: 'fastapi.request',
  notify: ['@slack-genai-oncall'],
  errorRate: 0.05,
  throttleCritical: 10,
};

function terraformFiles(): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['plan-seed.tf', renderPlan(buildPlan(seedDiagnosis()), 'terraform')],
  ];
  for (const cause of CAUSE_IDS)
    files.push([`plan-${cause}.tf`, renderPlan(buildPlan(diagnosisFor(cause)), 'terraform')]);
  const set = monitorSet(SETTINGS);
  files.push(['datadog-monitors.tf', renderMonitors(set, 'terraform', SETTINGS.service)]);
  files.push(['gcp-alerts.tf', renderMonitors(set, 'gcp-terraform', SETTINGS.service)]);
  return files;
}

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

test(`every Terraform file parses and is terraform-fmt clean${terraform ? '' : ' (hcl2json only: no terraform here)'}`, async () => {
  const dir = tempDir('tf');
  for (const [name, hcl] of terraformFiles()) {
    await parseHcl(name, hcl);
    writeFileSync(join(dir, name), hcl);
  }
  if (!terraform) return;
  const fmt = spawnSync('terraform', ['fmt', '-check', '-diff', dir], { encoding: 'utf8' });
  assert.equal(fmt.status, 0, `terraform fmt would change:\n${fmt.stdout}`);
});
