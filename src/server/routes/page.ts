/** GET / : the console page, with a fresh CSP nonce per response. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleEngine } from '../engine.js';
import { renderPage } from '../page/html.js';
import { newNonce, pageCsp } from '../security.js';

/** An HTML page under a fresh CSP nonce: its inline CSS and JS run, nothing else does. */
export function sendPage(reply: FastifyReply, render: (nonce: string) => string): FastifyReply {
  const nonce = newNonce();
  return reply
    .header('content-security-policy', pageCsp(nonce))
    .type('text/html; charset=utf-8')
    .send(render(nonce));
}

export function registerPageRoutes(app: FastifyInstance, engine: ConsoleEngine): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, (nonce) => renderPage({ nonce, target: engine.target })),
  );
  // Browsers ask for it; an empty answer keeps the console free of 404 noise.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
}
