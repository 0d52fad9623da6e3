/**
 * What each plan step means in gcloud, Console and plain words. The gcloud script, the Markdown
 * runbook and the text report all describe steps through these functions, so a step is
 * explained once.
 */
import type { Plan, PlanCause, Step, Value } from '../model.js';
import { display, shellRef } from '../plan/variables.js';
import { dq, word } from './shell.js';

/** What a plan is for, in its heading: the cause and its code, or the risky setup. */
export function planSubject(plan: Plan<PlanCause>): string {
  return plan.code === undefined
    ? `${plan.cause} (risky setup: the calls work today)`
    : `${plan.cause} (error ${plan.code})`;
}

/** The API Keys restriction flag for an application restriction. */
const APP_FLAG = { referrers: 'allowed-referrers', ips: 'allowed-ips' } as const;

export function stepTitle(step: Step): string {
  switch (step.kind) {
    case 'grant_role':
      return `Grant ${step.role} to ${display(step.member)} in ${display(step.project)}`;
    case 'grant_role_on_service_account':
      return `Grant ${step.role} to ${display(step.member)} on the service account ${display(step.serviceAccount)}`;
    case 'create_custom_role':
      return `Create custom role ${step.roleId} in ${display(step.project)} with ${step.permissions.join(', ')}`;
    case 'create_service_account':
      return `Create service account ${step.accountId} in ${display(step.project)}`;
    case 'switch_workload_service_account':
      return `Run ${display(step.service)} as ${display(step.serviceAccount)}`;
    case 'revoke_role':
      return `Remove ${step.role} from ${display(step.member)} in ${display(step.project)}`;
    case 'restrict_api_key':
      return `Restrict the API key ${step.displayName ? `"${step.displayName}" ` : ''}(${display(step.key)}) to ${step.apiTargets.join(', ')}${step.application ? ` and to its ${step.application.kind === 'ips' ? 'server IP addresses' : 'HTTP referrers'}` : ''}`;
    case 'enable_api':
      return `Enable ${step.service} on ${display(step.project)}`;
    case 'enable_billing':
      return `Enable billing on ${display(step.project)}`;
    case 'set_config':
      return `Set ${step.key}=${display(step.value)} in ${step.where}`;
    case 'request_quota':
      return `Request more quota${step.metric ? ` for ${step.metric}` : ''} on ${display(step.project)}`;
    case 'wait_propagation':
      return `Wait up to ${Math.round(step.seconds / 60) || 1} min for propagation, then retry`;
    case 'manual':
      return step.title;
  }
}

/** Shell commands that perform the step (empty when the step has no command form). */
export function stepCommands(step: Step): string[] {
  switch (step.kind) {
    case 'grant_role': {
      const cond = step.condition
        ? `--condition=${dq(`expression=${step.condition.expression},title=${step.condition.title}`)}`
        : '--condition=None';
      return [
        `gcloud projects add-iam-policy-binding ${word(step.project)} --member=${word(step.member)} --role=${dq(step.role)} ${cond}`,
      ];
    }
    case 'grant_role_on_service_account':
      return [
        `gcloud iam service-accounts add-iam-policy-binding ${word(step.serviceAccount)} --member=${word(step.member)} --role=${dq(step.role)} --project=${word(step.project)}`,
      ];
    case 'create_custom_role':
      return [
        `gcloud iam roles describe ${step.roleId} --project=${word(step.project)} >/dev/null 2>&1 || gcloud iam roles create ${step.roleId} --project=${word(step.project)} --title=${dq(step.title)} --description=${dq(step.description)} --permissions=${step.permissions.join(',')} --stage=GA`,
      ];
    case 'create_service_account': {
      const email = `${step.accountId}@${shellRef(step.project)}.iam.gserviceaccount.com`;
      return [
        `gcloud iam service-accounts describe ${dq(email)} --project=${word(step.project)} >/dev/null 2>&1 || gcloud iam service-accounts create ${step.accountId} --project=${word(step.project)} --display-name=${dq(step.displayName)}`,
      ];
    }
    case 'switch_workload_service_account':
      return step.workload === 'cloud-run'
        ? [
            `gcloud run services update ${word(step.service)} --region=${word(step.region)} --project=${word(step.project)} --service-account=${word(step.serviceAccount)}`,
          ]
        : [];
    case 'revoke_role':
      // --condition=None: only the unconditional binding (the one the scan saw), and no prompt.
      return [
        `gcloud projects remove-iam-policy-binding ${word(step.project)} --member=${word(step.member)} --role=${dq(step.role)} --condition=None`,
      ];
    case 'restrict_api_key': {
      // gcloud services api-keys update: --api-target=service=S (repeatable) and one application
      // restriction flag (--allowed-referrers | --allowed-ips, comma-separated), per the reference.
      const targets = step.apiTargets.map((s) => `--api-target=service=${s}`).join(' ');
      const app = step.application
        ? ` --${APP_FLAG[step.application.kind]}=${word(step.application.values)}`
        : '';
      return [
        `gcloud services api-keys update ${word(step.key)} --project=${word(step.project)} --location=global ${targets}${app}`,
      ];
    }
    case 'enable_api':
      return [`gcloud services enable ${step.service} --project=${word(step.project)}`];
    case 'set_config':
    case 'manual':
      return step.command ? [step.command] : [];
    default:
      return [];
  }
}

