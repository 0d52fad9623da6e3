/**
 * The console engine wired to the real genai-doctor modules: the diagnosis core, the plan
 * builder and renderers, the catalog, the log reader and the live doctor (against the embedded
 * sandbox by default, or real Google Cloud).
 */
import type { Readable } from 'node:stream';
import { explainCode, renderCatalogPage } from '../core/catalog/index.js';
import { diagnose } from '../core/diagnose/index.js';
import { IncidentGrouper } from '../core/incidents/group.js';
import type { Context, Diagnosis, Plan } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
import { renderConsole } from '../core/render/console.js';
import { renderGcloud } from '../core/render/gcloud.js';
import { planJson } from '../core/render/json.js';
import { planMarkdown } from '../core/render/plan-md.js';
import { renderTerraform } from '../core/render/terraform.js';
import type { RoleIndex } from '../core/roles/index.js';
import { runCheck } from '../live/check.js';
import { applyActions, chooseOption, FixRefusal, operatorClient, toActions } from '../live/fix.js';
import type { ProbeResult, ProbeStatus } from '../live/probes.js';
import { coreEngine } from '../logs/engine.js';
import { inputChunks, LogInputError } from '../logs/input.js';
import { readFailures } from '../logs/read.js';
import type {
  ApplyAnswer,
  CatalogAnswer,
  CheckAnswer,
  ConsoleEngine,
  DiagnosisAnswer,
  IncidentAnswer,
  LogsAnswer,
  ProbeOutcome,
  ProbeView,
  Renderings,
} from './engine.js';
import { HttpError } from './errors.js';
import type { CheckQuery, PlanFormat } from './schemas.js';

function requireLive(live: LiveBackend | undefined): LiveBackend {
  if (!live) {
    throw new HttpError(
      503,
      'LIVE_CHECK_OFF',
      'Live checks are off: start `genai-doctor serve` with the sandbox (the default) or with --real and ADC',
    );
  }
  return live;
}

function dropEmpty(query: CheckQuery): CheckQuery {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
  );
}

import { failuresPerMinute } from './timeline.js';

/** Where live checks go: the embedded sandbox's env, or the process env for real Google Cloud. */
export interface LiveBackend {
  /** For display: "sandbox (seed-incident)", "Google Cloud (ADC)". */
  target: string;
  env: NodeJS.ProcessEnv;
  /** What a check looks at when the page leaves a field empty (the scenario's service, model...). */
  defaults: CheckQuery;
  close(): Promise<void>;
}

export interface DefaultEngineOptions {
  /** Absent: live checks answer 503 with a message saying how to enable them. */
  live?: LiveBackend;
  roles?: RoleIndex;
}

const PROBE_OUTCOME: Record<ProbeStatus, ProbeOutcome> = {
  ok: 'pass',
  problem: 'fail',
  unknown: 'warn',
  skipped: 'skip',
};

function probeView(p: ProbeResult): ProbeView {
  const detail = [p.summary, ...(p.details ?? [])].filter((x) => x).join(' \u2014 ');
  return { id: p.id, title: p.title, outcome: PROBE_OUTCOME[p.status], detail, ms: p.ms, raw: p };
}

