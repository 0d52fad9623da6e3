/**
 * `npm start` (= `genai-doctor demo`): the seed incident end to end on the embedded sandbox.
 * Starts the sandbox in-process, runs check as the operator against the Cloud Run service, prints
 * the diagnosis and plan; with --apply continues with fix --apply, verify, and a real image
 * generation through @google/genai as the workload's own identity (its metadata-server token).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import { metadataToken } from '../gcp/metadata.js';
import { applyActions } from './apply.js';
import { runCheck } from './check.js';
import { chooseOption, describeAction, dryRun, operatorClient, toActions } from './fix.js';
import { PROBES } from './probes.js';
import { probeProgress } from './progress.js';
import { renderCheckBrief } from './report.js';
import { LiveSession, PROJECT_ENV_VARS } from './session.js';
import { runVerify } from './verify.js';

export interface DemoOptions {
  apply: boolean;
  scenario: string;
  propagationMs: number;
  color: boolean;
  out: (line: string) => void;
}

export interface DemoResult {
  cause?: string;
  verified?: boolean;
  image?: { model: string; mimeType: string; bytes: number };
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ scenario: o.scenario, propagationDelayMs: o.propagationMs });
  const stateDir = await mkdtemp(join(tmpdir(), 'genai-doctor-demo-'));
  // The demo's world is the sandbox alone: the user's own project settings must not leak in.
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, GENAI_DOCTOR_STATE_DIR: stateDir };
  for (const v of PROJECT_ENV_VARS) delete env[v];
  const h = (s: string) => (o.color ? pc.bold(pc.cyan(s)) : s);
  const result: DemoResult = {};
  try {
    const call = sandbox.scenario.call;
    const run = call.cloudRun;
    o.out(
      h(
        `== Sandbox: scenario ${sandbox.scenario.name} at ${sandbox.url} (IAM propagation ${o.propagationMs / 1000} s)`,
      ),
    );
    o.out(sandbox.scenario.description);
    o.out('');
    o.out(
      h(
        `== genai-doctor check${run ? ` --cloud-run ${run.service} --region ${run.region} --project ${run.project}` : ''} --model ${call.model}`,
      ),
    );
    // On a terminal the probes appear as they finish; in a log the report's table says it all.
    const progress = process.stderr.isTTY
      ? probeProgress(PROBES.length)
      : { onProbe: () => {}, done: () => {} };
    const record = await runCheck(
      {
        project: run?.project ?? call.project,
        cloudRun: run?.service,
        region: run?.region,
        model: call.model,
        location: call.location,
        env,
      },
      { onProbe: progress.onProbe },
    ).finally(progress.done);
    o.out(renderCheckBrief(record, o.color));
    o.out('(full report: genai-doctor check ...; all formats: --format md|json)');
    result.cause = record.diagnosis.findings[0]?.cause;
    if (!o.apply) {
      o.out('');
      o.out(
        'Nothing was changed. Run `npm start -- --apply` to apply the fix, verify it and make a real image call.',
      );
      return result;
    }
    if (record.healthy) return result;

    const option = chooseOption(record);
    const actions = toActions(option, record);
    o.out('');
    o.out(h(`== genai-doctor fix --apply --yes   (option ${option.id})`));
    const client = await operatorClient(record, env);
    const style = o.color ? { add: pc.green, remove: pc.red, dim: pc.dim } : undefined;
    for (const a of actions) o.out(`  - ${describeAction(a)}`);
    for (const line of await dryRun(actions, { client, log: o.out, env }, style)) o.out(line);
    const { undoPath } = await applyActions(actions, record, option, { client, log: o.out, env });
    o.out(`undo record written: ${undoPath.split('/').pop()} (genai-doctor undo FILE reverts exactly this)`);

    o.out('');
    o.out(h('== genai-doctor verify --timeout 2m'));
    const v = await runVerify(
      { ...record.options, env },
      { timeoutMs: 120_000, intervalMs: 500, log: o.out },
    );
    result.verified = v.ok;
    o.out(
      v.ok ? `VERIFIED after ${(v.elapsedMs / 1000).toFixed(1)} s (${v.attempts} attempts)` : 'NOT VERIFIED',
    );
    if (!v.ok) return result;

    o.out('');
    o.out(h('== The workload calls Gemini through @google/genai, with its own metadata-server token'));
    // What the workload calls NOW: its live env after the fix (project corrected).
    const now = await new LiveSession({ ...record.options, env }).target();
    o.out(`project ${now.callProject} (the service's env), location ${now.location}, as ${now.principal}`);
    result.image = await workloadImageCall(
      env,
      sandbox.url,
      now.callProject,
      now.location,
      call.model,
      call.prompt,
    );
    o.out(`model ${result.image.model}: ${result.image.mimeType}, ${result.image.bytes} bytes`);
    return result;
  } finally {
    await sandbox.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function workloadImageCall(
  env: NodeJS.ProcessEnv,
  baseUrl: string,
  project: string,
  location: string,
  model: string,
  prompt = 'A watercolor lighthouse at dawn',
): Promise<{ model: string; mimeType: string; bytes: number }> {
  const { GoogleGenAI } = await import('@google/genai');
  const { OAuth2Client } = await import('google-auth-library');
  const token = await metadataToken(env);
  const authClient = new OAuth2Client();
  authClient.setCredentials({
    access_token: token.access_token,
    expiry_date: Date.now() + token.expires_in * 1000,
  });
  const ai = new GoogleGenAI({
    vertexai: true,
    project,
    location,
    httpOptions: { baseUrl, apiVersion: 'v1' },
    googleAuthOptions: { authClient },
  });
  const res = await ai.models.generateContent({
    model,
    contents: prompt,
    config: { responseModalities: ['TEXT', 'IMAGE'] },
  });
  const part = res.candidates?.[0]?.content?.parts?.find((p) => p.inlineData?.data);
  if (!part?.inlineData?.data) throw new Error('the model answered without an image');
  return {
    model: res.modelVersion ?? model,
    mimeType: part.inlineData.mimeType ?? '?',
    bytes: Buffer.from(part.inlineData.data, 'base64').length,
  };
}
