/**
 * A `fetch` for @google/genai's `httpOptions.fetch` hook, over node:http(s) with keep-alive
 * agents, for the unary calls the service makes (generateContent, countTokens).
 *
 * Why: Node's built-in fetch streams every request body through an async iterator, one socket
 * write per chunk, plus web-stream and abort-signal plumbing per call; profiling the service under
 * load (bench/service.ts) showed that as the largest single cost of a request. node:http writes
 * headers and the JSON body in one go. dd-trace instruments node:http as it does fetch, so the
 * upstream http.request span stays. Anything this transport does not handle (a streamed request
 * body, a streamed answer) goes to the platform fetch unchanged.
 */
import http from 'node:http';
import https from 'node:https';

const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/**
 * The answer with its body already read: `json()` and `text()` decode the bytes directly.
 * `new Response(bytes)` would wrap them in a web ReadableStream that undici reads back, copies and
 * decodes on `json()`: ~35 us and ~15 KB of garbage more per image answer (measured in isolation).
 */
function bufferedResponse(res: http.IncomingMessage, bytes: Buffer | null): Response {
  const out = new Response(null, {
    status: res.statusCode ?? 502,
    statusText: res.statusMessage ?? '',
    headers: responseHeaders(res.headers),
  });
  const text = async () => (bytes ? bytes.toString('utf8') : '');
  Object.defineProperties(out, {
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) },
    arrayBuffer: {
      value: async () => (bytes ? new Uint8Array(bytes).buffer : new ArrayBuffer(0)),
    },
  });
  return out;
}

function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

export const nodeHttpFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
  const body = init?.body;
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const agent = AGENTS[url.protocol as keyof typeof AGENTS];
  if (
    !agent ||
    (typeof input === 'object' && !(input instanceof URL)) ||
    (body != null && typeof body !== 'string') ||
    url.searchParams.get('alt') === 'sse'
  ) {
    return fetch(input, init);
  }
  return new Promise<Response>((resolve, reject) => {
    const headers = headersOf(init);
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: init?.method ?? 'GET', headers, agent, ...(init?.signal ? { signal: init.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const noBody = status === 204 || status === 304 || init?.method === 'HEAD';
          resolve(bufferedResponse(res, noBody ? null : Buffer.concat(chunks)));
        });
      },
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
};
