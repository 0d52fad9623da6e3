/**
 * One small authorized JSON client over google-auth-library. Every API module takes a GcpClient,
 * so the same code runs as the operator (ADC: key file, gcloud user, metadata server), as an
 * impersonated service account, or with a workload's metadata token.
 */
import { type AuthClient, GoogleAuth, gaxios, OAuth2Client } from 'google-auth-library';
import { rewriteGoogleUrl } from './endpoints.js';
import { GoogleApiError, toGoogleApiError } from './errors.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method?: HttpMethod;
  url: string;
  params?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A gaxios transport that sends Google-host URLs to GENAI_DOCTOR_ENDPOINT when it is set; used for
 * both our requests and google-auth-library's own (the OAuth token exchange).
 */
export function makeTransporter(): gaxios.Gaxios {
  const transport = new gaxios.Gaxios();
  transport.interceptors.request.add({
    resolved: async (opts) => {
      opts.url = rewriteGoogleUrl(new URL(String(opts.url)));
      return opts;
    },
  });
  return transport;
}

export class GcpClient {
  constructor(
    readonly auth: AuthClient,
    /** Who this client calls as, for messages: an email or `operator`. */
    readonly label: string,
  ) {}

  async request<T>(req: ApiRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url);
    for (const [k, v] of Object.entries(req.params ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    try {
      const res = await this.auth.request<T>({
        url: url.toString(),
        method,
        data: req.body,
        ...(req.headers ? { headers: req.headers } : {}),
        responseType: 'json',
        // Our own loops decide about retries (409 read-modify-write, verify backoff).
        retry: false,
      });
      return res.data;
    } catch (e) {
      throw asGoogleApiError(e, method, url.toString());
    }
  }

  async accessToken(): Promise<string> {
    try {
      const { token } = await this.auth.getAccessToken();
      if (!token) throw new Error('no access token returned');
      return token;
    } catch (e) {
      throw asGoogleApiError(e, 'POST', 'token');
    }
  }
}

/** Any failure from gaxios / google-auth-library as a GoogleApiError with the raw body. */
export function asGoogleApiError(e: unknown, method: string, url: string): GoogleApiError {
  if (e instanceof GoogleApiError) return e;
  const ge = e as { response?: { status?: number; data?: unknown }; message?: string };
  if (ge?.response?.status) {
    return toGoogleApiError(
      ge.response.status,
      ge.response.data,
      method,
      url,
      ge.message ?? 'request failed',
    );
  }
  return new GoogleApiError(0, undefined, undefined, ge?.message ?? String(e), '', method, url);
}

/** Application Default Credentials, as every Google client library finds them. */
export function applicationDefaultAuth(): GoogleAuth {
  return new GoogleAuth({
    scopes: [CLOUD_PLATFORM_SCOPE],
    clientOptions: { transporter: makeTransporter() },
  });
}

export async function clientFromGoogleAuth(auth: GoogleAuth, label = 'operator'): Promise<GcpClient> {
  const client = (await auth.getClient()) as AuthClient;
  return new GcpClient(client, label);
}

/** A client that sends a bearer token obtained elsewhere (impersonation, metadata server). */
export function clientFromAccessToken(token: string, label: string, expiresAt?: number): GcpClient {
  const auth = new OAuth2Client({ transporter: makeTransporter() });
  auth.setCredentials({ access_token: token, expiry_date: expiresAt ?? Date.now() + 3_600_000 });
  return new GcpClient(auth, label);
}
