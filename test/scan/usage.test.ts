/**
 * `scan --usage`: Cloud Monitoring's request counts (serviceruntime.googleapis.com/api/request_count
 * on consumed_api) confirm which findings' projects really call Gemini, through the sandbox's
 * timeSeries.list. Seeded traffic is found to the request; an idle project's will-fail finding is
 * still reported, less sure and ranked after confirmed ones; a project whose monitoring the
 * operator may not read is "not settled", not fatal. The route answers in Google's shapes and
 * refuses what Google refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adcClient, type GcpClient } from '../../src/gcp/client.js';
import { GoogleApiError } from '../../src/gcp/errors.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, type Fleet, fleetUsage, orgFleet } from '../../src/sandbox/scenarios/fleet.js';
import { runScan, type ScanResult } from '../../src/scan/index.js';
import { usageTarget } from '../../src/scan/usage.js';
import { runCli } from '../support/cli.js';

const ORG = `organizations/${FLEET_ORG}`;
const METRIC = 'serviceruntime.googleapis.com/api/request_count';

/** Requests a fleet project made over `days` days, as seeded. */
function seeded(project: string, days: number): number {
  if (project === 'datadog-sandbox') return 12 * days;
  const m = /^fleet-(\d{4})$/.exec(project);
  return m ? fleetUsage(Number(m[1])) * days : 0;
}

async function refusal(run: () => Promise<unknown>): Promise<{ http: number; body: string }> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof GoogleApiError, String(e));
    return { http: e.httpStatus, body: e.body };
  }
  assert.fail('the request was not refused');
}

