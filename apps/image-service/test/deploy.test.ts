/**
 * The deploy files, checked since neither Docker nor Terraform can run here: the Dockerfile linted
 * (test/dockerfile-lint.ts), the Terraform parsed with @cdktf/hcl2json and its
 * resources and references asserted, and both cross-checked against what the service reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { loadConfig } from '../src/config.js';
import { lintDockerfile } from './dockerfile-lint.js';

const root = new URL('../../../', import.meta.url).pathname;
const appDir = join(root, 'apps/image-service');
const dockerfile = readFileSync(join(appDir, 'Dockerfile'), 'utf8');

type Block = Record<string, unknown>;
async function terraform(): Promise<{
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
  variable: Record<string, Block[]>;
}> {
  const dir = join(appDir, 'terraform');
  const merged = {
    resource: {} as Record<string, Record<string, Block[]>>,
    locals: [] as Block[],
    variable: {} as Record<string, Block[]>,
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.tf'))) {
    const json = (await parse(f, readFileSync(join(dir, f), 'utf8'))) as Record<string, never>;
    for (const [type, byName] of Object.entries(
      (json.resource ?? {}) as Record<string, Record<string, Block[]>>,
    )) {
      merged.resource[type] = { ...merged.resource[type], ...byName };
    }
    merged.locals.push(...((json.locals ?? []) as Block[]));
    Object.assign(merged.variable, json.variable ?? {});
  }
  return merged;
}

/** A Terraform interpolation as hcl2json prints it: tf$('var.x') is the string "${var.x}". */
const tf$ = (expr: string) => '$' + '{' + expr + '}';

const one = <T>(xs: T[] | undefined): T => {
  assert.ok(xs && xs.length === 1, 'expected exactly one block');
  return xs[0]!;
};

describe('Dockerfile', () => {
  test('passes the lint rules', () => {
    assert.deepEqual(lintDockerfile(dockerfile), []);
  });

  test('runs the compiled entry point that tsc emits for apps/image-service/src/main.ts', () => {
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    assert.deepEqual(JSON.parse(cmd!), ['node', 'apps/image-service/dist/main.js']);
    const build = JSON.parse(readFileSync(join(appDir, 'tsconfig.json'), 'utf8'));
    assert.deepEqual(build.include, ['src']);
    assert.equal(build.compilerOptions.outDir, 'dist');
    assert.equal(build.compilerOptions.rootDir, 'src');
    assert.match(
      readFileSync(join(root, 'package.json'), 'utf8'),
      /"service": ".*node apps\/image-service\/dist\/main\.js"/,
    );
  });

  test('copies what the build reads and installs the workspace with the package it runs', () => {
    const root$ = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.ok(root$.workspaces.includes('apps/image-service'));
    const app = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
    assert.equal(app.dependencies['genai-doctor'], 'file:../..');
    for (const path of ['apps/image-service/package.json', 'apps/image-service/src', 'src']) {
      assert.match(dockerfile, new RegExp(`^COPY ${path.replace(/[/.]/g, '\\$&')} `, 'm'), path);
    }
    assert.match(dockerfile, /npm ci --omit=dev --workspace apps\/image-service --include-workspace-root/);
    const ignore = readFileSync(join(appDir, 'Dockerfile.dockerignore'), 'utf8');
    for (const path of ['apps/image-service/package.json', 'apps/image-service/src/**', 'src/**'])
      assert.ok(ignore.split('\n').includes(`!${path}`), path);
  });

  test('the checker catches the mistakes it exists for', () => {
    const bad = [
      'FROM node:latest',
      'ENV GOOGLE_API_KEY=abc',
      'RUN npm install',
      'HEALTHCHECK CMD curl -f localhost:8080/healthz',
      'CMD node main.js',
    ].join('\n');
    const rules = new Set(lintDockerfile(bad).map((p) => p.rule));
    for (const r of [
      'pinned-base',
      'multi-stage',
      'non-root',
      'no-secrets',
      'prod-deps',
      'no-healthcheck',
      'exec-cmd',
    ]) {
      assert.ok(rules.has(r), `expected ${r} in ${[...rules].join(',')}`);
    }
    assert.ok(
      lintDockerfile(dockerfile.replace('USER node', 'USER root')).some((p) => p.rule === 'non-root'),
    );
    assert.ok(lintDockerfile(dockerfile.replace('--omit=dev ', '')).some((p) => p.rule === 'prod-deps'));
  });

  test('the container port is the one the service listens on by default', () => {
    assert.match(dockerfile, /^EXPOSE 8080$/m);
    assert.equal(loadConfig({}).port, 8080);
  });
});

