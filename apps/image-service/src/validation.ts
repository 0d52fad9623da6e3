/**
 * Fastify validator compiler backed by TypeBox's compiler (the project's one schema validator),
 * so request validation uses exactly the schemas the OpenAPI document shows, with no type
 * coercion and an error that names the first offending field.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifySchemaCompiler } from 'fastify';

export class RequestValidationError extends Error {
  override name = 'RequestValidationError';
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(
    /** Dotted path of the field at fault ('prompt', 'params.id'); '' for the body as a whole. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** '/image_type' -> 'image_type'; '/a/0/b' -> 'a.0.b'. */
function fieldOf(path: string): string {
  return path.replace(/^\//, '').replaceAll('/', '.');
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    if (check.Check(data)) return { value: data };
    const first = check.Errors(data).First();
    if (!first) return { error: new RequestValidationError('', 'invalid request') };
    // A missing or unexpected property is reported at the object's path; name the property.
    let field = fieldOf(first.path);
    let message = first.message;
    if (first.schema && 'additionalProperties' in first.schema && first.path === '') {
      const known = Object.keys((first.schema as { properties?: object }).properties ?? {});
      const extra =
        data && typeof data === 'object' ? Object.keys(data).find((k) => !known.includes(k)) : undefined;
      if (extra) {
        field = extra;
        message = 'unknown field';
      }
    }
    const prefix = httpPart && httpPart !== 'body' ? `${httpPart}.` : '';
    const name = field ? `${prefix}${field}` : httpPart === 'body' ? 'body' : (httpPart ?? 'request');
    return { error: new RequestValidationError(name, `${name}: ${message}`) };
  };
};
