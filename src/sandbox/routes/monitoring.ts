/**
 * Cloud Monitoring API v3 projects.timeSeries.list (`GET /v3/projects/{p}/timeSeries`), for the one
 * metric `scan --usage` reads: serviceruntime.googleapis.com/api/request_count on the consumed_api
 * monitored resource (labels project_id, service, method, version, location, credential_id; metric
 * labels protocol, response_code, response_code_class, grpc_status_code), as the scenario's
 * `apiUsage` seeds it: one DELTA INT64 point per day. Query parameters as the REST reference names
 * them (filter, interval.startTime, interval.endTime, aggregation.alignmentPeriod,
 * aggregation.perSeriesAligner, aggregation.crossSeriesReducer, aggregation.groupByFields,
 * pageSize, pageToken); the response is ListTimeSeriesResponse {timeSeries[], nextPageToken}, int64
 * values as JSON strings (proto3 JSON), points newest first.
 *
 * Refusals, as Google words them: a caller without monitoring.timeSeries.list (or a project that
 * does not exist) gets 403 PERMISSION_DENIED "Permission monitoring.timeSeries.list denied (or the
 * resource may not exist)." with no details; a filter that does not parse, 400 INVALID_ARGUMENT
 * "Field filter had an invalid value of ..."; a metric type Monitoring does not know, 404 NOT_FOUND
 * "Cannot find metric(s) that match type = ...". (Error bodies as reported by Monitoring users in
 * dynatrace-oss/dynatrace-gcp-monitor#25 and googleapis/google-cloud-python#9903.)
 */
import { GoogleApiError, invalidArgument } from '../errors.js';
import type { RequestContext, Route } from '../router.js';
import { SEG } from '../router.js';
import { caller } from './guard.js';

const rpc = {
  service: 'monitoring.googleapis.com',
  method: 'google.monitoring.v3.MetricService.ListTimeSeries',
};
export const REQUEST_COUNT = 'serviceruntime.googleapis.com/api/request_count';
const DAY_MS = 86_400_000;
const PAGE_MAX = 100_000;

/** One `field = "v"` or `field = one_of("a", "b")` restriction of a monitoring filter. */
interface Term {
  field: string;
  values: string[];
}

const STRING = '"((?:[^"\\\\]|\\\\.)*)"';
const TERM = new RegExp(
  `^\\s*([a-z_]+(?:\\.[a-zA-Z_]+)*)\\s*=\\s*(?:${STRING}|one_of\\(\\s*(${STRING}(?:\\s*,\\s*${STRING})*)\\s*\\))\\s*$`,
);

/** The AND-joined restrictions of a filter (the subset scan sends), or why it does not parse. */
export function parseFilter(filter: string): Term[] | string {
  const terms: Term[] = [];
  for (const part of filter.split(/\s+AND\s+/)) {
    const m = TERM.exec(part);
    if (!m) return `could not parse the restriction '${part.trim()}'`;
    const field = (m[1] as string).replace(/^(resource|metric)\.labels\./, '$1.label.');
    const values =
      m[2] !== undefined
        ? [m[2]]
        : [...(m[3] as string).matchAll(new RegExp(STRING, 'g'))].map((x) => x[1] as string);
    terms.push({ field, values });
  }
  return terms;
}

function badFilter(filter: string, why: string): GoogleApiError {
  return invalidArgument(`Field filter had an invalid value of "${filter}": ${why}.`);
}

function timestamp(ctx: RequestContext, name: 'startTime' | 'endTime'): number | undefined {
  const raw = ctx.query.get(`interval.${name}`);
  if (raw === null) return undefined;
  const t = Date.parse(raw);
  if (!/^\d{4}-\d\d-\d\dT/.test(raw) || Number.isNaN(t)) {
    const field = name === 'startTime' ? 'start_time' : 'end_time';
    throw invalidArgument(
      `Invalid value at 'interval.${field}' (type.googleapis.com/google.protobuf.Timestamp), "${raw}"`,
    );
  }
  return t;
}

interface Series {
  resource: Record<string, string>;
  metric: Record<string, string>;
  /** [endMs, value], one per day. */
  points: Array<[number, number]>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function listTimeSeries(ctx: RequestContext) {
  const idOrNumber = ctx.params.project as string;
  const who = caller(ctx, rpc);
  const project = ctx.state.project(idOrNumber);
  const denied = new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    'Permission monitoring.timeSeries.list denied (or the resource may not exist).',
  );
  if (project?.lifecycleState !== 'ACTIVE') throw denied;
  if (!ctx.state.checkPermission(who.email, 'monitoring.timeSeries.list', project).granted) throw denied;

  const filter = ctx.query.get('filter') ?? '';
  if (!filter.trim()) throw badFilter(filter, 'a filter must name a metric type');
  const terms = parseFilter(filter);
  if (typeof terms === 'string') throw badFilter(filter, terms);
  const metricType = terms.find((t) => t.field === 'metric.type');
  if (metricType?.values.length !== 1) throw badFilter(filter, 'a filter must name exactly one metric type');
  if (metricType.values[0] !== REQUEST_COUNT)
    throw new GoogleApiError(
      404,
      'NOT_FOUND',
      `Cannot find metric(s) that match type = "${metricType.values[0]}".`,
    );
  const end = timestamp(ctx, 'endTime');
  if (end === undefined) throw invalidArgument('Field interval.endTime must be set.');
  const start = timestamp(ctx, 'startTime') ?? end;
  if (start > end) throw invalidArgument('The start time must be before the end time.');

