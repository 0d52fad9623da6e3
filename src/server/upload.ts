/**
 * The upload side of POST /api/logs: the request body is streamed, never buffered whole. Two
 * limits hold while it streams: the bytes on the wire, and (for gzip) the bytes after
 * decompression, so a small compressed bomb cannot keep the reader busy for ever.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { HttpError } from './errors.js';

/** Passes bytes through and fails with 413 once more than `limit` have gone by. */
export class ByteLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      done(new HttpError(413, 'BODY_TOO_LARGE', `The ${this.what} is larger than ${this.limit} bytes`));
      return;
    }
    done(null, chunk);
  }
  get bytes(): number {
    return this.seen;
  }
}

/** gzip members start with 1f 8b (RFC 1952). */
function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Returns a stream of the uploaded log's plain bytes: the body limited to `limit` bytes, gunzipped
 * when it starts with the gzip magic (whatever its name or content-type says), and the result
 * limited to `inflatedLimit` bytes. Errors (413, corrupt gzip) surface on the returned stream.
 */
export async function plainUpload(body: Readable, limit: number, inflatedLimit: number): Promise<Readable> {
  const wire = new ByteLimit(limit, 'upload');
  body.on('error', (err) => wire.destroy(err));
  body.pipe(wire);
  const head = await firstChunk(wire);
  if (head === undefined) return wire;
  wire.unshift(head);
  if (!isGzip(head)) return wire;
  const gunzip = createGunzip();
  const inflated = new ByteLimit(inflatedLimit, 'decompressed log');
  wire.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', (err) => {
    const message =
      err instanceof HttpError
        ? err
        : new HttpError(400, 'BAD_GZIP', `The gzip data is corrupt: ${err.message}`);
    inflated.destroy(message);
  });
  wire.pipe(gunzip).pipe(inflated);
  return inflated;
}

function firstChunk(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      cleanup();
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
