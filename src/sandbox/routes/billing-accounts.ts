/**
 * Cloud Billing v1 billingAccounts.list and billingAccounts.projects.list: the accounts the
 * caller can see and the projects linked to each (ProjectBillingInfo). Billing-account IAM is not
 * modelled: the caller needs billing.resourceAssociations.list on the organization (roles/billing.viewer
 * there), which is where a platform team usually holds it.
 */
import { callerLacksPermission, invalidArgument } from '../errors.js';
import { holdsOnScope } from '../hierarchy.js';
import type { RequestContext, Route } from '../router.js';
import { caller } from './guard.js';

const rpc = (method: string) => ({
  service: 'cloudbilling.googleapis.com',
  method: `google.cloud.billing.v1.CloudBilling.${method}`,
});
const PERMISSION = 'billing.resourceAssociations.list';

function visibleAccounts(ctx: RequestContext, method: string): string[] {
  const who = caller(ctx, rpc(method));
  const org = ctx.state.scenario.organization;
  if (!org || !holdsOnScope(ctx.state, who.email, PERMISSION, { kind: 'organization', id: org.id }))
    return [];
  const names = new Set<string>();
  for (const p of ctx.state.projects.values()) if (p.billingAccountName) names.add(p.billingAccountName);
  return [...names].sort();
}

function page<T>(items: T[], query: URLSearchParams, max: number): { items: T[]; next?: string } {
  const size = Math.min(Math.max(Number(query.get('pageSize') ?? max) || max, 1), max);
  const token = query.get('pageToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('Invalid page token.');
  const next =
    offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  return { items: items.slice(offset, offset + size), ...(next ? { next } : {}) };
}

function listAccounts(ctx: RequestContext) {
  const accounts = visibleAccounts(ctx, 'ListBillingAccounts').map((name) => ({
    name,
    open: true,
    displayName: `Billing ${name.split('/')[1]}`,
    masterBillingAccount: '',
  }));
  const p = page(accounts, ctx.query, 100);
  return { billingAccounts: p.items, ...(p.next ? { nextPageToken: p.next } : {}) };
}

function listProjects(ctx: RequestContext) {
  const name = `billingAccounts/${ctx.params.account}`;
  if (!visibleAccounts(ctx, 'ListProjectBillingInfo').includes(name)) {
    throw callerLacksPermission(PERMISSION, name, 'cloudbilling.googleapis.com');
  }
  const linked = [...ctx.state.projects.values()]
    .filter((p) => p.billingAccountName === name && p.lifecycleState === 'ACTIVE')
    .sort((a, b) => a.projectId.localeCompare(b.projectId))
    .map((p) => ({
      name: `projects/${p.projectId}/billingInfo`,
      projectId: p.projectId,
      billingAccountName: name,
      billingEnabled: p.billingEnabled,
    }));
  const p = page(linked, ctx.query, 200);
  return { projectBillingInfo: p.items, ...(p.next ? { nextPageToken: p.next } : {}) };
}

export function billingAccountRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/v1\/billingAccounts$/, handler: listAccounts },
    {
      method: 'GET',
      path: /^\/v1\/billingAccounts\/(?<account>[A-Z0-9-]+)\/projects$/,
      handler: listProjects,
    },
  ];
}
