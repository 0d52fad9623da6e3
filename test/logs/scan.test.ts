/**
 * The JSON-lines scanner on its own: records cut by chunk and range boundaries are read exactly
 * once, CRLF and a last line without newline, overlong lines, and the one-search-for-R marker
 * lookup against a plain search for every marker.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeFile } from '../../src/logs/analyze.js';
import { coreEngine } from '../../src/logs/engine.js';
import {
  FAILURE_MARKERS,
  JsonLinesScanner,
  markerHits,
  type ScanCounts,
  type ScanHandlers,
  scanFileRange,
} from '../../src/logs/jsonl-scan.js';
import { splitRanges } from '../../src/logs/parallel.js';
import { LogGenerator } from './fixtures.js';

interface Seen {
  candidates: Array<[number, string]>;
  malformed: Array<[number, string]>;
  oversized: number[];
}

function collector(): Seen & { h: ScanHandlers } {
  const seen: Seen = { candidates: [], malformed: [], oversized: [] };
  return {
    ...seen,
    h: {
      candidate: (t, l) => seen.candidates.push([l, t]),
      malformed: (l, r) => seen.malformed.push([l, r]),
      oversized: (l) => seen.oversized.push(l),
    },
  };
}

function tmpFile(body: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'genai-doctor-scan-')), 'x.jsonl');
  writeFileSync(path, body);
  return path;
}

/** What a line-by-line reading of `body` says: the reference the scanner must match. */
function reference(body: string): Seen & { records: number; lines: number } {
  const parts = body.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  const out: Seen & { records: number; lines: number } = {
    candidates: [],
    malformed: [],
    oversized: [],
    records: 0,
    lines: parts.length,
  };
  parts.forEach((raw, i) => {
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).replace(/^[ \t]+/, '');
    if (line === '') return;
    out.records++;
    if (!line.startsWith('{') || !line.endsWith('}')) {
      out.malformed.push([i + 1, line.startsWith('{') ? 'truncated JSON object' : 'not a JSON object']);
    } else if (FAILURE_MARKERS.some((m) => line.includes(m.toString()))) out.candidates.push([i + 1, line]);
  });
  return out;
}

/** A varied JSON-lines body: generated records, CRLF, blank and broken lines, a long line. */
function sampleBody(n: number, seed: number): string {
  const g = new LogGenerator({ seed, failureRate: 0.2 });
  const flavors = ['datadog-api', 'cloud-logging', 'datadog-raw', 'audit'] as const;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = JSON.stringify(g.record(flavors[i % flavors.length] as (typeof flavors)[number]));
    if (i % 37 === 5) rows.push('');
    if (i % 53 === 7) rows.push('not json ERROR');
    if (i % 61 === 9) rows.push('{"status":"error","message":"ERROR cut');
    rows.push(i % 3 === 0 ? `${row}\r` : i % 29 === 0 ? `  ${row}` : row);
  }
  rows.push(JSON.stringify({ status: 'error', message: `RESOURCE_EXHAUSTED ${'y'.repeat(5000)}` }));
  return rows.join('\n');
}

