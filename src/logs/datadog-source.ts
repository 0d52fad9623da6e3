/**
 * Datadog Logs search (`POST /api/v2/logs/events/search`), page by page with the cursor. Site and
 * keys come from DD_SITE, DD_API_KEY, DD_APP_KEY as with every Datadog tool; `url` points at
 * another Datadog-compatible server, which is how the tests reach the local stand-in.
 */
import { DatadogApi, type DatadogLogEvent } from '../datadog/api.js';

export interface DatadogSearch {
  query: string;
  from: string;
  to: string;
  /** Stop after this many records. */
  limit: number;
  pageSize?: number;
  /** e.g. http://127.0.0.1:8126: any Datadog-compatible API base URL. */
  url?: string;
}

export async function* datadogLogs(search: DatadogSearch): AsyncGenerator<DatadogLogEvent[]> {
  const api = new DatadogApi(search.url);
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await api.searchLogs({
      filter: { query: search.query, from: search.from, to: search.to, indexes: ['*'] },
      sort: 'timestamp',
      page: { limit: Math.min(search.pageSize ?? 1000, search.limit - seen), ...(cursor ? { cursor } : {}) },
    });
    const data = page.data ?? [];
    seen += data.length;
    yield data;
    cursor = page.meta?.page?.after;
  } while (cursor && seen < search.limit);
}
