/** IAM Service Account Credentials v1: a short-lived token for a service account (impersonation). */
import { CLOUD_PLATFORM_SCOPE, type GcpClient } from './client.js';

export interface GeneratedToken {
  accessToken: string;
  expireTime: string;
}

export function generateAccessToken(
  client: GcpClient,
  serviceAccount: string,
  lifetimeSeconds = 900,
): Promise<GeneratedToken> {
  return client.request<GeneratedToken>({
    method: 'POST',
    url: client.url(
      'iamcredentials',
      `/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateAccessToken`,
    ),
    body: { scope: [CLOUD_PLATFORM_SCOPE], lifetime: `${lifetimeSeconds}s` },
    // Minting a token has no side effect: a 503 may be retried.
    idempotent: true,
  });
}
