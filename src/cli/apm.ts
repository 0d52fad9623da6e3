/** The flags naming what Datadog APM watches: shared by `monitors` and `report` (its monitoring section). */
import type { Command } from 'commander';

export interface ApmOptions {
  env?: string;
  resource: string;
  spanName: string;
}

export function addApmOptions(cmd: Command): Command {
  return cmd
    .option('--env <env>', 'Datadog environment tag (env:...) for the monitors / queries')
    .option(
      '--resource <resource>',
      'APM resource of the Gemini-calling endpoint',
      'POST /api/v1/images/generate',
    )
    .option('--span-name <name>', 'span name of its trace metrics (trace.<name>.errors)', 'fastapi.request');
}
