/**
 * An interrupted `fix --apply` is always undoable. A proxy between `fix` and the sandbox adds
 * latency and can hold a change: the request (never reaches Google) or the response (Google
 * applied it, `fix` never hears). `fix` is killed there (SIGKILL, SIGINT, SIGINT twice) and at
 * random moments; then `undo` runs against the sandbox directly. Every time, the project's IAM
 * policy, its service accounts and their policies, its custom roles and the Cloud Run service
 * must equal the state before the fix, plus the bindings someone else made meanwhile.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { addGrant } from '../../src/core/policy.js';
import { adcClient, type GcpClient } from '../../src/gcp/client.js';
import { getServiceAccountIamPolicy } from '../../src/gcp/iam.js';
import { getIamPolicy } from '../../src/gcp/resourcemanager.js';
import { getRunService, runServiceEnv, runServiceName } from '../../src/gcp/run.js';
import { modifyPolicy } from '../../src/live/iam-write.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { spawnCli } from '../support/cli.js';
import { checkInvocation, runCli, workDir } from './harness.js';

/** A change to Google's state (not a read, not the OAuth token exchange). */
function isChange(method: string, path: string): boolean {
  if (method === 'PATCH' || method === 'DELETE') return true;
  return method === 'POST' && /(:setIamPolicy|:enable|\/serviceAccounts|\/roles)$/.test(path.split('?')[0]!);
}

/** request / response: held until released; drop: applied upstream, then the connection is cut. */
type Hold = 'request' | 'response' | 'drop';

/** A forwarding proxy with latency that can hold the n-th change's request or response. */
class HoldingProxy {
  readonly server = createServer((req, res) => {
    const p = this.handle(req, res).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  });
  private readonly inFlight = new Set<Promise<void>>();
  changes = 0;
  latencyMs = 0;
  /** When the first change of the current run arrived (ms since the epoch). */
  firstChangeAt = 0;
  target: { n: number; hold: Hold } | undefined;
  private reached: (() => void) | undefined;
  private releases: Array<() => void> = [];
  url = '';

  constructor(private readonly upstream: string) {}

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Arms a hold; resolves when the held change arrives (request) or was applied (response). */
  arm(n: number, hold: Hold): Promise<void> {
    this.changes = 0;
    this.target = { n, hold };
    return new Promise((r) => {
      this.reached = r;
    });
  }

  /** Changes the previous run sent. */
  lastRunChanges = 0;

  reset(): void {
    this.lastRunChanges = this.changes;
    this.changes = 0;
    this.target = undefined;
    this.release();
  }

  /** Resolves once every request that reached the proxy got its answer from upstream. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Lets held answers go (the killed client's socket is gone; a live one gets its answer). */
  release(): void {
    for (const r of this.releases.splice(0)) r();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const change = isChange(req.method ?? 'GET', req.url ?? '') ? ++this.changes : 0;
    if (change === 1) this.firstChangeAt = Date.now();
    const held = change > 0 && this.target?.n === change ? this.target.hold : undefined;
    const wait = () => new Promise<void>((r) => this.releases.push(r));
    if (held === 'request') {
      this.reached?.();
      await wait();
    }
    const upstream = await forward(this.upstream, req, body).catch(() => undefined);
    if (!upstream) {
      res.destroy();
      return;
    }
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (held === 'response') {
      this.reached?.();
      await wait();
    }
    if (held === 'drop') {
      this.reached?.();
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }
}

function forward(
  base: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const url = new URL(req.url ?? '/', base);
  const headers = { ...req.headers, host: url.host };
  return new Promise((done, fail) => {
    const out = request(url, { method: req.method, headers }, async (r) => {
      const chunks: Buffer[] = [];
      for await (const c of r) chunks.push(c as Buffer);
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers))
        if (typeof v === 'string' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
      done({ status: r.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
    });
    out.on('error', fail);
    out.end(body);
  });
}

function grants(p: Policy): string[] {
  return (p.bindings ?? [])
    .flatMap((b) =>
      b.members.map((m) => `${b.role} ${m}${b.condition ? ` if ${b.condition.expression}` : ''}`),
    )
    .sort();
}

interface World {
  policy: string[];
  accounts: Array<{ email: string; policy: string[] }>;
  roles: string[];
  run: { serviceAccount: string; env: Record<string, string> };
}

/** Everything fix may touch, in a comparable form. */
async function snapshot(client: GcpClient, project: string, runName: string): Promise<World> {
  const iam = client.url('iam', '/v1');
  const sas = await client.request<{ accounts?: Array<{ email: string }> }>({
    url: `${iam}/projects/${project}/serviceAccounts`,
  });
  const accounts = await Promise.all(
    (sas.accounts ?? []).map(async (a) => ({
      email: a.email,
      policy: grants(await getServiceAccountIamPolicy(client, a.email)),
    })),
  );
  const roles = await client.request<{ roles?: Array<{ name: string }> }>({
    url: `${iam}/projects/${project}/roles`,
  });
  const svc = await getRunService(client, runName);
  return {
    policy: grants(await getIamPolicy(client, project)),
    accounts: accounts.sort((a, b) => a.email.localeCompare(b.email)),
    roles: (roles.roles ?? []).map((r) => r.name).sort(),
    run: { serviceAccount: svc.template?.serviceAccount ?? '', env: runServiceEnv(svc) },
  };
}

async function undoRecords(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, '.genai-doctor')).catch(() => [] as string[]);
  return names.filter((f) => /^undo-.*\.json$/.test(f)).map((f) => join(dir, '.genai-doctor', f));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null)
      r({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => r({ code, signal }));
  });
}

