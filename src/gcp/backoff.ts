/**
 * Retries a Google call that was refused for load (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE) with
 * exponential backoff and jitter, waiting at least what the error's RetryInfo asks for. Every other
 * failure is final and is thrown at once.
 */
import { GoogleApiError } from './errors.js';

export interface BackoffOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** Told about each wait (for progress lines and tests). */
  onRetry?: (waitMs: number, err: GoogleApiError) => void;
}

const RETRYABLE = new Set([429, 503]);

function retryDelayMs(err: GoogleApiError): number | undefined {
  const m = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(err.body);
  return m ? Number(m[1]) * 1000 : undefined;
}

export async function withBackoff<T>(call: () => Promise<T>, opts: BackoffOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseMs ?? 250;
  const max = opts.maxMs ?? 16_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof GoogleApiError) || !RETRYABLE.has(e.httpStatus) || attempt >= attempts) throw e;
      const exp = Math.min(max, base * 2 ** (attempt - 1));
      const wait = Math.max(retryDelayMs(e) ?? 0, exp / 2 + Math.random() * (exp / 2));
      opts.onRetry?.(wait, e);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
