/**
 * Opens a log input (a file path or `-` for stdin) as a stream of byte chunks, gunzipping when
 * the first bytes are the gzip magic (1f 8b) whatever the file is called.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isGzip } from '../gzip.js';

/** An input the user named that cannot be read: the CLI turns it into exit code 2. */
export class LogInputError extends Error {
  override name = 'LogInputError';
}

const CHUNK = 1 << 20;

/** The size of a readable regular file, or a LogInputError that says what is wrong. */
export function checkInput(path: string): number {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new LogInputError(`cannot read ${path}: no such file`);
  }
  if (!st.isFile()) throw new LogInputError(`cannot read ${path}: not a file`);
  return st.size;
}

export function openInput(path: string): Readable {
  if (path === '-') return process.stdin;
  checkInput(path);
  return createReadStream(path, { highWaterMark: CHUNK });
}

/** Byte chunks of the input, decompressed when it is gzip; read errors become LogInputError. */
export async function* inputChunks(stream: Readable): AsyncGenerator<Buffer> {
  try {
    yield* chunksOf(stream);
  } catch (err) {
    if (err instanceof LogInputError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new LogInputError(`cannot read input: ${e.code ? `${e.code} ` : ''}${e.message}`);
  }
}

async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await it.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await it.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: toBuffer(r.value) };
      },
    }),
  };
  if (isGzip(head)) {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    // Feed the compressed chunks in the background; back-pressure comes from gunzip's buffer.
    const feed = (async () => {
      try {
        if (!gunzip.write(head)) await drained(gunzip);
        for await (const c of rest) if (!gunzip.write(c)) await drained(gunzip);
        gunzip.end();
      } catch (err) {
        gunzip.destroy(err as Error);
      }
    })();
    try {
      for await (const c of gunzip) yield c as Buffer;
    } catch (err) {
      throw new LogInputError(`cannot decompress input: ${(err as Error).message}`);
    }
    await feed;
    return;
  }
  yield head;
  yield* rest;
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function drained(s: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => s.once('drain', resolve));
}

/**
 * Bytes [start, end) of a file in chunks read into two buffers that take turns: the next chunk
 * is read while the caller scans this one, and no fresh memory is faulted in per chunk (the
 * kernel's page-fault work is most of a streaming reader's system time). A yielded chunk is only
 * valid until the caller asks for the next one: callers copy what they keep.
 */
export async function* fileRangeChunks(
  path: string,
  start: number,
  end: number,
  size = CHUNK,
): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    let pos = start;
    let turn = 0;
    const readInto = (b: Buffer) => fh.read(b, 0, Math.min(size, end - pos), pos);
    let pending = pos < end ? readInto(bufs[0] as Buffer) : undefined;
    while (pending) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      pos += bytesRead;
      turn ^= 1;
      pending = pos < end ? readInto(bufs[turn] as Buffer) : undefined;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