describe('JSON-lines scanner', () => {
  it('reads every line exactly once whatever the chunk size (CRLF, blank, broken, no final newline)', () => {
    const body = sampleBody(400, 21);
    const ref = reference(body);
    assert.ok(ref.candidates.length > 50 && ref.malformed.length > 10);
    const path = tmpFile(body);
    const size = Buffer.byteLength(body);
    const fd = openSync(path, 'r');
    try {
      for (const chunkBytes of [16, 61, 1000, 4096, 1 << 20]) {
        const c = collector();
        const counts = scanFileRange(fd, 0, size, c.h, { chunkBytes });
        assert.deepEqual(c.candidates, ref.candidates, `chunk ${chunkBytes}`);
        assert.deepEqual(c.malformed, ref.malformed, `chunk ${chunkBytes}`);
        assert.deepEqual(counts, { records: ref.records, lines: ref.lines, bytes: size });
      }
    } finally {
      closeSync(fd);
    }
  });

  it('reads the same lines through push() as through readSync, for any chunking', async () => {
    const body = sampleBody(120, 22);
    const ref = reference(body);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        async (cuts) => {
          const c = collector();
          const scanner = new JsonLinesScanner(c.h, { chunkBytes: 64 });
          const buf = Buffer.from(body);
          let at = 0;
          for (let k = 0; at < buf.length; k++) {
            const n = cuts[k % cuts.length] as number;
            scanner.push(buf.subarray(at, at + n));
            at += n;
          }
          const counts = scanner.end();
          assert.deepEqual(c.candidates, ref.candidates);
          assert.deepEqual(c.malformed, ref.malformed);
          assert.equal(counts.lines, ref.lines);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads a record cut by a range boundary exactly once, in the range that starts it', () => {
    const body = `${sampleBody(300, 23)}\n`;
    const ref = reference(body);
    const path = tmpFile(body);
    const bytes = Buffer.from(body);
    const size = bytes.length;
    for (const n of [2, 3, 7]) {
      const ranges = splitRanges(path, size, n);
      assert.equal(ranges[0]![0], 0);
      assert.equal(ranges[ranges.length - 1]![1], size);
      const all: Array<[number, string]> = [];
      const malformed: Array<[number, string]> = [];
      let before = 0;
      let records = 0;
      const fd = openSync(path, 'r');
      try {
        for (const [start, end] of ranges) {
          // A range starts right after a newline: no line is split between two workers.
          if (start > 0) assert.equal(bytes[start - 1], 0x0a);
          const c = collector();
          const counts: ScanCounts = scanFileRange(fd, start, end, c.h, { chunkBytes: 97 });
          for (const [l, t] of c.candidates) all.push([before + l, t]);
          for (const [l, r] of c.malformed) malformed.push([before + l, r]);
          before += counts.lines;
          records += counts.records;
        }
      } finally {
        closeSync(fd);
      }
      assert.deepEqual(all, ref.candidates, `${n} ranges`);
      assert.deepEqual(malformed, ref.malformed, `${n} ranges`);
      assert.equal(records, ref.records);
      assert.equal(before, ref.lines);
    }
  });

  it('skips a line over the record cap as oversized, with its line number, and reads on after it', async () => {
    const long = `{"message":"ERROR ${'z'.repeat(3000)}"}`;
    const ok = '{"severity":"ERROR","textPayload":"PERMISSION_DENIED"}';
    const body = [ok, long, ok, long.slice(0, 1500), ok, long].join('\n');
    const path = tmpFile(body);
    const fd = openSync(path, 'r');
    const expect = (c: Seen, counts: ScanCounts, how: string) => {
      assert.deepEqual(
        c.candidates.map(([l]) => l),
        [1, 3, 5],
        how,
      );
      assert.deepEqual(c.malformed, [[4, 'truncated JSON object']], how);
      assert.deepEqual(c.oversized, [2, 6], how);
      assert.equal(counts.lines, 6, how);
      assert.equal(counts.records, 6, how);
    };
    try {
      // Chunks smaller than the cap (the line is carried and dropped) and larger (seen whole).
      for (const chunkBytes of [256, 4096]) {
        const c = collector();
        const counts = scanFileRange(fd, 0, Buffer.byteLength(body), c.h, {
          chunkBytes,
          maxRecordBytes: 2048,
        });
        expect(c, counts, `readSync, chunk ${chunkBytes}`);
      }
    } finally {
      closeSync(fd);
    }
    // Streamed in small pieces (stdin, gzip, uploads): the path that was quadratic on long lines.
    for (const piece of [7, 100, 5000]) {
      const c = collector();
      const scanner = new JsonLinesScanner(c.h, { chunkBytes: 64, maxRecordBytes: 2048 });
      const buf = Buffer.from(body);
      for (let at = 0; at < buf.length; at += piece) scanner.push(buf.subarray(at, at + piece));
      expect(c, scanner.end(), `push, pieces of ${piece}`);
    }
  });

  it('reads a file of blank lines and one of a single line without newline', () => {
    const c = collector();
    const scanner = new JsonLinesScanner(c.h, { chunkBytes: 64 });
    scanner.push(Buffer.alloc(10_000, '\n'));
    scanner.push(Buffer.from('{"severity":"ERROR"}'));
    const counts = scanner.end();
    assert.deepEqual(counts, { records: 1, lines: 10_001, bytes: 10_020 });
    assert.deepEqual(c.candidates, [[10_001, '{"severity":"ERROR"}']]);
    // Short lines (found by the byte loop) and lines just past it (found by indexOf) alike.
    for (const width of [1, 46, 47, 48, 49, 50, 120]) {
      const s = collector();
      const short = new JsonLinesScanner(s.h, { chunkBytes: 97 });
      const line = `{"m":"${'E'.repeat(width)}"}`;
      short.push(Buffer.from(`${line}\n`.repeat(300)));
      short.push(Buffer.from('{"severity":"ERROR"}'));
      assert.deepEqual(
        short.end(),
        { records: 301, lines: 301, bytes: 300 * (line.length + 1) + 20 },
        `width ${width}`,
      );
      assert.deepEqual(
        s.candidates.map(([l]) => l),
        [301],
        `width ${width}`,
      );
    }
  });
});

describe('failure markers', () => {
  /** Lines (by start offset) that a plain search for every marker flags. */
  const flaggedLines = (buf: Buffer, positions: number[]) => {
    const starts = new Set<number>();
    for (const p of positions) starts.add(buf.lastIndexOf(0x0a, p) + 1);
    return [...starts].sort((a, b) => a - b);
  };
  const plain = (buf: Buffer) =>
    flaggedLines(
      buf,
      FAILURE_MARKERS.flatMap((m) => {
        const out: number[] = [];
        for (let p = buf.indexOf(m); p !== -1; p = buf.indexOf(m, p + 1)) out.push(p);
        return out;
      }),
    );

  it('finds the lines a search for every marker finds, R-dense text included', () => {
    const pieces = [
      'ERROR',
      'ERR',
      'RROR',
      'CRITIC',
      'ALERT',
      'EMERGE',
      'Error',
      'xcepti',
      'PERMIS',
      'RESOUR',
      'UNAUTH',
      'Forbid',
      'R',
      'RRRR',
      'ER',
      '\n',
      'abc',
      '{"k":"v"}',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 400 }), (parts) => {
        const buf = Buffer.from(parts.join(''));
        assert.deepEqual(flaggedLines(buf, markerHits(buf)), plain(buf));
      }),
      { numRuns: 300 },
    );
    // Thousands of Rs and no marker: the fallback to one search per marker must agree too.
    const dense = Buffer.from(`${'AQRZR'.repeat(4000)}\n{"x":"PERMIS"}\n${'R'.repeat(9000)}ERROR\n`);
    assert.deepEqual(flaggedLines(dense, markerHits(dense)), plain(dense));
  });
});

