/**
 * Readiness that knows about access: the service's own identity must be able to call its model in
 * its project and location. The verdict is cached and refreshed in the background (on an interval,
 * and sooner when a request sees access change), so /readyz answers instantly and never makes a
 * request wait for a check.
 */
import type { CauseId, ErrorCode } from 'genai-doctor';

export interface AccessFinding {
  cause: CauseId;
  code: ErrorCode;
  /** Client-safe sentence (served on /readyz). */
  summary: string;
  /** The diagnosis' own summary, naming principal, permission and project: for the log only. */
  detail?: string;
}

export type AccessVerdict =
  | { ok: true; check: string }
  | { ok: false; check: string; finding: AccessFinding };

export type AccessCheck = (signal: AbortSignal) => Promise<AccessVerdict>;

export type ReadinessStatus = 'starting' | 'ready' | 'not_ready';

export interface ReadinessSnapshot {
  status: ReadinessStatus;
  check: string;
  checkedAt?: string;
  finding?: AccessFinding;
  shuttingDown: boolean;
}

export interface ReadinessOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Request-triggered refreshes closer together than this are folded into one. */
  minGapMs?: number;
  onChange?: (now: ReadinessSnapshot, before: ReadinessSnapshot) => void;
}

export class Readiness {
  #snapshot: ReadinessSnapshot = { status: 'starting', check: 'pending', shuttingDown: false };
  #inFlight: Promise<ReadinessSnapshot> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastStarted = 0;
  #stopped = false;

  constructor(
    readonly check: AccessCheck,
    readonly options: ReadinessOptions,
  ) {}

  snapshot(): ReadinessSnapshot {
    return this.#snapshot;
  }

  /** Runs the first check now and keeps re-running it; returns the first check's result. */
  start(): Promise<ReadinessSnapshot> {
    this.#stopped = false;
    const first = this.refresh();
    this.#schedule();
    return first;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => this.#schedule());
    }, this.options.intervalMs);
    // A pending readiness check must never keep a stopping process alive.
    this.#timer.unref();
  }

  /** Runs a check unless one is already running (then shares its result). */
  refresh(): Promise<ReadinessSnapshot> {
    if (this.#inFlight) return this.#inFlight;
    this.#lastStarted = Date.now();
    this.#inFlight = this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** A request saw access change (a failure it attributes to access, or a success while not ready). */
  nudge(): void {
    if (this.#stopped || this.#inFlight) return;
    if (Date.now() - this.#lastStarted < (this.options.minGapMs ?? 1000)) return;
    void this.refresh();
  }

  async #run(): Promise<ReadinessSnapshot> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`access check timed out after ${this.options.timeoutMs} ms`)),
      this.options.timeoutMs,
    );
    let verdict: AccessVerdict;
    try {
      verdict = await Promise.race([
        this.check(controller.signal),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
        ),
      ]);
    } catch (err) {
      verdict = {
        ok: false,
        check: this.#snapshot.check === 'pending' ? 'access-check' : this.#snapshot.check,
        finding: {
          cause: 'unknown',
          code: 1199,
          summary: `The access check could not run: ${(err as Error).message}`,
        },
      };
    } finally {
      clearTimeout(timer);
    }
    const before = this.#snapshot;
    this.#snapshot = {
      status: verdict.ok ? 'ready' : 'not_ready',
      check: verdict.check,
      checkedAt: new Date().toISOString(),
      ...(verdict.ok ? {} : { finding: verdict.finding }),
      shuttingDown: before.shuttingDown,
    };
    const changed =
      before.status !== this.#snapshot.status || before.finding?.cause !== this.#snapshot.finding?.cause;
    if (changed) this.options.onChange?.(this.#snapshot, before);
    return this.#snapshot;
  }

  /** Shutdown: report not ready at once so the load balancer stops sending traffic. */
  markShuttingDown(): void {
    this.#snapshot = { ...this.#snapshot, shuttingDown: true };
    this.stop();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
