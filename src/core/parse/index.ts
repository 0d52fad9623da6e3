/**
 * Error text in any shape -> one typed `Facts` record.
 *
 * 1. Structured errors: every object literal in the text (JSON, Python dict repr, JS inspect),
 *    and in one- to three-times unescaped copies of it, is walked for google.rpc.Status objects;
 *    messages that are themselves serialised Status objects are read recursively. Each Status
 *    becomes one entry of `errors[]`.
 * 2. Loose details: gcloud's YAML details, gRPC text proto, Go's `Details: [...]` JSON.
 * 3. Text: exception lines, URLs, resource names, phrases (see text.ts).
 *
 * The primary error (the most specific) is merged with the text facts and the other errors
 * that agree with it on http / status, and that merge is the top level of `Facts`.
 */
import type { ErrorFacts, FactName, Facts, InputShape } from '../model.js';
import { redactSecrets } from '../redact.js';
import { FactsBuilder } from './builder.js';
import { readDetail, readResource, readStatus } from './details.js';
import { findObjects, isObject, type Lenient, type LenientObject } from './lenient.js';
import { isProjectNumber } from './resource.js';
import { scanText } from './text.js';
import { findTextProto } from './textproto.js';
import { logRecordText, respan } from './wrappers.js';
import { findYamlDetails } from './yamlish.js';

export { isProjectNumber, isTenantProject, projectIdProblem, projectPlaceholder } from './resource.js';

/** Caps that keep hostile input bounded (objects walked, nesting of serialised strings). */
const MAX_STATUSES = 50;
const MAX_STRING_DEPTH = 5;

export function parseFacts(text: string): Facts {
  // A log record (Cloud Logging entry, Datadog record) is read for the text it carries.
  const carried = logRecordText(text);
  if (carried !== undefined && carried !== text) return respan(parseFacts(carried), carried, text);
  const structured = findStatuses(text);

  // Details printed outside any JSON status: gcloud YAML, gRPC text proto, Go's `Details:`.
  const details = new FactsBuilder(text, -1);
  for (const d of findYamlDetails(text)) {
    details.shape('gcloud');
    readDetail(d, details, (m) => scanText(m, details));
  }
  for (const block of findTextProto(text)) {
    details.shape('text-proto');
    for (const msg of block.messages) readDetail(msg, details, (m) => scanText(m, details));
  }
  for (const d of structured.looseDetails) readDetail(d, details, (m) => scanText(m, details));

  // Free text, one record per stretch of lines that reports one status.
  const segments = textSegments(text);
  const textErrors: ErrorFacts[] = [];
  for (const seg of segments) {
    const b = new FactsBuilder(text, seg.start);
    if (segments.length === 1) fillFrom(b.facts, details.facts);
    scanText(seg.start === 0 && seg.end === text.length ? text : text.slice(seg.start, seg.end), b);
    if (segments.length === 1) b.facts.shapes = union(details.facts.shapes, b.facts.shapes);
    const f = finish(b.facts);
    if (!isEmpty(f)) textErrors.push(f);
  }

  const structuredErrors = dedupe(structured.errors.map((b) => finish(b.facts)));
  // A text stretch that agrees with a structured error is the same error seen as text.
  const extra = textErrors.filter((t) => !structuredErrors.some((e) => compatible(e, t)));
  const errors = [...structuredErrors, ...extra];
  if (errors.length === 0) {
    const empty = finish(details.facts);
    return { ...empty, shapes: union(empty.shapes, ['plain-text']), errors: [] };
  }
  const primary = pickPrimary(errors);
  const merged: ErrorFacts = structuredClone(primary);
  const others = [details.facts, ...textErrors, ...errors].filter((e) => e !== primary);
  for (const other of others) {
    if (compatible(merged, other)) fillFrom(merged, other);
    merged.shapes = union(merged.shapes, other.shapes);
  }
  if (structuredErrors.length === 0 && !merged.shapes?.length) merged.shapes = ['plain-text'];
  return { ...finish(merged), errors };
}

