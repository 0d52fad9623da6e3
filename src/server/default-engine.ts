/**
 * The console engine wired to the real genai-doctor modules: the diagnosis core, the plan
 * builder and renderers, the catalog, the log reader and the live doctor (against the embedded
 * sandbox by default, or real Google Cloud).
 */
import type { Readable } from 'node:stream';
import { explainCode, renderCatalogPage } from '../core/catalog/index.js';
import { diagnose } from '../core/diagnose/index.js';
import type { Context, Diagnosis, Plan } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
import { renderPlan as renderCorePlan } from '../core/render/index.js';
import type { RoleIndex } from '../core/roles/index.js';
import { describeError, isGoogleApiError } from '../gcp/errors.js';
import { applyActions } from '../live/apply.js';
import { runCheck } from '../live/check.js';
import { chooseOption, FixRefusal, operatorClient, toActions } from '../live/fix.js';
import { PolicyConflictError } from '../live/iam-write.js';
import type { ProbeResult, ProbeStatus } from '../live/probes.js';
import { analyzeStream } from '../logs/analyze.js';
import { coreEngine } from '../logs/engine.js';
import { LogInputError } from '../logs/input.js';
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
  // core/render's renderPlan redacts its output too; the format names are the same.
  const renderPlan = (plan: Plan, format: PlanFormat): string => renderCorePlan(plan, format);
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
      // The upload's own errors (413 while streaming, corrupt gzip) are the answer the client needs;
      // the reader wraps stream errors in its own type, so keep the first one seen here.
      let uploadError: unknown;
      input.once('error', (err) => {
        uploadError ??= err;
      });
      // The same reader and engine as `genai-doctor logs` (redact, then diagnose), with this
      // console's role catalog for the plans.
      const analysis = await analyzeStream(input, name, {
        engine: { ...coreEngine, plan: planOf },
        context,
      }).catch((err: unknown) => {
        if (uploadError instanceof HttpError) throw uploadError;
        if (err instanceof LogInputError) throw new HttpError(400, 'BAD_LOG', err.message);
        throw err;
      });
      const incidents = analysis.incidents;
      const withRenderings: IncidentAnswer[] = incidents.map((incident) => ({
        ...incident,
        rendered: renderAll(incident.plan ?? planOf(incident.diagnosis)),
      }));
      return {
        input: analysis.input,
        stats: { ...analysis.stats, lines: analysis.stats.records },
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
        const client = await operatorClient(record, live.env);
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
        // Google refused a read or write (or never answered): that is an upstream failure with
        // Google's own message, not a console bug. The undo record lists what may have changed.
        if (isGoogleApiError(err))
          throw new HttpError(
            502,
            'GOOGLE_REFUSED',
            `Google refused: ${describeError(err)}. Nothing after it was applied; undo the record in .genai-doctor/ to revert what was.`,
          );
        if (err instanceof PolicyConflictError) throw new HttpError(409, 'POLICY_CONFLICT', err.message);
        throw err;
      }
    },
    async close() {
      await options.live?.close();
    },
  };
}
