/**
 * Plans put values from pasted error text into shell and HCL. Property: whatever those values
 * are, the script parses, Terraform parses, JSON validates, and no value runs as a command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import type { Diagnosis, Runtime } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { renderPlan } from '../../src/core/render/index.js';
import { PlanSchema } from '../../src/core/render/schema.js';
import { CAUSE_IDS } from '../../src/core/taxonomy.js';
import { finding, seedDiagnosis } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
const marker = join(dir, 'pwned');
// Stand-ins for gcloud and curl, so the script really runs every command it generates.
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const tool of ['gcloud', 'curl']) {
  writeFileSync(join(bin, tool), '#!/usr/bin/env bash\necho ok\n');
  chmodSync(join(bin, tool), 0o755);
}
const PAYLOADS = [
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `x"; touch ${marker}; echo "`,
  `x'; touch ${marker}; echo '`,
  `a\ntouch ${marker}\n`,
  `--impersonate-service-account=evil@x.iam.gserviceaccount.com`,
  `\${HOME}`,
  '%{ if true }x%{ endif }',
];
const value = fc.oneof(
  fc.constantFrom(...PAYLOADS),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('datadog-sandbox', 'my-proj-123', '123456789', 'gemini-2.5-flash', 'us-central1', 'global'),
);
const RUNTIMES: Runtime[] = ['cloud-run', 'gke', 'gce', 'local', 'other'];

function hostileDiagnosis(v: {
  cause: (typeof CAUSE_IDS)[number];
  runtime: Runtime;
  project: string;
  ctxProject: string;
  permission: string;
  principal: string;
  model: string;
  location: string;
  service: string;
  workload: string;
}): Diagnosis {
  const base = seedDiagnosis();
  const facts = {
    ...base.facts,
    project: v.project,
    permission: v.permission,
    principal: v.principal,
    model: v.model,
    location: v.location,
    service: v.service,
    constraint: v.permission,
    quota: { metric: v.model },
    vpcScId: v.location,
  };
  return {
    ...base,
    facts: { ...facts, errors: [{ ...facts }] },
    context: { project: v.ctxProject, runtime: v.runtime, service: v.workload, principal: v.principal },
    findings: [finding(v.cause, 0.9), finding('project.mismatch', 0.5)],
  };
}

test('hostile values never break or escape the generated script, HCL or JSON', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        cause: fc.constantFrom(...CAUSE_IDS),
        runtime: fc.constantFrom(...RUNTIMES),
        project: value,
        ctxProject: value,
        permission: value,
        principal: value,
        model: value,
        location: value,
        service: value,
        workload: value,
      }),
      async (v) => {
        const plan = buildPlan(hostileDiagnosis(v));
        assert.ok(Value.Check(PlanSchema, JSON.parse(renderPlan(plan, 'json'))));
        await parseHcl('main.tf', renderPlan(plan, 'terraform'));
        const script = join(dir, 'fix.sh');
        writeFileSync(script, renderPlan(plan, 'gcloud'));
        assert.equal(spawnSync('bash', ['-n', script]).status, 0);
        // Every variable set, every option run against the stand-ins: nothing from the evidence
        // may execute.
        const env: Record<string, string> = {
          PATH: `${bin}:${process.env.PATH}`,
          WAIT_SECONDS: '0',
          HOME: dir,
        };
        for (const u of plan.variables) env[u.name] = 'placeholder-value';
        for (const option of plan.options) spawnSync('bash', [script, option.id], { env, encoding: 'utf8' });
        assert.ok(!existsSync(marker), `a value ran as a command: ${JSON.stringify(v)}`);
      },
    ),
    { numRuns: 60, seed: 20260102 },
  );
});
