/**
 * Everything the live doctor learns about one target, fetched lazily and at most once: the
 * caller's credentials, the metadata server, the Cloud Run service, the projects from every
 * source, policies, role permissions, and credentials that act as the workload's principal.
 * Probes await only what they need, so independent requests overlap.
 */

import type { Policy } from '../core/iam.js';
import { emailOf, memberOf } from '../core/ids.js';
import type { Runtime } from '../core/model.js';
import type { RoleIndex } from '../core/roles/index.js';
import { loadRoleIndex } from '../core/roles/load.js';
import { adcClient, clientFromAccessToken, type GcpClient } from '../gcp/client.js';
import { Endpoints } from '../gcp/endpoints.js';
import { describeError, isNotFound, withContext } from '../gcp/errors.js';
import { defaultComputeServiceAccount, getRole } from '../gcp/iam.js';
import { generateAccessToken } from '../gcp/iamcredentials.js';
import { type MetadataIdentity, metadataIdentity, metadataToken } from '../gcp/metadata.js';
import { tokenInfo } from '../gcp/oauth2.js';
import { getIamPolicy, getProject, type Project } from '../gcp/resourcemanager.js';
import {
  getRunService,
  listRunServices,
  type RunService,
  runServiceEnv,
  runServiceName,
} from '../gcp/run.js';
import { type AdcFileInfo, readAdcFile } from './adc.js';
import { memoBy, once } from './once.js';

/** `--cloud-run NAME` names no service in that project and region. */
export class UnknownServiceError extends Error {
  override name = 'UnknownServiceError';
  constructor(service: string, project: string, region: string, existing: string[] | undefined) {
    const there =
      existing === undefined
        ? 'the services there could not be listed'
        : existing.length === 0
          ? 'it has no services'
          : `services there: ${existing.join(', ')}`;
    super(`no Cloud Run service '${service}' in project ${project}, region ${region}; ${there}`);
  }
}

export interface CheckOptions {
  project?: string;
  cloudRun?: string;
  region?: string;
  location?: string;
  model?: string;
  principal?: string;
  impersonate?: string;
  rolesFile?: string;
  /** The real call: countTokens (free, default) or generateContent (billed; shows quota / rate limits). */
  call?: 'countTokens' | 'generateContent';
  /** Vertex AI (default) or the Gemini Developer API. */
  api?: 'vertex' | 'gemini';
  /** Env var holding the API key the workload calls with (the key is never printed or saved). */
  apiKeyEnv?: string;
  /** The quota project the workload's call bills to (sent as x-goog-user-project, as client libraries do). */
  quotaProject?: string;
  /** Env var holding the access token the workload calls with (never printed or saved). */
  accessTokenEnv?: string;
  /** Run probes one after another (the benchmark's baseline). */
  sequential?: boolean;
  env?: NodeJS.ProcessEnv;
}

export type CallerSource = 'adc-file' | 'gcloud-adc' | 'metadata' | 'impersonation';

export interface Caller {
  client: GcpClient;
  source: CallerSource;
  email?: string;
}

export type ProjectSourceName =
  | 'flag --project'
  | 'env GOOGLE_CLOUD_PROJECT'
  | 'env GCLOUD_PROJECT'
  | 'env CLOUDSDK_CORE_PROJECT'
  | 'ADC quota_project_id'
  | 'ADC project_id'
  | 'metadata server'
  | 'Cloud Run service project'
  | `Cloud Run env ${string}`
  | 'workload hosting project'
  | `workload env ${string}`;

export interface ProjectSource {
  source: ProjectSourceName;
  value: string;
}

export interface Disagreement {
  source: ProjectSourceName;
  value: string;
  /** The project the check treats as meant (where the workload runs / the flag says). */
  intended: string;
  /** Whether this source decides the project the workload's call actually names. */
  decidesCall: boolean;
}

export interface Target {
  /** The project the caller means: flag, else the first source that names one. */
  project: string;
  /** The project the workload's call names (Cloud Run env wins, as client libraries read it). */
  callProject: string;
  location: string;
  model: string;
  principal: string;
  principalSource:
    | 'flag --principal'
    | 'flag --impersonate'
    | 'Cloud Run service account'
    | 'Cloud Run default compute account'
    | 'workload runtime identity'
    | 'caller';
  /**
   * Who acts as / impersonates `principal`: the Cloud Run service's own account when the workload
   * impersonates the principal named by --principal, or the operator for --impersonate.
   */
  actor?: string;
  runtime: Runtime;
  cloudRun?: {
    service: string;
    region: string;
    name: string;
    serviceAccount?: string;
    env: Record<string, string>;
  };
  sources: ProjectSource[];
  disagreements: Disagreement[];
}

