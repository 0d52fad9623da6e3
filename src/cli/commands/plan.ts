/**
 * `genai-doctor plan FILE|-`: error text (+ what the user knows) -> the least-privilege fix as a
 * runnable gcloud script, Terraform, Console steps, Markdown or JSON. Same evidence path and
 * context flags as `diagnose`; only the output differs.
 */
import type { Command } from 'commander';
import { diagnose } from '../../core/diagnose/index.js';
import { buildPlan } from '../../core/plan/index.js';
import { PLAN_TARGETS, type PlanTarget, renderPlan } from '../../core/render/index.js';
import type { RoleIndex } from '../../core/roles/index.js';
import { CliError, EXIT } from '../errors.js';
import { readInput } from '../input.js';
import { addContextOptions, type ContextOptions, contextFrom } from './diagnose.js';

export function register(cmd: Command): void {
  addContextOptions(
    cmd
      .argument('<file>', 'file with the error output, or - to read standard input')
      .option('-f, --format <format>', `output: ${PLAN_TARGETS.join(' | ')}`, 'gcloud')
      .option('--option <id>', 'plan option to render for terraform / console (default: the recommended one)')
      .option(
        '--roles <file>',
        'IAM role catalog (roles.list?view=FULL JSON, or .gz) for least-privilege choices',
      ),
  ).action(
    async (file: string, opts: ContextOptions & { format: string; roles?: string; option?: string }) => {
      if (!PLAN_TARGETS.includes(opts.format as PlanTarget)) {
        throw new CliError(`unknown --format '${opts.format}' (use ${PLAN_TARGETS.join(', ')})`, EXIT.usage);
      }
      const context = contextFrom(opts);
      const text = await readInput(file);
      if (text.trim() === '') {
        throw new CliError(
          `${file === '-' ? 'standard input' : file} is empty: give the error output to plan a fix for`,
          EXIT.usage,
        );
      }
      const diagnosis = diagnose(text, context);
      if (diagnosis.noError) throw new CliError(`nothing to plan: ${diagnosis.noError}`, EXIT.usage);
      let roles: RoleIndex | undefined;
      if (opts.roles) {
        const { loadRoleIndex } = await import('../../core/roles/load.js');
        try {
          roles = await loadRoleIndex(opts.roles);
        } catch (err) {
          throw new CliError(`cannot load --roles ${opts.roles}: ${(err as Error).message}`, EXIT.usage);
        }
      }
      const plan = buildPlan(diagnosis, roles ? { roles } : {});
      if (opts.option && !plan.options.some((o) => o.id === opts.option)) {
        throw new CliError(
          `unknown --option '${opts.option}' for this plan (use ${plan.options.map((o) => o.id).join(', ')})`,
          EXIT.usage,
        );
      }
      process.stdout.write(
        renderPlan(plan, opts.format as PlanTarget, opts.option ? { option: opts.option } : {}),
      );
    },
  );
}
