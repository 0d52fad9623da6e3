/**
 * The embedded Google Cloud sandbox: start a scenario on 127.0.0.1, get the base URL, the
 * metadata host and an operator ADC key file, and point any Google client at it.
 *
 *   const sb = await startSandbox({ scenario: 'seed-incident' });
 *   // sb.env -> GENAI_DOCTOR_ENDPOINT, GCE_METADATA_HOST, GCE_METADATA_IP, GOOGLE_APPLICATION_CREDENTIALS,
 *   //           GENAI_DOCTOR_DATADOG_URL
 *   await sb.close();
 *
 * It is the default world for the demo and the tests; it is never what a real user's fix is
 * checked against.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IamRole } from '../core/iam.js';
import { BUILTIN_ROLES } from '../core/roles/builtin.js';
import { parseRoleCatalog } from '../core/roles/index.js';
import { roleCatalogText } from '../core/roles/load.js';
import type { CauseId } from '../core/taxonomy.js';
import { RoleCatalog } from './iam-eval.js';
import { generateRsaKey, type RsaKeyPair } from './jwt.js';
import { type Scenario, ScenarioError, validateScenario } from './scenario.js';
import { FLEET_NAME, fleetOptionsOf, orgFleet } from './scenarios/fleet.js';
import { shippedScenarios } from './scenarios/index.js';
import { buildServer } from './server.js';
import { SandboxState, uniqueIdFor } from './state.js';
import { callWorkload, type WorkloadCallResult } from './workload.js';

export type { GoogleErrorBody } from './errors.js';
export type { Scenario } from './scenario.js';
export { ScenarioError, validateScenario } from './scenario.js';
export { SandboxState } from './state.js';
export type { WorkloadCallResult } from './workload.js';
export { errorOf } from './workload.js';

export interface SandboxOptions {
  /** A shipped scenario name, a path to a scenario JSON file, or a Scenario; default 'seed-incident'. */
  scenario?: string | Scenario;
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** Injected delay per request, for benchmarks. */
  latencyMs?: number;
  /** IAM propagation delay; default the scenario's, else 3000 ms. */
  propagationDelayMs?: number;
  /** How long long-running operations (enable, Cloud Run patch) take; default 300 ms. */
  operationDelayMs?: number;
  /** Where the ADC file is written; default a fresh temp dir (removed on close). */
  stateDir?: string;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT — the base URL for every Google API. */
  url: string;
  /** '127.0.0.1:PORT' for GCE_METADATA_HOST. */
  metadataHost: string;
  /** The operator's ADC: a service-account key JSON (real RSA key); token_uri is `${url}/token`. */
  adcFile: string;
  /** GENAI_DOCTOR_ENDPOINT, GCE_METADATA_HOST, GCE_METADATA_IP, GOOGLE_APPLICATION_CREDENTIALS, GENAI_DOCTOR_DATADOG_URL. */
  env: Record<string, string>;
  scenario: Scenario;
  /** Live, inspectable state (policies, services, tokens, request log). */
  state: SandboxState;
  /** Makes the workload's call as the workload would (metadata token, live Cloud Run env). */
  callWorkload(): Promise<WorkloadCallResult>;
  close(): Promise<void>;
}

const DEFAULT_SCENARIO = 'seed-incident';
let keysPromise: Promise<[RsaKeyPair, RsaKeyPair]> | undefined;
const DEFAULT_PROPAGATION_MS = 3000;

/**
 * The shipped scenarios. `all` adds the ones whose failure needs a request input a live check's
 * probe call does not send (iam-service-agent: a gs:// file); those load by name either way.
 */
export function listScenarios(
  opts: { all?: boolean } = {},
): Array<{ name: string; cause: CauseId; description: string }> {
  return shippedScenarios(opts).map((s) => ({
    name: s.name,
    cause: s.expect.cause,
    description: s.description,
  }));
}

/**
 * Scenarios generated on demand, listed apart from the shipped ones: they are whole fleets, not
 * one broken call, so the per-scenario check -> fix -> verify runs do not apply to them.
 */
export const GENERATED_SCENARIOS: Array<{ name: string; cause: CauseId; description: string }> = [
  {
    name: FLEET_NAME,
    cause: 'project.mismatch',
    description:
      'A generated organization for `scan` (org-fleet:N for N projects and 3N workloads; default 1000 projects, 3000 workloads) with seeded defects; the seed incident is one of its projects.',
  },
];

