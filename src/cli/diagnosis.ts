/**
 * The evidence path `diagnose` and `plan` share: read the error text, diagnose it, and load the
 * optional role catalog. Pure core only (the role loader is imported only when --roles is given).
 */
import { diagnose } from '../core/diagnose/index.js';
import type { Context, Diagnosis } from '../core/model.js';
import type { RoleIndex } from '../core/roles/index.js';
import { CliError, EXIT } from './errors.js';
import { readInput } from './input.js';

export const ROLES_OPTION_HELP =
  'IAM role catalog (roles.list?view=FULL JSON, or .gz) for least-privilege choices';

/**
 * Reads FILE (or - for stdin) and diagnoses it. `purpose` finishes the messages for an empty or
 * error-free input ("diagnose", "plan a fix for").
 */
export async function diagnoseInput(
  file: string,
  context: Context,
  purpose: { empty: string; nothing: string },
): Promise<Diagnosis> {
  const text = await readInput(file);
  if (text.trim() === '') {
    throw new CliError(
      `${file === '-' ? 'standard input' : file} is empty: give the error output to ${purpose.empty}`,
      EXIT.usage,
    );
  }
  const diagnosis = diagnose(text, context);
  if (diagnosis.noError)
    throw new CliError(`nothing to ${purpose.nothing}: ${diagnosis.noError}`, EXIT.usage);
  return diagnosis;
}

/** `--roles FILE` -> the role index; a file that does not load is a usage error. */
export async function loadRolesOption(file: string | undefined): Promise<RoleIndex | undefined> {
  if (!file) return undefined;
  const { loadRoleIndex } = await import('../core/roles/load.js');
  try {
    return await loadRoleIndex(file);
  } catch (err) {
    throw new CliError(`cannot load --roles ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}