export function createDefaultEngine(options: DefaultEngineOptions): ConsoleEngine {
  const planOf = (diagnosis: Diagnosis): Plan =>
    buildPlan(diagnosis, options.roles ? { roles: options.roles } : {});
  const renderPlan = (plan: Plan, format: PlanFormat): string => {
    switch (format) {
      case 'gcloud':
        return renderGcloud(plan);
      case 'terraform':
        return renderTerraform(plan);
      case 'console':
        return renderConsole(plan);
      case 'md':
        return planMarkdown(plan);
      case 'json':
        return `${JSON.stringify(planJson(plan), null, 2)}\n`;
    }
  };
  const renderAll = (plan: Plan): Renderings => ({
    gcloud: renderPlan(plan, 'gcloud'),
    terraform: renderPlan(plan, 'terraform'),
    console: renderPlan(plan, 'console'),
  });
  const answer = (diagnosis: Diagnosis): DiagnosisAnswer => {
    const plan = planOf(diagnosis);
    return { diagnosis, plan, rendered: renderAll(plan) };
  };

  return {
    target: options.live?.target ?? 'none (start serve with the sandbox, or --real with ADC)',
    diagnose: (text: string, context: Context) => answer(diagnose(text, context)),
    planFor: answer,
    renderPlan,
    explain(codeOrCause: string): CatalogAnswer | undefined {
      const page = explainCode(codeOrCause);
      if (!page) return undefined;
      return {
        code: page.code,
        title: page.title,
        causes: page.causes.map((c) => c.cause),
        markdown: renderCatalogPage(page, 'md'),
        page,
      };
    },
    async readLogs(input: Readable, name: string, context: Context): Promise<LogsAnswer> {
      // The same engine as `genai-doctor logs` (redact, then diagnose), with this console's roles.
      const grouper = new IncidentGrouper({ ...coreEngine, plan: planOf }, { context });
      // The upload's own errors (413 while streaming, corrupt gzip) are the answer the client needs;
      // the reader wraps stream errors in its own type, so keep the first one seen here.
      let uploadError: unknown;
      input.once('error', (err) => {
        uploadError ??= err;
      });
      const read = await readFailures(inputChunks(input), { failure: (r) => grouper.add(r) }).catch(
        (err: unknown) => {
          if (uploadError instanceof HttpError) throw uploadError;
          if (err instanceof LogInputError) throw new HttpError(400, 'BAD_LOG', err.message);
          throw err;
        },
      );
      const incidents = grouper.incidents();
      const withRenderings: IncidentAnswer[] = incidents.map((incident) => ({
        ...incident,
        rendered: renderAll(incident.plan ?? planOf(incident.diagnosis)),
      }));
      return {
        input: name,
        stats: {
          records: read.records,
          lines: read.records,
          bytes: read.bytes,
          candidates: read.candidates,
          failures: grouper.failures,
          diagnosed: grouper.diagnosed,
          malformed: read.malformed,
          malformedLines: read.malformedLines,
          format: read.format,
        },
        incidents: withRenderings,
        timeline: failuresPerMinute(incidents),
      };
    },
    checkQuery: (query: CheckQuery) => ({ ...options.live?.defaults, ...dropEmpty(query) }),
    async check(
      query: CheckQuery,
      onProbe: (p: ProbeView) => void,
      signal: AbortSignal,
    ): Promise<CheckAnswer> {
      const live = requireLive(options.live);
      const record = await runCheck(
        { ...live.defaults, ...dropEmpty(query), env: live.env },
        {
          save: false,
          // A probe that finishes after the client left has nobody to tell.
          onProbe: (p) => {
            if (!signal.aborted) onProbe(probeView(p));
          },
        },
      );
      return {
        target: live.target,
        probes: record.probes.map(probeView),
        diagnosis: record.diagnosis,
        plan: record.plan,
        rendered: renderAll(record.plan),
      };
    },
    async applyFix(query: CheckQuery): Promise<ApplyAnswer> {
      const live = requireLive(options.live);
      // Apply what a fresh check finds now, never a plan a client sends: the plan is the server's own.
      const record = await runCheck({ ...live.defaults, ...dropEmpty(query), env: live.env }, { save: true });
      if (record.healthy) {
        return {
          applied: false,
          summary: 'The check found nothing to fix.',
          result: { cause: record.plan.cause },
        };
      }
      const log: string[] = [];
      try {
        const option = chooseOption(record);
        const actions = toActions(option, record);
        const client = await operatorClient(record);
        const { undoPath, undo } = await applyActions(actions, record, option, {
          client,
          log: (line) => log.push(line),
          env: live.env,
        });
        return {
          applied: true,
          summary: `Applied option ${option.id} for ${record.plan.cause} (${undo.changes.length} change(s))`,
          result: { option: option.id, undoPath, changes: undo.changes, manual: undo.manual, log },
        };
      } catch (err) {
        if (err instanceof FixRefusal) throw new HttpError(409, 'FIX_REFUSED', err.message);
        throw err;
      }
    },
    async close() {
      await options.live?.close();
    },
  };
}
