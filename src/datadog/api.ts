/**
 * The two Datadog APIs genai-doctor calls, over fetch: Logs search (v2) and Monitors (v1). The
 * official client installs 133 MB and its root import loads every v1 and v2 model (seconds of
 * CPU); these calls need a base URL, two key headers and JSON in Datadog's documented shapes.
 * Site and keys follow every Datadog tool: DD_SITE (default datadoghq.com), DD_API_KEY, DD_APP_KEY.
 */
import type { DatadogMonitor } from '../monitors/definitions.js';

/** A failed call, with the HTTP status and Datadog's error body (`{"errors": [...]}`). */
export class DatadogApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`Datadog API answered HTTP ${code}`);
    this.name = 'DatadogApiError';
  }
}

/** A log event as `POST /api/v2/logs/events/search` returns it. */
export interface DatadogLogEvent {
  id?: string;
  type?: string;
  attributes?: Record<string, unknown>;
}

export interface DatadogLogsSearchBody {
  filter: { query: string; from: string; to: string; indexes?: string[] };
  sort?: 'timestamp' | '-timestamp';
  page: { limit: number; cursor?: string };
}

export interface DatadogLogsPage {
  data?: DatadogLogEvent[];
  meta?: { page?: { after?: string } };
}

/** A monitor as the v1 API returns it: what we write plus the server's fields. */
export type DatadogMonitorRecord = Partial<DatadogMonitor> & { id?: number } & Record<string, unknown>;

const TIMEOUT_MS = 60_000;

export class DatadogApi {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  /** `url`: any Datadog-compatible API base URL (the sandbox's stand-in); else from DD_SITE. */
  constructor(url?: string, env: NodeJS.ProcessEnv = process.env) {
    this.baseUrl = (url ?? `https://api.${env.DD_SITE || 'datadoghq.com'}`).replace(/\/+$/, '');
    this.headers = { accept: 'application/json', 'content-type': 'application/json' };
    if (env.DD_API_KEY) this.headers['DD-API-KEY'] = env.DD_API_KEY;
    if (env.DD_APP_KEY) this.headers['DD-APPLICATION-KEY'] = env.DD_APP_KEY;
  }

  searchLogs(body: DatadogLogsSearchBody): Promise<DatadogLogsPage> {
    return this.call('POST', '/api/v2/logs/events/search', body);
  }

  listMonitors(query: {
    monitorTags: string;
    page: number;
    pageSize: number;
  }): Promise<DatadogMonitorRecord[]> {
    const q = new URLSearchParams({
      monitor_tags: query.monitorTags,
      page: String(query.page),
      page_size: String(query.pageSize),
    });
    return this.call('GET', `/api/v1/monitor?${q}`);
  }

  createMonitor(monitor: DatadogMonitor): Promise<DatadogMonitorRecord> {
    return this.call('POST', '/api/v1/monitor', monitor);
  }

  updateMonitor(id: number, monitor: DatadogMonitor): Promise<DatadogMonitorRecord> {
    return this.call('PUT', `/api/v1/monitor/${encodeURIComponent(String(id))}`, monitor);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: this.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML page): kept as text for the error message.
    }
    if (!res.ok) throw new DatadogApiError(res.status, json);
    return json as T;
  }
}
