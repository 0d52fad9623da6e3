import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { intFlag } from '../numbers.js';
import { untilStopped } from '../signals.js';

interface ServeFlags {
  host: string;
  port: string;
  real?: boolean;
  sandbox: boolean;
  scenario?: string;
  roles?: string;
  allowApply?: boolean;
  token?: string;
  maxUpload: string;
  log?: boolean;
}

export function register(cmd: Command): void {
  cmd
    .option('--host <address>', 'address to listen on (loopback only unless you change it)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8090')
    .option('--real', 'live checks use real Google Cloud with Application Default Credentials')
    .option(
      '--no-sandbox',
      'do not start the embedded sandbox (live checks use ADC if present, else are off)',
    )
    .option('--scenario <name>', 'sandbox scenario the live check looks at', 'seed-incident')
    .option('--roles <file>', 'role catalog (roles.list JSON or .gz) for least-privilege choices')
    .option('--allow-apply', 'expose POST /api/fix/apply (needs --token)')
    .option('--token <token>', 'bearer token the apply route requires (or GENAI_DOCTOR_TOKEN)')
    .option('--max-upload <MB>', 'largest log upload in MB', '50')
    .option('--log', 'log each request (method, URL, status; never bodies)')
    .action(async (flags: ServeFlags) => {
      const port = intFlag('port', flags.port, { min: 0, max: 65535 });
      const maxUploadMb = intFlag('max-upload', flags.maxUpload, { min: 0, max: 10_000 });
      const token = flags.token ?? process.env.GENAI_DOCTOR_TOKEN;
      if (flags.allowApply && !token) {
        throw new CliError(
          '--allow-apply needs --token T (or GENAI_DOCTOR_TOKEN): the apply route never runs open',
        );
      }
      if (token !== undefined && token.length < 16) {
        throw new CliError('--token must be at least 16 characters (use e.g. `openssl rand -hex 24`)');
      }
      const { startConsole } = await import('../../server/index.js');
      const { readAdcFile } = await import('../../live/adc.js');
      const live = flags.real ? 'real' : flags.sandbox ? 'sandbox' : readAdcFile() ? 'real' : 'none';
      const running = await startConsole({
        host: flags.host,
        port,
        live,
        ...(flags.scenario ? { scenario: flags.scenario } : {}),
        ...(flags.roles ? { rolesFile: flags.roles } : {}),
        ...(flags.allowApply ? { allowApply: true } : {}),
        ...(flags.allowApply && token ? { token } : {}),
        logsLimit: maxUploadMb * 1024 * 1024,
        ...(flags.log ? { logger: true } : {}),
      }).catch((err: unknown) => {
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is in use; pick another with --port`);
        if (code === 'EADDRNOTAVAIL')
          throw new CliError(`cannot listen on ${flags.host}: no such local address`);
        throw err;
      });
      if (running.exposed) {
        process.stderr.write(
          `genai-doctor: warning: listening on ${flags.host}, reachable from other machines. ` +
            'Anyone who can reach it can read what you paste into it.\n',
        );
      }
      process.stdout.write(`genai-doctor console: ${running.url}\n`);
      process.stdout.write(`live checks run against: ${running.target}\n`);
      if (flags.allowApply) process.stdout.write('POST /api/fix/apply is enabled (bearer token required)\n');
      process.stdout.write('press Ctrl+C to stop\n');
      await untilStopped();
      await running.close().catch(() => {});
      if (process.exitCode === undefined) process.exitCode = EXIT.ok;
    });
}
