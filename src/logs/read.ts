/**
 * Streams a log export and hands every failing record to a sink, in memory bounded by the record
 * cap (limits.ts) and time linear in the input, whatever the shape of its lines.
 *
 * JSON lines (Datadog or Cloud Logging, the bulk of large exports) take the fast path: chunks are
 * searched with Buffer.indexOf (jsonl-scan.ts), by worker threads for big files, and only lines
 * that hold a failure marker are decoded and JSON.parse'd. Every line still gets a two-byte
 * structural check ({ ... }) so that broken lines are counted with their line numbers. Whole JSON
 * documents (an API page, a JSON array), Datadog CSV exports and plain text logs have their own
 * readers. Records over the cap are counted as oversized, with their line numbers, and skipped.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { LogRecord, MalformedLine } from '../core/incidents/model.js';
import { isGzip } from '../gzip.js';
import { type CandidateSink, parseCandidate } from './candidate.js';
import { type CsvRecord, CsvRecordSplitter } from './csv.js';
import { fileRangeChunks, inputChunks, LogInputError, openInput } from './input.js';
import { JsonDocSplitter } from './json-doc.js';
import { hasMarker, type ScanHandlers, scanFileRange, scanJsonLines } from './jsonl-scan.js';
import { MAX_RECORD_BYTES } from './limits.js';
import { type LineSink, LineSplitter } from './lines.js';
import { scanJsonLinesParallel } from './parallel.js';
import { expandRecords, fromTextLine, toFailureRecord } from './records.js';
import { PARALLEL_MIN_BYTES, readerCount, stopIdleScanWorkers } from './scan-pool.js';
import { type TextEntry, TextEntryJoiner } from './text-entries.js';

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
  /** Records over the cap, skipped unread, and the first of their line numbers. */
  oversized: number;
  oversizedLines: number[];
  maxRecordBytes: number;
}

export const SNIFF_BYTES = 64 * 1024;

export interface ReadOptions {
  /** How many malformed (and oversized) lines to report by number (all are counted). */
  maxMalformedLines?: number;
  format?: LogFormat;
  /** Records longer than this are skipped as oversized (MAX_RECORD_BYTES by default). */
  maxRecordBytes?: number;
  /** What the input is called in error messages ("standard input", a path). */
  name?: string;
}

const WHAT_LOGS_ARE = 'give a log export (JSON lines, JSON, CSV or text; gzip ok)';

/**
 * The start of the input, refused when it cannot be a log: nothing at all, or binary data (a NUL
 * byte, as git and grep decide; UTF-16 text counts as binary here too: it is not read).
 */
export function checkHead(head: Buffer, name = 'the input'): void {
  if (head.length === 0) throw new LogInputError(`${name} is empty: ${WHAT_LOGS_ARE}`);
  if (head.subarray(0, SNIFF_BYTES).includes(0))
    throw new LogInputError(`${name} is not a log: it holds binary data (NUL bytes); ${WHAT_LOGS_ARE}`);
}

/** The whole input held no record (blank lines only). */
function checkRecords(result: ReadResult, name = 'the input'): ReadResult {
  if (result.records === 0) throw new LogInputError(`${name} holds no log records: ${WHAT_LOGS_ARE}`);
  return result;
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
  checkHead(head, opts.name);
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
  const state = new ReadState(sink, format, opts.maxMalformedLines ?? 20, opts.maxRecordBytes);
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
  return checkRecords(state.result(), opts.name);
}

