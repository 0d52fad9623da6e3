/** How the CLI writes its result: one rule for colour and for `-o FILE` across commands. */
import { writeFile } from 'node:fs/promises';
import { CliError, EXIT } from './errors.js';

/**
 * Colour on a terminal, unless the user passed `--no-color` (commander gives `flag === false`) or
 * set NO_COLOR (https://no-color.org); FORCE_COLOR (as in Node and chalk) forces it on anywhere,
 * or off with FORCE_COLOR=0.
 */
export function useColor(flag?: boolean, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false) return false;
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  return !!stream.isTTY;
}

/** The result to `file` (`-o`), else to standard output; a file that cannot be written is a usage error. */
export async function writeOutput(file: string | undefined, text: string): Promise<void> {
  if (file === undefined || file === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    await writeFile(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its directory does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? String(err));
    throw new CliError(`cannot write ${file}: ${why}`, EXIT.usage);
  }
}

/**
 * Files under `dir` (created as needed), each through the redactors like every other output; a
 * directory that cannot be written is a usage error.
 */
export async function writeFixFiles(
  dir: string,
  files: Array<{ path: string; text: string }>,
): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const { redactSecrets } = await import('../core/redact.js');
  try {
    for (const f of files) {
      const target = join(dir, f.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, redactSecrets(f.text));
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot write under ${dir}: ${code === 'EACCES' ? 'permission denied' : (code ?? String(err))}`,
      EXIT.usage,
    );
  }
}
