import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { liveErrors } from './check.js';

export function register(cmd: Command): void {
  cmd
    .argument('<file>', 'undo record written by fix --apply (.genai-doctor/undo-*.json)')
    .action(async (file: string) =>
      liveErrors(async () => {
        const { loadUndoRecord, RecordError } = await import('../../live/records.js');
        const { runUndo } = await import('../../live/undo.js');
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
        const steps = await runUndo(record, client, out);
        const failed = steps.filter((s) => s.outcome === 'failed').length;
        if (failed === 0) {
          record.undoneAt = new Date().toISOString();
          await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
        }
        out(failed ? `${failed} change(s) could not be reverted (see above).` : 'Undone.');
        process.exitCode = failed ? EXIT.problem : EXIT.ok;
      }),
    );
}
