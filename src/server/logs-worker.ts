/**
 * The worker thread that reads one log upload: the console's main thread only counts the bytes
 * on the wire and posts them here, so a big or hostile upload (one 45 MB line, a gzip bomb) never
 * holds up the event loop, and the main thread can stop it at its time budget by terminating it.
 * Here: gunzip (by the magic bytes), the decompressed-size limit, the same reader and engine as
 * `genai-doctor logs`, and the answer with its rendered plans.
 */
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from '../core/model.js';
import { loadRoleIndex } from '../core/roles/load.js';
import { analyzeChunks } from '../logs/analyze.js';
import { coreEngine } from '../logs/engine.js';
import { inputChunks, LogInputError } from '../logs/input.js';
import type { LogsAnswer } from './engine.js';
import { logsAnswer, planTools } from './logs-answer.js';

export interface LogsJob {
  name: string;
  context: Context;
  /** Largest decompressed size, bytes. */
  inflatedLimit: number;
  /**
   * The console's role catalog file, when it has one: loaded here, not cloned from the main
   * thread (2,400 roles take ~0.5 s to clone and as long to index, which the event loop must not pay).
   */
  rolesFile?: string;
}

/** Main thread -> worker: a chunk of the body as it arrives, then its end. */
export type UploadMessage = { kind: 'chunk'; bytes: Uint8Array } | { kind: 'end' };

/** Worker -> main thread. */
export type ReadMessage =
  /** Set up (modules, role catalog): the read's time budget starts now. */
  | { kind: 'ready' }
  | { kind: 'done'; answer: LogsAnswer }
  | { kind: 'error'; status: number; code: string; message: string };

/** The body's chunks as an async iterable, fed by messages (the worker's inbox is the buffer). */
function bodyChunks(): AsyncIterable<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  parentPort?.on('message', (m: UploadMessage) => {
    if (m.kind === 'chunk') queue.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    else ended = true;
    wake?.();
    wake = undefined;
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

class InflatedTooLarge extends Error {}

async function* limited(chunks: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.length;
    if (seen > limit) throw new InflatedTooLarge(`The decompressed log is larger than ${limit} bytes`);
    yield chunk;
  }
}

async function read(job: LogsJob): Promise<ReadMessage> {
  const body = bodyChunks();
  const tools = planTools(job.rolesFile ? await loadRoleIndex(job.rolesFile) : undefined);
  parentPort?.postMessage({ kind: 'ready' } satisfies ReadMessage);
  try {
    const plain = limited(inputChunks(Readable.from(body)), job.inflatedLimit);
    const analysis = await analyzeChunks(plain, job.name, {
      engine: { ...coreEngine, plan: tools.planOf },
      context: job.context,
    });
    return { kind: 'done', answer: logsAnswer(analysis, tools) };
  } catch (err) {
    if (err instanceof InflatedTooLarge)
      return { kind: 'error', status: 413, code: 'BODY_TOO_LARGE', message: err.message };
    if (err instanceof LogInputError)
      return { kind: 'error', status: 400, code: 'BAD_LOG', message: err.message };
    throw err;
  }
}

// Anything else is a bug: the main thread logs the message and answers a plain 500.
read(workerData as LogsJob).then(
  (m) => parentPort?.postMessage(m),
  (err: unknown) =>
    parentPort?.postMessage({
      kind: 'error',
      status: 500,
      code: 'INTERNAL',
      message: (err as Error).stack ?? String(err),
    } satisfies ReadMessage),
);
