/**
 * The native JSON-lines scanner (native/scan.c, built at install by scripts/build-native.mjs):
 * the same rules and line numbers as scanFileRange, on an mmap'ed file searched in one SIMD pass,
 * so a scan worker spends its time on candidate lines only. Optional: without a compiler at
 * install, or with GENAI_DOCTOR_NATIVE_SCAN=0, loadNativeScan() says undefined and the callers use
 * the JavaScript scanner. Scan workers load this module: keep its imports to node built-ins.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FAILURE_MARKERS, MAX_LINE_BYTES, type ScanCounts, type ScanHandlers } from './jsonl-scan.js';

/** What native/scan.c exports. */
interface Addon {
  /** maxIsa: 0 scalar, 1 AVX2 (the CPU's best when higher). */
  open(path: string, markers: Buffer[], maxIsa: number): unknown;
  scan(
    handle: unknown,
    start: number,
    end: number,
    maxItems: number,
    maxTextBytes: number,
    maxLineBytes: number,
  ): {
    /** Where the next call starts (a line start), `end` when the range is done. */
    next: number;
    lines: number;
    records: number;
    texts: string[];
    /** Line numbers, relative to this call's start. */
    lineNos: number[];
    badLines: number[];
    /** 0 truncated JSON object, 1 not a JSON object, 2 too long. */
    badKinds: number[];
  };
  close(handle: unknown): void;
  isa(): number;
}

/** The scan's instruction sets: `scalar` is the portable memchr path. */
export const ISAS = ['scalar', 'avx2'] as const;
export type Isa = (typeof ISAS)[number];

export interface NativeScanOptions {
  maxLineBytes?: number;
  /** Candidates plus malformed lines per call: what the worker holds at once (tests use tiny ones). */
  maxItems?: number;
  /** Candidate text per call, in bytes. */
  maxTextBytes?: number;
  /** The most the scan may use (tests run every path this CPU has); the CPU's best by default. */
  isa?: Isa;
}

/** What one call into the addon found: at most maxItems candidates and malformed lines. */
export interface NativeBatch {
  /** Lines and non-blank lines this call went through. */
  lines: number;
  records: number;
  /** [line within the range, trimmed text], in line order. */
  candidates: Array<[number, string]>;
  /** [line within the range, reason], in line order. */
  malformed: Array<[number, string]>;
}

export interface NativeScan {
  /** The best instruction set the scan uses on this CPU. */
  isa: Isa;
  /** Bytes [start, end) of a file (on line boundaries), one bounded batch at a time. */
  batches(path: string, start: number, end: number, opts?: NativeScanOptions): Generator<NativeBatch>;
  /** The same handlers and counts as scanFileRange in jsonl-scan.ts. */
  scanFileRange(
    path: string,
    start: number,
    end: number,
    h: ScanHandlers,
    opts?: NativeScanOptions,
  ): ScanCounts;
}

/** build/Release of the package root: two levels above src/logs and dist/logs alike. */
export const ADDON_PATH = fileURLToPath(
  new URL('../../build/Release/genai_doctor_scan.node', import.meta.url),
);

const BAD_REASONS = ['truncated JSON object', 'not a JSON object'];

let loaded: NativeScan | null | undefined;

/** The native scanner, or undefined when it is not built, cannot load or is turned off. */
export function loadNativeScan(): NativeScan | undefined {
  if (process.env.GENAI_DOCTOR_NATIVE_SCAN === '0') return undefined;
  if (loaded === undefined) loaded = existsSync(ADDON_PATH) ? wrap(requireAddon()) : null;
  return loaded ?? undefined;
}

function requireAddon(): Addon | undefined {
  try {
    return createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch {
    // Built for another Node ABI or CPU: the JavaScript scanner does the job.
    return undefined;
  }
}

function wrap(found: Addon | undefined): NativeScan | null {
  if (!found) return null;
  const addon = found;
  function* batches(
    path: string,
    start: number,
    end: number,
    opts: NativeScanOptions = {},
  ): Generator<NativeBatch> {
    const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
    const handle = addon.open(path, FAILURE_MARKERS, ISAS.indexOf(opts.isa ?? 'avx2'));
    try {
      let lines = 0;
      let pos = start;
      while (pos < end) {
        const r = addon.scan(handle, pos, end, opts.maxItems ?? 256, opts.maxTextBytes ?? 4 << 20, maxLine);
        yield {
          lines: r.lines,
          records: r.records,
          candidates: r.texts.map((t, k) => [lines + (r.lineNos[k] as number), t]),
          malformed: r.badLines.map((l, k) => [
            lines + l,
            BAD_REASONS[r.badKinds[k] as number] ?? `line longer than ${maxLine} bytes`,
          ]),
        };
        lines += r.lines;
        pos = r.next;
      }
    } finally {
      addon.close(handle);
    }
  }
  return {
    isa: ISAS[addon.isa()] ?? 'scalar',
    batches,
    scanFileRange(path, start, end, h, opts) {
      let lines = 0;
      let records = 0;
      for (const b of batches(path, start, end, opts)) {
        // Candidates and malformed lines in line order, as the JavaScript scanner calls them.
        let c = 0;
        let m = 0;
        while (c < b.candidates.length || m < b.malformed.length) {
          const cand = b.candidates[c];
          const bad = b.malformed[m];
          if (cand && (!bad || cand[0] < bad[0])) {
            h.candidate(cand[1], cand[0]);
            c++;
          } else if (bad) {
            h.malformed(bad[0], bad[1]);
            m++;
          }
        }
        lines += b.lines;
        records += b.records;
      }
      return { records, lines, bytes: end - start };
    },
  };
}
