/**
 * Incidents: failures read from logs, grouped by cause x service x principal x project x model.
 * Pure data, JSON-serialisable, shared by the log readers, the `logs` / `report` commands and
 * any front end that shows incidents.
 */
import type { Context, Diagnosis, Plan } from '../model.js';
import type { CauseId, ErrorCode } from '../taxonomy.js';

/** Where a record came from; audit entries carry the principal and permission errors hide. */
export type LogSource = 'datadog' | 'cloud-logging' | 'cloud-audit' | 'text';

/** One log record reduced to what diagnosis and grouping need. */
export interface LogRecord {
  source: LogSource;
  /** 1-based line of the input where the record starts (files only). */
  line?: number;
  /** Datadog event id or Cloud Logging insertId. */
  id?: string;
  /** Epoch milliseconds. */
  time?: number;
  /** The workload that logged it (Datadog service, Cloud Run service_name). */
  service?: string;
  env?: string;
  host?: string;
  /** The project the workload runs in (resource labels, tags), not the one the error names. */
  runtimeProject?: string;
  /** The region the workload runs in. */
  runtimeLocation?: string;
  runtime?: Context['runtime'];
  traceId?: string;
  spanId?: string;
  /** Severity / status as the source wrote it. */
  level?: string;
  /** The error text handed to the diagnosis engine. */
  text: string;
  /** Audit logs: principalEmail; others: a principal the record names. */
  principal?: string;
  permission?: string;
  resource?: string;
  method?: string;
  /** HTTP status of the failing request, when the record has one. */
  httpStatus?: number;
}

/** Audit-log evidence attached to an application incident it explains. */
export interface AuditEvidence {
  principal: string;
  permission?: string;
  resource?: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export interface MinuteBucket {
  /** ISO start of the minute (UTC). */
  minute: string;
  count: number;
}

export interface Incident {
  /** Stable id: the grouping key hashed to a short string. */
  id: string;
  cause: CauseId;
  code: ErrorCode;
  title: string;
  service?: string;
  principal?: string;
  /** Where the principal came from: the failing record itself, a matching audit log, or --principal. */
  principalSource?: 'record' | 'audit-log' | 'context';
  /** The project the failing call named (falls back to the runtime project). */
  project?: string;
  runtimeProject?: string;
  location?: string;
  runtimeLocation?: string;
  model?: string;
  permission?: string;
  env?: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  perMinute: MinuteBucket[];
  traceIds: string[];
  logIds: string[];
  lines: number[];
  sources: LogSource[];
  /** The first failing text (secrets redacted, truncated). */
  sample: string;
  audit?: AuditEvidence;
  diagnosis: Diagnosis;
  plan?: Plan;
}

export interface MalformedLine {
  line: number;
  reason: string;
}

export interface ReadStats {
  /** Lines (or array elements / API records) read. */
  records: number;
  bytes: number;
  /** Records that passed the cheap prefilter and were parsed. */
  candidates: number;
  failures: number;
  /** Distinct error texts the engine was run on (the rest came from the cache). */
  diagnosed: number;
  malformed: number;
  /** The first malformed lines, with line numbers. */
  malformedLines: MalformedLine[];
  /** Records over the record cap, skipped unread (counted in `records`). */
  oversized: number;
  /** The first oversized records' line numbers. */
  oversizedLines: number[];
  /** The record cap in bytes (absent for remote sources, whose records come parsed). */
  maxRecordBytes?: number;
  format: string;
}

export interface LogAnalysis {
  schemaVersion: 1;
  input: string;
  stats: ReadStats;
  /** Most failures first. */
  incidents: Incident[];
}
