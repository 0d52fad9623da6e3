/** The Datadog side of the CLI (`logs --datadog`, `monitors --apply`): one rule for where and with what keys. */
import type { Command } from 'commander';
import { CliError } from './errors.js';

/** `--dd-url`, defaulting to GENAI_DOCTOR_DATADOG_URL (what `sandbox start` exports for its stand-in). */
export function addDatadogUrlOption(cmd: Command): Command {
  return cmd.option(
    '--dd-url <url>',
    'Datadog API base URL (default: GENAI_DOCTOR_DATADOG_URL, else from DD_SITE)',
  );
}

/** The Datadog base URL: the flag, else the environment when the request is made (--sandbox sets it). */
export function datadogUrl(flag: string | undefined): string | undefined {
  return flag ?? process.env.GENAI_DOCTOR_DATADOG_URL;
}

/** Datadog's API needs both keys; say so before any request (`flag` names what needs them). */
export function requireDatadogKeys(flag: string): void {
  if (!process.env.DD_API_KEY || !process.env.DD_APP_KEY) {
    throw new CliError(
      `${flag} needs DD_API_KEY and DD_APP_KEY in the environment (and DD_SITE outside US1)`,
    );
  }
}
