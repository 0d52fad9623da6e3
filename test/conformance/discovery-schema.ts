/**
 * Checks a JSON response against a Google discovery document's schema: the response schema of the
 * method the client called, as googleapiclient ships the documents. Strict where drift hides:
 * a field the schema does not have, a wrong JSON type, an int64 sent as a number, a value outside
 * an enum. Discovery's schema dialect ($ref by schema id, `format`, `additionalProperties`) is not
 * JSON Schema, hence this small walker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DiscoverySchema {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  items?: DiscoverySchema;
}

interface DiscoveryMethod {
  id: string;
  response?: { $ref: string };
}

interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethod>;
  resources?: Record<string, DiscoveryResource>;
}

export interface DiscoveryDoc extends DiscoveryResource {
  name: string;
  version: string;
  schemas: Record<string, DiscoverySchema>;
}

/** googleapiclient's bundled discovery documents inside the venv made by scripts/python-clients.sh. */
export function discoveryDir(venv: string): string {
  const lib = join(venv, 'lib');
  const python = readdirSync(lib).find((d) => d.startsWith('python'));
  if (!python) throw new Error(`no python under ${lib}`);
  return join(lib, python, 'site-packages', 'googleapiclient', 'discovery_cache', 'documents');
}

export function loadDiscovery(dir: string, api: string, version: string): DiscoveryDoc {
  return JSON.parse(readFileSync(join(dir, `${api}.${version}.json`), 'utf8')) as DiscoveryDoc;
}

export function findMethod(doc: DiscoveryResource, id: string): DiscoveryMethod | undefined {
  for (const m of Object.values(doc.methods ?? {})) if (m.id === id) return m;
  for (const r of Object.values(doc.resources ?? {})) {
    const found = findMethod(r, id);
    if (found) return found;
  }
  return undefined;
}

const INT64 = new Set(['int64', 'uint64']);

/** Every way `value` departs from `schema`, as `path: problem` lines; empty when it conforms. */
export function schemaErrors(
  doc: DiscoveryDoc,
  schema: DiscoverySchema,
  value: unknown,
  path = '$',
): string[] {
  if (schema.$ref) {
    const target = doc.schemas[schema.$ref];
    if (!target) return [`${path}: unknown schema ${schema.$ref}`];
    return schemaErrors(doc, target, value, path);
  }
  switch (schema.type) {
    case 'any':
    case undefined:
      return [];
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return [`${path}: expected an object, got ${JSON.stringify(value)?.slice(0, 60)}`];
      const errors: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const field = schema.properties?.[k] ?? schema.additionalProperties;
        if (!field) errors.push(`${path}.${k}: not a field of ${schema.id ?? 'this object'}`);
        else errors.push(...schemaErrors(doc, field, v, `${path}.${k}`));
      }
      return errors;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      return value.flatMap((v, i) =>
        schema.items ? schemaErrors(doc, schema.items, v, `${path}[${i}]`) : [],
      );
    case 'string': {
      if (typeof value !== 'string') return [`${path}: expected a string, got ${typeof value}`];
      if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${value} is not one of its enum`];
      if (schema.format && INT64.has(schema.format) && !/^-?\d+$/.test(value))
        return [`${path}: ${value} is not an ${schema.format}`];
      if (schema.format === 'google-datetime' && Number.isNaN(Date.parse(value)))
        return [`${path}: ${value} is not a timestamp`];
      if (schema.format === 'google-duration' && !/^-?\d+(\.\d+)?s$/.test(value))
        return [`${path}: ${value} is not a duration`];
      return [];
    }
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? [] : [`${path}: expected an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    default:
      return [`${path}: unknown schema type ${schema.type}`];
  }
}
