/** Errors the console API answers with: JSON `{ error: { status, code, message } }`, never a stack. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Answer without `Connection: close` (the route closes the connection itself, later). */
    readonly lingers = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { status: number; code: string; message: string };
}

export function errorBody(status: number, code: string, message: string): ErrorBody {
  return { error: { status, code, message } };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
  validationContext?: string;
}

/** Maps whatever a route or fastify threw to the status, code and message the client sees. */
export function toErrorBody(err: unknown, limits: { jsonBytes: number }): ErrorBody {
  if (err instanceof HttpError) return errorBody(err.status, err.code, err.message);
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation) {
    return errorBody(
      400,
      'BAD_REQUEST',
      `Invalid ${e.validationContext ?? 'request'}: ${e.message ?? ''}`.trim(),
    );
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, 'BODY_TOO_LARGE', `The request body is larger than ${limits.jsonBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (content-type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(400, 'BAD_REQUEST', 'The request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'BAD_REQUEST', 'Content-Length does not match the body');
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    // fastify's own client errors (bad JSON and the like) carry safe, short messages.
    return errorBody(e.statusCode, 'BAD_REQUEST', e.message ?? 'Bad request');
  }
  return errorBody(500, 'INTERNAL', 'Internal error in the console; see the server log');
}
