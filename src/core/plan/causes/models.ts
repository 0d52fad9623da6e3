/**
 * Model causes: wrong or retired model, wrong location, gated access, unsupported region. The
 * advice (which location serves the model, what replaces a retired one) comes from the models table.
 */
import type { Step } from '../../model.js';
import { modelCallCheck } from '../checks.js';
import { type Builders, type Ctx, type Draft, manual, option } from '../draft.js';
import { envCommand } from '../grants.js';
import { modelAdvice } from '../targets.js';
import { display } from '../variables.js';

export const MODELS_BUILDERS: Builders<
  'model.not_found' | 'model.location_unsupported' | 'model.access_restricted' | 'region.unsupported'
> = {
  'model.not_found': (ctx) => modelDraft(ctx, 'model'),

  'model.location_unsupported': (ctx) => modelDraft(ctx, 'location'),

  'model.access_restricted': (ctx) => {
    const advice = modelAdvice(ctx.t.model, ctx.t.location);
    const alt = advice?.model ?? 'gemini-2.5-flash';
    return {
      summary: `${ctx.t.model ?? 'The model'} needs access the project does not have (allowlist, terms or tier).`,
      options: [
        option(
          'request-access',
          'Request access / accept the terms in Model Garden',
          [
            manual(
              'Open the model card',
              `Console > Vertex AI > Model Garden > ${ctx.t.model ?? 'the model'} > Enable / Request access for project ${display(ctx.t.project)}`,
              'preview models are gated per project',
            ),
          ],
          true,
        ),
        option('use-ga-model', `Use a GA model (${alt}) until access is granted`, [
          {
            kind: 'set_config',
            key: 'model',
            value: alt,
            where: 'the client call (model=...)',
            why: 'GA models need no allowlisting',
          },
        ]),
      ],
      notes: ctx.t.model ? [] : ['The error does not name the model.'],
    };
  },

  'region.unsupported': () => ({
    summary:
      'The Gemini Developer API is not offered where the caller is; use Vertex AI or a supported region.',
    options: [
      option(
        'use-vertex',
        'Call Gemini through Vertex AI (available in your project’s regions and at global)',
        [
          {
            kind: 'set_config',
            key: 'GOOGLE_GENAI_USE_VERTEXAI',
            value: 'true',
            where: 'environment',
            why: 'Vertex AI serves Gemini in regions where the Developer API is not offered',
          },
          {
            kind: 'set_config',
            key: 'GOOGLE_CLOUD_LOCATION',
            value: 'global',
            where: 'environment',
            why: 'the global endpoint serves every current Gemini model',
          },
        ],
        true,
      ),
    ],
  }),
};

/** model.not_found / model.location_unsupported: set model or location from the models table. */
function modelDraft(ctx: Ctx, what: 'model' | 'location'): Draft {
  const advice = modelAdvice(ctx.t.model, ctx.t.location);
  const steps: Step[] = [];
  if (advice?.location) {
    const command = envCommand(ctx.t, ctx.vars, 'GOOGLE_CLOUD_LOCATION', advice.location);
    steps.push({
      kind: 'set_config',
      key: 'GOOGLE_CLOUD_LOCATION',
      value: advice.location,
      where: 'environment / client (location=...)',
      why: advice.why,
      ...(command ? { command } : {}),
    });
  }
  if (advice?.model) {
    steps.push({
      kind: 'set_config',
      key: 'model',
      value: advice.model,
      where: 'the client call (model=...)',
      why: advice.why,
    });
  }
  if (steps.length === 0) {
    const model = ctx.vars.use(
      'MODEL',
      'A current model id served at your location (see the Vertex AI model list)',
    );
    steps.push({
      kind: 'set_config',
      key: what === 'location' ? 'GOOGLE_CLOUD_LOCATION' : 'model',
      value:
        what === 'location'
          ? ctx.vars.use('LOCATION', 'A location that serves the model (often global)')
          : model,
      where: 'the client configuration',
      why: advice?.why ?? `the ${what} in the request is not served`,
    });
  }
  return {
    summary: `Use a ${what === 'location' ? 'location that serves the model' : 'model id that exists'}${advice ? `: ${advice.why.replace(/`/g, '')}` : '.'}`,
    options: [
      option(
        what === 'location' ? 'set-location' : 'set-model',
        `Set the ${steps.map((s) => (s.kind === 'set_config' ? s.key : '')).join(' and ')}`,
        steps,
        true,
      ),
    ],
    verify: [
      modelCallCheck(
        {
          ...ctx.t,
          ...(advice?.location ? { location: advice.location } : {}),
          ...(advice?.model ? { model: advice.model } : {}),
        },
        ctx.t.project,
      ),
    ],
  };
}
