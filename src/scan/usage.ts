/**
 * `scan --usage [days]`: which findings' projects really call Gemini, from Cloud Monitoring.
 *
 * The metric is serviceruntime.googleapis.com/api/request_count ("the count of completed
 * requests", DELTA INT64) on the consumed_api monitored resource, which Service Infrastructure
 * writes into the *consumer* project of every call to a Google API, labelled with the API
 * (resource.labels.service), method and credential. It covers both Gemini surfaces with one
 * query: aiplatform.googleapis.com (Vertex AI) and generativelanguage.googleapis.com (Gemini
 * Developer API). aiplatform.googleapis.com/publisher/online_serving/model_invocation_count would
 * count Vertex AI model calls only, and says nothing of the Gemini API keys, so it is not used.
 * Failed calls are completed requests too: "confirmed" means the project calls, not that the calls work.
 *
 * Whom to ask: one timeSeries.list per project a finding is about (the project a will-fail
 * workload calls, a risky account's target, an API key's project), not per Gemini workload, not
 * the whole organization. The report lists findings only, so usage of healthy projects would
 * change nothing printed, and a fleet has far fewer finding projects than projects. A metrics
 * scope (one scoping project over up to 375 monitored projects) would save calls but must be set
 * up first and cannot tell "no calls" from "not in the scope"; per-project queries need only
 * monitoring.timeSeries.list (roles/monitoring.viewer) on the project. Each query is aligned
 * (ALIGN_SUM per day) and reduced (REDUCE_SUM by resource.label.service) server-side: one short
 * series per API comes back. A project the operator may not read is listed under "not settled",
 * never fatal.
 */
import type { GcpClient } from '../gcp/client.js';
import { describeError } from '../gcp/errors.js';
import { listTimeSeries } from '../gcp/monitoring.js';
import { GEMINI_API, VERTEX_API } from './inventory.js';
import type { ScanFinding } from './model.js';

export const USAGE_METRIC = 'serviceruntime.googleapis.com/api/request_count';
export const DEFAULT_USAGE_DAYS = 7;
/** Cloud Monitoring keeps Google Cloud metrics for 6 weeks. */
export const MAX_USAGE_DAYS = 42;
/** A will-fail finding on a project with no calls: still reported (its first call fails), less sure. */
export const IDLE_CONFIDENCE_FACTOR = 0.8;

const DAY_S = 86_400;

/** The project and API whose calls confirm a finding's workload (or key, or account) is in use. */
export function usageTarget(f: ScanFinding): { project: string; service: string } {
  const w = f.workload;
  if (w)
    return w.api === 'gemini'
      ? { project: w.hostProject, service: GEMINI_API }
      : { project: w.targetProject, service: VERTEX_API };
  if (f.class === 'risk.unrestricted_api_key') return { project: f.project, service: GEMINI_API };
  return { project: f.project, service: VERTEX_API };
}

export interface UsageRead {
  /** Project -> API -> requests over the window (an API with no series: absent). */
  requests: Map<string, Record<string, number>>;
  unknowns: string[];
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/** Requests to the Gemini APIs each project consumed over the last `days` days. */
export async function readUsage(
  client: GcpClient,
  projects: string[],
  days: number,
  opts: { now?: Date; concurrency?: number } = {},
): Promise<UsageRead> {
  const end = opts.now ?? new Date();
  const start = new Date(end.getTime() - days * DAY_S * 1000);
  const filter = [
    `metric.type="${USAGE_METRIC}"`,
    'resource.type="consumed_api"',
    `resource.labels.service=one_of("${VERTEX_API}","${GEMINI_API}")`,
  ].join(' AND ');
  const out: UsageRead = { requests: new Map(), unknowns: [] };
  await pool(projects, opts.concurrency ?? 8, async (project) => {
    const counts: Record<string, number> = {};
    try {
      // pages() fetches each page through the shared backoff (429 / 503, RetryInfo honoured).
      for await (const page of listTimeSeries(client, project, {
        filter,
        startTime: start.toISOString(),
        endTime: end.toISOString(),
        alignmentPeriod: `${DAY_S}s`,
        perSeriesAligner: 'ALIGN_SUM',
        crossSeriesReducer: 'REDUCE_SUM',
        groupByFields: ['resource.label.service'],
      })) {
        for (const s of page) {
          const service = s.resource?.labels?.service;
          if (!service) continue;
          const n = (s.points ?? []).reduce((sum, p) => sum + Number(p.value?.int64Value ?? 0), 0);
          counts[service] = (counts[service] ?? 0) + n;
        }
      }
      out.requests.set(project, counts);
    } catch (e) {
      out.unknowns.push(
        `${project}: Cloud Monitoring usage could not be read (${describeError(e)}); its findings are ranked without it`,
      );
    }
  });
  return out;
}

const plural = (n: number) => `${n.toLocaleString('en-US')} request${n === 1 ? '' : 's'}`;

/**
 * Usage evidence on every finding whose project was read; ranking reads it (rank in judge.ts):
 * confirmed callers first. A will-fail finding with no calls stays reported (the first call
 * will fail) with less confidence: the workload may be idle, or not a Gemini caller at all.
 */
export function applyUsage(findings: ScanFinding[], read: UsageRead, days: number): void {
  for (const f of findings) {
    const { project, service } = usageTarget(f);
    const counts = read.requests.get(project);
    if (!counts) continue;
    const n = counts[service] ?? 0;
    const window = `in the last ${days} day${days === 1 ? '' : 's'}`;
    const text = n
      ? `confirmed by Cloud Monitoring: ${plural(n)} to ${service} from ${project} ${window}`
      : `no requests to ${service} seen from ${project} ${window} (Cloud Monitoring)${f.severity === 'will-fail' ? ': still reported, its first call will fail' : ''}`;
    f.usage = { project, days, requests: counts, confirmed: n > 0, text };
    f.evidence.push({
      fact: 'usage',
      value: text,
      note: `${USAGE_METRIC} (consumed_api) for the whole project, every caller in it`,
    });
    if (!n && f.severity === 'will-fail')
      f.confidence = Math.round(f.confidence * IDLE_CONFIDENCE_FACTOR * 100) / 100;
  }
}

/** The projects to ask, once each: those the findings are about. */
export function usageProjects(findings: ScanFinding[]): string[] {
  return [...new Set(findings.map((f) => usageTarget(f).project))].sort();
}
