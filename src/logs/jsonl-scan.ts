/**
 * The JSON-lines fast path, shared by the single-threaded reader and the scan workers: finds line
 * ends, checks that each line looks like `{...}`, and hands over only the lines that hold a
 * failure marker, decoded, with their 1-based line numbers. No JSON.parse here. The scan workers
 * load this module: keep its imports to node:fs and import-free modules.
 */
import { readSync } from 'node:fs';
import { MAX_RECORD_BYTES } from './limits.js';

/**
 * Byte strings that a failing JSON record holds at least one of; records without any are never
 * parsed. Every marker starts with a byte that is rare in JSON (upper case, x) and is at most 6
 * bytes long: V8's Buffer.indexOf then jumps from one occurrence of the first byte to the next
 * with memchr, over 10 GB/s per needle. Longer needles switch to Boyer-Moore-Horspool, which
 * crawls on JSON (`xception` is 8x slower than `xcepti`), and so do lower-case ones such as
 * `"status":"error"` whose bytes are everywhere (measured: 0.3-0.8 s per GB, more than all the
 * markers together).
 * Cloud Logging levels are upper case (ERROR, CRITICAL, ALERT, EMERGENCY); a Datadog record at
 * status `error` about a Google API call names an exception (`ClientError`, `RefreshError`;
 * Python's `google.api_core.exceptions.PermissionDenied` and Java's `...Exception` share
 * `xcepti`, whose x is rare too), a Google status (PERMISSION_DENIED, RESOURCE_EXHAUSTED,
 * UNAUTHENTICATED) or `403 Forbidden`. A lower-case-only record such as
 * `{"status":"critical","message":"request failed"}` is skipped: it holds nothing to diagnose.
 */
export const FAILURE_MARKERS = [
  'ERROR',
  'CRITIC',
  'ALERT',
  'EMERGE',
  'Error',
  'xcepti',
  'PERMIS',
  'RESOUR',
  'UNAUTH',
  'Forbid',
].map((m) => Buffer.from(m));

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/**
 * Bytes read per chunk. 256 kB stays in a core's L2 cache between the read that fills it and the
 * marker searches over it; 1 MB chunks fell out of it and cost ~15 % more CPU.
 */
export const CHUNK_BYTES = 256 * 1024;

export interface ScanHandlers {
  candidate(text: string, line: number): void;
  malformed(line: number, reason: string): void;
  /** A line longer than the record cap: skipped unread (see limits.ts). */
  oversized(line: number): void;
}

export interface ScannerOptions {
  /** Bytes per read (tests use tiny ones to cut records everywhere). */
  chunkBytes?: number;
  maxRecordBytes?: number;
}

export interface ScanCounts {
  /** Non-blank lines, oversized ones included. */
  records: number;
  /** All lines, blank ones included (what the next range's line numbers start after). */
  lines: number;
  bytes: number;
}
const R = 0x52;

/** The markers with an upper-case R in them, found together by one search for R (see markerHits). */
const R_MARKERS = FAILURE_MARKERS.filter((m) => m.includes(R));
const OTHER_MARKERS = FAILURE_MARKERS.filter((m) => !m.includes(R));
/** Every (marker, index of an R in it): where a marker would start around an R. */
const R_PLACES: Array<[Buffer, number]> = R_MARKERS.flatMap((m) =>
  [...m.keys()].filter((i) => m[i] === R).map((i): [Buffer, number] => [m, i]),
);

/**
 * Above this many Rs per kB that start no marker, a chunk is searched marker by marker instead:
 * checking each R in JavaScript costs more than four more memchr passes.
 */
const R_DENSITY_LIMIT = 4;

/**
 * Bytes next to an R inside some marker (every R of a marker has a neighbour in it: markers are
 * 5-6 bytes). An R with neither neighbour among them starts no marker: two table reads rule out
 * most Rs of a log (`Request`, `DATA_READ`) before the marker-by-marker check.
 */
const R_NEIGHBOURS = new Uint8Array(256);
for (const [m, i] of R_PLACES) {
  if (i > 0) R_NEIGHBOURS[m[i - 1] as number] = 1;
  if (i + 1 < m.length) R_NEIGHBOURS[m[i + 1] as number] = 1;
}

function startsMarkerAround(buf: Buffer, p: number): boolean {
  const before = p > 0 ? (buf[p - 1] as number) : 0;
  const after = p + 1 < buf.length ? (buf[p + 1] as number) : 0;
  if ((R_NEIGHBOURS[before] as number) + (R_NEIGHBOURS[after] as number) === 0) return false;
  for (const [m, i] of R_PLACES) {
    const s = p - i;
    if (s < 0 || s + m.length > buf.length) continue;
    let j = 0;
    while (j < m.length && buf[s + j] === m[j]) j++;
    if (j === m.length) return true;
  }
  return false;
}

