import { Ajv, type AnySchema, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false };

/**
 * Bodies are JSON: they are validated as sent, so `"1"`, `true` or `null` are not quietly turned
 * into the quantity 1 or 0, and an unknown field is an error, not silently dropped. Path, query
 * and headers arrive as text and are coerced to the types their schemas declare.
 *
 * Installed as the schema controller's validator builder (not `setValidatorCompiler`) because
 * Fastify rebuilds the compiler from the builder in every plugin scope that adds schemas.
 */
export function buildValidator(external: Record<string, unknown>): FastifySchemaCompiler<FastifySchema> {
  const body = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  for (const schema of Object.values(external)) {
    body.addSchema(schema as AnySchema);
    text.addSchema(schema as AnySchema);
  }
  return ({ schema, httpPart, contentType }) => {
    // A multipart body is streamed, not parsed before the handler: its schema documents the parts
    // and `receiveUpload` checks them as they come.
    if (contentType === 'multipart/form-data') return () => true;
    return (httpPart === 'body' ? body : text).compile(schema as AnySchema);
  };
}
