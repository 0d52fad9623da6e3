/**
 * Cloud Storage JSON API v1: read one object, whole (`alt=media`) or as a stream of byte ranges.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/get; "All downloads from Cloud
 * Storage have the same basic behavior: an HTTP or HTTPS GET request that can include an optional
 * Range header, which defines a specific portion of the object to download"
 * (https://cloud.google.com/storage/docs/downloads).
 */
import { withBackoff } from './backoff.js';
import type { GcpClient } from './client.js';

export function parseGcsUri(uri: string): { bucket: string; object: string } | undefined {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])\/(.+)$/.exec(uri);
  return m ? { bucket: m[1] as string, object: m[2] as string } : undefined;
}

function objectUrl(client: GcpClient, uri: string): string {
  const where = parseGcsUri(uri);
  if (!where) throw new Error(`not a Cloud Storage object URI: ${uri} (want gs://bucket/object)`);
  return client.url(
    'storage',
    `/storage/v1/b/${encodeURIComponent(where.bucket)}/o/${encodeURIComponent(where.object)}`,
  );
}

export async function readGcsObject(client: GcpClient, uri: string): Promise<string> {
  const url = objectUrl(client, uri);
  const body = await withBackoff(() =>
    client.request<unknown>({ url, params: { alt: 'media' }, headers: { accept: '*/*' } }),
  );
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** 1 MiB ranges: few calls for a big object, and a bounded amount of it in memory at a time. */
export const RANGE_BYTES = 1024 * 1024;

/**
 * The object's text, range by range (its size from the object's metadata, then `Range: bytes=a-b`
 * GETs), decoded as UTF-8 across range boundaries: a large object is never held whole.
 */
export async function* streamGcsObject(
  client: GcpClient,
  uri: string,
  rangeBytes = RANGE_BYTES,
): AsyncGenerator<string> {
  const url = objectUrl(client, uri);
  const meta = await withBackoff(() => client.request<{ size?: string }>({ url }));
  const size = Number(meta.size ?? 0);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let start = 0; start < size; start += rangeBytes) {
    const end = Math.min(size, start + rangeBytes) - 1;
    const bytes = await withBackoff(() =>
      client.request<ArrayBuffer>({
        url,
        params: { alt: 'media' },
        headers: { accept: '*/*', range: `bytes=${start}-${end}` },
        responseType: 'arraybuffer',
      }),
    );
    yield decoder.decode(new Uint8Array(bytes), { stream: end < size - 1 });
  }
}
