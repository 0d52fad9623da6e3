/**
 * Facts read from free text: exception lines, gRPC / gcloud / Go / .NET / Java prints, URLs,
 * resource names, phrases. Every pattern here either starts with a literal (so the engine jumps
 * between occurrences) and uses only bounded quantifiers over classes that exclude the next
 * delimiter, or runs on a bounded window of the text: no pattern can backtrack without bound.
 */
import type { RpcStatus, SignalId } from '../model.js';
import type { FactsBuilder } from './builder.js';
import { asRpcStatus, RPC_STATUSES, readResource } from './details.js';
import { MESSAGES } from './messages.js';
import { findResourceNames, type ResourceName } from './resource.js';
import { continuation, scanClientWrappers } from './wrappers.js';

/** Runs every text extractor over `s`. */
export function scanText(s: string, b: FactsBuilder): void {
  scanSignals(s, b);
  scanExceptionLines(s, b);
  scanClientWrappers(s, b, (m) => scanText(m, b.decoded()));
  scanPermission(s, b);
  scanResources(s, b);
  scanUrls(s, b);
  scanModels(s, b);
  scanHttp(s, b);
  scanStatus(s, b);
  scanReasons(s, b);
  scanProjects(s, b);
  scanQuota(s, b);
  // Terminals draw boxes around long messages and wrap them (`limit    │\n│    'X per day'`):
  // read the quota once more with the wrapping undone when the first pass found nothing.
  if (!b.facts.quota && s.includes('\n') && /[Qq]uota exceeded/.test(s)) scanQuota(unwrap(s), b, false);
  scanRetry(s, b);
  scanVpcSc(s, b);
  scanConstraint(s, b);
  scanPrincipal(s, b);
  scanServices(s, b);
  scanSdk(s, b);
}

/**
 * The catalog's phrases as case-insensitive patterns in which a space matches any whitespace
 * run: terminals and log wrappers break long messages across lines. Each pattern is a literal
 * sequence with `\s+` between words, so matching stays linear. Rows keep the catalog's order
 * within a signal; a signal is set by its first matching row.
 */
interface SignalPattern {
  /**
   * The phrase's longest word: every word must be in the text for the phrase to match, so a plain
   * `includes` of the rarest-looking one rules most rows out before any regex runs. (The first
   * word was used before: "is", "not", "has" are in nearly every error text, and their rows' regexes
   * ran on each diagnosis, a fifth of its time.)
   */
  key: string;
  re: RegExp;
  near?: RegExp;
}

const SIGNAL_PATTERNS: Array<[SignalId, SignalPattern[]]> = (() => {
  const bySignal = new Map<SignalId, SignalPattern[]>();
  for (const row of MESSAGES) {
    const list = bySignal.get(row.signal) ?? [];
    const key = row.phrase
      .trim()
      .split(/ +/)
      .reduce((a, b) => (b.length > a.length ? b : a));
    list.push({ key, re: phrasePattern(row.phrase), ...(row.near ? { near: row.near } : {}) });
    bySignal.set(row.signal, list);
  }
  return [...bySignal];
})();

/** Escapes the phrase; inner spaces match whitespace runs, edge spaces stay one literal space. */
function phrasePattern(p: string): RegExp {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lead = p.startsWith(' ') ? ' ' : '';
  const trail = p.endsWith(' ') ? ' ' : '';
  const words = p.trim().split(/ +/).map(esc);
  return new RegExp(lead + words.join('\\s+') + trail);
}

function scanSignals(s: string, b: FactsBuilder): void {
  // Phrases are lower case and matched on a lower-cased copy (a case-sensitive search is much
  // faster than /i on large input). Offsets carry over when lower-casing kept the length.
  const lower = s.toLowerCase();
  const sameOffsets = lower.length === s.length;
  for (const [id, rows] of SIGNAL_PATTERNS) {
    for (const { key, re, near } of rows) {
      if (!lower.includes(key)) continue;
      const m = re.exec(lower);
      if (!m) continue;
      if (near && !near.test(lower)) continue;
      b.signal(id, sameOffsets ? m.index : undefined, m[0].length);
      break;
    }
  }
  // An exception class named anywhere (`google.auth.exceptions.RefreshError`, `ApiException`).
  const exc = /\b[A-Z][A-Za-z0-9]{1,60}(?:Error|Exception)\b/.exec(s);
  if (exc) b.signal('exception_named', exc.index, exc[0].length);
}

/**
 * One-line exception shapes, each with its own message position:
 * gRPC `status = StatusCode.X` / `details = "..."`, Java `StatusRuntimeException: X: msg`,
 * .NET `Status(StatusCode="X", Detail="...")`, gcloud `ERROR: (gcloud.a.b) X: msg`,
 * Go `googleapi: Error 403: msg, reason`, `[400 FAILED_PRECONDITION] msg`.
 */
