/**
 * The console engine wired to the real genai-doctor modules: the diagnosis core, the plan
 * builder and renderers, the catalog, the log reader and the live doctor (against the embedded
 * sandbox by default, or real Google Cloud).
 */
import type { Readable } from 'node:stream';
import { explainCode, renderCatalogPage } from '../core/catalog/index.js';
import { diagnose } from '../core/diagnose/index.js';
import type { Context, Diagnosis } from '../core/model.js';
import type { RoleIndex } from '../core/roles/index.js';
import { describeError, isGoogleApiError } from '../gcp/errors.js';
import { applyActions } from '../live/apply.js';
import { runCheck } from '../live/check.js';
import { chooseOption, FixRefusal, operatorClient, toActions } from '../live/fix.js';
import { PolicyConflictError } from '../live/iam-write.js';
import type { ProbeResult, ProbeStatus } from '../live/probes.js';
import type {
  ApplyAnswer,
  CatalogAnswer,
  CheckAnswer,
  ConsoleEngine,
  DiagnosisAnswer,
  LogsAnswer,
  ProbeOutcome,
  ProbeView,
} from './engine.js';
import { HttpError } from './errors.js';
import { planTools } from './logs-answer.js';
import type { CheckQuery } from './schemas.js';
import { readUploadInWorker, type UploadRequest } from './upload.js';

/** Log uploads read at once (one worker thread each); more are answered 503. */
export const MAX_CONCURRENT_UPLOADS = 2;

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
  /** The file `roles` was loaded from: the upload worker loads it again, off the event loop. */
  rolesFile?: string;
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
  const { planOf, renderPlan, renderAll } = planTools(options.roles);
  let uploads = 0;
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
    async readLogs(body: Readable, request: UploadRequest): Promise<LogsAnswer> {
      if (uploads >= MAX_CONCURRENT_UPLOADS) {
        throw new HttpError(503, 'BUSY', `${uploads} log uploads are being read; try again when one is done`);
      }
      uploads++;
      try {
        // The same reader and engine as `genai-doctor logs`, in a worker thread, with this
        // console's role catalog for the plans.
        return await readUploadInWorker(body, request, options.rolesFile);
      } finally {
        uploads--;
      }
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
