/**
 * Every credential form genai-doctor must never print, embedded in every context a credential
 * reaches it in: escaped in a JSON or Python string, URL-encoded (once or twice), JSON-serialised
 * (once or twice), quoted, after `\n` / `\t` escapes, `\u0026`-escaped, HTML-escaped, glued to a
 * word. Shared by the redaction property tests of the CLI, the console and the image service.
 *
 * Each embedding carries a canary next to the secret: an output that shows the canary shows the
 * text the secret was in, so a test can tell "redacted" from "never printed".
 */
import { decodeForMatching } from '../../src/core/redact-decode.js';
import { rng } from '../../src/logs/synthetic.js';

export interface SecretForm {
  name: string;
  /** The text around the secret as it appears in evidence (a header, a URL, a key file field). */
  carrier: (secret: string) => string;
  /** A fresh secret of this kind. */
  make: (rand: () => number) => string;
  /** The part that must never be printed (the whole secret unless it spans lines). */
  probe?: (secret: string) => string;
}

export interface SecretContext {
  name: string;
  wrap: (carrier: string) => string;
}

export interface Embedding {
  form: string;
  context: string;
  canary: string;
  /** The wrapped carrier alone. */
  embedded: string;
  /** A realistic error text (the genai SDK's 403, then a log line) that holds the embedding. */
  evidence: string;
  /** What must not appear in any output, in any encoding. */
  probe: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;

function chars(rand: () => number, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

const opaque = (rand: () => number) => chars(rand, ALNUM, 8) + chars(rand, `${ALNUM}-._~`, 24);
const plain = (s: string) => s;
const GEMINI = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent';

export const SECRET_FORMS: SecretForm[] = [
  { name: 'api key', carrier: plain, make: (r) => `AIza${chars(r, B64URL, 35)}` },
  {
    name: 'api key in x-goog-api-key',
    carrier: (s) => `x-goog-api-key: ${s}`,
    make: (r) => `AIza${chars(r, B64URL, 35)}`,
  },
  {
    name: 'express-mode key',
    carrier: (s) => `api key ${s}`,
    make: (r) => `AQ.Ab8RN6${chars(r, B64URL, 40)}`,
  },
  { name: 'access token', carrier: plain, make: (r) => `ya29.a0AfB_${chars(r, B64URL, 90)}` },
  {
    name: 'refresh token',
    carrier: (s) => `refresh_token=${s}`,
    make: (r) => `1//0g${chars(r, B64URL, 60)}`,
  },
  { name: 'refresh token alone', carrier: plain, make: (r) => `1//0e${chars(r, B64URL, 60)}` },
  {
    name: 'JWT',
    carrier: (s) => `id token ${s}`,
    make: (r) => `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${chars(r, B64URL, 60)}.${chars(r, B64URL, 86)}`,
  },
  {
    name: 'service-account private key',
    carrier: (s) =>
      `"private_key": "${s.replaceAll('\n', '\\n')}", "client_email": "sa@p1-acme.iam.gserviceaccount.com"`,
    make: (r) =>
      `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${chars(r, B64, 32)}\n${chars(r, B64, 64)}\n-----END PRIVATE KEY-----\n`,
    probe: (s) => s.split('\n')[2] as string,
  },
  {
    name: 'private key, cut off',
    carrier: plain,
    make: (r) => `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${chars(r, B64, 48)}`,
    probe: (s) => s.split('\n')[1] as string,
  },
  {
    name: 'client secret',
    carrier: (s) => `"client_secret": "${s}"`,
    make: (r) => `GOCSPX-${chars(r, B64URL, 28)}`,
  },
  { name: 'client secret alone', carrier: plain, make: (r) => `GOCSPX-${chars(r, B64URL, 28)}` },
  { name: 'Bearer token', carrier: (s) => `Authorization: Bearer ${s}`, make: opaque },
  { name: 'Bearer, two spaces', carrier: (s) => `Authorization: Bearer  ${s}`, make: opaque },
  { name: 'Bearer, tab', carrier: (s) => `Authorization: Bearer\t${s}`, make: opaque },
  { name: 'BeArEr, mixed case', carrier: (s) => `authorization: BeArEr ${s}`, make: opaque },
  { name: 'Bearer:token', carrier: (s) => `Bearer:${s}`, make: opaque },
  { name: 'key= query param', carrier: (s) => `${GEMINI}?key=${s}&alt=sse`, make: opaque },
  { name: '&key= query param', carrier: (s) => `${GEMINI}?alt=sse&key=${s}`, make: opaque },
  { name: 'access_token= query param', carrier: (s) => `${GEMINI}?access_token=${s}`, make: opaque },
  {
    name: 'token= query param',
    carrier: (s) => `https://example.run.app/callback?state=x&token=${s}`,
    make: opaque,
  },
];

/** A Python repr of a str, as `print(repr(s))` writes it (single quotes unless the text has them). */
export function pythonRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 32 || c === 127) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return q + out + q;
}

