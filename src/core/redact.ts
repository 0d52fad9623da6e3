/**
 * Removes credentials from text before anything is printed, logged or stored: Google API keys
 * (`AIza...`), Vertex AI express-mode keys (`AQ.`...), OAuth access tokens (`ya29.`...), refresh
 * tokens (`1//`...), OAuth client secrets (`GOCSPX-`...), PEM private keys, JWTs, `Bearer` tokens
 * (any case, any separator), `key=` / `token=` / `access_token=` query values and credential
 * fields (`x-goog-api-key`, `access_token`, `refresh_token`, `client_secret`, `api_key`).
 *
 * Matching runs on the decoded text (redact-decode.ts: JSON / Python escapes and URL encoding
 * undone), so `key%3DAIza...`, `\nya29...`, `\u0026key=...` and JSON-serialised lines read as
 * what they are; each match is mapped back to the original characters and replaced there.
 *
 * Hand-written scanning rather than regular expressions for the token forms: every secret is found
 * with `indexOf` on a fixed prefix and then one forward run over its characters, and the search
 * resumes after that run, so each character is looked at a bounded number of times (linear in the
 * input, no backtracking on hostile input).
 */
import { type DecodedText, decodeForMatching, originalIndex } from './redact-decode.js';

const B64URL = charset('A-Za-z0-9_-');
const B64URL_DOT = charset('A-Za-z0-9_.-');
const TOKEN68 = charset('A-Za-z0-9_.~+/=-');
const WORD = charset('A-Za-z0-9_');

interface TokenRule {
  /** Literal prefix the secret starts with. */
  prefix: string;
  /** Characters the secret continues with after the prefix. */
  body: Uint8Array;
  /** Minimum body length for the run to count as a secret (avoids redacting prose). */
  min: number;
  /** Keep the prefix visible (e.g. `Bearer `), replacing only the body. */
  keepPrefix: boolean;
  /** Optional structural check on the body. */
  accept?: (body: string) => boolean;
  /**
   * The secret must not continue a longer word. Only for `AQ.`, whose prefix is short enough to
   * end a word (`FAQ.`); the other prefixes are distinctive, and a secret glued to a word
   * (`apikeyAIza...`) is still a secret.
   */
  boundary?: boolean;
  label: string;
}

const RULES: TokenRule[] = [
  { prefix: 'AIza', body: B64URL, min: 30, keepPrefix: false, label: 'API_KEY' },
  { prefix: 'AQ.', body: B64URL_DOT, min: 16, keepPrefix: false, boundary: true, label: 'API_KEY' },
  { prefix: 'ya29.', body: B64URL_DOT, min: 10, keepPrefix: false, label: 'ACCESS_TOKEN' },
  { prefix: '1//', body: B64URL, min: 20, keepPrefix: false, label: 'REFRESH_TOKEN' },
  { prefix: 'GOCSPX-', body: B64URL, min: 10, keepPrefix: false, label: 'CLIENT_SECRET' },
  {
    prefix: 'eyJ',
    body: B64URL_DOT,
    min: 10,
    keepPrefix: false,
    label: 'JWT',
    // header.payload.signature: at least two dots, and the header and payload are non-empty.
    accept: (body) => {
      const first = body.indexOf('.');
      if (first <= 0) return false;
      const second = body.indexOf('.', first + 1);
      return second > first + 1;
    },
  },
];

/**
 * `Bearer` in any case, then spaces, tabs, `:` or `=` (`Bearer  x`, `Bearer\tx`, `BeArEr x`,
 * `Bearer:x`): the token after it is a secret whatever it looks like.
 */
const BEARER = 'bearer';
const BEARER_SEPARATOR = charset(' \\t:=');
const BEARER_MIN = 8;

/**
 * Names whose VALUE is a secret, matched in any case. Query parameters (`?key=`, `&token=`,
 * `;access_token=`) after `?`, `&` or `;`; credential fields in headers, JSON, Python reprs and env
 * files (`x-goog-api-key: v`, `"access_token": "v"`, `'client_secret': 'v'`, `API_KEY=v`) after
 * any non-word character. `key` and `token` alone are too common as field names
 * (`"key": "error-rate"`) to count outside a query string.
 */
