/**
 * Removes credentials from text before anything is printed, logged or stored: Google API keys
 * (`AIza...`), Vertex AI express-mode keys (`AQ.`...), OAuth access tokens (`ya29.`...), refresh
 * tokens (`1//`...), OAuth client secrets (`GOCSPX-`...), PEM private keys, JWTs, `key=` query
 * values, `x-goog-api-key` headers and `Bearer` tokens.
 *
 * Hand-written scanning rather than regular expressions: every secret is found with `indexOf`
 * on a fixed prefix and then one forward run over its characters, and the search resumes after
 * that run, so each character is looked at a bounded number of times (linear in the input, no
 * backtracking on hostile input).
 */

const B64URL = charset('A-Za-z0-9_-');
const B64URL_DOT = charset('A-Za-z0-9_.-');
const TOKEN68 = charset('A-Za-z0-9_.~+/=-');

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
  label: string;
}

const RULES: TokenRule[] = [
  { prefix: 'AIza', body: B64URL, min: 30, keepPrefix: false, label: 'API_KEY' },
  { prefix: 'AQ.', body: B64URL_DOT, min: 16, keepPrefix: false, label: 'API_KEY' },
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
  { prefix: 'Bearer ', body: TOKEN68, min: 8, keepPrefix: true, label: 'TOKEN' },
  { prefix: 'bearer ', body: TOKEN68, min: 8, keepPrefix: true, label: 'TOKEN' },
  { prefix: 'BEARER ', body: TOKEN68, min: 8, keepPrefix: true, label: 'TOKEN' },
];

/** Query / header forms whose VALUE is a secret, whatever it looks like. */
const VALUE_RULES: Array<{ prefix: string; before: string; label: string }> = [
  { prefix: 'key=', before: '?&;', label: 'API_KEY' },
  { prefix: 'x-goog-api-key:', before: '', label: 'API_KEY' },
  { prefix: 'X-Goog-Api-Key:', before: '', label: 'API_KEY' },
  { prefix: 'x-goog-api-key=', before: '', label: 'API_KEY' },
  { prefix: 'access_token=', before: '?&;', label: 'ACCESS_TOKEN' },
];

/**
 * A value ends at whitespace, a quote, `&`, `#`, a bracket, `,`, `;` or a backslash (the start
 * of an escaped quote when the text is JSON inside a string, so the escape is never cut in half).
 */
const VALUE_END = charset(' \\t\\n\\r"\'`&#<>(){}\\[\\],;\\\\');

export function redactSecrets(text: string): string {
  if (text.length === 0) return text;
  let out = redactPem(text);
  for (const rule of RULES) out = redactTokens(out, rule);
  for (const rule of VALUE_RULES) out = redactValues(out, rule.prefix, rule.before, rule.label);
  return out;
}

/** True when the text still holds something that looks like a credential (used by tests and guards). */
export function containsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

function redactTokens(text: string, rule: TokenRule): string {
  if (!text.includes(rule.prefix)) return text;
  const parts: string[] = [];
  let from = 0;
  let copied = 0;
  for (;;) {
    const at = text.indexOf(rule.prefix, from);
    if (at < 0) break;
    // A secret starts at a token boundary, not inside a longer word.
    const prev = at > 0 ? text.charCodeAt(at - 1) : 32;
    let end = at + rule.prefix.length;
    while (end < text.length && inSet(rule.body, text.charCodeAt(end))) end++;
    const body = text.slice(at + rule.prefix.length, end);
    const boundary = rule.keepPrefix || !inSet(B64URL, prev);
    if (boundary && body.length >= rule.min && (!rule.accept || rule.accept(body))) {
      const start = rule.keepPrefix ? at + rule.prefix.length : at;
      parts.push(text.slice(copied, start), `[REDACTED_${rule.label}]`);
      copied = end;
    }
    // Resume after the whole run: a later prefix inside it would only see a shorter run.
    from = Math.max(end, at + 1);
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

function redactValues(text: string, prefix: string, before: string, label: string): string {
  if (!text.includes(prefix)) return text;
  const parts: string[] = [];
  let from = 0;
  let copied = 0;
  for (;;) {
    const at = text.indexOf(prefix, from);
    if (at < 0) break;
    from = at + prefix.length;
    if (before && (at === 0 || !before.includes(text.charAt(at - 1)))) continue;
    let start = at + prefix.length;
    while (start < text.length && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
    let end = start;
    while (end < text.length && !inSet(VALUE_END, text.charCodeAt(end))) end++;
    const value = text.slice(start, end);
    // `$GEMINI_API_KEY` / `${KEY}` is a reference a command reads at run time, not a secret.
    if (value.length === 0 || value.startsWith('[REDACTED') || value.startsWith('$')) continue;
    parts.push(text.slice(copied, start), `[REDACTED_${label}]`);
    copied = end;
    from = end;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';

/** Replaces `-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----` blocks. */
function redactPem(text: string): string {
  if (!text.includes(PEM_BEGIN)) return text;
  const parts: string[] = [];
  let from = 0;
  let copied = 0;
  for (;;) {
    const at = text.indexOf(PEM_BEGIN, from);
    if (at < 0) break;
    const headerEnd = text.indexOf('-----', at + PEM_BEGIN.length);
    if (headerEnd < 0) break;
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
    parts.push(text.slice(copied, at), '[REDACTED_PRIVATE_KEY]');
    copied = stop;
    from = stop;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
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
