/**
 * Values from the evidence never become flags or shell syntax in a suggested command. Hostile
 * values (leading dashes, spaces, quotes, `$()`, backticks, newlines, `=`, `;`, `|`) are put in
 * every field an error can carry (the resource's project, location and model, the permission,
 * the principal, the API service, the quota consumer, the constraint, the VPC-SC id) and in every
 * context flag, then rendered through every output: the report (text, md, json: "Next checks")
 * and the plan (gcloud script, Terraform, console steps, md, json). Every hostile value carries
 * the token `zz`, which no template uses. A command line leaks when it holds a hostile value as
 * it was, or `zz` glued to a leading dash or to shell syntax. (A valid id cut out of a hostile
 * value, such as `zz@x.com` from `-zz@x.com`, may appear: it is a valid e-mail, not a flag.) The
 * text around the commands may quote the evidence; the commands may not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Context, Runtime } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { type PlanTarget, renderPlan, renderReport } from '../../src/core/render/index.js';

/** Every hostile value contains `zz` and at least one character no id of any kind admits. */
const HOSTILE = fc.oneof(
  fc.constantFrom(
    '--flags-file=zzevil',
    '--impersonate-service-account=zz!x@evil.iam.gserviceaccount.com',
    '-zz',
    'zz proj',
    'zz"q',
    "zz'q",
    '$(zzcmd)',
    '`zzcmd`',
    'zz\nrm -rf ~',
    'a=zz',
    'zz;id',
    'zz|id',
    'zz&&id',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, as a hostile value
    '${zz}',
    'zz#c',
  ),
  fc
    .tuple(
      fc.constantFrom(
        '-',
        '--',
        ' ',
        '"',
        "'",
        '$(',
        '`',
        '\n',
        '=',
        ';',
        '|',
        '&',
        '<',
        '>',
        '\\',
        '\t',
        '',
      ),
      fc.constantFrom('zz', 'zzA', 'zz-x', 'zz@x.com', 'zz.googleapis.com'),
      fc.constantFrom('', ')', '`', '"', "'", '=x', ' y', '\nz', ';', '--x'),
    )
    // At least one character no id admits, wherever the value lands.
    .filter(([a, , c]) => /[-\s"'$`=;|&<>\\()]/.test(a + c) && (a !== '' || c !== ''))
    .map(([a, b, c]) => `${a}${b}${c}`),
);

const RUNTIMES: Runtime[] = ['cloud-run', 'gke', 'gce', 'local', 'other'];

interface Evidence {
  project: string;
  location: string;
  model: string;
  permission: string;
  principal: string;
  service: string;
  constraint: string;
  vpcsc: string;
  template: number;
}

/** Google's real error shapes, with the hostile values where the real ones go. */
function errorText(e: Evidence): string {
  const resource = `projects/${e.project}/locations/${e.location}/publishers/google/models/${e.model}`;
  const bodies = [
    {
      code: 403,
      message: `Permission '${e.permission}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'aiplatform.googleapis.com',
          metadata: { permission: e.permission, resource },
        },
      ],
    },
    {
      code: 403,
      message: `${e.service} has not been used in project ${e.project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${e.service}/overview?project=${e.project} then retry.`,
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { consumer: `projects/${e.project}`, service: e.service },
        },
      ],
    },
    {
      code: 404,
      message: `Publisher Model \`${resource}\` was not found or your project does not have access to it.`,
      status: 'NOT_FOUND',
    },
    {
      code: 403,
      message: `Permission 'iam.serviceAccounts.actAs' denied on service account ${e.principal} (or it may not exist).`,
      status: 'PERMISSION_DENIED',
    },
    {
      code: 400,
      message: `Constraint ${e.constraint} violated for project ${e.project}.`,
      status: 'FAILED_PRECONDITION',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
          violations: [{ type: e.constraint, subject: `projects/${e.project}`, description: 'denied' }],
        },
      ],
    },
    {
      code: 403,
      message: `Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: ${e.vpcsc}`,
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SECURITY_POLICY_VIOLATED',
          domain: 'googleapis.com',
          metadata: { uid: e.vpcsc, service: e.service, consumer: `projects/${e.project}` },
        },
      ],
    },
    {
      code: 429,
      message: `Quota exceeded for quota metric '${e.service}/generate_content_requests' and limit 'per minute' of service '${e.service}' for consumer 'project_number:${e.project}'.`,
      status: 'RESOURCE_EXHAUSTED',
    },
    {
      code: 403,
      message: `Billing account for project '${e.project}' is not found. Billing must be enabled for activation of service(s) '${e.service}' to proceed.`,
      status: 'PERMISSION_DENIED',
    },
  ];
  const body = bodies[e.template % bodies.length];
  return `google.api_core.exceptions.PermissionDenied: ${body?.code} ${body?.message}\n${JSON.stringify({ error: body })}`;
}

