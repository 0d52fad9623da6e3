/**
 * Splits one JSON document into its records without parsing the whole of it: a root array
 * (`gcloud logging read --format=json`), or a root object whose first array holds the records
 * (`{"data":[...]}` from Datadog's Logs API, `{"entries":[...]}` from entries.list). A root object
 * with no array is one record. Memory holds one record at a time, whatever the file size, and
 * at most the record cap: a longer element is reported as oversized and not kept.
 */
import { MAX_RECORD_BYTES } from './limits.js';

export type JsonElement =
  | {
      bytes: Buffer;
      /** 1-based line where the element starts. */
      line: number;
      oversized?: undefined;
    }
  | { oversized: true; line: number; bytes?: undefined };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;

function nextIndex(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

export class JsonDocSplitter {
  private depth = 0;
  private inString = false;
  private escape = false;
  private line = 1;
  /** Depth inside the records array (elements open at this depth), 0 while none is found, -1 once it closed. */
  private arrayDepth = 0;
  private rootIsObject = false;
  /** Pieces of the element (or root object) being captured. */
  private parts: Buffer[] = [];
  private capturing: 'element' | 'root' | undefined;
  private startLine = 1;
  private sawRoot = false;
  /** Bytes of the element captured so far (in parts); past the cap it is dropped. */
  private captured = 0;
  private tooBig = false;

  constructor(private readonly maxBytes = MAX_RECORD_BYTES) {}

  push(chunk: Buffer): JsonElement[] {
    const out: JsonElement[] = [];
    let captureFrom = this.capturing ? 0 : -1;
    // The next quote and backslash at or after i (chunk.length: none), each found once: a string is
    // crossed by memchr instead of a byte loop, and escapes do not search the same bytes again.
    let quote = -1;
    let backslash = -1;
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          continue;
        }
        // (A raw newline is not valid inside a JSON string; it is not counted.)
        if (quote < i) quote = nextIndex(chunk, QUOTE, i);
        if (backslash < i) backslash = nextIndex(chunk, BACKSLASH, i);
        if (backslash < quote) {
          i = backslash;
          this.escape = true;
          continue;
        }
        if (quote === chunk.length) break;
        i = quote;
        this.inString = false;
        continue;
      }
      const c = chunk[i] as number;
      if (c === NL) this.line++;
      if (c === QUOTE) {
        this.inString = true;
        continue;
      }
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.depth === 0) {
          this.sawRoot = true;
          this.rootIsObject = c === 0x7b;
          if (c === 0x5b) this.arrayDepth = 1;
          else {
            this.capturing = 'root';
            this.startLine = this.line;
            this.captured = 0;
            this.tooBig = false;
            captureFrom = i;
          }
        } else if (this.depth === 1 && this.rootIsObject && this.arrayDepth === 0 && c === 0x5b) {
          // The root object's first array holds the records: stop capturing the root itself.
          this.arrayDepth = 2;
          this.capturing = undefined;
          this.parts = [];
          captureFrom = -1;
        } else if (this.depth === this.arrayDepth && c === 0x7b) {
          this.capturing = 'element';
          this.startLine = this.line;
          this.parts = [];
          this.captured = 0;
          this.tooBig = false;
          captureFrom = i;
        }
        this.depth++;
        continue;
      }
      if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.depth--;
        const closesElement = this.capturing === 'element' && this.depth === this.arrayDepth;
        const closesRoot = this.capturing === 'root' && this.depth === 0;
        if (closesElement || closesRoot) {
          if (this.tooBig || this.captured + (i + 1 - captureFrom) > this.maxBytes) {
            out.push({ oversized: true, line: this.startLine });
          } else {
            this.parts.push(chunk.subarray(captureFrom, i + 1));
            out.push({ bytes: Buffer.concat(this.parts), line: this.startLine });
          }
          this.parts = [];
          this.capturing = undefined;
          captureFrom = -1;
        }
        // The records array closed: what follows in the root object (links, meta) is not records.
        if (c === 0x5d && this.arrayDepth > 0 && this.depth === this.arrayDepth - 1) this.arrayDepth = -1;
        if (this.depth === 0) this.arrayDepth = 0;
        if (this.depth < 0) this.depth = 0;
      }
    }
    if (this.capturing && captureFrom >= 0 && !this.tooBig) {
      this.captured += chunk.length - captureFrom;
      if (this.captured > this.maxBytes) {
        this.tooBig = true;
        this.parts = [];
      } else this.parts.push(Buffer.from(chunk.subarray(captureFrom)));
    }
    return out;
  }

  /** Whether the document ended cleanly; an unterminated document is reported, not thrown. */
  end(): { error?: string; line: number } {
    if (!this.sawRoot) return { error: 'no JSON value found', line: this.line };
    if (this.depth !== 0 || this.inString) return { error: 'truncated JSON document', line: this.line };
    return { line: this.line };
  }
}
