/**
 * Turns one parsed log object (Datadog Logs API v2 event, the JSON a Datadog-instrumented service
 * writes / the UI exports, a Cloud Logging LogEntry, a Cloud Audit Log entry) into a LogRecord,
 * or nothing when the record is not a failure. Only failures are worth a diagnosis.
 */

import type { LogRecord } from '../core/incidents/model.js';
import type { Context } from '../core/model.js';

type Obj = Record<string, unknown>;

const FAILURE_LEVELS = new Set(['error', 'critical', 'alert', 'emergency', 'fatal', 'err', 'crit', 'emerg']);

/** Google status names that make a record a failure whatever its level says. */
export const GOOGLE_FAILURE_WORDS =
  /\b(PERMISSION_DENIED|RESOURCE_EXHAUSTED|UNAUTHENTICATED|SERVICE_DISABLED|BILLING_DISABLED|CONSUMER_INVALID|API_KEY_INVALID|DefaultCredentialsError|RefreshError)\b/;

/** google.rpc.Code -> [HTTP status, canonical name], for audit entries that only carry the code. */
const RPC_CODES: Record<number, [number, string]> = {
  1: [499, 'CANCELLED'],
  2: [500, 'UNKNOWN'],
  3: [400, 'INVALID_ARGUMENT'],
  4: [504, 'DEADLINE_EXCEEDED'],
  5: [404, 'NOT_FOUND'],
  7: [403, 'PERMISSION_DENIED'],
  8: [429, 'RESOURCE_EXHAUSTED'],
  9: [400, 'FAILED_PRECONDITION'],
  10: [409, 'ABORTED'],
  13: [500, 'INTERNAL'],
  14: [503, 'UNAVAILABLE'],
  16: [401, 'UNAUTHENTICATED'],
};

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

function get(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Epoch ms from an ISO string (any fraction digits), a Date, or epoch seconds / ms. */
export function parseTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return parseTime(Number(v));
  const t = Date.parse(v.includes(' ') && !v.includes('T') ? v.replace(' ', 'T').replace(',', '.') : v);
  return Number.isNaN(t) ? undefined : t;
}

function tagMap(tags: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(tags)) return m;
  for (const t of tags) {
    if (typeof t !== 'string') continue;
    const i = t.indexOf(':');
    if (i > 0 && !m.has(t.slice(0, i))) m.set(t.slice(0, i), t.slice(i + 1));
  }
  return m;
}

/** Any record shape -> the records it holds (a saved API page holds many). */
export function* expandRecords(o: unknown): Generator<unknown> {
  if (Array.isArray(o)) {
    yield* o;
    return;
  }
  if (
    isObj(o) &&
    Array.isArray(o.data) &&
    (o.meta !== undefined ||
      o.links !== undefined ||
      o.data.length === 0 ||
      (isObj(o.data[0]) && (o.data[0] as Obj).type === 'log'))
  ) {
    yield* o.data;
    return;
  }
  if (isObj(o) && Array.isArray(o.entries) && o.logName === undefined) {
    yield* o.entries;
    return;
  }
  yield o;
}

/** The one entry point: a parsed object -> a failing LogRecord, or undefined. */
export function toFailureRecord(o: unknown, line?: number): LogRecord | undefined {
  if (!isObj(o)) return undefined;
  if (isObj(o.protoPayload) || o.logName !== undefined || (isObj(o.resource) && o.severity !== undefined)) {
    return fromCloudLogging(o, line);
  }
  if (o.type === 'log' && isObj(o.attributes)) return fromDatadog(o.attributes, str(o.id), line);
  return fromDatadog(o, undefined, line);
}

function withLine(r: LogRecord, line: number | undefined): LogRecord {
  if (line !== undefined) r.line = line;
  for (const k of Object.keys(r) as Array<keyof LogRecord>) if (r[k] === undefined) delete r[k];
  return r;
}

// ---------------------------------------------------------------------------------------------
// Datadog

/**
 * A Datadog event's attributes (API shape: reserved attributes at the top, the rest under
 * `attributes`), or a raw / UI-exported log (everything at the top level).
 */
