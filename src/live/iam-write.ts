/**
 * Etag-safe read-modify-write of an IAM policy (a project's, or a service account's own): read
 * (version 3), apply a PURE edit,
 * write with the etag that was read. A 409 ABORTED means someone wrote in between: redo the
 * whole cycle (never re-send a stale policy) after an exponential backoff with full jitter,
 * up to a bound. Used by fix --apply, undo and the concurrency test's writers alike.
 */
import type { Policy } from '../core/iam.js';
import type { GcpClient } from '../gcp/client.js';
import { isConcurrentModification, isGoogleApiError } from '../gcp/errors.js';
import { getServiceAccountIamPolicy, setServiceAccountIamPolicy } from '../gcp/iam.js';
import { getIamPolicy, setIamPolicy } from '../gcp/resourcemanager.js';

/** A resource with an IAM allow policy: how to read and write it, and what to call it. */
export interface PolicyResource {
  /** For messages: `project P` or `service account EMAIL`. */
  label: string;
  get(client: GcpClient): Promise<Policy>;
  set(client: GcpClient, policy: Policy): Promise<Policy>;
}

export function projectPolicy(project: string): PolicyResource {
  return {
    label: `project ${project}`,
    get: (client) => getIamPolicy(client, project),
    set: (client, policy) => setIamPolicy(client, project, policy),
  };
}

export function serviceAccountPolicy(email: string): PolicyResource {
  return {
    label: `service account ${email}`,
    get: (client) => getServiceAccountIamPolicy(client, email),
    set: (client, policy) => setServiceAccountIamPolicy(client, email, policy),
  };
}

export interface RmwOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /**
   * Called after the edit and before the write that carries it, on every attempt: fix --apply
   * saves its write-ahead intent here, when it knows the edit really changes the policy.
   */
  beforeWrite?: (before: Policy, after: Policy) => Promise<void>;
}

export interface RmwResult<O> {
  policy: Policy;
  before: Policy;
  outcome: O;
  /** Read-modify-write cycles run (1 when no one else wrote). */
  attempts: number;
  /** 409 ABORTED answers seen. */
  conflicts: number;
  /** Whether a write was needed at all (an edit that changes nothing is not written). */
  wrote: boolean;
}

export class PolicyConflictError extends Error {
  override readonly name = 'PolicyConflictError';
}

/** A grant to a service account created seconds ago can fail until IAM knows the account. */
function isNewAccountNotYetVisible(e: unknown): boolean {
  return isGoogleApiError(e) && e.httpStatus === 400 && /does not exist/i.test(e.message);
}

export function backoffMs(attempt: number, o: RmwOptions = {}): number {
  const cap = Math.min(o.maxDelayMs ?? 4_000, (o.baseDelayMs ?? 100) * 2 ** attempt);
  return Math.round(cap * (0.5 + (o.random ?? Math.random)() / 2));
}

/** `resource`: a policy resource, or a project id for the project's policy. */
export async function modifyPolicy<O extends string>(
  client: GcpClient,
  resource: PolicyResource | string,
  edit: (p: Policy) => { policy: Policy; outcome: O } | Promise<{ policy: Policy; outcome: O }>,
  unchanged: readonly O[],
  o: RmwOptions = {},
): Promise<RmwResult<O>> {
  const target = typeof resource === 'string' ? projectPolicy(resource) : resource;
  // A busy policy (CI bots, Terraform runs, other operators) can refuse several cycles in a row;
  // each cycle is safe, so persisting (up to ~1 min with the 4 s cap) beats handing the user a retry.
  const max = o.maxAttempts ?? 20;
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    const before = await target.get(client);
    const { policy, outcome } = await edit(before);
    if (unchanged.includes(outcome)) {
      return { policy: before, before, outcome, attempts: attempt, conflicts, wrote: false };
    }
    await o.beforeWrite?.(before, policy);
    try {
      // The etag read above goes back unchanged: the server rejects the write if it is stale.
      const written = await target.set(client, { ...policy, etag: before.etag });
      return { policy: written, before, outcome, attempts: attempt, conflicts, wrote: true };
    } catch (e) {
      const retriable = isConcurrentModification(e) || isNewAccountNotYetVisible(e);
      if (!retriable) throw e;
      if (isConcurrentModification(e)) conflicts++;
      if (attempt >= max) {
        throw new PolicyConflictError(
          `the IAM policy of ${target.label} kept changing under us (${conflicts} conflicts in ${attempt} attempts); nothing was written, try again`,
        );
      }
      await new Promise((r) => setTimeout(r, backoffMs(attempt, o)));
    }
  }
}
