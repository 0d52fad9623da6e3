import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { liveErrors } from './check.js';

export function register(cmd: Command): void {
  cmd
    .argument('<file>', 'undo record written by fix --apply (.genai-doctor/undo-*.json)')
    .action(async (file: string) =>
      liveErrors(async () => {
        const { loadUndoRecord, RecordError } = await import('../../live/records.js');
        const { fullyUndone, runUndo } = await import('../../live/undo.js');
        const { writeFile } = await import('node:fs/promises');
        const { adcClient } = await import('../../gcp/client.js');
        const record = await loadUndoRecord(file).catch((e) => {
          throw e instanceof RecordError ? new CliError(e.message, EXIT.usage) : e;
        });
        if (record.undoneAt)
          throw new CliError(`${file} was already undone at ${record.undoneAt}`, EXIT.usage);
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(
          `Undoing ${record.changes.length} change(s) made by fix (${record.option}) at ${record.createdAt}`,
        );
        const client = await adcClient();
        if (!record.completed)
          out(
            `The fix did not finish${record.interrupted ? ` (stopped by ${record.interrupted.by})` : ''}: reading the live state for every change it recorded, including intended ones.`,
          );
        const steps = await runUndo(record, client, out);
        if (fullyUndone(steps)) {
          record.undoneAt = new Date().toISOString();
          await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
          out('Undone.');
          process.exitCode = EXIT.ok;
          return;
        }
        const left = steps.filter((s) => !fullyUndone([s])).length;
        out(
          `Not fully undone: ${left} change(s) are still in place (see ✗ above). Run undo again once resolved.`,
        );
        process.exitCode = EXIT.problem;
      }),
    );
}
