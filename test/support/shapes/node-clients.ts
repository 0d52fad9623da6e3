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

/**
 * A Node gRPC client's error (the @google-cloud/* clients run on google-gax over @grpc/grpc-js and
 * rethrow grpc-js's error, message unchanged): a real grpc-js client calls a real grpc-js server
 * that fails the call with the status and message; String(err) is what the app logs.
 */
export async function renderNodeGrpc(errors: Map<string, WireError>): Promise<Map<string, string>> {
  const grpc = await import('@grpc/grpc-js');
  const passthrough = {
    path: '/replay.Replay/Call',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  };
  let current: WireError | undefined;
  const server = new grpc.Server();
  server.addService(
    { Call: passthrough },
    {
      Call: (_call: unknown, callback: (err: { code: number; details: string }) => void) => {
        const e = current as WireError;
        callback({
          code: grpc.status[e.status as keyof typeof grpc.status] ?? grpc.status.UNKNOWN,
          details: e.message,
        });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const out = new Map<string, string>();
  try {
    for (const [id, e] of errors) {
      current = e;
      const err = await new Promise<unknown>((resolve) =>
        client.makeUnaryRequest(
          passthrough.path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (error) => resolve(error),
        ),
      );
      if (!err) throw new Error(`grpc-js call succeeded for ${id}`);
      out.set(id, String(err));
    }
  } finally {
    client.close();
    server.forceShutdown();
  }
  return out;
}
