import type { Command } from 'commander';
import { type ApmOptions, addApmOptions } from '../apm.js';
import { addDatadogUrlOption, datadogUrl, requireDatadogKeys } from '../datadog.js';
import { CliError, EXIT, remoteCall } from '../errors.js';
import { cliCommand } from '../invocation.js';
import { writeOutput } from '../output.js';
import { collect } from '../repeat.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';

interface MonitorsOptions extends ApmOptions {
  service?: string;
  notify?: string[];
  runbookUrl?: string;
  errorRate: string;
  format: string;
  apply?: boolean;
  ddUrl?: string;
  output?: string;
  sandbox?: string | boolean;
  fromScan?: string;
}

export function register(cmd: Command): void {
  addSandboxOption(
    addDatadogUrlOption(
      addApmOptions(
        cmd.option('--service <name>', 'the service to watch (Datadog service / Cloud Run service name)'),
      )
        .option(
          '--notify <handle>',
          'who the alerts notify, e.g. @slack-genai-oncall (repeat for more; required with --apply)',
          collect,
        )
        .option('--runbook-url <template>', 'catalog page URL, {code} replaced by the error code')
        .option('--error-rate <fraction>', 'APM error-rate threshold', '0.05')
        .option('-f, --format <format>', 'json, terraform, gcp-json or gcp-terraform', 'json')
        .option('-o, --output <file>', 'write the monitors to a file instead of stdout')
        .option('--apply', 'create or update the Datadog monitors (DD_API_KEY, DD_APP_KEY, DD_SITE)')
        .option(
          '--from-scan <file>',
          'one monitor per finding class of a `scan -f json` output, instead of --service',
        ),
    ),
  ).action(async (o: MonitorsOptions) => withSandbox(o.sandbox, () => monitorsCommand(o)));
}

async function monitorsCommand(o: MonitorsOptions): Promise<void> {
  if (o.fromScan) return scanMonitors(o);
  {
    const service = o.service;
    if (!service) throw new CliError('--service is required (the service the monitors watch)');
    const { MONITOR_FORMATS, renderMonitors } = await import('../../monitors/render.js');
    if (!MONITOR_FORMATS.includes(o.format as never)) {
      throw new CliError(`--format must be one of ${MONITOR_FORMATS.join(', ')}, got "${o.format}"`);
    }
    const errorRate = Number(o.errorRate);
    if (!(errorRate > 0 && errorRate < 1))
      throw new CliError(`--error-rate must be between 0 and 1, got "${o.errorRate}"`);
    const { monitorSet } = await import('../../monitors/definitions.js');
    const set = monitorSet({
      service,
      env: o.env,
      resource: o.resource,
      spanName: o.spanName,
      notify: o.notify ?? [],
      runbookUrl: o.runbookUrl,
      errorRate,
      throttleCritical: 10,
      cli: cliCommand(),
    });
    if (!o.apply) {
      await writeOutput(o.output, renderMonitors(set, o.format as never, service));
      return;
    }
    if (set.datadog.length > 0 && (o.notify ?? []).length === 0) {
      // Monitors that notify a placeholder page nobody: that is never what --apply was for.
      throw new CliError(
        '--apply needs --notify HANDLE (who is paged, e.g. --notify @slack-genai-oncall; repeat for more): without it the monitors would notify the placeholder @your-team-handle',
        EXIT.usage,
      );
    }
    requireDatadogKeys('--apply');
    const { applyMonitors } = await import('../../monitors/apply.js');
    const results = await remoteCall(
      () => applyMonitors(set.datadog, { service, env: o.env, url: datadogUrl(o.ddUrl) }),
      'Datadog Monitors API',
    );
    for (const r of results) {
      const why = r.changed.length ? ` (${r.changed.join(', ')})` : '';
      process.stdout.write(`${r.outcome.padEnd(9)} #${r.id} ${r.name}${why}\n`);
    }
  }
}

/** `monitors --from-scan scan.json`: one monitor per finding class the scan reported. */
async function scanMonitors(o: MonitorsOptions): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const { MONITOR_FORMATS, renderMonitors } = await import('../../monitors/render.js');
  if (!MONITOR_FORMATS.includes(o.format as never)) {
    throw new CliError(`--format must be one of ${MONITOR_FORMATS.join(', ')}, got "${o.format}"`);
  }
  let parsed: { findings?: unknown };
  try {
    parsed = JSON.parse(await readFile(o.fromScan as string, 'utf8')) as { findings?: unknown };
  } catch (e) {
    throw new CliError(`--from-scan: cannot read ${o.fromScan} as JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed.findings)) {
    throw new CliError(`--from-scan: ${o.fromScan} is not a \`scan -f json\` output (no findings)`);
  }
  const { SCAN_SERVICE, scanMonitorSet } = await import('../../monitors/scan-classes.js');
  const set = scanMonitorSet(parsed.findings as never, {
    notify: o.notify ?? [],
    ...(o.env ? { env: o.env } : {}),
  });
  if (!o.apply) {
    process.stdout.write(renderMonitors(set, o.format as never, SCAN_SERVICE));
    return;
  }
  requireDatadogKeys('--apply');
  const { applyMonitors } = await import('../../monitors/apply.js');
  const results = await remoteCall(
    () => applyMonitors(set.datadog, { service: SCAN_SERVICE, env: o.env, url: datadogUrl(o.ddUrl) }),
    'Datadog Monitors API',
  );
  for (const r of results) process.stdout.write(`${r.outcome.padEnd(9)} #${r.id} ${r.name}\n`);
}
