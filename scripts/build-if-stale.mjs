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
const BUILT = join(ROOT, 'dist/cli/main.js');

/** The newest modification time (ms) of any file under `dir`. */
export function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing or older than a source file or a tsconfig it was built from. */
export function buildIsStale() {
  if (!existsSync(BUILT)) return true;
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(ROOT, f)).mtimeMs);
  return statSync(BUILT).mtimeMs < Math.max(newestMtime(join(ROOT, 'src')), ...configs);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (buildIsStale()) {
    process.stderr.write('genai-doctor: sources changed since the last build; building (tsc, ~10 s)...\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
