/** The next checks a runbook lists: each command once, and none the plan's verification already runs. */
import type { Diagnosis, NextCheck, Plan } from '../model.js';

export function distinctNextChecks(d: Diagnosis, plan?: Plan): NextCheck[] {
  const seen = new Set((plan?.verify ?? []).map((v) => v.command).filter(Boolean));
  const out: NextCheck[] = [];
  for (const check of d.findings.flatMap((f) => f.nextChecks)) {
    // Several findings ask for the same proof (a countTokens call, the project's id): once is enough.
    const key = check.command ?? check.description;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(check);
  }
  return out;
}
