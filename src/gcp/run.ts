/** Cloud Run Admin API v2: a service's runtime identity and env; patch them (an LRO). */
import type { GcpClient } from './client.js';
import { isPermissionDenied } from './errors.js';
import { type Operation, waitOperation } from './operations.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueSource?: unknown;
}

export interface RunContainer {
  name?: string;
  image?: string;
  env?: EnvVar[];
  [key: string]: unknown;
}

export interface RunService {
  name: string;
  uid?: string;
  generation?: string;
  uri?: string;
  etag?: string;
  observedGeneration?: string;
  reconciling?: boolean;
  template?: {
    serviceAccount?: string;
    containers?: RunContainer[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

const v2 = (client: GcpClient) => client.url('run', '/v2');

export function runServiceName(project: string, region: string, service: string): string {
  return `projects/${project}/locations/${region}/services/${service}`;
}

export function getRunService(client: GcpClient, name: string): Promise<RunService> {
  return client.request<RunService>({ url: `${v2(client)}/${name}` });
}

/** PATCH with an update mask so only the named fields change; waits for the rollout. */
export async function patchRunService(
  client: GcpClient,
  service: RunService,
  updateMask: string[],
): Promise<RunService> {
  const op = await client.request<Operation<RunService>>({
    method: 'PATCH',
    url: `${v2(client)}/${service.name}`,
    params: { updateMask: updateMask.join(',') },
    body: service,
  });
  try {
    const done = await waitOperation<RunService>(client, v2(client), op);
    return done.response ?? (await getRunService(client, service.name));
  } catch (e) {
    // Some deployer roles may update services but not read operations (run.operations.get):
    // then the service itself says when the new generation is serving.
    if (!isPermissionDenied(e)) throw e;
    return waitServiceGeneration(client, service.name, Number(service.generation ?? 0) + 1);
  }
}

async function waitServiceGeneration(
  client: GcpClient,
  name: string,
  generation: number,
): Promise<RunService> {
  const deadline = Date.now() + 300_000;
  let interval = 250;
  for (;;) {
    const svc = await getRunService(client, name);
    const observed = Number(svc.observedGeneration ?? svc.generation ?? 0);
    if (observed >= generation && svc.reconciling !== true) return svc;
    if (Date.now() > deadline)
      throw new Error(`Cloud Run ${name} did not roll out generation ${generation} in time`);
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, 5_000);
  }
}

/** The env of the service's first (serving) container, as name -> value. */
export function runServiceEnv(service: RunService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of service.template?.containers?.[0]?.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
  }
  return env;
}

/** Every service of a project in one region, or in every region (`locations/-`), all pages. */
export async function listRunServices(
  client: GcpClient,
  project: string,
  region = '-',
): Promise<RunService[]> {
  const services: RunService[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.request<{ services?: RunService[]; nextPageToken?: string }>({
      url: `${v2(client)}/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(region)}/services`,
      params: { pageSize: 500, pageToken },
    });
    services.push(...(page.services ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return services;
}
