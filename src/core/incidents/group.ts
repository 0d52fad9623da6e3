/**
 * Groups failing log records into incidents while they stream past: memory grows with the number
 * of incidents and the minutes they span, never with the number of records. Identical error texts
 * are diagnosed once (cached by normalised text and context).
 */
import type { Context, Diagnosis, Plan } from '../model.js';
import type { AuditEvidence, Incident, LogRecord, LogSource, MinuteBucket } from './model.js';

export interface GroupingEngine {
  diagnose: (text: string, context: Context) => Diagnosis;
  plan?: (diagnosis: Diagnosis) => Plan;
  redact?: (text: string) => string;
}

export interface GroupingOptions {
  /** What the user passed (--project, --principal...): fills what records do not say. */
  context?: Context;
  /** How many example trace ids / log ids / line numbers each incident keeps. */
  examples?: number;
  /** Longest sample text kept per incident. */
  sampleChars?: number;
}

/** Where a record stands in the input: its line, or its arrival for records without one. */
interface Example {
  order: number;
  line?: number;
  traceId?: string;
  id?: string;
}

interface Acc {
  key: string;
  /** The earliest record of the group in the input, and its diagnosis, represent it. */
  order: number;
  diagnosis: Diagnosis;
  record: LogRecord;
  principal?: string;
  principalSource?: Incident['principalSource'];
  count: number;
  first: number;
  last: number;
  /**
   * Minute (epoch ms) -> its bucket. The ISO label is made when the minute is first seen, while
   * records stream in, not when the incidents are read: thousands of Date formats at the end of
   * every large file were on its critical path.
   */
  minutes: Map<number, MinuteBucket>;
  /** The earliest records, in input order: the same examples whatever order readers deliver in. */
  examples: Example[];
  sources: Set<LogSource>;
  audit?: AuditEvidence;
}

const MINUTE = 60_000;

/**
 * Volatile parts of an error text that do not change its diagnosis: timestamps, UUIDs and long
 * hex ids. One alternation, so each failure text is scanned once (this runs for every failing
 * record of a log, not once per distinct text).
 */
const VOLATILE =
  /\b(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|[0-9a-f]{24,}\b)/gi;

/** The cache key of an error text: volatile ids and timestamps dropped, whitespace collapsed. */
export function normalizeErrorText(text: string): string {
  return text.replace(VOLATILE, '#').replace(/\s+/g, ' ').trim();
}

/** FNV-1a, 32 bit, as 8 hex digits: a short stable id for a grouping key. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function contextFor(record: LogRecord, base: Context): Context {
  const ctx: Context = { ...base };
  ctx.project ??= record.runtimeProject;
  ctx.principal ??= record.principal;
  ctx.runtime ??= record.runtime;
  ctx.location ??= record.runtimeLocation;
  ctx.service ??= record.service;
  return ctx;
}

/** The project a failure names, else the one its record ran in. */
function namedProject(diagnosis: Diagnosis, record: LogRecord): string | undefined {
  return diagnosis.facts.project ?? record.runtimeProject;
}

function keyOf(diagnosis: Diagnosis, record: LogRecord, principal: string | undefined): string {
  const cause = diagnosis.findings[0]?.cause ?? 'unknown';
  const parts = [cause, record.service, principal, namedProject(diagnosis, record), diagnosis.facts.model];
  return parts.map((p) => p ?? '').join('\u0000');
}

/** Caches stay bounded so that a log of endless distinct texts cannot grow memory forever. */
const CACHE_ENTRIES = 10_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, value);
}

export class IncidentGrouper {
  private readonly engine: GroupingEngine;
  private readonly context: Context;
  private readonly examples: number;
  private readonly sampleChars: number;
  /** Normalised text and context -> diagnosis: texts that differ only in ids share one. */
  private readonly cache = new Map<string, Diagnosis>();
  /**
   * Raw error text -> context key -> diagnosis. A log repeats the same few texts thousands of
   * times: looking the raw text up first hashes each record's text once, where normalising it
   * and building the key above cost a regex pass and two more hashes of a ~500-character string.
   */
  private readonly byText = new Map<string, Map<string, Diagnosis>>();
  private readonly groups = new Map<string, Acc>();
  /**
   * Plans of the diagnoses that represent a group, made when a group gets its representative
   * rather than at the end: a large file's records arrive while a worker reads, and the main
   * thread is idle between batches, so the plans (and the plan module's first, cold run) cost
   * nothing then, where at the end they added ~50 ms to every large file.
   */
  private readonly plans = new WeakMap<Diagnosis, Plan>();
  /** Audit-log denials kept apart: they explain application incidents rather than add to them. */
  private readonly audits = new Map<string, Acc>();
  failures = 0;
  diagnosed = 0;

