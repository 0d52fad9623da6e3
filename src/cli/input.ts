/**
 * Reads the evidence a command is given: a file path, or `-` for standard input. Input is
 * capped at 10 MB (the engine is linear, but a log export that size is almost certainly the
 * wrong file); every failure is a one-line CliError with exit code 2.
 */
import { open, stat } from 'node:fs/promises';
import { CliError, EXIT } from './errors.js';

export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

function tooBig(what: string): CliError {
  return new CliError(
    `${what} is larger than 10 MB; pass only the error output (e.g. grep the failing request out of the log first)`,
    EXIT.usage,
  );
}

export async function readInput(
  source: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  if (source === '-') {
    // On a terminal, a silent wait looks like a hang: say what the command waits for.
    if ((stdin as NodeJS.ReadStream).isTTY)
      process.stderr.write(
        'genai-doctor: reading the error text from standard input; paste it, then press Ctrl-D (Ctrl-Z Enter on Windows)\n',
      );
    return readStream(stdin);
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`no such file: ${source}`, EXIT.usage);
    if (code === 'EACCES') throw new CliError(`cannot read ${source}: permission denied`, EXIT.usage);
    throw new CliError(`cannot read ${source}: ${code ?? String(err)}`, EXIT.usage);
  }
  if (info.isDirectory())
    throw new CliError(
      `${source} is a directory; give a file with the error text, or - for stdin`,
      EXIT.usage,
    );
  if (info.size > MAX_INPUT_BYTES) throw tooBig(source);
  // Read at most the cap + 1 byte: special files (FIFOs, /dev/stdin) report no size.
  const handle = await open(source, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${source}: ${err.code ?? String(err)}`, EXIT.usage);
  });
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(1024 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_INPUT_BYTES) throw tooBig(source);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return decode(Buffer.concat(chunks));
  } finally {
    await handle.close();
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > MAX_INPUT_BYTES) throw tooBig('standard input');
    chunks.push(buf);
  }
  return decode(Buffer.concat(chunks));
}

/** UTF-8, with a UTF-16 byte-order mark honoured (PowerShell redirects write UTF-16LE). */
function decode(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
