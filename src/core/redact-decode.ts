/**
 * The text a secret hides in, decoded: JSON / JavaScript / Python string escapes (`\n`, `\t`,
 * `\"`, `\'`, `\\`, `\/`, `\uXXXX`, `\xXX`) and URL percent-encoding (`%3D`, `%26`), in up to
 * three layers (a URL inside a JSON string inside a JSON log line). The redactor matches on the
 * decoded text, where `\nya29.`, `key%3DAIza` and `\u0026key=` read as what they are, and maps
 * each match back to the original characters through each layer's edits, so that a redaction covers
 * whole escape sequences and never cuts one in half.
 */
import { Buffer } from 'node:buffer';

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
  decoded: Int32Array;
  original: Int32Array;
  width: Uint8Array;
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
const PERCENT = 37;

/** The character a one-letter escape stands for (`\n` -> 10), by the letter's code; -1 if none. */
const SIMPLE_ESCAPES = new Int32Array(128).fill(-1);
for (const [letter, char] of Object.entries({
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
})) {
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = char.charCodeAt(0);
}

/**
 * One layer of decoding, or undefined when the text has nothing to decode. Written into typed
 * arrays, character by character: escape-dense text (URL-encoded, JSON-escaped) has an escape every
 * few characters, and building it from slices and growing arrays made decoding the slowest part
 * of redaction (and most of its garbage) on large texts.
 */
function decodeOnce(s: string): { text: string; edits: Edits } | undefined {
  const firstBackslash = s.indexOf('\\');
  const firstPercent = s.indexOf('%');
  if (firstBackslash < 0 && firstPercent < 0) return undefined;
  const first =
    firstBackslash < 0
      ? firstPercent
      : firstPercent < 0
        ? firstBackslash
        : Math.min(firstBackslash, firstPercent);
  const n = s.length;
  const out = new Uint8Array(n);
  // Every escape starts with one of these: sized once, without the garbage of growing arrays.
  const cap = occurrences(s, '\\', firstBackslash) + occurrences(s, '%', firstPercent);
  const decodedAt = new Int32Array(cap);
  const originalAt = new Int32Array(cap);
  const widths = new Uint8Array(cap);
  let edits = 0;
  let length = 0;
  for (let i = 0; i < first; i++) out[length++] = asciiOr(s.charCodeAt(i));
  let i = first;
  while (i < n) {
    const c = s.charCodeAt(i);
    let code = -1;
    let width = 0;
    if (c === BACKSLASH) {
      const e = i + 1 < n ? s.charCodeAt(i + 1) : -1;
      if (e >= 0 && e < 128 && SIMPLE_ESCAPES[e] !== -1) {
        code = SIMPLE_ESCAPES[e] as number;
        width = 2;
      } else if (e === 117 /* u */) {
        code = hex(s, i + 2, 4);
        width = 6;
      } else if (e === 120 /* x */) {
        code = hex(s, i + 2, 2);
        width = 4;
      }
    } else if (c === PERCENT) {
      code = hex(s, i + 1, 2);
      width = 3;
    }
    if (code < 0) {
      out[length++] = asciiOr(c);
      i++;
      continue;
    }
    decodedAt[edits] = length;
    originalAt[edits] = i;
    widths[edits] = width;
    edits++;
    out[length++] = asciiOr(code);
    i += width;
  }
  if (edits === 0) return undefined;
  return {
    text: fromBytes(out, length),
    edits: {
      decoded: decodedAt.subarray(0, edits),
      original: originalAt.subarray(0, edits),
      width: widths.subarray(0, edits),
    },
  };
}

function occurrences(s: string, char: string, first: number): number {
  let count = 0;
  for (let at = first; at >= 0; at = s.indexOf(char, at + 1)) count++;
  return count;
}

/**
 * Decoded text is only matched against (secrets, names and separators are ASCII), never shown:
 * every non-ASCII character becomes U+0080, so the text is one byte per character, built at once
 * from the bytes, and keeps the length (and so every index) of the full decoding.
 */
const NON_ASCII = 0x80;

function asciiOr(code: number): number {
  return code < 128 ? code : NON_ASCII;
}

function fromBytes(bytes: Uint8Array, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1');
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