describe('scan --usage on org-fleet', () => {
  let fleet: Fleet;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let plain: ScanResult;
  let used: ScanResult;
  before(async () => {
    fleet = orgFleet({ projects: 60 });
    sb = await startSandbox({ scenario: fleet.scenario });
    env = { ...process.env, ...sb.env, HOME: '/nonexistent-home' };
    plain = await runScan({ scopes: [ORG], env });
    used = await runScan({ scopes: [ORG], env, usageDays: 7 });
  });
  after(() => sb.close());

  test('every finding is still reported; one timeSeries.list per project with findings', () => {
    assert.deepEqual(used.findings.map((f) => f.id).sort(), plain.findings.map((f) => f.id).sort());
    const projects = new Set(used.findings.map((f) => usageTarget(f).project));
    assert.equal(used.counts.usageProjects, projects.size);
    assert.equal(used.counts.usageCalls, projects.size);
    assert.equal(used.counts.apiCalls, plain.counts.apiCalls + projects.size);
  });

  test('usage evidence matches the seeded request counts, to the request', () => {
    let confirmed = 0;
    let idle = 0;
    for (const f of used.findings) {
      const { project, service } = usageTarget(f);
      if (project === fleet.usageDeniedProject) continue;
      assert.ok(f.usage, `${f.id}: usage read`);
      const n =
        service === 'aiplatform.googleapis.com' ? seeded(project, 7) : (f.usage.requests[service] ?? 0);
      assert.equal(f.usage.requests[service] ?? 0, n, f.id);
      if (n) {
        confirmed++;
        assert.equal(
          f.usage.text,
          `confirmed by Cloud Monitoring: ${n.toLocaleString('en-US')} requests to ${service} from ${project} in the last 7 days`,
        );
      } else {
        idle++;
        assert.match(
          f.usage.text,
          new RegExp(
            `^no requests to ${service.replace(/\./g, '\\.')} seen from ${project} in the last 7 days`,
          ),
        );
      }
      assert.ok(f.evidence.some((e) => e.fact === 'usage' && e.value === f.usage?.text));
    }
    assert.ok(confirmed >= 3 && idle >= 2, `${confirmed} confirmed, ${idle} idle`);
    // The unrestricted key's project calls the Gemini API (generativelanguage) too.
    const key = used.findings.find((f) => f.class === 'risk.unrestricted_api_key');
    assert.equal(key?.usage?.requests['generativelanguage.googleapis.com'], 21);
  });

  test("an idle project's will-fail finding: still reported, less sure, ranked after confirmed ones", () => {
    const idle = used.findings.filter((f) => f.severity === 'will-fail' && f.usage && !f.usage.confirmed);
    assert.ok(idle.length > 0, 'a will-fail finding on a project with no calls');
    for (const f of idle) {
      const before = plain.findings.find((x) => x.id === f.id);
      assert.equal(f.confidence, Math.round((before?.confidence ?? 0) * 0.8 * 100) / 100);
      assert.match(f.usage?.text ?? '', /still reported, its first call will fail/);
    }
    const tiers = used.findings
      .filter((f) => f.severity === 'will-fail')
      .map((f) => (f.usage ? (f.usage.confirmed ? 0 : 2) : 1));
    assert.deepEqual(tiers, [...tiers].sort(), 'confirmed, then unread, then idle');
    assert.ok(tiers.includes(0) && tiers.includes(1) && tiers.includes(2));
  });

  test('a project whose monitoring is denied is not settled, and the scan goes on', () => {
    const denied = fleet.usageDeniedProject;
    const f = used.findings.find((x) => usageTarget(x).project === denied);
    assert.ok(f, 'the denied project hosts a finding');
    assert.equal(f.usage, undefined);
    assert.ok(
      used.unknowns.some((u) =>
        u.startsWith(
          `${denied}: Cloud Monitoring usage could not be read (403 PERMISSION_DENIED: Permission monitoring.timeSeries.list denied (or the resource may not exist).)`,
        ),
      ),
      used.unknowns.join('\n'),
    );
    assert.ok(used.scopes.every((s) => s.status === 'ok'));
  });

  test('CLI: --usage prints the evidence per finding and the cost; --usage 3 counts 3 days', async () => {
    const r = await runCli(['scan', '--organization', FLEET_ORG, '--usage'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^Usage \(Cloud Monitoring\): \d+ projects with findings asked in \d+ calls; \d+ call Gemini, \d+ made no calls, 1 unreadable$/m,
    );
    assert.match(
      r.stdout,
      /usage: confirmed by Cloud Monitoring: [\d,]+ requests to aiplatform\.googleapis\.com from fleet-\d{4} in the last 7 days/,
    );
    assert.match(
      r.stdout,
      /usage: no requests to aiplatform\.googleapis\.com seen from fleet-\d{4} in the last 7 days \(Cloud Monitoring\): still reported/,
    );
    assert.match(
      r.stdout,
      new RegExp(`${fleet.usageDeniedProject}: Cloud Monitoring usage could not be read`),
    );
    const three = await runCli(['scan', '--organization', FLEET_ORG, '--usage', '3', '-f', 'json'], { env });
    const parsed = JSON.parse(three.stdout) as ScanResult;
    const busy = parsed.findings.find((f) => f.usage?.confirmed);
    assert.ok(busy?.usage);
    assert.equal(busy.usage.days, 3);
    assert.equal(busy.usage.requests['aiplatform.googleapis.com'], seeded(busy.usage.project, 3));
  });
});

describe('sandbox: Cloud Monitoring timeSeries.list', () => {
  let fleet: Fleet;
  let sb: Sandbox;
  let client: GcpClient;
  const end = new Date();
  const start = new Date(end.getTime() - 7 * 86_400_000);
  const list = (project: string, params: Record<string, string | undefined>) =>
    client.request<{ timeSeries?: Array<Record<string, unknown>>; nextPageToken?: string }>({
      url: `${sb.url}/v3/projects/${project}/timeSeries`,
      params: { 'interval.startTime': start.toISOString(), 'interval.endTime': end.toISOString(), ...params },
    });
  before(async () => {
    fleet = orgFleet({ projects: 40 });
    sb = await startSandbox({ scenario: fleet.scenario });
    client = await adcClient({ ...process.env, ...sb.env });
  });
  after(() => sb.close());

  test('raw series: consumed_api resource labels, DELTA INT64 points newest first, int64 as strings', async () => {
    const res = await list('fleet-0003', {
      filter: `metric.type="${METRIC}" AND resource.type="consumed_api" AND resource.labels.service="aiplatform.googleapis.com"`,
    });
    const s = res.timeSeries?.[0] as {
      metric: { type: string; labels: Record<string, string> };
      resource: { type: string; labels: Record<string, string> };
      metricKind: string;
      valueType: string;
      points: Array<{ interval: { endTime: string }; value: { int64Value: string } }>;
    };
    assert.equal(res.timeSeries?.length, 1);
    assert.equal(s.metric.type, METRIC);
    assert.equal(s.metric.labels.response_code_class, '2xx');
    assert.equal(s.resource.type, 'consumed_api');
    assert.deepEqual(Object.keys(s.resource.labels).sort(), [
      'credential_id',
      'location',
      'method',
      'project_id',
      'service',
      'version',
    ]);
    assert.equal(s.resource.labels.project_id, 'fleet-0003');
    assert.deepEqual([s.metricKind, s.valueType], ['DELTA', 'INT64']);
    assert.equal(s.points.length, 7);
    assert.equal(s.points[0]?.value.int64Value, String(fleetUsage(3)));
    assert.ok(s.points[0]!.interval.endTime > s.points[1]!.interval.endTime, 'newest first');
  });

  test('aligned and reduced by service: one series per API with the window total', async () => {
    const res = await list('fleet-0003', {
      filter: `metric.type="${METRIC}" AND resource.type="consumed_api" AND resource.labels.service=one_of("aiplatform.googleapis.com","generativelanguage.googleapis.com")`,
      'aggregation.alignmentPeriod': `${7 * 86_400}s`,
      'aggregation.perSeriesAligner': 'ALIGN_SUM',
      'aggregation.crossSeriesReducer': 'REDUCE_SUM',
      'aggregation.groupByFields': 'resource.label.service',
    });
    assert.deepEqual(
      res.timeSeries?.map((s) => [
        (s.resource as { labels: Record<string, string> }).labels,
        (s.points as Array<{ value: { int64Value: string } }>).map((p) => p.value.int64Value),
      ]),
      [[{ service: 'aiplatform.googleapis.com' }, [String(fleetUsage(3) * 7)]]],
    );
    // An idle project has no series at all (an empty response, like Google's).
    assert.deepEqual(await list('fleet-0002', { filter: `metric.type="${METRIC}"` }), {});
  });

  test('unknown metric: 404 NOT_FOUND; unparseable filter: 400 INVALID_ARGUMENT; aligner without period: 400', async () => {
    const unknown = await refusal(() =>
      list('fleet-0003', { filter: 'metric.type="aiplatform.googleapis.com/no_such_metric"' }),
    );
    assert.equal(unknown.http, 404);
    assert.deepEqual(JSON.parse(unknown.body), {
      error: {
        code: 404,
        message: 'Cannot find metric(s) that match type = "aiplatform.googleapis.com/no_such_metric".',
        status: 'NOT_FOUND',
      },
    });
    const bad = await refusal(() =>
      list('fleet-0003', { filter: `metric.type="${METRIC}" AND resource.type` }),
    );
    assert.equal(bad.http, 400);
    const badBody = JSON.parse(bad.body) as { error: { status: string; message: string } };
    assert.equal(badBody.error.status, 'INVALID_ARGUMENT');
    assert.match(
      badBody.error.message,
      /^Field filter had an invalid value of "metric\.type=.* AND resource\.type": /,
    );
    const noPeriod = await refusal(() =>
      list('fleet-0003', { filter: `metric.type="${METRIC}"`, 'aggregation.perSeriesAligner': 'ALIGN_SUM' }),
    );
    assert.equal(noPeriod.http, 400);
    const badTime = await refusal(() =>
      list('fleet-0003', { filter: `metric.type="${METRIC}"`, 'interval.endTime': 'yesterday' }),
    );
    assert.equal(badTime.http, 400);
    assert.match(
      badTime.body,
      /Invalid value at 'interval\.end_time' \(type\.googleapis\.com\/google\.protobuf\.Timestamp\), \\"yesterday\\"/,
    );
  });

  test('without monitoring.timeSeries.list, or for a project that does not exist: 403 PERMISSION_DENIED', async () => {
    for (const project of [fleet.usageDeniedProject, 'no-such-project-9']) {
      const denied = await refusal(() => list(project, { filter: `metric.type="${METRIC}"` }));
      assert.equal(denied.http, 403);
      assert.deepEqual(JSON.parse(denied.body), {
        error: {
          code: 403,
          message: 'Permission monitoring.timeSeries.list denied (or the resource may not exist).',
          status: 'PERMISSION_DENIED',
        },
      });
    }
  });
});
