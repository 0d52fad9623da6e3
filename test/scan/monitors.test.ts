/**
 * `monitors --from-scan`: one Datadog / Cloud Monitoring monitor per finding class of a scan,
 * created through the Datadog stand-in, idempotent on a second --apply.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, orgFleet } from '../../src/sandbox/scenarios/fleet.js';
import { runCli } from '../support/cli.js';

describe('monitors --from-scan', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let scanFile: string;
  before(async () => {
    sb = await startSandbox({ scenario: orgFleet({ projects: 40 }).scenario });
    env = { ...sb.env, HOME: mkdtempSync(join(tmpdir(), 'scan-mon-')), DD_API_KEY: 'k', DD_APP_KEY: 'a' };
    const scan = await runCli(['scan', '--organization', FLEET_ORG, '-f', 'json'], { env });
    scanFile = join(mkdtempSync(join(tmpdir(), 'scan-json-')), 'scan.json');
    writeFileSync(scanFile, scan.stdout);
  });
  after(() => sb.close());

  test('one monitor per finding class, Datadog and Cloud Monitoring', async () => {
    const dd = await runCli(['monitors', '--from-scan', scanFile], { env });
    assert.equal(dd.code, 0, dd.stderr);
    const monitors = JSON.parse(dd.stdout) as Array<{ name: string; query: string; tags: string[] }>;
    const keys = monitors.map((m) => m.tags.find((t) => t.startsWith('genai-doctor-monitor:')));
    assert.deepEqual(keys, [
      'genai-doctor-monitor:scan-api.disabled',
      'genai-doctor-monitor:scan-billing.disabled',
      'genai-doctor-monitor:scan-iam.missing_permission',
      'genai-doctor-monitor:scan-project.mismatch',
      'genai-doctor-monitor:scan-risk.default_sa_editor',
      'genai-doctor-monitor:scan-risk.primitive_role',
      'genai-doctor-monitor:scan-risk.unrestricted_api_key',
    ]);
    const mismatch = monitors.find((m) => m.name.includes('project.mismatch'));
    assert.match(mismatch?.query ?? '', /service:\(assistant-fn OR genai-adk-python\) status:error/);
    const gcp = await runCli(['monitors', '--from-scan', scanFile, '--format', 'gcp-json'], { env });
    const policies = JSON.parse(gcp.stdout) as Array<{ logMetric: { filter: string } }>;
    assert.equal(policies.length, 7);
    // Each workload's own log resource: a reasoning engine's logs are not a Cloud Run revision's.
    assert.match(
      policies[0]?.logMetric.filter ?? '',
      /^resource\.type="aiplatform\.googleapis\.com\/ReasoningEngine" AND resource\.labels\.reasoning_engine_id=\("assistant-agent"\)/,
    );
  });

  test('--apply creates them in Datadog, a second --apply changes nothing', async () => {
    const first = await runCli(['monitors', '--from-scan', scanFile, '--apply'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('created')).length,
      7,
    );
    const second = await runCli(['monitors', '--from-scan', scanFile, '--apply'], { env });
    assert.equal(
      second.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('unchanged')).length,
      7,
    );
  });

  test('a file that is not a scan is a usage error', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'scan-bad-')), 'x.json');
    writeFileSync(bad, '{"monitors": []}');
    const r = await runCli(['monitors', '--from-scan', bad], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a `scan -f json` output/);
  });
});