const CONSOLE = 'https://console.cloud.google.com';

function q(project: Value): string {
  return `?project=${display(project)}`;
}

/** The Console way to perform the step. */
export function consoleInstructions(step: Step): string {
  switch (step.kind) {
    case 'grant_role':
      return `Open ${CONSOLE}/iam-admin/iam${q(step.project)} > Grant access > New principals: ${display(step.member).replace(/^[a-zA-Z]+:/, '')} > Role: ${step.role} > Save.`;
    case 'grant_role_on_service_account':
      return `Open ${CONSOLE}/iam-admin/serviceaccounts${q(step.project)} > ${display(step.serviceAccount)} > Principals with access > Grant access > New principals: ${display(step.member).replace(/^[a-zA-Z]+:/, '')} > Role: ${step.role} > Save (on this service account only, not in the project's IAM page).`;
    case 'create_custom_role':
      return `Open ${CONSOLE}/iam-admin/roles/create${q(step.project)} > ID: ${step.roleId}, Title: ${step.title}, Launch stage: General Availability > Add permissions: ${step.permissions.join(', ')} > Create.`;
    case 'create_service_account':
      return `Open ${CONSOLE}/iam-admin/serviceaccounts/create${q(step.project)} > Service account ID: ${step.accountId}, name: ${step.displayName} > Done (grant roles in the IAM page, not here).`;
    case 'switch_workload_service_account':
      return step.workload === 'cloud-run'
        ? `Open ${CONSOLE}/run/detail/${display(step.region)}/${display(step.service)}/revisions${q(step.project)} > Edit & deploy new revision > Security > Service account: ${display(step.serviceAccount)} > Deploy.`
        : `Change the workload to run as ${display(step.serviceAccount)} and redeploy.`;
    case 'revoke_role':
      return `Open ${CONSOLE}/iam-admin/iam${q(step.project)} > the row of ${display(step.member).replace(/^[a-zA-Z]+:/, '')} > Edit principal > delete the ${step.role} role > Save.`;
    case 'restrict_api_key': {
      const app = step.application
        ? ` > Application restrictions: ${step.application.kind === 'ips' ? 'IP addresses' : 'Websites'}, add ${display(step.application.values)}`
        : '';
      return `Open ${CONSOLE}/apis/credentials/key/${display(step.key)}${q(step.project)}${app} > API restrictions: Restrict key, select ${step.apiTargets.join(', ')} > Save.`;
    }
    case 'enable_api':
      return `Open ${CONSOLE}/apis/library/${step.service}${q(step.project)} > Enable.`;
    case 'enable_billing':
      return `Open ${CONSOLE}/billing/linkedaccount${q(step.project)} > Link a billing account > choose an open account > Set account.`;
    case 'set_config':
      return /cloud run/i.test(step.where)
        ? `Open Cloud Run > the service > Edit & deploy new revision > Variables & Secrets > set ${step.key} = ${display(step.value)} > Deploy (also check any project=/location= passed in code).`
        : `Set ${step.key} = ${display(step.value)} in ${step.where}.`;
    case 'request_quota':
      return `Open ${CONSOLE}/iam-admin/quotas${q(step.project)} > filter ${step.metric ?? 'Vertex AI API'} > select the quota > Edit quotas > enter the new value and a justification > Submit.`;
    case 'wait_propagation':
      return `Wait ${Math.round(step.seconds / 60) || 1} minute(s), then retry the call.`;
    case 'manual':
      return `${step.instructions}${step.command ? ` Command: ${step.command}` : ''}`;
  }
}
