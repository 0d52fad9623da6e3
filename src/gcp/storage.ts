/** Cloud Storage JSON API v1: read one object's content (`alt=media`). */
import { withBackoff } from './backoff.js';
import type { GcpClient } from './client.js';

export function parseGcsUri(uri: string): { bucket: string; object: string } | undefined {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])\/(.+)$/.exec(uri);
  return m ? { bucket: m[1] as string, object: m[2] as string } : undefined;
}

export async function readGcsObject(client: GcpClient, uri: string): Promise<string> {
  const where = parseGcsUri(uri);
  if (!where) throw new Error(`not a Cloud Storage object URI: ${uri} (want gs://bucket/object)`);
  const url = client.url(
    'storage',
    `/storage/v1/b/${encodeURIComponent(where.bucket)}/o/${encodeURIComponent(where.object)}`,
  );
  const body = await withBackoff(() =>
    client.request<unknown>({ url, params: { alt: 'media' }, headers: { accept: '*/*' } }),
  );
  return typeof body === 'string' ? body : JSON.stringify(body);
}