  const aligner = ctx.query.get('aggregation.perSeriesAligner') ?? 'ALIGN_NONE';
  const reducer = ctx.query.get('aggregation.crossSeriesReducer') ?? 'REDUCE_NONE';
  const periodRaw = ctx.query.get('aggregation.alignmentPeriod');
  if (!['ALIGN_NONE', 'ALIGN_SUM', 'ALIGN_DELTA'].includes(aligner))
    throw invalidArgument(`The sandbox does not serve aggregation.perSeriesAligner ${aligner}.`);
  if (!['REDUCE_NONE', 'REDUCE_SUM'].includes(reducer))
    throw invalidArgument(`The sandbox does not serve aggregation.crossSeriesReducer ${reducer}.`);
  let periodMs = 0;
  if (aligner !== 'ALIGN_NONE') {
    const m = /^(\d+)s$/.exec(periodRaw ?? '');
    // The reference: required with an aligner other than ALIGN_NONE, and at least 60 seconds.
    if (!m) throw invalidArgument('The alignment period must be set when an aligner is specified.');
    periodMs = Number(m[1]) * 1000;
    if (periodMs < 60_000) throw invalidArgument('The alignment period must be at least 60 seconds.');
  }
  if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE')
    throw invalidArgument('A cross-series reducer needs a per-series aligner other than ALIGN_NONE.');

  // The seeded traffic: one series per (project, API), one point per day ending at midnight UTC.
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const raw: Series[] = (ctx.state.scenario.apiUsage ?? [])
    .filter((u) => u.project === project.projectId || u.project === project.projectNumber)
    .map((u) => ({
      resource: {
        project_id: project.projectId,
        service: u.service,
        method:
          u.service === 'generativelanguage.googleapis.com'
            ? 'google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent'
            : 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
        version: 'v1',
        location: 'global',
        credential_id: '',
      },
      metric: { protocol: 'http', response_code: '200', response_code_class: '2xx', grpc_status_code: '0' },
      points: Array.from({ length: u.days ?? 30 }, (_, d): [number, number] => [
        today - d * DAY_MS,
        u.perDay,
      ]),
    }));
  const matches = (s: Series) =>
    terms.every((t) => {
      if (t.field === 'metric.type') return true;
      if (t.field === 'resource.type') return t.values.includes('consumed_api');
      const [scope, , label] = t.field.split('.');
      const v = (scope === 'resource' ? s.resource : s.metric)[label ?? ''];
      return v !== undefined && t.values.includes(v);
    });
  const inWindow = (s: Series): Series => ({
    ...s,
    points: s.points.filter(([t]) => t > start && t <= end),
  });
  let series = raw
    .filter(matches)
    .map(inWindow)
    .filter((s) => s.points.length > 0);

  if (aligner !== 'ALIGN_NONE') {
    // Buckets of alignmentPeriod ending at endTime; each point counts in the bucket holding its end.
    series = series.map((s) => {
      const buckets = new Map<number, number>();
      for (const [t, v] of s.points) {
        const k = end - Math.floor((end - t) / periodMs) * periodMs;
        buckets.set(k, (buckets.get(k) ?? 0) + v);
      }
      return { ...s, points: [...buckets] };
    });
  }
  if (reducer === 'REDUCE_SUM') {
    const groupBy = ctx.query
      .getAll('aggregation.groupByFields')
      .map((f) => f.replace(/\.labels\./, '.label.'));
    const groups = new Map<string, Series>();
    for (const s of series) {
      const resource: Record<string, string> = {};
      const metric: Record<string, string> = {};
      for (const f of groupBy) {
        const [scope, , label] = f.split('.');
        if (!label) continue;
        if (scope === 'resource' && s.resource[label] !== undefined) resource[label] = s.resource[label];
        if (scope === 'metric' && s.metric[label] !== undefined) metric[label] = s.metric[label];
      }
      const key = JSON.stringify([resource, metric]);
      const g = groups.get(key) ?? { resource, metric, points: [] };
      for (const [t, v] of s.points) {
        const at = g.points.find((p) => p[0] === t);
        if (at) at[1] += v;
        else g.points.push([t, v]);
      }
      groups.set(key, g);
    }
    series = [...groups.values()];
  }

  const size = Math.min(Math.max(Number(ctx.query.get('pageSize') ?? PAGE_MAX) || PAGE_MAX, 1), PAGE_MAX);
  const token = ctx.query.get('pageToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString()) || 0 : 0;
  const page = series.slice(offset, offset + size);
  const next =
    offset + size < series.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  const step = periodMs || DAY_MS;
  return {
    ...(page.length
      ? {
          timeSeries: page.map((s) => ({
            metric: { type: REQUEST_COUNT, ...(Object.keys(s.metric).length ? { labels: s.metric } : {}) },
            resource: { type: 'consumed_api', labels: s.resource },
            metricKind: 'DELTA',
            valueType: 'INT64',
            points: [...s.points]
              .sort((a, b) => b[0] - a[0])
              .map(([t, v]) => ({
                interval: { startTime: iso(Math.max(start, t - step)), endTime: iso(t) },
                value: { int64Value: String(v) },
              })),
          })),
        }
      : {}),
    ...(next ? { nextPageToken: next } : {}),
  };
}

export function monitoringRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: new RegExp(`^/v3/projects/(?<project>${SEG})/timeSeries$`),
      handler: listTimeSeries,
    },
  ];
}
