/**
 * API Keys API v2: keys.list (`/v2/projects/{p}/locations/global/keys`), in Google's Key shape:
 * restrictions as apiTargets and browserKeyRestrictions; the key string itself is never listed
 * (Google serves it only through getKeyString). Needs apikeys.keys.list on the project.
 */
import { invalidArgument } from '../errors.js';
import type { RequestContext, Route } from '../router.js';
import { SEG } from '../router.js';
import { apiKeyJson } from './asset.js';
import { authorize } from './guard.js';

const rpc = (method: string) => ({
  service: 'apikeys.googleapis.com',
  method: `google.api.apikeys.v2.ApiKeys.${method}`,
});

function listKeys(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc('ListKeys'), 'apikeys.keys.list');
  if (ctx.params.location !== 'global')
    throw invalidArgument(`Location ${ctx.params.location} is not supported; use global.`);
  const showDeleted = ctx.query.get('showDeleted') === 'true';
  const keys = (ctx.state.scenario.apiKeys ?? [])
    .filter((k) => k.project === project.projectId || k.project === project.projectNumber)
    .filter((k) => showDeleted || k.state !== 'DELETED')
    .map((k) => apiKeyJson(k, project));
  const size = Math.min(Math.max(Number(ctx.query.get('pageSize') ?? 300) || 300, 1), 300);
  const offset =
    Number(
      ctx.query.get('pageToken')
        ? Buffer.from(ctx.query.get('pageToken') as string, 'base64url').toString()
        : 0,
    ) || 0;
  const page = keys.slice(offset, offset + size);
  const next =
    offset + size < keys.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  return { ...(page.length ? { keys: page } : {}), ...(next ? { nextPageToken: next } : {}) };
}

export function apiKeysRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: new RegExp(`^/v2/projects/(?<project>${SEG})/locations/(?<location>${SEG})/keys$`),
      handler: listKeys,
    },
  ];
}
