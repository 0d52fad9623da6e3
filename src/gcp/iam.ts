/** IAM v1: roles (predefined and custom) and service accounts. */
import type { IamRole, IamRoleList, Policy } from '../core/iam.js';
import type { GcpClient } from './client.js';

const v1 = (client: GcpClient) => client.url('iam', '/v1');

/** `roles/x.y`, `projects/P/roles/ID` or `organizations/O/roles/ID`, with its permissions. */
export function getRole(client: GcpClient, name: string): Promise<IamRole> {
  return client.request<IamRole>({ url: `${v1(client)}/${name}` });
}

/** Every predefined role with its permissions (all pages). */
export async function listRoles(client: GcpClient, parent?: string): Promise<IamRole[]> {
  const roles: IamRole[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.request<IamRoleList>({
      url: parent ? `${v1(client)}/${parent}/roles` : `${v1(client)}/roles`,
      params: { view: 'FULL', pageSize: 1000, pageToken },
    });
    roles.push(...(page.roles ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return roles;
}

export function createCustomRole(
  client: GcpClient,
  project: string,
  roleId: string,
  role: { title: string; description: string; includedPermissions: string[] },
): Promise<IamRole> {
  return client.request<IamRole>({
    method: 'POST',
    url: `${v1(client)}/projects/${encodeURIComponent(project)}/roles`,
    body: { roleId, role: { ...role, stage: 'GA' } },
  });
}

export function deleteCustomRole(client: GcpClient, name: string): Promise<IamRole> {
  return client.request<IamRole>({ method: 'DELETE', url: `${v1(client)}/${name}` });
}

export interface ServiceAccount {
  name: string;
  projectId: string;
  uniqueId?: string;
  email: string;
  displayName?: string;
  disabled?: boolean;
}

export function getServiceAccount(client: GcpClient, email: string): Promise<ServiceAccount> {
  return client.request<ServiceAccount>({
    url: `${v1(client)}/projects/-/serviceAccounts/${encodeURIComponent(email)}`,
  });
}

export function createServiceAccount(
  client: GcpClient,
  project: string,
  accountId: string,
  displayName: string,
): Promise<ServiceAccount> {
  return client.request<ServiceAccount>({
    method: 'POST',
    url: `${v1(client)}/projects/${encodeURIComponent(project)}/serviceAccounts`,
    body: { accountId, serviceAccount: { displayName } },
  });
}

export function deleteServiceAccount(client: GcpClient, email: string): Promise<unknown> {
  return client.request({
    method: 'DELETE',
    url: `${v1(client)}/projects/-/serviceAccounts/${encodeURIComponent(email)}`,
  });
}

/** The email a service account gets in a project: `ID@PROJECT.iam.gserviceaccount.com`. */
export function serviceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** Compute Engine's default service account, which Cloud Run uses when none is set. */
export function defaultComputeServiceAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}

/** `projects/-/serviceAccounts/EMAIL`: the account's resource name (the project is implied). */
function serviceAccountResource(client: GcpClient, email: string): string {
  return `${v1(client)}/projects/-/serviceAccounts/${encodeURIComponent(email)}`;
}

/**
 * The service account's own allow policy (who may act as / mint tokens for it). Version 3 is
 * asked for, as for projects, so a conditional binding comes back whole and is never dropped.
 */
export function getServiceAccountIamPolicy(client: GcpClient, email: string): Promise<Policy> {
  return client.request<Policy>({
    method: 'POST',
    url: `${serviceAccountResource(client, email)}:getIamPolicy`,
    idempotent: true,
    params: { 'options.requestedPolicyVersion': 3 },
  });
}

/**
 * Writes the account's policy with the etag it was read with (a stale one gets 409 ABORTED).
 * auditConfigs are named in the mask when present and sent back unchanged.
 */
export function setServiceAccountIamPolicy(
  client: GcpClient,
  email: string,
  policy: Policy,
): Promise<Policy> {
  const fields = ['bindings', 'etag', ...(policy.auditConfigs ? ['auditConfigs'] : [])];
  return client.request<Policy>({
    method: 'POST',
    url: `${serviceAccountResource(client, email)}:setIamPolicy`,
    body: { policy, updateMask: fields.join(',') },
  });
}
