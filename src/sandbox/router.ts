/**
 * Path routing for Google's REST paths. Google's custom methods (`/v1/projects/p:getIamPolicy`)
 * and resource names with slashes and `@` do not fit a parametric router well, so each API module
 * lists its routes as regular expressions and one fastify catch-all dispatches them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxState } from './state.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface RequestContext {
  state: SandboxState;
  req: FastifyRequest;
  reply: FastifyReply;
  /** Path parameters: the regex's named groups, URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The sandbox's own base URL (`http://127.0.0.1:PORT`). */
  baseUrl: string;
}

export interface Route {
  method: HttpMethod | HttpMethod[];
  /** Matched against the path without the query string; named groups become params. */
  path: RegExp;
  handler: (ctx: RequestContext) => unknown | Promise<unknown>;
}

/** A segment of a resource name (no `/`, no `:`). */
export const SEG = '[^/:]+';

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.path.exec(path);
    if (!m) continue;
    pathMatched = true;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes(method as HttpMethod)) continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {}))
      if (v !== undefined) params[k] = decodeURIComponent(v);
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}