function fromDatadog(a: Obj, id: string | undefined, line: number | undefined): LogRecord | undefined {
  const custom: Obj = isObj(a.attributes) ? a.attributes : a;
  const level = str(a.status) ?? str(a.level) ?? str(custom.level) ?? str(get(custom, 'log', 'level'));
  const message = str(a.message) ?? str(custom.message) ?? str(a.msg) ?? '';
  const error = isObj(custom.error) ? custom.error : undefined;
  const errMessage = str(error?.message);
  const failing =
    (level !== undefined && FAILURE_LEVELS.has(level.toLowerCase())) ||
    errMessage !== undefined ||
    GOOGLE_FAILURE_WORDS.test(message);
  if (!failing) return undefined;

  let text = message;
  if (errMessage && !message.includes(errMessage)) {
    const kind = str(error?.kind);
    text = `${message}${message ? '\n' : ''}${kind ? `${kind}: ` : ''}${errMessage}`;
  }
  if (!text && error?.stack) text = String(error.stack);
  if (!text) return undefined;

  const tags = tagMap(a.tags ?? custom.ddtags ?? custom.tags);
  const dd = isObj(custom.dd) ? custom.dd : {};
  const ddTrace =
    str(dd.trace_id) ??
    str(custom['dd.trace_id']) ??
    str(custom.trace_id) ??
    str(get(custom, 'otel', 'trace_id'));
  const statusCode = Number(get(custom, 'http', 'status_code') ?? NaN);
  const origin = tags.get('origin');
  const runtime: Context['runtime'] | undefined =
    origin === 'cloudrun' || tags.has('revision_name')
      ? 'cloud-run'
      : tags.has('kube_namespace') || tags.has('pod_name')
        ? 'gke'
        : undefined;
  return withLine(
    {
      source: 'datadog',
      id: id ?? str(a.id) ?? str(custom._id),
      time: parseTime(a.timestamp ?? a.date ?? a['@timestamp'] ?? custom.timestamp ?? custom.date),
      service: str(a.service) ?? str(dd.service) ?? tags.get('service'),
      env: str(dd.env) ?? tags.get('env'),
      host: str(a.host) ?? str(custom.hostname),
      runtimeProject: tags.get('project_id') ?? tags.get('project') ?? tags.get('gcp_project'),
      runtimeLocation: tags.get('location') ?? tags.get('region'),
      runtime,
      traceId: ddTrace,
      spanId: str(dd.span_id) ?? str(custom['dd.span_id']),
      level,
      text,
      httpStatus: Number.isFinite(statusCode) ? statusCode : undefined,
    },
    line,
  );
}

// ---------------------------------------------------------------------------------------------
// Cloud Logging

function fromCloudLogging(e: Obj, line: number | undefined): LogRecord | undefined {
  const proto = isObj(e.protoPayload) ? e.protoPayload : undefined;
  if (proto && String(proto['@type'] ?? '').endsWith('google.cloud.audit.AuditLog'))
    return fromAudit(e, proto, line);

  const severity = str(e.severity);
  const json = isObj(e.jsonPayload) ? e.jsonPayload : undefined;
  const message =
    str(json?.message) ??
    str(get(json, 'error', 'message')) ??
    str(json?.msg) ??
    str(e.textPayload) ??
    (json ? JSON.stringify(json) : proto ? JSON.stringify(proto) : '');
  const failing =
    (severity !== undefined && FAILURE_LEVELS.has(severity.toLowerCase())) ||
    GOOGLE_FAILURE_WORDS.test(message);
  if (!failing || !message) return undefined;

  const stack = str(json?.stack_trace) ?? str(json?.exception);
  const text = stack && !message.includes(stack) ? `${message}\n${stack}` : message;
  const labels = (get(e, 'resource', 'labels') ?? {}) as Obj;
  const resourceType = str(get(e, 'resource', 'type'));
  const http = isObj(e.httpRequest) ? e.httpRequest : undefined;
  return withLine(
    {
      source: 'cloud-logging',
      id: str(e.insertId),
      time: parseTime(e.timestamp ?? e.receiveTimestamp),
      service:
        str(labels.service_name) ??
        str(labels.function_name) ??
        str(labels.container_name) ??
        str(get(e, 'labels', 'service')),
      runtimeProject: str(labels.project_id) ?? projectOfLogName(str(e.logName)),
      runtimeLocation: str(labels.location) ?? str(labels.region) ?? str(labels.zone),
      runtime: runtimeOf(resourceType),
      traceId: traceIdOf(str(e.trace)),
      spanId: str(e.spanId),
      level: severity,
      text,
      httpStatus: http ? Number(http.status) || undefined : undefined,
    },
    line,
  );
}

