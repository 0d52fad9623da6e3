/**
 * `genai-doctor serve` as a library call: pick where live checks go (the embedded sandbox by
 * default, real Google Cloud with --real), build the engine and the HTTP server, and listen.
 */
import type { FastifyInstance } from 'fastify';
import { loadRoleIndex } from '../core/roles/load.js';
import { buildConsoleServer, type ConsoleServerOptions } from './app.js';
import { createDefaultEngine, type LiveBackend } from './default-engine.js';
import { type LiveMode, startLiveBackend } from './live-backend.js';
import { isLoopbackHost } from './security.js';

export { buildConsoleServer, type ConsoleServerOptions } from './app.js';
export { createDefaultEngine, type LiveBackend } from './default-engine.js';
export type { ConsoleEngine } from './engine.js';

export interface StartConsoleOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  live?: LiveMode;
  /** Sandbox scenario (live: 'sandbox'). */
  scenario?: string;
  /** Role catalog file for least-privilege choices (JSON or .gz in roles.list shape). */
  rolesFile?: string;
  allowApply?: boolean;
  token?: string;
  jsonLimit?: number;
  logsLimit?: number;
  logsBudgetMs?: number;
  logger?: ConsoleServerOptions['logger'];
}

export interface RunningConsole {
  url: string;
  /** What live checks run against. */
  target: string;
  /** Set when the console listens beyond loopback. */
  exposed: boolean;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startConsole(options: StartConsoleOptions = {}): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const roles = options.rolesFile ? await loadRoleIndex(options.rolesFile) : undefined;
  const live: LiveBackend | undefined = await startLiveBackend(options.live ?? 'sandbox', options.scenario);
  try {
    const engine = createDefaultEngine({
      ...(live ? { live } : {}),
      ...(roles ? { roles, rolesFile: options.rolesFile } : {}),
    });
    const app = await buildConsoleServer({
      engine,
      host,
      ...pick(options, ['jsonLimit', 'logsLimit', 'logsBudgetMs', 'allowApply', 'token', 'logger']),
    });
    const address = await app.listen({ host, port: options.port ?? 0 });
    return {
      url: displayUrl(address, host),
      target: engine.target,
      exposed: !isLoopbackHost(host),
      app,
      close: () => app.close(),
    };
  } catch (err) {
    await live?.close();
    throw err;
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** fastify reports the first address it bound; show the one the user asked for. */
function displayUrl(address: string, host: string): string {
  const port = new URL(address).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
