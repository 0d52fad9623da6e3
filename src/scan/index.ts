/**
 * `scan` as a library call: read the inventory of the scopes (organization, folders, projects),
 * judge every Gemini-calling workload and the risky setups, rank the findings.
 */
import { loadRoleIndex } from '../core/roles/load.js';
import { type ApiRequest, adcClient, GcpClient } from '../gcp/client.js';
import { GoogleApiError } from '../gcp/errors.js';
import { readInventory } from './inventory.js';
import { judge, rank } from './judge.js';
import type { ScanResult } from './model.js';
import { applyUsage, readUsage, usageProjects } from './usage.js';

export interface ScanOptions {
  scopes: string[];
  analysisOutput?: string;
  rolesFile?: string;
  concurrency?: number;
  /** Read Cloud Monitoring's request counts over this many days (`--usage [days]`). */
  usageDays?: number;
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
  let usage: { projects: number; calls: number } | undefined;
  if (opts.usageDays) {
    const before = client.calls;
    const projects = usageProjects(findings);
    opts.onProgress?.(`reading Cloud Monitoring usage of ${projects.length} projects`);
    const read = await readUsage(client, projects, opts.usageDays, {
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    });
    applyUsage(findings, read, opts.usageDays);
    rank(findings);
    inv.unknowns.push(...read.unknowns);
    usage = { projects: projects.length, calls: client.calls - before };
  }
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
      ...(usage ? { usageProjects: usage.projects, usageCalls: usage.calls } : {}),
    },
    findings,
    unknowns: inv.unknowns,
    wallMs: Math.round(performance.now() - start),
  };
}

export type { ScanFinding, ScanResult, Workload } from './model.js';
