import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequestError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { requireAdmin } from './auth.js';
import { parseChangeAt } from './change-at.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import * as repo from './dashboard.repository.js';
import { ConsumerPage, ConsumerQuery, HistoryPage, HistoryQuery } from './dashboard.schema.js';

const tags = ['criticality: dashboard'];
const security = [{ secappAdmin: [] }];

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = parseChangeAt(value);
  if (!at.ok) throw new BadRequestError(`query.${name} ${at.error}`);
  return at.utc;
}

const isName = (key: unknown): key is [string] =>
  Array.isArray(key) && key.length === 1 && typeof key[0] === 'string';
const isHistoryKey = (key: unknown): key is [string, number] =>
  Array.isArray(key) &&
  key.length === 2 &&
  typeof key[0] === 'string' &&
  parseChangeAt(key[0]).ok &&
  Number.isSafeInteger(key[1]) &&
  (key[1] as number) > 0;

/** A page of `limit` items out of `limit + 1` fetched, and the cursor of the next one. */
function page<T>(rows: T[], limit: number, key: (last: T) => unknown[]) {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(key(items.at(-1)!)) : null };
}

export async function dashboardRoutes(
  scope: FastifyInstance,
  { db }: ServiceContext,
  opts: { adminToken: string; staleAfterMs: number },
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const onRequest = requireAdmin(opts.adminToken);

  app.get(
    '/secapp/consumers',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Every app that has polled: last poll, last state given, and whether it is stale',
        querystring: ConsumerQuery,
        response: { 200: ConsumerPage, ...problems(401) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, isName)[0];
      const rows = await repo.listConsumers(db, { staleAfterMs: opts.staleAfterMs, after, limit: limit + 1 });
      return { stale_after_seconds: opts.staleAfterMs / 1000, ...page(rows, limit, (c) => [c.app_name]) };
    },
  );

  app.get(
    '/secapp/history',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Every state posted, newest Change_at first, a page at a time',
        querystring: HistoryQuery,
        response: { 200: HistoryPage, ...problems(401) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await repo.listHistory(db, {
        from: instant('from', q.from),
        to: instant('to', q.to),
        app: q.app,
        before: q.cursor === undefined ? undefined : decodeCursor(q.cursor, isHistoryKey),
        limit: q.limit + 1,
      });
      return page(rows, q.limit, (s) => [s.Change_at, s.processed_id]);
    },
  );
}
