/**
 * Reads the Application Default Credentials FILE (not the secret in it): its type, the account
 * it names and the project fields that client libraries fall back to. Never returns key material.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface AdcFileInfo {
  path: string;
  type: string;
  clientEmail?: string;
  projectId?: string;
  quotaProjectId?: string;
  /** impersonated_service_account: the account the file impersonates. */
  impersonates?: string;
}

export function adcPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS;
  const base = env.CLOUDSDK_CONFIG || join(env.APPDATA || join(homedir(), '.config'), 'gcloud');
  return join(base, 'application_default_credentials.json');
}

export function readAdcFile(env: NodeJS.ProcessEnv = process.env): AdcFileInfo | undefined {
  const path = adcPath(env);
  if (!path) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const url = str('service_account_impersonation_url');
  return {
    path,
    type: str('type') ?? 'unknown',
    clientEmail: str('client_email'),
    projectId: str('project_id'),
    quotaProjectId: str('quota_project_id'),
    impersonates: url
      ? decodeURIComponent(url.match(/serviceAccounts\/([^:]+):/)?.[1] ?? '') || undefined
      : undefined,
  };
}
