/**
 * `genai-doctor plan FILE|-`: error text (+ what the user knows) -> the least-privilege fix as a
 * runnable gcloud script, Terraform, Console steps, Markdown or JSON. Same evidence path and
 * context flags as `diagnose`; only the output differs.
 */
import type { Command } from 'commander';
import { buildPlan } from '../../core/plan/index.js';
import { PLAN_TARGETS, type PlanTarget, renderPlan } from '../../core/render/index.js';
import { addContextOptions, type ContextOptions, contextFrom } from '../context.js';
import { diagnoseInput, loadRolesOption, ROLES_OPTION_HELP } from '../diagnosis.js';
import { CliError, EXIT } from '../errors.js';
import { writeOutput } from '../output.js';

export function register(cmd: Command): void {
  addContextOptions(
    cmd
      .argument('<file>', 'file with the error output, or - to read standard input')
      .option('-f, --format <format>', `output: ${PLAN_TARGETS.join(' | ')}`, 'gcloud')
      .option('--option <id>', 'plan option to render for terraform / console (default: the recommended one)')
      .option('--roles <file>', ROLES_OPTION_HELP)
      .option('-o, --output <file>', 'write the result to a file instead of standard output'),
  ).action(
    async (
      file: string,
      opts: ContextOptions & { format: string; roles?: string; option?: string; output?: string },
    ) => {
      if (!PLAN_TARGETS.includes(opts.format as PlanTarget)) {
        throw new CliError(`unknown --format '${opts.format}' (use ${PLAN_TARGETS.join(', ')})`, EXIT.usage);
      }
      const context = contextFrom(opts);
      const diagnosis = await diagnoseInput(file, context, { empty: 'plan a fix for', nothing: 'plan' });
      const roles = await loadRolesOption(opts.roles);
      const plan = buildPlan(diagnosis, roles ? { roles } : {});
      if (opts.option && !plan.options.some((o) => o.id === opts.option)) {
        throw new CliError(
          `unknown --option '${opts.option}' for this plan (use ${plan.options.map((o) => o.id).join(', ')})`,
          EXIT.usage,
        );
      }
      await writeOutput(
        opts.output,
        renderPlan(plan, opts.format as PlanTarget, opts.option ? { option: opts.option } : {}),
      );
    },
  );
}