/** The status a line reports, as an HTTP code (so `403` and `PERMISSION_DENIED` agree). */
const STATUS_HTTP: Record<string, string> = {
  PERMISSION_DENIED: '403',
  NOT_FOUND: '404',
  RESOURCE_EXHAUSTED: '429',
  UNAUTHENTICATED: '401',
  INVALID_ARGUMENT: '400',
  FAILED_PRECONDITION: '400',
  OUT_OF_RANGE: '400',
  UNAVAILABLE: '503',
  DEADLINE_EXCEEDED: '504',
};
const LINE_STATUS =
  /(?<![A-Z_])(PERMISSION_DENIED|NOT_FOUND|RESOURCE_EXHAUSTED|UNAUTHENTICATED|INVALID_ARGUMENT|FAILED_PRECONDITION|OUT_OF_RANGE|UNAVAILABLE|DEADLINE_EXCEEDED)(?![A-Z_])/;
const LINE_HTTP = /(?:^|[\s:[(])([45]\d\d)(?= [A-Z]|\]| \.|:)/;

function lineKey(line: string): string | undefined {
  const st = LINE_STATUS.exec(line);
  if (st?.[1]) return STATUS_HTTP[st[1]];
  return LINE_HTTP.exec(line)?.[1];
}

/**
 * Splits the text where the reported status changes from one line to a later one (a log with a
 * 429 and then a 403), so each error's facts stay apart. One segment for the usual single error.
 */
function textSegments(text: string): Array<{ start: number; end: number }> {
  const segments: Array<{ start: number; end: number }> = [];
  let segStart = 0;
  let segKey: string | undefined;
  let pos = 0;
  for (let lines = 0; pos < text.length && lines < 200_000; lines++) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const key = lineKey(text.slice(pos, Math.min(nl, pos + 2000)));
    if (key) {
      if (segKey === undefined) segKey = key;
      else if (key !== segKey) {
        segments.push({ start: segStart, end: pos });
        segStart = pos;
        segKey = key;
      }
    }
    pos = nl + 1;
  }
  segments.push({ start: segStart, end: text.length });
  // Dozens of alternating statuses is a log dump, not a few errors: read it as one text.
  return segments.length > 20 ? [{ start: 0, end: text.length }] : segments;
}

interface Found {
  errors: FactsBuilder[];
  looseDetails: LenientObject[];
}

function findStatuses(text: string): Found {
  const found: Found = { errors: [], looseDetails: [] };
  const texts: Array<{ s: string; escaped: boolean }> = [{ s: text, escaped: false }];
  // Escaped JSON printed raw (`{\"error\": {\"code\": 403 ...`): read an unescaped copy too.
  let current = text;
  for (let level = 0; level < 3 && current.includes('\\"'); level++) {
    current = unescapeOnce(current);
    texts.push({ s: current, escaped: true });
  }
  for (const { s, escaped } of texts) {
    for (const { start, result } of findObjects(s)) {
      const shape: InputShape = escaped ? 'escaped-json' : shapeAt(s, start);
      walk(result.value, text, found, shape, 0);
      if (found.errors.length >= MAX_STATUSES) return found;
    }
  }
  return found;
}

function shapeAt(s: string, start: number): InputShape {
  let i = start + 1;
  while (i < s.length && i - start < 50 && /\s/.test(s[i] as string)) i++;
  return s[i] === "'" ? 'python-dict' : 'rest-json';
}

function looksSerialised(v: string): boolean {
  const t = v.trimStart();
  return (t.startsWith('{') || t.startsWith('[')) && t.length > 2;
}

function isStatusLike(o: LenientObject): boolean {
  const hasMessage = typeof o.message === 'string';
  if ((typeof o.code === 'number' || typeof o.status === 'string') && hasMessage) return true;
  if (Array.isArray(o.details) && o.details.some((d) => isObject(d) && typeof d['@type'] === 'string'))
    return true;
  return Array.isArray(o.errors) && hasMessage;
}

