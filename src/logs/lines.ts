/**
 * Lines of a byte stream for the text and CSV readers: each byte is searched for a newline once
 * and each line decoded once, however the chunks cut it (joining strings chunk by chunk and
 * splitting them again was quadratic on a long line). A line over the record cap is reported
 * with its number and never built: what is held is at most the cap.
 */

import { lineEnd, nextProbe, SHORT_LINE } from './jsonl-scan.js';

const NL = 0x0a;
const CR = 0x0d;

export interface LineSink {
  line(text: string, lineNo: number): void;
  oversized(lineNo: number): void;
  /**
   * `count` blank lines, the last one numbered `lastLineNo`. Without it, each is a line('').
   * Readers that skip blank lines take a run of them in one call, so a file of newlines is read
   * at memory speed instead of one call per byte.
   */
  blank?(count: number, lastLineNo: number): void;
}

export class LineSplitter {
  /** Bytes of the line not finished yet (copies: callers may reuse their chunks). */
  private parts: Buffer[] = [];
  private carried = 0;
  private lineNo = 0;
  /** Inside a line over the cap, already reported: drop bytes up to its newline. */
  private skipping = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    let probe = SHORT_LINE;
    while (pos < len) {
      if (chunk[pos] === NL && this.carried === 0 && !this.skipping) {
        pos = this.blankRun(chunk, pos);
        continue;
      }
      const nl = lineEnd(chunk, pos, len, probe);
      probe = nextProbe(nl - pos);
      if (nl === len) break;
      if (this.skipping) this.skipping = false;
      else this.finish(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos >= len || this.skipping) return;
    if (this.carried + (len - pos) > this.maxBytes) {
      this.sink.oversized(++this.lineNo);
      this.skipping = true;
      this.parts = [];
      this.carried = 0;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(pos)));
    this.carried += len - pos;
  }

  /** The blank lines from chunk[pos] on (a byte loop, no search, no call per line). */
  private blankRun(chunk: Buffer, pos: number): number {
    let end = pos;
    while (end < chunk.length && chunk[end] === NL) end++;
    const count = end - pos;
    if (this.sink.blank) {
      this.lineNo += count;
      this.sink.blank(count, this.lineNo);
    } else for (let k = 0; k < count; k++) this.sink.line('', ++this.lineNo);
    return end;
  }

  end(): void {
    if (!this.skipping && this.carried > 0) this.finish(Buffer.alloc(0), 0, 0);
    this.parts = [];
    this.carried = 0;
  }

  /** The line made of the carried bytes and chunk[from, to). */
  private finish(chunk: Buffer, from: number, to: number): void {
    const lineNo = ++this.lineNo;
    if (this.carried + (to - from) > this.maxBytes) this.sink.oversized(lineNo);
    else {
      const bytes =
        this.carried === 0
          ? chunk.subarray(from, to)
          : Buffer.concat([...this.parts, chunk.subarray(from, to)]);
      const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
      this.sink.line(bytes.toString('utf8', 0, end), lineNo);
    }
    this.parts = [];
    this.carried = 0;
  }
}
