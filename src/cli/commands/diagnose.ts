/**
 * `genai-doctor diagnose FILE|-`: error text (+ what the user knows) -> ranked findings, the
 * least-privilege plan, rendered as text / Markdown runbook / JSON. Imports only the pure core:
 * no Google clients, no server, no Datadog on this path.
 */
import type { Command } from 'commander';
import type { OutputFormat } from '../../core/model.js';
import { buildPlan } from '../../core/plan/index.js';
import { renderReport } from '../../core/render/index.js';
import { addContextOptions, type ContextOptions, contextFrom } from '../context.js';
import { diagnoseInput, loadRolesOption, ROLES_OPTION_HELP } from '../diagnosis.js';
import { CliError, EXIT } from '../errors.js';
import { useColor, writeOutput } from '../output.js';

const FORMATS: readonly OutputFormat[] = ['text', 'md', 'json'];

export function register(cmd: Command): void {
  addContextOptions(
    cmd
      .argument('<file>', 'file with the error output, or - to read standard input')
      .option('-f, --format <format>', `output format: ${FORMATS.join(' | ')}`, 'text')
      .option('--roles <file>', ROLES_OPTION_HELP)
      .option('-o, --output <file>', 'write the result to a file instead of standard output'),
  ).action(
    async (file: string, opts: ContextOptions & { format: string; roles?: string; output?: string }) => {
      if (!FORMATS.includes(opts.format as OutputFormat)) {
        throw new CliError(`unknown --format '${opts.format}' (use ${FORMATS.join(', ')})`, EXIT.usage);
      }
      const context = contextFrom(opts);
      const diagnosis = await diagnoseInput(file, context, { empty: 'diagnose', nothing: 'diagnose' });
      const roles = await loadRolesOption(opts.roles);
      const plan = buildPlan(diagnosis, roles ? { roles } : {});
      const color = !opts.output && useColor();
      await writeOutput(opts.output, renderReport(diagnosis, plan, opts.format as OutputFormat, { color }));
    },
  );
}