/** Decides the format from the first chunk: JSON lines, one JSON document, CSV or text. */
export function sniffFormat(head: Buffer): LogFormat {
  const text = head
    .subarray(0, SNIFF_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
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

export class ReadState {
  records = 0;
  bytes = 0;
  candidates = 0;
  malformed = 0;
  readonly malformedLines: MalformedLine[] = [];
  oversized = 0;
  readonly oversizedLines: number[] = [];

  constructor(
    readonly sink: ReadSink,
    readonly format: LogFormat,
    readonly maxMalformed: number,
    readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {}

  bad(line: number, reason: string): void {
    this.malformed++;
    if (this.malformedLines.length < this.maxMalformed) this.malformedLines.push({ line, reason });
  }

  /** A record over the cap (counted among the records too). */
  tooBig(line: number): void {
    this.oversized++;
    if (this.oversizedLines.length < this.maxMalformed) this.oversizedLines.push(line);
  }

  /** The scanner's handlers, feeding this state. */
  readonly scanHandlers: ScanHandlers = {
    candidate: (text, line) => this.parse(text, line),
    malformed: (line, reason) => this.bad(line, reason),
    oversized: (line) => this.tooBig(line),
  };

  /** A parsed JSON value: one record, or a page / array of them. */
  parsed(value: unknown, line: number): void {
    for (const r of expandRecords(value)) {
      const failure = toFailureRecord(r, line);
      if (failure) this.sink.failure(failure);
    }
  }

  private readonly out: CandidateSink = {
    failure: (r) => this.sink.failure(r),
    bad: (line, reason) => this.bad(line, reason),
  };

  /** Parses a candidate's text; a parse failure is a malformed record, never fatal. */
  parse(text: string, line: number): void {
    this.candidates++;
    parseCandidate(text, line, this.out);
  }

  result(): ReadResult {
    return {
      format: this.format,
      records: this.records,
      bytes: this.bytes,
      candidates: this.candidates,
      malformed: this.malformed,
      malformedLines: this.malformedLines,
      oversized: this.oversized,
      oversizedLines: this.oversizedLines,
      maxRecordBytes: this.maxRecordBytes,
    };
  }
}

async function readJsonLines(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const counts = await scanJsonLines(chunks, s.scanHandlers, { maxRecordBytes: s.maxRecordBytes });
  s.records += counts.records;
  s.bytes += counts.bytes;
}

async function readJsonDocument(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const splitter = new JsonDocSplitter(s.maxRecordBytes);
  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    for (const el of splitter.push(chunk)) {
      s.records++;
      if (el.oversized) s.tooBig(el.line);
      else if (hasMarker(el.bytes)) s.parse(el.bytes.toString('utf8'), el.line);
    }
  }
  const end = splitter.end();
  if (end.error) s.bad(end.line, end.error);
}

/** Feeds every line of the input to `sink`; a line over the cap is not built. */
async function eachLine(chunks: AsyncIterable<Buffer>, s: ReadState, sink: LineSink): Promise<void> {
  const splitter = new LineSplitter(sink, s.maxRecordBytes);
  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
}

/** Plain text: one record per entry, a traceback or stack trace joined to the line above it. */
async function readText(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const joiner = new TextEntryJoiner();
  const take = (entry: TextEntry | undefined) => {
    if (!entry) return;
    s.records++;
    const record = fromTextLine(entry.text, entry.line);
    if (record) {
      s.candidates++;
      s.sink.failure(record);
    }
  };
  await eachLine(chunks, s, {
    line: (text, lineNo) => take(joiner.push(text, lineNo)),
    blank: () => {},
    oversized: (lineNo) => {
      take(joiner.end());
      s.records++;
      s.tooBig(lineNo);
    },
  });
  take(joiner.end());
}

/** Datadog's CSV export: a header row naming the columns, quoted fields that may span lines. */
async function readCsv(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const splitter = new CsvRecordSplitter(s.maxRecordBytes);
  let header: string[] | undefined;
  const take = (row: CsvRecord | undefined) => {
    if (!row) return;
    if (!header && !row.oversized) {
      header = row.fields.map((h) => h.trim().toLowerCase());
      return;
    }
    s.records++;
    if (row.oversized) s.tooBig(row.line);
    else if (row.error) s.bad(row.line, row.error);
    else if (header && row.fields.length !== header.length)
      s.bad(row.line, `expected ${header.length} fields, found ${row.fields.length}`);
    else if (header) {
      s.candidates++;
      s.parsed(csvObject(header, row.fields), row.line);
    }
  };
  await eachLine(chunks, s, {
    line: (text, lineNo) => take(splitter.push(text, lineNo)),
    blank: (count, lastLineNo) => splitter.blankLines(count, lastLineNo),
    oversized: (lineNo) => take(splitter.skipLine(lineNo)),
  });
  take(splitter.end());
}

function csvObject(header: string[], fields: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  header.forEach((h, i) => {
    o[h === 'date' ? 'timestamp' : h] = fields[i];
  });
  if (typeof o.tags === 'string') o.tags = (o.tags as string).split(/[,\s]+/).filter(Boolean);
  return o;
}

export interface FileReadOptions extends ReadOptions {
  /** Files at least this big are scanned by worker threads (JSON lines only; 0 workers: never). */
  parallelMinBytes?: number;
  workers?: number;
  /** Bytes per read of the JSON-lines scanner (tests cut records at every boundary with tiny ones). */
  chunkBytes?: number;
  /** Resolves when the sink can take records; reading may start before (see scanJsonLinesParallel). */
  sinkReady?: Promise<unknown>;
}

/**
 * A regular file: big uncompressed JSON-lines files are scanned by worker threads, anything else
 * is streamed. `resolveLine` turns the line numbers records carry into real ones (the identity
 * for streamed input).
 */
export async function readFileFailures(
  path: string,
  sink: ReadSink,
  opts: FileReadOptions = {},
): Promise<ReadResult & { resolveLine: (line: number) => number }> {
  const identity = (line: number) => line;
  const workers = opts.workers ?? readerCount();
  const size = statSync(path).size;
  const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const name = opts.name ?? path;
  if (isGzip(head)) {
    stopIdleScanWorkers();
    await opts.sinkReady;
    const read = await readFailures(inputChunks(openInput(path)), sink, { ...opts, name });
    return { ...read, resolveLine: identity };
  }
  checkHead(head, name);
  const format = opts.format ?? sniffFormat(head);
  const parallel =
    format === 'jsonl' && workers >= 1 && size >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES);
  // Only the worker threads have anything to do before the sink is ready.
  if (!parallel) {
    stopIdleScanWorkers();
    await opts.sinkReady;
  }
  if (format !== 'jsonl') {
    // Two reused buffers instead of a fresh 1 MB Buffer per chunk: no GC churn, no page faults.
    const read = await readFailures(fileRangeChunks(path, 0, size), sink, { ...opts, format, name });
    return { ...read, resolveLine: identity };
  }
  const max = opts.maxMalformedLines ?? 20;
  const scanOpts = { chunkBytes: opts.chunkBytes, maxRecordBytes: opts.maxRecordBytes };
  if (!parallel) {
    // JSON lines on this thread: readSync into the scanner's buffer (a CLI has nothing else to do).
    const s = new ReadState(sink, 'jsonl', max, opts.maxRecordBytes);
    const fd = openSync(path, 'r');
    try {
      const counts = scanFileRange(fd, 0, size, s.scanHandlers, scanOpts);
      s.records = counts.records;
      s.bytes = counts.bytes;
    } finally {
      closeSync(fd);
    }
    return { ...checkRecords(s.result(), name), resolveLine: identity };
  }
  // Malformed lines arrive from every range at once: keep enough to pick the first ones after.
  const s = new ReadState(sink, 'jsonl', max * workers, opts.maxRecordBytes);
  const counts = await scanJsonLinesParallel(
    path,
    size,
    workers,
    {
      failure: (record) => sink.failure(record),
      malformed: (line, reason) => s.bad(line, reason),
      oversized: (line) => s.tooBig(line),
    },
    scanOpts,
    opts.sinkReady,
  );
  s.candidates = counts.candidates;
  s.records = counts.records;
  s.bytes = counts.bytes;
  const result = s.result();
  result.malformedLines = result.malformedLines
    .map((m) => ({ ...m, line: counts.resolve(m.line) }))
    .sort((a, b) => a.line - b.line)
    .slice(0, max);
  result.oversizedLines = result.oversizedLines
    .map(counts.resolve)
    .sort((a, b) => a - b)
    .slice(0, max);
  return { ...checkRecords(result, name), resolveLine: counts.resolve };
}
