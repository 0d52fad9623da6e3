/**
 * The wrappers clients and log pipelines put around a Google error, taken off so the error reads
 * the same in every shape:
 *
 * - log records: a Cloud Logging LogEntry (jsonPayload / textPayload) or a Datadog log record
 *   (Logs API event or raw export) whose message holds the error text; the text is read as if it
 *   had been pasted, not as the escaped string inside the record's JSON;
 * - client exception lines that put the message after a prefix: google-api-core's
 *   `403 POST https://...: message [details]` and `PermissionDenied: 403 message [details]`,
 *   google-api-python-client's `<HttpError 403 when requesting URL returned "message">`, and a Go
 *   gRPC client's `rpc error: code = PermissionDenied desc = message` with gax-go's
 *   `error details: name = ErrorInfo reason = ... metadata = map[k:v]` lines, gemini-cli's
 *   `[API Error: message (Status: STATUS)]`.
 */
import type { Facts, Span } from '../model.js';
import type { FactsBuilder } from './builder.js';
import { asRpcStatus, RPC_STATUSES, readDetail } from './details.js';
import { isObject, type Lenient, type LenientObject, readLenient } from './lenient.js';

/** Records longer than this are log dumps: the log reader handles them, not this unwrapping. */
const MAX_RECORDS = 200;

/**
 * The text carried by the log records the whole input consists of (one record, a JSON array of
 * them, or JSON lines), or undefined when the input is not made of log records only.
 */
export function logRecordText(text: string): string | undefined {
  const first = text.search(/\S/);
  if (first < 0 || (text[first] !== '{' && text[first] !== '[')) return undefined;
  // Cheap before a full read: every record kind below names one of these fields.
  if (!/"?(?:jsonPayload|textPayload|attributes|service|host|ddsource)"?\s?:/.test(text)) return undefined;
  const carried: string[] = [];
  let pos = first;
  while (pos < text.length) {
    const { value, end, complete } = readLenient(text, pos);
    if (!complete) return undefined;
    const records = Array.isArray(value) ? value : [value];
    if (records.length === 0 || carried.length + records.length > MAX_RECORDS) return undefined;
    for (const r of records) {
      const t = isObject(r) ? recordText(r) : undefined;
      if (t === undefined) return undefined;
      carried.push(t);
    }
    pos = end;
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
    if (pos < text.length && text[pos] !== '{' && text[pos] !== '[') return undefined;
  }
  return carried.join('\n');
}

/** The error text one log record carries, or undefined when it is not a log record. */
function recordText(r: LenientObject): string | undefined {
  // Cloud Logging LogEntry. Audit entries (protoPayload) stay JSON: the parser reads them whole.
  if (typeof r.textPayload === 'string') return r.textPayload;
  if (isObject(r.jsonPayload)) return payloadText(r.jsonPayload);
  // Datadog Logs API event: {id, type: 'log', attributes: {message, attributes: {...}}}.
  if (r.type === 'log' && isObject(r.attributes) && typeof r.attributes.message === 'string') {
    const custom = isObject(r.attributes.attributes) ? r.attributes.attributes : {};
    return withExtras(r.attributes.message, custom);
  }
  // Datadog raw record (UI export, agent JSON): a message with the record's own tags, no code.
  if (
    typeof r.message === 'string' &&
    r.code === undefined &&
    r.error === undefined &&
    (typeof r.service === 'string' || typeof r.host === 'string' || typeof r.ddsource === 'string')
  )
    return withExtras(r.message, r);
  return undefined;
}

function payloadText(p: LenientObject): string | undefined {
  const message = typeof p.message === 'string' ? p.message : typeof p.msg === 'string' ? p.msg : undefined;
  if (message === undefined) return JSON.stringify(p);
  return withExtras(message, p);
}

/** The message, then what else in the record describes the failure (an error object, a stack). */
function withExtras(message: string, fields: LenientObject): string {
  const parts = [message];
  const add = (v: Lenient | undefined) => {
    if (typeof v === 'string' && v.trim() && !parts.some((p) => p.includes(v))) parts.push(v);
    else if (isObject(v) || Array.isArray(v)) {
      const json = JSON.stringify(v);
      if (!parts.some((p) => p.includes(json))) parts.push(json);
    }
  };
  const error = fields.error;
  if (isObject(error)) {
    add(error.message);
    add(error.stack);
    const { message: _m, stack: _s, kind: _k, ...rest } = error;
    if (Object.keys(rest).length) add(rest);
  } else add(error);
  add(fields.stack_trace);
  add(fields.exception);
  return parts.join('\n');
}

/**
 * Facts read from a record's carried text, with their spans moved onto the original input (the
 * first place the same characters occur there); spans whose text the record escaped are dropped.
 */
