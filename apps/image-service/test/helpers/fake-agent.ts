/**
 * A stand-in Datadog agent: accepts the tracer's trace payloads (PUT /v0.4/traces and /v0.5/traces,
 * MessagePack) and keeps the decoded spans, so a test can assert which spans a process emitted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentSpan {
  trace_id: bigint | number;
  span_id: bigint | number;
  parent_id: bigint | number;
  name: string;
  resource: string;
  service: string;
  type?: string;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

/** Minimal MessagePack decoder: the types dd-trace's encoders write. */
export function decodeMsgpack(buf: Buffer): unknown {
  let o = 0;
  const str = (n: number) => {
    const s = buf.toString('utf8', o, o + n);
    o += n;
    return s;
  };
  const bin = (n: number) => {
    const b = buf.subarray(o, o + n);
    o += n;
    return b;
  };
  const arr = (n: number) => Array.from({ length: n }, () => read());
  const map = (n: number) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = read();
      out[String(k)] = read();
    }
    return out;
  };
  const read = (): unknown => {
    const b = buf[o++]!;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return map(b & 0x0f);
    if ((b & 0xf0) === 0x90) return arr(b & 0x0f);
    if ((b & 0xe0) === 0xa0) return str(b & 0x1f);
    const u = (n: number) => {
      const v = buf.readUIntBE(o, n);
      o += n;
      return v;
    };
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return bin(u(1));
      case 0xc5:
        return bin(u(2));
      case 0xc6:
        return bin(u(4));
      case 0xca: {
        const v = buf.readFloatBE(o);
        o += 4;
        return v;
      }
      case 0xcb: {
        const v = buf.readDoubleBE(o);
        o += 8;
        return v;
      }
      case 0xcc:
        return u(1);
      case 0xcd:
        return u(2);
      case 0xce:
        return u(4);
      case 0xcf: {
        const v = buf.readBigUInt64BE(o);
        o += 8;
        return v;
      }
      case 0xd0:
        return buf.readInt8(o++);
      case 0xd1: {
        const v = buf.readInt16BE(o);
        o += 2;
        return v;
      }
      case 0xd2: {
        const v = buf.readInt32BE(o);
        o += 4;
        return v;
      }
      case 0xd3: {
        const v = buf.readBigInt64BE(o);
        o += 8;
        return v;
      }
      case 0xd9:
        return str(u(1));
      case 0xda:
        return str(u(2));
      case 0xdb:
        return str(u(4));
      case 0xdc:
        return arr(u(2));
      case 0xdd:
        return arr(u(4));
      case 0xde:
        return map(u(2));
      case 0xdf:
        return map(u(4));
      default:
        throw new Error(`msgpack: unsupported type byte 0x${b.toString(16)} at ${o - 1}`);
    }
  };
  return read();
}

/** v0.5 payloads are [stringTable, traces] with span fields as string-table indexes. */
function spansOf(path: string, payload: unknown): AgentSpan[] {
  if (path.startsWith('/v0.5/')) {
    const [table, traces] = payload as [string[], unknown[][][]];
    return traces.flat().map((s) => {
      const t = (i: unknown) => table[Number(i)]!;
      const meta = Object.fromEntries(
        Object.entries(s[9] as Record<string, unknown>).map(([k, v]) => [t(k), t(v)]),
      );
      const metrics = Object.fromEntries(
        Object.entries(s[10] as Record<string, number>).map(([k, v]) => [t(k), v]),
      );
      return {
        service: t(s[0]),
        name: t(s[1]),
        resource: t(s[2]),
        trace_id: s[3] as bigint,
        span_id: s[4] as bigint,
        parent_id: s[5] as bigint,
        error: Number(s[8]),
        meta,
        metrics,
        type: t(s[11]),
      };
    });
  }
  return (payload as AgentSpan[][]).flat();
}

export interface FakeAgent {
  url: string;
  spans: AgentSpan[];
  close(): Promise<void>;
}

export async function startFakeAgent(): Promise<FakeAgent> {
  const spans: AgentSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (/^\/v0\.[45]\/traces/.test(path)) {
        try {
          spans.push(...spansOf(path, decodeMsgpack(Buffer.concat(chunks))));
        } catch {
          // An undecodable payload shows up as missing spans in the test's assertions.
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate_by_service":{}}');
        return;
      }
      // /info, telemetry, remote config...: accept and ignore.
      res.writeHead(path === '/info' ? 404 : 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
