#!/usr/bin/env node
// `npm run bench NAME...` runs `npm run bench:NAME` for each name (all of them with no name).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
const all = Object.keys(scripts)
  .filter((s) => s.startsWith('bench:'))
  .map((s) => s.slice(6));
const names = process.argv.length > 2 ? process.argv.slice(2) : all;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark "${name}"; known: ${all.join(', ')}`);
    process.exit(2);
  }
  const r = spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
