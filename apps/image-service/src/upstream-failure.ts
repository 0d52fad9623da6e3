/**
 * Turns whatever a model call threw into the text the diagnosis core reads, plus the kind of
 * failure (which decides the HTTP status when the diagnosis alone cannot: a timeout is 504 even
 * though its cause is `unknown`).
 */
import { ApiError } from '@google/genai';
import { NoImageError } from './image-model.js';

export type UpstreamFailureKind =
  /** Google answered with an error status (the SDK's ApiError, body = Google's JSON error). */
  | 'api-error'
  /** The request's deadline passed before the model answered. */
  | 'timeout'
  /** No HTTP answer at all: refused, reset, DNS. */
  | 'network'
  /** The model answered 200 without an image. */
  | 'no-image'
  /** Credentials could not be obtained (google-auth-library / metadata server). */
  | 'credentials'
  | 'other';

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  /** Upstream HTTP status, when there was one. */
  httpStatus?: number;
  /** What diagnose() reads: Google's error body as sent, or the client library's message. */
  text: string;
  /** NoImageError details. */
  finishReason?: string;
}

/** The reason an AbortController was aborted with when the request deadline passes. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(readonly deadlineMs: number) {
    super(`DEADLINE_EXCEEDED: the model did not answer within the request deadline of ${deadlineMs} ms`);
  }
}

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = err;
  while (cur && chain.length < 5) {
    chain.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function classifyUpstreamError(err: unknown, signal?: AbortSignal): UpstreamFailure {
  if (signal?.aborted && signal.reason instanceof DeadlineExceeded) {
    return { kind: 'timeout', text: signal.reason.message };
  }
  if (err instanceof NoImageError) {
    return {
      kind: 'no-image',
      text: err.message,
      ...(err.finishReason ? { finishReason: err.finishReason } : {}),
    };
  }
  if (err instanceof ApiError) {
    return { kind: 'api-error', httpStatus: err.status, text: err.message };
  }
  const chain = causeChain(err);
  const code = chain
    .map((e) => (e as { code?: unknown }).code)
    .find((c) => typeof c === 'string' && NETWORK_CODES.has(c));
  const message = chain
    .map((e) => (e instanceof Error ? e.message : String(e)))
    .filter(Boolean)
    .join(': ');
  if (code) return { kind: 'network', text: `${message} (${code})` };
  const name = err instanceof Error ? err.name : '';
  // google-auth-library's ADC failures and token endpoint errors (GaxiosError) carry Google's
  // own wording ("Could not load the default credentials", invalid_grant ...): diagnose reads it.
  if (/credential|invalid_grant|unauthori[sz]ed_client|metadata/i.test(message) || name === 'GaxiosError') {
    const status = (err as { response?: { status?: number } }).response?.status;
    return { kind: 'credentials', text: message, ...(status ? { httpStatus: status } : {}) };
  }
  return { kind: 'other', text: message || 'unknown error' };
}