const QUERY_NAMES = ['key', 'token', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'api_key'];
const FIELD_NAMES = ['x-goog-api-key', 'access_token', 'refresh_token', 'client_secret', 'api_key', 'apikey'];
const QUERY_BEFORE = charset('?&;');
const QUOTE = charset('"\'');
const BLANK = charset(' \\t');
const ASSIGN = charset(':=');

/**
 * A value ends at whitespace, a quote, `&`, `#`, a bracket, `,`, `;` or a backslash (the start
 * of an escape the decoder left alone).
 */
const VALUE_END = charset(' \\t\\n\\r"\'`&#<>(){}\\[\\],;\\\\');

/** A stretch of the (decoded) text to replace with `[REDACTED_<label>]`. */
interface Span {
  start: number;
  end: number;
  label: string;
}

/**
 * What every secret form contains (lower case), in plain, JSON-escaped or URL-encoded text: a text
 * with none of these is returned untouched without decoding (most log records on the hot path).
 */
const MAY_HOLD_SECRET = /key|token|secret|bearer|aiza|aq\.|ya29|1\/\/|1%2|1\\\/|gocspx|eyj|private/;

export function redactSecrets(text: string): string {
  if (text.length === 0 || !MAY_HOLD_SECRET.test(asciiLowerCase(text))) return text;
  const decoded = decodeForMatching(text);
  const spans = findSecrets(decoded.text);
  if (spans.length === 0) return text;
  return replaceSpans(text, decoded, spans);
}

/** True when the text still holds something that looks like a credential (used by tests and guards). */
export function containsSecret(text: string): boolean {
  return text.length > 0 && findSecrets(decodeForMatching(text).text).length > 0;
}

function findSecrets(text: string): Span[] {
  const spans: Span[] = [];
  findPem(text, spans);
  for (const rule of RULES) findTokens(text, rule, spans);
  // Names are matched in any case with indexOf on a lower-cased copy (regular expressions with
  // the i flag scan character by character: several times slower on the logs hot path).
  const folded = asciiLowerCase(text);
  findBearer(text, folded, spans);
  for (const name of QUERY_NAMES) findValues(text, folded, `${name}=`, 'query', spans);
  for (const name of FIELD_NAMES) findValues(text, folded, name, 'field', spans);
  return spans;
}

/** Lower case with every index kept (toLowerCase can change the length outside ASCII). */
function asciiLowerCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : text.charAt(i);
  }
  return out;
}

/** Replaces the spans (found in the decoded text) in the original text, overlaps merged. */
function replaceSpans(original: string, decoded: DecodedText, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < spans.length) {
    const first = spans[i] as Span;
    let end = first.end;
    for (i++; i < spans.length && (spans[i] as Span).start < end; i++)
      end = Math.max(end, (spans[i] as Span).end);
    const from = originalIndex(decoded, first.start);
    parts.push(original.slice(copied, from), `[REDACTED_${first.label}]`);
    copied = originalIndex(decoded, end);
  }
  parts.push(original.slice(copied));
  return parts.join('');
}

function findTokens(text: string, rule: TokenRule, spans: Span[]): void {
  if (!text.includes(rule.prefix)) return;
  let from = 0;
  for (;;) {
    const at = text.indexOf(rule.prefix, from);
    if (at < 0) return;
    let end = at + rule.prefix.length;
    while (end < text.length && inSet(rule.body, text.charCodeAt(end))) end++;
    const body = text.slice(at + rule.prefix.length, end);
    const glued = rule.boundary && at > 0 && inSet(B64URL, text.charCodeAt(at - 1));
    if (!glued && body.length >= rule.min && (!rule.accept || rule.accept(body))) {
      spans.push({ start: rule.keepPrefix ? at + rule.prefix.length : at, end, label: rule.label });
    }
    // Resume after the whole run: a later prefix inside it would only see a shorter run.
    from = Math.max(end, at + 1);
  }
}

