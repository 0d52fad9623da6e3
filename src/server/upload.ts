/**
 * The main-thread side of POST /api/logs: the request body is counted as it arrives and handed,
 * chunk by chunk, to a worker thread that reads it (logs-worker.ts). The event loop never parses a
 * byte of it, so other requests are answered during any upload. Three limits hold:
 * - the bytes on the wire: past the limit the answer is 413 at once, while the body is still
 *   streaming (the body is read as fast as it comes, never held back by the reader);
 * - the decompressed bytes (in the worker): a small gzip bomb gets 413 too;
 * - the time: a read that takes longer than its budget is stopped (the worker is terminated) and
 *   answered 422.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import type { Context } from '../core/model.js';
import { startModuleWorker } from '../logs/start-worker.js';
import type { LogsAnswer } from './engine.js';
import { HttpError } from './errors.js';
import type { LogsJob, ReadMessage, UploadMessage } from './logs-worker.js';

export interface UploadLimits {
  /** Bytes on the wire. */
  bytes: number;
  /** Bytes after decompression. */
  inflatedBytes: number;
  /** Wall time for reading one upload, ms. */
  budgetMs: number;
}

export interface UploadRequest {
  name: string;
  context: Context;
  limits: UploadLimits;
}

/**
 * How long a connection whose body went over the limit stays open after the 413. Closing at once
 * with unread bytes in the socket makes the kernel reset the connection, and a client still
 * sending can lose the answer with it; so the body is paused (the client's writes block), the 413
 * goes out, and the connection is closed this much later if the client has not closed it.
 */
const LINGER_MS = 5_000;

/** Reads an upload in its own worker thread; rejects with the HttpError the client should get. */
export function readUploadInWorker(
  body: Readable,
  request: UploadRequest,
  rolesFile?: string,
): Promise<LogsAnswer> {
  const job: LogsJob = {
    name: request.name,
    context: request.context,
    inflatedLimit: request.limits.inflatedBytes,
    ...(rolesFile ? { rolesFile } : {}),
  };
  return new Promise<LogsAnswer>((resolve, reject) => {
    const worker: Worker = startModuleWorker(new URL('./logs-worker.js', import.meta.url), job);
    let settled = false;
    let seen = 0;
    const post = (m: UploadMessage, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
    const finish = (err: unknown, answer?: LogsAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      // Stop reading a body nobody will use; the reply closes the connection (see app.ts).
      if (!body.readableEnded) body.pause();
      void worker.terminate();
      if (answer) resolve(answer);
      else reject(err);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > request.limits.bytes) {
        const socket = (body as Partial<IncomingMessage>).socket;
        if (socket) setTimeout(() => socket.destroy(), LINGER_MS).unref();
        finish(
          new HttpError(
            413,
            'BODY_TOO_LARGE',
            `The upload is larger than ${request.limits.bytes} bytes`,
            !!socket,
          ),
        );
        return;
      }
      // A copy in a buffer of its own, moved to the worker (socket chunks may share memory).
      const bytes = new Uint8Array(chunk);
      post({ kind: 'chunk', bytes }, [bytes.buffer as ArrayBuffer]);
    };
    const onEnd = () => post({ kind: 'end' });
    // The budget is for reading the upload: it starts once the worker has loaded its modules and
    // the role catalog (seconds on a busy machine, and the same for every upload).
    let timer: NodeJS.Timeout | undefined;
    const overBudget = () =>
      finish(
        new HttpError(
          422,
          'READ_BUDGET_EXCEEDED',
          `Reading the upload took longer than ${request.limits.budgetMs} ms and was stopped; read large exports with \`genai-doctor logs FILE\``,
        ),
      );
    worker.on('message', (m: ReadMessage) => {
      if (m.kind === 'ready') timer = setTimeout(overBudget, request.limits.budgetMs);
      else if (m.kind === 'done') finish(undefined, m.answer);
      else if (m.status >= 500) finish(new Error(m.message));
      else finish(new HttpError(m.status, m.code, m.message));
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => finish(new Error(`the log upload worker exited with ${code}`)));
    body.on('error', (err) =>
      finish(new HttpError(400, 'UPLOAD_FAILED', `The upload failed: ${err.message}`)),
    );
    body.on('data', onData);
    body.on('end', onEnd);
  });
}
