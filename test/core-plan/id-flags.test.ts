/**
 * Flags that name an id take only a valid id of their kind: `--project 'My Project!'` used to be
 * accepted, diagnosed as a project mismatch and silently replaced by <PROJECT_ID>; a `--project`
 * of `--impersonate-service-account=...` reached suggested commands as a flag. Both are usage
 * errors now (exit 2, one line saying what a valid value looks like), on every command.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliSync, tempDir } from '../support/cli.js';

const dir = tempDir('id-flags');
const evidence = join(dir, 'error.json');
writeFileSync(
  evidence,
  JSON.stringify({
    error: {
      code: 403,
      message:
        "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-genai-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash' (or it may not exist).",
      status: 'PERMISSION_DENIED',
    },
  }),
);

const REFUSED: Array<{ args: string[]; says: RegExp }> = [
  {
    args: ['diagnose', '--project', 'My Project!', evidence],
    says: /"My Project!" is not a valid project id/,
  },
  {
    args: ['diagnose', '--project=--impersonate-service-account=evil@x.iam.gserviceaccount.com', evidence],
    says: /is not a valid project id/,
  },
  {
    args: ['plan', '--principal', '-x@example.com', evidence],
    says: /not a valid e-mail address or IAM member/,
  },
  { args: ['plan', '--region', 'us-central1;id', evidence], says: /not a valid location/ },
  { args: ['diagnose', '--model', '$(id)', evidence], says: /not a valid model id/ },
  { args: ['diagnose', '--actor', 'a b@example.com', evidence], says: /not a valid e-mail address/ },
  { args: ['check', '--project', 'My Project!'], says: /not a valid project id/ },
  { args: ['check', '--impersonate', '--flags-file=x'], says: /not a valid e-mail address/ },
  { args: ['check', '--cloud-run', 'Bad Service'], says: /not a valid service name/ },
  {
    args: ['logs', evidence, '--project', 'My Project!'],
    says: /--project: "My Project!" is not a valid project id/,
  },
];

for (const { args, says } of REFUSED) {
  test(`usage error: ${args.filter((a) => a !== evidence).join(' ')}`, () => {
    const r = runCliSync(args, { cwd: dir });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, says);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    assert.equal(r.stdout, '');
  });
}

test('valid ids of every kind are accepted', () => {
  const r = runCliSync(
    [
      'diagnose',
      '--project',
      'acme-genai-prod',
      '--principal',
      'serviceAccount:runner@acme-genai-prod.iam.gserviceaccount.com',
      '--region',
      'us-central1',
      '--location',
      'global',
      '--model',
      'gemini-2.0-flash-001',
      '--service',
      'image-api',
      evidence,
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gcloud projects get-iam-policy acme-genai-prod/);
});
