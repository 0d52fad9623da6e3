/** How the CLI writes to the terminal: one rule for colour across commands. */

/**
 * Colour only for a terminal, never when NO_COLOR is set (https://no-color.org), and never when
 * the user passed `--no-color` (commander gives `flag === false`).
 */
export function useColor(flag?: boolean, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false) return false;
  return !!stream.isTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
