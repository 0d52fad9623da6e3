/**
 * A Server-Sent Events writer over a raw Node response. Every event's data is redacted and JSON
 * encoded on one line, so a message can never end an event early or inject a field.
 */
import type { ServerResponse } from 'node:http';
import { redactDeep } from '../core/redact-deep.js';
import { API_CSP, COMMON_HEADERS } from './security.js';

export interface SseChannel {
  send(event: string, data: unknown): void;
  close(): void;
  readonly closed: boolean;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

const HEARTBEAT_MS = 15_000;

export function openSse(res: ServerResponse): SseChannel {
  const abort = new AbortController();
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'content-security-policy': API_CSP,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': genai-doctor live check\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let closed = false;
  res.on('close', () => {
    clearInterval(heartbeat);
    if (!closed) {
      closed = true;
      abort.abort();
    }
  });
  return {
    get closed() {
      return closed;
    },
    signal: abort.signal,
    send(event, data) {
      if (closed) return;
      // JSON.stringify escapes newlines, so the data always fits on one `data:` line.
      res.write(`event: ${event}\ndata: ${JSON.stringify(redactDeep(data))}\n\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      res.end();
    },
  };
}
