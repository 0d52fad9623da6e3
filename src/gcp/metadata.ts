/**
 * The metadata server of Cloud Run / GKE / GCE (`Metadata-Flavor: Google`), honouring
 * GCE_METADATA_HOST like google-auth-library and gcp-metadata do. Off Google Cloud there is no
 * metadata server: calls then fail fast and callers treat that as "not on Google Cloud".
 */

export function metadataBase(env: NodeJS.ProcessEnv = process.env): { base: string; explicit: boolean } {
  const host = env.GCE_METADATA_HOST || env.GCE_METADATA_IP;
  const raw = host || 'metadata.google.internal';
  return { base: /^https?:\/\//.test(raw) ? raw : `http://${raw}`, explicit: Boolean(host) };
}

async function get(path: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { base, explicit } = metadataBase(env);
  // Without an explicit host, a laptop has no metadata server: do not let it slow the check down.
  const res = await fetch(`${base}/computeMetadata/v1/${path}`, {
    headers: { 'Metadata-Flavor': 'Google' },
    signal: AbortSignal.timeout(explicit ? 10_000 : 750),
  });
  if (!res.ok) throw new Error(`metadata ${path}: HTTP ${res.status}`);
  return (await res.text()).trim();
}

export interface MetadataIdentity {
  email: string;
  projectId: string;
  numericProjectId?: string;
  /** Cloud Run: `projects/NUMBER/regions/REGION`; reduced to REGION. */
  region?: string;
}

export async function metadataIdentity(env: NodeJS.ProcessEnv = process.env): Promise<MetadataIdentity> {
  const [email, projectId, numeric, region] = await Promise.all([
    get('instance/service-accounts/default/email', env),
    get('project/project-id', env),
    get('project/numeric-project-id', env).catch(() => undefined),
    get('instance/region', env).catch(() => undefined),
  ]);
  return {
    email,
    projectId,
    numericProjectId: numeric,
    region: region?.split('/').pop(),
  };
}

export interface MetadataToken {
  access_token: string;
  expires_in: number;
  token_type: string;
}

/** The default service account's access token, as a workload on the instance gets it. */
export async function metadataToken(env: NodeJS.ProcessEnv = process.env): Promise<MetadataToken> {
  return JSON.parse(await get('instance/service-accounts/default/token', env)) as MetadataToken;
}
