/** OAuth2 tokeninfo: who a token belongs to and which scopes it carries. */
import type { GcpClient } from './client.js';
import { toGoogleApiError } from './errors.js';

export interface TokenInfo {
  email?: string;
  scope?: string;
  expires_in?: string | number;
  azp?: string;
  aud?: string;
}

/** Who the client's own token belongs to (asked at the client's env's tokeninfo). */
export async function tokenInfo(client: GcpClient): Promise<TokenInfo> {
  const accessToken = await client.accessToken();
  const url = client.url('oauth2', '/tokeninfo');
  // POST keeps the token out of URLs (and so out of any access log on the way).
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ access_token: accessToken }),
  });
  const text = await res.text();
  if (!res.ok) throw toGoogleApiError(res.status, text, 'POST', url, `tokeninfo: HTTP ${res.status}`);
  return JSON.parse(text) as TokenInfo;
}
