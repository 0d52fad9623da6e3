#!/usr/bin/env node
/**
 * The genai-doctor command line. Each command's module is imported only when that command runs,
 * so `diagnose` never pays for the sandbox, the Google clients or Datadog's client at start-up.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from './errors.js';

/** This package's own version (npm_package_version would be the version of whatever project runs us). */
function ownVersion(): string {
  const pkg = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

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
  // --no-color is honoured by every command, wherever it stands: it is NO_COLOR for this process.
  if (argv.includes('--no-color')) {
    process.env.NO_COLOR = '1';
    argv = argv.filter((a, i) => i < 2 || a !== '--no-color');
  }
  // `genai-doctor help diagnose` shows the real options, so that command is loaded too.
  const wanted = argv[2] === 'help' ? argv[3] : argv[2];
  // A large log file's scan workers boot while commander and the command load (~60 ms each way),
  // and once they scan, this thread gives them the CPU whenever both want it.
  if (wanted === 'logs' || wanted === 'report') {
    (await import('../logs/scan-pool.js')).prestartForFiles(argv.slice(3), { yieldCpu: true });
  }
  const { Command, CommanderError } = await import('commander');
  const program = new Command('genai-doctor')
    .description('Finds out why a Gemini / Vertex AI call fails and fixes it safely.')
    .version(ownVersion(), '-V, --version', 'print the version of genai-doctor')
    .option('--no-color', 'plain text, no colours, with any command (as NO_COLOR=1)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

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
    // An unknown or invalid --scenario (serve, demo, --sandbox) is the user's mistake, as in `sandbox start`.
    if ((err as Error)?.name === 'ScenarioError') {
      process.stderr.write(`genai-doctor: ${(err as Error).message}\n`);
      return EXIT.usage;
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
