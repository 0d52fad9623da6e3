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
    return ctx.reply.send(obj.data);
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

export function storageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/storage\/v1\/b\/(?<bucket>[^/]+)\/o\/(?<object>.+)$/,
      handler: getObjectRoute,
    },
  ];
}
