/**
 * I/O EDGE of the role index: reads a role catalog from a file (JSON or gzip-compressed JSON in
 * the `roles.list?view=FULL` shape). Everything else under src/core/roles is pure.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parseRoleCatalog, RoleIndex, shippedRoleIndex } from './index.js';

/** `source` = a path to .json or .json.gz; without it, what the project ships. */
export async function loadRoleIndex(source?: string): Promise<RoleIndex> {
  if (!source) return shippedRoleIndex();
  const raw = await readFile(source);
  // gzip magic bytes, not the file name, decide: a renamed file still loads.
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return new RoleIndex(parseRoleCatalog(text));
}
