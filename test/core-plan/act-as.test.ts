/**
 * iam.act_as plans: the grant goes ON the service account acted as (named by the evidence, else
 * the principal an actor impersonates, else a variable), TO the actor (else the caller, else a
 * variable), as a real step every renderer turns into commands, Terraform and Console steps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { Value as TypeBoxValue } from '@sinclair/typebox/value';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Context, Plan, Step } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { planJson, renderPlan } from '../../src/core/render/index.js';
import { PlanSchema } from '../../src/core/render/schema.js';

const INVOKER = 'vertex-invoker@acme-genai-prod.iam.gserviceaccount.com';
const RUNTIME = 'image-api@acme-genai-prod.iam.gserviceaccount.com';

/** What iamcredentials answers a caller that may not mint the account's tokens. */
const TOKEN_DENIED =
  'HTTP 403 POST https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/vertex-invoker%40acme-genai-prod.iam.gserviceaccount.com:generateAccessToken\n' +
  JSON.stringify({
    error: {
      code: 403,
      message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'iam.googleapis.com',
          metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
        },
      ],
    },
  });

/** The same refusal with no URL and no resource: nothing names the account. */
const TOKEN_DENIED_BARE =
  "Error code 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).";

/** The Go client's actAs refusal, which names the account in an ErrorInfo resource. */
const ACT_AS_WITH_RESOURCE = JSON.stringify({
  error: {
    code: 403,
    message: "Permission 'iam.serviceAccounts.actAs' denied on service account (or it may not exist).",
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: {
          permission: 'iam.serviceAccounts.actAs',
          resource: 'projects/-/serviceAccounts/runner@acme-go.iam.gserviceaccount.com',
        },
      },
    ],
  },
});

function planFor(text: string, context: Context): Plan {
  const d = diagnose(text, context);
  assert.equal(d.findings[0]?.cause, 'iam.act_as', JSON.stringify(d.findings.map((f) => f.cause)));
  return buildPlan(d);
}

function saGrant(plan: Plan): Extract<Step, { kind: 'grant_role_on_service_account' }> {
  const rec = plan.options.find((o) => o.recommended);
  const step = rec?.steps.find((s) => s.kind === 'grant_role_on_service_account');
  assert.ok(step && step.kind === 'grant_role_on_service_account', JSON.stringify(rec?.steps));
  return step;
}

describe('iam.act_as plan', () => {
  test('actor known: grants to the actor on the account the token URL names', () => {
    const plan = planFor(TOKEN_DENIED, {
      project: 'acme-genai-prod',
      principal: INVOKER,
      actor: RUNTIME,
    });
    const g = saGrant(plan);
    assert.equal(g.member, `serviceAccount:${RUNTIME}`);
    assert.equal(g.serviceAccount, INVOKER);
    assert.equal(g.project, 'acme-genai-prod');
    // Least privilege: the smallest role holding getAccessToken, never a primitive one.
    assert.equal(g.role, 'roles/iam.workloadIdentityUser');
    assert.ok(!plan.options.some((o) => o.steps.some((s) => s.kind === 'manual')));
    assert.ok(!plan.variables.some((v) => v.name === 'MEMBER' || v.name === 'TARGET_SERVICE_ACCOUNT'));
    assert.match(plan.summary, new RegExp(`serviceAccount:${RUNTIME} mint tokens for .*${INVOKER}`));
    assert.equal(
      plan.rollback[0]?.command,
      `gcloud iam service-accounts remove-iam-policy-binding "${INVOKER}" --member="serviceAccount:${RUNTIME}" --role="roles/iam.workloadIdentityUser" --project="acme-genai-prod"`,
    );
  });

  test('actor known, no account in the evidence: the principal is the account acted as', () => {
    const g = saGrant(planFor(TOKEN_DENIED_BARE, { principal: INVOKER, actor: RUNTIME }));
    assert.equal(g.serviceAccount, INVOKER);
    assert.equal(g.member, `serviceAccount:${RUNTIME}`);
  });

  test('actor unknown, principal is the account acted as: MEMBER, never the account itself', () => {
    const plan = planFor(TOKEN_DENIED, { principal: INVOKER, runtime: 'cloud-run', service: 'image-api' });
    const g = saGrant(plan);
    assert.equal(g.serviceAccount, INVOKER);
    assert.deepEqual(g.member, { var: 'MEMBER' });
    // On Cloud Run MEMBER is discovered as the service's own account: the one that impersonates.
    const member = plan.variables.find((v) => v.name === 'MEMBER');
    assert.match(member?.discover ?? '', /SERVICE_ACCOUNT/);
    assert.ok(plan.variables.some((v) => v.name === 'SERVICE_ACCOUNT'));
  });

  test('actor unknown, principal is the caller: the principal gets the role on the named account', () => {
    const g = saGrant(
      planFor(ACT_AS_WITH_RESOURCE, { principal: 'deployer@acme-go.iam.gserviceaccount.com' }),
    );
    assert.equal(g.serviceAccount, 'runner@acme-go.iam.gserviceaccount.com');
    assert.equal(g.project, 'acme-go');
    assert.equal(g.member, 'serviceAccount:deployer@acme-go.iam.gserviceaccount.com');
    assert.equal(g.role, 'roles/iam.serviceAccountUser');
  });

  test('nothing known: TARGET_SERVICE_ACCOUNT and MEMBER variables', () => {
    const plan = planFor(TOKEN_DENIED_BARE, {});
    const g = saGrant(plan);
    assert.deepEqual(g.serviceAccount, { var: 'TARGET_SERVICE_ACCOUNT' });
    assert.deepEqual(g.member, { var: 'MEMBER' });
    assert.deepEqual(plan.variables.map((v) => v.name).sort(), [
      'MEMBER',
      'PROJECT_ID',
      'TARGET_SERVICE_ACCOUNT',
    ]);
  });

  test('an account name that is not a plain email never reaches a command', () => {
    const hostile = TOKEN_DENIED.replace('vertex-invoker%40acme', 'x%22%3B%20rm%20-rf%20%2F%3B%40acme');
    const g = saGrant(planFor(hostile, {}));
    assert.deepEqual(g.serviceAccount, { var: 'TARGET_SERVICE_ACCOUNT' });
  });

  test('GKE: Workload Identity option binds the Kubernetes service account on the same account', () => {
    const plan = planFor(TOKEN_DENIED, {
      project: 'acme-genai-prod',
      principal: INVOKER,
      actor: RUNTIME,
      runtime: 'gke',
    });
    const wi = plan.options.find((o) => o.id === 'workload-identity');
    const g = wi?.steps.find((s) => s.kind === 'grant_role_on_service_account');
    assert.ok(g && g.kind === 'grant_role_on_service_account');
    assert.equal(g.role, 'roles/iam.workloadIdentityUser');
    assert.equal(g.serviceAccount, INVOKER);
    assert.equal(
      g.member,
      `serviceAccount:acme-genai-prod.svc.id.goog[\${K8S_NAMESPACE}/\${K8S_SERVICE_ACCOUNT}]`,
    );
  });
});

