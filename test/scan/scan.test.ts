/**
 * `scan` on a generated organization (org-fleet, 60 projects) through the sandbox's Cloud Asset
 * Inventory, Policy Analyzer, Service Usage, billing and API Keys routes: every seeded defect is
 * found and nothing else; the seed incident, one project of the fleet, gets the cause, code and
 * plan `check` gives it; a folder the operator may not read is reported, not fatal; 429s are
 * retried; the long-running analysis gives the same answer as the synchronous one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCheck } from '../../src/live/check.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, type Fleet, orgFleet } from '../../src/sandbox/scenarios/fleet.js';
import { runScan } from '../../src/scan/index.js';
import { score } from '../../src/scan/score.js';
import { runCli } from '../support/cli.js';

const ORG = `organizations/${FLEET_ORG}`;
const SEED_WORKLOAD =
  '//run.googleapis.com/projects/datadog-ese-sandbox/locations/us-central1/services/genai-adk-python';

describe('scan on org-fleet', () => {
  let fleet: Fleet;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    fleet = orgFleet({ projects: 60 });
    sb = await startSandbox({ scenario: fleet.scenario, operationDelayMs: 50 });
    env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
  });
  after(() => sb.close());

  test('finds every seeded defect and nothing else', async () => {
    const r = await runScan({ scopes: [ORG], env });
    const s = score(r.findings, fleet.seeded);
    assert.deepEqual(
      { falsePositives: s.falsePositives, missed: s.missed },
      { falsePositives: [], missed: [] },
    );
    assert.equal(s.precision, 1);
    assert.equal(s.recall, 1);
    // Every kind of defect is seeded, so every kind of finding was exercised.
    assert.equal(new Set(fleet.seeded.map((d) => d.kind)).size, 8);
    assert.equal(r.counts.projects, 62);
    assert.equal(r.counts.genaiWorkloads, 61);
    // A few paged calls, not three per project.
    assert.ok(r.counts.apiCalls < 40, `${r.counts.apiCalls} calls`);
    // Callers on every host Cloud Asset Inventory lists carry seeded defects, and are found.
    const hosts = (name: string) => (name.startsWith('//') ? name.split('/')[2] : undefined);
    assert.deepEqual([...new Set(fleet.seeded.map((d) => hosts(d.subject)).filter(Boolean))].sort(), [
      'aiplatform.googleapis.com',
      'cloudfunctions.googleapis.com',
      'container.googleapis.com',
      'run.googleapis.com',
    ]);
    const kinds = new Set(r.findings.map((f) => f.workload?.kind).filter(Boolean));
    for (const k of ['cloud-run', 'cloud-function', 'reasoning-engine', 'gke-cluster'])
      assert.ok(kinds.has(k as never), `a finding on a ${k}`);
    const gke = r.findings.find((f) => f.workload?.kind === 'gke-cluster');
    assert.ok(
      gke?.workload?.recognisedBy.some(
        (x) => x.startsWith('label genai=vertex') && x.includes('labels only'),
      ),
    );
    const fn = r.findings.find(
      (f) => f.workload?.kind === 'cloud-function' && f.class === 'project.mismatch',
    );
    assert.ok(fn, 'the mismatch seeded on a Cloud Functions function is found');
    assert.equal(fn.code, 1150);
    assert.ok(fn.workload?.recognisedBy.some((x) => x.includes('Cloud Functions function service account')));
    // Unlabelled clusters and VMs without Gemini env are not callers.
    assert.ok(!r.findings.some((f) => /clusters\/batch$|instances\/bastion$/.test(f.subject)));
    // Ranked: everything that will fail before anything risky.
    const firstRisky = r.findings.findIndex((f) => f.severity === 'risky');
    assert.ok(r.findings.slice(firstRisky).every((f) => f.severity === 'risky'));
  });

  test('the seed incident gets the cause, code and plan check gives it', async () => {
    const r = await runScan({ scopes: [ORG], env });
    const found = r.findings.find((f) => f.subject === SEED_WORKLOAD);
    assert.ok(found, 'the seed workload is reported');
    const check = await runCheck(
      { project: 'datadog-ese-sandbox', cloudRun: 'genai-adk-python', region: 'us-central1', env },
      { save: false },
    );
    assert.equal(found.class, check.diagnosis.findings[0]?.cause);
    assert.equal(found.code, check.diagnosis.findings[0]?.code);
    assert.equal(found.class, 'project.mismatch');
    assert.equal(found.code, 1150);
    assert.deepEqual(found.plan, check.plan);
    assert.ok(found.workload?.recognisedBy.some((x) => x.includes('GOOGLE_CLOUD_PROJECT=datadog-sandbox')));
    assert.ok(found.workload?.recognisedBy.some((x) => x.includes('default compute account')));
  });

  test('the long-running Policy Analyzer gives the same findings', async () => {
    const sync = await runScan({ scopes: [ORG], env });
    const lro = await runScan({
      scopes: [ORG],
      env,
      analysisOutput: 'gs://genai-doctor-scan-results/scan/analysis.json',
    });
    assert.deepEqual(
      lro.findings.map((f) => f.id),
      sync.findings.map((f) => f.id),
    );
  });

  test('a 1st gen function (cloudfunctions.googleapis.com/CloudFunction) is recognised', async () => {
    const r = await runScan({ scopes: [ORG], env });
    const gen1 = r.findings.find((f) => f.workload?.name.endsWith('/functions/assistant-fn1'));
    assert.ok(gen1, 'the defect seeded on a 1st gen function is found');
    assert.equal(gen1.workload?.kind, 'cloud-function');
    assert.ok(
      gen1.workload?.recognisedBy.some((x) => x.includes('Cloud Functions function service account')),
    );
  });

  test('folders scanned one by one find the defects under them', async () => {
    const first = fleet.seeded.find((d) => d.kind === 'iam.missing_permission');
    const folder = fleet.scenario.projects.find((p) => p.projectId === first?.project)?.parent?.id as string;
    const r = await runScan({ scopes: [`folders/${folder}`], env });
    const inFolder = new Set(
      fleet.scenario.projects.filter((p) => p.parent?.id === folder).map((p) => p.projectId),
    );
    // A shared identity's other services live in other folders: a folder scan counts only the
    // services it can see, so it cannot call that account shared (the organization scan does).
    const expected = fleet.seeded.filter((d) => inFolder.has(d.project) && d.kind !== 'risk.shared_identity');
    assert.ok(expected.length > 0);
    const s = score(r.findings, expected);
    assert.deepEqual(s.missed, []);
    assert.deepEqual(s.falsePositives, []);
  });

  test('every folder as its own scope: grants in one folder count for callers in another', async () => {
    // Hub users in team-5 call the hub in team-0, scanned first: its Policy Analyzer answer must
    // keep their grants although their workloads are read with a later scope.
    const r = await runScan({ scopes: fleet.folderIds.map((f) => `folders/${f}`), env });
    const expected = fleet.seeded.filter((d) => d.project !== 'datadog-ese-sandbox');
    const s = score(r.findings, expected);
    assert.deepEqual(
      { missed: s.missed, falsePositives: s.falsePositives },
      { missed: [], falsePositives: [] },
    );
  });
});

describe('scan with partial permission and rate limits', () => {
  test('a folder the operator may not read is reported; the others are scanned', async () => {
    const fleet = orgFleet({ projects: 40, restrictedFolder: true });
    const sb = await startSandbox({ scenario: fleet.scenario });
    try {
      const env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
      const open = fleet.folderIds[0] as string;
      const r = await runScan({ scopes: [`folders/${open}`, `folders/${fleet.restrictedFolderId}`], env });
      assert.deepEqual(
        r.scopes.map((s) => [s.scope, s.status]),
        [
          [`folders/${open}`, 'ok'],
          [`folders/${fleet.restrictedFolderId}`, 'denied'],
        ],
      );
      assert.ok(r.counts.projects > 0);
      // The organization itself is not readable for this operator: reported, exit 1, no stack.
      const cli = await runCli(['scan', '--organization', FLEET_ORG], { env });
      assert.equal(cli.code, 1);
      assert.match(cli.stdout, /Not readable: organizations\/433637338589 \(denied\)/);
      assert.doesNotMatch(cli.stderr, /\bat .*\.js:\d+/);
    } finally {
      await sb.close();
    }
  });

  test('a scope too big for the synchronous Policy Analyzer: reported with the way out, then read long-running', async () => {
    const fleet = orgFleet({ projects: 40, analyzerSyncMaxProjects: 20 });
    const sb = await startSandbox({ scenario: fleet.scenario, operationDelayMs: 50 });
    try {
      const env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
      const sync = await runScan({ scopes: [ORG], env });
      assert.ok(
        sync.unknowns.some((u) => /DEADLINE_EXCEEDED/.test(u) && u.includes('--analysis-output gs://')),
        sync.unknowns.join('\n'),
      );
      // Without the analysis, no missing permission is claimed, and nothing false is reported.
      const s = score(sync.findings, fleet.seeded);
      assert.deepEqual(s.falsePositives, []);
      assert.ok(!sync.findings.some((f) => f.class === 'iam.missing_permission'));
      const lro = await runScan({
        scopes: [ORG],
        env,
        analysisOutput: 'gs://genai-doctor-scan-results/scan/big.json',
      });
      const l = score(lro.findings, fleet.seeded);
      assert.equal(l.precision, 1);
      assert.equal(l.recall, 1);
      // The CLI says the same, with the flag that fixes it.
      const cli = await runCli(['scan', '--organization', FLEET_ORG], { env });
      assert.match(cli.stdout + cli.stderr, /--analysis-output/);
    } finally {
      await sb.close();
    }
  });

  test('polls of the long-running analysis that meet 503 UNAVAILABLE are retried with backoff', async () => {
    const fleet = orgFleet({ projects: 40 });
    // More failed polls in a row than the HTTP client's own three retries: the backoff must carry it.
    const sb = await startSandbox({
      scenario: { ...fleet.scenario, assetOperationPollsUnavailable: 5 },
      operationDelayMs: 50,
    });
    try {
      const env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
      const r = await runScan({
        scopes: [ORG],
        env,
        analysisOutput: 'gs://genai-doctor-scan-results/scan/unavailable.json',
      });
      assert.deepEqual(
        r.unknowns.filter((u) => /Policy Analyzer/.test(u)),
        [],
      );
      const s = score(r.findings, fleet.seeded);
      assert.equal(s.precision, 1);
      assert.equal(s.recall, 1);
    } finally {
      await sb.close();
    }
  });

  test('429 RESOURCE_EXHAUSTED from Cloud Asset Inventory is retried with backoff', async () => {
    const fleet = orgFleet({ projects: 40 });
    const sb = await startSandbox({ scenario: { ...fleet.scenario, assetRequestsPerSecond: 2 } });
    try {
      const env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
      for (const analysisOutput of [undefined, 'gs://genai-doctor-scan-results/scan/limited.json']) {
        const r = await runScan({ scopes: [ORG], env, ...(analysisOutput ? { analysisOutput } : {}) });
        assert.ok(r.counts.retries > 0, 'the rate limit was hit');
        const s = score(r.findings, fleet.seeded);
        assert.equal(s.precision, 1);
        assert.equal(s.recall, 1);
      }
    } finally {
      await sb.close();
    }
  });
});
