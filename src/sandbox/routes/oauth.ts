/**
 * oauth2.googleapis.com: `POST /token` (JWT-bearer grant signed by a service-account key the
 * sandbox issued — the RS256 signature is verified — and the refresh_token grant of an
 * authorized_user ADC) and `/tokeninfo` (what google-auth-library's getTokenInfo reads).
 * OAuth errors use the OAuth shape `{"error","error_description"}`, not Google's RPC shape.
 */
import type { FastifyReply } from 'fastify';
import { principalFromToken } from '../auth.js';
import { GoogleApiError } from '../errors.js';
import { decodeJwt, signJwt, verifyRs256 } from '../jwt.js';
import type { RequestContext, Route } from '../router.js';
import { uniqueIdFor } from '../state.js';

const GOOGLE_TOKEN_AUD = 'https://oauth2.googleapis.com/token';

function oauthError(reply: FastifyReply, code: number, error: string, description: string) {
  return reply.code(code).send({ error, error_description: description });
}

export function oauthRoutes(signing: { keyPem: string; keyId: string }): Route[] {
  return [
    { method: 'POST', path: /^\/token$/, handler: (ctx) => token(ctx, signing) },
    { method: ['GET', 'POST'], path: /^\/(?:oauth2\/v3\/)?tokeninfo$/, handler: tokenInfo },
    { method: 'POST', path: /^\/revoke$/, handler: revoke },
  ];
}

function field(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.body[name] ?? ctx.query.get(name);
  return typeof v === 'string' ? v : undefined;
}

function token(ctx: RequestContext, signing: { keyPem: string; keyId: string }) {
  const { state, reply } = ctx;
  const grant = field(ctx, 'grant_type');
  if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    const assertion = field(ctx, 'assertion') ?? '';
    const jwt = decodeJwt(assertion);
    if (!jwt) return oauthError(reply, 400, 'invalid_grant', 'Invalid JWT: the assertion is not a JWS.');
    const iss = String(jwt.payload.iss ?? '');
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    const keys = [...state.saKeys.entries()].filter(([id, k]) => k.email === iss && (!kid || id === kid));
    if (keys.length === 0) return oauthError(reply, 400, 'invalid_grant', 'Invalid grant: account not found');
    if (!keys.some(([, k]) => verifyRs256(jwt, k.publicKey))) {
      return oauthError(reply, 400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = Number(jwt.payload.exp);
    const iat = Number(jwt.payload.iat);
    if (!Number.isFinite(exp) || !Number.isFinite(iat) || exp < now || exp - iat > 3600 || iat > now + 300) {
      return oauthError(
        reply,
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const aud = String(jwt.payload.aud ?? '');
    if (aud !== GOOGLE_TOKEN_AUD && aud !== `${ctx.baseUrl}/token`) {
      return oauthError(reply, 400, 'invalid_grant', 'Invalid JWT: aud is not the token endpoint.');
    }
    const sa = state.serviceAccount(iss);
    if (sa?.disabled) return oauthError(reply, 400, 'invalid_grant', 'Invalid grant: account not found');
    const targetAudience = jwt.payload.target_audience;
    if (typeof targetAudience === 'string' && targetAudience !== '') {
      return reply.send({ id_token: idToken(iss, targetAudience, signing) });
    }
    const scope = typeof jwt.payload.scope === 'string' ? jwt.payload.scope : '';
    if (scope === '')
      return oauthError(reply, 400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const issued = state.issueToken(iss, scope.split(/\s+/), 'jwt-bearer');
    return reply.send({ access_token: issued.token, expires_in: issued.expiresIn, token_type: 'Bearer' });
  }
  if (grant === 'refresh_token') {
    const record = state.refreshTokens.get(field(ctx, 'refresh_token') ?? '');
    if (!record) return oauthError(reply, 400, 'invalid_grant', 'Bad Request');
    const issued = state.issueToken(record.email, record.scopes, 'refresh-token');
    return reply.send({
      access_token: issued.token,
      expires_in: issued.expiresIn,
      scope: record.scopes.join(' '),
      token_type: 'Bearer',
    });
  }
  return oauthError(reply, 400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
}

function idToken(email: string, audience: string, signing: { keyPem: string; keyId: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const sub = uniqueIdFor(email);
  return signJwt(
    {
      aud: audience,
      azp: email,
      email,
      email_verified: true,
      exp: now + 3600,
      iat: now,
      iss: 'https://accounts.google.com',
      sub,
    },
    signing.keyPem,
    signing.keyId,
  );
}

function tokenInfo(ctx: RequestContext) {
  const { state, reply, req } = ctx;
  const header = req.headers.authorization;
  const fromHeader = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
  const access = field(ctx, 'access_token') ?? fromHeader;
  if (!access)
    return oauthError(
      reply,
      400,
      'invalid_request',
      'Either access_token, id_token, or token_handle required',
    );
  try {
    const p = principalFromToken(state, access, { service: 'oauth2.googleapis.com', method: 'tokeninfo' });
    const record = state.tokens.get(access);
    const expiresAt = record?.expiresAt ?? Date.now() + 3600_000;
    const azp = uniqueIdFor(p.email);
    return reply.send({
      azp,
      aud: azp,
      scope: p.scopes.join(' '),
      exp: String(Math.floor(expiresAt / 1000)),
      expires_in: String(Math.max(0, Math.floor((expiresAt - Date.now()) / 1000))),
      email: p.email,
      email_verified: 'true',
      access_type: 'online',
    });
  } catch (err) {
    if (err instanceof GoogleApiError) return oauthError(reply, 400, 'invalid_token', 'Invalid Value');
    throw err;
  }
}

function revoke(ctx: RequestContext) {
  const t = field(ctx, 'token') ?? '';
  const record = ctx.state.tokens.get(t);
  if (record) record.revoked = true;
  else if (!ctx.state.refreshTokens.delete(t))
    return oauthError(ctx.reply, 400, 'invalid_token', 'Token expired or revoked');
  return ctx.reply.send({});
}