function runtimeOf(type: string | undefined): Context['runtime'] | undefined {
  switch (type) {
    case 'cloud_run_revision':
    case 'cloud_run_job':
      return 'cloud-run';
    case 'k8s_container':
    case 'k8s_pod':
      return 'gke';
    case 'gce_instance':
      return 'gce';
    case 'cloud_function':
      return 'cloud-functions';
    default:
      return undefined;
  }
}

function projectOfLogName(logName: string | undefined): string | undefined {
  return logName?.match(/^projects\/([^/]+)\//)?.[1];
}

/** `projects/P/traces/HEX` -> HEX (what Cloud Trace and the log explorer show). */
function traceIdOf(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const i = trace.lastIndexOf('/');
  return i >= 0 ? trace.slice(i + 1) : trace;
}

/**
 * A Cloud Audit Log entry: the principal (authenticationInfo.principalEmail) and the denied
 * permission (authorizationInfo[].granted == false) that the application's error hides.
 */
function fromAudit(e: Obj, p: Obj, line: number | undefined): LogRecord | undefined {
  const code = Number(get(p, 'status', 'code') ?? 0);
  const authz = Array.isArray(p.authorizationInfo) ? (p.authorizationInfo as unknown[]).filter(isObj) : [];
  const denied = authz.find((a) => a.granted === false);
  if (!code && !denied) return undefined;

  const [http, name] = RPC_CODES[code] ?? (denied ? [403, 'PERMISSION_DENIED'] : [500, 'UNKNOWN']);
  const permission = str(denied?.permission);
  const resource = str(denied?.resource) ?? str(p.resourceName);
  let message = str(get(p, 'status', 'message')) ?? '';
  if (permission && !message.includes(permission)) {
    message = `${message ? `${message} ` : ''}Permission '${permission}' denied on resource '${resource ?? ''}'.`;
  }
  const principal = str(get(p, 'authenticationInfo', 'principalEmail'));
  const method = str(p.methodName);
  const service = str(p.serviceName);
  // The text reads like the API error the caller got, so the engine sees the usual shape.
  const text = `${http} ${name}: ${message}${service ? ` (service: ${service}` : ''}${method ? `, method: ${method}` : ''}${service ? ')' : ''}${principal ? ` principal: ${principal}` : ''}`;
  const labels = (get(e, 'resource', 'labels') ?? {}) as Obj;
  return withLine(
    {
      source: 'cloud-audit',
      id: str(e.insertId),
      time: parseTime(e.timestamp ?? e.receiveTimestamp),
      runtimeProject: str(labels.project_id) ?? projectOfLogName(str(e.logName)),
      level: str(e.severity),
      text,
      principal,
      permission,
      resource,
      method,
      traceId: traceIdOf(str(e.trace)),
      httpStatus: http,
    },
    line,
  );
}

// ---------------------------------------------------------------------------------------------
// Plain text

const TEXT_FAILURE =
  /\b(ERROR|CRITICAL|FATAL|Error|Exception|PERMISSION_DENIED|RESOURCE_EXHAUSTED|UNAUTHENTICATED|FAILED_PRECONDITION|NOT_FOUND|40[13]|429)\b/;
const TEXT_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;

/**
 * An entry of a plain text log: a line, or a line and its traceback (see text-entries.ts).
 * ddtrace log-injection fields `dd.trace_id=...` are read.
 */
export function fromTextLine(text: string, line: number): LogRecord | undefined {
  if (!TEXT_FAILURE.test(text)) return undefined;
  const field = (name: string) => text.match(new RegExp(`\\b${name.replace('.', '\\.')}=([\\w.-]+)`))?.[1];
  const time = TEXT_TIME.exec(text)?.[1];
  const traceId = field('dd.trace_id') ?? field('trace_id');
  return withLine(
    {
      source: 'text',
      time: time ? parseTime(time) : undefined,
      service: field('dd.service'),
      env: field('dd.env'),
      traceId: traceId === '0' ? undefined : traceId,
      spanId: field('dd.span_id'),
      text: text.trim(),
    },
    line,
  );
}
