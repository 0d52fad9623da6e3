/**
 * Datadog Logs search (`POST /api/v2/logs/events/search`) through the official client, page by
 * page with the cursor. Site and keys come from DD_SITE, DD_API_KEY, DD_APP_KEY as with every
 * Datadog tool; `url` points the client at another server through its own server settings
 * (server index 1 is `{protocol}://{name}`), which is how the tests reach the local stand-in.
 */
// Deep imports on purpose: the package root loads every v1 and v2 model (about 2 s of CPU);
// the Logs API alone is what this command needs.
import { LogsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/LogsApi.js';
import type { Log } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/Log.js';
import { datadogConfiguration } from './datadog-config.js';

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

export async function* datadogLogs(search: DatadogSearch): AsyncGenerator<Log[]> {
  const api = new LogsApi(datadogConfiguration(search.url));
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await api.listLogs({
      body: {
        filter: { query: search.query, from: search.from, to: search.to, indexes: ['*'] },
        sort: 'timestamp',
        page: { limit: Math.min(search.pageSize ?? 1000, search.limit - seen), cursor },
      },
    });
    const data = page.data ?? [];
    seen += data.length;
    yield data;
    cursor = page.meta?.page?.after;
  } while (cursor && seen < search.limit);
}
