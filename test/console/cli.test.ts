/**
 * `genai-doctor serve` as a user runs it: a real child process, its printed URL, its warnings
 * and its refusals.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { runCliSync, spawnCli } from '../support/cli.js';

interface Started {
  child: ChildProcess;
  url: string;
  stdout: string;
  stderr: string;
}

/** Starts serve and resolves once it printed its URL. */
function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawnCli(['serve', ...args], { env });
  const started: Started = { child, url: '', stdout: '', stderr: '' };
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      started.stderr += String(d);
    });
    child.stdout.on('data', (d) => {
      started.stdout += String(d);
      const m = /console: (http:\/\/\S+)/.exec(started.stdout);
      if (m && !started.url && /Ctrl\+C/.test(started.stdout)) {
        started.url = m[1]!;
        resolve(started);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${started.stderr}`)));
  });
}

async function stop(s: Started): Promise<number | null> {
  s.child.kill('SIGTERM');
  const [code] = await once(s.child, 'exit');
  return code as number | null;
}

test('serve prints a 127.0.0.1 URL, serves the page, and stops cleanly on SIGTERM', async () => {
  const s = await startServe(['--port', '0', '--no-sandbox'], {
    GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/adc.json',
  });
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s.stderr.includes('warning'), false);
  const page = await fetch(s.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /genai-doctor console/);
  const apply = await fetch(`${s.url}/api/fix/apply`, { method: 'POST' });
  assert.equal(apply.status, 404);
  assert.equal(await stop(s), 0);
});

test('serve --host 0.0.0.0 warns that the console is reachable from other machines', async () => {
  const s = await startServe(['--host', '0.0.0.0', '--port', '0', '--no-sandbox'], {
    GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/adc.json',
  });
  assert.match(s.stderr, /warning: listening on 0\.0\.0\.0, reachable from other machines/);
  await stop(s);
});

test('serve refuses --allow-apply without a token, and a short token, with exit code 2', () => {
  const noToken = runCliSync(['serve', '--allow-apply', '--no-sandbox'], { env: { GENAI_DOCTOR_TOKEN: '' } });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /--allow-apply needs --token/);
  const short = runCliSync(['serve', '--allow-apply', '--token', 'abc', '--no-sandbox']);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /at least 16 characters/);
  const port = runCliSync(['serve', '--port', 'eighty']);
  assert.equal(port.code, 2);
  assert.doesNotMatch(port.stderr, /at .*\.ts:\d+/, 'no stack trace');
});