/** Pushes where `m` occurs in buf, at most once per line. */
function pushMarkerHits(buf: Buffer, m: Buffer, hits: number[]): void {
  let p = buf.indexOf(m);
  while (p !== -1) {
    hits.push(p);
    // The rest of this line is decided already: skip to the next line.
    const nl = buf.indexOf(NL, p);
    if (nl === -1) break;
    p = buf.indexOf(m, nl + 1);
  }
}

/**
 * Positions in buf where a line holds a failure marker, sorted (a line may appear more than once).
 * Each search over a chunk costs the same whatever its needle (memchr for the first byte), so
 * six of the ten markers (ERROR, CRITIC, ALERT, EMERGE, PERMIS, RESOUR) are found by a single
 * search for an upper-case R, rare in JSON logs, each R checked against the markers around it:
 * five passes over the chunk instead of ten. A chunk dense with Rs falls back to one pass per
 * marker.
 */
export function markerHits(buf: Buffer): number[] {
  const hits: number[] = [];
  for (const m of OTHER_MARKERS) pushMarkerHits(buf, m, hits);
  const found = hits.length;
  let misses = 0;
  const maxMisses = (buf.length >> 10) * R_DENSITY_LIMIT + 64;
  let p = buf.indexOf(R);
  while (p !== -1) {
    if (startsMarkerAround(buf, p)) {
      hits.push(p);
      const nl = buf.indexOf(NL, p);
      if (nl === -1) break;
      p = buf.indexOf(R, nl + 1);
    } else if (++misses > maxMisses) {
      hits.length = found;
      for (const m of R_MARKERS) pushMarkerHits(buf, m, hits);
      break;
    } else p = buf.indexOf(R, p + 1);
  }
  return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
}

/** Whether buf holds any failure marker. */
export function hasMarker(buf: Buffer): boolean {
  return FAILURE_MARKERS.some((m) => buf.indexOf(m) !== -1);
}

/**
 * Bytes a line end is looked for one by one before Buffer.indexOf takes over: a call to indexOf
 * costs ~65-100 ns, which on a file of short lines (`{}` repeated) made the scan run at ~5 MB/s;
 * a byte loop finds a near newline in a few ns. On lines of ordinary length (hundreds of bytes)
 * the byte loop is pure loss (it doubled the line-finding time on the bench export), so callers
 * probe only after a short line (see nextProbe).
 */
export const SHORT_LINE = 48;

/** How many bytes to probe one by one for the next line end, given the length of the last line. */
export function nextProbe(lastLineLength: number): number {
  return lastLineLength < SHORT_LINE ? SHORT_LINE : 0;
}

/** The index of the first newline in buf[from, len), or len; the first `probe` bytes by hand. */
export function lineEnd(buf: Buffer, from: number, len: number, probe = SHORT_LINE): number {
  const stop = Math.min(len, from + probe);
  let p = from;
  while (p < stop && buf[p] !== NL) p++;
  if (p < stop || stop === len) return p;
  const nl = buf.indexOf(NL, stop);
  return nl === -1 || nl > len ? len : nl;
}

/**
 * Scans JSON lines from chunks it is handed (`push`), in place: the caller may reuse a chunk's
 * memory once push returns (a file reader reads every chunk into one buffer). A line cut by a
 * chunk end is copied aside, part by part, and
 * finished by the next chunk's first newline: every line is seen exactly once, whole, and the only
 * bytes copied are those of the lines that straddle two chunks. Each byte is searched for a
 * newline once, however long its line (a carried line only searches the new chunk), so time is
 * linear in the input on any line shape. Memory: the chunk, plus at most the record cap while a
 * long line is carried.
 */
