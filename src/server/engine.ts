/**
 * What the console needs from the rest of genai-doctor, as one narrow interface. The routes
 * depend on this, not on the modules behind it, so each front-end concern (HTTP, SSE, the page)
 * stays separate from the diagnosis core, the log reader and the live doctor.
 */
import type { Readable } from 'node:stream';
import type { Incident, ReadStats } from '../core/incidents/model.js';
import type { Context, Diagnosis, Plan } from '../core/model.js';
import type { CheckQuery, PlanFormat } from './schemas.js';
import type { UploadRequest } from './upload.js';

/** The three renderings the page shows in its tabs. */
export interface Renderings {
  gcloud: string;
  terraform: string;
  console: string;
}

export interface DiagnosisAnswer {
  diagnosis: Diagnosis;
  plan: Plan;
  rendered: Renderings;
}

export interface CatalogAnswer {
  code: number;
  title: string;
  /** Cause ids the page covers. */
  causes: string[];
  markdown: string;
  /** The catalog's own structured page. */
  page: unknown;
}

/** One minute of the failures-per-minute timeline (all incidents together). */
export interface TimelinePoint {
  minute: string;
  failures: number;
}

export interface IncidentAnswer extends Incident {
  rendered: Renderings;
}

export interface LogsAnswer {
  input: string;
  stats: ReadStats & { lines: number };
  incidents: IncidentAnswer[];
  timeline: TimelinePoint[];
}

export type ProbeOutcome = 'pass' | 'fail' | 'skip' | 'error' | 'warn';

/** A live probe as the page shows it; `raw` keeps the live doctor's own record. */
export interface ProbeView {
  id: string;
  title: string;
  outcome: ProbeOutcome;
  detail?: string;
  ms?: number;
  raw?: unknown;
}

export interface CheckAnswer extends DiagnosisAnswer {
  target: string;
  probes: ProbeView[];
}

export interface ApplyAnswer {
  applied: boolean;
  summary: string;
  result: unknown;
}

export interface ConsoleEngine {
  /** "sandbox (seed-incident)" or "Google Cloud (ADC)": what a live check runs against. */
  readonly target: string;
  diagnose(text: string, context: Context): DiagnosisAnswer;
  explain(codeOrCause: string): CatalogAnswer | undefined;
  renderPlan(plan: Plan, format: PlanFormat): string;
  planFor(diagnosis: Diagnosis): DiagnosisAnswer;
  /** Reads a log upload's raw body (gzip or not) within the request's limits. */
  readLogs(body: Readable, request: UploadRequest): Promise<LogsAnswer>;
  /** The query a check will run with: the page's fields over the backend's defaults. */
  checkQuery(query: CheckQuery): CheckQuery;
  check(query: CheckQuery, onProbe: (probe: ProbeView) => void, signal: AbortSignal): Promise<CheckAnswer>;
  applyFix(query: CheckQuery): Promise<ApplyAnswer>;
  close(): Promise<void>;
}
