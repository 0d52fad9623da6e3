/**
 * Checks that prove a fix: a cheap real call (Vertex AI countTokens, or the Gemini API with the
 * user's key) and credential checks. Each names the identity it runs as, so a passing check
 * means the failing caller is fixed, not just the person running the script.
 */
import type { NextCheck, Value } from '../model.js';
import type { Targets } from './targets.js';
import { shellRef, type Variables } from './variables.js';

const PING = `'{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}'`;

/** The email inside a member: literal, or a shell expansion stripping `type:` from the variable. */
export function memberEmail(member: Value): string {
  return typeof member === 'string' ? member.replace(/^[a-zA-Z]+:/, '') : `\${${member.var}#*:}`;
}

/** A cheap real call (countTokens) as the caller, proving the whole path works. */
export function modelCallCheck(
  targets: Pick<Targets, 'location' | 'model' | 'runtime'>,
  project: Value,
  member?: Value,
): NextCheck {
  const location = targets.location ?? 'global';
  const host = location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`;
  // Any current GA model proves aiplatform.endpoints.predict when the evidence names none.
  const model = targets.model ?? 'gemini-2.5-flash';
  const asServiceAccount =
    member !== undefined &&
    (typeof member === 'string'
      ? member.startsWith('serviceAccount:')
      : targets.runtime !== 'local' && targets.runtime !== 'colab');
  const email = member === undefined ? '' : memberEmail(member);
  const token = asServiceAccount
    ? `$(gcloud auth print-access-token --impersonate-service-account="${email}")`
    : '$(gcloud auth print-access-token)';
  return {
    description: `A real countTokens call to ${model} at ${location}${targets.model ? '' : ' (any GA model proves the permission)'} succeeds${asServiceAccount ? ' as the service account (needs roles/iam.serviceAccountTokenCreator on it)' : ''}`,
    command: `curl -sS --fail-with-body -X POST -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' "https://${host}/v1/projects/${shellRef(project)}/locations/${location}/publishers/google/models/${model}:countTokens" -d ${PING}`,
    probe: 'model.countTokens',
  };
}

/**
 * A Gemini Developer API call with the user's key. The header name sits in a shell variable so
 * that secret redaction, which blanks whatever follows an api-key header, leaves the command
 * runnable; the key itself only ever comes from the environment.
 */
export function geminiApiCheck(targets: Targets, vars: Variables): NextCheck {
  const key = shellRef(
    vars.use(
      'GEMINI_API_KEY',
      'Your Gemini API key, from your secret store (export it; genai-doctor never prints keys)',
    ),
  );
  const url = targets.model
    ? `https://generativelanguage.googleapis.com/v1beta/models/${targets.model.replace(/^models\//, '')}:countTokens`
    : 'https://generativelanguage.googleapis.com/v1beta/models?pageSize=1';
  return {
    description: targets.model
      ? `A Gemini API countTokens call to ${targets.model} with your key succeeds`
      : 'The Gemini API accepts your key (models.list)',
    command: `h=x-goog-api-key; curl -sS --fail-with-body -H "$h: ${key}" ${
      targets.model ? `-H 'Content-Type: application/json' -X POST "${url}" -d ${PING}` : `"${url}"`
    }`,
    probe: 'gemini-api.models',
  };
}

/** Application Default Credentials mint a token (run where the code runs). */
export const ADC_CHECK: NextCheck = {
  description: 'Application Default Credentials mint an access token where the code runs',
  command: 'gcloud auth application-default print-access-token >/dev/null && echo "ADC OK"',
  probe: 'identity.adc',
};
