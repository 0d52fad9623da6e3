/**
 * A small Dockerfile checker for the rules that matter for this image (hadolint is not installable
 * here): pinned base images, multi-stage, non-root runtime user, no secrets in ENV/ARG, production
 * dependencies only, exec-form CMD, no HEALTHCHECK (Cloud Run ignores it).
 */
import { containsSecret } from '../../../src/core/redact.js';

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

export interface Problem {
  rule: string;
  line: number;
  message: string;
}

/** Joins continuation lines and drops comments, keeping the first line number of each instruction. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    pending = pending ? { line: pending.line, text: `${pending.text} ${body}` } : { line: i + 1, text: body };
    if (!continued) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text.trim())!;
      out.push({ line: pending.line, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
      pending = undefined;
    }
  });
  return out;
}

const SECRET_NAME = /(^|_)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|API_KEY|PRIVATE)(_|$)/i;

export function lintDockerfile(text: string): Problem[] {
  const problems: Problem[] = [];
  const ins = parseDockerfile(text);
  const stages: { from: Instruction; name?: string; body: Instruction[] }[] = [];
  for (const i of ins) {
    if (i.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      stages.push({ from: i, ...(m?.[2] ? { name: m[2] } : {}), body: [] });
    } else stages.at(-1)?.body.push(i);
  }
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
  for (const s of stages) {
    const image = /^(?:--platform=\S+\s+)?(\S+)/.exec(s.from.args)?.[1] ?? '';
    if (stageNames.has(image)) continue;
    const digest = image.includes('@sha256:');
    const tag = image.split('/').at(-1)!.split(':')[1];
    if (!digest && (!tag || tag === 'latest' || !/\d/.test(tag))) {
      problems.push({
        rule: 'pinned-base',
        line: s.from.line,
        message: `base image ${image} is not pinned to a versioned tag or digest`,
      });
    }
  }
  if (stages.length < 2)
    problems.push({ rule: 'multi-stage', line: 1, message: 'use a build stage and a runtime stage' });
  const final = stages.at(-1);
  if (final) {
    const users = final.body.filter((i) => i.keyword === 'USER');
    const user = users.at(-1)?.args.split(':')[0];
    if (!user || user === 'root' || user === '0') {
      problems.push({
        rule: 'non-root',
        line: users.at(-1)?.line ?? final.from.line,
        message: 'the runtime stage must switch to a non-root USER',
      });
    }
    const installs = final.body.filter((i) => i.keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.args));
    for (const i of installs) {
      if (!/\bnpm\s+ci\b/.test(i.args) || !/--omit=dev\b/.test(i.args)) {
        problems.push({
          rule: 'prod-deps',
          line: i.line,
          message: 'install runtime dependencies with npm ci --omit=dev',
        });
      }
    }
    if (installs.length === 0)
      problems.push({
        rule: 'prod-deps',
        line: final.from.line,
        message: 'the runtime stage installs no dependencies with npm ci --omit=dev',
      });
    if (stages.length >= 2 && !final.body.some((i) => i.keyword === 'COPY' && /--from=/.test(i.args))) {
      problems.push({
        rule: 'multi-stage',
        line: final.from.line,
        message: 'the runtime stage copies nothing from the build stage',
      });
    }
    const cmd = final.body.filter((i) => i.keyword === 'CMD').at(-1);
    if (!cmd?.args.startsWith('['))
      problems.push({
        rule: 'exec-cmd',
        line: cmd?.line ?? final.from.line,
        message: 'CMD must use the exec (JSON) form so the process gets SIGTERM',
      });
  }
  for (const i of ins) {
    if (i.keyword === 'ENV' || i.keyword === 'ARG') {
      const names = [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map((m) => m[1]!);
      const name = names.find((n) => SECRET_NAME.test(n));
      if (name || containsSecret(i.args)) {
        problems.push({
          rule: 'no-secrets',
          line: i.line,
          message: `${i.keyword} ${name ?? ''} looks like a secret; use Secret Manager`,
        });
      }
    }
    if (i.keyword === 'HEALTHCHECK')
      problems.push({
        rule: 'no-healthcheck',
        line: i.line,
        message: 'Cloud Run ignores HEALTHCHECK; use probes',
      });
    if (i.keyword === 'ADD' && /https?:\/\//.test(i.args))
      problems.push({ rule: 'no-remote-add', line: i.line, message: 'ADD of a URL is not reproducible' });
  }
  return problems;
}
