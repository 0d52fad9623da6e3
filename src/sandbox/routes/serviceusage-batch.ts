/**
 * Service Usage v1 services.batchGet (`/v1/projects/{p}/services:batchGet?names=...`): up to 30
 * services of one project in one call, each named `projects/{p}/services/{service}` under the
 * request's parent. Needs serviceusage.services.get on the project.
 */
import { GoogleApiError, invalidArgument } from '../errors.js';
import type { RequestContext, Route } from '../router.js';
import { SEG } from '../router.js';
import { authorize } from './guard.js';
import { serviceJson } from './serviceusage.js';

const rpc = {
  service: 'serviceusage.googleapis.com',
  method: 'google.api.serviceusage.v1.ServiceUsage.BatchGetServices',
};
const MAX_NAMES = 30;

function batchGet(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc, 'serviceusage.services.get');
  const parent = ctx.params.project as string;
  const names = ctx.query.getAll('names');
  if (names.length === 0) throw invalidArgument('names must not be empty.');
  if (names.length > MAX_NAMES)
    throw invalidArgument(`At most ${MAX_NAMES} services may be requested at once.`);
  const services = names.map((n) => {
    const m = new RegExp(`^projects/(${SEG})/services/(${SEG})$`).exec(n);
    if (!m || (m[1] !== parent && m[1] !== project.projectId && m[1] !== project.projectNumber)) {
      throw invalidArgument(`Service name ${n} does not belong to the parent projects/${parent}.`);
    }
    const service = m[2] as string;
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com$/.test(service)) {
      throw new GoogleApiError(
        403,
        'PERMISSION_DENIED',
        `Not found or permission denied for service(s): ${service}.`,
      );
    }
    return serviceJson(project, service);
  });
  return { services };
}

export function serviceUsageBatchRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: new RegExp(`^/v1/projects/(?<project>${SEG})/services:batchGet$`),
      handler: batchGet,
    },
  ];
}