/** Env var names client libraries read the project from, in the order they read them. */
export const PROJECT_ENV_VARS = ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT'] as const;

export type PrincipalCredentials =
  | {
      ok: true;
      client: GcpClient;
      via: 'caller' | 'metadata' | 'impersonation' | 'workload-impersonation' | 'access-token';
    }
  | {
      ok: false;
      reason: string;
      error?: unknown /** the workload itself would fail here */;
      workloadFails?: boolean;
    };

export { emailOf, memberOf };

export class LiveSession {
  /** The world this session looks at: credentials, metadata server and every API URL come from it. */
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints: Endpoints;
  constructor(readonly opts: CheckOptions) {
    this.env = opts.env ?? process.env;
    this.endpoints = new Endpoints(this.env);
  }

  readonly adc = once(async (): Promise<AdcFileInfo | undefined> => readAdcFile(this.env));

  readonly metadata = once(async (): Promise<MetadataIdentity | undefined> => {
    try {
      return await metadataIdentity(this.env);
    } catch {
      return undefined;
    }
  });

  /** The operator's own credentials (ADC), before any impersonation. */
  readonly operatorClient = once(async (): Promise<GcpClient> => adcClient(this.env));

  /** Who the operator is: the key file names it, else tokeninfo on the operator's token. */
  readonly operatorEmail = once(
    async (): Promise<string | undefined> =>
      (await this.adc())?.clientEmail ??
      (await tokenInfo(await this.operatorClient()).catch(() => undefined))?.email,
  );

  /** The credentials genai-doctor itself calls Google with (ADC, optionally impersonating). */
  readonly caller = once(async (): Promise<Caller> => {
    const adc = await this.adc();
    const base = await this.operatorClient();
    const source: CallerSource = this.env.GOOGLE_APPLICATION_CREDENTIALS
      ? 'adc-file'
      : adc
        ? 'gcloud-adc'
        : 'metadata';
    // Without a key file the operator's token comes from the metadata server: without one, there
    // are no credentials at all (the client would only fail at its first request).
    if (source === 'metadata' && !(await this.metadata())) await base.accessToken();
    if (this.opts.impersonate) {
      const t = await generateAccessToken(base, this.opts.impersonate).catch(async (e: unknown) => {
        // Say who tried: the 403 Google returns names neither the caller nor the account.
        const who = await this.operatorEmail();
        throw withContext(
          e,
          `${who ?? 'the ADC account'} may not impersonate ${this.opts.impersonate} (it needs roles/iam.serviceAccountTokenCreator on that account)`,
        );
      });
      return {
        client: clientFromAccessToken(
          this.env,
          t.accessToken,
          this.opts.impersonate,
          Date.parse(t.expireTime),
        ),
        source: 'impersonation',
        email: this.opts.impersonate,
      };
    }
    return { client: base, source };
  });

  readonly callerClient = async (): Promise<GcpClient> => (await this.caller()).client;

  /** Who the caller's token belongs to, as tokeninfo says (the file may name someone else). */
  readonly callerEmail = once(async (): Promise<string | undefined> => {
    const c = await this.caller();
    if (c.email) return c.email;
    const info = await tokenInfo(c.client);
    return info.email ?? (await this.adc())?.clientEmail;
  });

  /** The project the caller means, before looking at any workload. */
  readonly baseProject = once(async (): Promise<string | undefined> => {
    if (this.opts.project) return this.opts.project;
    for (const v of PROJECT_ENV_VARS) if (this.env[v]) return this.env[v];
    const adc = await this.adc();
    return adc?.quotaProjectId ?? adc?.projectId ?? (await this.metadata())?.projectId;
  });

  /** The metadata server's token for its default account (the workload's own credentials). */
  readonly workloadToken = once(async () => metadataToken(this.env));

  /**
   * Starts every request that needs nothing but flags, so the probes' critical path is as short as
   * the dependencies allow (token -> Cloud Run service -> principal -> call). Failures are left for
   * the probes that need the values to report.
   */
  prefetch(): void {
    const quiet = (p: Promise<unknown>) => void p.catch(() => undefined);
    quiet(this.callerEmail());
    quiet(this.runService());
    quiet(this.metadata().then((md) => (md ? this.workloadToken() : undefined)));
    quiet(this.baseProject().then((p) => (p ? this.project(p) : undefined)));
    quiet(this.roleIndex());
  }

