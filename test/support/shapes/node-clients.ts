/**
 * The Node rendering by the real @google/genai SDK: generateContent against a local server that
 * answers with the error body; the ApiError it throws, as String(err) prints it.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, GoogleGenAI } from '@google/genai';
import { restJson } from './formats.js';
import type { WireError } from './wire-error.js';

export async function renderNodeGenai(errors: Map<string, WireError>): Promise<Map<string, string>> {
  let current: WireError | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const e = current as WireError;
      res.writeHead(e.http, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(restJson(e));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const ai = new GoogleGenAI({ apiKey: 'replay-key', httpOptions: { baseUrl: `http://127.0.0.1:${port}` } });
  const out = new Map<string, string>();
  try {
    for (const [id, e] of errors) {
      current = e;
      try {
        await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' });
        throw new Error(`@google/genai accepted the ${e.http} answer for ${id}`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        out.set(id, String(err));
      }
    }
  } finally {
    server.close();
  }
  return out;
}
