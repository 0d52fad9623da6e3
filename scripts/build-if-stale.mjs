#!/usr/bin/env node
// `npm start`, `npm run service` and the benches build first, but only when a source file or a
// tsconfig is newer than the last build (tsc rewrites every output, so dist/cli/main.js dates
// it). A build takes ~10 s; saying so keeps a slow start from looking like a hang.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Each tsc project and the output file that dates its last build (tsc rewrites every output).
const PROJECTS = [
  { config: 'tsconfig.build.json', sources: ['src'], built: 'dist/cli/main.js' },
  {
    config: 'apps/image-service/tsconfig.json',
    sources: ['src', 'apps/image-service/src'],
    built: 'apps/image-service/dist/main.js',
  },
];

/** The newest modification time (ms) of any file under `dir`. */
export function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when a project's output is missing or older than a source file or a tsconfig it was built from. */
function projectIsStale({ config, sources, built }) {
  const out = join(ROOT, built);
  if (!existsSync(out)) return true;
  const configs = ['tsconfig.json', config].map((f) => statSync(join(ROOT, f)).mtimeMs);
  const newest = Math.max(...sources.map((d) => newestMtime(join(ROOT, d))), ...configs);
  return statSync(out).mtimeMs < newest;
}

/** True when the CLI's own build (dist/) is stale: what the tests ask before running dist/cli/main.js. */
export function buildIsStale() {
  return projectIsStale(PROJECTS[0]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (PROJECTS.some(projectIsStale)) {
    process.stderr.write('genai-doctor: sources changed since the last build; building (tsc, ~10 s)...\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    for (const project of PROJECTS.filter(projectIsStale)) {
      const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, project.config)], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  }
}
