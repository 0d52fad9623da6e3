/**
 * Log fixtures written in the shapes the services really produce, generated per test run (nothing
 * is pasted from the corpus): Datadog Logs API v2 pages, the JSON a Datadog-instrumented Python
 * service writes, Cloud Logging LogEntry lines and Cloud Audit Log entries.
 */
import { Readable } from 'node:stream';
import type { LogRecord } from '../../src/core/incidents/model.js';
import { readFailures } from '../../src/logs/read.js';
import { ERROR_TEMPLATES, LogGenerator, SEED, seedVars } from '../../src/logs/synthetic.js';

export { ERROR_TEMPLATES, LogGenerator, SEED, seedVars };

export const SEED_TIME = Date.parse(SEED.timestamp);

/** A Logs API v2 search response page, as POST /api/v2/logs/events/search returns it. */
export function datadogPage(events: object[], after?: string): object {
  return {
    data: events,
    links: after ? { next: `https://api.datadoghq.com/api/v2/logs/events?page[cursor]=${after}` } : {},
    meta: { elapsed: 132, page: after ? { after } : undefined, request_id: 'pddv1ChZqVkJ2', status: 'done' },
  };
}

/** The seed incident: n Datadog events of the 403 a few seconds apart, plus audit entries. */
export function seedIncident(n = 6, audits = 2): { events: object[]; audits: object[] } {
  const g = new LogGenerator({ seed: 5 });
  const events = Array.from({ length: n }, (_, i) =>
    g.seedEvent(SEED_TIME + i * 15_000, i === 0 ? SEED.traceId : undefined),
  );
  return { events, audits: Array.from({ length: audits }, (_, i) => g.seedAudit(SEED_TIME + i * 20_000)) };
}

/** Chunks of a buffer, `size` bytes each: readers must not care where chunks end. */
export function chunked(buf: Buffer, size: number): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

export async function readAll(buf: Buffer, chunkSize = 1 << 20) {
  const failures: LogRecord[] = [];
  const result = await readFailures(chunked(buf, chunkSize), { failure: (r) => failures.push(r) });
  return { failures, result };
}
