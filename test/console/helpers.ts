/**
 * Shared helpers of the console tests: a console on 127.0.0.1 (port 0) wired to the real engine
 * (and the embedded sandbox where a test needs live checks), plus realistic log exports.
 */
import { readFileSync } from 'node:fs';
import { type RunningConsole, type StartConsoleOptions, startConsole } from '../../src/server/index.js';

export const SEED_ERROR = readFileSync(
  new URL('../../examples/seed-incident-403.txt', import.meta.url),
  'utf8',
);
export const SEED_LINE = SEED_ERROR.split('\n').find((l) => l.includes('ClientError'))!;

export async function consoleFor(options: StartConsoleOptions = {}): Promise<RunningConsole> {
  return startConsole({ host: '127.0.0.1', port: 0, live: 'none', ...options });
}

/** API answers are read loosely in tests: each assertion names the field it checks. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Loose = any;

export interface JsonAnswer<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
}

export async function postJson<T = Loose>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

export async function getJson<T = Loose>(
  url: string,
  headers: Record<string, string> = {},
): Promise<JsonAnswer<T>> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

function throttled(): string {
  return (
    'google.genai.errors.ClientError: 429 RESOURCE_EXHAUSTED. ' +
    "{'error': {'code': 429, 'message': 'Resource exhausted. Please try again later. Please refer to " +
    "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.', 'status': 'RESOURCE_EXHAUSTED'}}"
  );
}

export interface LogExportOptions {
  /** Minutes the failures are spread over. */
  minutes?: number;
  start?: string;
  /** Overrides the Datadog service name (hostile payload tests put markup here). */
  service?: string;
}

/**
 * A log export mixing the two shapes users download: Datadog Logs API v2 events (one per line, as
 * `logs export` / the API return them) and Cloud Logging LogEntry JSON lines from a Cloud Run
 * revision, with INFO noise, permission failures (the seed), a burst of 429s and one broken line.
 */
export function logExport(options: LogExportOptions = {}): {
  text: string;
  failures: number;
  malformedLine: number;
} {
  const minutes = options.minutes ?? 12;
  const start = Date.parse(options.start ?? '2026-01-02T16:00:00Z');
  const service = options.service ?? 'genai-adk-python';
  const lines: string[] = [];
  let failures = 0;
  let malformedLine = 0;
  for (let m = 0; m < minutes; m++) {
    for (let k = 0; k < 6; k++) {
      const at = new Date(start + m * 60_000 + k * 9_000 + 512).toISOString();
      const trace = `${(m * 97 + k * 13 + 4096).toString(16).padStart(8, '0')}c0ffee${k}`;
      if (k === 0) {
        lines.push(
          JSON.stringify({
            id: `AQAAAZ${m}${k}aBcDeFgHiJkL`,
            type: 'log',
            attributes: {
              timestamp: at,
              status: 'info',
              service,
              host: 'localhost',
              message: 'image_generation: request accepted',
              tags: ['env:prod', 'project_id:datadog-ese-sandbox'],
              attributes: { dd: { trace_id: trace } },
            },
          }),
        );
      } else if (k <= 2 || (m >= 8 && m <= 9)) {
        const message =
          k <= 2
            ? `${at} ERROR [${service}] image_generation: Image generation failed\n${SEED_LINE}`
            : throttled();
        failures++;
        lines.push(
          JSON.stringify({
            id: `AQAAAZ${m}${k}mNoPqRsTuV`,
            type: 'log',
            attributes: {
              timestamp: at,
              status: 'error',
              service,
              host: 'localhost',
              message,
              tags: ['env:prod', 'project_id:datadog-ese-sandbox', 'source:python'],
              attributes: {
                dd: { trace_id: trace, span_id: '1234567890' },
                error: { kind: 'ClientError', message: message.slice(0, 200) },
                logger: { name: 'genai-adk-python' },
              },
            },
          }),
        );
      } else {
        const failing = k === 3 && m % 3 === 0;
        if (failing) failures++;
        lines.push(
          JSON.stringify({
            insertId: `6f2a${m}${k}0001`,
            logName: 'projects/datadog-ese-sandbox/logs/run.googleapis.com%2Fstderr',
            resource: {
              type: 'cloud_run_revision',
              labels: {
                service_name: 'genai-adk-python',
                revision_name: 'genai-adk-python-00042-abc',
                location: 'us-central1',
                configuration_name: 'genai-adk-python',
                project_id: 'datadog-ese-sandbox',
              },
            },
            timestamp: at,
            receiveTimestamp: at,
            severity: failing ? 'ERROR' : 'INFO',
            textPayload: failing ? SEED_LINE : 'GET /healthz 200',
            trace: `projects/datadog-ese-sandbox/traces/${trace}`,
            spanId: '000000000000004a',
          }),
        );
      }
      if (m === 5 && k === 5) {
        lines.push('{"attributes": {"status": "error", "message": "truncated');
        malformedLine = lines.length;
      }
    }
  }
  return { text: `${lines.join('\n')}\n`, failures, malformedLine };
}
