/**
 * Starts a worker thread on a module of this package, built or not: `dist/.../x.js` when it
 * exists, else `src/.../x.ts` through tsx (tests and benches run from source, and workers do not
 * inherit tsx's hooks, so the worker registers them before it imports the module).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `js`: the module's URL as the build lays it out (`new URL('./x.js', import.meta.url)`). */
export function startModuleWorker(js: URL, workerData: unknown): Worker {
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = js.href.replace(/\.js$/, '.ts');
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
