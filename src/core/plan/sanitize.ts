/**
 * Evidence -> values safe to put in generated commands. Plans turn facts (read from error text
 * the user pasted, which may come from anywhere) and context flags into shell and HCL. A value
 * that is not a plain identifier (quotes, `$(`, spaces, `;`, a leading `-` that gcloud would read
 * as a flag...) is dropped here, so it becomes a named variable downstream instead of a command
 * injection. Dropped values are listed so the plan can say what it ignored.
 */
import type { Context, Diagnosis, ErrorFacts, Facts } from '../model.js';

/** Starts alphanumeric; then only characters a shell and HCL take literally. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,255}$/;

export function isSafeWord(value: string): boolean {
  return SAFE_WORD.test(value);
}

const FACT_FIELDS = [
  'project',
  'service',
  'principal',
  'permission',
  'model',
  'location',
  'consumer',
  'vpcScId',
  'constraint',
  'endpoint',
] as const satisfies ReadonlyArray<keyof ErrorFacts>;
const CONTEXT_FIELDS = [
  'project',
  'principal',
  'service',
  'location',
  'model',
  'actor',
] as const satisfies ReadonlyArray<keyof Context>;

function cleanFacts<T extends ErrorFacts>(facts: T, dropped: string[], prefix: string): T {
  const out: T = { ...facts };
  for (const key of FACT_FIELDS) {
    const v = out[key];
    if (typeof v === 'string' && !isSafeWord(v)) {
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
  for (const key of CONTEXT_FIELDS) {
    const v = context[key];
    if (typeof v === 'string' && !isSafeWord(v.trim())) {
      delete context[key];
      dropped.push(`context.${key}`);
    } else if (typeof v === 'string') context[key] = v.trim();
  }
  return { diagnosis: { ...d, facts, context }, dropped };
}
