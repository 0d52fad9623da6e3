/**
 * Plans and renderers over every labelled case in ../shared/corpus/cases, through the real
 * diagnosis engine: whatever the engine concludes, the plan must render to a script that
 * parses, Terraform that parses and JSON that validates, never propose a primitive or
 * service-agent role, and never grant in a project the diagnosis says is the wrong one.
 * The cases are read from ../shared, never copied into the repo.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value } from '@sinclair/typebox/value';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Context } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { renderPlan, renderReport } from '../../src/core/render/index.js';
import { PlanSchema, ReportSchema } from '../../src/core/render/schema.js';
import { isPrimitive, isServiceAgentRole } from '../../src/core/roles/index.js';

const CASES = new URL('../../../shared/corpus/cases/', import.meta.url).pathname;

test('every corpus case: plan renders cleanly and grants only where it should', async () => {
  if (!existsSync(CASES)) return;
  const dir = mkdtempSync(join(tmpdir(), 'corpus-plans-'));
  const files = readdirSync(CASES).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 40);
  for (const file of files) {
    const c = JSON.parse(readFileSync(join(CASES, file), 'utf8')) as {
      id: string;
      input: { text: string; context?: Context };
    };
    const d = diagnose(c.input.text, c.input.context ?? {});
    const plan = buildPlan(d);
    const report = JSON.parse(renderReport(d, plan, 'json', { color: false }));
    assert.deepEqual(
      [...Value.Errors(ReportSchema, report)].map((e) => `${e.path} ${e.message}`),
      [],
      c.id,
    );
    assert.ok(Value.Check(PlanSchema, JSON.parse(renderPlan(plan, 'json'))), c.id);
    await parseHcl(`${c.id}.tf`, renderPlan(plan, 'terraform'));
    const script = join(dir, `${c.id}.sh`);
    writeFileSync(script, renderPlan(plan, 'gcloud'));
    const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, `${c.id}: ${syntax.stderr}`);
    assert.ok(renderReport(d, plan, 'md', { color: false }).includes('## Monitoring'), c.id);

    const grants = plan.options.flatMap((o) => o.steps).flatMap((s) => (s.kind === 'grant_role' ? [s] : []));
    for (const g of grants) {
      assert.ok(!isPrimitive(g.role) && !isServiceAgentRole(g.role), `${c.id}: ${g.role}`);
    }
    // A project the diagnosis calls a mistake never receives a grant.
    const causes = d.findings.map((f) => f.cause);
    const mismatch = causes.indexOf('project.mismatch');
    const cross = causes.indexOf('iam.cross_project');
    if (
      mismatch >= 0 &&
      (cross < 0 || mismatch < cross) &&
      d.facts.project &&
      d.context.project &&
      d.facts.project !== d.context.project
    ) {
      for (const g of grants)
        assert.notEqual(g.project, d.facts.project, `${c.id}: grant in ${d.facts.project}`);
    }
  }
});
