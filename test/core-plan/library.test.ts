import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { diagnose, explain, loadRoleIndex, plan, ReportSchema, render } from '../../src/index.js';
import { FULL_CATALOG, SEED_403_REST } from './fixtures.js';

const ERROR = SEED_403_REST;

test('the README library example runs end to end on the real engine', async () => {
  const diagnosis = diagnose(ERROR, {
    project: 'datadog-ese-sandbox',
    runtime: 'cloud-run',
    service: 'genai-adk-python',
  });
  const fix = plan(diagnosis);
  const grants = fix.options.flatMap((o) => o.steps).filter((s) => s.kind === 'grant_role');
  assert.ok(grants.length > 0);
  // Whatever the engine ranks first, no option grants in the project the workload does not use.
  for (const g of grants) assert.equal(g.kind === 'grant_role' && g.project, 'datadog-ese-sandbox');
  if (existsSync(FULL_CATALOG)) {
    const full = plan(diagnosis, { roles: await loadRoleIndex(FULL_CATALOG) });
    assert.ok(full.roleDecisions?.some((d) => d.chosen?.role === 'roles/aiplatform.user'));
  }
  assert.match(render.report(diagnosis, fix, 'md'), /^## Security best practices$/m);
  assert.ok(Value.Check(ReportSchema, JSON.parse(render.report(diagnosis, fix, 'json'))));
  assert.match(render.plan(fix, 'gcloud'), /set -euo pipefail/);
  assert.equal(explain('1152')?.code, 1152);
});
