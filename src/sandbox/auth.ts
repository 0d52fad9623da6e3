/**
 * Who is calling: a bearer token the sandbox issued (token endpoint, metadata server,
 * generateAccessToken), a self-signed service-account JWT (google-auth-library's JWTAccess), or an
 * API key. Failures answer as Google's front end does (401 with ErrorInfo, 403 for scopes).
 */
import type { FastifyRequest } from 'fastify';
import {
  apiKeyNotSupported,
  credentialsMissing,
  invalidCredentials,
  type Rpc,
  scopeInsufficient,
} from './errors.js';
import { decodeJwt, verifyRs256 } from './jwt.js';
import { CLOUD_PLATFORM_SCOPE, type SandboxState, type TokenRecord } from './state.js';

export interface Principal {
  email: string;
  scopes: string[];
  via: TokenRecord['via'];
}

export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

export function apiKeyOf(req: FastifyRequest, query: URLSearchParams): string | undefined {
  const h = req.headers['x-goog-api-key'];
  if (typeof h === 'string' && h !== '') return h;
  return query.get('key') ?? undefined;
}

/** Resolves a bearer token to its principal, or throws the 401 Google sends. */
export function principalFromToken(state: SandboxState, token: string, rpc: Rpc): Principal {
  const record = state.tokens.get(token);
  if (record) {
    if (record.revoked || record.expiresAt <= Date.now())
      throw invalidCredentials(rpc, 'ACCESS_TOKEN_EXPIRED');
    return { email: record.email, scopes: record.scopes, via: record.via };
  }
  // A self-signed JWT (JWTAccess): signed by a service-account key the sandbox issued.
  const jwt = decodeJwt(token);
  if (jwt) {
    const key = typeof jwt.header.kid === 'string' ? state.saKeys.get(jwt.header.kid) : undefined;
    const candidates = key ? [key] : [...state.saKeys.values()].filter((k) => k.email === jwt.payload.iss);
    for (const k of candidates) {
      if (!verifyRs256(jwt, k.publicKey)) continue;
      if (jwt.payload.iss !== k.email) break;
      const exp = Number(jwt.payload.exp);
      if (!Number.isFinite(exp) || exp * 1000 <= Date.now())
        throw invalidCredentials(rpc, 'ACCESS_TOKEN_EXPIRED');
      const scope =
        typeof jwt.payload.scope === 'string' ? jwt.payload.scope.split(' ') : [CLOUD_PLATFORM_SCOPE];
      return { email: k.email, scopes: scope, via: 'self-signed-jwt' };
    }
  }
  throw invalidCredentials(rpc, 'ACCESS_TOKEN_TYPE_UNSUPPORTED');
}

/**
 * The caller of an OAuth-only API (everything but the Gemini Developer API): a bearer token with
 * the cloud-platform scope. An API key alone gets "API keys are not supported by this API".
 */
export function requireOAuth(
  state: SandboxState,
  req: FastifyRequest,
  query: URLSearchParams,
  rpc: Rpc,
  acceptedScopes: string[] = [CLOUD_PLATFORM_SCOPE],
): Principal {
  const token = bearerOf(req);
  if (!token) {
    if (apiKeyOf(req, query)) throw apiKeyNotSupported(rpc);
    throw credentialsMissing(rpc);
  }
  const principal = principalFromToken(state, token, rpc);
  if (!principal.scopes.some((s) => acceptedScopes.includes(s))) throw scopeInsufficient(rpc);
  return principal;
}
