/**
 * Reads the Application Default Credentials FILE (not the secret in it): its type, the account
 * it names and the project fields that client libraries fall back to. Never returns key material.
 */
import { readFileSync } from 'node:fs';
import { adcPath } from '../gcp/client.js';

export interface AdcFileInfo {
  path: string;
  type: string;
  clientEmail?: string;
  projectId?: string;
  quotaProjectId?: string;
  /** impersonated_service_account: the account the file impersonates. */
  impersonates?: string;
}

export function readAdcFile(env: NodeJS.ProcessEnv = process.env): AdcFileInfo | undefined {
  const path = adcPath(env);
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
