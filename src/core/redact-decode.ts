/**
 * The text a secret hides in, decoded: JSON / JavaScript / Python string escapes (`\n`, `\t`,
 * `\"`, `\'`, `\\`, `\/`, `\uXXXX`, `\xXX`) and URL percent-encoding (`%3D`, `%26`), in up to
 * three layers (a URL inside a JSON string inside a JSON log line). The redactor matches on the
 * decoded text, where `\nya29.`, `key%3DAIza` and `\u0026key=` read as what they are, and maps
 * each match back to the original characters through each layer's edits, so that a redaction covers
 * whole escape sequences and never cuts one in half.
 */

export interface DecodedText {
  text: string;
  /** One entry per decoding layer, outermost first; empty when nothing was decoded. */
  layers: Edits[];
}

/**
 * Where one layer replaced an escape by a character: the character's index in the decoded text
 * (`decoded`, ascending), where its escape starts in the layer's input (`original`) and the
 * escape's length (`width`). Everything between two edits was copied unchanged.
 */
interface Edits {
  decoded: number[];
  original: number[];
  width: number[];
}

const MAX_LAYERS = 3;

export function decodeForMatching(original: string): DecodedText {
  let text = original;
  const layers: Edits[] = [];
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const next = decodeOnce(text);
    if (!next) break;
    layers.push(next.edits);
    text = next.text;
  }
  return { text, layers };
}

/** Start index in the original text of decoded position i (i may be text.length). */
export function originalIndex(decoded: DecodedText, i: number): number {
  let at = i;
  for (let l = decoded.layers.length - 1; l >= 0; l--) at = throughLayer(decoded.layers[l] as Edits, at);
  return at;
}

function throughLayer(e: Edits, i: number): number {
  // The last edit at or before i (binary search).
  let lo = 0;
  let hi = e.decoded.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((e.decoded[mid] as number) <= i) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (k < 0) return i;
  const d = e.decoded[k] as number;
  const o = e.original[k] as number;
  return d === i ? o : o + (e.width[k] as number) + (i - d - 1);
}

const BACKSLASH = 92;

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
function decodeOnce(s: string): { text: string; edits: Edits } | undefined {
  let nextBackslash = s.indexOf('\\');
  let nextPercent = s.indexOf('%');
  if (nextBackslash < 0 && nextPercent < 0) return undefined;
  const edits: Edits = { decoded: [], original: [], width: [] };
  const parts: string[] = [];
  let decodedLength = 0;
  let copied = 0;
  let from = 0;
  for (;;) {
    if (nextBackslash >= 0 && nextBackslash < from) nextBackslash = s.indexOf('\\', from);
    if (nextPercent >= 0 && nextPercent < from) nextPercent = s.indexOf('%', from);
    const i =
      nextBackslash < 0
        ? nextPercent
        : nextPercent < 0
          ? nextBackslash
          : Math.min(nextBackslash, nextPercent);
    if (i < 0) break;
    const [decoded, width] = s.charCodeAt(i) === BACKSLASH ? escapeAt(s, i) : percentAt(s, i);
    if (decoded === undefined) {
      from = i + 1;
      continue;
    }
    parts.push(s.slice(copied, i), decoded);
    decodedLength += i - copied;
    edits.decoded.push(decodedLength);
    edits.original.push(i);
    edits.width.push(width);
    decodedLength += 1;
    copied = i + width;
    from = copied;
  }
  if (edits.decoded.length === 0) return undefined;
  parts.push(s.slice(copied));
  return { text: parts.join(''), edits };
}

const NONE: [undefined, number] = [undefined, 0];

/** `\\n`, `\\"`, `\\uXXXX`, `\\xXX`... at s[i]: the character and the escape's length. */
function escapeAt(s: string, i: number): [string | undefined, number] {
  const e = s.charAt(i + 1);
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return [simple, 2];
  if (e === 'u') {
    const code = hex(s, i + 2, 4);
    return code < 0 ? NONE : [String.fromCharCode(code), 6];
  }
  if (e === 'x') {
    const code = hex(s, i + 2, 2);
    return code < 0 ? NONE : [String.fromCharCode(code), 4];
  }
  return NONE;
}

/** `%XX` at s[i]. */
function percentAt(s: string, i: number): [string | undefined, number] {
  const code = hex(s, i + 1, 2);
  return code < 0 ? NONE : [String.fromCharCode(code), 3];
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
