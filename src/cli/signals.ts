/** Long-running commands (`serve`, `sandbox start`) run until Ctrl-C or a TERM signal. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const SIGNAL_NUMBER: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

/** The shell's exit code for a run ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: string): number {
  return 128 + (SIGNAL_NUMBER[signal] ?? 0);
}

export interface StopRequests {
  /** The first signal received, if any: the work stops at its next safe point. */
  requested(): string | undefined;
  dispose(): void;
}

/**
 * While a command changes things (fix --apply), SIGINT / SIGTERM do not kill it mid-change: the
 * first asks it to stop after the step in flight (`onFirst` tells the user); a second one runs
 * `forced` (synchronous: it must leave a record) and exits at once.
 */
export function stopRequests(
  onFirst: (signal: string) => void,
  forced: (signal: string) => void,
): StopRequests {
  let first: string | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      onFirst(signal);
      return;
    }
    forced(signal);
    process.exit(signalExitCode(first));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => first,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
