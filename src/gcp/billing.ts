/** Cloud Billing v1: whether billing is enabled on a project. */
import type { GcpClient } from './client.js';
import { pages } from './pages.js';

export interface BillingInfo {
  name?: string;
  projectId?: string;
  billingAccountName?: string;
  billingEnabled?: boolean;
}

export function getBillingInfo(client: GcpClient, project: string): Promise<BillingInfo> {
  return client.request<BillingInfo>({
    url: client.url('cloudbilling', `/v1/projects/${encodeURIComponent(project)}/billingInfo`),
  });
}

export interface BillingAccount {
  name: string;
  open?: boolean;
  displayName?: string;
}

/** The billing accounts the caller can see, page by page. */
export async function* listBillingAccounts(client: GcpClient): AsyncGenerator<BillingAccount[]> {
  yield* pages(async (pageToken) => {
    const res = await client.request<{ billingAccounts?: BillingAccount[]; nextPageToken?: string }>({
      url: client.url('cloudbilling', '/v1/billingAccounts'),
      params: { pageSize: 100, pageToken },
    });
    return { items: res.billingAccounts, nextPageToken: res.nextPageToken };
  });
}

/** The projects linked to one billing account (ProjectBillingInfo), page by page. */
export async function* listBillingAccountProjects(
  client: GcpClient,
  account: string,
): AsyncGenerator<BillingInfo[]> {
  yield* pages(async (pageToken) => {
    const res = await client.request<{ projectBillingInfo?: BillingInfo[]; nextPageToken?: string }>({
      url: client.url('cloudbilling', `/v1/${account}/projects`),
      params: { pageSize: 200, pageToken },
    });
    return { items: res.projectBillingInfo, nextPageToken: res.nextPageToken };
  });
}
