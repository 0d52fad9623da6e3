/**
 * Cloud Storage JSON API v1, objects.get only (`/storage/v1/b/{bucket}/o/{object}`, `alt=media`
 * for the content): enough to read what a long-running Cloud Asset analysis wrote. The caller
 * needs storage.objects.get through the bucket's project or the bucket's own policy.
 */
import { GoogleApiError, notFound } from '../errors.js';
import type { RequestContext, Route } from '../router.js';
import { getObject } from '../storage-objects.js';
import { caller } from './guard.js';

const GCS = { service: 'storage.googleapis.com', method: 'storage.objects.get' };

function getObjectRoute(ctx: RequestContext) {
  const who = caller(ctx, GCS);
  const bucketName = ctx.params.bucket as string;
  const name = ctx.params.object as string;
  const bucket = ctx.state.buckets.get(bucketName);
  if (!bucket) throw notFound('The specified bucket does not exist.');
  if (!ctx.state.checkPermission(who.email, 'storage.objects.get', bucket.project, bucket).granted) {
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      `${who.email} does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).`,
    );
  }
  const obj = getObject(ctx.state, bucketName, name);
  if (!obj) throw notFound(`No such object: ${bucketName}/${name}`);
  if (ctx.query.get('alt') === 'media') {
    ctx.reply.type('application/octet-stream');
    const bytes = Buffer.from(obj.data);
    const range = rangeOf(ctx.req.headers.range, bytes.length);
    if (!range) return ctx.reply.send(bytes);
    // A byte range of the content, as any Cloud Storage download may ask for
    // (https://cloud.google.com/storage/docs/downloads): 206 with Content-Range.
    ctx.reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${bytes.length}`);
    return ctx.reply.send(bytes.subarray(range.start, range.end + 1));
  }
  return {
    kind: 'storage#object',
    id: `${bucketName}/${name}/${obj.generation}`,
    name,
    bucket: bucketName,
    generation: obj.generation,
    contentType: 'application/json',
    size: String(Buffer.byteLength(obj.data)),
    updated: obj.updated,
  };
}

/** `bytes=a-b` / `bytes=a-` -> an inclusive range; a start past the end is 416, like Cloud Storage. */
function rangeOf(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header ?? '');
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Math.min(size - 1, m[2] ? Number(m[2]) : size - 1);
  if (start >= size || end < start)
    throw new GoogleApiError(416, 'OUT_OF_RANGE', 'Request range not satisfiable');
  return { start, end };
}

export function storageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/storage\/v1\/b\/(?<bucket>[^/]+)\/o\/(?<object>.+)$/,
      handler: getObjectRoute,
    },
  ];
}
