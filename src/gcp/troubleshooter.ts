/** Policy Troubleshooter v3: does a principal hold a permission on a resource, and why (not). */
import type { GcpClient } from './client.js';

export type AccessState =
  | 'CAN_ACCESS'
  | 'CANNOT_ACCESS'
  | 'UNKNOWN_INFO'
  | 'UNKNOWN_CONDITIONAL'
  | 'OVERALL_ACCESS_STATE_UNSPECIFIED';

export interface TroubleshootResponse {
  overallAccessState?: AccessState;
  accessTuple?: { principal: string; fullResourceName: string; permission: string };
  allowPolicyExplanation?: { allowAccessState?: string; explainedPolicies?: unknown[]; relevance?: string };
  denyPolicyExplanation?: { denyAccessState?: string; explainedResources?: unknown[]; relevance?: string };
}

/** `principal` is an email (no `serviceAccount:` prefix), as the v3 API takes it. */
export function troubleshoot(
  client: GcpClient,
  principal: string,
  fullResourceName: string,
  permission: string,
): Promise<TroubleshootResponse> {
  return client.request<TroubleshootResponse>({
    method: 'POST',
    url: client.url('policytroubleshooter', '/v3/iam:troubleshoot'),
    idempotent: true,
    body: { accessTuple: { principal: principal.replace(/^[a-zA-Z]+:/, ''), fullResourceName, permission } },
  });
}

/** `//cloudresourcemanager.googleapis.com/projects/P`, the name troubleshooter wants. */
export function projectResourceName(project: string): string {
  return `//cloudresourcemanager.googleapis.com/projects/${project}`;
}