export function respan(facts: Facts, carried: string, original: string): Facts {
  const move = (spans: Partial<Record<string, Span>> | undefined) => {
    if (!spans) return spans;
    const out: Partial<Record<string, Span>> = {};
    for (const [k, s] of Object.entries(spans)) {
      if (!s) continue;
      const piece = carried.slice(s.start, s.end);
      const at = piece ? original.indexOf(piece) : -1;
      if (at >= 0) out[k] = { start: at, end: at + piece.length };
    }
    return out;
  };
  const moved = {
    ...facts,
    spans: move(facts.spans),
    errors: facts.errors.map((e) => ({ ...e, spans: move(e.spans) })),
  };
  return moved as Facts;
}

/** Message separators of google-api-core's str(): details follow the message after " [". */
const API_CORE_DETAILS =
  / \[(?=reason: |\{'|\{"|violations |links |field_violations |locale: |retry_delay |resource_|quota_|detail: |\]$)/;

/** The reading of the client-exception wrappers above; each sets only what is still unset. */
export function scanClientWrappers(s: string, b: FactsBuilder, scanMessage: (text: string) => void): void {
  scanCodeStatusLine(s, b);
  scanApiCore(s, b);
  scanDiscoveryHttpError(s, b);
  scanRubyGrpc(s, b);
  scanGeminiCli(s, b);
  scanGoGrpc(s, b, scanMessage);
}

/**
 * google-api-core GoogleAPICallError.__str__: "{code} {message}" plus " {details}" (a list); over
 * HTTP the message is "{METHOD} {url}: {error message}" (from_http_response). Printed alone, or
 * after the class name (`google.api_core.exceptions.Forbidden: 403 ...`).
 */
function scanApiCore(s: string, b: FactsBuilder): void {
  const m =
    /(?<=^|\n|[\w.]: )([45]\d\d) (?:(?:GET|POST|PUT|PATCH|DELETE) (https?:\/\/[^\s]{1,2000}): )?([^\n]{3,4000})/.exec(
      s,
    );
  if (!m?.[1] || !m[3]) return;
  // Google's messages open with a capital, a quote or a resource name ("models/x is not found");
  // "500 tokens used" is prose, not an error.
  // After `METHOD url: ` the message is certain, whatever it opens with.
  if (!m[2] && !/^(?:[A-Z`'"]|[a-z]{2,40}\/|\. )/.test(m[3])) return;
  // `400 Bad Request` is an HTTP status line, not api-core's message.
  if (/^[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}\.?$/.test(m[3].trim())) return;
  // google-genai for Java prints "{code} {status}. {message}", with an empty status: "401 . msg".
  let message = m[3].replace(/^\. /, '') + continuation(s, m.index + m[0].length);
  const cut = API_CORE_DETAILS.exec(message);
  if (cut) message = message.slice(0, cut.index);
  message = message.trim();
  if (message.startsWith('{') || message.startsWith('[') || message.length < 3) return;
  b.set('http', Number(m[1]), m.index + m[0].indexOf(m[1]));
  b.set('message', message, m.index + m[0].length - m[3].length);
  if (m[2]) b.set('url', m[2]);
}

/** Lines that look like what follows an error message rather than more of it. */
const NOT_MESSAGE =
  /^(?:\s|Traceback|During handling|The above exception|Caused by|Error: |[\w.$]{1,200}(?:Error|Exception)\b|\[|\{|[│|>✕]|$)/;

/**
 * The rest of a message that goes on after the line it started on (Google's messages carry
 * newlines: "...\n* Quota exceeded for metric: ...", terminals wrap long ones): following lines
 * up to a blank line, an indented or stack line, another exception or a details block.
 */
export function continuation(s: string, from: number): string {
  let out = '';
  let pos = from;
  for (let n = 0; n < 12 && s[pos] === '\n'; n++) {
    let end = s.indexOf('\n', pos + 1);
    if (end < 0) end = s.length;
    const line = s.slice(pos + 1, end);
    if (NOT_MESSAGE.test(line) || out.length + line.length > 4000) break;
    out += `\n${line}`;
    pos = end;
  }
  return out;
}

/**
 * `400 FAILED_PRECONDITION: message` (HTTP code, rpc status, message), as many wrappers print it,
 * and grpc-js's `7 PERMISSION_DENIED: message` (gRPC code; google-gax clients rethrow it as is).
 */
function scanCodeStatusLine(s: string, b: FactsBuilder): void {
  const m = /(?<![\w.])([45]\d\d|\d{1,2}) ([A-Z][A-Z_]{4,30}): ([^\n]{3,4000})/.exec(s);
  const status = asRpcStatus(m?.[2]);
  if (!m?.[1] || !m[3] || !status) return;
  const code = Number(m[1]);
  if (m[1].length < 3 && RPC_STATUSES[code] !== status) return;
  if (m[1].length === 3) b.set('http', code, m.index);
  b.set('status', status, m.index + m[1].length + 1);
  b.set(
    'message',
    (m[3] + continuation(s, m.index + m[0].length)).trim(),
    m.index + m[0].length - m[3].length,
  );
}

/** Ruby's gRPC errors: `GRPC::PermissionDenied: 7:message` / `Google::Cloud::PermissionDeniedError: 7:message`. */
function scanRubyGrpc(s: string, b: FactsBuilder): void {
  const m = /(?:GRPC|Google::Cloud)::[A-Za-z]{2,40}: (\d{1,2}):([^\n]{1,4000})/.exec(s);
  const status = m ? RPC_STATUSES[Number(m[1])] : undefined;
  if (!m?.[2] || !status || status === 'OK') return;
  b.set('status', status, m.index + m[0].indexOf(': ') + 2, m[1]?.length);
  b.set('message', m[2].trim(), m.index + m[0].length - m[2].length);
}

/**
 * gemini-cli's parseAndFormatApiError: `[API Error: message (Status: STATUS)]`, the status shown
 * for errors that came as API JSON.
 */
function scanGeminiCli(s: string, b: FactsBuilder): void {
  const m = /\[API Error: ([^\n]{1,4000}?) \(Status: ([A-Z_]{2,30})\)\]/.exec(s);
  const status = asRpcStatus(m?.[2]);
  if (!m?.[1] || !status) return;
  b.set('status', status, m.index + m[0].length - (m[2]?.length ?? 0) - 2, m[2]?.length);
  if (!m[1].trimStart().startsWith('{')) b.set('message', m[1].trim(), m.index + 12);
}

/** googleapiclient.errors.HttpError.__repr__: `<HttpError 403 when requesting URL returned "msg". Details: "...">`. */
function scanDiscoveryHttpError(s: string, b: FactsBuilder): void {
  const m = /<HttpError (\d{3}) when requesting ([^\s]{1,2000}) returned "([^"\n]{1,4000})"/.exec(s);
  if (!m?.[3]) return;
  b.set('http', Number(m[1]), m.index + 11);
  b.set('message', m[3], m.index + m[0].length - m[3].length - 1);
}

/**
 * A Go gRPC client's error: grpc-go's `rpc error: code = X desc = msg` (code in Go's spelling),
 * then gax-go's `error details: name = ErrorInfo reason = R domain = D metadata = map[k:v ...]`,
 * `name = PreconditionFailure type = T subj = S desc = D`, `name = Help desc = D url = U`.
 */
function scanGoGrpc(s: string, b: FactsBuilder, scan: (text: string) => void): void {
  const m = /rpc error: code = ([A-Za-z]{2,30}) desc = ([^\n]{0,4000})/.exec(s);
  if (m?.[1]) {
    const status = m[1] === 'Canceled' ? 'CANCELLED' : asRpcStatus(m[1]);
    if (status) b.set('status', status, m.index + 18, m[1].length);
    if (m[2]?.trim()) b.set('message', m[2].trim(), m.index + m[0].length - m[2].length);
    b.shape('grpc-text');
  }
  const info =
    /error details: name = ErrorInfo reason = (\S{1,200}) domain = (\S{0,200}) metadata = map\[([^\]\n]{0,4000})\]/.exec(
      s,
    );
  if (info) {
    const metadata: LenientObject = {};
    for (const kv of (info[3] ?? '').split(' ')) {
      const colon = kv.indexOf(':');
      if (colon > 0) metadata[kv.slice(0, colon)] = kv.slice(colon + 1);
    }
    readDetail(
      { '@type': 'google.rpc.ErrorInfo', reason: info[1] ?? '', domain: info[2] ?? '', metadata },
      b,
      scan,
    );
  }
  const pre =
    /error details: name = PreconditionFailure type = ([^\n]{0,500}?) subj = ([^\n]{0,1000}?) desc = ([^\n]{0,2000})/.exec(
      s,
    );
  if (pre)
    readDetail(
      {
        '@type': 'google.rpc.PreconditionFailure',
        violations: [{ type: pre[1] ?? '', subject: pre[2] ?? '', description: pre[3] ?? '' }],
      },
      b,
      scan,
    );
  const help = /error details: name = Help desc = ([^\n]{0,1000}?) url = (\S{1,2000})/.exec(s);
  if (help)
    readDetail(
      { '@type': 'google.rpc.Help', links: [{ description: help[1] ?? '', url: help[2] ?? '' }] },
      b,
      scan,
    );
}
