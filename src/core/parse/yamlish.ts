/**
 * gcloud prints error details after the message as a YAML list:
 *
 *   - '@type': type.googleapis.com/google.rpc.ErrorInfo
 *     domain: aiplatform.googleapis.com
 *     metadata:
 *       permission: aiplatform.tensorboards.create
 *     reason: IAM_PERMISSION_DENIED
 *
 * This reads that subset (block maps, block lists, plain / quoted scalars) by indentation, one
 * pass over the lines. It is not a YAML parser and does not try to be.
 */
import type { Lenient, LenientObject } from './lenient.js';

interface Line {
  indent: number;
  content: string;
}

const MAX_DEPTH = 12;
const MAX_ITEMS = 200;

/** Each `- '@type': ...` detail gcloud printed, as objects. */
export function findYamlDetails(text: string): LenientObject[] {
  const marker = "- '@type':";
  const first = text.indexOf(marker);
  if (first < 0) return [];
  const lineStart = text.lastIndexOf('\n', first) + 1;
  const lines: Line[] = [];
  // The details follow the message directly: 1 MB after the first one is far more than enough.
  for (const raw of text.slice(lineStart, lineStart + 1024 * 1024).split('\n')) {
    const trimmed = raw.trimEnd();
    const content = trimmed.trimStart();
    lines.push({ indent: trimmed.length - content.length, content });
  }
  const base = lines[0]?.indent ?? 0;
  const p = new YamlReader(lines);
  const list = p.list(base, 0);
  return list.filter((x): x is LenientObject => typeof x === 'object' && x !== null && !Array.isArray(x));
}

class YamlReader {
  i = 0;
  constructor(private readonly lines: Line[]) {}

  private skipBlank(): void {
    while (this.i < this.lines.length && this.lines[this.i]?.content === '') this.i++;
  }

  list(indent: number, depth: number): Lenient[] {
    const out: Lenient[] = [];
    // gcloud prints a handful of details; a list far longer than that is not an error print.
    while (out.length < MAX_ITEMS) {
      this.skipBlank();
      const line = this.lines[this.i];
      if (!line || line.indent !== indent || !(line.content === '-' || line.content.startsWith('- '))) break;
      const rest = line.content.slice(1).trimStart();
      this.i++;
      const kv = splitKey(rest);
      if (kv) {
        // `- key: value` opens a map whose further keys sit two columns right of the dash.
        const obj: LenientObject = Object.create(null);
        this.entry(obj, kv, indent + 2, depth);
        this.map(obj, indent + 2, depth);
        out.push(obj);
      } else {
        out.push(unquote(rest));
      }
    }
    return out;
  }

  map(obj: LenientObject, indent: number, depth: number): void {
    for (;;) {
      this.skipBlank();
      const line = this.lines[this.i];
      if (!line || line.indent !== indent || line.content.startsWith('- ')) return;
      const kv = splitKey(line.content);
      if (!kv) return;
      this.i++;
      this.entry(obj, kv, indent, depth);
    }
  }

  private entry(obj: LenientObject, [key, rest]: [string, string], indent: number, depth: number): void {
    if (rest !== '') {
      obj[key] = unquote(rest);
      return;
    }
    this.skipBlank();
    const next = this.lines[this.i];
    if (!next || depth >= MAX_DEPTH) {
      obj[key] = '';
      return;
    }
    if (next.indent >= indent && next.content.startsWith('- ')) {
      obj[key] = this.list(next.indent, depth + 1);
    } else if (next.indent > indent) {
      const child: LenientObject = Object.create(null);
      this.map(child, next.indent, depth + 1);
      obj[key] = child;
    } else {
      obj[key] = '';
    }
  }
}

function splitKey(content: string): [string, string] | undefined {
  // Keys are plain words or quoted ('@type'); values follow `: `.
  let end: number;
  let key: string;
  if (content.startsWith("'") || content.startsWith('"')) {
    const close = content.indexOf(content[0] as string, 1);
    if (close < 0) return undefined;
    key = content.slice(1, close);
    end = close + 1;
  } else {
    end = content.indexOf(':');
    if (end <= 0 || end > 80) return undefined;
    key = content.slice(0, end);
    if (!/^[A-Za-z_@][\w@.-]*$/.test(key)) return undefined;
  }
  if (content[end] !== ':') return undefined;
  const rest = content.slice(end + 1);
  if (rest !== '' && !rest.startsWith(' ')) return undefined;
  return [key, rest.trim()];
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v[v.length - 1] === v[0]) {
    return v.slice(1, -1).replace(v[0] === "'" ? /''/g : /\\"/g, v[0]);
  }
  return v;
}
