/**
 * The native scanner (native/scan.c) against the JavaScript one, which is the reference: same
 * candidate lines, texts, malformed lines, line numbers and counts, on generated exports and on
 * random lines built to catch a SIMD scanner out (markers across 16/32/64-byte blocks, CRLF,
 * blanks, broken lines, UTF-8, no final newline, ranges and batch limits cutting anywhere).
 * These tests fail when the addon is not built: `npm run install` builds it.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeFile } from '../../src/logs/analyze.js';
import { coreEngine } from '../../src/logs/engine.js';
import {
  FAILURE_MARKERS,
  MAX_LINE_BYTES,
  type ScanCounts,
  type ScanHandlers,
  scanFileRange,
} from '../../src/logs/jsonl-scan.js';
import {
  ADDON_PATH,
  ISAS,
  type Isa,
  loadNativeScan,
  type NativeScan,
  type NativeScanOptions,
} from '../../src/logs/native-scan.js';
import { splitRanges } from '../../src/logs/parallel.js';
import { LogGenerator, seedIncident } from './fixtures.js';

interface Scanned {
  candidates: Array<[number, string]>;
  malformed: Array<[number, string]>;
  records: number;
  lines: number;
  bytes: number;
}

const dir = mkdtempSync(join(tmpdir(), 'genai-doctor-native-'));
const saved = process.env.GENAI_DOCTOR_NATIVE_SCAN;
let native: NativeScan;

before(() => {
  delete process.env.GENAI_DOCTOR_NATIVE_SCAN;
  const loaded = loadNativeScan();
  assert.ok(loaded, `the native scanner is not built (${ADDON_PATH}): run npm run install`);
  native = loaded;
});
after(() => {
  if (saved !== undefined) process.env.GENAI_DOCTOR_NATIVE_SCAN = saved;
});

function file(name: string, body: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

/** What a scanner hands its handlers, collected: both scanners are compared on these. */
function collect(run: (h: ScanHandlers) => ScanCounts): Scanned {
  const out: Scanned = { candidates: [], malformed: [], records: 0, lines: 0, bytes: 0 };
  const counts = run({
    candidate: (t, l) => out.candidates.push([l, t]),
    malformed: (l, r) => out.malformed.push([l, r]),
  });
  return { ...out, ...counts };
}

function jsScan(
  path: string,
  start: number,
  end: number,
  opts: { chunkBytes?: number; maxLineBytes?: number },
): Scanned {
  const fd = openSync(path, 'r');
  try {
    return collect((h) => scanFileRange(fd, start, end, h, opts));
  } finally {
    closeSync(fd);
  }
}

function nativeScan(path: string, start: number, end: number, opts: NativeScanOptions = {}): Scanned {
  return collect((h) => native.scanFileRange(path, start, end, h, opts));
}

/** Both scanners on every range of `path` (and on the whole file), SIMD and portable paths. */
/** The scan's paths this CPU runs, the portable one included. */
function isas(): Isa[] {
  return ISAS.slice(0, ISAS.indexOf(native.isa) + 1);
}

function assertParity(path: string, size: number, label: string): Scanned {
  const whole = jsScan(path, 0, size, {});
  for (const n of [1, 3]) {
    for (const [start, end] of splitRanges(path, size, n)) {
      const ref = n === 1 ? whole : jsScan(path, start, end, {});
      for (const isa of isas()) {
        assert.deepEqual(nativeScan(path, start, end, { isa }), ref, `${label}: [${start}, ${end}) ${isa}`);
      }
    }
  }
  return whole;
}

