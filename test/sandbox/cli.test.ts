/**
 * `genai-doctor sandbox start|list` as a user runs them: a real child process, its printed
 * environment used to reach the server, a clean stop on SIGTERM, one-line errors for bad input.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = pattern.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${out}`)));
  });
}

describe('genai-doctor sandbox (CLI)', () => {
  it('list prints every scenario with its cause; --json is machine-readable', () => {
    const text = spawnSync(process.execPath, [...CLI, 'sandbox', 'list'], { encoding: 'utf8' });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^seed-incident\s+project\.mismatch\s+Cloud Run genai-adk-python/m);
    assert.match(text.stdout, /^org-policy-violation\s+org_policy\.violation/m);
    const json = spawnSync(process.execPath, [...CLI, 'sandbox', 'list', '--json'], { encoding: 'utf8' });
    const list = JSON.parse(json.stdout) as Array<{ name: string; cause: string }>;
    assert.ok(list.length >= 21);
    assert.deepEqual(list[0], { ...list[0], name: 'seed-incident', cause: 'project.mismatch' });
  });

  it('start prints the exports, serves on the printed URL and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [...CLI, 'sandbox', 'start', '--port', '0', '--scenario', 'api-disabled'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const [, url, datadogUrl] = (await waitForLine(
        child,
        /export GENAI_DOCTOR_ENDPOINT=(\S+)\n[\s\S]*export GOOGLE_APPLICATION_CREDENTIALS=\S+\nexport GENAI_DOCTOR_DATADOG_URL=(\S+)\n/,
      )) as unknown as [string, string, string];
      // The Datadog stand-in is mounted on the same server.
      assert.equal(datadogUrl, url);
      const res = await fetch(`${url}/computeMetadata/v1/project/project-id`, {
        headers: { 'Metadata-Flavor': 'Google' },
      });
      assert.equal(await res.text(), 'acme-genai-prod');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    }
  });

  it('a bad scenario or option is one line on stderr and exit 2', () => {
    const bad = spawnSync(process.execPath, [...CLI, 'sandbox', 'start', '--scenario', 'nope'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^genai-doctor: unknown scenario "nope"; shipped scenarios: /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const port = spawnSync(process.execPath, [...CLI, 'sandbox', 'start', '--port', 'abc'], {
      encoding: 'utf8',
    });
    assert.equal(port.status, 2);
    assert.match(port.stderr, /--port must be a non-negative integer/);
  });
});
