/**
 * What every cause builder shares: its input (the diagnosis, resolved targets, variables, role
 * index), its output (a draft buildPlan completes), and small step helpers.
 */
import type { Diagnosis, NextCheck, PlanOption, RoleDecision, Step } from '../model.js';
import type { RoleIndex } from '../roles/index.js';
import type { CauseId } from '../taxonomy.js';
import { grantPlan } from './grants.js';
import type { Targets } from './targets.js';
import type { Variables } from './variables.js';

/** What one cause's builder returns; buildPlan adds the shared parts. */
export interface Draft {
  summary: string;
  options: PlanOption[];
  verify?: NextCheck[];
  rollback?: NextCheck[];
  notes?: string[];
  decisions?: RoleDecision[];
}

export interface Ctx {
  d: Diagnosis;
  t: Targets;
  vars: Variables;
  roles: RoleIndex;
}

export type Builder = (ctx: Ctx) => Draft;

export const VERTEX = 'aiplatform.googleapis.com';
/** The permission generateContent / predict on a publisher model checks. */
export const PREDICT = 'aiplatform.endpoints.predict';

export function option(id: string, title: string, steps: Step[], recommended = false): PlanOption {
  return { id, title, recommended, steps };
}

export function manual(title: string, instructions: string, why: string, command?: string): Step {
  return command
    ? { kind: 'manual', title, instructions, why, command }
    : { kind: 'manual', title, instructions, why };
}

/** Permissions the evidence names (every error in the input), else the call's usual one. */
export function missingPermissions(ctx: Ctx): { permissions: string[]; assumed: boolean } {
  const named = [
    ...new Set(
      [ctx.d.facts.permission, ...ctx.d.facts.errors.map((e) => e.permission)].filter(
        (p): p is string => !!p,
      ),
    ),
  ];
  if (named.length) return { permissions: named, assumed: false };
  return { permissions: [PREDICT], assumed: true };
}

export function grantDraft(ctx: Ctx, summary: string, extraNotes: string[] = []): Draft {
  const { permissions, assumed } = missingPermissions(ctx);
  const g = grantPlan(ctx.t, ctx.vars, ctx.roles, permissions);
  const notes = [...extraNotes, ...g.notes];
  if (assumed) {
    notes.unshift(
      `The error does not name the permission; ${PREDICT} is what generateContent on a Vertex AI model checks. Confirm in the audit log (protoPayload.authorizationInfo[].permission).`,
    );
  }
  return {
    summary,
    options: g.options,
    verify: g.verify,
    rollback: g.rollback,
    notes,
    decisions: g.decisions,
  };
}

/** The project the failing call was billed to / targeted, when a fix may use it. */
export const consumerProject = (ctx: Ctx) => ctx.t.resourceProject ?? ctx.t.project;

/** Builders for some causes; index.ts joins them and the type system checks all 25 are there. */
export type Builders<K extends CauseId> = Record<K, Builder>;
