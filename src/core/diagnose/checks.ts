/**
 * Titles and next checks per cause: runnable commands with the values the evidence gave filled
 * in (unknown ones as clearly named shell variables), each with the id of the live-doctor probe
 * that answers the same question.
 */
import { validId, validIdOf } from '../ids.js';
import type { NextCheck } from '../model.js';
import type { CauseId } from '../taxonomy.js';
import type { Derived } from './derive.js';
import { grantProject } from './rules.js';

export const TITLES: Record<CauseId, string> = {
  'iam.missing_permission': 'The caller lacks an IAM permission',
  'iam.cross_project': 'The principal has no binding in the project it calls',
  'iam.vpc_service_controls': 'A VPC Service Controls perimeter blocks the call',
  'iam.deny_policy': 'An IAM deny policy blocks the permission',
  'iam.propagation_delay': 'The grant has not propagated yet',
  'iam.service_agent': 'A Google-managed service agent lacks access',
  'iam.act_as': 'The caller may not act as the service account',
  'project.mismatch': 'The request went to a different project than intended',
  'project.invalid': 'The project id is invalid, a placeholder or does not exist',
  'api.disabled': 'The API is not enabled on the project',
  'billing.disabled': 'Billing is not enabled on the project',
  'quota_project.denied': 'User credentials need a usable quota project',
  'model.not_found': 'The model name or version does not exist (or was retired)',
  'model.location_unsupported': 'The model is not served at the requested location',
  'model.access_restricted': 'The project may not use this model',
  'region.unsupported': "The Gemini API is not offered in the caller's region",
  'auth.credentials_missing': 'No credentials were found',
  'auth.credentials_invalid': 'The credentials are invalid, expired or revoked',
  'auth.scope_insufficient': 'The access token lacks the needed OAuth scope',
  'auth.api_key_invalid': 'The API key is invalid, expired or restricted',
  'auth.api_key_unsupported': 'An API key was sent to an endpoint that needs OAuth',
  'quota.exceeded': 'A hard quota is used up',
  'rate.throttled': 'Short-term rate limit or capacity throttling',
  'org_policy.violation': 'An organization policy forbids the call',
  unknown: 'The cause cannot be told from this evidence',
};

/**
 * A value for a shell command: the known value or `$VAR`. Values reach here through forCommands
 * (valid ids only); this last test keeps anything else (a leading `-` a CLI would read as a flag,
 * shell metacharacters) out even if a caller forgot.
 */
function sh(value: string | undefined, variable: string): string {
  if (value === undefined || value === '') return `$${variable}`;
  // `$NAME` references to other variables (in a resource name built around one) stay live.
  const literal = value.replace(/\$[A-Z][A-Z0-9_]*/g, 'X');
  return /^[A-Za-z0-9/][A-Za-z0-9@._:/=-]*$/.test(literal) ? value : `$${variable}`;
}

/**
 * The diagnosis with every value a command may use checked against its kind (ids.ts); one that
 * is not a valid id is dropped, so the command shows a named variable instead. The diagnosis
 * text still quotes the evidence as it was; only commands are built from this view.
 */
export function forCommands(d: Derived): Derived {
  const project = (v: string | undefined) => validId('project', v);
  const f = d.facts;
  const principal = d.principal && { ...d.principal, email: validId('email', d.principal.email) };
  if (principal && !principal.email) delete principal.email;
  return {
    ...d,
    facts: {
      ...f,
      project: project(f.project),
      location: validId('location', f.location),
      model: validId('model', f.model),
      permission: validId('permission', f.permission),
      service: validId('apiService', f.service),
      constraint: validId('constraint', f.constraint),
      vpcScId: validId('opaqueId', f.vpcScId),
    },
    context: {
      ...d.context,
      project: project(d.context.project),
      service: validIdOf(['runService', 'apiService'], d.context.service),
      region: validId('location', d.context.region),
      location: validId('location', d.context.location),
      model: validId('model', d.context.model),
      actor: validIdOf(['email', 'member'], d.context.actor),
      principal: validIdOf(['email', 'member'], d.context.principal),
    },
    errorProject: project(d.errorProject),
    contextProject: project(d.contextProject),
    ...(principal ? { principal } : {}),
    ...(d.model
      ? {
          model: {
            ...d.model,
            id: validId('model', d.model.id) ?? '',
            location: validId('location', d.model.location),
          },
        }
      : {}),
    permission: validId('permission', d.permission),
  };
}

