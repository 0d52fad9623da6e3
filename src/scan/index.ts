/**
 * `scan` as a library call: read the inventory of the scopes (organization, folders, projects),
 * judge every Gemini-calling workload and the risky setups, rank the findings.
 */
import { loadRoleIndex } from '../core/roles/load.js';
import { type ApiRequest, adcClient, GcpClient } from '../gcp/client.js';
import { GoogleApiError } from '../gcp/errors.js';
import { readInventory } from './inventory.js';
import { judge } from './judge.js';
import type { ScanResult } from './model.js';

export interface ScanOptions {
  scopes: string[];
  analysisOutput?: string;
  rolesFile?: string;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
}

/** The operator's client, counting every HTTP request it makes (and the 429s among them). */
class CountingClient extends GcpClient {
  calls = 0;
  throttled = 0;
  override async request<T>(req: ApiRequest): Promise<T> {
    this.calls++;
    try {
      return await super.request<T>(req);
    } catch (e) {
      if (e instanceof GoogleApiError && e.httpStatus === 429) this.throttled++;
      throw e;
    }
  }
}

export async function runScan(opts: ScanOptions): Promise<ScanResult> {
  const start = performance.now();
  const env = opts.env ?? process.env;
  const base = await adcClient(env);
  const client = new CountingClient(base.auth, base.label, env);
  const [inv, roles] = await Promise.all([
    readInventory(client, {
      scopes: opts.scopes,
      ...(opts.analysisOutput ? { analysisOutput: opts.analysisOutput } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    }),
    loadRoleIndex(opts.rolesFile),
  ]);
  const findings = judge(inv, roles);
  return {
    schemaVersion: 1,
    scannedAt: new Date().toISOString(),
    scopes: inv.scopes,
    counts: {
      projects: [...inv.projects.values()].filter((p) => p.id).length,
      workloads: inv.workloadCount,
      genaiWorkloads: inv.workloads.length,
      apiCalls: client.calls,
      retries: client.throttled,
    },
    findings,
    unknowns: inv.unknowns,
    wallMs: Math.round(performance.now() - start),
  };
}

export type { ScanFinding, ScanResult, Workload } from './model.js';
