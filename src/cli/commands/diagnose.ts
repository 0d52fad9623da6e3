/**
 * `genai-doctor diagnose FILE|-`: error text (+ what the user knows) -> ranked findings, the
 * least-privilege plan, rendered as text / Markdown runbook / JSON. Imports only the pure core:
 * no Google clients, no server, no Datadog on this path.
 */
import type { Command } from 'commander';
import { diagnose } from '../../core/diagnose/index.js';
import type { Context, OutputFormat, Runtime } from '../../core/model.js';
import { buildPlan } from '../../core/plan/index.js';
import { renderReport } from '../../core/render/index.js';
import { CliError, EXIT } from '../errors.js';
import { readInput } from '../input.js';

const FORMATS: readonly OutputFormat[] = ['text', 'md', 'json'];
export const RUNTIMES: readonly Runtime[] = [
  'cloud-run',
  'gke',
  'gce',
  'cloud-functions',
  'local',
  'colab',
  'vertex-workbench',
  'other',
];

export interface ContextOptions {
  project?: string;
  principal?: string;
  runtime?: string;
  location?: string;
  model?: string;
  service?: string;
  notes?: string;
}

/** Adds the context flags every evidence-reading command shares. */
export function addContextOptions(cmd: Command): Command {
  return cmd
    .option('--project <id>', 'the project the caller meant to use / runs in')
    .option('--principal <email>', 'the identity making the call (service account or user e-mail)')
    .option('--runtime <runtime>', `where the caller runs: ${RUNTIMES.join(' | ')}`)
    .option('--location <location>', 'the Vertex AI location the client uses (e.g. global, us-central1)')
    .option('--model <model>', 'the model the client calls')
    .option('--service <name>', 'the failing service / workload name (e.g. the Cloud Run service)')
    .option('--notes <text>', 'anything else you know ("works on retry", "uses an API key")');
}

/** Flags -> Context, rejecting an unknown runtime. */
export function contextFrom(opts: ContextOptions): Context {
  const ctx: Context = {};
  if (opts.runtime !== undefined) {
    if (!RUNTIMES.includes(opts.runtime as Runtime)) {
      throw new CliError(`unknown --runtime '${opts.runtime}' (use ${RUNTIMES.join(', ')})`, EXIT.usage);
    }
    ctx.runtime = opts.runtime as Runtime;
  }
  for (const key of ['project', 'principal', 'location', 'model', 'service', 'notes'] as const) {
    const v = opts[key]?.trim();
    if (v) ctx[key] = v;
  }
  return ctx;
}

function useColor(): boolean {
  return !!process.stdout.isTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

export function register(cmd: Command): void {
  addContextOptions(
    cmd
      .argument('<file>', 'file with the error output, or - to read standard input')
      .option('-f, --format <format>', `output format: ${FORMATS.join(' | ')}`, 'text')
      .option(
        '--roles <file>',
        'IAM role catalog (roles.list?view=FULL JSON, or .gz) for least-privilege choices',
      ),
  ).action(async (file: string, opts: ContextOptions & { format: string; roles?: string }) => {
    if (!FORMATS.includes(opts.format as OutputFormat)) {
      throw new CliError(`unknown --format '${opts.format}' (use ${FORMATS.join(', ')})`, EXIT.usage);
    }
    const context = contextFrom(opts);
    const text = await readInput(file);
    if (text.trim() === '') {
      throw new CliError(
        `${file === '-' ? 'standard input' : file} is empty: give the error output to diagnose`,
        EXIT.usage,
      );
    }
    const diagnosis = diagnose(text, context);
    if (diagnosis.noError) {
      throw new CliError(`nothing to diagnose: ${diagnosis.noError}`, EXIT.usage);
    }
    let roles: Awaited<ReturnType<typeof import('../../core/roles/load.js').loadRoleIndex>> | undefined;
    if (opts.roles) {
      const { loadRoleIndex } = await import('../../core/roles/load.js');
      try {
        roles = await loadRoleIndex(opts.roles);
      } catch (err) {
        throw new CliError(`cannot load --roles ${opts.roles}: ${(err as Error).message}`, EXIT.usage);
      }
    }
    const plan = buildPlan(diagnosis, roles ? { roles } : {});
    process.stdout.write(renderReport(diagnosis, plan, opts.format as OutputFormat, { color: useColor() }));
  });
}