function member(d: Derived): string {
  const p = d.principal;
  if (p?.email) {
    const kind = p.kind === 'user' ? 'user' : 'serviceAccount';
    return `${kind}:${p.email}`;
  }
  return 'serviceAccount:$SERVICE_ACCOUNT';
}

function bearer(d: Derived): string {
  const sa =
    d.principal?.email && d.principal.kind !== 'user'
      ? ` --impersonate-service-account=${d.principal.email}`
      : '';
  return `-H "Authorization: Bearer $(gcloud auth print-access-token${sa})"`;
}

function policyCheck(d: Derived, project: string | undefined): NextCheck {
  const who = member(d);
  return {
    description: `Roles the principal holds in project ${project ?? '$PROJECT_ID'}`,
    command: `gcloud projects get-iam-policy ${sh(project, 'PROJECT_ID')} --flatten="bindings[].members" --filter="bindings.members:${who}" --format="table(bindings.role)"`,
    probe: 'policy.bindings',
  };
}

function testPermissions(d: Derived, project: string | undefined, permission: string | undefined): NextCheck {
  return {
    description: `Ask IAM which of the permissions the principal has on project ${project ?? '$PROJECT_ID'}`,
    command:
      `curl -s -X POST ${bearer(d)} -H "Content-Type: application/json" ` +
      `https://cloudresourcemanager.googleapis.com/v1/projects/${sh(project, 'PROJECT_ID')}:testIamPermissions ` +
      `-d '{"permissions":["${permission ?? 'aiplatform.endpoints.predict'}"]}'`,
    probe: 'iam.testPermissions',
  };
}

function troubleshoot(
  d: Derived,
  resource: string,
  permission: string | undefined,
  who = d.principal?.email,
): NextCheck {
  const email = who ?? '$SERVICE_ACCOUNT';
  return {
    description: 'Policy Troubleshooter: which binding (or deny rule) decides this access',
    command: `gcloud policy-intelligence troubleshoot-policy iam ${sh(resource, 'FULL_RESOURCE_NAME')} --principal-email=${sh(email, 'SERVICE_ACCOUNT')} --permission=${permission ?? 'aiplatform.endpoints.predict'}`,
    probe: 'troubleshooter',
  };
}

function runtimeIdentity(d: Derived): NextCheck | undefined {
  const project = d.contextProject ?? d.errorProject;
  switch (d.context.runtime) {
    case 'cloud-run':
      return {
        description:
          'The service account the Cloud Run service runs as (empty = the Compute Engine default account)',
        command: `gcloud run services describe ${sh(d.context.service?.endsWith('.googleapis.com') ? undefined : d.context.service, 'SERVICE')} --region ${sh(d.context.region, 'REGION')} --project ${sh(project, 'PROJECT_ID')} --format 'value(spec.template.spec.serviceAccountName)'`,
        probe: 'identity.runtime',
      };
    case 'gce':
    case 'vertex-workbench':
    case 'gke':
      return {
        description: 'The identity (and scopes) the workload gets from the metadata server',
        command:
          'curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email; ' +
          'curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/scopes',
        probe: 'identity.runtime',
      };
    default:
      return undefined;
  }
}

function fullProjectResource(project: string | undefined): string {
  return `//cloudresourcemanager.googleapis.com/projects/${project ?? '$PROJECT_ID'}`;
}

