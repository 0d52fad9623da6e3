/**
 * A candidate line (one that holds a failure marker) -> the failing records it holds. Shared by
 * the main-thread readers and the scan workers, which parse their candidates themselves so that
 * the main thread is left with grouping and diagnosis only.
 */
import type { LogRecord } from '../core/incidents/model.js';
import { expandRecords, toFailureRecord } from './records.js';

export interface CandidateSink {
  failure(record: LogRecord): void;
  bad(line: number, reason: string): void;
}

/** Parses a candidate's text; a parse failure is a malformed record, never fatal. */
export function parseCandidate(text: string, line: number, out: CandidateSink): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    out.bad(line, `invalid JSON: ${(err as Error).message.slice(0, 120)}`);
    return;
  }
  for (const r of expandRecords(value)) {
    const failure = toFailureRecord(r, line);
    if (failure) out.failure(failure);
  }
}