/** The lines of an output that are commands a user would run. */
function commandLines(
  output: string,
  kind: 'report-json' | 'plan-json' | PlanTarget | 'text' | 'md',
): string[] {
  switch (kind) {
    case 'report-json':
    case 'plan-json': {
      const found: string[] = [];
      const walk = (v: unknown, key = ''): void => {
        if (typeof v === 'string') {
          if (/^(command|discover|commands?)$/i.test(key)) found.push(v);
        } else if (Array.isArray(v)) for (const x of v) walk(x, key);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
      };
      walk(JSON.parse(output));
      return found;
    }
    case 'gcloud':
      // Commands: `run '...'` lines, discover assignments; everything else is comments or echo.
      return output.split('\n').filter((l) => /^\s*(run |[A-Z_]+="\$\(|if \[)/.test(l) && !/^\s*#/.test(l));
    case 'terraform':
      return output
        .split('\n')
        .filter((l) => !/^\s*(#|\/\/)/.test(l) && !/^\s*(description|title)\s*=/.test(l));
    default:
      // text / md / console: the lines that run a tool.
      return output.split('\n').filter((l) => /(^|\s|`)(gcloud|curl|terraform|bash)\s/.test(l));
  }
}

/** `zz` as (part of) a flag, or next to shell syntax, or a hostile value verbatim. */
const GLUED = /(^|[\s=])-+zz|(^|\s)--(flags-file|x\b)|\$\(zz|`zz|zz`|zz[;|&#<>\\)]|\$\{zz\}|a=zz/i;

/**
 * A hostile value's first line, as it was (less a leading `=` or blank, which a template's own
 * `--flag=` or space can stand for), still holding a character no id admits.
 */
function verbatim(v: string): string | undefined {
  const head = v.split('\n')[0]!.replace(/^[=\s]+/, '');
  return /[^A-Za-z0-9.@-]/.test(head) ? head : undefined;
}

function leaks(line: string, hostile: string[]): boolean {
  return (
    GLUED.test(line) ||
    hostile.some((v) => {
      const head = verbatim(v);
      return head !== undefined && line.includes(head);
    })
  );
}

const CONTEXT_KEYS = ['project', 'principal', 'location', 'model', 'service', 'region', 'actor'] as const;

test('no value from the evidence or the context becomes a flag or shell syntax in any command', () => {
  let renders = 0;
  let leaked = 0;
  const examples: string[] = [];
  fc.assert(
    fc.property(
      fc.record({
        project: HOSTILE,
        location: HOSTILE,
        model: HOSTILE,
        permission: HOSTILE,
        principal: HOSTILE,
        service: HOSTILE,
        constraint: HOSTILE,
        vpcsc: HOSTILE,
        template: fc.nat(7),
      }),
      // Each context flag: hostile, or absent (the library takes what the CLI refuses).
      fc.record(Object.fromEntries(CONTEXT_KEYS.map((k) => [k, fc.option(HOSTILE, { nil: undefined })]))),
      fc.constantFrom(...RUNTIMES),
      (evidence, ctxValues, runtime) => {
        const context: Context = { runtime };
        for (const k of CONTEXT_KEYS) if (ctxValues[k] !== undefined) context[k] = ctxValues[k];
        const d = diagnose(errorText(evidence), context);
        const plan = buildPlan(d);
        const outputs: Array<[string, Parameters<typeof commandLines>[1]]> = [
          [renderReport(d, plan, 'text'), 'text'],
          [renderReport(d, plan, 'md'), 'md'],
          [renderReport(d, plan, 'json'), 'report-json'],
          [renderPlan(plan, 'gcloud'), 'gcloud'],
          [renderPlan(plan, 'terraform'), 'terraform'],
          [renderPlan(plan, 'console'), 'console'],
          [renderPlan(plan, 'md'), 'md'],
          [renderPlan(plan, 'json'), 'plan-json'],
        ];
        for (const [out, kind] of outputs) {
          renders++;
          const hostile = [...Object.values(evidence), ...Object.values(ctxValues)].filter(
            (v): v is string => typeof v === 'string',
          );
          for (const line of commandLines(out, kind)) {
            if (!leaks(line, hostile)) continue;
            leaked++;
            if (examples.length < 5) examples.push(`${kind}: ${line.trim().slice(0, 200)}`);
          }
        }
      },
    ),
    { numRuns: 400, seed: 20261205 },
  );
  process.stdout.write(
    `# injection: ${renders} renders of 400 hostile evidence + context sets, ${leaked} leaks\n`,
  );
  assert.equal(leaked, 0, examples.join('\n'));
});
