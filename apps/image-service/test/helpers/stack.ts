/**
 * The service under test as it runs on Cloud Run, against the embedded sandbox: sandbox on port 0,
 * service on port 0 with GENAI_DOCTOR_ENDPOINT / GCE_METADATA_HOST pointing at it and no ADC file,
 * so the identity comes from the (sandbox) metadata server. Optionally a fault proxy sits between
 * the service and the sandbox's Google APIs. Log lines are captured for assertions.
 */

import { type Sandbox, type Scenario, startSandbox } from '../../../../src/sandbox/index.js';
import { loadConfig, type ServiceConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningService, startImageService } from '../../src/service.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

export interface Stack {
  sandbox: Sandbox;
  proxy?: FaultProxy;
  service: RunningService;
  url: string;
  /** Every log line the service wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw lines, for secret scans. */
  rawLogs: string[];
  close(): Promise<void>;
}

export interface StackOptions {
  scenario: string | Scenario;
  proxy?: boolean;
  config?: Partial<ServiceConfig>;
  sandbox?: { propagationDelayMs?: number; latencyMs?: number };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const sandbox = await startSandbox({ scenario: options.scenario, port: 0, ...options.sandbox });
  const proxy = options.proxy ? await startFaultProxy(sandbox.url) : undefined;
  // google-auth-library reads these from process.env; no key file, like Cloud Run.
  process.env.GCE_METADATA_HOST = sandbox.metadataHost;
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.GOOGLE_CLOUD_PROJECT;
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  const config: ServiceConfig = {
    ...loadConfig({ IMAGE_SERVICE_BACKEND: 'google' }),
    host: '127.0.0.1',
    port: 0,
    endpoint: proxy?.url ?? sandbox.url,
    readinessIntervalMs: 60_000,
    ...options.config,
  };
  const env = { ...process.env, GCE_METADATA_HOST: sandbox.metadataHost };
  const service = await startImageService({ config, logger, env });
  return {
    sandbox,
    ...(proxy ? { proxy } : {}),
    service,
    url: service.url,
    logs,
    rawLogs,
    async close() {
      await service.close({ graceMs: 1000 });
      await proxy?.close();
      await sandbox.close();
    },
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field
  body: any;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML pages stay text.
  }
  return { status: res.status, headers: res.headers, body };
}

export const SEED_BODY = {
  prompt: 'A simple test image',
  image_type: 'illustration',
  aspect_ratio: '1:1',
  session_id: 'test_session',
};

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
