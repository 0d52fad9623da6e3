/** What to scan, as Cloud Asset Inventory spells scopes; a bad id is refused with a clear message. */
export class ScopeError extends Error {
  override name = 'ScopeError';
}

export interface ScopeInput {
  organization?: string;
  folder?: string[];
  project?: string[];
}

export function scopesOf(input: ScopeInput): string[] {
  const scopes: string[] = [];
  if (input.organization !== undefined) {
    if (!/^\d+$/.test(input.organization))
      throw new ScopeError(`--organization takes the numeric organization id (got '${input.organization}')`);
    scopes.push(`organizations/${input.organization}`);
  }
  for (const f of input.folder ?? []) {
    if (!/^\d+$/.test(f)) throw new ScopeError(`--folder takes a numeric folder id (got '${f}')`);
    scopes.push(`folders/${f}`);
  }
  for (const p of input.project ?? []) {
    if (!/^([a-z][a-z0-9-]{4,28}[a-z0-9]|\d+)$/.test(p))
      throw new ScopeError(`--project: '${p}' is not a project id or number`);
    scopes.push(`projects/${p}`);
  }
  if (scopes.length === 0)
    throw new ScopeError('say what to scan: --organization ID, --folder ID or --project ID');
  return [...new Set(scopes)];
}
