/**
 * Proto3 JSON field names. Google's JSON parsers accept, for every field separately, either its
 * lowerCamelCase JSON name or its original snake_case proto name, so clients mix them: Python
 * google-genai sends `{"fileData": {"file_uri": ..., "mime_type": ...}}`. The sandbox reads one
 * spelling, so request bodies are normalised to the JSON names once, at the edge.
 *
 * Map fields keep their keys (they are data: label names, schema property names) while their
 * values are still messages; Struct / Value fields are free JSON and are left exactly as sent.
 */

/** Map<string, Message or scalar> fields of the request messages the sandbox reads. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'properties', 'defs']);

/** google.protobuf.Struct / Value fields: arbitrary JSON, never renamed. */
const STRUCT_FIELDS = new Set([
  'args',
  'response',
  'parametersJsonSchema',
  'responseJsonSchema',
  'example',
  'default',
  'jsonValue',
  'structValue',
  'jsonPayload',
]);

export function jsonName(field: string): string {
  return field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The value with every message field under its JSON name (see the module comment). */
export function toJsonNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonNames);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = jsonName(key);
    if (STRUCT_FIELDS.has(name)) out[name] = v;
    else if (MAP_FIELDS.has(name) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[name] = Object.fromEntries(Object.entries(v).map(([k, mv]) => [k, toJsonNames(mv)]));
    } else out[name] = toJsonNames(v);
  }
  return out;
}
