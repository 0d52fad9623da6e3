/**
 * The command a reader of generated text (monitor messages, runbooks) runs genai-doctor with: the
 * one this user actually has. GENAI_DOCTOR_COMMAND says it outright; a global install
 * (`npm install -g`) is `genai-doctor` on PATH; anything else (a project dependency, npx, a
 * checkout) is `npx genai-doctor`.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';

export function cliCommand(env: NodeJS.ProcessEnv = process.env, script = process.argv[1]): string {
  if (env.GENAI_DOCTOR_COMMAND?.trim()) return env.GENAI_DOCTOR_COMMAND.trim();
  let path = script ?? '';
  try {
    path = realpathSync(path);
  } catch {
    // a script path that does not resolve is judged as given
  }
  const globalInstall = `${sep}lib${sep}node_modules${sep}genai-doctor${sep}`;
  return path.includes(globalInstall) ? 'genai-doctor' : 'npx genai-doctor';
}
