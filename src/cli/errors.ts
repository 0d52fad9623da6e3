/** Exit codes every command shares. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (check found a failing probe, verify timed out...). */
  problem: 1,
  /** Bad input: usage error, unreadable file, empty or non-error input. */
  usage: 2,
  internal: 70,
} as const;

/** An error meant for the user: printed as one clear line, never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
