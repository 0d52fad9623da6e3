import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { type ApmOptions, addApmOptions } from '../apm.js';
import { CliError, EXIT } from '../errors.js';
import { formatOption } from '../format.js';
import { cliCommand } from '../invocation.js';
import { withSandbox } from '../sandbox-option.js';
import { addSourceOptions, analyzeSource, type SourceOptions } from './logs.js';

interface ReportOptions extends SourceOptions, ApmOptions {
  format: string;
  incident?: string;
  output?: string;
  successText?: string;
}

export function register(cmd: Command): void {
  addApmOptions(
    addSourceOptions(cmd)
      .addOption(formatOption(['md', 'html', 'json']))
      .option(
        '--incident <n>',
        'which incident to write the runbook for (number in `logs` output, or id)',
        '1',
      )
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  )
    .option('--success-text <text>', 'log message that marks a successful call (for the verify query)')
    .action(async (file: string | undefined, o: ReportOptions) => {
      // Before reading the logs: a wrong -o is a one-line usage error, at once.
      if (o.output) checkOutputDir(o.output);
      const analysis = await withSandbox(o.sandbox, () => analyzeSource(file, o));
      if (analysis.incidents.length === 0) {
        throw new CliError(
          `no failures found in ${analysis.input} (${analysis.stats.records} records read)`,
          EXIT.problem,
        );
      }
      const n = Number(o.incident);
      const incident =
        Number.isInteger(n) && n >= 1
          ? analysis.incidents[n - 1]
          : analysis.incidents.find((i) => i.id === o.incident);
      if (!incident) {
        throw new CliError(
          `--incident ${o.incident}: there are ${analysis.incidents.length} incidents (1-${analysis.incidents.length}, or an id)`,
        );
      }
      const [{ incidentRunbook }, { docHtml, docMarkdown }, { incidentMonitoring }, { redactDeep }] =
        await Promise.all([
          import('../../core/incidents/runbook.js'),
          import('../../core/incidents/doc.js'),
          import('../../monitors/definitions.js'),
          import('../../core/redact-deep.js'),
        ]);
      const service = incident.service ?? o.service ?? 'SERVICE';
      const monitoring = incidentMonitoring(
        {
          service,
          env: o.env ?? incident.env,
          resource: o.resource,
          spanName: o.spanName,
          notify: [],
          errorRate: 0.05,
          throttleCritical: 10,
          cli: cliCommand(),
        },
        incident.code,
        incident.sample,
        o.successText,
      );
      // Redact the document's strings, not the rendered page: a redaction must not cut through
      // an HTML entity or a Markdown escape.
      const doc = redactDeep(incidentRunbook(analysis, incident, monitoring));
      const out =
        o.format === 'html'
          ? docHtml(doc)
          : o.format === 'json'
            ? `${JSON.stringify(doc, null, 2)}\n`
            : docMarkdown(doc);
      if (o.output) writeOutput(o.output, out);
      else process.stdout.write(out);
    });
}

function checkOutputDir(file: string): void {
  const dir = dirname(file);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new CliError(`-o ${file}: no such directory: ${dir}`, EXIT.usage);
  }
  if (!isDir) throw new CliError(`-o ${file}: ${dir} is not a directory`, EXIT.usage);
}

function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`cannot write ${file}: ${e.code ?? e.message}`, EXIT.usage);
  }
}