function walk(v: Lenient, original: string, found: Found, shape: InputShape, depth: number): void {
  if (depth > 24 || found.errors.length >= MAX_STATUSES) return;
  if (Array.isArray(v)) {
    for (const item of v) walk(item, original, found, shape, depth + 1);
    return;
  }
  if (typeof v === 'string') {
    if (depth < 24 && looksSerialised(v)) walkSerialised(v, original, found, depth);
    return;
  }
  if (!isObject(v)) return;
  // A Cloud Audit Log entry (or its protoPayload): the principal and permission the error hides.
  const audit = isObject(v.protoPayload) ? v.protoPayload : isAuditPayload(v) ? v : undefined;
  if (audit && isAuditPayload(audit)) {
    const b = new FactsBuilder(original, -1);
    b.shape(shape);
    readAuditPayload(audit, b);
    found.errors.push(b);
    return;
  }
  const inner = isObject(v.error) ? v.error : isStatusLike(v) ? v : undefined;
  if (inner) {
    const b = new FactsBuilder(original, -1);
    b.shape(shape);
    readInto(inner, b, 0);
    found.errors.push(b);
    return;
  }
  if (typeof v['@type'] === 'string' && (v['@type'] as string).includes('google.rpc.')) {
    found.looseDetails.push(v);
    return;
  }
  for (const child of Object.values(v)) walk(child, original, found, shape, depth + 1);
}

function isAuditPayload(o: LenientObject): boolean {
  return isObject(o.authenticationInfo) || Array.isArray(o.authorizationInfo);
}

/**
 * google.cloud.audit.AuditLog: `status` (a google.rpc.Status with a gRPC code),
 * `authenticationInfo.principalEmail`, `authorizationInfo[] {permission, resource, granted}`,
 * `serviceName`, `methodName`, `resourceName`.
 */
function readAuditPayload(p: LenientObject, b: FactsBuilder): void {
  const denied = (Array.isArray(p.authorizationInfo) ? p.authorizationInfo : []).find(
    (a) => isObject(a) && a.granted !== true,
  );
  if (isObject(denied)) {
    if (typeof denied.permission === 'string') b.set('permission', denied.permission);
    if (typeof denied.resource === 'string') readResource(denied.resource, b, true);
  }
  if (isObject(p.status)) readInto(p.status, b, 0);
  const auth = p.authenticationInfo;
  if (isObject(auth) && typeof auth.principalEmail === 'string') b.set('principal', auth.principalEmail);
  if (typeof p.serviceName === 'string') b.set('service', p.serviceName);
  if (typeof p.methodName === 'string') b.set('method', p.methodName);
  if (typeof p.resourceName === 'string') readResource(p.resourceName, b, false);
}

function walkSerialised(s: string, original: string, found: Found, depth: number): void {
  for (const { result } of findObjects(s, 20)) walk(result.value, original, found, 'escaped-json', depth + 6);
}

/** Reads a Status into `b`; a message that is itself a serialised Status is read into the same error. */
function readInto(o: LenientObject, b: FactsBuilder, depth: number): void {
  readStatus(o, b, (message) => {
    if (depth < MAX_STRING_DEPTH && looksSerialised(message)) {
      b.shape('escaped-json');
      for (const { result } of findObjects(message, 20)) {
        const v = result.value;
        if (!isObject(v)) continue;
        const inner = isObject(v.error) ? v.error : isStatusLike(v) ? v : undefined;
        if (inner) readInto(inner, b, depth + 1);
        else if (Array.isArray(v))
          for (const x of v) if (isObject(x) && isObject(x.error)) readInto(x.error, b, depth + 1);
      }
      return;
    }
    scanText(message, b.decoded());
  });
}

function unescapeOnce(s: string): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 92) continue;
    const n = s[i + 1];
    let rep: string | undefined;
    if (n === '"' || n === '\\' || n === "'" || n === '/') rep = n;
    else if (n === 'n') rep = '\n';
    else if (n === 't') rep = '\t';
    else if (n === 'r') rep = '\r';
    if (rep === undefined) continue;
    out += s.slice(run, i) + rep;
    i++;
    run = i + 1;
  }
  return out + s.slice(run);
}