describe('iam.act_as plan renderers', () => {
  const plan = planFor(TOKEN_DENIED, { project: 'acme-genai-prod', principal: INVOKER, actor: RUNTIME });

  test('gcloud: add-iam-policy-binding on the account, with --project', () => {
    const sh = renderPlan(plan, 'gcloud');
    assert.ok(
      sh.includes(
        `gcloud iam service-accounts add-iam-policy-binding "${INVOKER}" --member="serviceAccount:${RUNTIME}" --role="roles/iam.workloadIdentityUser" --project="acme-genai-prod"`,
      ),
      sh,
    );
    assert.ok(!/todo '[^']*Grant/.test(sh), 'the grant is a command, not a manual step');
  });

  test('terraform: google_service_account_iam_member on projects/P/serviceAccounts/EMAIL', async () => {
    const hcl = renderPlan(plan, 'terraform');
    const parsed = (await parseHcl('main.tf', hcl)) as {
      resource: Record<string, Record<string, Array<Record<string, string>>>>;
    };
    const members = Object.values(parsed.resource.google_service_account_iam_member ?? {});
    assert.equal(members.length, 1, hcl);
    assert.deepEqual(members[0]?.[0], {
      service_account_id: `projects/acme-genai-prod/serviceAccounts/${INVOKER}`,
      role: 'roles/iam.workloadIdentityUser',
      member: `serviceAccount:${RUNTIME}`,
    });
    assert.ok(!hcl.includes('google_project_iam_member'), 'nothing granted project-wide');
  });

  test('terraform with unknown values declares them as variables', async () => {
    const hcl = renderPlan(planFor(TOKEN_DENIED_BARE, {}), 'terraform');
    assert.match(
      hcl,
      /service_account_id = "projects\/\$\{var\.project_id\}\/serviceAccounts\/\$\{var\.target_service_account\}"/,
    );
    assert.match(hcl, /variable "target_service_account"/);
    assert.match(hcl, /member {13}= var\.member/);
    await parseHcl('main.tf', hcl);
  });

  test('console: the service account’s own permissions page, not the project IAM page', () => {
    const text = renderPlan(plan, 'console');
    assert.match(text, /iam-admin\/serviceaccounts\?project=acme-genai-prod > vertex-invoker@/);
    assert.match(
      text,
      /New principals: image-api@acme-genai-prod\.iam\.gserviceaccount\.com > Role: roles\/iam\.workloadIdentityUser/,
    );
  });

  test('markdown: the step, its command and its rollback', () => {
    const md = renderPlan(plan, 'md');
    assert.match(
      md,
      /\*\*Grant roles\/iam\.workloadIdentityUser to serviceAccount:image-api@.* on the service account vertex-invoker@/,
    );
    assert.match(md, /gcloud iam service-accounts add-iam-policy-binding "vertex-invoker@/);
    assert.match(md, /gcloud iam service-accounts remove-iam-policy-binding "vertex-invoker@/);
  });

  test('json: valid against the published schema', () => {
    assert.ok(
      TypeBoxValue.Check(PlanSchema, planJson(plan)),
      JSON.stringify([...TypeBoxValue.Errors(PlanSchema, planJson(plan))]),
    );
    const json = JSON.parse(renderPlan(plan, 'json')) as { steps: Array<{ kind: string }> };
    assert.ok(json.steps.some((s) => s.kind === 'grant_role_on_service_account'));
  });
});