describe('Terraform', () => {
  test('a dedicated service account runs the Cloud Run v2 service', async () => {
    const tf = await terraform();
    const [saName] = Object.keys(tf.resource.google_service_account ?? {});
    assert.ok(saName, 'google_service_account is declared');
    const run = one(Object.values(tf.resource.google_cloud_run_v2_service ?? {})[0]);
    const template = one(run.template as Block[]);
    assert.equal(template.service_account, `\${google_service_account.${saName}.email}`);
  });

  test('the service account holds roles/aiplatform.user in the project the service calls', async () => {
    const tf = await terraform();
    const [saName] = Object.keys(tf.resource.google_service_account!);
    const members = Object.values(tf.resource.google_project_iam_member ?? {}).flat();
    const grant = members.find((m) => m.role === 'roles/aiplatform.user');
    assert.ok(grant, 'roles/aiplatform.user is granted');
    assert.equal(grant.member, `serviceAccount:\${google_service_account.${saName}.email}`);
    // The project the service calls: its GOOGLE_CLOUD_PROJECT.
    const run = one(Object.values(tf.resource.google_cloud_run_v2_service!)[0]);
    const env = one(one(run.template as Block[]).containers as Block[]).env as {
      name: string;
      value: string;
    }[];
    const calls = env.find((e) => e.name === 'GOOGLE_CLOUD_PROJECT')?.value;
    assert.equal(grant.project, calls);
    const local = tf.locals.find((l) => 'model_project' in l)?.model_project;
    assert.equal(calls, tf$('local.model_project'));
    assert.equal(local, tf$('coalesce(var.model_project_id, var.project_id)'));
    assert.equal(one(tf.variable.model_project_id).default, null);
  });

  test('no broad or primitive role is granted anywhere', async () => {
    const tf = await terraform();
    const roles = Object.values(tf.resource)
      .flatMap((byName) => Object.values(byName).flat())
      .map((b) => b.role)
      .filter((r): r is string => typeof r === 'string');
    for (const r of roles) {
      assert.ok(!['roles/owner', 'roles/editor', 'roles/viewer', 'roles/aiplatform.admin'].includes(r), r);
      assert.ok(!r.endsWith('.serviceAgent'), r);
    }
  });

  test('Vertex AI is enabled in the project the service calls', async () => {
    const tf = await terraform();
    const services = Object.values(tf.resource.google_project_service ?? {}).flat();
    const vertex = services.find((s) => s.service === 'aiplatform.googleapis.com');
    assert.ok(vertex);
    assert.equal(vertex.project, tf$('local.model_project'));
    assert.equal(vertex.disable_on_destroy, false);
    const run = one(Object.values(tf.resource.google_cloud_run_v2_service!)[0]);
    const deps = run.depends_on as string[];
    assert.ok(
      deps.some((d) => d.includes('google_project_service.')),
      'service waits for the API',
    );
    assert.ok(
      deps.some((d) => d.includes('google_project_iam_member.')),
      'service waits for the grant',
    );
  });

  test('the env it sets is the env the service reads, with the defaults it documents', async () => {
    const tf = await terraform();
    const run = one(Object.values(tf.resource.google_cloud_run_v2_service!)[0]);
    const container = one(one(run.template as Block[]).containers as Block[]);
    const env = Object.fromEntries(
      (container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    for (const name of [
      'GOOGLE_CLOUD_PROJECT',
      'GOOGLE_CLOUD_LOCATION',
      'IMAGE_MODEL',
      'DD_SERVICE',
      'DD_ENV',
      'DD_VERSION',
    ]) {
      assert.ok(name in env, `${name} is set`);
    }
    // Substitute the variables' defaults and read the result as the service would on Cloud Run.
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        v
          .replace(/\$\{var\.(\w+)\}/g, (_, n: string) => String(one(tf.variable[n]).default))
          .replace(tf$('local.model_project'), 'calls-project'),
      ]),
    );
    const config = loadConfig({ ...resolved, K_SERVICE: 'genai-image-service' });
    assert.equal(config.backend, 'google');
    assert.equal(config.project, 'calls-project');
    assert.equal(config.location, 'global');
    assert.equal(config.model, 'gemini-3-pro-image-preview');
    assert.equal(config.runtime, 'cloud-run');
    const port = one(container.ports as Block[]).container_port;
    assert.equal(port, config.port);
    const probe = one(one(container.startup_probe as Block[]).http_get as Block[]);
    assert.equal(probe.path, '/healthz');
  });
});
