#!/usr/bin/env node
// Runs every test/**/*.test.ts, and each npm workspace's test/**/*.test.ts (apps/image-service),
// under node's own test runner, with tsx as the TypeScript loader. Node 20's --test does not
// expand globs itself, hence this small walker. Filters are substrings of the paths.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const workspaces = JSON.parse(readFileSync('package.json', 'utf8')).workspaces ?? [];
const roots = ['test', ...workspaces.map((w) => join(w, 'test')).filter((d) => existsSync(d))];
const files = roots
  .flatMap(findTests)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
