/**
 * Off Google Cloud with no GOOGLE_CLOUD_PROJECT and no metadata server, the service still starts,
 * answers every generation with the diagnosed cause (google-auth-library's own wording for a
 * missing project) and reports not ready; it never crashes.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startImageService } from '../src/service.js';
import { getJson, postJson, SEED_BODY, waitFor } from './helpers/stack.js';

test('no project anywhere: 503 with a diagnosis, not ready, no crash', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const lines: string[] = [];
  const service = await startImageService({
    config: { ...loadConfig({ IMAGE_SERVICE_BACKEND: 'google' }), host: '127.0.0.1', port: 0 },
    logger: createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } }),
    // A metadata host where nothing listens: the lookup fails at once, as off Google Cloud.
    env: { GCE_METADATA_HOST: `127.0.0.1:${port}` },
  });
  try {
    assert.equal(service.identity.projectSource, 'none');
    const res = await postJson(`${service.url}/api/v1/images/generate`, SEED_BODY);
    assert.equal(res.status, 503);
    assert.equal(typeof res.body.error.code, 'number');
    assert.notEqual(res.body.error.cause, 'unknown');
    const ready = await waitFor(async () => {
      const r = await getJson(`${service.url}/readyz`);
      return r.body.status === 'starting' ? undefined : r;
    });
    assert.equal(ready.status, 503);
    assert.equal(ready.body.finding.cause, res.body.error.cause);
  } finally {
    await service.close();
  }
});
