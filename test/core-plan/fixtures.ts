/**
 * Hand-made diagnoses in the exact model.ts shape, for plan and renderer tests that must not
 * depend on the diagnosis engine's current ranking. Values are the seed incident's: a Cloud Run
 * service in datadog-ese-sandbox whose request named datadog-sandbox.
 */
import type { Diagnosis, Finding } from '../../src/core/model.js';
import type { CauseId } from '../../src/core/taxonomy.js';
import { codeOf } from '../../src/core/taxonomy.js';

const RESOURCE =
  '//aiplatform.googleapis.com/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview';
const MESSAGE = `Permission 'aiplatform.endpoints.predict' denied on resource '${RESOURCE}' (or it may not exist).`;

/** Google's predefined roles (roles.list?view=FULL), read from ../shared where present. */
export const FULL_CATALOG = new URL('../../../shared/gcp-iam/roles.json.gz', import.meta.url).pathname;

/** The seed incident's error body in the REST shape Vertex AI returns (google.rpc.Status + ErrorInfo). */
export const SEED_403_REST = JSON.stringify({
  error: {
    code: 403,
    message: MESSAGE,
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'aiplatform.googleapis.com',
        metadata: {
          permission: 'aiplatform.endpoints.predict',
          resource: RESOURCE.replace(/^\/\/[^/]+\//, ''),
        },
      },
    ],
  },
});

export function finding(cause: CauseId, confidence: number, extra: Partial<Finding> = {}): Finding {
  return {
    cause,
    code: codeOf(cause),
    title: cause,
    confidence,
    summary: `${cause} summary`,
    evidence: [],
    against: [],
    nextChecks: [],
    ...extra,
  };
}

export function seedDiagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  const facts = {
    http: 403,
    status: 'PERMISSION_DENIED' as const,
    reason: 'IAM_PERMISSION_DENIED',
    domain: 'aiplatform.googleapis.com',
    service: 'aiplatform.googleapis.com',
    message: MESSAGE,
    permission: 'aiplatform.endpoints.predict',
    resource: RESOURCE,
    project: 'datadog-sandbox',
    projectIsNumber: false,
    location: 'global',
    publisher: 'google',
    model: 'gemini-3-pro-image-preview',
    shapes: ['rest-json' as const],
    spans: { permission: { start: 12, end: 40 } },
  };
  return {
    schemaVersion: 1,
    facts: { ...facts, errors: [{ ...facts }] },
    context: { project: 'datadog-ese-sandbox', runtime: 'cloud-run', service: 'genai-adk-python' },
    findings: [
      finding('project.mismatch', 0.8, {
        title: 'The request went to another project',
        summary: 'The error names datadog-sandbox; the service runs in datadog-ese-sandbox.',
        evidence: [
          { fact: 'project', value: 'datadog-sandbox', span: { start: 90, end: 105 } },
          { fact: 'context.project', value: 'datadog-ese-sandbox' },
        ],
        nextChecks: [
          {
            description: 'Check GOOGLE_CLOUD_PROJECT on the service',
            command: 'gcloud run services describe genai-adk-python',
          },
        ],
      }),
      finding('iam.missing_permission', 0.6, {
        title: 'The caller lacks aiplatform.endpoints.predict',
        summary: 'IAM_PERMISSION_DENIED for aiplatform.endpoints.predict.',
        evidence: [
          { fact: 'permission', value: 'aiplatform.endpoints.predict', span: { start: 12, end: 40 } },
        ],
      }),
    ],
    unknowns: ['which service account the Cloud Run service runs as'],
    ...overrides,
  };
}

/** A diagnosis with a single top cause and the seed's facts. */
export function diagnosisFor(cause: CauseId, overrides: Partial<Diagnosis> = {}): Diagnosis {
  return seedDiagnosis({ findings: [finding(cause, 0.9)], ...overrides });
}