  readonly runService = once(async (): Promise<RunService | undefined> => {
    if (!this.opts.cloudRun) return undefined;
    const project = await this.baseProject();
    if (!project) throw new Error('--cloud-run needs a project: pass --project');
    const region = this.opts.region ?? (await this.metadata())?.region;
    if (!region) throw new Error('--cloud-run needs --region');
    const client = await this.callerClient();
    const service = this.opts.cloudRun;
    try {
      return await getRunService(client, runServiceName(project, region, service));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // A service the user named that does not exist is their mistake (a typo, a wrong region),
      // not a cause to diagnose: Google's 404 would read as a missing model.
      const existing = await listRunServices(client, project, region)
        .then((list) => list.map((s) => s.name.split('/').pop() ?? s.name))
        .catch(() => undefined);
      throw new UnknownServiceError(service, project, region, existing);
    }
  });

  readonly project = memoBy(
    async (id: string): Promise<Project> => getProject(await this.callerClient(), id),
  );

  readonly policy = memoBy(
    async (id: string): Promise<Policy> => getIamPolicy(await this.callerClient(), id),
  );

  readonly roleIndex = once(async (): Promise<RoleIndex> => loadRoleIndex(this.opts.rolesFile));

  /** A role's permissions: the role catalog first, the IAM API for custom or unknown roles. */
  readonly rolePermissions = memoBy(async (role: string): Promise<string[]> => {
    const known = (await this.roleIndex()).roleFor(role);
    if (known?.includedPermissions) return known.includedPermissions;
    const fetched = await getRole(await this.callerClient(), role);
    return fetched.includedPermissions ?? [];
  });

  readonly sources = once(async (): Promise<ProjectSource[]> => {
    const out: ProjectSource[] = [];
    if (this.opts.project) out.push({ source: 'flag --project', value: this.opts.project });
    for (const v of PROJECT_ENV_VARS) {
      const value = this.env[v];
      if (value) out.push({ source: `env ${v}` as ProjectSourceName, value });
    }
    const adc = await this.adc();
    if (adc?.quotaProjectId) out.push({ source: 'ADC quota_project_id', value: adc.quotaProjectId });
    if (adc?.projectId) out.push({ source: 'ADC project_id', value: adc.projectId });
    const md = await this.metadata();
    if (md?.projectId) out.push({ source: 'metadata server', value: md.projectId });
    const svc = await this.runService().catch(() => undefined);
    if (svc) {
      out.push({ source: 'Cloud Run service project', value: svc.name.split('/')[1] ?? '' });
      const env = runServiceEnv(svc);
      for (const v of PROJECT_ENV_VARS) {
        if (env[v]) out.push({ source: `Cloud Run env ${v}`, value: env[v] });
      }
    }
    return out;
  });

  readonly target = once(async (): Promise<Target> => {
    const sources = await this.sources();
    const base = await this.baseProject();
    const svc = this.opts.cloudRun ? await this.runService() : undefined;
    const runEnv = svc ? runServiceEnv(svc) : {};
    const project = base ?? svc?.name.split('/')[1];
    if (!project) {
      throw new Error('no project found: pass --project, set GOOGLE_CLOUD_PROJECT, or run on Google Cloud');
    }
    const runProjectVar = PROJECT_ENV_VARS.find((v) => runEnv[v]);
    const callProject = (runProjectVar && runEnv[runProjectVar]) || project;
    const location =
      this.opts.location ?? runEnv.GOOGLE_CLOUD_LOCATION ?? this.env.GOOGLE_CLOUD_LOCATION ?? 'global';
    const model = this.opts.model ?? runEnv.GEMINI_MODEL ?? runEnv.MODEL ?? 'gemini-2.5-flash';
    let principal: string;
    let principalSource: Target['principalSource'];
    if (this.opts.principal) {
      principal = emailOf(this.opts.principal);
      principalSource = 'flag --principal';
    } else if (this.opts.impersonate && !svc) {
      principal = this.opts.impersonate;
      principalSource = 'flag --impersonate';
    } else if (svc?.template?.serviceAccount) {
      principal = svc.template.serviceAccount;
      principalSource = 'Cloud Run service account';
    } else if (svc) {
      const p = await this.project(svc.name.split('/')[1] ?? project);
      principal = defaultComputeServiceAccount(p.projectNumber);
      principalSource = 'Cloud Run default compute account';
    } else {
      const email = await this.callerEmail().catch(() => undefined);
      if (!email) throw new Error('could not tell who the caller is: pass --principal');
      principal = email;
      principalSource = 'caller';
    }
    const decides = runProjectVar ? `Cloud Run env ${runProjectVar}` : undefined;
    const disagreements = sources
      .filter((s) => s.value !== project)
      .map((s) => ({
        source: s.source,
        value: s.value,
        intended: project,
        decidesCall: s.source === decides,
      }));
    const region = this.opts.region ?? svc?.name.split('/')[3];
    const actor = await this.actorOf(principal, principalSource, svc);
    return {
      project,
      callProject,
      location,
      model,
      principal,
      principalSource,
      ...(actor ? { actor } : {}),
      runtime: svc ? 'cloud-run' : (await this.adc()) ? 'local' : 'other',
      ...(svc && this.opts.cloudRun && region
        ? {
            cloudRun: {
              service: this.opts.cloudRun,
              region,
              name: svc.name,
              serviceAccount: svc.template?.serviceAccount || undefined,
              env: runEnv,
            },
          }
        : {}),
      sources,
      disagreements,
    };
  });

