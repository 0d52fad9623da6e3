/**
 * Plan -> Terraform HCL (hashicorp/google provider) for one option, the recommended one by
 * default. Steps without a Terraform resource (waits, config changes in application code,
 * manual steps) become comments. Plan variables become Terraform variables.
 */
import type { Plan, PlanCause, PlanOption, Step, Unknown, Value } from '../model.js';
import { display, shellRef } from '../plan/variables.js';
import {
  hclComment as comment,
  type HclBlock,
  HclObject,
  type HclRaw,
  hclEscape,
  renderBlock,
} from './hcl.js';
import { planSubject, stepCommands, stepTitle } from './steps.js';

function tfVarName(name: string): string {
  return name.toLowerCase();
}

/** HCL string literal: `${NAME}` plan refs become `${var.name}`, other `${` / `%{` are escaped. */
function str(s: string, declared: Set<string>): HclRaw {
  let out = '';
  let i = 0;
  const re = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
  for (const m of s.matchAll(re)) {
    out += hclEscape(s.slice(i, m.index));
    declared.add(m[1]!);
    out += `\${var.${tfVarName(m[1]!)}}`;
    i = m.index! + m[0].length;
  }
  out += hclEscape(s.slice(i));
  return { raw: `"${out}"` };
}

function val(v: Value, declared: Set<string>): HclRaw {
  if (typeof v === 'string') return str(v, declared);
  declared.add(v.var);
  return { raw: `var.${tfVarName(v.var)}` };
}

/** A resource block, preceded by the comment that says why, and a blank line after. */
function resource(
  why: string[],
  type: string,
  name: string,
  attrs: HclBlock['attrs'],
  blocks?: HclBlock[],
): string[] {
  return [...why, renderBlock({ type: 'resource', labels: [type, name], attrs, blocks, spaced: false }), ''];
}

function ident(s: string): string {
  const id = s
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return /^[a-z_]/.test(id) ? id : `r_${id}`;
}

