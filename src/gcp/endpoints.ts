/**
 * Base URLs of every Google API the live doctor talks to. ONE setting changes them all:
 * `GENAI_DOCTOR_ENDPOINT` (e.g. the embedded sandbox's `http://127.0.0.1:8089`). Without it each
 * service uses its real host, and Vertex AI its regional host for a non-global location.
 *
 * The setting is read from the env a client or session was built for, never from process.env
 * behind its back: the web console and the tests run sessions for several worlds in one process.
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
  | 'logging'
  // Organization-wide inventory for `scan`: Cloud Asset Inventory, API Keys, Cloud Storage.
  | 'cloudasset'
  | 'apikeys'
  | 'storage'
  // Cloud Monitoring timeSeries.list, for `scan --usage`.
  | 'monitoring';

export const ENDPOINT_ENV = 'GENAI_DOCTOR_ENDPOINT';

export class Endpoints {
  // Read at each use, not copied: an env edited after the client was built still counts.
  constructor(readonly env: NodeJS.ProcessEnv) {}

  /** The override base URL without a trailing slash, or undefined when talking to Google itself. */
  get override(): string | undefined {
    const raw = this.env[ENDPOINT_ENV]?.trim();
    return raw ? raw.replace(/\/+$/, '') : undefined;
  }

  /** Base URL (scheme + host, no trailing slash) of one API; `location` matters for Vertex AI only. */
  base(api: GoogleApi, location?: string): string {
    const override = this.override;
    if (override) return override;
    if (api === 'aiplatform' && location && location !== 'global') {
      return `https://${location}-aiplatform.googleapis.com`;
    }
    return `https://${api}.googleapis.com`;
  }

  /** `path` (starting with `/`) on the API's base URL. */
  url(api: GoogleApi, path: string, location?: string): string {
    return `${this.base(api, location)}${path}`;
  }

  /**
   * Rewrites a URL on a Google API host to the override, keeping path and query. google-auth-library
   * hard-codes some URLs (the OAuth token endpoint a service-account key is exchanged at), so the
   * override is applied to its transport too; metadata-server URLs are left alone (GCE_METADATA_HOST
   * already redirects those).
   */
  rewrite(url: URL): URL {
    const override = this.override;
    if (!override || !url.hostname.endsWith('.googleapis.com')) return url;
    return new URL(url.pathname + url.search, `${override}/`);
  }
}
