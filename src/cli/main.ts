#!/usr/bin/env node
/**
 * The genai-doctor command line. Each command's module is imported only when that command runs,
 * so `diagnose` never pays for the sandbox, the Google clients or Datadog's client at start-up.
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';

type Loader = () => Promise<{ register: (cmd: Command) => void }>;

// One line per command: name, one-line description, module. The module adds its own options
// and action to the Command it is handed.
const COMMANDS: Array<[string, string, Loader]> = [
  ['diagnose', 'Diagnose a Gemini / Vertex AI error from its text', () => import('./commands/diagnose.js')],
  ['explain', 'Print the catalog page for an error code or cause id', () => import('./commands/explain.js')],
  ['plan', 'Print the least-privilege fix plan for an error', () => import('./commands/plan.js')],
  ['eval', 'Score the diagnosis engine on a folder of labelled cases', () => import('./commands/eval.js')],
  ['sandbox', 'Run the embedded Google Cloud stand-in', () => import('./commands/sandbox.js')],
  [
    'check',
    'Probe a live project for what would make a Gemini call fail',
    () => import('./commands/check.js'),
  ],
  ['scan', 'Find Gemini workloads that will fail across an organization', () => import('./commands/scan.js')],
  ['fix', 'Show (or --apply) the fix for the last check', () => import('./commands/fix.js')],
  [
    'verify',
    'Wait until the fix has propagated and a real call succeeds',
    () => import('./commands/verify.js'),
  ],
  ['undo', 'Revert exactly what a fix --apply added', () => import('./commands/undo.js')],
  ['logs', 'Group failures in log exports into incidents', () => import('./commands/logs.js')],
  ['report', 'Write an incident runbook from log evidence', () => import('./commands/report.js')],
  ['monitors', 'Datadog and Cloud Monitoring monitors for a service', () => import('./commands/monitors.js')],
  ['serve', 'Serve the local web console', () => import('./commands/serve.js')],
  [
    'demo',
    'Sandbox -> check -> diagnosis and plan (-> fix -> verify with --apply)',
    () => import('./commands/demo.js'),
  ],
];

async function main(argv: string[]): Promise<number> {
  const program = new Command('genai-doctor')
    .description('Finds out why a Gemini / Vertex AI call fails and fixes it safely.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const wanted = argv[2];
  for (const [name, description, load] of COMMANDS) {
    const cmd = program.command(name).description(description);
    // Only the command being run is loaded; the others stay one-line stubs for --help.
    if (name === wanted) (await load()).register(cmd.exitOverride());
  }
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; a usage error with 2.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`genai-doctor: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`genai-doctor: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`genai-doctor: ${String(err)}\n`);
    process.exitCode = EXIT.internal;
  },
);