export class JsonLinesScanner {
  lines = 0;
  records = 0;
  bytes = 0;
  /** The start of a line that no newline has ended yet, as copied parts. */
  private carry: Buffer[] = [];
  private carried = 0;
  /** Inside a line longer than the cap: drop bytes up to its newline. */
  private skipping = false;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly h: ScanHandlers,
    opts: ScannerOptions = {},
  ) {
    this.maxRecordBytes = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  /** Scans every line the chunk completes; its unfinished last line is copied and carried. */
  push(chunk: Buffer): void {
    const len = chunk.length;
    this.bytes += len;
    let start = 0;
    if (this.skipping || this.carried > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        if (!this.skipping) this.carryMore(chunk, 0, len);
        return;
      }
      if (this.skipping) this.skipping = false;
      else if (this.carried + nl > this.maxRecordBytes) this.tooLong();
      else {
        this.carry.push(chunk.subarray(0, nl + 1));
        const line = Buffer.concat(this.carry, this.carried + nl + 1);
        this.scan(line, 0, line.length);
      }
      this.carry = [];
      this.carried = 0;
      start = nl + 1;
    }
    if (start >= len) return;
    const last = chunk.lastIndexOf(NL);
    if (last >= start) {
      this.scan(chunk, start, last + 1);
      start = last + 1;
    }
    if (start < len) this.carryMore(chunk, start, len);
  }

  /** Copies chunk[from, to) onto the carried line, or drops the line once it is over the cap. */
  private carryMore(chunk: Buffer, from: number, to: number): void {
    if (this.carried + (to - from) > this.maxRecordBytes) {
      this.tooLong();
      this.skipping = true;
      this.carry = [];
      this.carried = 0;
      return;
    }
    this.carry.push(Buffer.from(chunk.subarray(from, to)));
    this.carried += to - from;
  }

  /** A line over the cap: counted and reported, never read. */
  private tooLong(): void {
    this.lines++;
    this.records++;
    this.h.oversized(this.lines);
  }

  /** End of input: the last line may have no newline. */
  end(): ScanCounts {
    if (this.carried > 0 && !this.skipping) {
      const line = Buffer.concat(this.carry, this.carried);
      this.scan(line, 0, line.length);
    }
    this.carry = [];
    this.carried = 0;
    return { records: this.records, lines: this.lines, bytes: this.bytes };
  }

  /** The complete lines in buf[from, to); `to` is just past a newline or the end of input. */
  private scan(buf: Buffer, from: number, to: number): void {
    const view = from === 0 && to === buf.length ? buf : buf.subarray(from, to);
    const hits = markerHits(view);
    const h = this.h;
    const len = view.length;
    const max = this.maxRecordBytes;
    // Counters in locals: this loop runs once per line, over a million times per GB.
    let lines = this.lines;
    let records = this.records;
    let k = 0;
    let pos = 0;
    let probe = SHORT_LINE;
    while (pos < len) {
      lines++;
      // A blank line costs no search (a file of newlines is read at memory speed).
      if (view[pos] === NL) {
        pos++;
        continue;
      }
      const nl = lineEnd(view, pos + 1, len, probe);
      probe = nextProbe(nl - pos);
      let e = nl;
      if (view[e - 1] === CR) e--;
      let b = pos;
      while (b < e && (view[b] === SPACE || view[b] === TAB)) b++;
      if (b < e) {
        records++;
        if (nl - pos > max) h.oversized(lines);
        else if (view[b] !== OPEN || view[e - 1] !== CLOSE) {
          h.malformed(lines, view[b] === OPEN ? 'truncated JSON object' : 'not a JSON object');
        } else if (k < hits.length) {
          while (k < hits.length && (hits[k] as number) < pos) k++;
          if (k < hits.length && (hits[k] as number) < nl) h.candidate(view.toString('utf8', b, e), lines);
        }
      }
      pos = nl + 1;
    }
    this.lines = lines;
    this.records = records;
  }
}

/** JSON lines from a stream of chunks (stdin, gzip, a server upload). */
export async function scanJsonLines(
  chunks: AsyncIterable<Buffer>,
  h: ScanHandlers,
  opts: ScannerOptions = {},
): Promise<ScanCounts> {
  const scanner = new JsonLinesScanner(h, opts);
  for await (const chunk of chunks) scanner.push(chunk);
  return scanner.end();
}

/**
 * Bytes [start, end) of an open file, which start and end on line boundaries, read with readSync
 * into one reused buffer and scanned in place: no promise or thread-pool hop per chunk, no copy
 * besides the kernel's. Meant for scan workers and the CLI, where blocking a thread is what we want.
 * Tried and dropped: reading the next chunk (fs.read, two buffers) while scanning this one. On
 * 1 GB it was slower (0.89-0.95 s against 0.72-0.74 s): the kernel's copy on another core
 * competes with the scan for memory bandwidth, and each chunk pays a thread-pool hop.
 */
export function scanFileRange(
  fd: number,
  start: number,
  end: number,
  h: ScanHandlers,
  opts: ScannerOptions = {},
): ScanCounts {
  const scanner = new JsonLinesScanner(h, opts);
  const buf = Buffer.allocUnsafe(opts.chunkBytes ?? CHUNK_BYTES);
  let pos = start;
  while (pos < end) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n <= 0) break;
    pos += n;
    scanner.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  return scanner.end();
}