  constructor(engine: GroupingEngine, opts: GroupingOptions = {}) {
    this.engine = engine;
    this.context = opts.context ?? {};
    this.examples = opts.examples ?? 5;
    this.sampleChars = opts.sampleChars ?? 600;
  }

  /** Diagnoses (or reuses the cached diagnosis of) one failing record and counts it. */
  add(record: LogRecord): void {
    this.failures++;
    const diagnosis = this.diagnosisOf(record);
    const principal = record.principal ?? diagnosis.facts.principal ?? this.context.principal;
    const principalSource: Incident['principalSource'] = record.principal
      ? 'record'
      : diagnosis.facts.principal
        ? 'record'
        : this.context.principal
          ? 'context'
          : undefined;
    const key = keyOf(diagnosis, record, principal);
    const table = record.source === 'cloud-audit' ? this.audits : this.groups;
    let acc = table.get(key);
    // Parallel readers deliver records out of order; their line numbers still sort in input order.
    const order = record.line ?? this.failures;
    if (!acc) {
      acc = {
        key,
        order,
        diagnosis,
        record,
        principal,
        principalSource,
        count: 0,
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
        minutes: new Map(),
        examples: [],
        sources: new Set(),
      };
      table.set(key, acc);
      this.planOf(diagnosis);
    } else if (order < acc.order) {
      acc.order = order;
      acc.record = record;
      acc.diagnosis = diagnosis;
      acc.principalSource = principalSource;
      this.planOf(diagnosis);
    }
    acc.count++;
    acc.sources.add(record.source);
    if (record.time !== undefined && Number.isFinite(record.time)) {
      acc.first = Math.min(acc.first, record.time);
      acc.last = Math.max(acc.last, record.time);
      const m = Math.floor(record.time / MINUTE) * MINUTE;
      const bucket = acc.minutes.get(m);
      if (bucket) bucket.count++;
      else acc.minutes.set(m, { minute: new Date(m).toISOString(), count: 1 });
    }
    // A few spare examples, so that records sharing a trace id still leave enough distinct ones.
    keepEarliest(
      acc.examples,
      { order, line: record.line, traceId: record.traceId, id: record.id },
      this.examples * 4,
    );
  }

  private diagnosisOf(record: LogRecord): Diagnosis {
    const base = this.context;
    // contextFor's fields, without building the object for every record.
    const ctxKey = [
      base.project ?? record.runtimeProject,
      base.principal ?? record.principal,
      base.runtime ?? record.runtime,
      base.location ?? record.runtimeLocation,
      base.service ?? record.service,
    ].join('\u0001');
    let byCtx = this.byText.get(record.text);
    let diagnosis = byCtx?.get(ctxKey);
    if (diagnosis) return diagnosis;
    const cacheKey = `${normalizeErrorText(record.text)}\u0001${ctxKey}`;
    diagnosis = this.cache.get(cacheKey);
    if (!diagnosis) {
      diagnosis = this.engine.diagnose(record.text, contextFor(record, base));
      this.diagnosed++;
      remember(this.cache, cacheKey, diagnosis);
    }
    if (!byCtx) {
      byCtx = new Map();
      remember(this.byText, record.text, byCtx);
    }
    // Bounded like the caches: a text seen under endless contexts starts over.
    remember(byCtx, ctxKey, diagnosis);
    return diagnosis;
  }

  private planOf(diagnosis: Diagnosis): Plan | undefined {
    if (!this.engine.plan) return undefined;
    let plan = this.plans.get(diagnosis);
    if (!plan) {
      plan = this.engine.plan(diagnosis);
      this.plans.set(diagnosis, plan);
    }
    return plan;
  }

  /** The incidents, most failures first; audit denials attached to the incidents they explain. */
  incidents(): Incident[] {
    const apps = [...this.groups.values()];
    const standalone: Acc[] = [];
    for (const audit of this.audits.values()) {
      const matches = apps.filter((a) => auditExplains(audit, a));
      if (matches.length === 0) {
        standalone.push(audit);
        continue;
      }
      for (const app of matches) {
        const evidence = toAuditEvidence(audit);
        app.audit = app.audit && app.audit.count >= evidence.count ? app.audit : evidence;
        if (!app.principal && evidence.principal) {
          app.principal = evidence.principal;
          app.principalSource = 'audit-log';
        }
      }
    }
    return [...apps, ...standalone]
      .map((acc) => this.toIncident(acc))
      .sort((a, b) => b.count - a.count || (a.firstSeen ?? '').localeCompare(b.firstSeen ?? ''));
  }