function scanExceptionLines(s: string, b: FactsBuilder): void {
  let m = /status = StatusCode\.([A-Z_]{2,30})/.exec(s);
  if (m) {
    b.set('status', asRpcStatus(m[1]), m.index + 20);
    b.shape('grpc-text');
    const d = /details = "([^"\n]{1,2000})"/.exec(s);
    if (d) b.set('message', d[1], d.index + 11);
  }
  m = /io\.grpc\.StatusRuntimeException: ([A-Z_]{2,30}): ?([^\n]{0,2000})/.exec(s);
  if (m) {
    b.set('status', asRpcStatus(m[1]), m.index + 32);
    if (m[2]) b.set('message', m[2].trim(), m.index + 34 + (m[1]?.length ?? 0));
    b.shape('java-gax');
  }
  m = /Status\(StatusCode="?([A-Za-z]{2,30})"?, Detail="([^"\n]{0,2000})"/.exec(s);
  if (m) {
    b.set('status', asRpcStatus(m[1]), m.index + m[0].indexOf(m[1] as string), m[1]?.length);
    if (m[2]) b.set('message', m[2], m.index + (m[0].length - m[2].length - 1));
    b.shape('grpc-text');
  }
  m = /ERROR: \(gcloud\.[a-z0-9_.-]{1,100}\) ([A-Z_]{2,30}): ([^\n]{1,2000})/.exec(s);
  if (m) {
    b.set('status', asRpcStatus(m[1]), m.index + m[0].indexOf(') ') + 2);
    if (m[2]) b.set('message', m[2].trim(), m.index + m[0].length - m[2].length);
    b.shape('gcloud');
  } else if (s.includes('ERROR: (gcloud.')) {
    b.shape('gcloud');
  }
  m = /googleapi: Error (\d{3}): ([^\n]{1,2000})/.exec(s);
  if (m) {
    b.set('http', Number(m[1]), m.index + 17);
    const msg = m[2] ?? '';
    // Go appends the legacy reason after the last comma: `..., forbidden`.
    const comma = msg.lastIndexOf(', ');
    const tail = comma >= 0 ? msg.slice(comma + 2).trim() : '';
    if (/^[a-zA-Z]{3,40}$/.test(tail)) {
      b.set('reason', tail, m.index + 22 + comma + 2);
      b.set('message', msg.slice(0, comma).trim(), m.index + 22);
    } else {
      b.set('message', msg.trim(), m.index + 22);
    }
    b.shape('go-googleapi');
  }
  m = /\[(\d{3}) ([A-Z][A-Za-z_ ]{1,40})\] ?([^\n]{0,2000})/.exec(s);
  if (m) {
    b.set('http', Number(m[1]), m.index + 1);
    const st = asRpcStatus(m[2]);
    if (st) b.set('status', st, m.index + 5);
    // @google/generative-ai: `[404 Not Found] message`; the message is what follows the bracket.
    if (m[3]?.trim())
      b.set(
        'message',
        (m[3] + continuation(s, m.index + m[0].length)).trim(),
        m.index + m[0].length - m[3].length,
      );
    b.shape('http-status-line');
  }
}

/** `Permission 'x.y.z' denied on resource '...'` and other ways a permission is named. */
function scanPermission(s: string, b: FactsBuilder): void {
  // Quotes as printed, including the typographic ones some consoles and Terraform use.
  const re =
    /Permission \\?['"`‘’“”]([a-zA-Z0-9_.]{3,150})\\?['"`‘’“”] denied( on resource \\?['"`‘’“”]([^'"`‘’“”\\\n]{1,600})\\?['"`‘’“”])?/g;
  const m = re.exec(s);
  if (m) {
    b.set('permission', m[1], m.index + 12);
    // The phrase itself reports a denial, whether or not a status code was printed with it.
    b.signal('caller_lacks_permission', m.index, m[0].length);
    if (m[3]) {
      const resAt = m.index + m[0].length - m[3].length - 1;
      if (!b.has('resource')) b.set('resource', m[3], resAt);
    }
    return;
  }
  // Google's wording for a denied actAs check: "You do not have permission to act as
  // service_account: X" names no permission, but actAs is the one checked.
  const actAs = /permission to act as (?:service[ _]account)?/i.exec(s);
  if (actAs) {
    b.set('permission', 'iam.serviceAccounts.actAs', actAs.index, actAs[0].length);
    b.signal('caller_lacks_permission', actAs.index, actAs[0].length);
    return;
  }
  // Storage / BigQuery: "X does not have storage.objects.get access to ...",
  // "User does not have bigquery.jobs.create permission in project P".
  const named =
    /does not have (?:the )?['"`]?([a-z][a-zA-Z0-9]{1,40}\.[a-z][a-zA-Z0-9]{1,40}\.[a-z][a-zA-Z0-9]{1,40})['"`]? (?:access|permission|IAM permission)/.exec(
      s,
    );
  if (named) {
    b.set('permission', named[1], named.index + named[0].indexOf(named[1] as string));
    b.signal('caller_lacks_permission', named.index, named[0].length);
    return;
  }
  // "X does not have `[a.b.c, d.e.f]` IAM permission(s) to ...": a denial with its permissions.
  const lacks = /does not have [^\n]{0,120}?permission/.exec(s);
  if (lacks) b.signal('caller_lacks_permission', lacks.index, lacks[0].length);
  // "does not have X permission", "permission X is required", "missing permission(s): X".
  // Several mentions ("does not have permission to ... Please give X permission a.b.c"): the
  // first few are each read in their window.
  const mentions = /[Pp]ermissions?\b/g;
  for (let m = mentions.exec(s), n = 0; m && n < 6; m = mentions.exec(s), n++) {
    if (permissionNear(s, m.index, b)) return;
  }
}

