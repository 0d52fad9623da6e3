/**
 * google.rpc.Status and its detail messages -> facts. The same reader serves every shape the
 * details arrive in (REST JSON, Python dict repr, gcloud YAML, gRPC text proto): they are all
 * read into plain objects first, and field names are matched in both camelCase and snake_case.
 */
import type { RpcStatus } from '../model.js';
import type { FactsBuilder } from './builder.js';
import { isObject, type Lenient, type LenientObject, str } from './lenient.js';
import { findResourceNames } from './resource.js';

export const RPC_STATUSES: readonly RpcStatus[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

export function asRpcStatus(v: string | undefined): RpcStatus | undefined {
  if (!v) return undefined;
  const upper = v.trim().toUpperCase();
  if ((RPC_STATUSES as readonly string[]).includes(upper)) return upper as RpcStatus;
  // .NET / Java spell them in PascalCase: FailedPrecondition -> FAILED_PRECONDITION.
  const snake = v
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();
  if (snake !== upper && (RPC_STATUSES as readonly string[]).includes(snake)) return snake as RpcStatus;
  return undefined;
}

/** A field by any of its spellings. */
function field(o: LenientObject, ...names: string[]): Lenient | undefined {
  for (const n of names) {
    const v = o[n];
    if (v !== undefined) return v;
  }
  return undefined;
}

function list(v: Lenient | undefined): Lenient[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** `metadata` as a map, whether printed as an object or as text-proto `{key, value}` entries. */
function keyValues(v: Lenient | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list(v)) {
    if (!isObject(item)) continue;
    const k = str(item.key);
    const val = str(item.value);
    if (k !== undefined && val !== undefined && Object.keys(item).length <= 2) {
      out[k] = val;
      continue;
    }
    for (const [key, value] of Object.entries(item)) {
      const s = str(value);
      if (s !== undefined) out[key] = s;
    }
  }
  return out;
}

export type DetailKind =
  | 'ErrorInfo'
  | 'Help'
  | 'QuotaFailure'
  | 'RetryInfo'
  | 'PreconditionFailure'
  | 'BadRequest'
  | 'LocalizedMessage'
  | 'DebugInfo'
  | 'ResourceInfo'
  | 'RequestInfo';

export function detailKind(d: LenientObject): DetailKind | undefined {
  const type = str(d['@type']);
  if (type) {
    const name = type.slice(type.lastIndexOf('.') + 1);
    return (
      [
        'ErrorInfo',
        'Help',
        'QuotaFailure',
        'RetryInfo',
        'PreconditionFailure',
        'BadRequest',
        'LocalizedMessage',
        'DebugInfo',
        'ResourceInfo',
        'RequestInfo',
      ] as const
    ).find((k) => k === name);
  }
  // Text proto carries no type: tell the message by its fields.
  if (d.reason !== undefined) return 'ErrorInfo';
  if (d.links !== undefined) return 'Help';
  if (field(d, 'retryDelay', 'retry_delay') !== undefined) return 'RetryInfo';
  if (field(d, 'fieldViolations', 'field_violations') !== undefined) return 'BadRequest';
  if (d.violations !== undefined) {
    const quota = list(d.violations).some(
      (v) => isObject(v) && field(v, 'quotaMetric', 'quota_metric', 'quotaId', 'quota_id') !== undefined,
    );
    return quota ? 'QuotaFailure' : 'PreconditionFailure';
  }
  if (d.locale !== undefined && d.message !== undefined) return 'LocalizedMessage';
  if (field(d, 'stackEntries', 'stack_entries', 'detail') !== undefined) return 'DebugInfo';
  return undefined;
}

/**
 * Reads one google.rpc.Status (`{code, message, status, details, errors}`) into `b`.
 * `scanMessage` reads facts out of free text (the message, descriptions).
 */
export function readStatus(o: LenientObject, b: FactsBuilder, scanMessage: (text: string) => void): void {
  const message = str(o.message);
  const trimmed = message?.trim() ?? '';
  const wrapsStatus = trimmed.startsWith('{') || trimmed.startsWith('[');
  // A wrapper whose message is itself a serialised Status: the inner one is more specific, so
  // it is read first (the first writer of a fact wins).
  if (message && wrapsStatus) scanMessage(message);
  const code = o.code;
  if (typeof code === 'number') {
    if (code >= 100 && code <= 599) b.set('http', code);
    else if (code >= 0 && code < RPC_STATUSES.length) b.set('status', RPC_STATUSES[code]);
  }
  const status = asRpcStatus(str(o.status));
  if (status) b.set('status', status);
  for (const d of list(o.details)) if (isObject(d)) readDetail(d, b, scanMessage);
  // Legacy `errors: [{domain, reason, message}]` (Google API client libraries, v1 APIs).
  for (const e of list(o.errors)) {
    if (!isObject(e)) continue;
    const reason = str(e.reason);
    if (reason) b.set('reason', reason);
    const domain = str(e.domain);
    if (domain && domain !== 'global') b.set('domain', domain);
  }
  if (message && !wrapsStatus) {
    b.set('message', trimmed);
    scanMessage(message);
  }
}

export function readDetail(d: LenientObject, b: FactsBuilder, scanMessage: (text: string) => void): void {
  switch (detailKind(d)) {
    case 'ErrorInfo':
      readErrorInfo(d, b);
      break;
    case 'Help':
      for (const l of list(d.links)) {
        if (!isObject(l)) continue;
        const url = str(l.url);
        if (url) b.help({ url, ...(str(l.description) ? { description: str(l.description) } : {}) });
      }
      break;
    case 'QuotaFailure':
      for (const v of list(d.violations)) if (isObject(v)) readQuotaViolation(v, b, scanMessage);
      break;
    case 'RetryInfo':
      b.set('retryDelaySeconds', seconds(field(d, 'retryDelay', 'retry_delay')));
      break;
    case 'PreconditionFailure':
      for (const v of list(d.violations)) {
        if (!isObject(v)) continue;
        const description = str(v.description);
        const type = str(v.type);
        const subject = str(v.subject);
        const orgPolicy =
          (description ?? '').includes('constraints/') || (type ?? '').includes('constraints/');
        b.violation({
          kind: orgPolicy ? 'org-policy' : 'precondition',
          ...(type ? { type } : {}),
          ...(subject ? { subject } : {}),
          ...(description ? { description } : {}),
        });
        if (description) scanMessage(description);
        if (type) scanMessage(type);
      }
      break;
    case 'BadRequest':
      for (const v of list(field(d, 'fieldViolations', 'field_violations'))) {
        if (!isObject(v)) continue;
        const f = str(v.field);
        const description = str(v.description);
        b.violation({ kind: 'field', ...(f ? { field: f } : {}), ...(description ? { description } : {}) });
        if (description) scanMessage(description);
      }
      break;
    case 'LocalizedMessage': {
      const m = str(d.message);
      if (m) {
        b.set('localizedMessage', m);
        scanMessage(m);
      }
      break;
    }
    case 'ResourceInfo': {
      const name = str(field(d, 'resourceName', 'resource_name'));
      if (name) readResource(name, b, true);
      break;
    }
    case 'DebugInfo': {
      const detail = str(d.detail);
      if (detail) scanMessage(detail);
      break;
    }
    default:
      break;
  }
}

function readErrorInfo(d: LenientObject, b: FactsBuilder): void {
  const reason = str(d.reason);
  const domain = str(d.domain);
  if (reason) b.set('reason', reason);
  if (domain) b.set('domain', domain);
  if (reason?.startsWith('API_KEY_')) b.apiKey({ used: true, restriction: reason });
  const md = keyValues(d.metadata);
  if (md.permission) b.set('permission', md.permission);
  if (md.resource) readResource(md.resource, b, true);
  const service = md.service ?? md.apiName ?? md.services?.split(',')[0]?.trim();
  if (service) b.set('service', service);
  // No metadata.service: the domain names the API when it is a service name (iam.googleapis.com).
  else if (domain && /^[a-z0-9-]{2,60}\.googleapis\.com$/.test(domain)) b.set('service', domain);
  if (md.consumer) {
    b.set('consumer', md.consumer);
    const p = md.consumer.replace(/^projects\//, '').replace(/^project_number:/, '');
    if (p) b.set('project', p);
  }
  if (md.project) b.set('project', md.project);
  if (md.containerInfo) b.set('project', md.containerInfo);
  if (md.methodName ?? md.method) b.set('method', md.methodName ?? md.method);
  if (md.vpcServiceControlsUniqueIdentifier) b.set('vpcScId', md.vpcServiceControlsUniqueIdentifier);
  if (md.model) b.set('model', md.model);
  if (md.location) b.set('location', md.location);
  if (md.quota_metric || md.quota_limit || md.quota_limit_value || md.quota_location) {
    b.quota({
      ...(md.quota_metric ? { metric: md.quota_metric } : {}),
      ...(md.quota_limit ? { id: md.quota_limit } : {}),
      ...(md.quota_limit_value ? { limit: md.quota_limit_value } : {}),
      ...(md.quota_location ? { dimensions: { location: md.quota_location } } : {}),
    });
    if (md.quota_location) b.set('location', md.quota_location);
  }
  const principal = md.principal ?? md.serviceAccount ?? md.email;
  if (principal) b.set('principal', principal.replace(/^(serviceAccount|user|group):/, ''));
}

function readQuotaViolation(v: LenientObject, b: FactsBuilder, scanMessage: (text: string) => void): void {
  const metric = str(field(v, 'quotaMetric', 'quota_metric'));
  const id = str(field(v, 'quotaId', 'quota_id'));
  const value = str(field(v, 'quotaValue', 'quota_value'));
  const dims = keyValues(field(v, 'quotaDimensions', 'quota_dimensions'));
  b.quota({
    ...(metric ? { metric } : {}),
    ...(id ? { id } : {}),
    ...(value ? { limit: value } : {}),
    ...(Object.keys(dims).length > 0 ? { dimensions: dims } : {}),
  });
  if (dims.location) b.set('location', dims.location);
  if (dims.model) b.set('model', dims.model);
  if (metric?.includes('.googleapis.com/')) b.set('service', metric.slice(0, metric.indexOf('/')));
  const apiService = str(field(v, 'apiService', 'api_service'));
  if (apiService) b.set('service', apiService);
  const description = str(v.description);
  const subject = str(v.subject);
  b.violation({
    kind: 'quota',
    ...(subject ? { subject } : {}),
    ...(description ? { description } : {}),
    ...(metric ? { type: metric } : {}),
  });
  if (description) scanMessage(description);
}

/** `"30s"`, `"1.5s"`, `{seconds: 30, nanos: 0}`, `30`. */
function seconds(v: Lenient | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^\s*(\d{1,9}(?:\.\d{1,9})?)\s*s?\s*$/.exec(v);
    return m ? Number(m[1]) : undefined;
  }
  if (isObject(v)) {
    const s = Number(str(v.seconds) ?? 0);
    const n = Number(str(v.nanos) ?? 0);
    const total = s + n / 1e9;
    return Number.isFinite(total) ? total : undefined;
  }
  return undefined;
}

/**
 * Splits a resource name into project / location / publisher / model / endpoint. `strong`
 * values (from ErrorInfo metadata) replace ones read from prose.
 */
export function readResource(name: string, b: FactsBuilder, strong: boolean): void {
  const set = strong ? b.override.bind(b) : b.set.bind(b);
  const whole = name.trim();
  if (!whole) return;
  // Kept even when it names no project (`projects/-/serviceAccounts/EMAIL`): it says what was denied.
  if (strong || !b.has('resource')) set('resource', whole);
  const [r] = findResourceNames(name, 1);
  if (!r) return;
  set('project', r.project);
  if (r.location) set('location', r.location);
  if (r.publisher) set('publisher', r.publisher);
  if (r.model) set('model', r.model);
  if (r.endpoint) set('endpoint', r.endpoint);
  if (r.service) b.set('service', r.service);
}