/** Derived facts and the secret scrub every error record gets. */
function finish(f: ErrorFacts): ErrorFacts {
  if (f.project !== undefined) f.projectIsNumber = isProjectNumber(f.project);
  if (f.apiKey?.used && !f.apiKey.sentTo && f.service) {
    f.apiKey.sentTo =
      f.service === 'aiplatform.googleapis.com'
        ? 'vertex'
        : f.service.startsWith('generativelanguage')
          ? 'gemini-api'
          : 'other';
  }
  scrub(f as unknown as Record<string, unknown>, 0);
  return f;
}

/** Every string in the record passes through redactSecrets (a consumer can be `api_key:AIza...`). */
function scrub(o: Record<string, unknown> | unknown[], depth: number): void {
  if (depth > 6) return;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string') (o as Record<string, unknown>)[k] = redactSecrets(v);
    else if (v && typeof v === 'object' && k !== 'spans') scrub(v as Record<string, unknown>, depth + 1);
  }
}

const SCALARS: FactName[] = [
  'http',
  'status',
  'reason',
  'domain',
  'service',
  'method',
  'message',
  'permission',
  'resource',
  'project',
  'projectIsNumber',
  'location',
  'publisher',
  'model',
  'endpoint',
  'consumer',
  'principal',
  'retryDelaySeconds',
  'vpcScId',
  'constraint',
  'localizedMessage',
  'url',
  'sdk',
  'language',
];

function isEmpty(f: ErrorFacts): boolean {
  return SCALARS.every((k) => f[k] === undefined) && !f.signals?.length && !f.quota && !f.violations?.length;
}

/** How specific an error record is: the one naming the most decisive facts wins. */
function specificity(f: ErrorFacts): number {
  let n = 0;
  if (f.reason) n += 3;
  if (f.permission) n += 3;
  if (f.status) n += 1;
  if (f.http) n += 1;
  if (f.resource || f.model) n += 1;
  if (f.message) n += 1;
  if (f.quota) n += 1;
  n += Math.min(3, f.signals?.length ?? 0) * 0.5;
  return n;
}

function pickPrimary(errors: ErrorFacts[]): ErrorFacts {
  let best = errors[0] as ErrorFacts;
  for (const e of errors) if (specificity(e) > specificity(best)) best = e;
  return best;
}

function compatible(a: ErrorFacts, b: ErrorFacts): boolean {
  if (a.http !== undefined && b.http !== undefined && a.http !== b.http) return false;
  if (a.status !== undefined && b.status !== undefined && a.status !== b.status) return false;
  return true;
}

function fillFrom(into: ErrorFacts, from: ErrorFacts): void {
  const target = into as Record<string, unknown>;
  for (const k of SCALARS) {
    if (target[k] === undefined && from[k] !== undefined) {
      target[k] = from[k];
      const span = from.spans?.[k];
      if (span) {
        into.spans ??= {};
        into.spans[k] = span;
      }
    }
  }
  if (from.signals) {
    into.signals ??= [];
    for (const s of from.signals) if (!into.signals.some((x) => x.id === s.id)) into.signals.push(s);
  }
  if (from.quota) into.quota = { ...from.quota, ...into.quota };
  if (from.apiKey) into.apiKey = { ...from.apiKey, ...into.apiKey };
  if (from.helpLinks && !into.helpLinks) into.helpLinks = from.helpLinks;
  if (from.violations && !into.violations) into.violations = from.violations;
}

function union<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  if (!b?.length) return a;
  return [...new Set([...(a ?? []), ...b])];
}

function dedupe(errors: ErrorFacts[]): ErrorFacts[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = [
      e.http,
      e.status,
      e.reason,
      e.permission,
      e.resource,
      e.model,
      e.message?.slice(0, 200),
    ].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
