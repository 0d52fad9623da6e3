/** Service Usage v1: is an API enabled on a project; enable it (a long-running operation). */
import type { GcpClient } from './client.js';
import { type Operation, waitOperation } from './operations.js';

export interface ServiceState {
  name: string;
  state: 'ENABLED' | 'DISABLED' | 'STATE_UNSPECIFIED';
  parent?: string;
}

const v1 = (client: GcpClient) => client.url('serviceusage', '/v1');

export function getService(client: GcpClient, project: string, service: string): Promise<ServiceState> {
  return client.request<ServiceState>({
    url: `${v1(client)}/projects/${encodeURIComponent(project)}/services/${service}`,
  });
}

export async function enableService(client: GcpClient, project: string, service: string): Promise<void> {
  const op = await client.request<Operation>({
    method: 'POST',
    url: `${v1(client)}/projects/${encodeURIComponent(project)}/services/${service}:enable`,
    idempotent: true,
    body: {},
  });
  await waitOperation(client, v1(client), op);
}

/** services.batchGet: the state of up to 30 services of one project in one call. */
export async function batchGetServices(
  client: GcpClient,
  project: string,
  services: string[],
): Promise<ServiceState[]> {
  const url = new URL(`${v1(client)}/projects/${encodeURIComponent(project)}/services:batchGet`);
  for (const s of services) url.searchParams.append('names', `projects/${project}/services/${s}`);
  const res = await client.request<{ services?: ServiceState[] }>({ url: url.toString() });
  return res.services ?? [];
}
