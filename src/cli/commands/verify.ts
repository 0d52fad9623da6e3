import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { liveErrors } from './check.js';

interface VerifyFlags {
  timeout: string;
  interval: string;
  from?: string;
}

export function register(cmd: Command): void {
  cmd
    .option('--timeout <duration>', 'give up after this long (IAM changes can take 7 minutes or more)', '10m')
    .option('--interval <duration>', 'first wait between attempts; doubles each time', '2s')
    .option('--from <file>', 'check record to verify (default: .genai-doctor/last-check.json)')
    .action(async (flags: VerifyFlags) =>
      liveErrors(async () => {
        const { loadCheckRecord, RecordError } = await import('../../live/records.js');
        const { runVerify, parseDuration } = await import('../../live/verify.js');
        const timeoutMs = parseDuration(flags.timeout);
        const intervalMs = parseDuration(flags.interval);
        if (!timeoutMs || !intervalMs)
          throw new CliError('--timeout and --interval take durations like 10m, 90s, 500ms');
        const record = await loadCheckRecord(flags.from).catch((e) => {
          throw e instanceof RecordError ? new CliError(e.message, EXIT.usage) : e;
        });
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(
          `Verifying ${record.target?.model ?? ''} for ${record.options.cloudRun ? `Cloud Run ${record.options.cloudRun}` : (record.target?.principal ?? 'the caller')} (timeout ${flags.timeout})`,
        );
        const res = await runVerify(record.options, { timeoutMs, intervalMs, log: out });
        const secs = (res.elapsedMs / 1000).toFixed(1);
        if (res.ok) {
          out(
            `VERIFIED after ${secs} s (${res.attempts} attempt(s)): the permission is visible and a real call succeeds.`,
          );
          return;
        }
        const top = res.diagnosis?.findings[0];
        out(`NOT VERIFIED after ${secs} s (${res.attempts} attempt(s)).`);
        if (top) out(`Last finding: ${top.cause} (${top.code}) ${top.title}: ${top.summary}`);
        process.exitCode = EXIT.problem;
      }),
    );
}
