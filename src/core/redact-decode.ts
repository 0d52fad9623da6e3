/**
 * The text a secret hides in, decoded: JSON / JavaScript / Python string escapes (`\n`, `\t`,
 * `\"`, `\'`, `\\`, `\/`, `\uXXXX`, `\xXX`) and URL percent-encoding (`%3D`, `%26`), in up to
 * three layers (a URL inside a JSON string inside a JSON log line). The redactor matches on the
 * decoded text, where `\nya29.`, `key%3DAIza` and `\u0026key=` read as what they are, and maps
 * each match back to the original characters through `at`, so that a redaction always covers
 * whole escape sequences and never cuts one in half.
 */

export interface DecodedText {
  text: string;
  /**
   * `at[i]` is the index in the original text where decoded character i's encoding starts;
   * `at[text.length]` is the original length. Undefined when nothing was decoded (identity).
   */
  at: Int32Array | undefined;
}

const MAX_LAYERS = 3;

export function decodeForMatching(original: string): DecodedText {
  let text = original;
  let at: Int32Array | undefined;
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const next = decodeOnce(text);
    if (!next) break;
    if (at) {
      const composed = new Int32Array(next.at.length);
      for (let i = 0; i < composed.length; i++) composed[i] = at[next.at[i] as number] as number;
      at = composed;
    } else {
      at = next.at;
    }
    text = next.text;
  }
  return { text, at };
}

/** Start index in the original text of decoded position i (i may be text.length). */
export function originalIndex(decoded: DecodedText, i: number): number {
  return decoded.at ? (decoded.at[i] as number) : i;
}

const BACKSLASH = 92;
const PERCENT = 37;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  '`': '`',
};

/** One layer of decoding, or undefined when the text has nothing to decode. */
function decodeOnce(s: string): { text: string; at: Int32Array } | undefined {
  const firstBackslash = s.indexOf('\\');
  const firstPercent = s.indexOf('%');
  if (firstBackslash < 0 && firstPercent < 0) return undefined;
  let i =
    firstBackslash < 0
      ? firstPercent
      : firstPercent < 0
        ? firstBackslash
        : Math.min(firstBackslash, firstPercent);
  const at = new Int32Array(s.length + 1);
  for (let k = 0; k < i; k++) at[k] = k;
  const parts: string[] = [s.slice(0, i)];
  let out = i;
  let copied = i;
  let changed = false;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let decoded: string | undefined;
    let width = 0;
    if (c === BACKSLASH && i + 1 < s.length) {
      const e = s.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        decoded = simple;
        width = 2;
      } else if (e === 'u') {
        const code = hex(s, i + 2, 4);
        if (code >= 0) {
          decoded = String.fromCharCode(code);
          width = 6;
        }
      } else if (e === 'x') {
        const code = hex(s, i + 2, 2);
        if (code >= 0) {
          decoded = String.fromCharCode(code);
          width = 4;
        }
      }
    } else if (c === PERCENT) {
      const code = hex(s, i + 1, 2);
      if (code >= 0) {
        decoded = String.fromCharCode(code);
        width = 3;
      }
    }
    if (decoded === undefined) {
      at[out++] = i++;
      continue;
    }
    if (copied < i) parts.push(s.slice(copied, i));
    parts.push(decoded);
    at[out++] = i;
    i += width;
    copied = i;
    changed = true;
  }
  if (!changed) return undefined;
  if (copied < s.length) parts.push(s.slice(copied));
  at[out] = s.length;
  return { text: parts.join(''), at: at.subarray(0, out + 1) };
}

/** The value of `n` hex digits at s[from], or -1. */
function hex(s: string, from: number, n: number): number {
  if (from + n > s.length) return -1;
  let v = 0;
  for (let k = from; k < from + n; k++) {
    const c = s.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}
