import { Type, type Static } from 'typebox';

export const AffiliateWrite = Type.Object(
  { name: Type.String({ minLength: 2, maxLength: 255, description: 'Trimmed; at least 2 characters' }) },
  { additionalProperties: false },
);

export const Affiliate = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
export type Affiliate = Static<typeof Affiliate>;

export const AffiliateQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type AffiliateQuery = Static<typeof AffiliateQuery>;

const MAX_NAME = 255;

/** The name of a POST or PATCH body, trimmed, or why it is refused. */
export function checkName(body: unknown): { ok: true; name: string } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, error: 'The body must be a JSON object like {"name": "..."}' };
  const extra = Object.keys(body).find((k) => k !== 'name');
  if (extra !== undefined)
    return { ok: false, error: `Unknown field: ${extra.slice(0, 64)} (allowed: name)` };
  const raw = (body as { name?: unknown }).name;
  if (raw === undefined || raw === null) return { ok: false, error: 'name is required' };
  if (typeof raw !== 'string') return { ok: false, error: 'name must be a string' };
  const name = raw.trim();
  if (name.length < 2)
    return { ok: false, error: 'name must have at least 2 characters (spaces around it do not count)' };
  if (name.length > MAX_NAME) return { ok: false, error: `name is longer than ${MAX_NAME} characters` };
  return { ok: true, name };
}
