/** Limit causes: exhausted quota and short-term throttling. */
import { type Builders, consumerProject, manual, option } from '../draft.js';

export const LIMITS_BUILDERS: Builders<'quota.exceeded' | 'rate.throttled'> = {
  'quota.exceeded': (ctx) => {
    const project = consumerProject(ctx);
    const metric = ctx.d.facts.quota?.metric;
    return {
      summary: `A hard quota is used up${metric ? ` (${metric})` : ''}: raise it or move off the free tier.`,
      options: [
        option(
          'request-quota',
          'Request a quota increase',
          [
            {
              kind: 'request_quota',
              project,
              ...(metric ? { metric } : {}),
              why: 'retries do not help until the quota resets or grows',
            },
          ],
          true,
        ),
      ],
      notes: ctx.d.facts.quota?.freeTier
        ? ['The limit is a free-tier limit: enabling billing lifts it.']
        : [],
    };
  },

  'rate.throttled': (ctx) => {
    const project = consumerProject(ctx);
    return {
      summary: 'Short-term throttling: retry with exponential backoff; raise throughput only if it persists.',
      options: [
        option(
          'backoff',
          'Retry with exponential backoff and jitter',
          [
            manual(
              'Back off',
              `Retry 429s with exponential backoff (1s, 2s, 4s... up to 60s, with jitter)${ctx.d.facts.retryDelaySeconds ? `, honouring RetryInfo (${ctx.d.facts.retryDelaySeconds}s)` : ''}.`,
              'shared capacity frees up within seconds',
            ),
            {
              kind: 'set_config',
              key: 'GOOGLE_CLOUD_LOCATION',
              value: 'global',
              where: 'environment / client',
              why: 'the global endpoint spreads load over more capacity than one region',
            },
          ],
          true,
        ),
        option('throughput', 'Raise throughput (quota or Provisioned Throughput)', [
          {
            kind: 'request_quota',
            project,
            ...(ctx.d.facts.quota?.metric ? { metric: ctx.d.facts.quota.metric } : {}),
            why: 'sustained load above the per-minute limit',
          },
        ]),
      ],
    };
  },
};
