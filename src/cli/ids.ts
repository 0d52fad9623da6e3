/**
 * Option parsers for flags that name an id (`--project`, `--principal`, `--region`...): a value
 * that is not a valid id of its kind (core/ids.ts) is a usage error (exit 2) with a message
 * saying what was expected, instead of a diagnosis built on it (`--project 'My Project!'` used to
 * be diagnosed as a project mismatch) or a flag smuggled into a suggested command.
 */
import { InvalidArgumentError } from 'commander';
import { CONTEXT_ID_KINDS, type IdKind, idProblem, isValidId } from '../core/ids.js';
import { CliError, EXIT } from './errors.js';

/** The value, trimmed, when it is a valid id of one of `kinds` (blank passes: "not given"). */
export function checkId(flag: string, kinds: readonly IdKind[], raw: string): string {
  const value = raw.trim();
  if (value === '' || kinds.some((k) => isValidId(k, value))) return value;
  throw new CliError(`${flag}: ${idProblem(kinds, value)}`, EXIT.usage);
}

/** A commander option parser for `kinds` (commander turns the error into exit 2 with its message). */
export function idArg(kinds: IdKind | readonly IdKind[]): (value: string) => string {
  const list = typeof kinds === 'string' ? [kinds] : kinds;
  return (value) => {
    const v = value.trim();
    if (v === '' || list.some((k) => isValidId(k, v))) return v;
    throw new InvalidArgumentError(`${idProblem(list, v)}.`);
  };
}

/** Kinds per flag, shared by every command that takes the flag. */
export const FLAG_KINDS = {
  ...CONTEXT_ID_KINDS,
  serviceAccount: ['email'],
} as const satisfies Record<string, readonly IdKind[]>;
