/**
 * `genai-doctor scan` as a user runs it, on a 40-project org-fleet: the report formats, the fix
 * script, exit codes, and clear usage errors (exit 2, one line, no stack).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, type Fleet, orgFleet } from '../../src/sandbox/scenarios/fleet.js';
import { runCli } from '../support/cli.js';

describe('genai-doctor scan (CLI)', () => {
  let fleet: Fleet;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    fleet = orgFleet({ projects: 40 });
    sb = await startSandbox({ scenario: fleet.scenario, operationDelayMs: 50 });
    env = { ...sb.env, HOME: mkdtempSync(join(tmpdir(), 'scan-home-')) };
  });
  after(() => sb.close());

  test('text: ranked findings with how each workload was recognised; exit 1 when something will fail', async () => {
    const r = await runCli(['scan', '--organization', FLEET_ORG], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^Scanned organizations\/433637338589: 42 projects, \d+ workloads \(41 call Gemini\)/,
    );
    assert.match(r.stdout, /WILL FAIL \(5\)/);
    assert.match(
      r.stdout,
      /\[1150 project\.mismatch\] genai-adk-python \(datadog-ese-sandbox -> datadog-sandbox\)/,
    );
    assert.match(
      r.stdout,
      /recognised by: env GOOGLE_GENAI_USE_VERTEXAI=True; env GOOGLE_CLOUD_PROJECT=datadog-sandbox; identity 482019374651-compute@developer\.gserviceaccount\.com \(the default compute account/,
    );
    assert.ok(r.stdout.indexOf('WILL FAIL') < r.stdout.indexOf('RISKY'));
  });

  test('md: one section per project owner', async () => {
    const r = await runCli(['scan', '--organization', FLEET_ORG, '-f', 'md'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^# genai-doctor scan/);
    assert.match(r.stdout, /\| Owner \| Will fail \| Risky \|/);
    assert.match(r.stdout, /^## ese-lead@example\.com$/m);
    assert.match(r.stdout, /^## team-\d$/m);
    assert.match(r.stdout, /\*\*Recognised by:\*\*/);
  });

  test('csv and json carry the same findings', async () => {
    const csv = await runCli(['scan', '--organization', FLEET_ORG, '--format', 'csv'], { env });
    const json = await runCli(['scan', '--organization', FLEET_ORG, '--format', 'json'], { env });
    const lines = csv.stdout.trim().split('\n');
    assert.equal(
      lines[0],
      'rank,severity,class,code,project,owner,subject,identity,target_project,confidence,summary,recognised_by,fix',
    );
    const parsed = JSON.parse(json.stdout) as {
      findings: Array<{ id: string; class: string; plan?: { cause: string } }>;
    };
    assert.equal(lines.length - 1, parsed.findings.length);
    assert.equal(parsed.findings.length, fleet.seeded.length);
    for (const f of parsed.findings.filter((x) => x.plan)) assert.equal(f.plan?.cause, f.class);
  });

  test('--fix-plan: one script, the plan renderer per finding, nothing runs unless asked', async () => {
    const r = await runCli(['scan', '--organization', FLEET_ORG, '--fix-plan'], { env });
    const file = join(mkdtempSync(join(tmpdir(), 'scan-fix-')), 'fixes.sh');
    writeFileSync(file, r.stdout);
    assert.equal(spawnSync('bash', ['-n', file]).status, 0, 'valid bash');
    const list = spawnSync('bash', [file], { encoding: 'utf8' });
    // One plan per finding, will fail and risky alike.
    assert.equal(list.stdout.trim().split('\n').length, fleet.seeded.length);
    assert.match(list.stdout, /\d+\. risky risk\.unrestricted_api_key projects\//);
    const dry = spawnSync('bash', [file, '1'], {
      encoding: 'utf8',
      env: { ...process.env, DRY_RUN: '1', WAIT_SECONDS: '0' },
    });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stderr, /\+ gcloud /);
  });

  test('a folder id the caller cannot read: reported, exit 1, no stack', async () => {
    const r = await runCli(['scan', '--folder', '999', '-f', 'json'], { env });
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { scopes: Array<{ status: string }> };
    assert.equal(parsed.scopes[0]?.status, 'denied');
  });

  for (const [args, message] of [
    [['scan'], /say what to scan/],
    [['scan', '--organization', 'acme'], /numeric organization id/],
    [['scan', '--organization', FLEET_ORG, '-f', 'xml'], /--format must be text, md, json, csv/],
    [
      ['scan', '--organization', FLEET_ORG, '--fix-plan', 'hcl'],
      /--fix-plan must be gcloud, terraform, console, md, json/,
    ],
    [
      ['scan', '--organization', FLEET_ORG, '--output-dir', 'x'],
      /--output-dir goes with --fix-plan terraform/,
    ],
    [['scan', '--organization', FLEET_ORG, '--usage', '0'], /--usage takes a number of days from 1 to 42/],
    [['scan', '--organization', FLEET_ORG, '--usage', '43'], /--usage takes a number of days from 1 to 42/],
    [['scan', '--organization', FLEET_ORG, '--usage', 'week'], /--usage takes a number of days/],
    [['scan', '--organization', FLEET_ORG, '--analysis-output', 'bucket/x'], /gs:\/\/bucket\/object/],
  ] as const) {
    test(`usage error: ${args.slice(1).join(' ') || '(no scope)'}`, async () => {
      const r = await runCli(args, { env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
