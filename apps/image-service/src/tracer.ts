/**
 * Datadog APM, initialised before anything else is loaded (main.ts imports this module first and
 * everything else afterwards, dynamically) so dd-trace can hook fastify, http and fetch. Without
 * an agent the tracer's flushes fail quietly in the background: nothing blocks or crashes.
 */
import { createRequire } from 'node:module';
import tracer from 'dd-trace';

tracer.init({
  service: process.env.DD_SERVICE || 'genai-image-service',
  ...(process.env.DD_ENV ? { env: process.env.DD_ENV } : {}),
  ...(process.env.DD_VERSION || process.env.K_REVISION
    ? { version: process.env.DD_VERSION || process.env.K_REVISION }
    : {}),
  logInjection: true,
  startupLogs: false,
});

// One span per DNS lookup and TCP connect is noise next to the http / fetch spans that already
// time each call, and costs CPU on every request (measured with bench/service.ts).
tracer.use('dns', false);
tracer.use('net', false);
// Its `google_genai.request` span would time the same call as the service's own
// `gemini.generate_content` span (generation.ts), which carries the model, the upstream status and
// the diagnosed cause: one span per call is enough, and the plugin's per-call tagging costs CPU.
tracer.use('google-genai', false);
// The same holds for the outgoing HTTP span under it, and Google's APIs have no use for the
// x-datadog-* headers it injects: server spans stay, client spans go (~0.3-0.5 ms of CPU per
// request, bench/service.ts). fetch carries google-auth-library's metadata and token calls and
// the readiness probes: background traffic that would only add root spans of its own.
tracer.use('http', { client: false });
tracer.use('fetch', false);

// ES modules are only instrumented through dd-trace's loader hook; register it for the modules the
// entry point imports from here on (not when tracing is off: the hook slows every module load).
if (!/^(false|0)$/i.test(process.env.DD_TRACE_ENABLED ?? ''))
  createRequire(import.meta.url)('dd-trace/register.js');

export default tracer;
