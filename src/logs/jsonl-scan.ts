/**
 * The JSON-lines fast path, shared by the single-threaded reader and the scan workers: finds line
 * ends, checks that each line looks like `{...}`, and hands over only the lines that hold a
 * failure marker, decoded, with their 1-based line numbers. No JSON.parse here.
 */

/**
 * Byte strings that a failing JSON record holds at least one of; records without any are never
 * parsed. Every marker starts with a byte that is rare in JSON (upper case, x) and is at most 6
 * bytes long: V8's Buffer.indexOf then jumps from one occurrence of the first byte to the next
 * with memchr, over 10 GB/s per needle. Longer needles switch to Boyer-Moore-Horspool, which
 * crawls on JSON (`xception` is 8x slower than `xcepti`), and so do lower-case ones such as
 * `"status":"error"` whose bytes are everywhere.
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
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export interface ScanHandlers {
  candidate(text: string, line: number): void;
  malformed(line: number, reason: string): void;
}

export interface ScanCounts {
  /** Non-blank lines. */
  records: number;
  /** All lines, blank ones included (what the next range's line numbers start after). */
  lines: number;
  bytes: number;
}

/** Positions of every marker in buf[from, to), sorted. Markers are rare, so the list is short. */
export function markerHits(buf: Buffer, from: number, to: number): number[] {
  const hits: number[] = [];
  for (const m of FAILURE_MARKERS) {
    let p = buf.indexOf(m, from);
    while (p !== -1 && p < to) {
      hits.push(p);
      // The rest of this line is decided already: skip to the next line.
      const nl = buf.indexOf(NL, p);
      if (nl === -1 || nl >= to) break;
      p = buf.indexOf(m, nl + 1);
    }
  }
  return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
}

/** Whether buf holds any failure marker. */
export function hasMarker(buf: Buffer): boolean {
  return FAILURE_MARKERS.some((m) => buf.indexOf(m) !== -1);
}

export async function scanJsonLines(chunks: AsyncIterable<Buffer>, h: ScanHandlers): Promise<ScanCounts> {
  let carry: Buffer | undefined;
  let lineNo = 0;
  let records = 0;
  let bytes = 0;

  /** One complete line buf[start, end) (end excludes the newline). */
  const line = (buf: Buffer, start: number, end: number, candidate: boolean) => {
    lineNo++;
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    let b = start;
    while (b < e && (buf[b] === 0x20 || buf[b] === 0x09)) b++;
    if (b === e) return; // blank lines are not records
    records++;
    if (buf[b] !== OPEN || buf[e - 1] !== CLOSE) {
      h.malformed(lineNo, buf[b] === OPEN ? 'truncated JSON object' : 'not a JSON object');
      return;
    }
    if (candidate) h.candidate(buf.toString('utf8', b, e), lineNo);
  };

  for await (const chunk of chunks) {
    bytes += chunk.length;
    let pos = 0;
    if (carry) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      line(joined, 0, joined.length, hasMarker(joined));
      carry = undefined;
      pos = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= pos) {
      const hits = markerHits(chunk, pos, lastNl);
      let k = 0;
      while (pos <= lastNl) {
        const nl = chunk.indexOf(NL, pos);
        while (k < hits.length && (hits[k] as number) < pos) k++;
        const candidate = k < hits.length && (hits[k] as number) < nl;
        line(chunk, pos, nl, candidate);
        pos = nl + 1;
      }
    }
    if (pos < chunk.length) carry = Buffer.from(chunk.subarray(pos));
  }
  if (carry && carry.length > 0) line(carry, 0, carry.length, hasMarker(carry));
  return { records, lines: lineNo, bytes };
}
