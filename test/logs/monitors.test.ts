import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { applyMonitors, monitorDiff } from '../../src/monitors/apply.js';
import { type MonitorSettings, monitorSet } from '../../src/monitors/definitions.js';
import { renderMonitors } from '../../src/monitors/render.js';
import { startDatadogApi } from '../../src/sandbox/datadog-api.js';

const settings: MonitorSettings = {
  service: 'genai-adk-python',
  env: 'prod',
  resource: 'POST /api/v1/images/generate',
  spanName: 'fastapi.request',
  notify: ['@slack-genai-oncall'],
  runbookUrl: 'https://runbooks.example.com/genai/{code}',
  errorRate: 0.05,
  throttleCritical: 10,
};

describe('monitor definitions', () => {
  const set = monitorSet(settings);

  it('are POST /api/v1/monitor bodies for each catalog family and the APM error rate', () => {
    const keys = set.datadog.map((m) => m.key);
    assert.deepEqual(keys, [
      'permission-denied',
      'throttled',
      'credentials',
      'project-setup',
      'apm-error-rate',
    ]);
    for (const { monitor: m } of set.datadog) {
      assert.ok(m.tags.includes('managed-by:genai-doctor'));
      assert.ok(m.tags.includes('service:genai-adk-python') && m.tags.includes('env:prod'));
      assert.ok(m.message.includes('@slack-genai-oncall'));
      assert.match(m.message, /Runbook: `npx genai-doctor explain \d{4}`/);
      assert.match(m.message, /https:\/\/runbooks\.example\.com\/genai\/\d{4}/);
      const threshold = Number(/> ([\d.]+)$/.exec(m.query)?.[1]);
      assert.equal(m.options.thresholds.critical, threshold, `${m.name}: critical matches the query`);
    }
    const logAlerts = set.datadog.filter((m) => m.monitor.type === 'log alert');
    assert.equal(logAlerts.length, 4);
    for (const { monitor } of logAlerts) {
      assert.match(
        monitor.query,
        /^logs\("service:genai-adk-python env:prod status:error \(.+\)"\)\.index\("\*"\)\.rollup\("count"\)\.last\("5m"\) > \d+$/,
      );
    }
    const codes = logAlerts.flatMap((m) =>
      m.monitor.tags.filter((t) => t.startsWith('genai-doctor-code:')).map((t) => t.slice(18)),
    );
    assert.deepEqual(codes.sort(), [
      '1100',
      '1101',
      '1102',
      '1103',
      '1104',
      '1110',
      '1111',
      '1112',
      '1150',
      '1152',
      '1153',
    ]);
    const apm = set.datadog.find((m) => m.key === 'apm-error-rate')!.monitor;
    assert.equal(apm.type, 'query alert');
    assert.equal(
      apm.query,
      'sum(last_10m):( sum:trace.fastapi.request.errors{service:genai-adk-python,env:prod,resource_name:post_/api/v1/images/generate}.as_count() / sum:trace.fastapi.request.hits{service:genai-adk-python,env:prod,resource_name:post_/api/v1/images/generate}.as_count() ) > 0.05',
    );
  });

  it('render as Terraform datadog_monitor resources that parse as HCL', async () => {
    const tf = renderMonitors(set, 'terraform', settings.service);
    const json = (await parse('monitors.tf', tf)) as {
      resource: { datadog_monitor: Record<string, Array<Record<string, unknown>>> };
    };
    const resources = json.resource.datadog_monitor;
    assert.equal(Object.keys(resources).length, 5);
    const perm = resources['genai-adk-python_permission-denied']![0]!;
    assert.equal(perm.query, set.datadog[0]!.monitor.query);
    assert.equal(perm.message, set.datadog[0]!.monitor.message);
    assert.deepEqual(perm.tags, set.datadog[0]!.monitor.tags);
    assert.deepEqual(perm.monitor_thresholds, [{ critical: 0 }]);
  });

  it('render Cloud Monitoring log-based metrics and alert policies as JSON and Terraform', async () => {
    const gcp = JSON.parse(renderMonitors(set, 'gcp-json', settings.service)) as Array<{
      logMetric: { name: string; filter: string };
      alertPolicy: {
        conditions: Array<{ conditionThreshold: { filter: string } }>;
        userLabels: Record<string, string>;
      };
    }>;
    assert.equal(gcp.length, 4);
    const [perm] = gcp;
    assert.equal(perm!.logMetric.name, 'genai_doctor/genai-adk-python/permission-denied');
    assert.match(
      perm!.logMetric.filter,
      /resource\.labels\.service_name="genai-adk-python" AND severity>=ERROR/,
    );
    assert.equal(
      perm!.alertPolicy.conditions[0]!.conditionThreshold.filter,
      'metric.type="logging.googleapis.com/user/genai_doctor/genai-adk-python/permission-denied" AND resource.type="cloud_run_revision"',
    );
    assert.equal(perm!.alertPolicy.userLabels['managed-by'], 'genai-doctor');
    const tf = renderMonitors(set, 'gcp-terraform', settings.service);
    const json = (await parse('gcp.tf', tf)) as { resource: Record<string, Record<string, unknown[]>> };
    assert.equal(Object.keys(json.resource.google_logging_metric!).length, 4);
    assert.equal(Object.keys(json.resource.google_monitoring_alert_policy!).length, 4);
    assert.match(
      tf,
      /filter\s+= "metric\.type=\\"logging\.googleapis\.com\/user\/\$\{google_logging_metric\.genai-adk-python_permission-denied\.name\}\\"/,
    );
  });

  it('escape user text so it cannot start a Terraform interpolation', async () => {
    const evil = monitorSet({
      ...settings,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal Terraform interpolation is the point
      service: 'svc${file("/etc/passwd")}',
      notify: ['@a %{if true}x%{endif}'],
    });
    const tf = renderMonitors(evil, 'terraform', 'svc');
    const json = (await parse('evil.tf', tf)) as {
      resource: { datadog_monitor: Record<string, Array<{ name: string; message: string }>> };
    };
    const first = Object.values(json.resource.datadog_monitor)[0]![0]!;
    assert.ok(first.name.includes('svc$${file("/etc/passwd")}'), first.name);
    assert.ok(first.message.includes('%%{if true}'));
  });
});