  /** The identity that impersonates the principal, where the check knows one (Target.actor). */
  private async actorOf(
    principal: string,
    source: Target['principalSource'],
    svc: RunService | undefined,
  ): Promise<string | undefined> {
    if (source === 'flag --impersonate') return this.operatorEmail();
    if (source !== 'flag --principal' || !svc) return undefined;
    const runsAs =
      svc.template?.serviceAccount ||
      (await this.project(svc.name.split('/')[1] ?? '')
        .then((p) => defaultComputeServiceAccount(p.projectNumber))
        .catch(() => undefined));
    return runsAs && runsAs !== principal ? runsAs : undefined;
  }

  /**
   * Credentials that act AS the principal, for the one real call: the caller's own when the
   * caller is the principal, the metadata server's token when it serves the principal, else a
   * short-lived token through iamcredentials (needs roles/iam.serviceAccountTokenCreator).
   */
  readonly principalCredentials = once(async (): Promise<PrincipalCredentials> => {
    const t = await this.target();
    if (this.opts.accessTokenEnv) {
      const token = this.env[this.opts.accessTokenEnv];
      if (!token) return { ok: false, reason: `env ${this.opts.accessTokenEnv} is empty` };
      return { ok: true, client: clientFromAccessToken(this.env, token, t.principal), via: 'access-token' };
    }
    // The key file names its account: no need to wait for tokeninfo to compare.
    const callerEmail =
      this.opts.impersonate ??
      (await this.adc())?.clientEmail ??
      (await this.callerEmail().catch(() => undefined));
    if (callerEmail && callerEmail === t.principal) {
      return { ok: true, client: await this.callerClient(), via: 'caller' };
    }
    const md = await this.metadata();
    if (md && md.email === t.principal) {
      try {
        const tok = await this.workloadToken();
        return {
          ok: true,
          client: clientFromAccessToken(
            this.env,
            tok.access_token,
            t.principal,
            Date.now() + tok.expires_in * 1000,
          ),
          via: 'metadata',
        };
      } catch (e) {
        return { ok: false, reason: `metadata token: ${describeError(e)}`, error: e };
      }
    }
    // A workload that runs as one account and impersonates the principal: do what it does.
    if (md && t.cloudRun && t.principalSource === 'flag --principal' && md.email !== t.principal) {
      try {
        const own = await this.workloadToken();
        const runtime = clientFromAccessToken(
          this.env,
          own.access_token,
          md.email,
          Date.now() + own.expires_in * 1000,
        );
        const tok = await generateAccessToken(runtime, t.principal);
        return {
          ok: true,
          client: clientFromAccessToken(this.env, tok.accessToken, t.principal, Date.parse(tok.expireTime)),
          via: 'workload-impersonation',
        };
      } catch (e) {
        return {
          ok: false,
          reason: `the workload (${md.email}) could not impersonate ${t.principal}: ${describeError(e)}`,
          error: e,
          workloadFails: true,
        };
      }
    }
    if (!t.principal.endsWith('.gserviceaccount.com')) {
      return { ok: false, reason: `cannot act as ${t.principal}: only service accounts can be impersonated` };
    }
    try {
      const tok = await generateAccessToken(await this.callerClient(), t.principal);
      return {
        ok: true,
        client: clientFromAccessToken(this.env, tok.accessToken, t.principal, Date.parse(tok.expireTime)),
        via: 'impersonation',
      };
    } catch (e) {
      const why = isNotFound(e) ? 'the service account does not exist' : describeError(e);
      return { ok: false, reason: `could not impersonate ${t.principal}: ${why}`, error: e };
    }
  });
}
