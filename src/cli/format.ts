/** `-f, --format` on every command that prints a result: one flag, its choices checked by commander. */
import { Option } from 'commander';

/** `-f, --format <format>` limited to `choices`; the first is the default. */
export function formatOption(choices: readonly string[], fallback = choices[0]): Option {
  return new Option('-f, --format <format>', `output format: ${choices.join(' | ')}`)
    .choices(choices)
    .default(fallback);
}

/** The older `--json`, kept as an alias of `--format json` (hidden from --help). */
export function jsonAlias(): Option {
  return new Option('--json', 'same as --format json').implies({ format: 'json' }).hideHelp();
}