/**
 * The seed incident checked through the CLI, a proxy in front of its sandbox, and `body` run with
 * them; everything is torn down afterwards.
 */
async function withCheckedIncident(
  operationDelayMs: number,
  body: (w: {
    proxy: HoldingProxy;
    project: string;
    dir: string;
    client: GcpClient;
    env: Record<string, string>;
    sbEnv: Record<string, string>;
    world: () => Promise<World>;
  }) => Promise<void>,
): Promise<void> {
  const sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 100, operationDelayMs });
  const proxy = new HoldingProxy(sb.url);
  await proxy.listen();
  const dir = await workDir();
  try {
    const client = await adcClient(sb.env);
    const run = sb.scenario.call.cloudRun!;
    const runName = runServiceName(run.project, run.region, run.service);
    const { args, env } = checkInvocation(sb);
    assert.equal((await runCli(args, env, dir)).code, 1, 'check finds the incident');
    await body({
      proxy,
      project: run.project,
      dir,
      client,
      env,
      sbEnv: sb.env,
      world: () => snapshot(client, run.project, runName),
    });
  } finally {
    proxy.server.closeAllConnections();
    proxy.server.close();
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

type Kill = 'SIGKILL' | 'SIGINT' | 'SIGINT-twice';

test('fix --apply killed at any point: undo restores IAM, accounts and Cloud Run, keeping others’ bindings', () =>
  withCheckedIncident(40, async ({ proxy, project, dir, client, env, sbEnv, world }) => {
    const fixArgs = ['fix', '--apply', '--yes', '--option', 'dedicated-service-account'];
    const viaProxy = { ...env, GENAI_DOCTOR_ENDPOINT: proxy.url };
    let expected = await world();
    let others = 0;

    const results: string[] = [];
    /** One interrupted run, then undo; the world must be as expected. */
    const attempt = async (label: string, kill: Kill, when: () => Promise<void>) => {
      for (const f of await undoRecords(dir)) await rm(f);
      const child = spawnCli(fixArgs, { env: viaProxy, cwd: dir });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      const end = exited(child);
      const stillRunning = await Promise.race([when().then(() => true), end.then(() => false)]);
      // Someone else changes the project policy while the fix is in flight: that must survive.
      const other = { role: 'roles/logging.viewer', member: `user:colleague-${++others}@example.com` };
      await modifyPolicy(client, project, (p) => addGrant(p, other), ['already-present']);
      expected = { ...expected, policy: [...expected.policy, `${other.role} ${other.member}`].sort() };
      if (stillRunning) {
        if (kill === 'SIGKILL') {
          child.kill('SIGKILL');
        } else {
          child.kill('SIGINT');
          if (kill === 'SIGINT-twice') setTimeout(() => child.kill('SIGINT'), 50);
        }
      }
      // A live client gets its held answer after a while (the step in flight finishes); a killed
      // one's goes nowhere; twice-interrupted, the client must not wait for it.
      if (kill !== 'SIGINT-twice') setTimeout(() => proxy.release(), kill === 'SIGINT' ? 150 : 0);
      const exit = await end;
      // A request the dead client had sent still reaches Google (as it would): let it land first.
      proxy.release();
      await proxy.idle();
      proxy.reset();
      if (stillRunning && kill === 'SIGINT' && /Stopped by SIGINT/.test(out))
        assert.equal(exit.code, 130, out);
      const records = await undoRecords(dir);
      assert.ok(records.length <= 1, out);
      if (records[0] && exit.code === 130) {
        // Stopped by the signal: the record says so, and what became of the change in flight.
        const rec = JSON.parse(await readFile(records[0], 'utf8'));
        assert.equal(rec.interrupted?.by, 'SIGINT', out);
        assert.ok(['finished', 'left-intended', 'none'].includes(rec.interrupted.inFlight), out);
        assert.equal(rec.completed, false);
      }
      if (records[0]) {
        const undo = await runCli(['undo', records[0]], sbEnv, dir);
        assert.equal(undo.code, 0, `${label}: ${out}\n${undo.stdout}${undo.stderr}`);
        assert.match(undo.stdout, /Undone\./);
      }
      assert.deepEqual(await world(), expected, `${label}: ${out}`);
      results.push(`${label}: ${stillRunning ? (exit.signal ?? exit.code) : `finished (${exit.code})`}`);
    };

    // A full run, timed: the range random kills are drawn from.
    const t0 = Date.now();
    proxy.latencyMs = 30;
    await attempt('complete run', 'SIGKILL', () => new Promise<void>(() => {}));
    const fullMs = Date.now() - t0;
    const applyFrom = Math.max(0, proxy.firstChangeAt - t0 - 300);
    const changes = proxy.lastRunChanges;
    assert.ok(changes >= 3, `the fix makes at least 3 changes (made ${changes})`);

    // Targeted: every change, held before Google sees it and after Google applied it.
    for (let n = 1; n <= changes; n++) {
      for (const hold of ['request', 'response'] as const) {
        for (const kill of ['SIGKILL', 'SIGINT', 'SIGINT-twice'] as const) {
          await attempt(`change ${n}, ${hold} held, ${kill}`, kill, () => proxy.arm(n, hold));
        }
      }
    }
    // Random: any moment of the run, with latency on every answer.
    let seed = 20261205;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 8; i++) {
      const at = applyFrom + Math.round(random() * (fullMs - applyFrom));
      const kill = (['SIGKILL', 'SIGINT'] as const)[i % 2]!;
      proxy.latencyMs = 10 + Math.round(random() * 60);
      await attempt(`random at ${at} ms, ${kill}`, kill, () => new Promise((r) => setTimeout(r, at)));
    }
    process.stdout.write(`kill points (${results.length}, all restored):\n  ${results.join('\n  ')}\n`);
  }));

