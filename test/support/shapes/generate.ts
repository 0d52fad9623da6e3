/**
 * Every corpus case's error in every client's shape, generated at test time from
 * ../shared/corpus/cases (read from there, never copied): the REST body, the real Python and Node
 * SDKs' exceptions, Go's and Java's formats, and the Datadog / Cloud Logging records that carry
 * the case's own text. Cases whose text holds no error to re-render get the log records only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../../../src/core/model.js';
import {
  cloudLoggingEntry,
  datadogRecord,
  goGoogleapiError,
  goGrpcApiError,
  javaGaxGrpc,
  restJson,
} from './formats.js';
import { renderNodeGenai, renderNodeGrpc } from './node-clients.js';
import { PYTHON_SHAPES, renderPython } from './python-clients.js';
import { underlyingError, type WireError } from './wire-error.js';

export const CORPUS = new URL('../../../../shared/corpus/cases', import.meta.url).pathname;

export const CLIENT_SHAPES = [
  'rest-json',
  ...PYTHON_SHAPES,
  'node-genai',
  'node-grpc',
  'go-googleapi',
  'go-grpc',
  'java-gax-grpc',
] as const;
export const WRAPPER_SHAPES = ['datadog-log', 'cloud-logging'] as const;
export const SHAPES = [...CLIENT_SHAPES, ...WRAPPER_SHAPES] as const;
export type Shape = (typeof SHAPES)[number];

export interface ShapeCase {
  id: string;
  text: string;
  context: Context;
  /** The error re-rendered by the clients; undefined when the text holds none to re-render. */
  error?: WireError;
}

export interface Rendering {
  caseId: string;
  shape: Shape;
  text: string;
}

export function loadCases(dir = CORPUS): ShapeCase[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const c = JSON.parse(readFileSync(join(dir, n), 'utf8')) as {
        id: string;
        input: { text: string; context?: Context };
      };
      return {
        id: c.id,
        text: c.input.text,
        context: c.input.context ?? {},
        error: underlyingError(c.input.text),
      };
    });
}

export async function renderAll(cases: ShapeCase[]): Promise<Rendering[]> {
  const errors = new Map<string, WireError>();
  for (const c of cases) if (c.error) errors.set(c.id, c.error);
  const python = renderPython(errors);
  const node = await renderNodeGenai(errors);
  const nodeGrpc = await renderNodeGrpc(errors);
  const out: Rendering[] = [];
  for (const c of cases) {
    const add = (shape: Shape, text: string) => out.push({ caseId: c.id, shape, text });
    const e = c.error;
    if (e) {
      add('rest-json', restJson(e));
      const py = python.get(c.id);
      for (const s of PYTHON_SHAPES) add(s, py?.[s] ?? '');
      add('node-genai', node.get(c.id) ?? '');
      add('node-grpc', nodeGrpc.get(c.id) ?? '');
      add('go-googleapi', goGoogleapiError(e));
      add('go-grpc', goGrpcApiError(e));
      add('java-gax-grpc', javaGaxGrpc(e));
    }
    add('datadog-log', datadogRecord(c.text));
    add('cloud-logging', cloudLoggingEntry(c.text));
  }
  return out;
}