describe('native JSON-lines scanner', () => {
  it('takes the best SIMD path of the CPU', () => {
    const flags = process.platform === 'linux' ? readFileSync('/proc/cpuinfo', 'utf8') : '';
    const has = (f: string) => process.arch === 'x64' && new RegExp(` ${f} `).test(flags);
    const bmi = has('bmi1') && has('bmi2') && has('popcnt');
    const best = bmi && has('avx2') ? 'avx2' : 'scalar';
    assert.equal(native.isa, best);
  });

  it('matches the JavaScript scanner on generated exports of every flavor', () => {
    const flavors = ['datadog-api', 'cloud-logging', 'datadog-raw', 'audit'] as const;
    for (const seed of [1, 2, 3]) {
      const g = new LogGenerator({ seed, failureRate: 0.1 });
      const rows = Array.from({ length: 2000 }, (_, i) =>
        JSON.stringify(g.record(flavors[i % flavors.length] as (typeof flavors)[number])),
      );
      const { events, audits } = seedIncident(8, 3);
      rows.splice(700, 0, ...[...events, ...audits].map((e) => JSON.stringify(e)));
      rows.splice(100, 0, '', '  ', '{"status":"error","message":"ERROR cut', 'not json ERROR');
      const body = seed === 2 ? rows.join('\r\n') : `${rows.join('\n')}${seed === 3 ? '' : '\n'}`;
      const path = file(`flavors-${seed}.jsonl`, body);
      const ref = assertParity(path, Buffer.byteLength(body), `seed ${seed}`);
      assert.ok(ref.candidates.length > 150, `${ref.candidates.length} candidates`);
      assert.ok(ref.malformed.length === 2);
    }
  });

  it('matches it on random lines: markers across SIMD blocks, CRLF, blanks, broken lines, UTF-8, cut ranges', () => {
    const markers = FAILURE_MARKERS.map((m) => m.toString());
    // Prefixes and near misses of the markers, bytes that start one, multi-byte and invalid UTF-8
    // (\u0001 becomes a lone 0xff byte).
    const text = fc.array(
      fc.oneof(
        fc.constantFrom(...markers),
        fc.constantFrom('ERRO', 'Erro', 'xcept', 'PERMI', 'RESOU', 'CRIT', 'Forbi', 'R', 'E', 'x', 'F'),
        fc.string({
          unit: fc.constantFrom('a', 'R', ' ', '"', ':', 'é', '日', '😀', '\t', '{', '}', '\u0001'),
          maxLength: 40,
        }),
      ),
      { maxLength: 6 },
    );
    const line = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({
            indent: fc.constantFrom('', ' ', '\t', ' \t '),
            pad: fc.integer({ min: 0, max: 200 }),
            body: text,
            cr: fc.boolean(),
          })
          .map(
            ({ indent, pad, body, cr }) =>
              `${indent}{"m":"${'p'.repeat(pad)}${body.join('')}"}${cr ? '\r' : ''}`,
          ),
      },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\r', ' \r') },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.integer({ min: 0, max: 120 }), text)
          .map(([pad, body]) => `{"m":"${'q'.repeat(pad)}${body.join('')}`),
      },
      { weight: 1, arbitrary: text.map((body) => `${body.join('')} ERROR`) },
      { weight: 1, arbitrary: text.map((body) => `{"m":"${body.join('')}"} `) },
    );
    const path = join(dir, 'random.jsonl');
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(MAX_LINE_BYTES, 64, 150),
        fc.constantFrom(...ISAS),
        (lines, finalNewline, cut, maxItems, maxLineBytes, isa) => {
          const body = Buffer.from(`${lines.join('\n')}${finalNewline ? '\n' : ''}`);
          for (let i = 0; i < body.length; i++) if (body[i] === 1) body[i] = 0xff;
          writeFileSync(path, body);
          // Two ranges split at a line start, as the workers get them.
          const starts = [0, ...[...body.keys()].filter((i) => body[i] === 0x0a).map((i) => i + 1)];
          const mid = Math.min(starts[cut % starts.length] as number, body.length);
          for (const [start, end] of [
            [0, body.length],
            [0, mid],
            [mid, body.length],
          ] as Array<[number, number]>) {
            const ref = jsScan(path, start, end, { chunkBytes: 16, maxLineBytes });
            const got = nativeScan(path, start, end, { isa, maxItems, maxLineBytes, maxTextBytes: 300 });
            assert.deepEqual(got, ref, `[${start}, ${end})`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('returns a file of nothing but failures in bounded batches', () => {
    const g = new LogGenerator({ seed: 31, failureRate: 1 });
    const rows = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify(g.record(i % 2 ? 'datadog-api' : 'cloud-logging')),
    );
    const body = `${rows.join('\n')}\n`;
    const path = file('failures.jsonl', body);
    const size = Buffer.byteLength(body);
    const ref = jsScan(path, 0, size, {});
    assert.ok(ref.candidates.length > 2900, `${ref.candidates.length} candidates`);
    for (const opts of [{ maxItems: 7 }, { maxItems: 100_000, maxTextBytes: 20_000 }]) {
      const seen: Array<[number, string]> = [];
      let batches = 0;
      let lines = 0;
      for (const b of native.batches(path, 0, size, opts)) {
        batches++;
        const bytes = b.candidates.reduce((a, [, t]) => a + Buffer.byteLength(t), 0);
        if (opts.maxItems === 7) assert.ok(b.candidates.length + b.malformed.length <= 7);
        else assert.ok(bytes - Buffer.byteLength(b.candidates.at(-1)?.[1] ?? '') < 20_000, `${bytes} bytes`);
        // Line numbers stay relative to the range, whatever batch they come in.
        for (const [l] of b.candidates) assert.ok(l > lines && l <= lines + b.lines);
        lines += b.lines;
        seen.push(...b.candidates);
      }
      assert.deepEqual(seen, ref.candidates);
      assert.equal(lines, ref.lines);
      assert.ok(batches > 10, `${batches} batches`);
    }
  });

  it('handles empty ranges and files', () => {
    const path = file('empty.jsonl', '');
    assert.deepEqual(nativeScan(path, 0, 0), jsScan(path, 0, 0, {}));
    const one = file('one.jsonl', '{"severity":"ERROR"}');
    assert.deepEqual(nativeScan(one, 0, 20), jsScan(one, 0, 20, {}));
    assert.deepEqual(nativeScan(one, 20, 20), {
      candidates: [],
      malformed: [],
      records: 0,
      lines: 0,
      bytes: 0,
    });
  });

  it('gives the same analysis with GENAI_DOCTOR_NATIVE_SCAN=0, in worker threads and on the main thread', async () => {
    const g = new LogGenerator({ seed: 32, failureRate: 0.05 });
    const rows = Array.from({ length: 6000 }, (_, i) =>
      JSON.stringify(g.record(i % 3 ? 'datadog-api' : 'cloud-logging')),
    );
    rows.splice(4321, 0, '{"status":"error","message":"ERROR cut', '', 'garbage');
    const path = file('analysis.jsonl', `${rows.join('\n')}\n`);
    const run = async (env: string | undefined, workers: number) => {
      if (env === undefined) delete process.env.GENAI_DOCTOR_NATIVE_SCAN;
      else process.env.GENAI_DOCTOR_NATIVE_SCAN = env;
      try {
        return await analyzeFile(path, { engine: coreEngine, workers, parallelMinBytes: 1 });
      } finally {
        delete process.env.GENAI_DOCTOR_NATIVE_SCAN;
      }
    };
    for (const workers of [1, 2]) {
      const nat = await run(undefined, workers);
      const js = await run('0', workers);
      assert.equal(nat.stats.scanner, 'native');
      assert.equal(js.stats.scanner, 'js');
      assert.ok(nat.stats.failures > 200 && nat.stats.malformed === 2);
      assert.deepEqual({ ...nat, stats: { ...nat.stats, scanner: 'js' } }, js, `${workers} workers`);
    }
  });
});
