/**
 * The document around each console page: head, inlined style and script under the CSP nonce
 * (no external asset), so that every page declares the same meta tags and security settings.
 */
import { escapeXml } from '../../core/escape.js';
import { PAGE_CSS } from './styles.js';

export interface ShellOptions {
  title: string;
  nonce: string;
  /** Page-specific CSS, appended to the shared stylesheet. */
  css?: string;
  /** Everything inside <body> before the script. */
  body: string;
  script: string;
}

export function pageShell({ title, nonce, css = '', body, script }: ShellOptions): string {
  const n = escapeXml(nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${escapeXml(title)}</title>
<style nonce="${n}">${PAGE_CSS}${css}</style>
</head>
<body>
${body}
<script nonce="${n}">${script}</script>
</body>
</html>
`;
}
