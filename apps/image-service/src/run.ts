/**
 * Runs the service as a process: settings from the environment, the embedded sandbox as backend
 * when nothing points at Google (local `npm run service`), SIGTERM / SIGINT -> graceful shutdown.
 */
import { ConfigError, loadConfig, type ServiceConfig } from './config.js';
import { createLogger } from './logger.js';
import { startImageService } from './service.js';

/** Cloud Run allows 10 s between SIGTERM and SIGKILL; leave room to flush logs. */
const SHUTDOWN_GRACE_MS = 8000;

export async function runFromEnvironment(): Promise<void> {
  let config: ServiceConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', severity: 'CRITICAL', message: err.message })}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.backend === 'sandbox') {
    // Loaded only here: a deployed service never carries the sandbox in memory.
    const { startSandboxBackend } = await import('./sandbox-backend.js');
    const backend = await startSandboxBackend(config, {
      location: Boolean(process.env.GOOGLE_CLOUD_LOCATION),
      model: Boolean(process.env.IMAGE_MODEL),
    });
    config = backend.config;
    closeSandbox = () => backend.sandbox.close();
    logger.info(
      {
        event: 'sandbox.started',
        url: backend.sandbox.url,
        scenario: config.sandboxScenario,
        project: config.project ?? '(metadata server)',
        model: config.model,
        location: config.location,
      },
      `Backed by the embedded Google Cloud sandbox, scenario ${config.sandboxScenario}; set GOOGLE_CLOUD_PROJECT or IMAGE_SERVICE_BACKEND=google to call Google`,
    );
  }
  const service = await startImageService({ config, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'service.stopping', signal }, 'Shutting down: finishing in-flight requests');
    service
      .close({ graceMs: SHUTDOWN_GRACE_MS })
      .then(() => closeSandbox?.())
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => {
        logger.flush();
        process.exitCode ??= 0;
        // Let the async log destination drain; the tracer's timers do not hold the process.
        setTimeout(() => process.exit(), 200).unref();
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
