/**
 * `genai-doctor eval DIR [--json]`: scores the engine on a folder of labelled cases. A bad case
 * file is reported and skipped, never fatal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkCase, type EvalCase, formatEvalReport, scoreCases } from '../../core/eval.js';
import { CliError, EXIT } from '../errors.js';
import { formatOption, jsonAlias } from '../format.js';

export interface LoadedCases {
  cases: EvalCase[];
  invalid: Array<{ file: string; errors: string[] }>;
}

/** Reads every `*.json` case in `dir` (sorted), validating each. */
export async function loadCases(dir: string): Promise<LoadedCases> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new CliError(`not a directory: ${dir}`, EXIT.usage);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const out: LoadedCases = { cases: [], invalid: [] };
  for (const name of names) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(join(dir, name), 'utf8'));
    } catch (err) {
      out.invalid.push({ file: name, errors: [`not valid JSON: ${(err as Error).message}`] });
      continue;
    }
    const checked = checkCase(value);
    if (checked.ok) out.cases.push(checked.case);
    else out.invalid.push({ file: name, errors: checked.errors });
  }
  return out;
}

export function register(cmd: Command): void {
  cmd
    .argument('<dir>', 'folder of labelled case files (TAXONOMY.md format)')
    .addOption(formatOption(['text', 'json']))
    .addOption(jsonAlias())
    .action(async (dir: string, opts: { format: string }) => {
      const { cases, invalid } = await loadCases(dir);
      for (const bad of invalid)
        process.stderr.write(`genai-doctor: skipping ${bad.file}: ${bad.errors.join('; ')}\n`);
      if (cases.length === 0) throw new CliError(`no valid case files in ${dir}`, EXIT.usage);
      const report = scoreCases(cases);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ ...report, invalid }, null, 2)}\n`);
      } else {
        process.stdout.write(formatEvalReport(report, invalid));
      }
    });
}
