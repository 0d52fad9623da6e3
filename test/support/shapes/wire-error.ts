/**
 * The error under a case's text, as Google sent it: HTTP code, rpc status, message, details (and
 * the legacy `errors[]`). Read with the project's own parser: the innermost google.rpc.Status
 * object in the text when there is one (the lenient reader sees JSON, Python dict reprs and
 * escaped copies), else the facts parseFacts read from the text, when they name a code and a
 * message. Texts with neither have no error to re-render (only the log wrappers apply).
 */
import type { RpcStatus } from '../../../src/core/model.js';
import { parseFacts } from '../../../src/core/parse/index.js';
import { findObjects, isObject, type Lenient, type LenientObject } from '../../../src/core/parse/lenient.js';

export interface WireError {
  http: number;
  status: RpcStatus;
  message: string;
  details: LenientObject[];
  /** Legacy `errors[]` items ({message, domain, reason}), which Go and Java print. */
  errors: LenientObject[];
  /** Where it came from: a status object in the text, or facts read from prose. */
  from: 'status-object' | 'facts';
}

/** google.rpc.Code <-> HTTP, as google/rpc/code.proto maps them. */
const HTTP_OF: Partial<Record<RpcStatus, number>> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};
const STATUS_OF: Record<number, RpcStatus> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const RPC_STATUS = new Set(Object.keys(HTTP_OF));

export function underlyingError(text: string): WireError | undefined {
  return fromStatusObject(text) ?? fromFacts(text);
}

function fromStatusObject(text: string): WireError | undefined {
  let found: LenientObject | undefined;
  for (const { result } of findObjects(text)) {
    found = innermostStatus(result.value, 0);
    if (found) break;
  }
  if (!found) return undefined;
  const code = typeof found.code === 'number' ? found.code : undefined;
  const named =
    typeof found.status === 'string' && RPC_STATUS.has(found.status)
      ? (found.status as RpcStatus)
      : undefined;
  const http = code ?? (named ? HTTP_OF[named] : undefined);
  if (http === undefined || typeof found.message !== 'string') return undefined;
  return {
    http,
    status: named ?? STATUS_OF[http] ?? 'UNKNOWN',
    message: found.message,
    details: (Array.isArray(found.details) ? found.details : []).filter(isObject),
    errors: (Array.isArray(found.errors) ? found.errors : []).filter(isObject),
    from: 'status-object',
  };
}

/** The status object, descending into a message that is itself a serialised error body. */
function innermostStatus(v: Lenient, depth: number): LenientObject | undefined {
  if (depth > 8) return undefined;
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = innermostStatus(item, depth + 1);
      if (s) return s;
    }
    return undefined;
  }
  if (!isObject(v)) return undefined;
  const status = isObject(v.error) ? v.error : typeof v.message === 'string' && 'code' in v ? v : undefined;
  if (!status) {
    for (const child of Object.values(v)) {
      const s = innermostStatus(child, depth + 1);
      if (s) return s;
    }
    return undefined;
  }
  if (typeof status.message === 'string' && /^\s*[[{]/.test(status.message)) {
    for (const { result } of findObjects(status.message, 5)) {
      const inner = innermostStatus(result.value, depth + 1);
      if (inner) return inner;
    }
  }
  return status;
}

function fromFacts(text: string): WireError | undefined {
  const f = parseFacts(text);
  if (!f.message || (f.http === undefined && f.status === undefined)) return undefined;
  const http = f.http ?? (f.status ? HTTP_OF[f.status] : undefined) ?? 500;
  const status = f.status ?? STATUS_OF[http] ?? 'UNKNOWN';
  const details: LenientObject[] = [];
  const errors: LenientObject[] = [];
  if (f.reason && /^[A-Z][A-Z0-9_]+$/.test(f.reason)) {
    const metadata: LenientObject = {};
    if (f.service) metadata.service = f.service;
    if (f.consumer) metadata.consumer = f.consumer;
    // Quota errors carry the quota in ErrorInfo metadata too (RATE_LIMIT_EXCEEDED).
    if (f.quota?.metric) metadata.quota_metric = f.quota.metric;
    if (f.quota?.id) metadata.quota_limit = f.quota.id;
    if (f.quota?.limit) metadata.quota_limit_value = f.quota.limit;
    if (f.quota?.dimensions?.location) metadata.quota_location = f.quota.dimensions.location;
    details.push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: f.reason,
      domain: f.domain ?? f.service ?? 'googleapis.com',
      metadata,
    });
  } else if (f.reason) {
    errors.push({ message: f.message, domain: 'global', reason: f.reason });
  }
  const quotaViolations = (f.violations ?? []).filter((v) => v.kind === 'quota');
  if (f.quota && (f.quota.metric || f.quota.id)) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          ...(f.quota.metric ? { quotaMetric: f.quota.metric } : {}),
          ...(f.quota.id ? { quotaId: f.quota.id } : {}),
          ...(f.quota.dimensions ? { quotaDimensions: f.quota.dimensions } : {}),
          ...(f.quota.limit ? { quotaValue: f.quota.limit } : {}),
          ...(quotaViolations[0]?.description ? { description: quotaViolations[0].description } : {}),
        },
      ],
    });
  }
  const preconditions = (f.violations ?? []).filter(
    (v) => v.kind === 'precondition' || v.kind === 'org-policy',
  );
  if (preconditions.length) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
      violations: preconditions.map((v) => ({
        ...(v.type ? { type: v.type } : {}),
        ...(v.subject ? { subject: v.subject } : {}),
        ...(v.description ? { description: v.description } : {}),
      })),
    });
  }
  const fields = (f.violations ?? []).filter((v) => v.kind === 'field');
  if (fields.length) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: fields.map((v) => ({ field: v.field ?? '', description: v.description ?? '' })),
    });
  }
  if (f.retryDelaySeconds !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${f.retryDelaySeconds}s`,
    });
  }
  if (f.helpLinks?.length) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: f.helpLinks.map((l) => ({ description: l.description ?? '', url: l.url })),
    });
  }
  return { http, status, message: f.message, details, errors, from: 'facts' };
}

/** The REST body Google sends for the error (what the HTTP clients receive and re-print). */
export function restBody(e: WireError): LenientObject {
  const error: LenientObject = { code: e.http, message: e.message };
  if (e.errors.length) error.errors = e.errors;
  error.status = e.status;
  if (e.details.length) error.details = e.details;
  return { error };
}
