/**
 * `genai-doctor sandbox start|list` as a user runs them: a real child process, its printed
 * environment used to reach the server, a clean stop on SIGTERM, one-line errors for bad input.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { runCliSync, spawnCli, waitForOutput } from '../support/cli.js';

describe('genai-doctor sandbox (CLI)', () => {
  it('list prints every scenario with its cause; --json is machine-readable', () => {
    const text = runCliSync(['sandbox', 'list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^seed-incident\s+project\.mismatch\s+Cloud Run genai-adk-python/m);
    assert.match(text.stdout, /^org-policy-violation\s+org_policy\.violation/m);
    const json = runCliSync(['sandbox', 'list', '--json']);
    const list = JSON.parse(json.stdout) as Array<{ name: string; cause: string }>;
    assert.ok(list.length >= 21);
    assert.deepEqual(list[0], { ...list[0], name: 'seed-incident', cause: 'project.mismatch' });
  });

  it('start prints the exports, serves on the printed URL and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['sandbox', 'start', '--port', '0', '--scenario', 'api-disabled']);
    try {
      const [, url, datadogUrl] = (await waitForOutput(
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
    const bad = runCliSync(['sandbox', 'start', '--scenario', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^genai-doctor: unknown scenario "nope"; shipped scenarios: /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const port = runCliSync(['sandbox', 'start', '--port', 'abc']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be a non-negative integer/);
  });
});
