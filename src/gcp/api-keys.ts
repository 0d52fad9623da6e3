/** API Keys API v2: the keys of a project with their restrictions (never the key strings). */
import type { GcpClient } from './client.js';
import { pages } from './pages.js';

export interface ApiKeyInfo {
  name: string;
  uid?: string;
  displayName?: string;
  restrictions?: {
    apiTargets?: Array<{ service?: string; methods?: string[] }>;
    browserKeyRestrictions?: { allowedReferrers?: string[] };
    serverKeyRestrictions?: { allowedIps?: string[] };
    androidKeyRestrictions?: { allowedApplications?: unknown[] };
    iosKeyRestrictions?: { allowedBundleIds?: string[] };
  };
}

export function listApiKeys(client: GcpClient, project: string): AsyncGenerator<ApiKeyInfo[]> {
  return pages(async (pageToken) => {
    const res = await client.request<{ keys?: ApiKeyInfo[]; nextPageToken?: string }>({
      url: client.url('apikeys', `/v2/projects/${encodeURIComponent(project)}/locations/global/keys`),
      params: { pageSize: 300, pageToken },
    });
    return { items: res.keys, nextPageToken: res.nextPageToken };
  });
}