  private toIncident(acc: Acc): Incident {
    const d = acc.diagnosis;
    const top = d.findings[0];
    const f = d.facts;
    const redact = this.engine.redact ?? ((s: string) => s);
    const perMinute: MinuteBucket[] = [...acc.minutes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, b]) => ({ minute: b.minute, count: b.count }));
    // A principal learnt from the audit log is worth a second look by the engine: it may change
    // the cause (a service agent) and it fills the plan's member.
    const diagnosis =
      acc.principalSource === 'audit-log' && acc.principal
        ? this.engine.diagnose(acc.record.text, {
            ...contextFor(acc.record, this.context),
            principal: acc.principal,
          })
        : d;
    const incident: Incident = {
      id: shortHash(acc.key),
      cause: top?.cause ?? 'unknown',
      code: top?.code ?? 1199,
      title: top?.title ?? 'Unknown failure',
      service: acc.record.service,
      principal: acc.principal,
      principalSource: acc.principal ? acc.principalSource : undefined,
      project: namedProject(d, acc.record),
      runtimeProject: acc.record.runtimeProject ?? this.context.project,
      location: f.location,
      runtimeLocation: acc.record.runtimeLocation ?? this.context.location,
      model: f.model,
      permission: f.permission ?? acc.record.permission,
      env: acc.record.env,
      count: acc.count,
      firstSeen: Number.isFinite(acc.first) ? new Date(acc.first).toISOString() : undefined,
      lastSeen: Number.isFinite(acc.last) ? new Date(acc.last).toISOString() : undefined,
      perMinute,
      traceIds: firstDistinct(
        acc.examples.map((e) => e.traceId),
        this.examples,
      ),
      logIds: firstDistinct(
        acc.examples.map((e) => e.id),
        this.examples,
      ),
      lines: acc.examples.flatMap((e) => (e.line === undefined ? [] : [e.line])).slice(0, this.examples),
      sources: [...acc.sources].sort(),
      sample: truncate(redact(acc.record.text), this.sampleChars),
      audit: acc.audit,
      diagnosis,
    };
    incident.plan = this.planOf(diagnosis);
    return dropUndefined(incident);
  }
}

function auditExplains(audit: Acc, app: Acc): boolean {
  const a = audit.diagnosis.facts;
  const b = app.diagnosis.facts;
  const project = namedProject(audit.diagnosis, audit.record);
  if (!project || project !== namedProject(app.diagnosis, app.record)) return false;
  // Same project: the audit entry explains the app failure when the permission or model agrees.
  const permission = a.permission ?? audit.record.permission;
  if (permission && b.permission && permission !== b.permission) return false;
  if (a.model && b.model && a.model !== b.model) return false;
  return Boolean(audit.principal);
}

function toAuditEvidence(acc: Acc): AuditEvidence {
  return dropUndefined({
    principal: acc.principal ?? '',
    permission: acc.diagnosis.facts.permission ?? acc.record.permission,
    resource: acc.record.resource,
    count: acc.count,
    firstSeen: new Date(Number.isFinite(acc.first) ? acc.first : 0).toISOString(),
    lastSeen: new Date(Number.isFinite(acc.last) ? acc.last : 0).toISOString(),
  });
}

/** Inserts `e` in `list` (sorted by order) if it is among the `max` earliest. */
function keepEarliest(list: Example[], e: Example, max: number): void {
  const last = list[list.length - 1];
  if (list.length >= max && last && last.order <= e.order) return;
  let i = list.length;
  // Records mostly arrive in order: the insertion point is at or near the end.
  while (i > 0 && (list[i - 1] as Example).order > e.order) i--;
  list.splice(i, 0, e);
  if (list.length > max) list.pop();
}

function firstDistinct(values: Array<string | undefined>, max: number): string[] {
  const out: string[] = [];
  for (const v of values) if (v && !out.includes(v) && out.length < max) out.push(v);
  return out;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Drops undefined fields so that JSON output and deepEqual comparisons stay clean. */
export function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
