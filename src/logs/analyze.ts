/**
 * From a log source to incidents: stream the records, keep the failures, group them while they
 * pass. Files and stdin go through the byte-level reader; remote sources (Datadog, Cloud Logging)
 * hand over parsed records page by page.
 */

import type { Readable } from 'node:stream';
import { type GroupingEngine, IncidentGrouper } from '../core/incidents/group.js';
import type { Incident, LogAnalysis, LogRecord } from '../core/incidents/model.js';
import type { Context } from '../core/model.js';
import { checkInput, inputChunks, openInput } from './input.js';
import {
  type FileReadOptions,
  type LogFormat,
  type ReadResult,
  readFailures,
  readFileFailures,
} from './read.js';
import { expandRecords, toFailureRecord } from './records.js';

export interface AnalyzeOptions {
  engine: GroupingEngine;
  context?: Context;
  examples?: number;
  maxMalformedLines?: number;
  format?: LogFormat;
  /** Records over this many bytes are skipped as oversized (MAX_RECORD_BYTES by default). */
  maxRecordBytes?: number;
}

export type FileAnalyzeOptions = Omit<AnalyzeOptions, 'engine'> &
  Pick<FileReadOptions, 'parallelMinBytes' | 'workers' | 'chunkBytes'> & {
    /**
     * May still be loading: a large file's worker threads start reading meanwhile (the engine's
     * modules take ~30 ms to compile, as long as the workers take to read 100 MB).
     */
    engine: GroupingEngine | Promise<GroupingEngine>;
  };

/** A file path or `-` (stdin), any size, gzip or not. */
export async function analyzeFile(path: string, opts: FileAnalyzeOptions): Promise<LogAnalysis> {
  if (path === '-') return analyzeStream(openInput(path), 'stdin', { ...opts, engine: await opts.engine });
  checkInput(path);
  let grouper: IncidentGrouper | undefined;
  const sinkReady = Promise.resolve(opts.engine).then((engine) => {
    grouper = new IncidentGrouper(engine, { context: opts.context, examples: opts.examples });
  });
  const read = await readFileFailures(
    path,
    // Only called once sinkReady has resolved (see readFileFailures).
    { failure: (r: LogRecord) => grouper?.add(r) },
    { ...opts, sinkReady },
  );
  await sinkReady;
  if (!grouper) throw new Error('the diagnosis engine did not load');
  const incidents = grouper.incidents().map((i) => ({ ...i, lines: i.lines.map(read.resolveLine) }));
  return toAnalysis(path, read, grouper, incidents);
}

function toAnalysis(
  input: string,
  read: ReadResult,
  grouper: IncidentGrouper,
  incidents: Incident[],
): LogAnalysis {
  return {
    schemaVersion: 1,
    input,
    stats: {
      records: read.records,
      bytes: read.bytes,
      candidates: read.candidates,
      failures: grouper.failures,
      diagnosed: grouper.diagnosed,
      malformed: read.malformed,
      malformedLines: read.malformedLines,
      oversized: read.oversized,
      oversizedLines: read.oversizedLines,
      maxRecordBytes: read.maxRecordBytes,
      format: read.format,
    },
    incidents,
  };
}

/** An opened input (see openInput): bytes in, incidents out. */
export function analyzeStream(stream: Readable, label: string, opts: AnalyzeOptions): Promise<LogAnalysis> {
  return analyzeChunks(inputChunks(stream), label, opts);
}

/** Plain (already decompressed) byte chunks in, incidents out. */
export async function analyzeChunks(
  chunks: AsyncIterable<Buffer>,
  label: string,
  opts: AnalyzeOptions,
): Promise<LogAnalysis> {
  const grouper = new IncidentGrouper(opts.engine, { context: opts.context, examples: opts.examples });
  const read = await readFailures(
    chunks,
    { failure: (r: LogRecord) => grouper.add(r) },
    {
      maxMalformedLines: opts.maxMalformedLines,
      format: opts.format,
      maxRecordBytes: opts.maxRecordBytes,
      name: label === 'stdin' ? 'standard input' : label,
    },
  );
  return toAnalysis(label, read, grouper, grouper.incidents());
}

/** Parsed records (API pages) from a remote source. */
export async function analyzeRecords(
  label: string,
  records: AsyncIterable<unknown>,
  opts: AnalyzeOptions,
): Promise<LogAnalysis> {
  const grouper = new IncidentGrouper(opts.engine, { context: opts.context, examples: opts.examples });
  let count = 0;
  for await (const page of records) {
    for (const r of expandRecords(page)) {
      count++;
      const failure = toFailureRecord(r);
      if (failure) grouper.add(failure);
    }
  }
  return {
    schemaVersion: 1,
    input: label,
    stats: {
      records: count,
      bytes: 0,
      candidates: count,
      failures: grouper.failures,
      diagnosed: grouper.diagnosed,
      malformed: 0,
      malformedLines: [],
      oversized: 0,
      oversizedLines: [],
      format: 'api',
    },
    incidents: grouper.incidents(),
  };
}