describe('parallel scan with record-cutting chunks', () => {
  it('agrees with the single-threaded reader on CRLF, broken lines and a last line without newline', async () => {
    const body = sampleBody(1500, 24);
    const ref = reference(body);
    const path = tmpFile(body);
    const serial = await analyzeFile(path, { engine: coreEngine, workers: 1 });
    const serialSmall = await analyzeFile(path, { engine: coreEngine, workers: 1, chunkBytes: 113 });
    const parallel = await analyzeFile(path, {
      engine: coreEngine,
      workers: 3,
      parallelMinBytes: 1,
      chunkBytes: 113,
    });
    assert.deepEqual(serialSmall.stats, serial.stats);
    assert.deepEqual(parallel.stats, serial.stats);
    assert.equal(serial.stats.records, ref.records);
    assert.equal(serial.stats.candidates, ref.candidates.length);
    assert.deepEqual(
      serial.stats.malformedLines.map((m) => m.line),
      ref.malformed.map(([l]) => l).slice(0, 20),
    );
    assert.deepEqual(parallel.incidents, serial.incidents);
    // The long last line (no newline after it) is a failure and is counted once.
    const last = ref.candidates[ref.candidates.length - 1]!;
    assert.equal(last[0], ref.lines);
    const lines = new Set(ref.candidates.map(([l]) => l));
    for (const i of parallel.incidents) for (const l of i.lines) assert.ok(lines.has(l), `line ${l}`);
  });

  it('gets through a file of nothing but failures (more batches than a worker may have in flight)', async () => {
    const g = new LogGenerator({ seed: 25, failureRate: 1 });
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify(g.record(i % 2 ? 'datadog-api' : 'cloud-logging')),
    );
    const path = tmpFile(`${rows.join('\n')}\n`);
    const serial = await analyzeFile(path, { engine: coreEngine, workers: 1 });
    const parallel = await analyzeFile(path, { engine: coreEngine, workers: 2, parallelMinBytes: 1 });
    assert.ok(serial.stats.failures > 9000, `${serial.stats.failures} failures`);
    assert.deepEqual(parallel.stats, serial.stats);
    assert.deepEqual(parallel.incidents, serial.incidents);
  });
});
