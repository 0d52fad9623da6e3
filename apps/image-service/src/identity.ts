/**
 * Who the service is and which project it calls, as the client libraries will see it: the project
 * from GOOGLE_CLOUD_PROJECT or else the metadata server (Cloud Run); the principal from the ADC
 * file when there is one, else the metadata server's default service account.
 */
import type { Runtime } from 'genai-doctor';
import { metadataIdentity, readAdcFile } from 'genai-doctor/workload';

export interface ServiceIdentity {
  project?: string;
  projectSource: 'env' | 'metadata' | 'adc-file' | 'none';
  principal?: string;
  principalSource: 'adc-file' | 'metadata' | 'none';
  runtime: Runtime;
}

export async function resolveIdentity(
  configuredProject: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceIdentity> {
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS ? readAdcFile(env) : undefined;
  const fromAdc = adc?.impersonates ?? adc?.clientEmail;
  const metadata = adc ? undefined : await metadataIdentity(env).catch(() => undefined);
  const project = configuredProject ?? metadata?.projectId ?? adc?.projectId;
  const principal = fromAdc ?? metadata?.email;
  return {
    ...(project ? { project } : {}),
    projectSource: configuredProject
      ? 'env'
      : metadata?.projectId
        ? 'metadata'
        : adc?.projectId
          ? 'adc-file'
          : 'none',
    ...(principal ? { principal } : {}),
    principalSource: fromAdc ? 'adc-file' : metadata?.email ? 'metadata' : 'none',
    // On Cloud Run K_SERVICE is set and the identity comes from the metadata server.
    runtime: env.K_SERVICE || metadata ? 'cloud-run' : 'local',
  };
}
