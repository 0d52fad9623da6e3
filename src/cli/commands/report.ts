import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';

export function register(cmd: Command): void {
  cmd.action(() => {
    throw new CliError('`report` is not built yet', EXIT.internal);
  });
}
