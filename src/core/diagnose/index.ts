/**
 * Facts + context -> ranked findings. Every rule runs (one per cause), each returns how sure it
 * is and why; findings are ranked by confidence, and `unknown` (with what to collect next) is
 * returned when nothing reaches the floor. Pure: no I/O.
 */
import type { Context, Diagnosis, Facts, Finding } from '../model.js';
import { parseFacts } from '../parse/index.js';
import { redactSecrets } from '../redact.js';
import { codeOf } from '../taxonomy.js';
import { collectNext, nextChecks, TITLES } from './checks.js';
import { type Derived, derive } from './derive.js';
import { RULES } from './rules.js';

export { TITLES } from './checks.js';
export { classifyEmail, derive, readNotes } from './derive.js';
export { describePrincipal, grantProject, RULES } from './rules.js';

/** Findings below this are noise: they are dropped (unless nothing else is left). */
const FLOOR = 0.2;
/** With no finding at or above this, `unknown` is ranked first. */
const CONFIDENT = 0.35;

export function diagnose(text: string, context: Context = {}): Diagnosis {
  const d = diagnoseFacts(parseFacts(text), context);
  if (text.trim() === '') d.noError = 'the input is empty';
  return d;
}

export function diagnoseFacts(facts: Facts, context: Context = {}): Diagnosis {
  const ctx = cleanContext(context);
  const d = derive(facts, ctx);
  const findings: Finding[] = [];
  const unknowns = new Set<string>();
  for (const [cause, rule] of Object.entries(RULES) as Array<
    [keyof typeof RULES, (typeof RULES)[keyof typeof RULES]]
  >) {
    const hit = rule(d);
    if (!hit || hit.confidence < FLOOR) continue;
    findings.push({
      cause,
      code: codeOf(cause),
      title: TITLES[cause],
      confidence: hit.confidence,
      summary: hit.summary,
      evidence: hit.evidence,
      against: hit.against,
      nextChecks: nextChecks(cause, d),
    });
    for (const u of hit.unknowns) unknowns.add(u);
  }
  findings.sort((a, b) => b.confidence - a.confidence || order(a.cause) - order(b.cause));
  const noError = noErrorReason(facts);
  const top = findings[0]?.confidence ?? 0;
  if (top < CONFIDENT) findings.unshift(unknownFinding(d, noError));
  const diagnosis: Diagnosis = {
    schemaVersion: 1,
    facts,
    context: ctx,
    findings,
    unknowns: [...unknowns, ...generalUnknowns(d, findings)],
  };
  if (noError) diagnosis.noError = noError;
  return diagnosis;
}

/** Stable tie-break: the table order of TAXONOMY.md (more specific causes first). */
function order(cause: string): number {
  return Object.keys(RULES).indexOf(cause);
}

function cleanContext(c: Context): Context {
  const out: Context = {};
  for (const [k, v] of Object.entries(c) as Array<[keyof Context, string | undefined]>) {
    if (typeof v === 'string' && v.trim() !== '')
      (out as Record<string, string>)[k] = redactSecrets(v.trim());
  }
  return out;
}

/** Why the input is not an error at all, or undefined when it carries one. */
function noErrorReason(f: Facts): string | undefined {
  const hasError =
    (f.http !== undefined && f.http >= 400) ||
    (f.status !== undefined && f.status !== 'OK') ||
    f.reason !== undefined ||
    f.permission !== undefined ||
    (f.signals?.length ?? 0) > 0 ||
    f.quota !== undefined ||
    f.constraint !== undefined ||
    f.vpcScId !== undefined;
  if (hasError) return undefined;
  return 'no error was recognised in the input (no HTTP error code, rpc status, reason or known error message)';
}

function unknownFinding(d: Derived, noError: string | undefined): Finding {
  const collect = collectNext(d);
  return {
    cause: 'unknown',
    code: codeOf('unknown'),
    title: TITLES.unknown,
    confidence: noError ? 0.9 : 0.5,
    summary: noError
      ? `Nothing to diagnose: ${noError}. Paste the full error output (the response body, not only the exception name).`
      : `The evidence does not point to one cause. Collect: ${collect.join('; ')}.`,
    evidence: [
      ...(d.facts.http !== undefined ? [{ fact: 'http', value: String(d.facts.http) }] : []),
      ...(d.facts.status ? [{ fact: 'status', value: d.facts.status }] : []),
    ],
    against: [],
    nextChecks: collect.map((c) => ({ description: `Collect ${c}` })),
  };
}

/** Unknowns that would change the answer, beyond what single rules listed. */
function generalUnknowns(d: Derived, findings: Finding[]): string[] {
  const out: string[] = [];
  const causes = new Set(findings.map((f) => f.cause));
  const iam = [...causes].some((c) => c.startsWith('iam.'));
  if (iam && d.principal && !d.principal.email) {
    out.push(
      'the exact principal e-mail (the audit log entry names it: protoPayload.authenticationInfo.principalEmail)',
    );
  }
  if ((iam || causes.has('project.mismatch')) && !d.contextProject) {
    out.push('the project the caller meant to use (pass --project)');
  }
  return out;
}
