/**
 * `genai-doctor scan --organization N | --folder F... | --project P...`: every Gemini / Vertex AI
 * workload of the scopes, judged before it fails, through Cloud Asset Inventory. Exit 1 when a
 * workload will fail or a scope could not be read, 0 when nothing will fail.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { liveErrors } from './check.js';

interface ScanFlags {
  organization?: string;
  folder?: string[];
  project?: string[];
  format: string;
  fixPlan?: string | boolean;
  outputDir?: string;
  usage?: string | boolean;
  analysisOutput?: string;
  roles?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(cmd: Command): void {
  cmd
    .option('--organization <id>', 'scan the whole organization (numeric id)')
    .option('--folder <id>', 'scan a folder (repeat for several)', collect)
    .option('--project <id>', 'scan a project (repeat for several)', collect)
    .option('-f, --format <format>', 'text | md | json | csv (md: a report per project owner)', 'text')
    .option(
      '--fix-plan [format]',
      'print the fixes instead, one plan per finding (will fail and risky): gcloud (default), terraform, console, md or json',
    )
    .option(
      '--output-dir <dir>',
      'with --fix-plan terraform: write each plan as DIR/NNN-CLASS-SUBJECT/main.tf (a root module each)',
    )
    .option(
      '--usage [days]',
      "confirm from Cloud Monitoring which findings' projects really call Gemini (request counts over the last days, default 7, at most 42)",
    )
    .option(
      '--analysis-output <gs://bucket/object>',
      'run Policy Analyzer as a long-running operation writing here (big organizations)',
    )
    .option(
      '--roles <file>',
      'role catalog (roles.list?view=FULL JSON, optionally .gz) for least-privilege plans',
    )
    .action(async (flags: ScanFlags) =>
      liveErrors(async () => {
        const { SCAN_FORMATS, FIX_PLAN_FORMATS, renderScan, renderFixPlans, terraformFixFiles } =
          await import('../../scan/render.js');
        const { scopesOf, ScopeError } = await import('../../scan/scopes.js');
        const { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } = await import('../../scan/usage.js');
        let scopes: string[];
        try {
          scopes = scopesOf(flags);
        } catch (e) {
          throw e instanceof ScopeError ? new CliError(e.message, EXIT.usage) : e;
        }
        if (!SCAN_FORMATS.includes(flags.format as never))
          throw new CliError(`--format must be ${SCAN_FORMATS.join(', ')} (got ${flags.format})`, EXIT.usage);
        const fixFormat = flags.fixPlan === true ? 'gcloud' : flags.fixPlan || undefined;
        if (fixFormat && !FIX_PLAN_FORMATS.includes(fixFormat as never))
          throw new CliError(
            `--fix-plan must be ${FIX_PLAN_FORMATS.join(', ')} (got ${fixFormat})`,
            EXIT.usage,
          );
        if (flags.outputDir !== undefined && fixFormat !== 'terraform')
          throw new CliError('--output-dir goes with --fix-plan terraform', EXIT.usage);
        let usageDays: number | undefined;
        if (flags.usage !== undefined) {
          usageDays = flags.usage === true ? DEFAULT_USAGE_DAYS : Number(flags.usage);
          if (!Number.isInteger(usageDays) || usageDays < 1 || usageDays > MAX_USAGE_DAYS)
            throw new CliError(
              `--usage takes a number of days from 1 to ${MAX_USAGE_DAYS} (Cloud Monitoring keeps 6 weeks; got ${flags.usage})`,
              EXIT.usage,
            );
        }
        const { parseGcsUri } = await import('../../gcp/storage.js');
        if (flags.analysisOutput && !parseGcsUri(flags.analysisOutput))
          throw new CliError(
            `--analysis-output must be gs://bucket/object (got ${flags.analysisOutput})`,
            EXIT.usage,
          );
        const { runScan } = await import('../../scan/index.js');
        const quiet = flags.format !== 'text' || !!fixFormat;
        const result = await runScan({
          scopes,
          ...(flags.analysisOutput ? { analysisOutput: flags.analysisOutput } : {}),
          ...(flags.roles ? { rolesFile: flags.roles } : {}),
          ...(usageDays ? { usageDays } : {}),
          ...(quiet ? {} : { onProgress: (line: string) => process.stderr.write(`${line}\n`) }),
        });
        if (fixFormat === 'terraform' && flags.outputDir !== undefined) {
          const { writeFixFiles } = await import('../output.js');
          const files = terraformFixFiles(result);
          await writeFixFiles(
            flags.outputDir,
            files.map((f) => ({ path: f.path, text: f.hcl })),
          );
          process.stdout.write(`Wrote ${files.length} Terraform plans under ${flags.outputDir}/\n`);
        } else {
          process.stdout.write(
            fixFormat
              ? renderFixPlans(result, fixFormat as never)
              : renderScan(result, flags.format as never),
          );
        }
        const failing = result.findings.some((f) => f.severity === 'will-fail');
        const unreadable = result.scopes.some((s) => s.status !== 'ok');
        process.exitCode = failing || unreadable ? EXIT.problem : EXIT.ok;
      }),
    );
}