export const SECRET_CONTEXTS: SecretContext[] = [
  { name: 'plain', wrap: (c) => c },
  { name: 'double quoted', wrap: (c) => `"${c}"` },
  { name: 'single quoted', wrap: (c) => `'${c}'` },
  { name: 'backticks', wrap: (c) => `\`${c}\`` },
  { name: 'glued to a word', wrap: (c) => `value${c}` },
  { name: 'after a \\n escape', wrap: (c) => `first line\\n${c}` },
  { name: 'after a \\t escape', wrap: (c) => `field\\t${c}` },
  { name: 'JSON string escaped', wrap: (c) => JSON.stringify(`\n${c}\t"end"`).slice(1, -1) },
  { name: 'JSON-serialised line', wrap: (c) => JSON.stringify({ severity: 'ERROR', message: c }) },
  { name: 'JSON-serialised twice', wrap: (c) => JSON.stringify(JSON.stringify({ message: `${c}\n` })) },
  { name: 'Python repr', wrap: (c) => pythonRepr(`${c}\n`) },
  { name: 'Python dict repr', wrap: (c) => `{'error': {'message': ${pythonRepr(c)}}}` },
  { name: 'URL-encoded', wrap: (c) => encodeURIComponent(c) },
  { name: 'URL-encoded twice', wrap: (c) => encodeURIComponent(encodeURIComponent(c)) },
  {
    name: 'in a query value',
    wrap: (c) => `https://console.cloud.google.com/logs?query=${encodeURIComponent(c)}`,
  },
  {
    name: '\\u0026 / \\u003d escaped',
    wrap: (c) => c.replaceAll('&', '\\u0026').replaceAll('=', '\\u003d').replaceAll('\n', '\\n'),
  },
  { name: 'HTML-escaped', wrap: (c) => c.replaceAll('&', '&amp;').replaceAll('"', '&quot;') },
];

/** Every form in every context, with fresh secrets from `seed`. */
export function secretEmbeddings(seed = 2026): Embedding[] {
  const rand = rng(seed);
  const out: Embedding[] = [];
  let n = 0;
  for (const form of SECRET_FORMS) {
    for (const context of SECRET_CONTEXTS) {
      const secret = form.make(rand);
      const canary = `CANARY${String(++n).padStart(4, '0')}X`;
      const embedded = context.wrap(form.carrier(secret));
      out.push({
        form: form.name,
        context: context.name,
        canary,
        embedded,
        evidence: evidenceAround(canary, embedded),
        probe: form.probe ? form.probe(secret) : secret,
      });
    }
  }
  return out;
}

function evidenceAround(canary: string, embedded: string): string {
  return [
    `google.genai.errors.ClientError: 403 PERMISSION_DENIED. {'error': {'code': 403, 'message': "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/p1-acme/locations/global/publishers/google/models/gemini-2.5-flash' (or it may not exist). ${canary} ${embedded}", 'status': 'PERMISSION_DENIED'}}`,
    `request context: ${canary} ${embedded}`,
  ].join('\n');
}

/** True when the probe appears in the output as it is or under any escape / encoding. */
export function leaks(output: string, probe: string): boolean {
  if (output.includes(probe)) return true;
  if (decodeForMatching(output).text.includes(probe)) return true;
  // HTML output: entities decoded too.
  const unescaped = output
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return unescaped !== output && decodeForMatching(unescaped).text.includes(probe);
}

export interface LeakTally {
  tried: number;
  /** Embeddings whose canary reached the output (the text around the secret was printed). */
  shown: number;
  leaked: Array<{ form: string; context: string; output: string }>;
}

export function tally(): LeakTally {
  return { tried: 0, shown: 0, leaked: [] };
}

/** Records one output of one embedding in the tally. */
export function check(t: LeakTally, e: Embedding, output: string, outputName: string): void {
  t.tried++;
  if (output.includes(e.canary)) t.shown++;
  if (leaks(output, e.probe)) t.leaked.push({ form: e.form, context: e.context, output: outputName });
}

export function describeLeaks(t: LeakTally): string {
  return t.leaked
    .slice(0, 20)
    .map((l) => `${l.output}: ${l.form} / ${l.context}`)
    .join('\n');
}
