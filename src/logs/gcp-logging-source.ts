/**
 * Cloud Logging `entries.list` (`POST https://logging.googleapis.com/v2/entries:list`) with
 * google-auth-library's Application Default Credentials, paged with pageToken. The time bounds go
 * into the filter, as the API wants them. GENAI_DOCTOR_ENDPOINT points it at a stand-in.
 */
import { adcClient, type GcpClient } from '../gcp/client.js';

export interface LoggingQuery {
  filter: string;
  projects: string[];
  /** ISO timestamps. */
  from: string;
  to?: string;
  limit: number;
  pageSize?: number;
}

interface ListLogEntriesResponse {
  entries?: unknown[];
  nextPageToken?: string;
}

/** The user's filter with the time range added, as the Logging query language writes it. */
export function boundedFilter(q: Pick<LoggingQuery, 'filter' | 'from' | 'to'>): string {
  const parts = [];
  if (q.filter.trim()) parts.push(`(${q.filter.trim()})`);
  parts.push(`timestamp >= "${q.from}"`);
  if (q.to) parts.push(`timestamp <= "${q.to}"`);
  return parts.join(' AND ');
}

export async function* cloudLoggingEntries(q: LoggingQuery, gcp?: GcpClient): AsyncGenerator<unknown[]> {
  const c = gcp ?? (await adcClient());
  let pageToken: string | undefined;
  let seen = 0;
  do {
    const res = await c.request<ListLogEntriesResponse>({
      method: 'POST',
      url: c.url('logging', '/v2/entries:list'),
      body: {
        resourceNames: q.projects.map((p) => `projects/${p}`),
        filter: boundedFilter(q),
        orderBy: 'timestamp asc',
        pageSize: Math.min(q.pageSize ?? 1000, q.limit - seen),
        ...(pageToken ? { pageToken } : {}),
      },
    });
    const entries = res.entries ?? [];
    seen += entries.length;
    yield entries;
    pageToken = res.nextPageToken || undefined;
  } while (pageToken && seen < q.limit);
}
