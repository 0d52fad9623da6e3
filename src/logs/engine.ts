/**
 * The diagnosis core as the log reader uses it: diagnose each distinct failure text, plan its fix,
 * keep secrets out of every sample. The one place where src/logs meets the core's engine.
 */

import { diagnose } from '../core/diagnose/index.js';
import type { GroupingEngine } from '../core/incidents/group.js';
import { buildPlan } from '../core/plan/index.js';
import { redactSecrets } from '../core/redact.js';

export const coreEngine: GroupingEngine = {
  // The text goes through redaction first: diagnoses carry spans and facts read from it.
  diagnose: (text, context) => diagnose(redactSecrets(text), context),
  plan: (diagnosis) => buildPlan(diagnosis),
  redact: redactSecrets,
};
