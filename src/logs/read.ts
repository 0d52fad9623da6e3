/**
 * Streams a log export and hands every failing record to a sink, in constant memory.
 *
 * JSON lines (Datadog or Cloud Logging, the bulk of large exports) take the fast path: a regular
 * file is mmap'ed and searched by the native scanner (native-scan.ts) when it is built, anything
 * else is searched chunk by chunk with Buffer.indexOf (jsonl-scan.ts); only lines that hold a
 * failure marker are decoded and JSON.parse'd. Every line still gets a two-byte structural check
 * ({ ... }) so that broken lines are counted with their line numbers. Whole JSON documents (an
 * API page, a JSON array), Datadog CSV exports and plain text logs have their own readers.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { LogRecord, MalformedLine } from '../core/incidents/model.js';
import { type CandidateSink, parseCandidate } from './candidate.js';
import { splitCsvRecords } from './csv.js';
import { fileRangeChunks, inputChunks, openInput } from './input.js';
import { JsonDocSplitter } from './json-doc.js';
import { hasMarker, type ScanCounts, type ScanHandlers, scanFileRange, scanJsonLines } from './jsonl-scan.js';
import { loadNativeScan } from './native-scan.js';
import { readerCount, scanJsonLinesParallel } from './parallel.js';
import { expandRecords, fromTextLine, toFailureRecord } from './records.js';
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
  /** Which scanner found the candidate lines of a JSON-lines file (`js` for any other input). */
  scanner: 'native' | 'js';
}

export const SNIFF_BYTES = 64 * 1024;

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
  scanner: ReadResult['scanner'] = 'js';

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
      scanner: this.scanner,
    };
  }
}

async function readJsonLines(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const counts = await scanJsonLines(chunks, {
    candidate: (text, line) => s.parse(text, line),
    malformed: (line, reason) => s.bad(line, reason),
  });
  s.records += counts.records;
  s.bytes += counts.bytes;
}

async function readJsonDocument(chunks: AsyncIterable<Buffer>, s: ReadState): Promise<void> {
  const splitter = new JsonDocSplitter();
  for await (const chunk of chunks) {
    s.bytes += chunk.length;
    for (const el of splitter.push(chunk)) {
      s.records++;
      if (!hasMarker(el.bytes)) continue;
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
  let lineNo = 0;
  for await (const text of lines(chunks, s)) take(joiner.push(text, ++lineNo));
  take(joiner.end());
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

export interface FileReadOptions extends ReadOptions {
  /** Files at least this big are scanned by worker threads (JSON lines only). */
  parallelMinBytes?: number;
  workers?: number;
  /** Bytes per read of the JSON-lines scanner (tests cut records at every boundary with tiny ones). */
  chunkBytes?: number;
  /** Resolves when the sink can take records; reading may start before (see scanJsonLinesParallel). */
  sinkReady?: Promise<unknown>;
}

/** Files below this size are read on the main thread: starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

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
  if (head[0] === 0x1f && head[1] === 0x8b) {
    await opts.sinkReady;
    return { ...(await readFailures(inputChunks(openInput(path)), sink, opts)), resolveLine: identity };
  }
  const format = opts.format ?? sniffFormat(head);
  const parallel =
    format === 'jsonl' && workers >= 2 && size >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES);
  // Only the worker threads have anything to do before the sink is ready.
  if (!parallel) await opts.sinkReady;
  if (format !== 'jsonl') {
    // Two reused buffers instead of a fresh 1 MB Buffer per chunk: no GC churn, no page faults.
    const read = await readFailures(fileRangeChunks(path, 0, size), sink, { ...opts, format });
    return { ...read, resolveLine: identity };
  }
  if (!parallel) {
    // JSON lines on this thread: the native scanner, else readSync into the JavaScript scanner's
    // buffer (a CLI has nothing else to do).
    const s = new ReadState(sink, 'jsonl', opts.maxMalformedLines ?? 20);
    const h: ScanHandlers = {
      candidate: (text, line) => s.parse(text, line),
      malformed: (line, reason) => s.bad(line, reason),
    };
    const native = loadNativeScan();
    let counts: ScanCounts;
    if (native) {
      counts = native.scanFileRange(path, 0, size, h);
      s.scanner = 'native';
    } else {
      const fd = openSync(path, 'r');
      try {
        counts = scanFileRange(fd, 0, size, h, { chunkBytes: opts.chunkBytes });
      } finally {
        closeSync(fd);
      }
    }
    s.records = counts.records;
    s.bytes = counts.bytes;
    return { ...s.result(), resolveLine: identity };
  }
  const max = opts.maxMalformedLines ?? 20;
  // Malformed lines arrive from every range at once: keep enough to pick the first ones after.
  const s = new ReadState(sink, 'jsonl', max * workers);
  const counts = await scanJsonLinesParallel(
    path,
    size,
    workers,
    {
      failure: (record) => sink.failure(record),
      malformed: (line, reason) => s.bad(line, reason),
    },
    opts.chunkBytes,
    opts.sinkReady,
  );
  s.candidates = counts.candidates;
  s.scanner = counts.scanner;
  s.records = counts.records;
  s.bytes = counts.bytes;
  const result = s.result();
  result.malformedLines = result.malformedLines
    .map((m) => ({ ...m, line: counts.resolve(m.line) }))
    .sort((a, b) => a.line - b.line)
    .slice(0, max);
  return { ...result, resolveLine: counts.resolve };
}
