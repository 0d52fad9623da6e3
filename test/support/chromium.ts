/**
 * The Chromium the browser tests drive through playwright-core: the system's where there is one
 * (Debian's /usr/bin/chromium, as CI installs it), else the build `@sparticuz/chromium` ships
 * inside its npm package (a devDependency), so `npm test` needs nothing beyond `npm ci`.
 * CHROMIUM_PATH names another executable.
 */
import { accessSync, constants } from 'node:fs';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ChromiumChoice {
  executablePath: string;
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

export async function chromiumExecutable(): Promise<ChromiumChoice> {
  const named = process.env.CHROMIUM_PATH;
  if (named) return { executablePath: named, source: 'CHROMIUM_PATH' };
  const system = SYSTEM_CHROMIUM.find(executable);
  if (system) return { executablePath: system, source: 'system' };
  // Unpacks its Brotli-compressed build to the temp dir once (~2 s), then reuses it.
  const { default: bundled } = await import('@sparticuz/chromium');
  return { executablePath: await bundled.executablePath(), source: '@sparticuz/chromium' };
}
