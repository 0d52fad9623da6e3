/**
 * Streams a log export and hands every failing record to a sink, in constant memory.
 *
 * JSON lines (Datadog or Cloud Logging, the bulk of large exports) take the fast path: each chunk
 * is searched for failure markers with Buffer.indexOf (native, skips ahead), and only lines that
 * hold a marker are decoded and JSON.parse'd. Every line still gets a two-byte structural check
 * ({ ... }) so that broken lines are counted with their line numbers. Whole JSON documents (an
 * API page, a JSON array), Datadog CSV exports and plain text logs have their own readers.
 */
import type { LogRecord, MalformedLine } from '../core/incidents/model.js';
import { splitCsvRecords } from './csv.js';
import { JsonDocSplitter } from './json-doc.js';
import { expandRecords, fromTextLine, toFailureRecord } from './records.js';

export type LogFormat = 'jsonl' | 'json' | 'csv' | 'text';

export interface ReadSink {
  failure(record: LogRecord): void;
}

export interface ReadResult {
  format: LogFormat;
  records: number;
  bytes: number;
  candidates: number;
  malformed: number;
  malformedLines: MalformedLine[];
}

/**
 * Byte strings that a failing JSON record holds at least one of; records without any are never
 * parsed. Every marker starts with an upper-case letter, which is rare in JSON, because V8's
 * Buffer.indexOf jumps from one occurrence of a needle's first byte to the next with memchr: these
 * scan at well over 1 GB/s each, where lower-case needles such as `"status":"error"` crawl.
 * Cloud Logging levels are upper case (ERROR, CRITICAL, ALERT, EMERGENCY); a Datadog record at
 * status `error` about a Google API call names an exception (`ClientError`, `RefreshError`;
 * Python's `google.api_core.exceptions.PermissionDenied` and Java's `...Exception` share
 * `xception`, whose x is rare too), a Google status (PERMISSION_DENIED, RESOURCE_EXHAUSTED,
 * UNAUTHENTICATED) or `403 Forbidden`. A lower-case-only record such as
 * `{"status":"critical","message":"request failed"}` is skipped: it holds nothing to diagnose.
 */
export const FAILURE_MARKERS = [
  'ERROR',
  'CRITIC',
  'ALERT',
  'EMERGE',
  'Error',
  'xception',
  'PERMIS',
  'RESOUR',
  'UNAUTH',
  'Forbid',
].map((m) => Buffer.from(m));

const SNIFF_BYTES = 64 * 1024;
const NL = 0x0a;
const CR = 0x0d;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export interface ReadOptions {
  /** How many malformed lines to report by number (all are counted). */
  maxMalformedLines?: number;
  format?: LogFormat;
}

export async function readFailures(
  chunks: AsyncIterable<Buffer>,
  sink: ReadSink,
  opts: ReadOptions = {},
): Promise<ReadResult> {
  // Enough of the start to tell the format by (a tiny first chunk from a pipe says too little).
  const it = chunks[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    headChunks.push(r.value);
    headBytes += r.value.length;
  }
  const head = Buffer.concat(headChunks);
  const all: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => {
      let k = 0;
      return {
        next: async () => {
          if (k < headChunks.length) return { done: false, value: headChunks[k++] as Buffer };
          return ended ? { done: true, value: undefined } : it.next();
        },
      };
    },
  };
  const format = opts.format ?? sniffFormat(head);
  const state = new ReadState(sink, format, opts.maxMalformedLines ?? 20);
  switch (format) {
    case 'jsonl':
      await readJsonLines(all, state);
      break;
    case 'json':
      await readJsonDocument(all, state);
      break;
    case 'csv':
      await readCsv(all, state);
      break;
    case 'text':
      await readText(all, state);
      break;
  }
  return state.result();
}

/** Decides the format from the first chunk: JSON lines, one JSON document, CSV or text. */
export function sniffFormat(head: Buffer): LogFormat {
  const text = head.subarray(0, SNIFF_BYTES).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n').slice(0, 21);
  if (lines.length > 1) lines.pop(); // the last one may be cut off
  const nonEmpty = lines.map((l) => l.trim()).filter((l) => l !== '');
  const firstLine = nonEmpty[0] ?? '';
  if (firstLine.startsWith('[')) return 'json';
  if (firstLine.startsWith('{')) {
    const objects = nonEmpty.filter((l) => l.startsWith('{') && l.endsWith('}')).length;
    return objects * 2 >= nonEmpty.length && firstLine.endsWith('}') ? 'jsonl' : 'json';
  }
  if (/^"?(date|timestamp)"?,/i.test(firstLine) && /message/i.test(firstLine)) return 'csv';
  return 'text';
}

