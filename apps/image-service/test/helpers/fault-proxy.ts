/**
 * A fault-injecting HTTP proxy in front of the sandbox: passes requests through unchanged, or, for
 * model calls (paths matching `match`), answers with an injected fault: an HTTP error with Google's
 * error body, a delay, or a dropped connection. The service under test is pointed at the proxy.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'none' }
  | { kind: 'status'; status: number; body: unknown; times?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' };

export interface FaultProxy {
  url: string;
  /** Sets the fault for model calls from now on. `times` counts down, then the proxy passes again. */
  set(fault: Fault): void;
  /** generateContent calls seen (faulted or passed); readiness' countTokens passes untouched. */
  calls: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, match = /:generateContent$/): Promise<FaultProxy> {
  const upstream = new URL(target);
  let fault: Fault = { kind: 'none' };
  const state = { calls: 0 };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const modelCall = match.test(path);
    const forward = () => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (!modelCall) return forward();
    state.calls++;
    const f = fault;
    if (f.kind === 'status') {
      if (f.times !== undefined && --f.times <= 0) fault = { kind: 'none' };
      req.resume();
      res.writeHead(f.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(f.body));
      return;
    }
    if (f.kind === 'reset') {
      req.resume();
      req.socket.destroy();
      return;
    }
    if (f.kind === 'delay') {
      const timer = setTimeout(forward, f.ms);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set(f) {
      fault = f.kind === 'status' ? { ...f } : f;
    },
    get calls() {
      return state.calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Google's error body for an internal error, as Vertex AI sends it. */
export const INTERNAL_500 = {
  error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' },
};

/** Google's per-minute throttling answer with RetryInfo (google.rpc.RetryInfo retryDelay). */
export function throttled429(retryDelay = '1s') {
  return {
    error: {
      code: 429,
      message:
        'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }],
    },
  };
}
