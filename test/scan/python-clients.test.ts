/**
 * Google's own Python client (google-api-python-client with its bundled discovery documents for
 * cloudasset v1, serviceusage v1, apikeys v2, cloudbilling v1) against the sandbox's organization
 * APIs: if a path, parameter or paging field differed from Google's, the client would not build
 * the request or the sandbox would answer 404. The venv comes from scripts/python-clients.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG } from '../../src/sandbox/scenarios/fleet.js';
import { ROOT } from '../support/cli.js';

const run = promisify(execFile);

describe('google-api-python-client against the org APIs', () => {
  let sb: Sandbox;
  before(async () => {
    await run('bash', ['scripts/python-clients.sh'], { cwd: ROOT });
    sb = await startSandbox({ scenario: 'org-fleet:40', operationDelayMs: 100 });
  });
  after(() => sb?.close());

  test('search (paged), IAM policies, analysis and its LRO, batchGet, keys, billing', async () => {
    const { stdout } = await run(
      `${ROOT}/.venv/bin/python`,
      ['-W', 'ignore', `${ROOT}/test/scan/python/org_apis.py`, FLEET_ORG],
      { env: { ...process.env, ...sb.env } },
    );
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(out, {
      runServices: 121,
      pages: 7,
      hosted: {
        'aiplatform.googleapis.com/Endpoint': 4,
        'aiplatform.googleapis.com/ReasoningEngine': 6,
        'cloudfunctions.googleapis.com/CloudFunction': 4,
        'cloudfunctions.googleapis.com/Function': 5,
        'compute.googleapis.com/Instance': 17,
        'container.googleapis.com/Cluster': 15,
      },
      policies: 42,
      analysisResults: out.analysisResults,
      batchGet: 'ENABLED',
      keys: 1,
      billingProjects: 41,
      lroDone: true,
    });
    assert.ok(Number(out.analysisResults) > 40);
  });
});
