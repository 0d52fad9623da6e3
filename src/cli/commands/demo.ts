import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { useColor } from '../output.js';

interface DemoFlags {
  apply?: boolean;
  scenario: string;
  propagation: string;
  color?: boolean;
}

export function register(cmd: Command): void {
  cmd
    .option('--apply', 'continue with fix --apply, verify and a real image generation call')
    .option('--scenario <name>', 'sandbox scenario', 'seed-incident')
    .option('--propagation <seconds>', 'IAM propagation delay the sandbox simulates', '2')
    .option('--no-color', 'plain text')
    .action(async (flags: DemoFlags) => {
      const seconds = Number(flags.propagation);
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new CliError('--propagation takes a number of seconds');
      const { runDemo } = await import('../../live/demo.js');
      const res = await runDemo({
        apply: Boolean(flags.apply),
        scenario: flags.scenario,
        propagationMs: seconds * 1000,
        color: useColor(flags.color),
        out: (s) => process.stdout.write(`${s}\n`),
      });
      if (flags.apply && (!res.verified || !res.image)) process.exitCode = EXIT.problem;
    });
}
