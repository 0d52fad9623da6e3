import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { formatOption } from '../format.js';
import { useColor } from '../output.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';
import { liveErrors } from './check.js';

interface FixFlags {
  apply?: boolean;
  yes?: boolean;
  option?: string;
  from?: string;
  color?: boolean;
  sandbox?: string | boolean;
  format: string;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function register(cmd: Command): void {
  addSandboxOption(cmd)
    .option('--apply', 'make the changes (default: dry run)')
    .option('--yes', 'do not ask before applying (required when not on a terminal)')
    .option('--option <id>', 'plan option to apply (default: the recommended one)')
    .option('--from <file>', 'check record to fix (default: .genai-doctor/last-check.json)')
    .addOption(formatOption(['text', 'json']))
    .option('--no-color', 'plain text')
    .action(async (flags: FixFlags) => withSandbox(flags.sandbox, () => fixCommand(flags)));
}

function fixCommand(flags: FixFlags): Promise<void> {
  return liveErrors(async () => {
    const { loadCheckRecord } = await import('../../live/records.js');
    const fix = await import('../../live/fix.js');
    const { renderPlan } = await import('../../core/render/index.js');
    const pc = (await import('picocolors')).default;
    const { RecordError } = await import('../../live/records.js');
    const record = await loadCheckRecord(flags.from).catch((e) => {
      throw e instanceof RecordError ? new CliError(e.message, EXIT.usage) : e;
    });
    // With --format json the narration is progress (stderr) and stdout is the result alone.
    const json = flags.format === 'json';
    const result = (r: Record<string, unknown>) => {
      if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    };
    const out = (s = '') => (json ? process.stderr : process.stdout).write(`${s}\n`);
    if (record.healthy) {
      out('The last check found nothing to fix: the call works.');
      result({ healthy: true, applied: false });
      return;
    }
    const color = !json && useColor(flags.color);
    let option: ReturnType<typeof fix.chooseOption>;
    let actions: ReturnType<typeof fix.toActions>;
    try {
      option = fix.chooseOption(record, flags.option);
      actions = fix.toActions(option, record);
    } catch (e) {
      if (e instanceof fix.FixRefusal) throw new CliError(e.message, EXIT.usage);
      throw e;
    }
    out(`Cause: ${record.plan.cause} (${record.plan.code}). ${record.plan.summary}`);
    out(`Options: ${record.plan.options.map((o) => (o.id === option.id ? `[${o.id}]` : o.id)).join('  ')}`);
    out(`Applying option ${option.id}: ${option.title}`);
    for (const a of actions) out(`  - ${fix.describeAction(a)}`);
    const summary = {
      cause: record.plan.cause,
      code: record.plan.code,
      option: option.id,
      actions: actions.map((a) => fix.describeAction(a)),
    };
    out();
    const client = await fix.operatorClient(record);
    const style = color ? { add: pc.green, remove: pc.red, dim: pc.dim } : undefined;
    for (const line of await fix.dryRun(actions, { client, log: out }, style)) out(line);
    out();
    if (!flags.apply) {
      out('Equivalent commands:');
      out(renderPlan({ ...record.plan, options: [option] }, 'gcloud').trimEnd());
      out();
      out('Dry run: nothing was changed. Apply with: genai-doctor fix --apply --yes');
      result({ ...summary, applied: false });
      return;
    }
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        throw new CliError('refusing to apply without --yes when not on a terminal', EXIT.usage);
      }
      if (!(await confirm(`Apply these ${actions.length} change(s)?`))) {
        out('Nothing applied.');
        result({ ...summary, applied: false });
        return;
      }
    }
    const { describeError, isGoogleApiError } = await import('../../gcp/errors.js');
    const { PolicyConflictError } = await import('../../live/iam-write.js');
    const { startApply } = await import('../../live/apply.js');
    const { stopRequests, signalExitCode } = await import('../signals.js');
    let run: ReturnType<typeof startApply> | undefined;
    const stop = stopRequests(
      (signal) =>
        process.stderr.write(
          `\n${signal}: stopping after the change in flight (send it again to exit at once; undo reconciles either way)\n`,
        ),
      (signal) => {
        // Forced: the change in flight stays `intended` in the record; undo reads the live state.
        const rec = run?.journal.record;
        if (!rec) return;
        const inFlight = rec.changes.at(-1)?.state === 'intended';
        rec.interrupted = {
          at: new Date().toISOString(),
          by: signal,
          inFlight: inFlight ? 'left-intended' : 'none',
        };
        run?.journal.saveNow();
      },
    );
    run = startApply(actions, record, option, { client, log: out, stopRequested: stop.requested });
    const { undoPath, stopped } = await run.done
      .catch((e) => {
        if (isGoogleApiError(e) || e instanceof Error) {
          throw new CliError(
            `apply stopped: ${describeError(e)}. The undo record in .genai-doctor/ lists every change that may have been made.`,
            // A refusal by Google or a policy that kept changing is a problem to report, not a bug.
            isGoogleApiError(e) || e instanceof PolicyConflictError ? EXIT.problem : EXIT.internal,
          );
        }
        throw e;
      })
      .finally(() => stop.dispose());
    if (stopped) {
      out();
      out(
        `Stopped by ${stopped.by}: the change in flight (${stopped.step}) finished and is recorded; later changes were not made.`,
      );
      out(`Undo record: ${undoPath}`);
      out(`Roll back with: genai-doctor undo ${undoPath}`);
      result({ ...summary, applied: false, stopped, undoRecord: undoPath });
      process.exitCode = signalExitCode(stopped.by);
      return;
    }
    out();
    out(`Undo record: ${undoPath}`);
    out('Next: genai-doctor verify   (undo with: genai-doctor undo <that file>)');
    result({ ...summary, applied: true, undoRecord: undoPath });
  });
}
