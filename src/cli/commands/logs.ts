import type { Command } from 'commander';
import type { LogAnalysis } from '../../core/incidents/model.js';
import type { Context } from '../../core/model.js';
import { RUNTIMES } from '../../core/runtimes.js';
import { parseRuntime } from '../context.js';
import { addDatadogUrlOption, datadogUrl, requireDatadogKeys } from '../datadog.js';
import { CliError, EXIT, remoteCall } from '../errors.js';
import { checkId, FLAG_KINDS } from '../ids.js';
import { intFlag } from '../numbers.js';
import { writeOutput } from '../output.js';
import { collect } from '../repeat.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';

export interface SourceOptions {
  datadog?: string;
  gcpLogging?: string;
  from?: string;
  to?: string;
  limit?: string;
  ddUrl?: string;
  project?: string[];
  principal?: string;
  runtime?: string;
  location?: string;
  service?: string;
  examples?: string;
  pageSize?: string;
  sandbox?: string | boolean;
}

/** Options shared by `logs` and `report`: where the evidence comes from and what the user knows. */
export function addSourceOptions(cmd: Command): Command {
  return addSandboxOption(addDatadogUrlOption(cmd))
    .argument(
      '[file]',
      'log export: Datadog (API JSON, JSON lines, CSV), Cloud Logging JSON, text; - for stdin; gzip ok',
    )
    .option('--datadog <query>', 'read from Datadog Logs search (DD_API_KEY, DD_APP_KEY, DD_SITE)')
    .option('--gcp-logging <filter>', 'read from Cloud Logging entries.list (needs --project)')
    .option('--from <time>', 'start of the time range for remote sources (now-24h, ISO 8601)', 'now-24h')
    .option('--to <time>', 'end of the time range for remote sources', 'now')
    .option('--limit <n>', 'most records to fetch from a remote source', '100000')
    .option(
      '--project <id>',
      'project the service runs in / meant to call (and Cloud Logging projects; repeat for more)',
      collect,
    )
    .option('--principal <email>', 'identity the service calls as, if known')
    .option('--runtime <runtime>', `where the service runs (${RUNTIMES.join(', ')})`)
    .option('--location <region>', 'region the service runs in')
    .option('--service <name>', 'the service, if the logs do not say')
    .option('--examples <n>', 'example trace ids / log ids kept per incident', '5')
    .option('--page-size <n>', 'records per request to a remote source', '1000');
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  return value === undefined ? fallback : intFlag(name, value, { min: 1 });
}

export function contextFrom(o: SourceOptions): Context {
  const ctx: Context = {};
  for (const p of o.project ?? []) checkId('--project', FLAG_KINDS.project, p);
  if (o.project?.[0]) ctx.project = o.project[0];
  if (o.principal) ctx.principal = checkId('--principal', FLAG_KINDS.principal, o.principal);
  if (o.runtime) ctx.runtime = parseRuntime(o.runtime);
  if (o.location) ctx.location = checkId('--location', FLAG_KINDS.location, o.location);
  if (o.service) ctx.service = checkId('--service', FLAG_KINDS.service, o.service);
  return ctx;
}

/** Reads the evidence the options name (a file, stdin, Datadog or Cloud Logging) into incidents. */
export async function analyzeSource(file: string | undefined, o: SourceOptions): Promise<LogAnalysis> {
  const sources = [file !== undefined, o.datadog !== undefined, o.gcpLogging !== undefined].filter(
    Boolean,
  ).length;
  if (sources === 0)
    throw new CliError('name a log file (or - for stdin), --datadog QUERY or --gcp-logging FILTER');
  if (sources > 1) throw new CliError('read one source at a time: a file, --datadog or --gcp-logging');
  const context = contextFrom(o);
  const examples = positiveInt(o.examples, 'examples', 5);
  const { LogInputError, checkInput } = await import('../../logs/input.js');
  // Check the file before loading the engine: a wrong path is a one-line error, at once.
  if (file !== undefined && file !== '-') {
    try {
      checkInput(file);
    } catch (err) {
      if (err instanceof LogInputError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
  }
  const { analyzeFile, analyzeRecords } = await import('../../logs/analyze.js');
  // The engine (~70 ms of module compiling) loads while a large file's scan workers already read:
  // analyzeFile starts them before its first await, so the import only starts compiling after.
  // Started before the reader's own import, it held the workers back by as much.
  const engine = import('../../logs/engine.js').then((m) => m.coreEngine);
  if (file !== undefined) {
    try {
      return await analyzeFile(file, { engine, context, examples });
    } catch (err) {
      if (err instanceof LogInputError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
  }
  const [opts, { parseTimeBound, toIso }] = await Promise.all([
    engine.then((e) => ({ engine: e, context, examples })),
    import('../../logs/time.js'),
  ]);
  const now = Date.now();
  const from = parseTimeBound(o.from ?? 'now-24h', now);
  const to = parseTimeBound(o.to ?? 'now', now);
  if (from === undefined)
    throw new CliError(`--from: cannot read time "${o.from}" (use now-24h or ISO 8601)`);
  if (to === undefined) throw new CliError(`--to: cannot read time "${o.to}" (use now or ISO 8601)`);
  if (from > to) throw new CliError('--from is after --to');
  const limit = positiveInt(o.limit, 'limit', 100_000);
  const pageSize = positiveInt(o.pageSize, 'page-size', 1000);

  if (o.datadog !== undefined) {
    requireDatadogKeys('--datadog');
    const { datadogLogs } = await import('../../logs/datadog-source.js');
    const pages = datadogLogs({
      query: o.datadog,
      from: toIso(from),
      to: toIso(to),
      limit,
      pageSize,
      url: datadogUrl(o.ddUrl),
    });
    return remoteCall(() => analyzeRecords(`datadog: ${o.datadog}`, pages, opts), 'Datadog');
  }
  const projects = o.project ?? [];
  if (projects.length === 0)
    throw new CliError('--gcp-logging needs --project (the project whose logs to read)');
  const { cloudLoggingEntries } = await import('../../logs/gcp-logging-source.js');
  const pages = cloudLoggingEntries({
    filter: o.gcpLogging ?? '',
    projects,
    from: toIso(from),
    to: toIso(to),
    limit,
    pageSize,
  });
  return remoteCall(() => analyzeRecords(`cloud-logging: ${o.gcpLogging}`, pages, opts), 'Cloud Logging');
}

export function register(cmd: Command): void {
  addSourceOptions(cmd)
    .option('-f, --format <format>', 'text, json or md', 'text')
    .option('-o, --output <file>', 'write the result to a file instead of standard output')
    .action(async (file: string | undefined, o: SourceOptions & { format: string; output?: string }) => {
      if (!['text', 'json', 'md'].includes(o.format)) {
        throw new CliError(`--format must be text, json or md, got "${o.format}"`);
      }
      // Loaded while the evidence is read, not after: a large file's read waits on its scan
      // workers anyway, and the render is on the way out of every run.
      const rendering = Promise.all([
        import('../../core/incidents/render.js'),
        import('../../core/redact-deep.js'),
      ]);
      const analysis = await withSandbox(o.sandbox, () => analyzeSource(file, o));
      const [{ renderAnalysis }, { redactDeep }] = await rendering;
      // Samples are redacted already; this catches a key in any other field a log carried.
      await writeOutput(o.output, renderAnalysis(redactDeep(analysis), o.format as 'text' | 'json' | 'md'));
      // Failures found is the "problem found" outcome, as with `check`.
      process.exitCode = analysis.incidents.length > 0 ? EXIT.problem : EXIT.ok;
    });
}
