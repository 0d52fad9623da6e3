import type { Command } from 'commander';
import { sq } from '../../core/render/shell.js';
import { CliError, EXIT } from '../errors.js';
import { formatOption, jsonAlias } from '../format.js';
import { intFlag } from '../numbers.js';
import { registerSandbox } from '../sandbox-option.js';
import { untilStopped } from '../signals.js';

function intOption(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : intFlag(name, value, { min: 0 });
}

/** Plain words stay bare so the printout reads like hand-written exports. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : sq(value);
}

export function register(cmd: Command): void {
  cmd
    .command('start')
    .description('Start the sandbox on 127.0.0.1 and print the environment that points clients at it')
    .option('--scenario <name|file>', 'shipped scenario name or scenario JSON file', 'seed-incident')
    .option('--port <n>', 'port (0 = any free port)', '8089')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency-ms <n>', 'delay added to every request')
    .option('--propagation-ms <n>', "IAM propagation delay (default: the scenario's)")
    .option('--operation-ms <n>', 'how long long-running operations take', '300')
    .option('--state-dir <dir>', 'where to write the operator ADC key file')
    .action(async (o: Record<string, string | undefined>) => {
      const { startSandbox, ScenarioError } = await import('../../sandbox/index.js');
      let sandbox: Awaited<ReturnType<typeof startSandbox>>;
      try {
        sandbox = await startSandbox({
          scenario: o.scenario,
          port: intOption('port', o.port),
          host: o.host,
          latencyMs: intOption('latency-ms', o.latencyMs),
          propagationDelayMs: intOption('propagation-ms', o.propagationMs),
          operationDelayMs: intOption('operation-ms', o.operationMs),
          stateDir: o.stateDir,
        });
      } catch (err) {
        if (err instanceof ScenarioError) throw new CliError(err.message, EXIT.usage);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new CliError(`port ${o.port} is already in use (try --port 0)`, EXIT.usage);
        if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
          throw new CliError(`cannot listen on ${o.host}:${o.port} (${code})`, EXIT.usage);
        throw err;
      }
      const s = sandbox.scenario;
      const out = process.stdout;
      out.write(
        `genai-doctor sandbox: scenario ${s.name} (expected cause ${s.expect.cause}) at ${sandbox.url}\n`,
      );
      out.write(`${s.description}\n\n# Point genai-doctor and Google's clients at it:\n`);
      for (const [k, v] of Object.entries(sandbox.env)) out.write(`export ${k}=${shellQuote(v)}\n`);
      out.write(
        '# logs --datadog and monitors --apply also need DD_API_KEY and DD_APP_KEY set (any value works here).\n',
      );
      out.write(
        '# Or, without the exports: genai-doctor check --sandbox (fix, verify, logs, monitors too) finds this sandbox.\n',
      );
      out.write('\n# Ctrl-C stops the sandbox.\n');
      const unregister = registerSandbox({
        scenario: o.scenario ?? s.name,
        url: sandbox.url,
        env: sandbox.env,
      });
      await untilStopped();
      unregister();
      await sandbox.close();
      process.stderr.write('genai-doctor sandbox: stopped\n');
    });

  cmd
    .command('list')
    .description('List the shipped scenarios and the cause each reproduces')
    .addOption(formatOption(['text', 'json']))
    .addOption(jsonAlias())
    .option('--all', 'also the scenarios a live check cannot reproduce (they need a request input)')
    .action(async (o: { format: string; all?: boolean }) => {
      const { GENERATED_SCENARIOS, listScenarios } = await import('../../sandbox/index.js');
      const list = [...listScenarios({ all: o.all }), ...GENERATED_SCENARIOS];
      if (o.format === 'json') {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const width = Math.max(...list.map((s) => s.name.length));
      const causeWidth = Math.max(...list.map((s) => s.cause.length));
      // `sandbox list | head` closes the pipe early; that is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
      process.stdout.write(
        list
          .map((s) => `${s.name.padEnd(width)}  ${s.cause.padEnd(causeWidth)}  ${s.description}\n`)
          .join(''),
      );
    });
}