export function renderTerraform(plan: Plan<PlanCause>, optionId?: string): string {
  const option: PlanOption | undefined =
    plan.options.find((o) => o.id === optionId) ?? plan.options.find((o) => o.recommended) ?? plan.options[0];
  const declared = new Set<string>();
  const body: string[] = [];
  const used = new Map<string, number>();
  const name = (base: string) => {
    const id = ident(base);
    const n = (used.get(id) ?? 0) + 1;
    used.set(id, n);
    return n === 1 ? id : `${id}_${n}`;
  };
  const customRoles = new Map<string, string>(); // "projects/P/roles/ID" -> resource address
  const serviceAccounts = new Map<string, string>(); // email -> resource address

  for (const step of option?.steps ?? []) body.push(...stepHcl(step));

  function stepHcl(step: Step): string[] {
    const why = comment(`${stepTitle(step)}: ${step.why}`);
    switch (step.kind) {
      case 'grant_role': {
        const r = name(`grant_${step.role.split('/').pop()}`);
        const custom = customRoles.get(step.role);
        const memberSa =
          typeof step.member === 'string'
            ? serviceAccounts.get(step.member.replace(/^serviceAccount:/, ''))
            : undefined;
        return resource(
          why,
          'google_project_iam_member',
          r,
          [
            ['project', val(step.project, declared)],
            ['role', custom ? { raw: `${custom}.name` } : str(step.role, declared)],
            // "serviceAccount:${...email}" rather than the newer `.member` attribute: works on every 5.x provider.
            [
              'member',
              memberSa ? { raw: `"serviceAccount:\${${memberSa}.email}"` } : val(step.member, declared),
            ],
          ],
          step.condition
            ? [
                {
                  type: 'condition',
                  labels: [],
                  attrs: [
                    ['title', str(step.condition.title, declared)],
                    ['expression', str(step.condition.expression, declared)],
                  ],
                },
              ]
            : [],
        );
      }
      case 'grant_role_on_service_account': {
        const r = name(`sa_grant_${step.role.split('/').pop()}`);
        const created =
          typeof step.serviceAccount === 'string' ? serviceAccounts.get(step.serviceAccount) : undefined;
        const account = created
          ? { raw: `${created}.name` }
          : str(
              `projects/${shellRef(step.project)}/serviceAccounts/${shellRef(step.serviceAccount)}`,
              declared,
            );
        return resource(why, 'google_service_account_iam_member', r, [
          ['service_account_id', account],
          ['role', str(step.role, declared)],
          ['member', val(step.member, declared)],
        ]);
      }
      case 'create_custom_role': {
        const r = name(step.roleId);
        const project = shellRef(step.project);
        customRoles.set(`projects/${project}/roles/${step.roleId}`, `google_project_iam_custom_role.${r}`);
        return resource(why, 'google_project_iam_custom_role', r, [
          ['project', val(step.project, declared)],
          ['role_id', str(step.roleId, declared)],
          ['title', str(step.title, declared)],
          ['description', str(step.description, declared)],
          ['permissions', step.permissions.map((p) => str(p, declared))],
          ['stage', 'GA'],
        ]);
      }
      case 'create_service_account': {
        const r = name(step.accountId);
        const project = shellRef(step.project);
        serviceAccounts.set(
          `${step.accountId}@${project}.iam.gserviceaccount.com`,
          `google_service_account.${r}`,
        );
        return resource(why, 'google_service_account', r, [
          ['project', val(step.project, declared)],
          ['account_id', str(step.accountId, declared)],
          ['display_name', str(step.displayName, declared)],
        ]);
      }
      case 'revoke_role': {
        // google_project_iam_member_remove: keeps the member out of the role (hashicorp/google
        // resource "project_iam_member_remove"); it conflicts with a google_project_iam_* resource
        // that grants the same pair, which must be deleted where it is defined.
        const r = name(`remove_${step.role.split('/').pop()}`);
        return resource(
          [
            ...why,
            ...comment(
              'If Terraform grants this pair elsewhere (google_project_iam_member / _binding), delete that instead.',
            ),
          ],
          'google_project_iam_member_remove',
          r,
          [
            ['project', val(step.project, declared)],
            ['role', str(step.role, declared)],
            ['member', val(step.member, declared)],
          ],
        );
      }
      case 'restrict_api_key': {
        // google_apikeys_key takes a `name` matching [a-z]([a-z0-9-]{0,61}[a-z0-9])? (the provider's
        // schema); a key id outside it (a Console-made UUID starting with a digit) cannot be adopted.
        if (typeof step.key === 'string' && !/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(step.key))
          return [
            ...why,
            ...comment(
              `google_apikeys_key cannot adopt a key whose id (${step.key}) does not start with a letter: restrict it with gcloud:\n  ${stepCommands(step).join('\n  ')}`,
            ),
            '',
          ];
        // The key exists already: an import block (Terraform >= 1.5) adopts it, then the
        // google_apikeys_key resource sets its restrictions (API Keys v2 Key.restrictions).
        const r = name(`key_${shellRef(step.key)}`);
        const application: HclBlock[] = [];
        if (step.application) {
          const list: HclRaw = { raw: `split(",", ${val(step.application.values, declared).raw})` };
          application.push(
            step.application.kind === 'ips'
              ? { type: 'server_key_restrictions', labels: [], attrs: [['allowed_ips', list]] }
              : { type: 'browser_key_restrictions', labels: [], attrs: [['allowed_referrers', list]] },
          );
        }
        const importBlock = renderBlock({
          type: 'import',
          labels: [],
          attrs: [
            ['to', { raw: `google_apikeys_key.${r}` }],
            [
              'id',
              str(`projects/${shellRef(step.project)}/locations/global/keys/${shellRef(step.key)}`, declared),
            ],
          ],
        });
        return [
          ...why,
          importBlock,
          '',
          ...resource(
            [],
            'google_apikeys_key',
            r,
            [
              ['project', val(step.project, declared)],
              ['name', val(step.key, declared)],
              ['display_name', step.displayName === undefined ? undefined : str(step.displayName, declared)],
            ],
            [
              {
                type: 'restrictions',
                labels: [],
                attrs: [],
                spaced: false,
                blocks: [
                  ...step.apiTargets.map(
                    (s): HclBlock => ({
                      type: 'api_targets',
                      labels: [],
                      attrs: [['service', str(s, declared)]],
                    }),
                  ),
                  ...application,
                ],
              },
            ],
          ),
        ];
      }
      case 'enable_api': {
        const r = name(step.service.split('.')[0] ?? 'api');
        return resource(why, 'google_project_service', r, [
          ['project', val(step.project, declared)],
          ['service', str(step.service, declared)],
          ['disable_on_destroy', false],
        ]);
      }
      case 'enable_billing': {
        declared.add('BILLING_ACCOUNT');
        return resource(why, 'google_billing_project_info', name('billing'), [
          ['project', val(step.project, declared)],
          ['billing_account', { raw: 'var.billing_account' }],
        ]);
      }
      case 'switch_workload_service_account': {
        const sa =
          typeof step.serviceAccount === 'string' ? serviceAccounts.get(step.serviceAccount) : undefined;
        return [
          ...why,
          ...comment(
            `In the google_cloud_run_v2_service "${display(step.service)}" (region ${display(step.region)}) that runs this workload, set:\n` +
              `  template {\n    service_account = ${sa ? `${sa}.email` : display(step.serviceAccount)}\n  }\n` +
              'Terraform does not own that resource in this file; change it where it is defined.',
          ),
          '',
        ];
      }
      case 'set_config':
        return [
          ...why,
          ...comment(
            `Set ${step.key} = ${display(step.value)} in ${step.where}` +
              (/cloud run/i.test(step.where)
                ? `; in google_cloud_run_v2_service: template { containers { env { name = "${step.key}" value = "${display(step.value)}" } } }`
                : ''),
          ),
          '',
        ];
      case 'request_quota':
        return [
          ...why,
          ...comment(
            'Quota increases are requested in the Console (IAM & Admin > Quotas) or with google_cloud_quotas_quota_preference once the quota id is known.',
          ),
          '',
        ];
      case 'wait_propagation':
        return [
          ...why,
          ...comment(`After apply, allow ~${step.seconds}s for IAM propagation before testing.`),
          '',
        ];
      case 'manual':
        return [...why, ...comment(`${step.instructions}${step.command ? `\n  ${step.command}` : ''}`), ''];
    }
  }

  const head: string[] = [
    `# genai-doctor fix plan for ${planSubject(plan)}`,
    ...comment(plan.summary),
    `# Option: ${option?.title ?? 'none'}${option?.recommended ? ' (recommended)' : ''}`,
    ...plan.options.filter((o) => o !== option).map((o) => `# Other option (--option ${o.id}): ${o.title}`),
    '',
    renderBlock({
      type: 'terraform',
      labels: [],
      attrs: [],
      blocks: [
        {
          type: 'required_providers',
          labels: [],
          attrs: [
            [
              'google',
              new HclObject([
                ['source', 'hashicorp/google'],
                ['version', '>= 5.0'],
              ]),
            ],
          ],
        },
      ],
      spaced: false,
    }),
    '',
  ];
  const byName = new Map<string, Unknown>(plan.variables.map((v) => [v.name, v]));
  for (const v of declared) {
    const u = byName.get(v);
    const description = u ? `${u.description}${u.discover ? ` (find it: ${u.discover})` : ''}` : v;
    head.push(
      renderBlock({
        type: 'variable',
        labels: [tfVarName(v)],
        attrs: [
          ['type', { raw: 'string' }],
          ['description', description],
        ],
      }),
      '',
    );
  }
  return `${[...head, ...body].join('\n').replace(/\n+$/, '')}\n`;
}
