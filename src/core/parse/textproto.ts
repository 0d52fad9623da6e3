/**
 * Reads the protobuf text format gRPC clients print error details in:
 *
 *   [reason: "SERVICE_DISABLED"
 *   domain: "googleapis.com"
 *   metadata { key: "consumer" value: "projects/123" }
 *   , locale: "en-US" message: "..."]
 *
 * into plain objects (repeated fields become arrays; `metadata {key value}` entries stay as
 * `{key, value}` objects for the detail reader to fold). Forward-only, depth-capped, never throws.
 */
import type { Lenient, LenientObject } from './lenient.js';

/** Field names that start a text-proto detail block worth reading. */
const ANCHORS = [
  'reason: "',
  'violations {',
  'field_violations {',
  'retry_delay {',
  'links {',
  'quota_metric: "',
  'locale: "',
];

const MAX_DEPTH = 16;

export interface TextProtoBlock {
  start: number;
  end: number;
  /** One object per message; a `,` at the top level starts the next one. */
  messages: LenientObject[];
}

export function findTextProto(text: string, limit = 50): TextProtoBlock[] {
  const blocks: TextProtoBlock[] = [];
  let from = 0;
  // Next occurrence of each anchor, refreshed only once the scan has passed it (keeps it linear).
  const next = ANCHORS.map((a) => text.indexOf(a));
  while (blocks.length < limit) {
    let at = -1;
    for (let k = 0; k < ANCHORS.length; k++) {
      let i = next[k] as number;
      if (i >= 0 && i < from) {
        i = text.indexOf(ANCHORS[k] as string, from);
        next[k] = i;
      }
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at < 0) break;
    const r = new ProtoReader(text, at);
    const messages = r.messages();
    const end = Math.max(r.pos, at + 1);
    if (messages.some((m) => Object.keys(m).length > 0)) blocks.push({ start: at, end, messages });
    from = end;
  }
  return blocks;
}

class ProtoReader {
  constructor(
    private readonly s: string,
    public pos: number,
  ) {}

  messages(): LenientObject[] {
    const out: LenientObject[] = [];
    let current: LenientObject = Object.create(null);
    for (;;) {
      const fields = this.fields(current, 0);
      if (fields === 0 && Object.keys(current).length === 0) break;
      this.ws();
      if (this.s[this.pos] === ',') {
        this.pos++;
        out.push(current);
        current = Object.create(null);
        continue;
      }
      break;
    }
    if (Object.keys(current).length > 0) out.push(current);
    return out;
  }

  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  /** Reads `name: value` / `name { ... }` pairs into `into`; returns how many it read. */
  private fields(into: LenientObject, depth: number): number {
    let n = 0;
    for (;;) {
      this.ws();
      const save = this.pos;
      const name = this.ident();
      if (!name) return n;
      this.ws();
      let value: Lenient | undefined;
      const c = this.s[this.pos];
      if (c === ':') {
        this.pos++;
        this.ws();
        const d = this.s[this.pos];
        if (d === '{' || d === '<') value = this.block(depth);
        else value = this.scalar();
      } else if (c === '{' || c === '<') {
        value = this.block(depth);
      }
      if (value === undefined) {
        this.pos = save;
        return n;
      }
      const prev = into[name];
      if (prev === undefined) into[name] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else into[name] = [prev, value];
      n++;
    }
  }

  private block(depth: number): LenientObject | undefined {
    if (depth >= MAX_DEPTH) return undefined;
    const close = this.s[this.pos] === '{' ? '}' : '>';
    this.pos++;
    const out: LenientObject = Object.create(null);
    this.fields(out, depth + 1);
    this.ws();
    if (this.s[this.pos] === close) this.pos++;
    return out;
  }

  private scalar(): Lenient | undefined {
    const s = this.s;
    const c = s[this.pos];
    if (c === '"' || c === "'") {
      // Adjacent string literals concatenate, as in the C++ / Python printers' line wrapping.
      let out = '';
      while (s[this.pos] === '"' || s[this.pos] === "'") {
        out += this.string();
        const save = this.pos;
        this.ws();
        if (s[this.pos] !== '"' && s[this.pos] !== "'") {
          this.pos = save;
          break;
        }
      }
      return out;
    }
    const start = this.pos;
    while (this.pos < s.length && this.pos - start < 200) {
      const k = s.charCodeAt(this.pos);
      const ok =
        (k >= 48 && k <= 57) ||
        (k >= 65 && k <= 90) ||
        (k >= 97 && k <= 122) ||
        k === 95 ||
        k === 45 ||
        k === 46 ||
        k === 43;
      if (!ok) break;
      this.pos++;
    }
    if (this.pos === start) return undefined;
    const word = s.slice(start, this.pos);
    const num = Number(word);
    return Number.isFinite(num) && /^-?\d/.test(word) ? num : word;
  }

  private string(): string {
    const s = this.s;
    const quote = s[this.pos];
    this.pos++;
    let out = '';
    let runStart = this.pos;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined || c === '\n') {
        // Text proto strings never span lines: an unterminated one ends at the line.
        out += s.slice(runStart, this.pos);
        return out;
      }
      if (c === quote) {
        out += s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\\') {
        out += s.slice(runStart, this.pos);
        const e = s[this.pos + 1];
        this.pos += 2;
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e !== undefined) out += e;
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private ident(): string {
    const s = this.s;
    const start = this.pos;
    while (this.pos < s.length && this.pos - start < 80) {
      const k = s.charCodeAt(this.pos);
      const ok = (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95;
      if (!ok) break;
      this.pos++;
    }
    const word = s.slice(start, this.pos);
    // Identifiers start with a letter or underscore.
    if (word.length === 0 || /^\d/.test(word)) {
      this.pos = start;
      return '';
    }
    return word;
  }
}