function findBearer(text: string, folded: string, spans: Span[]): void {
  for (let at = folded.indexOf(BEARER); at >= 0; at = folded.indexOf(BEARER, at + 1)) {
    let start = at + BEARER.length;
    while (start < text.length && inSet(BEARER_SEPARATOR, text.charCodeAt(start))) start++;
    if (start === at + BEARER.length) continue;
    let end = start;
    while (end < text.length && inSet(TOKEN68, text.charCodeAt(end))) end++;
    if (end - start >= BEARER_MIN) spans.push({ start, end, label: 'TOKEN' });
    at = Math.max(at, end - 1);
  }
}

/**
 * `name` then its value: a query parameter (`name` ends with `=`; `?`, `&` or `;` before it) or a
 * field (a non-word character before it, then an optional closing quote, `:` or `=` with blanks
 * around, an optional opening quote).
 */
function findValues(
  text: string,
  folded: string,
  name: string,
  form: 'query' | 'field',
  spans: Span[],
): void {
  for (let at = folded.indexOf(name); at >= 0; at = folded.indexOf(name, at + 1)) {
    const before = at > 0 ? text.charCodeAt(at - 1) : -1;
    if (form === 'query' ? !inSet(QUERY_BEFORE, before) : inSet(WORD, before)) continue;
    let start = at + name.length;
    if (form === 'field') {
      if (inSet(QUOTE, text.charCodeAt(start))) start++;
      while (inSet(BLANK, text.charCodeAt(start))) start++;
      if (!inSet(ASSIGN, text.charCodeAt(start))) continue;
      start++;
      while (inSet(BLANK, text.charCodeAt(start))) start++;
      if (inSet(QUOTE, text.charCodeAt(start))) start++;
    }
    let end = start;
    while (end < text.length && !inSet(VALUE_END, text.charCodeAt(end))) end++;
    const value = text.slice(start, end);
    // `$GEMINI_API_KEY` / `${KEY}` is a reference a command reads at run time, not a secret.
    if (value.length === 0 || value.startsWith('$')) continue;
    spans.push({ start, end, label: valueLabel(name) });
    at = Math.max(at, end - 1);
  }
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';

function valueLabel(name: string): string {
  if (name.includes('refresh')) return 'REFRESH_TOKEN';
  if (name.includes('token')) return 'ACCESS_TOKEN';
  if (name.includes('secret')) return 'CLIENT_SECRET';
  return 'API_KEY';
}

/** `-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----` blocks. */
function findPem(text: string, spans: Span[]): void {
  if (!text.includes(PEM_BEGIN)) return;
  let from = 0;
  for (;;) {
    const at = text.indexOf(PEM_BEGIN, from);
    if (at < 0) return;
    const headerEnd = text.indexOf('-----', at + PEM_BEGIN.length);
    if (headerEnd < 0) return;
    const label = text.slice(at + PEM_BEGIN.length, headerEnd);
    from = headerEnd + 5;
    if (label.length > 40 || !label.endsWith('PRIVATE KEY')) continue;
    const endAt = text.indexOf(PEM_END, from);
    // A key cut off by truncation is still a key: redact to the end of the text.
    let stop = text.length;
    if (endAt >= 0) {
      const close = text.indexOf('-----', endAt + PEM_END.length);
      stop = close >= 0 ? close + 5 : text.length;
    }
    spans.push({ start: at, end: stop, label: 'PRIVATE_KEY' });
    from = stop;
  }
}

/** A 128-entry membership table from a tiny range syntax (`A-Z`, escapes `\\t` `\\n` `\\r` `\\[`). */
function charset(spec: string): Uint8Array {
  const set = new Uint8Array(128);
  const chars: number[] = [];
  for (let i = 0; i < spec.length; i++) {
    let c = spec.charCodeAt(i);
    if (spec[i] === '\\' && i + 1 < spec.length) {
      const e = spec[++i];
      c = e === 't' ? 9 : e === 'n' ? 10 : e === 'r' ? 13 : (e as string).charCodeAt(0);
      chars.push(c);
      continue;
    }
    if (spec[i + 1] === '-' && i + 2 < spec.length) {
      const to = spec.charCodeAt(i + 2);
      for (let x = c; x <= to; x++) chars.push(x);
      i += 2;
      continue;
    }
    chars.push(c);
  }
  for (const c of chars) if (c < 128) set[c] = 1;
  return set;
}

function inSet(set: Uint8Array, code: number): boolean {
  return code < 128 && set[code] === 1;
}
