/**
 * The image service's settings, read once from the environment. Every knob has a default that is
 * right on Cloud Run, so the deployed service needs only GOOGLE_CLOUD_PROJECT (or not even that:
 * the metadata server names the project).
 */

export type Backend = 'google' | 'sandbox';

export interface ServiceConfig {
  host: string;
  port: number;
  /** The project the service CALLS; undefined means "ask the metadata server". */
  project?: string;
  location: string;
  model: string;
  /** Base URL override for every Google API (the sandbox, or a proxy); undefined = Google. */
  endpoint?: string;
  /** Largest request body accepted; larger bodies get 413 before any parsing. */
  bodyLimitBytes: number;
  /**
   * Client sockets: the whole header block must arrive within headersTimeoutMs and the whole
   * request within requestTimeoutMs, or the socket is closed (a slow-header client no longer
   * holds one open for fastify's 72 s keep-alive plus Node's 30 s check interval); an idle
   * keep-alive socket is closed after keepAliveTimeoutMs.
   */
  sockets: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** How @google/genai sends requests: node:http keep-alive (default) or the platform fetch. */
  upstreamTransport: 'node-http' | 'fetch';
  /** Longest a generate request may take end to end, retries included. */
  requestDeadlineMs: number;
  /** How many throttled (1153) attempts a request may make in total. */
  maxAttempts: number;
  /** Base of the exponential backoff when the upstream names no RetryInfo delay. */
  retryBaseDelayMs: number;
  /** Readiness: how often the access check is re-run in the background. */
  readinessIntervalMs: number;
  /** Readiness: genai-doctor's live check (several probes) or the countTokens call alone. */
  readinessCheck: 'live' | 'count-tokens';
  /** Readiness: bound on one access check run. */
  readinessTimeoutMs: number;
  sessions: { maxSessions: number; maxItemsPerSession: number };
  logLevel: string;
  /** Where the service runs: Cloud Run sets K_SERVICE. Feeds the diagnosis context. */
  runtime: 'cloud-run' | 'local';
  backend: Backend;
  /** Scenario of the embedded sandbox when backend is 'sandbox'. */
  sandboxScenario: string;
}

export const DEFAULT_MODEL = 'gemini-3-pro-image-preview';
export const DEFAULT_LOCATION = 'global';

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return value;
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/**
 * Locally (no Cloud Run, no project, no endpoint) the service runs against the embedded sandbox so
 * `npm run service` works without an account; anywhere else it talks to Google.
 */
function backendOf(env: Env): Backend {
  const explicit = text(env, 'IMAGE_SERVICE_BACKEND');
  if (explicit === 'google' || explicit === 'sandbox') return explicit;
  if (explicit) throw new ConfigError(`IMAGE_SERVICE_BACKEND must be google or sandbox, got ${explicit}`);
  const configured =
    text(env, 'K_SERVICE') ?? text(env, 'GOOGLE_CLOUD_PROJECT') ?? text(env, 'GENAI_DOCTOR_ENDPOINT');
  return configured ? 'google' : 'sandbox';
}

function readinessCheckOf(env: Env): 'live' | 'count-tokens' {
  const raw = text(env, 'READINESS_CHECK') ?? 'live';
  if (raw !== 'live' && raw !== 'count-tokens') {
    throw new ConfigError(`READINESS_CHECK must be live or count-tokens, got ${raw}`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): ServiceConfig {
  return {
    host: text(env, 'HOST') ?? '0.0.0.0',
    port: int(env, 'PORT', 8080, 0, 65535),
    project: text(env, 'GOOGLE_CLOUD_PROJECT'),
    location: text(env, 'GOOGLE_CLOUD_LOCATION') ?? DEFAULT_LOCATION,
    model: text(env, 'IMAGE_MODEL') ?? DEFAULT_MODEL,
    endpoint: text(env, 'GENAI_DOCTOR_ENDPOINT'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    sockets: {
      headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 120_000),
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
      keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    upstreamTransport: text(env, 'UPSTREAM_TRANSPORT') === 'fetch' ? 'fetch' : 'node-http',
    requestDeadlineMs: int(env, 'REQUEST_DEADLINE_MS', 90_000, 100, 600_000),
    maxAttempts: int(env, 'UPSTREAM_MAX_ATTEMPTS', 4, 1, 10),
    retryBaseDelayMs: int(env, 'RETRY_BASE_DELAY_MS', 500, 1, 60_000),
    readinessIntervalMs: int(env, 'READINESS_INTERVAL_MS', 60_000, 50, 3_600_000),
    readinessCheck: readinessCheckOf(env),
    readinessTimeoutMs: int(env, 'READINESS_TIMEOUT_MS', 20_000, 50, 120_000),
    sessions: {
      maxSessions: int(env, 'SESSIONS_MAX', 1000, 1, 1_000_000),
      maxItemsPerSession: int(env, 'SESSION_ITEMS_MAX', 50, 1, 10_000),
    },
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    runtime: text(env, 'K_SERVICE') ? 'cloud-run' : 'local',
    backend: backendOf(env),
    sandboxScenario: text(env, 'IMAGE_SERVICE_SANDBOX_SCENARIO') ?? 'seed-incident-fixed',
  };
}
