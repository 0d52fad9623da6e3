/**
 * Cloud Monitoring API v3 projects.timeSeries.list
 * (GET https://monitoring.googleapis.com/v3/{name=projects/*}/timeSeries; REST reference
 * cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list): the time series of one
 * metric in one project, aligned and reduced server-side, page after page.
 */
import type { GcpClient } from './client.js';
import { pages } from './pages.js';

export interface TimeSeriesQuery {
  /** A monitoring filter naming one metric type, e.g. `metric.type="..." AND resource.type="..."`. */
  filter: string;
  startTime: string;
  endTime: string;
  /** e.g. `86400s`; required with an aligner other than ALIGN_NONE. */
  alignmentPeriod?: string;
  perSeriesAligner?: 'ALIGN_SUM' | 'ALIGN_DELTA' | 'ALIGN_NONE';
  crossSeriesReducer?: 'REDUCE_SUM' | 'REDUCE_NONE';
  groupByFields?: string[];
}

export interface TimeSeries {
  metric?: { type?: string; labels?: Record<string, string> };
  resource?: { type?: string; labels?: Record<string, string> };
  metricKind?: string;
  valueType?: string;
  points?: Array<{
    interval?: { startTime?: string; endTime?: string };
    /** int64Value is a JSON string (proto3 JSON for int64). */
    value?: { int64Value?: string; doubleValue?: number };
  }>;
}

export function listTimeSeries(
  client: GcpClient,
  project: string,
  q: TimeSeriesQuery,
): AsyncGenerator<TimeSeries[]> {
  return pages(async (pageToken) => {
    // Repeated query parameters (aggregation.groupByFields) do not fit ApiRequest.params.
    const url = new URL(client.url('monitoring', `/v3/projects/${encodeURIComponent(project)}/timeSeries`));
    const set = (k: string, v: string | undefined) => {
      if (v !== undefined) url.searchParams.set(k, v);
    };
    set('filter', q.filter);
    set('interval.startTime', q.startTime);
    set('interval.endTime', q.endTime);
    set('aggregation.alignmentPeriod', q.alignmentPeriod);
    set('aggregation.perSeriesAligner', q.perSeriesAligner);
    set('aggregation.crossSeriesReducer', q.crossSeriesReducer);
    for (const f of q.groupByFields ?? []) url.searchParams.append('aggregation.groupByFields', f);
    set('pageToken', pageToken);
    const res = await client.request<{ timeSeries?: TimeSeries[]; nextPageToken?: string }>({
      url: url.toString(),
    });
    return { items: res.timeSeries, nextPageToken: res.nextPageToken };
  });
}
