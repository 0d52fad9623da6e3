/**
 * One small authorized JSON client over google-auth-library. Every API module takes a GcpClient,
 * so the same code runs as the operator (ADC: key file, gcloud user, metadata server), as an
 * impersonated service account, or with a workload's metadata token.
 *
 * A client belongs to one env (GENAI_DOCTOR_ENDPOINT, GOOGLE_APPLICATION_CREDENTIALS,
 * GCE_METADATA_HOST): its credentials come from it and every URL it calls is built from it
 * (`client.url(api, path)`). process.env is only the default of the constructors the CLI calls.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthClient,
  GoogleAuth,
  type GoogleAuthOptions,
  gaxios,
  OAuth2Client,
} from 'google-auth-library';
import { Endpoints, type GoogleApi } from './endpoints.js';
import { GoogleApiError, toGoogleApiError } from './errors.js';
import { metadataBase, metadataToken } from './metadata.js';

/** Neither a key file nor a metadata server: nothing to call Google with at all. */
export class NoCredentialsError extends Error {
  override name = 'NoCredentialsError';
}

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method?: HttpMethod;
  url: string;
  params?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Safe to send twice (reads, and POST reads such as getIamPolicy or testIamPermissions):
   * retried on 429 / 5xx / a reset. GETs are idempotent without saying so.
   */
  idempotent?: boolean;
  /** `arraybuffer`: the body's bytes as they came (a byte range of an object); default JSON. */
  responseType?: 'json' | 'arraybuffer';
  /** false: not retried here even if idempotent (a failure that would only recur, e.g. a deadline). */
  retry?: boolean;
}

/**
 * Retries for idempotent calls: three more tries on 408 / 429 / 5xx or a dropped connection,
 * exponential backoff from 250 ms with full jitter (so many clients do not retry in step), at
 * most 20 s in all. Writes are never retried here: setIamPolicy has its own etag loop.
 */
export function idempotentRetry(method: HttpMethod): gaxios.RetryConfig {
  return {
    retry: 3,
    noResponseRetries: 3,
    retryDelay: 250,
    retryDelayMultiplier: 2,
    maxRetryDelay: 4000,
    totalTimeout: 20_000,
    httpMethodsToRetry: [method],
    statusCodesToRetry: [
      [408, 408],
      [429, 429],
      [500, 599],
    ],
    retryBackoff: (_err, delay) => new Promise((resolve) => setTimeout(resolve, Math.random() * delay)),
  };
}

/**
 * A gaxios transport that sends Google-host URLs to the env's GENAI_DOCTOR_ENDPOINT when it is
 * set; used for both our requests and google-auth-library's own (the OAuth token exchange).
 */
export function makeTransporter(env: NodeJS.ProcessEnv = process.env): gaxios.Gaxios {
  const endpoints = new Endpoints(env);
  const transport = new gaxios.Gaxios();
  transport.interceptors.request.add({
    resolved: async (opts) => {
      opts.url = endpoints.rewrite(new URL(String(opts.url)));
      return opts;
    },
  });
  return transport;
}

export class GcpClient {
  readonly endpoints: Endpoints;

  constructor(
    readonly auth: AuthClient,
    /** Who this client calls as, for messages: an email or `operator`. */
    readonly label: string,
    /** The env the client was built for: its API URLs come from it. */
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.endpoints = new Endpoints(env);
  }

  /** `path` on the API's base URL for this client's env; `location` matters for Vertex AI only. */
  url(api: GoogleApi, path: string, location?: string): string {
    return this.endpoints.url(api, path, location);
  }

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
        responseType: req.responseType ?? 'json',
        // Idempotent calls ride out one 429 / 503 / reset; writes are left to our own loops
        // (409 read-modify-write, verify backoff).
        ...((method === 'GET' || req.idempotent) && req.retry !== false
          ? { retry: true, retryConfig: idempotentRetry(method) }
          : { retry: false }),
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
      if (e instanceof NoCredentialsError) throw e;
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

/** Where ADC looks for its file: GOOGLE_APPLICATION_CREDENTIALS, else gcloud's well-known file. */
export function adcPath(env: NodeJS.ProcessEnv): string {
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS;
  const base = env.CLOUDSDK_CONFIG || join(env.APPDATA || join(homedir(), '.config'), 'gcloud');
  return join(base, 'application_default_credentials.json');
}

/**
 * Application Default Credentials, found as every Google client library finds them (the named
 * file, gcloud's file, the metadata server) but in `env`: google-auth-library's own search reads
 * process.env, which is another world when a session was given its own env.
 */
export function applicationDefaultAuth(env: NodeJS.ProcessEnv = process.env): GoogleAuth {
  const clientOptions = { transporter: makeTransporter(env) };
  const file = adcPath(env);
  // A named file that is missing is an error (as in the library); gcloud's file is optional.
  if (env.GOOGLE_APPLICATION_CREDENTIALS || existsSync(file)) {
    let credentials: GoogleAuthOptions['credentials'];
    try {
      credentials = JSON.parse(readFileSync(file, 'utf8')) as GoogleAuthOptions['credentials'];
    } catch (e) {
      const named = env.GOOGLE_APPLICATION_CREDENTIALS
        ? 'specified by GOOGLE_APPLICATION_CREDENTIALS'
        : 'of gcloud';
      throw new Error(
        `Unable to read the credential file ${named}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return new GoogleAuth({ credentials, scopes: [CLOUD_PLATFORM_SCOPE], clientOptions });
  }
  const authClient = new OAuth2Client(clientOptions);
  authClient.refreshHandler = async () => {
    const token = await metadataToken(env).catch((e: unknown) => {
      throw new NoCredentialsError(
        `Could not load the default credentials: no key file (GOOGLE_APPLICATION_CREDENTIALS unset, no ${file}) and no metadata server at ${metadataBase(env).base} (${e instanceof Error ? e.message : String(e)})`,
      );
    });
    return { access_token: token.access_token, expiry_date: Date.now() + token.expires_in * 1000 };
  };
  return new GoogleAuth({ authClient });
}

/** `env` must be the one `auth` was built for (applicationDefaultAuth(env), makeTransporter(env)). */
export async function clientFromGoogleAuth(
  auth: GoogleAuth,
  env: NodeJS.ProcessEnv = process.env,
  label = 'operator',
): Promise<GcpClient> {
  const client = (await auth.getClient()) as AuthClient;
  return new GcpClient(client, label, env);
}

/** The operator's client: Application Default Credentials found in `env`, URLs built from it. */
export function adcClient(env: NodeJS.ProcessEnv = process.env): Promise<GcpClient> {
  return clientFromGoogleAuth(applicationDefaultAuth(env), env);
}

/** A client that sends a bearer token obtained elsewhere (impersonation, metadata server). */
export function clientFromAccessToken(
  env: NodeJS.ProcessEnv,
  token: string,
  label: string,
  expiresAt?: number,
): GcpClient {
  const auth = new OAuth2Client({ transporter: makeTransporter(env) });
  auth.setCredentials({ access_token: token, expiry_date: expiresAt ?? Date.now() + 3_600_000 });
  return new GcpClient(auth, label, env);
}
