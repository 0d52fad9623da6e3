import { type Command, Option } from 'commander';
import type { OutputFormat } from '../../core/model.js';
import { CliError, EXIT } from '../errors.js';
import { FLAG_KINDS, idArg } from '../ids.js';
import { useColor } from '../output.js';
import { addSandboxOption, withSandbox } from '../sandbox-option.js';

type Scenario = import('../../sandbox/index.js').Scenario;

type CheckOptions = import('../../live/session.js').CheckOptions;

/** The flags are the live doctor's options (as commander names them) plus output choices. */
export interface CheckFlags extends Omit<CheckOptions, 'rolesFile' | 'env' | 'api' | 'call'> {
  format: OutputFormat;
  sandbox?: string | boolean;
  roles?: string;
  color?: boolean;
  api: NonNullable<CheckOptions['api']>;
  call: NonNullable<CheckOptions['call']>;
}

/** Flags -> the options the live doctor runs with (env var NAMES only, never their values). */
export function checkOptions(flags: CheckFlags): CheckOptions {
  return {
    project: flags.project,
    cloudRun: flags.cloudRun,
    region: flags.region,
    location: flags.location,
    model: flags.model,
    principal: flags.principal,
    impersonate: flags.impersonate,
    rolesFile: flags.roles,
    api: flags.api,
    call: flags.call,
    apiKeyEnv: flags.apiKeyEnv,
    accessTokenEnv: flags.accessTokenEnv,
    quotaProject: flags.quotaProject,
    sequential: flags.sequential,
  };
}

export function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'md' || value === 'json') return value;
  throw new CliError(`--format must be text, md or json (got ${value})`, EXIT.usage);
}

/** The target options check, fix and verify share. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option(
      '--project <id>',
      'project the workload means to use (default: env, ADC, metadata server)',
      idArg(FLAG_KINDS.project),
    )
    .option(
      '--cloud-run <service>',
      'read the identity and env a Cloud Run service runs with',
      idArg('runService'),
    )
    .option('--region <region>', 'region of the Cloud Run service', idArg(FLAG_KINDS.region))
    .option(
      '--location <location>',
      'Vertex AI location of the call (default: the service env, else global)',
      idArg(FLAG_KINDS.location),
    )
    .option(
      '--model <model>',
      'model the workload calls (default: the service env, else gemini-2.5-flash)',
      idArg(FLAG_KINDS.model),
    )
    .option(
      '--principal <member>',
      'the identity that makes the call (default: the Cloud Run service account, else you)',
      idArg(FLAG_KINDS.principal),
    )
    .option(
      '--impersonate <serviceAccount>',
      'call Google as this service account (like gcloud --impersonate-service-account)',
      idArg(FLAG_KINDS.serviceAccount),
    )
    .option(
      '--roles <file>',
      'role catalog (roles.list?view=FULL JSON, optionally .gz) for least-privilege choices',
    )
    .addOption(
      new Option('--api <api>', 'which API the workload calls')
        .choices(['vertex', 'gemini'])
        .default('vertex'),
    )
    .addOption(
      new Option(
        '--call <method>',
        'the real call: countTokens is free; generateContent is billed and shows quota limits',
      )
        .choices(['countTokens', 'generateContent'])
        .default('countTokens'),
    )
    .option(
      '--api-key-env <VAR>',
      'make the real call with the API key in this env var, as the workload does',
    )
    .option(
      '--quota-project <id>',
      'the quota project the workload bills calls to (x-goog-user-project)',
      idArg(FLAG_KINDS.project),
    )
    .option(
      '--access-token-env <VAR>',
      'make the real call with the access token in this env var, as the workload does',
    );
}

/**
 * On a sandbox and with no target named, check what the scenario's workload calls (as `npm start`
 * does): `check --sandbox` alone is a meaningful first command.
 */
function scenarioTarget(flags: CheckFlags, scenario: Scenario | undefined): CheckFlags {
  if (!scenario || flags.project || flags.cloudRun || flags.model) return flags;
  const { call } = scenario;
  const run = call.cloudRun;
  return {
    ...flags,
    project: run?.project ?? call.project,
    cloudRun: run?.service,
    region: flags.region ?? run?.region,
    model: call.model,
    location: flags.location ?? call.location,
  };
}

export function register(cmd: Command): void {
  addSandboxOption(addTargetOptions(cmd))
    .option('-f, --format <format>', 'text | md | json', parseFormat, 'text' as OutputFormat)
    .option('--no-color', 'plain text even on a terminal')
    .addOption(new Option('--sequential', 'run probes one after another (benchmark baseline)').hideHelp())
    .action(async (given: CheckFlags) =>
      withSandbox(given.sandbox, async ({ scenario }) => {
        const again =
          given.sandbox === undefined
            ? ''
            : ` --sandbox${typeof given.sandbox === 'string' ? ` ${given.sandbox}` : ''}`;
        await checkCommand(scenarioTarget(given, scenario), again);
      }),
    );
}

/** `again`: the flags that point the next commands at the same world (` --sandbox X`). */
async function checkCommand(flags: CheckFlags, again: string): Promise<void> {
  await liveErrors(async () => {
    const { runCheck } = await import('../../live/check.js');
    const { renderCheck } = await import('../../live/report.js');
    const { probeProgress } = await import('../../live/progress.js');
    const { PROBES } = await import('../../live/probes.js');
    const progress = probeProgress(PROBES.length);
    if (flags.cloudRun && !flags.region) throw new CliError('--cloud-run needs --region', EXIT.usage);
    const record = await runCheck(checkOptions(flags), { onProbe: progress.onProbe }).finally(progress.done);
    const color = flags.format === 'text' && useColor(flags.color);
    process.stdout.write(renderCheck(record, flags.format, color));
    if (flags.format !== 'json') {
      process.stderr.write(
        record.healthy
          ? 'Saved .genai-doctor/last-check.json\n'
          : `Saved .genai-doctor/last-check.json. Next: genai-doctor fix${again} (dry run), then fix --apply --yes${again}\n`,
      );
    }
    process.exitCode = record.healthy ? EXIT.ok : EXIT.problem;
  });
}

/** Missing credentials as the finding it is (1101), once, with the two ways forward. */
function noCredentialsFinding(detail: string): string {
  return [
    'no Google credentials here: auth.credentials_missing (error 1101).',
    `  ${detail}`,
    '  Set them up with `gcloud auth application-default login` (or attach a service account on Google Cloud),',
    '  or try the command on the embedded sandbox: add --sandbox.',
  ].join('\n');
}

/**
 * Live commands end in a one-line message, never a stack: a Google refusal or missing
 * credentials is a finding about the environment (exit 1), a bad record or flag is exit 2.
 */
export async function liveErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CliError) throw e;
    const { describeError, isGoogleApiError } = await import('../../gcp/errors.js');
    const { RecordError } = await import('../../live/records.js');
    const { FixRefusal } = await import('../../live/fix.js');
    const { UnknownServiceError } = await import('../../live/session.js');
    const { NoCredentialsError } = await import('../../gcp/client.js');
    if (e instanceof NoCredentialsError) throw new CliError(noCredentialsFinding(e.message), EXIT.problem);
    if (e instanceof RecordError || e instanceof FixRefusal || e instanceof UnknownServiceError)
      throw new CliError(e.message, EXIT.usage);
    if (isGoogleApiError(e) || /credentials|ENOENT|ECONNREFUSED/i.test(String((e as Error)?.message))) {
      throw new CliError(describeError(e), EXIT.problem);
    }
    throw e;
  }
}