/** A shipped scenario by name, or a scenario JSON file by path (validated). */
export function loadScenario(nameOrPath: string): Scenario {
  const fleet = fleetOptionsOf(nameOrPath);
  if (fleet) return orgFleet(fleet).scenario;
  const shipped = shippedScenarios({ all: true }).find((s) => s.name === nameOrPath);
  if (shipped) return validateScenario(shipped, `scenario ${nameOrPath}`);
  const looksLikePath = /[/\\]|\.json$/.test(nameOrPath);
  if (!looksLikePath) {
    // The generated organization is named with its size, so it is listed with its syntax.
    const names = [...shippedScenarios({ all: true }).map((s) => s.name), `${FLEET_NAME}[:PROJECTS]`].join(
      ', ',
    );
    throw new ScenarioError(`unknown scenario "${nameOrPath}"; shipped scenarios: ${names}`);
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (err) {
    throw new ScenarioError(
      `cannot read scenario file ${nameOrPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`scenario file ${nameOrPath} is not JSON: ${(err as Error).message}`);
  }
  const scenario = validateScenario(parsed, `scenario file ${nameOrPath}`);
  // A roles file named in the scenario is relative to the scenario file.
  if (scenario.rolesFile) scenario.rolesFile = resolve(join(nameOrPath, '..'), scenario.rolesFile);
  return scenario;
}

function roleCatalogFor(scenario: Scenario): RoleCatalog {
  const roles: IamRole[] = [];
  if (scenario.rolesFile) {
    let raw: Buffer;
    try {
      raw = readFileSync(scenario.rolesFile);
    } catch (err) {
      throw new ScenarioError(
        `cannot read rolesFile ${scenario.rolesFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    roles.push(...parseRoleCatalog(roleCatalogText(raw)));
  }
  // A roles file with the full predefined catalog (~2000 roles) lets IAM refuse unknown roles.
  const catalog = new RoleCatalog(roles, roles.length >= 500);
  // The project's own catalog fills in what a partial roles file lacks (never overrides it).
  for (const r of BUILTIN_ROLES) if (!catalog.get(r.name)) catalog.put(r);
  return catalog;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const scenario =
    typeof opts.scenario === 'object'
      ? validateScenario(structuredClone(opts.scenario), `scenario ${opts.scenario.name ?? ''}`)
      : loadScenario(opts.scenario ?? DEFAULT_SCENARIO);
  const catalog = roleCatalogFor(scenario);
  // RSA keys take a few hundred ms each to make, so a process makes its two once: the operator's
  // key (each sandbox writes it with its own key id) and the stand-in for Google's signing key.
  keysPromise ??= Promise.all([generateRsaKey(), generateRsaKey()]);
  const [operatorKey, signingKey] = await keysPromise;
  const operatorKeyId = randomBytes(20).toString('hex');
  const signing = { keyPem: signingKey.privateKeyPem, keyId: randomBytes(20).toString('hex') };
  const state = new SandboxState(scenario, {
    propagationDelayMs: opts.propagationDelayMs ?? scenario.propagationDelayMs ?? DEFAULT_PROPAGATION_MS,
    catalog,
    operatorKeyId,
    operatorPublicKey: operatorKey.publicKey,
  });
  const host = opts.host ?? '127.0.0.1';
  let url = '';
  const app = buildServer({
    state,
    latencyMs: opts.latencyMs ?? 0,
    operationDelayMs: opts.operationDelayMs ?? 300,
    signing,
    baseUrl: () => url,
  });
  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  url = `http://${host}:${port}`;
  const metadataHost = `${host}:${port}`;

  const ownsDir = opts.stateDir === undefined;
  const dir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'genai-doctor-sandbox-')));
  await mkdir(dir, { recursive: true });
  const adcFile = join(dir, `adc-${scenario.name}-${port}.json`);
  const operator = scenario.operator;
  await writeFile(
    adcFile,
    `${JSON.stringify(
      {
        type: 'service_account',
        project_id: operator.projectId,
        private_key_id: operatorKeyId,
        private_key: operatorKey.privateKeyPem,
        client_email: operator.email,
        client_id: uniqueIdFor(operator.email),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${url}/token`,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(operator.email)}`,
        universe_domain: 'googleapis.com',
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
  await chmod(adcFile, 0o600);

  const env = {
    GENAI_DOCTOR_ENDPOINT: url,
    GCE_METADATA_HOST: metadataHost,
    GCE_METADATA_IP: metadataHost,
    GOOGLE_APPLICATION_CREDENTIALS: adcFile,
    // The Datadog Logs / Monitors stand-in shares the port (`logs --datadog`, `monitors --apply`).
    GENAI_DOCTOR_DATADOG_URL: url,
  };
  let closed = false;
  return {
    url,
    metadataHost,
    adcFile,
    env,
    scenario,
    state,
    callWorkload: () => callWorkload(url, state),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (ownsDir) await rm(dir, { recursive: true, force: true });
      else await rm(adcFile, { force: true });
    },
  };
}
