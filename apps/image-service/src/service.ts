/**
 * Starts the image service: resolve identity and project, build the model client, start the
 * readiness check, listen. Used by main.ts, the tests and the benchmark alike.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from 'genai-doctor';
import { buildPlan, diagnose } from 'genai-doctor';
import { countTokensAccessCheck, liveAccessCheck, tracedAccessCheck } from './access-check.js';
import { buildApp } from './app.js';
import type { ServiceConfig } from './config.js';
import { resolveIdentity, type ServiceIdentity } from './identity.js';
import { createGenAiImageModel, type ImageModel } from './image-model.js';
import { createLogger, type Logger } from './logger.js';
import { type AccessCheck, Readiness } from './readiness.js';
import { SessionStore } from './sessions.js';
import { DeadlineExceeded } from './upstream-failure.js';

export interface StartOptions {
  config: ServiceConfig;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Replaces the default access check (tests of readiness mechanics only). */
  accessCheck?: AccessCheck;
}

export interface RunningService {
  app: FastifyInstance;
  url: string;
  config: ServiceConfig;
  identity: ServiceIdentity;
  context: Context;
  readiness: Readiness;
  logger: Logger;
  /** Stop taking requests, let in-flight ones finish (aborting model calls after graceMs), close. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** What google-auth-library says when it finds no project: the diagnosis core knows this wording. */
const NO_PROJECT_MESSAGE =
  'Unable to detect a Project Id in the current environment. To learn more about Application Default Credentials, see https://cloud.google.com/docs/authentication/getting-started';

function modelWithoutProject(config: ServiceConfig): ImageModel {
  const fail = async (): Promise<never> => {
    throw new Error(NO_PROJECT_MESSAGE);
  };
  return { model: config.model, location: config.location, project: '', generate: fail, countTokens: fail };
}

export async function startImageService(options: StartOptions): Promise<RunningService> {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const identity = await resolveIdentity(config.project, env);
  const model = identity.project
    ? createGenAiImageModel({
        project: identity.project,
        location: config.location,
        model: config.model,
        transport: config.upstreamTransport,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      })
    : modelWithoutProject(config);
  const context: Context = {
    ...(identity.project ? { project: identity.project } : {}),
    runtime: identity.runtime,
    location: config.location,
    model: config.model,
    ...(identity.principal ? { principal: identity.principal } : {}),
  };
  const direct = countTokensAccessCheck(model, diagnose, context);
  const check =
    options.accessCheck ??
    (config.readinessCheck === 'live' && identity.project
      ? liveAccessCheck(
          {
            project: identity.project,
            location: config.location,
            model: config.model,
            ...(config.endpoint ? { endpoint: config.endpoint } : {}),
            env,
          },
          direct,
          (err) =>
            logger.warn(
              { err, event: 'readiness.live_check_error' },
              'Live check could not run; kept the direct finding',
            ),
        )
      : direct);
  const readiness = new Readiness(tracedAccessCheck(check, model), {
    intervalMs: config.readinessIntervalMs,
    timeoutMs: config.readinessTimeoutMs,
    minGapMs: Math.min(1000, config.readinessIntervalMs),
    onChange: (now, before) => {
      const fields = { event: 'readiness.changed', status: now.status, was: before.status, check: now.check };
      if (now.status === 'not_ready')
        logger.warn(
          { ...fields, finding: now.finding },
          `Service not ready: ${now.finding?.cause} (${now.finding?.code})`,
        );
      else logger.info(fields, `Service ${now.status}`);
    },
  });
  const shutdown = new AbortController();
  const app = await buildApp({
    config,
    logger,
    model,
    context,
    readiness,
    sessions: new SessionStore(config.sessions),
    diagnose,
    buildPlan: (d) => buildPlan(d),
    shutdownSignal: shutdown.signal,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info(
    {
      event: 'service.started',
      address,
      model: config.model,
      location: config.location,
      project_source: identity.projectSource,
      principal_source: identity.principalSource,
      runtime: identity.runtime,
      endpoint: config.endpoint ? 'override' : 'google',
    },
    'Image service listening',
  );
  void readiness.start();
  let closing: Promise<void> | undefined;
  return {
    app,
    url: address.replace('0.0.0.0', '127.0.0.1'),
    config,
    identity,
    context,
    readiness,
    logger,
    close({ graceMs = 8000 } = {}) {
      closing ??= (async () => {
        readiness.markShuttingDown();
        const timer = setTimeout(() => shutdown.abort(new DeadlineExceeded(graceMs)), graceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(timer);
        }
        logger.info({ event: 'service.stopped' }, 'Image service stopped');
      })();
      return closing;
    },
  };
}
