/**
 * I/O EDGE of the role index: reads a role catalog from a file (JSON or gzip-compressed JSON in
 * the `roles.list?view=FULL` shape). Everything else under src/core/roles is pure.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { isGzip } from '../../gzip.js';
import { parseRoleCatalog, RoleIndex, shippedRoleIndex } from './index.js';

/** `source` = a path to .json or .json.gz; without it, what the project ships. */
export async function loadRoleIndex(source?: string): Promise<RoleIndex> {
  if (!source) return shippedRoleIndex();
  return new RoleIndex(parseRoleCatalog(roleCatalogText(await readFile(source))));
}

/** A catalog file's bytes as text, gunzipped when they are gzip. */
export function roleCatalogText(raw: Buffer): string {
  return (isGzip(raw) ? gunzipSync(raw) : raw).toString('utf8');
}