/** A permission-like token within a window around `at`; true when one was set. */
function permissionNear(s: string, at: number, b: FactsBuilder): boolean {
  // The window's edges move out to token boundaries: a permission cut at the edge would pass
  // the token pattern's ^ / $ anchors ("serviceusage.services.us" from "...services.use").
  let base = Math.max(0, at - 120);
  while (base > 0 && TOKEN_CHAR.test(s[base - 1] as string)) base--;
  let end = Math.min(s.length, at + 160);
  while (end < s.length && TOKEN_CHAR.test(s[end] as string)) end++;
  const window = s.slice(base, end);
  const tok =
    /(?:^|[\s'"`(:[‘“])([a-z][a-zA-Z0-9]{1,40}\.[a-z][a-zA-Z0-9]{1,40}\.[a-z][a-zA-Z0-9]{1,40})(?=$|[\s'"`),.;:\]’”])/g;
  for (let t = tok.exec(window); t; t = tok.exec(window)) {
    const p = t[1] as string;
    // Not a permission: hosts, file names, Java / Python packages, gcloud command groups.
    if (
      /googleapis\.com$|\.(com|org|net|io|py|js|ts|java)$|^(google|com|org|java|javax|io|net|gcloud)\./.test(
        p,
      )
    )
      continue;
    const abs = base + t.index + t[0].indexOf(p);
    // Part of a host or e-mail domain (`gcp-sa-aiplatform.iam.gserviceaccount.com`).
    if (/[-@]/.test(s[abs - 1] ?? '') || /^\.[a-z]{2,6}\b/.test(s.slice(abs + p.length, abs + p.length + 8)))
      continue;
    b.set('permission', p, abs);
    return true;
  }
  return false;
}

/** Characters inside a permission-like token (a.b.c). */
const TOKEN_CHAR = /[A-Za-z0-9._]/;

function bestResource(list: ResourceName[]): ResourceName | undefined {
  return list.find((r) => r.model) ?? list.find((r) => r.endpoint) ?? list.find((r) => r.location) ?? list[0];
}

function scanResources(s: string, b: FactsBuilder): void {
  // A resource printed by the error itself is the request's resource; use it first.
  const denied = b.facts.resource;
  if (denied) readResource(denied, b, false);
  const names = findResourceNames(s);
  const best = bestResource(names);
  if (!best) return;
  b.set('resource', best.text, best.start);
  b.set('project', best.project, best.projectStart);
  if (best.location) b.set('location', best.location, best.locationStart);
  if (best.publisher) b.set('publisher', best.publisher);
  if (best.model) b.set('model', best.model, best.modelStart);
  if (best.endpoint) b.set('endpoint', best.endpoint);
  if (best.service) b.set('service', best.service);
  // Fill location / model from other names when the best one lacks them.
  for (const r of names) {
    if (r.location) b.set('location', r.location, r.locationStart);
    if (r.model) b.set('model', r.model, r.modelStart);
  }
}

const URL_END = /[\s"'`<>\])}\\,]/;

/** Request URLs: the host says which API (and Vertex region); `?key=` says an API key was sent. */
function scanUrls(s: string, b: FactsBuilder): void {
  let from = 0;
  let seen = 0;
  while (seen < 50) {
    const at = s.indexOf('http', from);
    if (at < 0) return;
    from = at + 4;
    const rest = s.startsWith('https://', at) ? 8 : s.startsWith('http://', at) ? 7 : 0;
    if (!rest) continue;
    seen++;
    let end = at + rest;
    while (end < s.length && end - at < 4000 && !URL_END.test(s[end] as string)) end++;
    const url = s.slice(at, end).replace(/[.:;]+$/, '');
    from = end;
    const hostEnd = url.indexOf('/', rest);
    const host = (hostEnd < 0 ? url.slice(rest) : url.slice(rest, hostEnd)).toLowerCase();
    if (!host.endsWith('googleapis.com')) continue;
    if (
      host === 'www.googleapis.com' ||
      host === 'oauth2.googleapis.com' ||
      host === 'accounts.googleapis.com'
    )
      continue;
    const path = hostEnd < 0 ? '' : url.slice(hostEnd);
    const apiCall = /\/v\d[a-z0-9]*\//.test(path);
    if (!apiCall) continue;
    const region = /^([a-z]{1,20}-[a-z]{1,20}\d{1,2})-aiplatform\.googleapis\.com$/.exec(host);
    const service = region ? 'aiplatform.googleapis.com' : host;
    b.set('url', redactUrl(url), at);
    b.set('service', service, region ? at + rest + (region[1]?.length ?? 0) + 1 : at + rest);
    if (region) b.set('location', region[1], at + rest);
    const sentTo =
      service === 'aiplatform.googleapis.com'
        ? 'vertex'
        : service.startsWith('generativelanguage')
          ? 'gemini-api'
          : 'other';
    if (/[?&](key|api_key)=/.test(path)) b.apiKey({ used: true, sentTo });
    else if (b.facts.apiKey?.used) b.apiKey({ sentTo });
    for (const r of findResourceNames(path, 3)) {
      b.set('project', r.project);
      if (r.location) b.set('location', r.location);
      if (r.model) b.set('model', r.model);
    }
    // Gemini API paths: /v1beta/models/{model}:generateContent
    const gm = /\/models\/([a-zA-Z0-9][a-zA-Z0-9._@-]{0,100})/.exec(path);
    if (gm) b.set('model', gm[1]);
    return;
  }
}

/** Never keep a key in a URL fact. */
function redactUrl(url: string): string {
  return url.replace(/([?&](?:key|api_key|access_token)=)[^&#\s]{0,4000}/g, '$1REDACTED');
}

/** `models/X`, `model: X`, `base model: X`, Publisher Model `X`. */
function scanModels(s: string, b: FactsBuilder): void {
  // A resource name printed from `locations/` on (the `projects/P/` part cut off or elided).
  const part =
    /(?:^|[^\w/-])locations\/([a-z][a-z0-9-]{1,40})\/publishers\/([a-z0-9-]{1,40})\/models\/([a-zA-Z0-9][a-zA-Z0-9._@-]{0,100})/.exec(
      s,
    );
  if (part?.[1] && part[3]) {
    const at = part.index + part[0].indexOf('locations/');
    b.set('location', part[1], at + 10);
    if (!b.has('publisher')) b.set('publisher', part[2]);
    b.set('model', part[3].replace(/\.$/, ''), part.index + part[0].length - part[3].length);
  }
  // BigQuery: "..., or perhaps it does not exist in location US."; gcloud: "region [europe-west2]".
  const loc =
    /\bin location ([A-Za-z][A-Za-z0-9-]{1,30})\b|\bregion \[([a-z]{2,15}-[a-z]{3,15}\d{1,2})\]/.exec(s);
  if (loc?.[2]) b.set('location', loc[2], loc.index + 8);
  if (loc?.[1]) b.set('location', loc[1], loc.index + 12);
  if (b.has('model')) return;
  let m = /(?:^|[^/\w])models\/([a-zA-Z0-9][a-zA-Z0-9._@-]{0,100})/.exec(s);
  if (m?.[1]) {
    b.set('model', m[1].replace(/\.$/, ''), m.index + m[0].length - m[1].length);
    return;
  }
  m = /\b(?:base model|model|model_id|model_name|modelId)\s?[:=]\s?['"`]?([a-z][a-z0-9._@-]{2,100})/i.exec(s);
  if (m?.[1] && /gemini|bison|gecko|embedding|imagen|gemma/.test(m[1])) {
    b.set('model', m[1].replace(/[.,]$/, ''), m.index + m[0].length - m[1].length);
  }
}

/**
 * The HTTP status code. Structured `code` fields were read already; here it is read from the
 * ways clients print it: `HTTP 404`, `[404 Not Found]`, `got status: 404`, `Error 403:`,
 * `ClientError: 403 PERMISSION_DENIED`, `PermissionDenied: 403 Permission ...`.
 */
function scanHttp(s: string, b: FactsBuilder): void {
  if (b.has('http')) return;
  const re = /(?<![\w.:/#-])([1-5]\d\d)(?![\w])/g;
  let tries = 0;
  for (let m = re.exec(s); m && tries < 5000; m = re.exec(s)) {
    tries++;
    const code = Number(m[1]);
    if (code < 400 || code > 599) continue;
    const before = s.slice(Math.max(0, m.index - 16), m.index);
    const after = s.slice(m.index + 3, m.index + 6);
    const goodBefore =
      /(HTTP(\/[\d.]{1,3})?|status(?: code)?|[Cc]ode|Error|error|Exception|exception)[\s:=,]{0,3}$/.test(
        before,
      ) ||
      /(^|\n)\s{0,8}[!>✕✗]?\s{0,3}$/.test(before) ||
      /[:[(]\s?$|:\s?["']$/.test(before);
    const goodAfter = /^( [A-Z]| \.|\]|:| \(|$|\n|\.\s|,| - |[`'"])/.test(after) || after === '';
    // `404 models/x is not found ...` at the start of a line: a status print when the rest of
    // the line reads like an error.
    const lineStart = /(^|\n)\s{0,8}$/.test(before) && after.startsWith(' ');
    const errorLine =
      lineStart &&
      /^[^\n]{0,300}?(not found|denied|invalid|exhausted|quota|permission|unauthenticated|not supported|error)/i.test(
        s.slice(m.index + 3, m.index + 303),
      );
    // `400 FAILED_PRECONDITION`, `HttpError 403 when requesting` (googleapiclient).
    const statusNext =
      /^ [A-Z][A-Z_]{4,30}\b/.test(s.slice(m.index + 3, m.index + 36)) &&
      asRpcStatus(/^ ([A-Z_]+)/.exec(s.slice(m.index + 3, m.index + 36))?.[1]) !== undefined;
    const requesting = before.endsWith('HttpError ') && s.startsWith(' when requesting', m.index + 3);
    if ((goodBefore && goodAfter) || errorLine || statusNext || requesting) {
      b.set('http', code, m.index);
      return;
    }
  }
}

const BARE_STATUSES: RpcStatus[] = [
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'DEADLINE_EXCEEDED',
  'ALREADY_EXISTS',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'DATA_LOSS',
];

/** Exception class names (Python api_core, Java gax) -> the status they stand for. */
const EXCEPTION_STATUS: Array<[string, RpcStatus, number?]> = [
  ['PermissionDenied', 'PERMISSION_DENIED', 403],
  ['NotFound', 'NOT_FOUND', 404],
  ['ResourceExhausted', 'RESOURCE_EXHAUSTED', 429],
  ['TooManyRequests', 'RESOURCE_EXHAUSTED', 429],
  ['Unauthenticated', 'UNAUTHENTICATED', 401],
  ['FailedPrecondition', 'FAILED_PRECONDITION', 400],
  ['InvalidArgument', 'INVALID_ARGUMENT', 400],
  ['DeadlineExceeded', 'DEADLINE_EXCEEDED', 504],
  ['ServiceUnavailable', 'UNAVAILABLE', 503],
  // api_core's HTTP-named classes (`google.api_core.exceptions.Forbidden: 403 ...`).
  ['Forbidden', 'PERMISSION_DENIED', 403],
];

/** Compiled once: scanStatus runs for every stretch of text. */
const BARE_STATUS_PATTERNS: Array<[RpcStatus, RegExp]> = BARE_STATUSES.map((st) => [
  st,
  new RegExp(`(?<![A-Z_])${st}(?![A-Z_])`),
]);

// Java / .NET add `Exception`, Ruby's google-cloud (`Google::Cloud::PermissionDeniedError`) `Error`.
const EXCEPTION_PATTERNS: Array<[string, RpcStatus, RegExp]> = EXCEPTION_STATUS.map(([name, st]) => [
  name,
  st,
  new RegExp(`(?:exceptions\\.|\\b)${name}(?:Exception|Error)?(?::| \\[| \\(|\\r?\\n)`),
]);

function scanStatus(s: string, b: FactsBuilder): void {
  if (b.has('status')) return;
  let best = -1;
  let found: RpcStatus | undefined;
  for (const [st, re] of BARE_STATUS_PATTERNS) {
    if (!s.includes(st)) continue;
    const m = re.exec(s);
    if (m && (best < 0 || m.index < best)) {
      best = m.index;
      found = st;
    }
  }
  if (found) {
    b.set('status', found, best);
    return;
  }
  // gRPC core prints the numeric code only: `grpc_status:9`.
  const g = /grpc_status"?:\s?(\d{1,2})\b/.exec(s);
  const byCode = g ? RPC_STATUSES[Number(g[1])] : undefined;
  if (g && byCode && byCode !== 'OK') {
    b.set('status', byCode, g.index + g[0].length - (g[1]?.length ?? 0), g[1]?.length);
    return;
  }
  for (const [name, st, re] of EXCEPTION_PATTERNS) {
    if (!s.includes(name)) continue;
    const m = re.exec(s);
    if (m) {
      b.set('status', st, m.index + m[0].indexOf(name), name.length);
      return;
    }
  }
}

/** Reasons Google prints in ErrorInfo; read from prose when no detail carried them. */
const KNOWN_REASONS = [
  'IAM_PERMISSION_DENIED',
  'SERVICE_DISABLED',
  'BILLING_DISABLED',
  'API_KEY_INVALID',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
  'API_KEY_IP_ADDRESS_BLOCKED',
  'API_KEY_ANDROID_APP_BLOCKED',
  'API_KEY_IOS_APP_BLOCKED',
  'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
  'ACCESS_TOKEN_EXPIRED',
  'ACCESS_TOKEN_TYPE_UNSUPPORTED',
  'CREDENTIALS_MISSING',
  'CONSUMER_INVALID',
  'CONSUMER_SUSPENDED',
  'USER_PROJECT_DENIED',
  'RATE_LIMIT_EXCEEDED',
  'RESOURCE_PROJECT_INVALID',
  'SECURITY_POLICY_VIOLATED',
  'ORG_POLICY_CONSTRAINT_FAILED',
  'UREQ_PROJECT_BILLING_NOT_FOUND',
  'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED',
];

function scanReasons(s: string, b: FactsBuilder): void {
  if (b.has('reason')) return;
  let best = -1;
  let found: string | undefined;
  for (const r of KNOWN_REASONS) {
    const at = s.indexOf(r);
    if (at >= 0 && (best < 0 || at < best)) {
      // Not a longer token (API_KEY_INVALID inside API_KEY_INVALID_X).
      const next = s.charCodeAt(at + r.length);
      if ((next >= 65 && next <= 90) || next === 95) continue;
      best = at;
      found = r;
    }
  }
  if (found) {
    b.set('reason', found, best);
    if (found.startsWith('API_KEY_')) b.apiKey({ used: true, restriction: found });
    return;
  }
  // "Permission denied: Consumer 'api_key:...' has been suspended." is Google's CONSUMER_SUSPENDED
  // text; clients that print only the message drop the reason.
  const susp = /Consumer '([^'\s]{1,200})'? has been suspended/.exec(s);
  if (susp?.[1]) {
    b.set('reason', 'CONSUMER_SUSPENDED', susp.index, susp[0].length);
    if (!b.has('consumer')) b.set('consumer', susp[1], susp.index + 10);
    if (susp[1].startsWith('api_key')) b.apiKey({ used: true });
    return;
  }
  // A `"reason": "x"` / `reason: "x"` field in a fragment no structured parser could read
  // (legacy `errors[].reason` values such as rateLimitExceeded included).
  const m = /\breason["']?\s{0,3}[:=]\s{0,3}["']([A-Za-z][A-Za-z_]{2,60})["']/.exec(s);
  if (m?.[1]) b.set('reason', m[1], m.index + m[0].length - m[1].length - 1);
}

/** The project the error names, read from the ways messages phrase it. */
function scanProjects(s: string, b: FactsBuilder): void {
  if (b.has('project')) return;
  const patterns: Array<[RegExp, boolean]> = [
    // "Permission denied on resource project X." (keeps a stray trailing space: it is the bug)
    [/[Pp]ermission denied on resource project ([^\s.,'"`]{1,100}( +(?=\.))?)/, true],
    [/has not been used in project ([^\s,'"`]{1,100}) before/, true],
    [/Project ([a-z][a-z0-9-]{4,60}) \(#(\d{4,20})\)/, true],
    [/[Pp]roject ['"`]([^'"`\s]{1,100})['"`]/, true],
    // BigQuery: `Access Denied: Project P:`, `Access Denied: Table P:dataset.table`, where P may be
    // domain-scoped (`example.com:my-project`).
    [
      /Access Denied: (?:Project|Table|Dataset) ((?:[a-z][a-z0-9-]{0,60}(?:\.[a-z0-9-]{1,60}){1,4}:)?[a-z][a-z0-9-]{4,60}[a-z0-9]|\d{6,20})[:.]/,
      true,
    ],
    // gcloud: `in project [P]`, `access projects instance [P:setIamPolicy]`.
    [/\bin project \[([a-z][a-z0-9-]{4,60}[a-z0-9])\]/, true],
    [/\bprojects instance \[([a-z][a-z0-9-]{4,60}[a-z0-9])(?::[A-Za-z]{1,60})?\]/, true],
    [/consumer ['"`]?project_number:(\d{4,20})/, true],
    [/[?&]project=([a-zA-Z0-9_-]{1,100})/, false],
    [
      /\b(?:in|for|on) project ((?:[a-z][a-z0-9-]{0,60}(?:\.[a-z0-9-]{1,60}){1,4}:)?[a-z][a-z0-9-]{4,60}[a-z0-9])\b/,
      false,
    ],
  ];
  for (const [re, strong] of patterns) {
    const m = re.exec(s);
    if (!m?.[1]) continue;
    if (!strong && b.facts.project) return;
    let value = m[1];
    if (value.endsWith('.') && !/ \.$/.test(value)) value = value.slice(0, -1);
    b.set('project', value, m.index + m[0].indexOf(m[1]));
    return;
  }
}

/**
 * Quota text: `Quota exceeded for metric: M, limit: 0, model: X` (Gemini API),
 * `Quota exceeded for quota metric 'M' and limit 'L' of service 'S' for consumer 'project_number:N'`,
 * `Quota exceeded for aiplatform.googleapis.com/METRIC with base model: X`.
 */
/** Joins lines wrapped by a terminal, dropping box-drawing gutters (offsets are not kept). */
function unwrap(s: string): string {
  return s.replace(/[ \t]{0,200}[│┃║]?[ \t]{0,200}\r?\n[ \t]{0,200}[│┃║]?[ \t]{0,200}/g, ' ');
}

function scanQuota(s: string, b: FactsBuilder, offsets = true): void {
  const at = (n: number) => (offsets ? n : undefined);
  let m =
    /Quota exceeded for metric: ([\w./-]{3,200})(?:, limit: (\d{1,12}))?(?:, model: ([\w.@-]{2,100}))?/.exec(
      s,
    );
  if (m) {
    b.quota({ metric: m[1], ...(m[2] ? { limit: m[2] } : {}) });
    if (m[3]) b.set('model', m[3], at(m.index + m[0].length - m[3].length));
  }
  // QuotaFailure violations printed as prose / YAML: `quotaId: GenerateRequestsPerDay...`.
  m = /\bquota_?[Ii]d["']?\s?[:=]\s?["']?([A-Za-z0-9_-]{3,200})/.exec(s);
  if (m) b.quota({ id: m[1] });
  // Unquoted: `quota exceeded for quota metric M and Limit L of service S` (no quotes).
  m =
    /[Qq]uota exceeded for quota metric ([^'\n]{1,120}?) and [Ll]imit ([^'\n]{1,160}?) of service ([a-z0-9-]{2,60}\.googleapis\.com)/.exec(
      s,
    );
  if (m && !b.facts.quota?.id) {
    b.quota({ metric: m[1], id: m[2] });
    b.set('service', m[3], at(m.index + m[0].length - (m[3]?.length ?? 0)));
  }
  m =
    /Quota exceeded for quota metric '([^'\n]{1,200})' and limit '([^'\n]{1,200})' of service '([^'\n]{1,100})'/.exec(
      s,
    );
  if (m) {
    b.quota({ metric: m[1], id: m[2] });
    b.set('service', m[3], at(m.index + m[0].length - (m[3]?.length ?? 0) - 1));
  }
  m =
    /Quota exceeded for ([a-z0-9-]{2,60}\.googleapis\.com)\/([\w/-]{2,200})(?: with base model: ([\w.@-]{2,100}))?/.exec(
      s,
    );
  if (m) {
    b.quota({ metric: `${m[1]}/${m[2]}` });
    b.set('service', m[1], at(m.index + m[0].indexOf(m[1] as string)));
    if (m[3]) b.set('model', m[3].replace(/\.$/, ''), at(m.index + m[0].length - m[3].length));
  }
  m = /\blimit: (\d{1,12})\b/.exec(s);
  if (m && b.facts.quota) b.quota({ limit: m[1] });
  // Derive the window and the free tier from whatever names the quota carries.
  const q = b.facts.quota;
  const names = `${q?.metric ?? ''} ${q?.id ?? ''}`;
  const lower = names.toLowerCase();
  // Metric ids spell the window `per_minute` / `PerMinute`; display names `per minute`.
  const window = /per[_ ]?second/.test(lower)
    ? 'second'
    : /per[_ ]?minute|_rpm\b|per[_ ]?min\b/.test(lower)
      ? 'minute'
      : /per[_ ]?hour/.test(lower)
        ? 'hour'
        : /per[_ ]?day|daily/.test(lower)
          ? 'day'
          : undefined;
  const free = /free_?tier|freetier/.test(lower) || b.hasSignal('no_free_tier');
  if (q || window || free) {
    b.quota({ ...(window ? { window } : {}), ...(free ? { freeTier: true } : {}) });
  }
}

function scanRetry(s: string, b: FactsBuilder): void {
  if (b.has('retryDelaySeconds')) return;
  const m =
    /(?:[Pp]lease retry in|retry after|retryDelay["']?:\s?["']?) ?(\d{1,6}(?:\.\d{1,9})?) ?(s|sec|seconds)?\b/.exec(
      s,
    );
  if (m) b.set('retryDelaySeconds', Number(m[1]), m.index + m[0].indexOf(m[1] as string));
}

function scanVpcSc(s: string, b: FactsBuilder): void {
  const m = /vpcServiceControlsUniqueIdentifier['"]?\s{0,3}[:=]\s{0,3}['"]?([A-Za-z0-9_-]{4,200})/.exec(s);
  if (m) b.set('vpcScId', m[1], m.index + m[0].length - (m[1]?.length ?? 0));
}

function scanConstraint(s: string, b: FactsBuilder): void {
  const m = /constraints\/[A-Za-z0-9_.]{2,120}/.exec(s);
  if (m) b.set('constraint', m[0].replace(/\.$/, ''), m.index);
}

/**
 * A principal named in the text. Service-account e-mails are preferred over people's
 * addresses (support mailboxes appear in messages too). Terminal wrapping (`...@gcp-sa-\n│ bigquery...`)
 * is joined back.
 */
function scanPrincipal(s: string, b: FactsBuilder): void {
  if (b.has('principal')) return;
  let from = 0;
  let fallback: { email: string; at: number } | undefined;
  for (let n = 0; n < 200; n++) {
    const at = s.indexOf('@', from);
    if (at < 0) break;
    from = at + 1;
    let start = at;
    while (start > 0 && at - start < 80 && /[A-Za-z0-9._%+-]/.test(s[start - 1] as string)) start--;
    if (start === at) continue;
    let end = at + 1;
    let domain = '';
    for (;;) {
      const runStart = end;
      while (end < s.length && end - at < 300 && /[A-Za-z0-9.-]/.test(s[end] as string)) end++;
      domain += s.slice(runStart, end);
      // Wrapped at a hyphen: skip the newline and any box-drawing gutter, then continue.
      if (domain.endsWith('-') && s[end] === '\n') {
        let k = end + 1;
        while (k < s.length && k - end < 12 && /[\s│┃|]/.test(s[k] as string)) k++;
        end = k;
        continue;
      }
      break;
    }
    domain = domain.replace(/\.+$/, '');
    if (!/\.[a-z]{2,}$/i.test(domain)) continue;
    const email = `${s.slice(start, at)}@${domain}`;
    from = Math.max(from, end);
    if (/gserviceaccount\.com$/i.test(domain)) {
      b.set('principal', email, start);
      return;
    }
    const local = s.slice(start, at).toLowerCase();
    if (
      !fallback &&
      !/^(no-?reply|support|feedback|.*-feedback|.*-support)$/.test(local) &&
      !/google\.com$/i.test(domain)
    ) {
      const window = s.slice(Math.max(0, start - 60), start).toLowerCase();
      if (/(user|principal|caller|member|account|email)\b[^\n]{0,30}$/.test(window))
        fallback = { email, at: start };
    }
  }
  if (fallback) b.set('principal', fallback.email, fallback.at);
}

/** Names of APIs in prose -> service names. */
const API_TITLES: Array<[string, string]> = [
  ['Vertex AI API', 'aiplatform.googleapis.com'],
  ['Generative Language API', 'generativelanguage.googleapis.com'],
  ['Gemini for Google Cloud API', 'cloudaicompanion.googleapis.com'],
  ['Cloud Resource Manager API', 'cloudresourcemanager.googleapis.com'],
  ['Service Usage API', 'serviceusage.googleapis.com'],
  ['IAM Service Account Credentials API', 'iamcredentials.googleapis.com'],
  ['Identity and Access Management (IAM) API', 'iam.googleapis.com'],
  ['Cloud Billing API', 'cloudbilling.googleapis.com'],
];

function scanServices(s: string, b: FactsBuilder): void {
  if (b.has('service')) return;
  const m = /apis\/api\/([a-z0-9-]{2,60}\.googleapis\.com)/.exec(s);
  if (m) {
    b.set('service', m[1], m.index + 9);
    return;
  }
  for (const [title, service] of API_TITLES) {
    const at = s.indexOf(title);
    if (at >= 0) {
      b.set('service', service);
      return;
    }
  }
  const re = /(?<![\w.-])([a-z][a-z0-9-]{1,60})\.googleapis\.com(?![\w-]|\/(?:[a-z]+_)?(?:auth|css))/g;
  for (let t = re.exec(s), n = 0; t && n < 200; t = re.exec(s), n++) {
    const host = t[1] as string;
    if (
      host === 'type' ||
      host === 'www' ||
      host === 'oauth2' ||
      host === 'accounts' ||
      host === 'storage' ||
      host === 'fonts'
    )
      continue;
    const service = /^[a-z]+-[a-z]+\d{1,2}-aiplatform$/.test(host)
      ? 'aiplatform.googleapis.com'
      : `${host}.googleapis.com`;
    b.set('service', service, t.index);
    return;
  }
}

/** SDK and language from exception class names and stack frames. */
const SDK_MARKERS: Array<[string, string, string]> = [
  ['google.genai.errors', 'google-genai', 'python'],
  ['google.generativeai', 'google-generativeai', 'python'],
  ['langchain_google_genai', 'langchain-google-genai', 'python'],
  ['langchain_google_vertexai', 'langchain-google-vertexai', 'python'],
  ['litellm', 'litellm', 'python'],
  ['vertexai', 'vertexai', 'python'],
  ['google.api_core.exceptions', 'google-api-core', 'python'],
  ['google.auth.exceptions', 'google-auth', 'python'],
  ['_InactiveRpcError', 'grpcio', 'python'],
  ['InactiveRpcError', 'grpcio', 'python'],
  ['[GoogleGenerativeAI Error]', '@google/generative-ai', 'node'],
  ['@google/genai', '@google/genai', 'node'],
  ['got status: ', '@google/genai', 'node'],
  ['@ai-sdk/', 'ai-sdk', 'node'],
  ['AI_APICallError', 'ai-sdk', 'node'],
  ['@langchain/', 'langchainjs', 'node'],
  ['google-auth-library', 'google-auth-library', 'node'],
  ['com.google.genai', 'google-genai', 'java'],
  ['com.google.api.gax', 'gax', 'java'],
  ['com.google.api.client.googleapis', 'google-api-client', 'java'],
  ['com.google.cloud.vertexai', 'google-cloud-vertexai', 'java'],
  ['Grpc.Core.RpcException', 'Grpc.Core', 'csharp'],
  ['Google.Cloud.', 'google-cloud-dotnet', 'csharp'],
  ['googleapi: Error', 'google-api-go-client', 'go'],
  ['ERROR: (gcloud.', 'gcloud', 'shell'],
  ['Generative AI Error', 'google_generative_ai', 'dart'],
  ['rlang::', 'R', 'r'],
];

const LANGUAGE_MARKERS: Array<[RegExp, string]> = [
  [/Traceback \(most recent call last\)|File "[^"\n]{1,300}\.py", line \d/, 'python'],
  [/\n\s{1,8}at [^\n]{0,300}(node_modules|node:internal|\.m?js:\d)/, 'node'],
  [/Exception in thread "|\n\s{0,8}at (com|io|java|org)\.[\w.$]{1,200}\(/, 'java'],
  [/\bgoroutine \d|\.go:\d/, 'go'],
];

function scanSdk(s: string, b: FactsBuilder): void {
  for (const [marker, sdk, lang] of SDK_MARKERS) {
    const at = s.indexOf(marker);
    if (at < 0) continue;
    b.set('sdk', sdk, at);
    b.set('language', lang);
    if (!['ERROR: (gcloud.', 'googleapi: Error'].includes(marker)) b.shape('sdk-exception');
    break;
  }
  if (!b.has('language')) {
    for (const [re, lang] of LANGUAGE_MARKERS) {
      if (re.test(s)) {
        b.set('language', lang);
        break;
      }
    }
  }
  if (/\b(DefaultCredentialsError|RefreshError|GoogleAuth|invalid_grant)\b/.test(s)) b.shape('google-auth');
}
