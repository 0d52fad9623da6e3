import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { formatOption } from '../format.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';
import { liveErrors } from './check.js';

interface VerifyFlags {
  timeout: string;
  interval: string;
  from?: string;
  sandbox?: string | boolean;
  format: string;
}

export function register(cmd: Command): void {
  addSandboxOption(cmd)
    .option('--timeout <duration>', 'give up after this long (IAM changes can take 7 minutes or more)', '10m')
    .option('--interval <duration>', 'first wait between attempts; doubles each time', '2s')
    .option('--from <file>', 'check record to verify (default: .genai-doctor/last-check.json)')
    .addOption(formatOption(['text', 'json']))
    .action(async (flags: VerifyFlags) => withSandbox(flags.sandbox, () => verifyCommand(flags)));
}

function verifyCommand(flags: VerifyFlags): Promise<void> {
  return liveErrors(async () => {
    const { loadCheckRecord, RecordError } = await import('../../live/records.js');
    const { runVerify, parseDuration } = await import('../../live/verify.js');
    const timeoutMs = parseDuration(flags.timeout);
    const intervalMs = parseDuration(flags.interval);
    if (!timeoutMs || !intervalMs)
      throw new CliError('--timeout and --interval take durations like 10m, 90s, 500ms');
    const record = await loadCheckRecord(flags.from).catch((e) => {
      throw e instanceof RecordError ? new CliError(e.message, EXIT.usage) : e;
    });
    // With --format json the attempts are progress (stderr) and stdout is the result alone.
    const json = flags.format === 'json';
    const out = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
    out(
      `Verifying ${record.target?.model ?? ''} for ${record.options.cloudRun ? `Cloud Run ${record.options.cloudRun}` : (record.target?.principal ?? 'the caller')} (timeout ${flags.timeout})`,
    );
    const res = await runVerify(record.options, { timeoutMs, intervalMs, log: out });
    const secs = (res.elapsedMs / 1000).toFixed(1);
    const top = res.ok ? undefined : res.diagnosis?.findings[0];
    if (!res.ok) process.exitCode = EXIT.problem;
    if (json) {
      const lastFinding = top
        ? { cause: top.cause, code: top.code, title: top.title, summary: top.summary }
        : null;
      const result = { verified: res.ok, attempts: res.attempts, elapsedMs: res.elapsedMs, lastFinding };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (res.ok) {
      out(
        `VERIFIED after ${secs} s (${res.attempts} attempt(s)): the permission is visible and a real call succeeds.`,
      );
      return;
    }
    out(`NOT VERIFIED after ${secs} s (${res.attempts} attempt(s)).`);
    if (top) out(`Last finding: ${top.cause} (${top.code}) ${top.title}: ${top.summary}`);
  });
}