describe('monitors --apply against the local Monitors API, over HTTP', () => {
  let api: Awaited<ReturnType<typeof startDatadogApi>>;
  before(async () => {
    process.env.DD_API_KEY = 'test-api-key';
    process.env.DD_APP_KEY = 'test-app-key';
    api = await startDatadogApi({ count: 10 });
  });
  after(async () => {
    await api.close();
  });

  it('creates, then changes nothing on a second run, then updates only what differs', async () => {
    const set = monitorSet(settings);
    const where = { service: settings.service, env: settings.env, url: api.url };
    const first = await applyMonitors(set.datadog, where);
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['created', 'created', 'created', 'created', 'created'],
    );
    assert.equal(api.state.monitors.size, 5);
    const stored = [...api.state.monitors.values()][0]!;
    assert.equal(stored.type, 'log alert');
    assert.deepEqual((stored.options as { thresholds: unknown }).thresholds, { critical: 0 });

    const writesBefore = api.state.requests.filter((r) => r.method !== 'GET').length;
    const second = await applyMonitors(set.datadog, where);
    assert.deepEqual(
      second.map((r) => r.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );
    assert.deepEqual(
      second.map((r) => r.id),
      first.map((r) => r.id),
    );
    assert.equal(
      api.state.requests.filter((r) => r.method !== 'GET').length,
      writesBefore,
      'no writes on the second run',
    );

    const changed = monitorSet({ ...settings, errorRate: 0.1 });
    const third = await applyMonitors(changed.datadog, where);
    assert.deepEqual(
      third.map((r) => r.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'updated'],
    );
    assert.deepEqual(third[4]!.changed, ['query', 'message', 'options.thresholds']);
    assert.equal(api.state.monitors.size, 5);

    // Another env is another set of monitors.
    const staging = await applyMonitors(monitorSet({ ...settings, env: 'staging' }).datadog, {
      ...where,
      env: 'staging',
    });
    assert.ok(staging.every((r) => r.outcome === 'created'));
    assert.equal(api.state.monitors.size, 10);
  });

  it('diffs only the fields it sets (server defaults are not differences)', () => {
    const m = monitorSet(settings).datadog[0]!.monitor;
    const stored = {
      ...m,
      id: 1,
      tags: [...m.tags].reverse(),
      options: { ...m.options, new_host_delay: 300, silenced: {} },
    };
    assert.deepEqual(monitorDiff(m, stored), []);
  });
});
