/**
 * Base URLs of every Google API the live doctor talks to. ONE setting changes them all:
 * `GENAI_DOCTOR_ENDPOINT` (e.g. the embedded sandbox's `http://127.0.0.1:8089`). Without it each
 * service uses its real host, and Vertex AI its regional host for a non-global location.
 */

export type GoogleApi =
  | 'oauth2'
  | 'cloudresourcemanager'
  | 'serviceusage'
  | 'cloudbilling'
  | 'iam'
  | 'iamcredentials'
  | 'policytroubleshooter'
  | 'aiplatform'
  | 'generativelanguage'
  | 'run'
  // Cloud Logging entries.list (logging.googleapis.com), for the logs reader.
  | 'logging';

export const ENDPOINT_ENV = 'GENAI_DOCTOR_ENDPOINT';

/** The override base URL without a trailing slash, or undefined when talking to Google itself. */
export function endpointOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[ENDPOINT_ENV]?.trim();
  return raw ? raw.replace(/\/+$/, '') : undefined;
}

/** Base URL (scheme + host, no trailing slash) of one API; `location` matters for Vertex AI only. */
export function baseUrl(api: GoogleApi, location?: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = endpointOverride(env);
  if (override) return override;
  if (api === 'aiplatform' && location && location !== 'global') {
    return `https://${location}-aiplatform.googleapis.com`;
  }
  return `https://${api}.googleapis.com`;
}

/**
 * Rewrites a URL on a Google API host to the override, keeping path and query. google-auth-library
 * hard-codes some URLs (the OAuth token endpoint a service-account key is exchanged at), so the
 * override is applied to its transport too; metadata-server URLs are left alone (GCE_METADATA_HOST
 * already redirects those).
 */
export function rewriteGoogleUrl(url: URL, env: NodeJS.ProcessEnv = process.env): URL {
  const override = endpointOverride(env);
  if (!override || !url.hostname.endsWith('.googleapis.com')) return url;
  return new URL(url.pathname + url.search, `${override}/`);
}
