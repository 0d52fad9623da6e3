/**
 * When to call the model again. Only throttling (catalog code 1153, `rate.throttled`) is retried:
 * every other failure is a configuration or request problem that the same call will hit again,
 * so retrying it blindly would only add latency and load.
 */
import type { CauseId } from 'genai-doctor';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryInput {
  cause: CauseId;
  /** Attempts made so far (1 after the first call). */
  attempts: number;
  /** RetryInfo.retryDelay the upstream sent, in seconds, if any. */
  retryDelaySeconds?: number;
  /** Time left before the request's deadline. */
  remainingMs: number;
  /** In [0, 1): spreads retries of concurrent requests apart. */
  jitter: number;
}

export type RetryDecision =
  | { retry: true; delayMs: number; basis: 'retry-info' | 'backoff' }
  | { retry: false; why: 'not-retryable' | 'attempts-exhausted' | 'deadline' };

/** Below this, a retry has no real chance of an answer before the deadline. */
const MIN_ATTEMPT_BUDGET_MS = 50;

export function decideRetry(input: RetryInput, policy: RetryPolicy): RetryDecision {
  if (input.cause !== 'rate.throttled') return { retry: false, why: 'not-retryable' };
  if (input.attempts >= policy.maxAttempts) return { retry: false, why: 'attempts-exhausted' };
  const fromServer = input.retryDelaySeconds !== undefined && input.retryDelaySeconds >= 0;
  // The server's RetryInfo is a floor: retrying sooner would be throttled again.
  const delayMs = fromServer
    ? Math.ceil(input.retryDelaySeconds! * 1000)
    : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (input.attempts - 1) * (1 + input.jitter));
  if (delayMs + MIN_ATTEMPT_BUDGET_MS > input.remainingMs) return { retry: false, why: 'deadline' };
  return { retry: true, delayMs: Math.round(delayMs), basis: fromServer ? 'retry-info' : 'backoff' };
}
