import type { Command } from 'commander';
import { explainCode, renderCatalogPage } from '../../core/catalog/index.js';
import type { OutputFormat } from '../../core/model.js';
import { ERROR_CODES } from '../../core/taxonomy.js';
import { CliError, EXIT } from '../errors.js';
import { useColor } from '../output.js';

const FORMATS: readonly OutputFormat[] = ['text', 'md', 'json'];

export function register(cmd: Command): void {
  cmd
    .argument('<code-or-cause>', 'a catalog code (e.g. 1152) or a cause id (e.g. iam.missing_permission)')
    .option('-f, --format <format>', `output format: ${FORMATS.join(' | ')}`, 'text')
    .action((query: string, opts: { format: string }) => {
      if (!FORMATS.includes(opts.format as OutputFormat)) {
        throw new CliError(`unknown --format '${opts.format}' (use ${FORMATS.join(', ')})`, EXIT.usage);
      }
      const page = explainCode(query);
      if (!page) {
        throw new CliError(
          `unknown code or cause '${query}': codes are ${ERROR_CODES.join(', ')}; causes are listed by \`genai-doctor explain 1199\` and the README`,
          EXIT.usage,
        );
      }
      process.stdout.write(renderCatalogPage(page, opts.format as OutputFormat, { color: useColor() }));
    });
}
