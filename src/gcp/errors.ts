/**
 * Google API failures as typed errors that keep the raw error body, so the diagnosis engine can
 * read exactly what Google said (status, reason, ErrorInfo metadata) instead of a paraphrase.
 */

import { redactSecrets } from '../core/redact.js';

export interface GoogleErrorDetail {
  '@type'?: string;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  [key: string]: unknown;
}

export interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: GoogleErrorDetail[];
  };
  // OAuth endpoints answer `{"error":"invalid_grant","error_description":"..."}` instead.
  error_description?: string;
}

export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    /** HTTP status, 0 when the request never got an answer (connection refused, DNS...). */
    readonly httpStatus: number,
    /** google.rpc status name (`PERMISSION_DENIED`), when the body carries one. */
    readonly status: string | undefined,
    /** ErrorInfo.reason (`IAM_PERMISSION_DENIED`, `SERVICE_DISABLED`...), when present. */
    readonly reason: string | undefined,
    message: string,
    /** The body exactly as received (JSON text), for `diagnose`. */
    readonly body: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(message);
  }

  /** The text to hand to `diagnose`: the HTTP status line and the raw body, as a user would paste. */
  diagnosable(): string {
    return this.httpStatus
      ? `HTTP ${this.httpStatus} ${this.method} ${this.url}\n${this.body}`
      : this.message;
  }
}

/** Builds the typed error from an HTTP answer; `data` is the parsed body or its text. */
export function toGoogleApiError(
  httpStatus: number,
  data: unknown,
  method: string,
  url: string,
  fallbackMessage: string,
): GoogleApiError {
  const body = typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  let parsed: GoogleErrorBody | undefined;
  try {
    parsed = (typeof data === 'string' ? JSON.parse(data) : data) as GoogleErrorBody;
  } catch {
    parsed = undefined;
  }
  const err = parsed?.error;
  if (err && typeof err === 'object') {
    const info = err.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
    return new GoogleApiError(
      httpStatus,
      err.status,
      info?.reason,
      err.message ?? fallbackMessage,
      body,
      method,
      url,
    );
  }
  if (typeof parsed?.error === 'string') {
    const oauth = parsed as unknown as { error: string; error_description?: string };
    return new GoogleApiError(
      httpStatus,
      undefined,
      oauth.error,
      `${oauth.error}: ${oauth.error_description ?? ''}`.trim(),
      body,
      method,
      url,
    );
  }
  return new GoogleApiError(httpStatus, undefined, undefined, fallbackMessage, body, method, url);
}

export function isGoogleApiError(e: unknown): e is GoogleApiError {
  return e instanceof GoogleApiError;
}

/** True for a stale-etag answer to setIamPolicy: the whole read-modify-write must be redone. */
export function isConcurrentModification(e: unknown): boolean {
  return isGoogleApiError(e) && (e.httpStatus === 409 || e.status === 'ABORTED');
}

export function isNotFound(e: unknown): boolean {
  return isGoogleApiError(e) && e.httpStatus === 404;
}

export function isAlreadyExists(e: unknown): boolean {
  return isGoogleApiError(e) && (e.status === 'ALREADY_EXISTS' || (e.httpStatus === 409 && !e.status));
}

export function isPermissionDenied(e: unknown): boolean {
  return isGoogleApiError(e) && e.httpStatus === 403;
}

/** One line for a probe or log: `403 PERMISSION_DENIED: message`, secrets redacted. */
/**
 * The same failure with what was being attempted put in front of its message; a Google error keeps
 * its status, reason and raw body (what the diagnosis reads).
 */
export function withContext(e: unknown, doing: string): Error {
  if (isGoogleApiError(e))
    return new GoogleApiError(
      e.httpStatus,
      e.status,
      e.reason,
      `${doing}: ${e.message}`,
      e.body,
      e.method,
      e.url,
    );
  return new Error(`${doing}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

export function describeError(e: unknown): string {
  if (isGoogleApiError(e)) {
    const head = [e.httpStatus || undefined, e.status].filter(Boolean).join(' ');
    return redactSecrets(head ? `${head}: ${e.message}` : e.message);
  }
  return redactSecrets(e instanceof Error ? e.message : String(e));
}