function countTokens(
  d: Derived,
  project: string | undefined,
  location: string | undefined,
  model: string | undefined,
): NextCheck {
  const loc = location ?? 'global';
  const host = loc === 'global' ? 'aiplatform.googleapis.com' : `${loc}-aiplatform.googleapis.com`;
  return {
    description: `A cheap real call: countTokens on ${model ?? '$MODEL'} at ${loc}`,
    command:
      `curl -s -X POST ${bearer(d)} -H "Content-Type: application/json" ` +
      `https://${host}/v1/projects/${sh(project, 'PROJECT_ID')}/locations/${loc}/publishers/google/models/${sh(model, 'MODEL')}:countTokens ` +
      `-d '{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}'`,
    probe: 'models.countTokens',
  };
}

function describeProject(project: string | undefined): NextCheck {
  return {
    description: `Does project ${project ?? '$PROJECT_ID'} exist, and what are its id and number`,
    command: `gcloud projects describe ${sh(project?.trim(), 'PROJECT_ID')} --format='value(projectId,projectNumber,lifecycleState)'`,
    probe: 'project.get',
  };
}

export function nextChecks(cause: CauseId, evidence: Derived): NextCheck[] {
  const d = forCommands(evidence);
  const f = d.facts;
  const project = grantProject(d);
  const perm = d.permission;
  const model = d.model?.id || undefined;
  const location = d.model?.location && d.model.location !== 'gemini-api' ? d.model.location : f.location;
  const out: Array<NextCheck | undefined> = [];
  switch (cause) {
    case 'iam.missing_permission':
    case 'iam.cross_project': {
      const target = cause === 'iam.cross_project' ? d.errorProject : project;
      out.push(runtimeIdentity(d), policyCheck(d, target), testPermissions(d, target, perm));
      out.push(troubleshoot(d, fullProjectResource(target), perm));
      if (model && d.api !== 'gemini-api') out.push(countTokens(d, target, location, model));
      break;
    }
    case 'iam.service_agent': {
      const number = /^service-(\d+)@/.exec(d.principal?.email ?? '')?.[1];
      out.push(policyCheck(d, d.errorProject ?? d.contextProject));
      out.push({
        description: 'Make sure the Vertex AI service agents exist (creates them if missing)',
        command: `gcloud beta services identity create --service=aiplatform.googleapis.com --project=${sh(d.errorProject ?? d.contextProject, 'PROJECT_ID')}`,
        probe: 'services.identity',
      });
      if (number) out.push(describeProject(number));
      out.push(troubleshoot(d, fullProjectResource(d.errorProject), perm));
      break;
    }
    case 'iam.act_as': {
      const sa = d.principal?.email;
      // The one refused is whoever acts as the account (a workload impersonating it), when known.
      const actor = d.context.actor?.replace(/^[a-zA-Z]+:/, '');
      out.push({
        description: 'Who may act as / impersonate the service account (bindings ON the account)',
        command: `gcloud iam service-accounts get-iam-policy ${sh(sa, 'SERVICE_ACCOUNT')}`,
        probe: 'policy.bindings',
      });
      out.push(
        troubleshoot(
          d,
          `//iam.googleapis.com/projects/-/serviceAccounts/${sa ?? '$SERVICE_ACCOUNT'}`,
          perm ?? 'iam.serviceAccounts.getAccessToken',
          actor ?? sa,
        ),
      );
      break;
    }
    case 'iam.propagation_delay':
      out.push(policyCheck(d, project), testPermissions(d, project, perm));
      out.push({ description: 'Wait a few minutes, then retry the same call', command: 'sleep 120' });
      break;
    case 'iam.deny_policy':
      out.push({
        description: 'Deny policies attached to the project',
        command: `gcloud iam policies list --attachment-point=cloudresourcemanager.googleapis.com/projects/${sh(project, 'PROJECT_ID')} --kind=denypolicies --format=json`,
        probe: 'policy.deny',
      });
      out.push(troubleshoot(d, fullProjectResource(project), perm));
      break;
    case 'iam.vpc_service_controls':
      out.push({
        description: 'Find the VPC-SC violation in the audit log',
        command: `gcloud logging read 'protoPayload.metadata.vpcServiceControlsUniqueIdentifier="${f.vpcScId ?? '$VPCSC_ID'}"' --project ${sh(project, 'PROJECT_ID')} --limit 5 --format json`,
        probe: 'logs.vpcsc',
      });
      out.push({
        description: 'List the perimeters of the access policy',
        command: 'gcloud access-context-manager perimeters list --policy=$ACCESS_POLICY_ID',
      });
      break;
    case 'project.mismatch':
      out.push(describeProject(d.errorProject), describeProject(d.contextProject));
      out.push({
        description: 'Which project the client resolves (env vars and gcloud / ADC config)',
        command:
          'echo "GOOGLE_CLOUD_PROJECT=$GOOGLE_CLOUD_PROJECT CLOUD_ML_PROJECT_ID=$CLOUD_ML_PROJECT_ID"; gcloud config get-value project',
        probe: 'project.resolved',
      });
      if (model && d.api !== 'gemini-api')
        out.push(countTokens(d, d.contextProject ?? project, location, model));
      break;
    case 'project.invalid':
      out.push(describeProject(d.errorProject ?? d.contextProject));
      out.push({
        description: 'Projects the current credentials can see',
        command: "gcloud projects list --format='table(projectId,projectNumber,name)'",
        probe: 'project.list',
      });
      break;
    case 'api.disabled': {
      const service = f.service ?? 'aiplatform.googleapis.com';
      const p = f.project ?? d.contextProject;
      out.push({
        description: `Is ${service} enabled on ${p ?? '$PROJECT_ID'}`,
        command: `gcloud services list --enabled --project ${sh(p, 'PROJECT_ID')} --filter="config.name=${service}"`,
        probe: 'services.get',
      });
      out.push({
        description: 'Enable it',
        command: `gcloud services enable ${service} --project ${sh(p, 'PROJECT_ID')}`,
      });
      break;
    }
    case 'billing.disabled':
      out.push({
        description: 'Billing state of the project',
        command: `gcloud billing projects describe ${sh(f.project ?? d.contextProject, 'PROJECT_ID')}`,
        probe: 'billing.get',
      });
      break;
    case 'quota_project.denied':
      out.push({
        description: 'The quota project ADC uses',
        command:
          'gcloud config get-value billing/quota_project; cat ~/.config/gcloud/application_default_credentials.json | grep quota_project_id',
        probe: 'adc.quotaProject',
      });
      out.push({
        description: 'Set a quota project you may use (needs serviceusage.services.use on it)',
        command: `gcloud auth application-default set-quota-project ${sh(d.contextProject ?? f.project, 'PROJECT_ID')}`,
      });
      break;
    case 'model.not_found':
    case 'model.location_unsupported':
    case 'model.access_restricted':
      if (d.api === 'gemini-api') {
        out.push({
          description: 'Models the Gemini API offers to this key',
          command:
            'curl -s -H "x-goog-api-key: $GEMINI_API_KEY" "https://generativelanguage.googleapis.com/v1beta/models?pageSize=200" | grep \'"name"\'',
          probe: 'models.list',
        });
      } else {
        out.push(
          countTokens(d, project, cause === 'model.location_unsupported' ? 'global' : location, model),
        );
        if (cause === 'model.location_unsupported' && location && location !== 'global') {
          out.push({
            ...countTokens(d, project, location, model),
            description: `The same call at ${location} (expected to fail)`,
          });
        }
        out.push({
          description: 'The publisher model, as Vertex AI describes it',
          command: `curl -s ${bearer(d)} "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/${sh(model, 'MODEL')}"`,
          probe: 'models.get',
        });
      }
      break;
    case 'region.unsupported':
      out.push({
        description: 'Where the request egresses from (the Gemini API decides by caller location)',
        command: 'curl -s https://ipinfo.io/country',
      });
      break;
    case 'auth.credentials_missing':
      out.push({
        description: 'Can Application Default Credentials mint a token here',
        command:
          'gcloud auth application-default print-access-token >/dev/null && echo ADC OK; echo "GOOGLE_APPLICATION_CREDENTIALS=$GOOGLE_APPLICATION_CREDENTIALS GOOGLE_CLOUD_PROJECT=$GOOGLE_CLOUD_PROJECT"',
        probe: 'auth.token',
      });
      out.push({ description: 'Set up ADC locally', command: 'gcloud auth application-default login' });
      break;
    case 'auth.credentials_invalid':
    case 'auth.scope_insufficient':
      out.push({
        description: 'What the token is: expiry, scopes, identity',
        command:
          'curl -s "https://oauth2.googleapis.com/tokeninfo?access_token=$(gcloud auth application-default print-access-token)"',
        probe: 'auth.tokeninfo',
      });
      if (cause === 'auth.scope_insufficient') {
        const r = runtimeIdentity(d);
        if (r) out.push(r);
      } else {
        out.push({
          description: 'Refresh user credentials',
          command: 'gcloud auth application-default login',
        });
      }
      break;
    case 'auth.api_key_invalid':
      out.push({
        description: "The project's API keys and their restrictions",
        command: `gcloud services api-keys list --project ${sh(f.project ?? d.contextProject, 'PROJECT_ID')} --format="table(uid,displayName,restrictions.apiTargets[].service)"`,
        probe: 'apikeys.list',
      });
      out.push({
        description: 'Try the key against the Gemini API',
        command:
          'curl -s -H "x-goog-api-key: $GEMINI_API_KEY" "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1"',
        probe: 'models.list',
      });
      break;
    case 'auth.api_key_unsupported':
      out.push({
        ...countTokens(d, project, location, model),
        description: 'Call Vertex AI with an OAuth token instead of a key',
      });
      break;
    case 'quota.exceeded':
    case 'rate.throttled': {
      const service =
        f.service ??
        (d.api === 'gemini-api' ? 'generativelanguage.googleapis.com' : 'aiplatform.googleapis.com');
      out.push({
        description: `Quotas of ${service} for the project and their usage`,
        command: `gcloud alpha services quota list --service=${service} --consumer=projects/${sh(f.project ?? d.contextProject, 'PROJECT_ID')} --format=json`,
        probe: 'quota.list',
      });
      if (service.startsWith('generativelanguage')) {
        out.push({
          description: 'Gemini API rate limits and usage',
          command: 'open https://aistudio.google.com/usage',
        });
      }
      break;
    }
    case 'org_policy.violation':
      out.push({
        description: `The effective policy for ${f.constraint ?? 'the constraint'}`,
        command: `gcloud resource-manager org-policies describe ${sh(f.constraint?.replace(/^constraints\//, ''), 'CONSTRAINT')} --project ${sh(d.contextProject ?? project, 'PROJECT_ID')} --effective`,
        probe: 'orgpolicy.get',
      });
      break;
    case 'unknown':
      break;
  }
  return out.filter((c): c is NextCheck => c !== undefined);
}

/** What to collect when nothing fits. */
export function collectNext(d: Derived): string[] {
  const out: string[] = [];
  if (!d.facts.http && !d.facts.status)
    out.push('the HTTP status and google.rpc status of the failing response');
  if (!d.facts.message) out.push('the full error body (JSON with `details`), not only the exception line');
  if (!d.facts.resource && !d.facts.model) out.push('the request URL or resource (project, location, model)');
  if (!d.principal)
    out.push(
      'the principal making the call (--principal; the audit log names it in authenticationInfo.principalEmail)',
    );
  if (!d.contextProject) out.push('the project the caller meant to use (--project)');
  out.push('the Cloud Audit Log entry for the call (protoPayload.status, authorizationInfo[])');
  return out;
}
