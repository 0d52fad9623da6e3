/** Cloud Resource Manager v1: projects.get and the project's IAM allow policy. */
import type { Policy } from '../core/iam.js';
import type { GcpClient } from './client.js';

export interface Project {
  projectId: string;
  projectNumber: string;
  name?: string;
  lifecycleState?: 'ACTIVE' | 'DELETE_REQUESTED' | 'DELETE_IN_PROGRESS' | 'LIFECYCLE_STATE_UNSPECIFIED';
  parent?: { type: string; id: string };
}

const v1 = (client: GcpClient) => client.url('cloudresourcemanager', '/v1/projects');

export function getProject(client: GcpClient, project: string): Promise<Project> {
  return client.request<Project>({ url: `${v1(client)}/${encodeURIComponent(project)}` });
}

/** Always asks for version 3, so conditional bindings come back whole and are never dropped. */
export function getIamPolicy(client: GcpClient, project: string): Promise<Policy> {
  return client.request<Policy>({
    method: 'POST',
    url: `${v1(client)}/${encodeURIComponent(project)}:getIamPolicy`,
    idempotent: true,
    body: { options: { requestedPolicyVersion: 3 } },
  });
}

/**
 * Writes the policy; it must carry the etag it was read with (a stale one gets 409 ABORTED).
 * Google's default mask is `bindings,etag`; auditConfigs are named when present and sent back
 * unchanged, so the write keeps them whether or not a server honours the mask.
 */
export function setIamPolicy(client: GcpClient, project: string, policy: Policy): Promise<Policy> {
  const fields = ['bindings', 'etag', ...(policy.auditConfigs ? ['auditConfigs'] : [])];
  return client.request<Policy>({
    method: 'POST',
    url: `${v1(client)}/${encodeURIComponent(project)}:setIamPolicy`,
    body: { policy, updateMask: fields.join(',') },
  });
}

/** The subset of `permissions` the CALLER holds on the project. */
export async function testIamPermissions(
  client: GcpClient,
  project: string,
  permissions: string[],
): Promise<string[]> {
  const res = await client.request<{ permissions?: string[] }>({
    method: 'POST',
    url: `${v1(client)}/${encodeURIComponent(project)}:testIamPermissions`,
    idempotent: true,
    body: { permissions },
  });
  return res.permissions ?? [];
}
