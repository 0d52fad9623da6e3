import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { formatOption } from '../format.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';
import { liveErrors } from './check.js';

export function register(cmd: Command): void {
  addSandboxOption(cmd)
    .argument('[file]', 'undo record written by fix --apply (default: the newest .genai-doctor/undo-*.json)')
    .addOption(formatOption(['text', 'json']))
    .action(async (file: string | undefined, flags: { sandbox?: string | boolean; format: string }) =>
      withSandbox(flags.sandbox, () => undoCommand(file, flags.format === 'json')),
    );
}

/** The newest undo record in the state directory: what the last `fix --apply` changed. */
async function newestUndoRecord(): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { stateDir } = await import('../../live/state.js');
  const dir = stateDir();
  const names = await readdir(dir).catch(() => [] as string[]);
  const newest = names
    .filter((n) => /^undo-.*\.json$/.test(n))
    .sort()
    .pop();
  if (!newest) throw new CliError(`no undo record in ${dir}: pass the file fix --apply wrote`, EXIT.usage);
  return join(dir, newest);
}

function undoCommand(given: string | undefined, json: boolean): Promise<void> {
  return liveErrors(async () => {
    const file = given ?? (await newestUndoRecord());
    const { loadUndoRecord, RecordError } = await import('../../live/records.js');
    const { fullyUndone, runUndo } = await import('../../live/undo.js');
    const { writeFile } = await import('node:fs/promises');
    const { adcClient } = await import('../../gcp/client.js');
    const record = await loadUndoRecord(file).catch((e) => {
      throw e instanceof RecordError ? new CliError(e.message, EXIT.usage) : e;
    });
    if (record.undoneAt) throw new CliError(`${file} was already undone at ${record.undoneAt}`, EXIT.usage);
    // With --format json the step lines are progress (stderr) and stdout is the result alone.
    const out = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
    out(`Undoing ${record.changes.length} change(s) made by fix (${record.option}) at ${record.createdAt}`);
    const client = await adcClient();
    if (!record.completed)
      out(
        `The fix did not finish${record.interrupted ? ` (stopped by ${record.interrupted.by})` : ''}: reading the live state for every change it recorded, including intended ones.`,
      );
    const steps = await runUndo(record, client, out);
    const undone = fullyUndone(steps);
    if (undone) {
      record.undoneAt = new Date().toISOString();
      await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
      out('Undone.');
    } else {
      const left = steps.filter((s) => !fullyUndone([s])).length;
      out(
        `Not fully undone: ${left} change(s) are still in place (see above). Run undo again once resolved.`,
      );
    }
    if (json) process.stdout.write(`${JSON.stringify({ file, undone, steps }, null, 2)}\n`);
    process.exitCode = undone ? EXIT.ok : EXIT.problem;
  });
}
