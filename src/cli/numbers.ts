/** Whole-number flags (`--port`, `--limit`...): one parser, one wording for a bad value. */
import { CliError, EXIT } from './errors.js';

/**
 * `value` of flag `--name` as an integer in [min, max]; a usage error otherwise. `min` 0 reads
 * "a non-negative integer", 1 "a positive integer".
 */
export function intFlag(name: string, value: string, range: { min: 0 | 1; max?: number }): number {
  const n = Number(value);
  if (
    value.trim() === '' ||
    !Number.isInteger(n) ||
    n < range.min ||
    (range.max !== undefined && n > range.max)
  ) {
    const kind = range.min === 0 ? 'a non-negative integer' : 'a positive integer';
    const upTo = range.max !== undefined ? ` up to ${range.max}` : '';
    throw new CliError(`--${name} must be ${kind}${upTo}, got "${value}"`, EXIT.usage);
  }
  return n;
}
