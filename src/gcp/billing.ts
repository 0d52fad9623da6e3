/** Cloud Billing v1: whether billing is enabled on a project. */
import type { GcpClient } from './client.js';

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
