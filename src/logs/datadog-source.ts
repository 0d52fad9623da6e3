/**
 * Datadog Logs search (`POST /api/v2/logs/events/search`) through the official client, page by
 * page with the cursor. Site and keys come from DD_SITE, DD_API_KEY, DD_APP_KEY as with every
 * Datadog tool; `url` points the client at another server through its own server settings
 * (server index 1 is `{protocol}://{name}`), which is how the tests reach the local stand-in.
 */
import { client, v2 } from '@datadog/datadog-api-client';

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

/** A client configuration honouring DD_* and an optional explicit API base URL. */
export function datadogConfiguration(url?: string): client.Configuration {
  if (!url) return client.createConfiguration();
  const u = new URL(url);
  const configuration = client.createConfiguration({ serverIndex: 1 });
  configuration.setServerVariables({ protocol: u.protocol.replace(/:$/, ''), name: u.host });
  return configuration;
}

export async function* datadogLogs(search: DatadogSearch): AsyncGenerator<v2.Log[]> {
  const api = new v2.LogsApi(datadogConfiguration(search.url));
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
