#!/usr/bin/env node
// The install script: builds the native log scanner (native/scan.c -> build/Release) with
// node-gyp. It never fails the install: without a compiler, Node's headers or node-gyp, it says
// so in one line and genai-doctor uses its JavaScript scanner. Run it again with
// `npm run install` after changing native/scan.c.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function skip(reason) {
  process.stdout.write(
    `genai-doctor: native log scanner not built (${reason}); using the JavaScript scanner\n`,
  );
  process.exit(0);
}

/** node-gyp's entry script: npm's own (npm names it to lifecycle scripts), else one installed. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) {
    // .../npm/bin/npm-cli.js -> .../npm/node_modules/node-gyp
    candidates.push(
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  }
  const prefix = dirname(dirname(process.execPath));
  for (const lib of ['lib/node_modules', 'node_modules']) {
    candidates.push(join(prefix, lib, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: the paths above are all there is
  }
  return candidates.find((p) => p && existsSync(p));
}

/**
 * Node's headers from the installation itself (Debian's nodejs, the official tarballs), so that
 * node-gyp does not download them: the only place it looks by default is its own cache.
 */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return undefined; // node-gyp reads it itself
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The line of node-gyp's output that says what went wrong. */
function reasonFrom(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const err =
    lines.find((l) => /\b(fatal )?error:/i.test(l) && !l.startsWith('gyp')) ??
    lines.find((l) => /^gyp: /.test(l)) ??
    lines.findLast((l) => /^[A-Za-z.]*(Error|Exception): /.test(l)) ??
    lines.find((l) => l.startsWith('gyp ERR! stack Error: ')) ??
    'node-gyp failed';
  return err.replace(/^gyp ERR! stack /, '').slice(0, 200);
}

/** Whether `cmd --version` runs: node-gyp's own message for a missing tool is a Python traceback. */
function runs(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

try {
  if (process.env.GENAI_DOCTOR_NATIVE_SCAN === '0') skip('GENAI_DOCTOR_NATIVE_SCAN=0');
  if (process.platform === 'win32') skip('it needs mmap: Linux or macOS');
  const cc = process.env.CC ?? 'cc';
  if (!runs(cc)) skip(`no C compiler: ${cc}`);
  if (!runs('make')) skip('make not found');
  const gyp = findNodeGyp();
  if (!gyp) skip('node-gyp not found');
  const nodedir = localNodeDir();
  const args = [gyp, 'rebuild', '--loglevel=error', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    // Headers that have to be downloaded without a network would otherwise hang the install.
    timeout: 300_000,
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (r.error) skip(r.error.message);
  if (r.status !== 0) skip(reasonFrom(`${r.stdout}\n${r.stderr}`));
  if (!existsSync(join(root, 'build', 'Release', 'genai_doctor_scan.node'))) skip('node-gyp built nothing');
  // A build that cannot load (another ABI, a broken toolchain) is no better than none.
  const check = spawnSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(join(root, 'build', 'Release', 'genai_doctor_scan.node'))})`],
    { encoding: 'utf8' },
  );
  if (check.status !== 0) skip(`the addon does not load: ${check.stderr.trim().split('\n')[0]}`);
  process.stdout.write('genai-doctor: native log scanner built\n');
} catch (err) {
  skip(err instanceof Error ? err.message : String(err));
}
