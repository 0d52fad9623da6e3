/**
 * The error catalog: one page per code, assembled from data (taxonomy + ./causes.ts +
 * ./pages.ts). Served by `genai-doctor explain`, the HTTP API and the image service
 * (`/errors/:code`), and linked from every report.
 */
import { CAUSES, type CauseId, causesWithCode, ERROR_CODES, type ErrorCode, isCauseId } from '../taxonomy.js';
import { CAUSE_INFO } from './causes.js';
import { CODE_TEXT, type Remediation } from './pages.js';

export type { CauseInfo } from './causes.js';
export { CAUSE_INFO } from './causes.js';
export type { Environment, Remediation } from './pages.js';

export interface CatalogCause {
  cause: CauseId;
  title: string;
  happens: string;
  evidence: string;
  fix: string;
}

export interface CatalogPage {
  code: ErrorCode;
  title: string;
  quickAnswer: string;
  /** "Core mechanics": how the error comes about. */
  mechanics: string;
  causes: CatalogCause[];
  remediation: Remediation[];
  bestPractices: string[];
  related: Array<{ code: ErrorCode; title: string; why: string }>;
  tldr: string;
  /** Set when the page was asked for by cause id: the cause the reader cares about. */
  focus?: CauseId;
}

/** The section names every page has, in order (renderers and tests use the same list). */
export const PAGE_SECTIONS = [
  'Quick answer',
  'How it happens',
  'Causes',
  'Remediation',
  'Best practices',
  'Related codes',
  'TL;DR',
] as const;

export function catalogPage(code: ErrorCode): CatalogPage {
  const text = CODE_TEXT[code];
  return {
    code,
    title: text.title,
    quickAnswer: text.quickAnswer,
    mechanics: text.mechanics,
    causes: causesWithCode(code).map((cause) => ({ cause, ...CAUSE_INFO[cause] })),
    remediation: text.remediation,
    bestPractices: text.bestPractices,
    related: text.related.map((r) => ({ ...r, title: CODE_TEXT[r.code].title })),
    tldr: text.tldr,
  };
}

export function catalogPages(): CatalogPage[] {
  return ERROR_CODES.map(catalogPage);
}

/** `1152`, `E1152`, `#1152` or a cause id such as `iam.missing_permission`; undefined if neither. */
export function explainCode(codeOrCause: string): CatalogPage | undefined {
  const q = codeOrCause.trim();
  if (isCauseId(q)) return { ...catalogPage(CAUSES[q]), focus: q };
  const m = /^(?:e|#|error\s*)?(\d{4})$/i.exec(q);
  if (!m) return undefined;
  const code = Number(m[1]);
  return (ERROR_CODES as number[]).includes(code) ? catalogPage(code as ErrorCode) : undefined;
}

export { renderCatalogPage } from './render.js';