test('a change whose answer is lost is confirmed by reading it back, and the run goes on', () =>
  withCheckedIncident(0, async ({ proxy, dir, env, sbEnv, world }) => {
    const before = await world();
    for (const n of [1, 2, 3]) {
      for (const f of await undoRecords(dir)) await rm(f);
      void proxy.arm(n, 'drop');
      const fix = await runCli(
        ['fix', '--apply', '--yes', '--option', 'dedicated-service-account'],
        { ...env, GENAI_DOCTOR_ENDPOINT: proxy.url },
        dir,
      );
      await proxy.idle();
      proxy.reset();
      assert.equal(fix.code, 0, `change ${n}: ${fix.stdout}${fix.stderr}`);
      const [file] = await undoRecords(dir);
      const rec = JSON.parse(await readFile(file!, 'utf8'));
      assert.equal(rec.completed, true);
      assert.equal(
        rec.changes.filter((c: { confirmedBy?: string }) => c.confirmedBy === 'read-back').length >= 1,
        true,
        JSON.stringify(rec.changes),
      );
      assert.ok(
        rec.changes.every((c: { state?: string }) => c.state === 'done'),
        JSON.stringify(rec.changes),
      );
      const undo = await runCli(['undo', file!], sbEnv, dir);
      assert.equal(undo.code, 0, undo.stdout + undo.stderr);
      assert.deepEqual(await world(), before, `change ${n}`);
    }
  }));
