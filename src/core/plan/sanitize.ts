/**
 * Evidence -> values safe to put in generated commands. Plans turn facts (read from error text
 * the user pasted, which may come from anywhere) and context flags into shell and HCL. A value
 * that is not a valid id of its kind (ids.ts: quotes, `$(`, spaces, `;`, a leading `-` that gcloud
 * would read as a flag... never are) is dropped here, so it becomes a named variable downstream instead of a command
 * injection. Dropped values are listed so the plan can say what it ignored.
 */
import { CONTEXT_ID_KINDS, type IdKind, isValidId } from '../ids.js';
import type { Context, Diagnosis, ErrorFacts, Facts } from '../model.js';

/** Starts alphanumeric; then only characters a shell and HCL take literally. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,255}$/;

export function isSafeWord(value: string): boolean {
  return SAFE_WORD.test(value);
}

/** Each field a plan may put into a command, and the kinds of id it may hold (ids.ts). */
const FACT_FIELDS = {
  project: ['project'],
  service: ['apiService'],
  principal: ['email', 'member'],
  permission: ['permission'],
  model: ['model'],
  location: ['location'],
  consumer: ['resourceRef'],
  vpcScId: ['opaqueId'],
  constraint: ['constraint'],
  endpoint: ['apiService'],
} as const satisfies Partial<Record<keyof ErrorFacts, readonly IdKind[]>>;
const CONTEXT_FIELDS = CONTEXT_ID_KINDS satisfies Partial<Record<keyof Context, readonly IdKind[]>>;

const fits = (kinds: readonly IdKind[], v: string) => isSafeWord(v) && kinds.some((k) => isValidId(k, v));

function cleanFacts<T extends ErrorFacts>(facts: T, dropped: string[], prefix: string): T {
  const out: T = { ...facts };
  for (const [key, kinds] of Object.entries(FACT_FIELDS) as Array<
    [keyof typeof FACT_FIELDS, readonly IdKind[]]
  >) {
    const v = out[key];
    if (typeof v === 'string' && !fits(kinds, v)) {
      delete out[key];
      dropped.push(`${prefix}${key}`);
    }
  }
  if (out.quota?.metric && !isSafeWord(out.quota.metric)) {
    const { metric: _m, ...quota } = out.quota;
    out.quota = quota;
    dropped.push(`${prefix}quota.metric`);
  }
  return out;
}

export interface SanitizedDiagnosis {
  diagnosis: Diagnosis;
  /** Field paths whose values were not plain identifiers and were ignored. */
  dropped: string[];
}

export function sanitizeForPlan(d: Diagnosis): SanitizedDiagnosis {
  const dropped: string[] = [];
  const facts: Facts = {
    ...cleanFacts(d.facts, dropped, 'facts.'),
    errors: d.facts.errors.map((e) => cleanFacts(e, [], '')),
  };
  const context: Context = { ...d.context };
  for (const [key, kinds] of Object.entries(CONTEXT_FIELDS) as Array<
    [keyof typeof CONTEXT_FIELDS, readonly IdKind[]]
  >) {
    const v = context[key];
    if (typeof v === 'string' && !fits(kinds, v.trim())) {
      delete context[key];
      dropped.push(`context.${key}`);
    } else if (typeof v === 'string') context[key] = v.trim();
  }
  return { diagnosis: { ...d, facts, context }, dropped };
}
