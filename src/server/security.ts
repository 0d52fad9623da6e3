/**
 * Safety properties of the local console that do not depend on any one route: the response
 * headers (a strict CSP with a per-response nonce), the loopback Host / Origin guard, and the
 * constant-time bearer-token check of the opt-in apply route.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** A fresh nonce per page response: inline <script>/<style> run only when they carry it. */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The page's Content-Security-Policy. Nothing may load from anywhere but this origin, inline code
 * runs only with the nonce, and Trusted Types are required with no policy allowed: any attempt to
 * assign a string to innerHTML / outerHTML / insertAdjacentHTML / document.write throws in the
 * browser, so user data can only ever reach the DOM as text.
 */
export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/** JSON answers need no active content at all. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response carries (the CSP is set per response kind). */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), payment=()',
  'cache-control': 'no-store',
};

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1';
  return false;
}

/** The host part of a Host header ("127.0.0.1:8080", "[::1]:80", "localhost"). */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

export type RequestVerdict =
  | { ok: true }
  | { ok: false; status: 403 | 421; reason: 'foreign-host' | 'foreign-origin'; message: string };

/**
 * DNS-rebinding and cross-site guard. When the console listens on loopback, a request must name a
 * loopback Host (a rebound attacker's page sends its own host name), and a browser request that
 * carries an Origin must come from this very origin (a foreign page may not drive the API, even
 * for requests CORS would let it send without a preflight).
 */
export function judgeRequest(
  headers: { host?: string | undefined; origin?: string | undefined; 'sec-fetch-site'?: string | undefined },
  boundToLoopback: boolean,
): RequestVerdict {
  const host = headers.host ?? '';
  if (boundToLoopback && !isLoopbackHost(hostnameOf(host))) {
    return {
      ok: false,
      status: 421,
      reason: 'foreign-host',
      message: `Host "${host.slice(0, 100)}" is not this console (it listens on loopback only)`,
    };
  }
  // Browsers label every request with where it came from. Requests without an Origin (an <img>
  // or <script> tag on another site) are still marked cross-site / same-site here: refuse them,
  // so no other page, not even another port on this machine, can start work in the console.
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return {
      ok: false,
      status: 403,
      reason: 'foreign-origin',
      message: 'Cross-origin requests are refused: the console only answers its own page',
    };
  }
  // `Origin: null` is what sandboxed iframes, file: and data: pages and cross-origin redirects
  // send: never this console's page (its fetches use the same-origin referrer policy, so they
  // carry the real origin). An opaque origin is a foreign one.
  const origin = headers.origin;
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost !== host) {
      return {
        ok: false,
        status: 403,
        reason: 'foreign-origin',
        message: 'Cross-origin requests are refused: the console only answers its own page',
      };
    }
  }
  return { ok: true };
}

/**
 * Compares the Authorization header with the expected bearer token in time that does not depend
 * on where they differ (both sides are hashed first, so lengths do not leak either).
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  if (!authorization || token.length === 0) return false;
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const wanted = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, wanted) && match !== null;
}
