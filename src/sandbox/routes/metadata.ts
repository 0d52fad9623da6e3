/**
 * The metadata server a Cloud Run / GCE workload sees at http://metadata.google.internal:
 * `/computeMetadata/v1/...`, only with `Metadata-Flavor: Google`, every answer carrying the same
 * header (gcp-metadata rejects answers without it). Values are text, directories are listings
 * with a trailing `/` per sub-directory, `?recursive=true` gives JSON, and `token` is JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signJwt } from '../jwt.js';
import { CLOUD_PLATFORM_SCOPE, type SandboxState, uniqueIdFor } from '../state.js';

export interface MetadataOptions {
  state: SandboxState;
  /** Key the sandbox signs ID tokens with (its stand-in for Google's signing key). */
  signingKeyPem: string;
  signingKeyId: string;
}

const FLAVOR = { 'Metadata-Flavor': 'Google' } as const;

function text(reply: FastifyReply, body: string) {
  return reply.headers({ ...FLAVOR, 'content-type': 'application/text' }).send(body);
}

function json(reply: FastifyReply, body: unknown) {
  return reply.headers({ ...FLAVOR, 'content-type': 'application/json' }).send(JSON.stringify(body));
}

function notFound(reply: FastifyReply) {
  return reply
    .code(404)
    .headers({ ...FLAVOR, 'content-type': 'text/html; charset=UTF-8' })
    .send(
      '<!DOCTYPE html>\n<html lang=en>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n',
    );
}

export function registerMetadata(app: FastifyInstance, opts: MetadataOptions): void {
  const { state } = opts;

  const guard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      reply
        .code(403)
        .headers({ ...FLAVOR, 'content-type': 'text/html; charset=UTF-8' })
        .send(
          `Your client does not have permission to get URL <code>${req.url.split('?')[0]}</code> from this server. Missing Metadata-Flavor:Google header.\n`,
        );
      return false;
    }
    return true;
  };

  app.get('/', (req, reply) => (guard(req, reply) ? text(reply, 'computeMetadata/\n') : reply));
  app.get('/computeMetadata', (req, reply) => (guard(req, reply) ? text(reply, 'v1/\n') : reply));
  app.get('/computeMetadata/', (req, reply) => (guard(req, reply) ? text(reply, 'v1/\n') : reply));
  app.get('/computeMetadata/v1', (req, reply) =>
    guard(req, reply) ? text(reply, 'instance/\nproject/\n') : reply,
  );

  app.get('/computeMetadata/v1/*', (req, reply) => {
    if (!guard(req, reply)) return reply;
    const url = new URL(req.url, 'http://metadata.google.internal');
    const key = url.pathname.slice('/computeMetadata/v1/'.length);
    const recursive = url.searchParams.get('recursive') === 'true';
    const id = state.metadataIdentity();
    const project = id.project;
    const zone = `projects/${project.projectNumber}/zones/${id.region}-1`;
    const instanceId = uniqueIdFor(`instance/${project.projectNumber}/${id.region}`).padEnd(64, '0');
    const account = {
      aliases: ['default'],
      email: id.email,
      scopes: id.scopes,
    };

    const accountOf = (name: string) => (name === 'default' || name === id.email ? account : undefined);

    // Directories (recursive JSON or a listing).
    if (key === '' || key === '/') return text(reply, 'instance/\nproject/\n');
    if (key === 'instance' || key === 'instance/') {
      if (recursive) {
        return json(reply, {
          id: instanceId,
          region: `projects/${project.projectNumber}/regions/${id.region}`,
          zone,
          serviceAccounts: { default: account, [id.email]: account },
        });
      }
      return text(reply, 'id\nregion\nservice-accounts/\nzone\n');
    }
    if (key === 'project' || key === 'project/') {
      if (recursive)
        return json(reply, { numericProjectId: Number(project.projectNumber), projectId: project.projectId });
      return text(reply, 'numeric-project-id\nproject-id\n');
    }
    if (key === 'project/project-id') return text(reply, project.projectId);
    if (key === 'project/numeric-project-id') return text(reply, project.projectNumber);
    if (key === 'instance/region')
      return text(reply, `projects/${project.projectNumber}/regions/${id.region}`);
    if (key === 'instance/zone') return text(reply, zone);
    if (key === 'instance/id') return text(reply, instanceId);
    if (key === 'universe/universe-domain') return text(reply, 'googleapis.com');
    if (key === 'instance/service-accounts' || key === 'instance/service-accounts/') {
      if (recursive) return json(reply, { default: account, [id.email]: account });
      return text(reply, `default/\n${id.email}/\n`);
    }

    const m = /^instance\/service-accounts\/([^/]+)(?:\/(.*))?$/.exec(key);
    if (m) {
      const acct = accountOf(decodeURIComponent(m[1] as string));
      if (!acct) return notFound(reply);
      const leaf = m[2] ?? '';
      if (leaf === '') {
        if (recursive) return json(reply, acct);
        return text(reply, 'aliases\nemail\nidentity\nscopes\ntoken\n');
      }
      if (leaf === 'email') return text(reply, acct.email);
      if (leaf === 'aliases') return text(reply, 'default\n');
      if (leaf === 'scopes') return text(reply, `${acct.scopes.join('\n')}\n`);
      if (leaf === 'token') {
        // Cloud Run honours ?scopes=; a VM created with narrower scopes keeps its own.
        const requested = url.searchParams.get('scopes');
        const scopes =
          state.scenario.metadata.scopes !== undefined
            ? acct.scopes
            : requested
              ? requested.split(',').map((s) => s.trim())
              : [CLOUD_PLATFORM_SCOPE];
        const { token, expiresIn } = state.issueToken(acct.email, scopes, 'metadata');
        return json(reply, { access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
      }
      if (leaf === 'identity') {
        const audience = url.searchParams.get('audience');
        if (!audience) {
          return reply
            .code(400)
            .headers({ ...FLAVOR, 'content-type': 'application/text' })
            .send('non-empty audience parameter required');
        }
        const now = Math.floor(Date.now() / 1000);
        const sub = uniqueIdFor(acct.email);
        const payload: Record<string, unknown> = {
          aud: audience,
          azp: sub,
          exp: now + 3600,
          iat: now,
          iss: 'https://accounts.google.com',
          sub,
        };
        if (url.searchParams.get('format') === 'full') {
          payload.email = acct.email;
          payload.email_verified = true;
        }
        return text(reply, signJwt(payload, opts.signingKeyPem, opts.signingKeyId));
      }
    }
    return notFound(reply);
  });
}