class ReadState {
  records = 0;
  bytes = 0;
  candidates = 0;
  malformed = 0;
  readonly malformedLines: MalformedLine[] = [];

  constructor(
    readonly sink: ReadSink,
    readonly format: LogFormat,
    readonly maxMalformed: number,
  ) {}

  bad(line: number, reason: string): void {
    this.malformed++;
    if (this.malformedLines.length < this.maxMalformed) this.malformedLines.push({ line, reason });
  }

  /** A parsed JSON value: one record, or a page / array of them. */
  parsed(value: unknown, line: number): void {
    for (const r of expandRecords(value)) {
      const failure = toFailureRecord(r, line);
      if (failure) this.sink.failure(failure);
    }
  }

  /** Parses a candidate's text; a parse failure is a malformed record, never fatal. */
  parse(text: string, line: number): void {
    this.candidates++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.bad(line, `invalid JSON: ${(err as Error).message.slice(0, 120)}`);
      return;
    }
    this.parsed(value, line);
  }

  result(): ReadResult {
    return {
      format: this.format,
      records: this.records,
      bytes: this.bytes,
      candidates: this.candidates,
      malformed: this.malformed,
      malformedLines: this.malformedLines,
    };
  }
}

/** Positions of every marker in buf[from, to), sorted. Markers are rare, so the list is short. */
function markerHits(buf: Buffer, from: number, to: number): number[] {
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

async function readJsonLines(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  let carry: Buffer | undefined;
  let lineNo = 0;

  /** One complete line buf[start, end) (end excludes the newline). */
  const line = (buf: Buffer, start: number, end: number, candidate: boolean) => {
    lineNo++;
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    let b = start;
    while (b < e && (buf[b] === 0x20 || buf[b] === 0x09)) b++;
    if (b === e) return; // blank lines are not records
    s.records++;
    if (buf[b] !== OPEN || buf[e - 1] !== CLOSE) {
      s.bad(lineNo, buf[b] === OPEN ? 'truncated JSON object' : 'not a JSON object');
      return;
    }
    if (candidate) s.parse(buf.toString('utf8', b, e), lineNo);
  };

  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    let pos = 0;
    if (carry) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      line(joined, 0, joined.length, markerHits(joined, 0, joined.length).length > 0);
      carry = undefined;
      pos = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= pos) {
      const hits = markerHits(chunk, pos, lastNl);
      let h = 0;
      while (pos <= lastNl) {
        const nl = chunk.indexOf(NL, pos);
        while (h < hits.length && (hits[h] as number) < pos) h++;
        const candidate = h < hits.length && (hits[h] as number) < nl;
        line(chunk, pos, nl, candidate);
        pos = nl + 1;
      }
    }
    if (pos < chunk.length) carry = Buffer.from(chunk.subarray(pos));
  }
  if (carry && carry.length > 0) line(carry, 0, carry.length, markerHits(carry, 0, carry.length).length > 0);
}

async function readJsonDocument(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const splitter = new JsonDocSplitter();
  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    for (const el of splitter.push(chunk)) {
      s.records++;
      if (markerHits(el.bytes, 0, el.bytes.length).length === 0) continue;
      s.parse(el.bytes.toString('utf8'), el.line);
    }
  }
  const end = splitter.end();
  if (end.error) s.bad(end.line, end.error);
}

async function* lines(chunks: AsyncIterable<Buffer>, s: ReadState): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    const text = carry + chunk.toString('utf8');
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
  }
  if (carry !== '') yield carry;
}

async function readText(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  let lineNo = 0;
  for await (const text of lines(chunks, s)) {
    lineNo++;
    if (text.trim() === '') continue;
    s.records++;
    const record = fromTextLine(text, lineNo);
    if (record) {
      s.candidates++;
      s.sink.failure(record);
    }
  }
}

/** Datadog's CSV export: a header row naming the columns, quoted fields that may span lines. */
async function readCsv(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  let header: string[] | undefined;
  for await (const row of splitCsvRecords(lines(chunks, s))) {
    if (!header) {
      header = row.fields.map((h) => h.trim().toLowerCase());
      continue;
    }
    s.records++;
    if (row.error) {
      s.bad(row.line, row.error);
      continue;
    }
    if (row.fields.length !== header.length) {
      s.bad(row.line, `expected ${header.length} fields, found ${row.fields.length}`);
      continue;
    }
    const o: Record<string, unknown> = {};
    header.forEach((h, i) => {
      o[h === 'date' ? 'timestamp' : h] = row.fields[i];
    });
    if (typeof o.tags === 'string') o.tags = (o.tags as string).split(/[,\s]+/).filter(Boolean);
    s.candidates++;
    s.parsed(o, row.line);
  }
}
