/** Authentication causes: missing, invalid or under-scoped credentials, and API-key problems. */
import { type Builders, manual, option } from '../draft.js';
import { shellRef } from '../variables.js';

export const AUTH_BUILDERS: Builders<
  | 'auth.credentials_missing'
  | 'auth.credentials_invalid'
  | 'auth.scope_insufficient'
  | 'auth.api_key_invalid'
  | 'auth.api_key_unsupported'
> = {
  'auth.credentials_missing': (ctx) => ({
    summary: 'No credentials were found: set up Application Default Credentials for where the code runs.',
    options: [
      option(
        'adc',
        ctx.t.runtime && ctx.t.runtime !== 'local' && ctx.t.runtime !== 'colab'
          ? 'Use the attached service account'
          : 'Log in for local development',
        [
          ctx.t.runtime && ctx.t.runtime !== 'local' && ctx.t.runtime !== 'colab'
            ? manual(
                'Attach a service account to the workload',
                'On Cloud Run/GCE/GKE the metadata server provides credentials: make sure the workload has a service account and the code does not override GOOGLE_APPLICATION_CREDENTIALS.',
                'no key files needed on Google Cloud runtimes',
              )
            : manual(
                'Log in for Application Default Credentials',
                'Run gcloud auth application-default login on the machine that runs the code.',
                'creates user ADC the client libraries find',
                'gcloud auth application-default login',
              ),
        ],
        true,
      ),
    ],
    notes: ['Avoid downloaded service account keys: they leak and do not expire.'],
  }),

  'auth.credentials_invalid': () => ({
    summary: 'The credentials are expired, revoked or malformed: refresh them.',
    options: [
      option(
        'refresh',
        'Refresh credentials',
        [
          manual(
            'Re-login',
            'Refresh user credentials (or, for a service account key, create a new key / move to an attached service account).',
            'invalid_grant / reauth needed means the refresh token is dead',
            'gcloud auth application-default login',
          ),
          manual(
            'Check the clock',
            'JWT-based auth fails when the clock is off by minutes: compare with an NTP source.',
            'skewed clocks make fresh tokens look expired',
            'date -u',
          ),
        ],
        true,
      ),
    ],
  }),

  'auth.scope_insufficient': (ctx) => {
    ctx.vars.use('INSTANCE', 'Name of the VM that makes the call');
    ctx.vars.use(
      'ZONE',
      'Zone of the VM',
      `gcloud compute instances list --filter="name=\${INSTANCE}" --format="value(zone.basename())" --limit=1`,
    );
    ctx.vars.use(
      'SERVICE_ACCOUNT',
      'Email of the VM service account',
      `gcloud compute instances describe "\${INSTANCE}" --zone="\${ZONE}" --format="value(serviceAccounts[0].email)"`,
    );
    return {
      summary: 'The access token lacks the cloud-platform scope.',
      options: [
        option(
          'scopes',
          'Give the VM the cloud-platform scope (access is then controlled by IAM)',
          [
            manual(
              'Set scopes (the VM must be stopped)',
              'Stop the VM, set its service account scopes to cloud-platform, start it again.',
              'legacy access scopes cap what any IAM grant can do',
              `gcloud compute instances set-service-account "\${INSTANCE}" --zone="\${ZONE}" --service-account="\${SERVICE_ACCOUNT}" --scopes=cloud-platform`,
            ),
          ],
          true,
        ),
      ],
      notes: ['In code that mints tokens itself, request https://www.googleapis.com/auth/cloud-platform.'],
    };
  },

  'auth.api_key_invalid': (ctx) => ({
    summary: 'The API key is invalid, expired or restricted: fix the key or its restrictions.',
    options: [
      option(
        'fix-key',
        'Check and fix the key’s restrictions',
        [
          manual(
            'List keys and their restrictions',
            'Find the key the client uses and read its API targets and referrer/IP restrictions.',
            'shows why the key is refused',
            `gcloud services api-keys list --project=${shellRef(ctx.t.project)} --format='table(uid,displayName,restrictions)'`,
          ),
          manual(
            'Allow the Gemini API on the key',
            'Add generativelanguage.googleapis.com to the key’s API targets (or create a new key restricted to it).',
            'an API restriction that omits the service blocks it',
            `gcloud services api-keys update "${shellRef(ctx.vars.use('API_KEY_UID', 'uid of the API key (from gcloud services api-keys list)'))}" --project=${shellRef(ctx.t.project)} --api-target=service=generativelanguage.googleapis.com`,
          ),
        ],
        true,
      ),
    ],
    notes: ['Never paste the key into tickets or logs; genai-doctor redacts it from its output.'],
  }),

  'auth.api_key_unsupported': () => ({
    summary: 'This endpoint needs OAuth (ADC), not an API key.',
    options: [
      option(
        'use-adc',
        'Call Vertex AI with Application Default Credentials',
        [
          {
            kind: 'set_config',
            key: 'GOOGLE_GENAI_USE_VERTEXAI',
            value: 'true',
            where: 'environment',
            why: 'Vertex AI endpoints authenticate with OAuth tokens',
          },
          manual(
            'Remove the key from the Vertex call',
            'Drop api_key=... / x-goog-api-key from the client; let it use ADC.',
            'the key is rejected, not ignored',
          ),
        ],
        true,
      ),
    ],
  }),
};
