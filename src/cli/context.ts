/** What the user knows about the failing caller, as CLI flags -> the core's `Context`. */
import type { Command } from 'commander';
import type { Context, Runtime } from '../core/model.js';
import { isRuntime, RUNTIMES } from '../core/runtimes.js';
import { CliError, EXIT } from './errors.js';
import { FLAG_KINDS, idArg } from './ids.js';

export interface ContextOptions {
  project?: string;
  principal?: string;
  runtime?: string;
  location?: string;
  model?: string;
  service?: string;
  notes?: string;
  region?: string;
  actor?: string;
}

/** Adds the context flags every evidence-reading command shares. */
export function addContextOptions(cmd: Command): Command {
  return cmd
    .option('--project <id>', 'the project the caller meant to use / runs in', idArg(FLAG_KINDS.project))
    .option(
      '--principal <email>',
      'the identity making the call (service account or user e-mail)',
      idArg(FLAG_KINDS.principal),
    )
    .option('--runtime <runtime>', `where the caller runs: ${RUNTIMES.join(' | ')}`)
    .option(
      '--location <location>',
      'the Vertex AI location the client uses (e.g. global, us-central1)',
      idArg(FLAG_KINDS.location),
    )
    .option('--model <model>', 'the model the client calls', idArg(FLAG_KINDS.model))
    .option(
      '--service <name>',
      'the failing service / workload name (e.g. the Cloud Run service)',
      idArg(FLAG_KINDS.service),
    )
    .option(
      '--region <region>',
      'region of that Cloud Run service (fills REGION in the plan)',
      idArg(FLAG_KINDS.region),
    )
    .option(
      '--actor <email>',
      'the identity that acts as / impersonates the principal (e.g. the workload account minting its tokens)',
      idArg(FLAG_KINDS.actor),
    )
    .option('--notes <text>', 'anything else you know ("works on retry", "uses an API key")');
}

/** `--runtime` value -> Runtime; anything else is a usage error. */
export function parseRuntime(value: string): Runtime {
  if (isRuntime(value)) return value;
  throw new CliError(`unknown --runtime '${value}' (use ${RUNTIMES.join(', ')})`, EXIT.usage);
}

/** Flags -> Context, rejecting an unknown runtime; blank values count as not given. */
export function contextFrom(opts: ContextOptions): Context {
  const ctx: Context = {};
  if (opts.runtime !== undefined) ctx.runtime = parseRuntime(opts.runtime);
  for (const key of [
    'project',
    'principal',
    'location',
    'model',
    'service',
    'notes',
    'region',
    'actor',
  ] as const) {
    const v = opts[key]?.trim();
    if (v) ctx[key] = v;
  }
  return ctx;
}
