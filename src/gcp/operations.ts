/** Long-running operations (Service Usage, Cloud Run): poll until done, surface the error. */
import { withBackoff } from './backoff.js';
import type { GcpClient } from './client.js';
import { GoogleApiError } from './errors.js';

export interface Operation<T = unknown> {
  name: string;
  done?: boolean;
  response?: T;
  error?: { code?: number; message?: string; status?: string; details?: unknown[] };
  metadata?: unknown;
}

// google.rpc.Code -> HTTP status, as Google maps them (https://google.aip.dev/193).
const HTTP_OF_RPC_CODE: Record<number, number> = {
  3: 400,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  16: 401,
};

export async function waitOperation<T>(
  client: GcpClient,
  base: string,
  op: Operation<T>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Operation<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  let current = op;
  let interval = opts.intervalMs ?? 250;
  while (!current.done) {
    if (Date.now() > deadline) throw new Error(`operation ${op.name} did not finish in time`);
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, 5_000);
    // `base` carries the API version: Service Usage names are `operations/x` under /v1, Cloud
    // Run's `projects/p/locations/l/operations/x` under /v2.
    // A poll is a read: one refused for load (429 / 503) is retried with backoff, not fatal.
    const name = current.name;
    current = await withBackoff(() => client.request<Operation<T>>({ url: `${base}/${name}` }));
  }
  if (current.error) {
    throw new GoogleApiError(
      HTTP_OF_RPC_CODE[current.error.code ?? 2] ?? 500,
      current.error.status,
      undefined,
      current.error.message ?? 'operation failed',
      JSON.stringify({ error: current.error }),
      'GET',
      `${base}/${current.name}`,
    );
  }
  return current;
}
