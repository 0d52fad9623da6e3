/**
 * Policy Troubleshooter v3 `POST /v3/iam:troubleshoot`: for an access tuple (principal, full
 * resource name, permission) explain the allow policies (per binding: role includes the
 * permission? principal a member? condition?) and the deny policies, and give the overall state.
 * The explanation uses the policies as permission checks see them now (after propagation).
 * A caller who may not read the project's policy gets UNKNOWN_INFO, as on Google.
 */
import { errorInfo, GoogleApiError, invalidArgument } from '../errors.js';
import { type DenyRuleLike, v2Permission } from '../iam-eval.js';
import type { RequestContext, Route } from '../router.js';
import type { ProjectState } from '../state.js';
import { caller } from './guard.js';

const PT = 'policytroubleshooter.googleapis.com';

interface AccessTuple {
  principal?: string;
  fullResourceName?: string;
  permission?: string;
  conditionContext?: unknown;
}

export function troubleshooterRoutes(): Route[] {
  return [{ method: 'POST', path: /^\/v3\/iam:troubleshoot$/, handler: troubleshoot }];
}

function troubleshoot(ctx: RequestContext) {
  const who = caller(ctx, {
    service: PT,
    method: 'google.cloud.policytroubleshooter.iam.v3.PolicyTroubleshooter.TroubleshootIamPolicy',
  });
  const tuple = (ctx.body.accessTuple ?? {}) as AccessTuple;
  if (!tuple.principal || !tuple.fullResourceName || !tuple.permission) {
    throw invalidArgument(
      'accessTuple.principal, accessTuple.fullResourceName and accessTuple.permission are required.',
    );
  }
  const principal = tuple.principal.replace(/^(serviceAccount|user):/, '');
  const projectRef = /\/projects\/([^/]+)/.exec(tuple.fullResourceName)?.[1];
  const project = projectRef ? ctx.state.project(projectRef) : undefined;
  if (!project) {
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      `Permission denied on resource ${tuple.fullResourceName} (or it may not exist).`,
      [errorInfo('IAM_PERMISSION_DENIED', PT, { resource: tuple.fullResourceName })],
    );
  }
  const saEmail = /\/serviceAccounts\/([^/]+)$/.exec(tuple.fullResourceName)?.[1];
  const sa = saEmail ? ctx.state.serviceAccount(decodeURIComponent(saEmail)) : undefined;
  const projectResource = `//cloudresourcemanager.googleapis.com/projects/${project.projectNumber}`;
  const mayRead = ctx.state.checkPermission(
    who.email,
    'resourcemanager.projects.getIamPolicy',
    project,
  ).granted;
  const accessTuple = {
    principal: tuple.principal,
    fullResourceName: tuple.fullResourceName,
    permission: tuple.permission,
    permissionFqdn: v2Permission(tuple.permission),
    conditionContext: tuple.conditionContext,
  };
  if (!accessTuple.conditionContext) delete accessTuple.conditionContext;
  if (!mayRead) {
    return {
      overallAccessState: 'UNKNOWN_INFO',
      accessTuple,
      allowPolicyExplanation: {
        allowAccessState: 'ALLOW_ACCESS_STATE_UNKNOWN_INFO',
        explainedPolicies: [
          {
            allowAccessState: 'ALLOW_ACCESS_STATE_UNKNOWN_INFO',
            fullResourceName: projectResource,
            relevance: 'HEURISTIC_RELEVANCE_HIGH',
          },
        ],
        relevance: 'HEURISTIC_RELEVANCE_HIGH',
      },
      denyPolicyExplanation: {
        denyAccessState: 'DENY_ACCESS_STATE_UNKNOWN_INFO',
        relevance: 'HEURISTIC_RELEVANCE_HIGH',
        permissionDeniable: true,
      },
    };
  }
  const check = ctx.state.checkPermission(principal, tuple.permission, project, sa);
  const explainedPolicies = [
    {
      allowAccessState: check.allow.state,
      fullResourceName: projectResource,
      policy: ctx.state.effectivePolicy(project.policyHistory),
      bindingExplanations: check.allow.bindings,
      relevance: 'HEURISTIC_RELEVANCE_HIGH',
    },
  ];
  const denied = check.denyRules.length > 0;
  const overallAccessState = denied
    ? 'CANNOT_ACCESS'
    : check.allow.state === 'ALLOW_ACCESS_STATE_GRANTED'
      ? 'CAN_ACCESS'
      : check.allow.state === 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
        ? 'UNKNOWN_CONDITIONAL'
        : 'CANNOT_ACCESS';
  return {
    overallAccessState,
    accessTuple,
    allowPolicyExplanation: {
      allowAccessState: check.allow.state,
      explainedPolicies,
      relevance: 'HEURISTIC_RELEVANCE_HIGH',
    },
    denyPolicyExplanation: denyExplanation(project, tuple.permission, check.denyRules),
  };
}

function denyExplanation(project: ProjectState, permission: string, matched: DenyRuleLike[]) {
  const denyState = matched.length > 0 ? 'DENY_ACCESS_STATE_DENIED' : 'DENY_ACCESS_STATE_NOT_DENIED';
  const fullResourceName = `//cloudresourcemanager.googleapis.com/projects/${project.projectNumber}`;
  const attachment = encodeURIComponent(
    `cloudresourcemanager.googleapis.com/projects/${project.projectNumber}`,
  );
  const explainedPolicies = project.denyRules.map((rule, i) => {
    const hit = matched.includes(rule);
    return {
      denyAccessState: hit ? 'DENY_ACCESS_STATE_DENIED' : 'DENY_ACCESS_STATE_NOT_DENIED',
      policy: {
        name: `policies/${attachment}/denypolicies/${rule.name ?? `deny-${i + 1}`}`,
        rules: [{ denyRule: rule }],
      },
      ruleExplanations: [
        {
          denyAccessState: hit ? 'DENY_ACCESS_STATE_DENIED' : 'DENY_ACCESS_STATE_NOT_DENIED',
          combinedDeniedPermission: {
            permissionMatchingState: rule.deniedPermissions.some(
              (p) => p === permission || p === v2Permission(permission),
            )
              ? 'PERMISSION_PATTERN_MATCHED'
              : 'PERMISSION_PATTERN_NOT_MATCHED',
            relevance: 'HEURISTIC_RELEVANCE_HIGH',
          },
          combinedDeniedPrincipal: {
            membership: hit ? 'MEMBERSHIP_MATCHED' : 'MEMBERSHIP_NOT_MATCHED',
            relevance: 'HEURISTIC_RELEVANCE_HIGH',
          },
          relevance: hit ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
        },
      ],
      relevance: hit ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
    };
  });
  return {
    denyAccessState: denyState,
    explainedResources: [
      {
        denyAccessState: denyState,
        fullResourceName,
        explainedPolicies,
        relevance: 'HEURISTIC_RELEVANCE_HIGH',
      },
    ],
    relevance: 'HEURISTIC_RELEVANCE_HIGH',
    permissionDeniable: true,
  };
}
