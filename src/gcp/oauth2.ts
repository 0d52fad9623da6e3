/** OAuth2 tokeninfo: who a token belongs to and which scopes it carries. */
import { baseUrl } from './endpoints.js';
import { toGoogleApiError } from './errors.js';

export interface TokenInfo {
  email?: string;
  scope?: string;
  expires_in?: string | number;
  azp?: string;
  aud?: string;
}

export async function tokenInfo(accessToken: string): Promise<TokenInfo> {
  const url = `${baseUrl('oauth2')}/tokeninfo`;
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
