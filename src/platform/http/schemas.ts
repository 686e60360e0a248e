import { Type, type TSchema } from 'typebox';
import { problemTitle } from './problem-handler.js';

/** RFC 9457 problem details, the body of every 4xx and 5xx answer. */
export const Problem = Type.Object(
  {
    type: Type.String({ examples: ['about:blank'] }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

// ajv's "uuid" format also admits a `urn:uuid:` prefix, which PostgreSQL refuses: hence the pattern.
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = Type.String({ format: 'uuid', pattern: UUID_PATTERN, description: 'UUID' });
export const IdParams = Type.Object({ id: Uuid });

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request: bad JSON, path, query or header, or text that is not UTF-8 or holds a NUL',
  401: 'Missing, malformed, invalid or expired credentials; the WWW-Authenticate header says which',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  416: 'The requested byte range lies outside the file',
  422: 'The body is well-formed but invalid',
  429: 'Too many requests',
  431: 'The request line and headers exceed 16 KB',
  500: 'Unexpected server error',
  503: 'Overloaded or the database is unreachable; retry after the Retry-After header',
};

/**
 * Every route answers these whatever it does: malformed text anywhere in a request (400), a
 * request line and headers over Node's limit (431), load shed (503), and a fault of ours (500).
 */
export const ALWAYS = [400, 431, 500, 503] as const;

/**
 * Response schemas for the error statuses a route can return, plus the ones every route can.
 * Keeps the OpenAPI document honest: each listed status is a real path in the code.
 */
export function problems(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of new Set([...statuses, ...ALWAYS])) {
    const description = DESCRIPTIONS[status] ?? 'Error';
    const example = { type: 'about:blank', title: problemTitle(status), status, detail: description };
    out[status] = {
      description,
      content: { 'application/problem+json': { schema: Type.Ref('Problem'), example } },
    } as unknown as TSchema;
  }
  return out;
}
