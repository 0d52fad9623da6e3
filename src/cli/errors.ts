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

/** A remote API that refuses (bad keys, no access) is a problem to report (exit 1), not a crash. */
export async function remoteCall<T>(run: () => Promise<T>, what: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as { code?: number; status?: number; message?: string; body?: unknown };
    const status = e.code ?? e.status;
    const detail =
      typeof e.body === 'object' ? JSON.stringify(e.body).slice(0, 300) : (e.message ?? String(err));
    const why = typeof status === 'number' ? ` (HTTP ${status})` : e.code ? ` (${e.code})` : '';
    throw new CliError(`${what} request failed${why}: ${detail}`, EXIT.problem);
  }
}
