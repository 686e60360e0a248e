import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequestError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { parseDay } from './time.js';
import { dailyInteractions, dailyOutcomes } from './stats.repository.js';
import { Stats, StatsQuery } from './stats.schema.js';

function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDay(value);
  if (!parsed)
    throw new BadRequestError(`${name} must be a date like 2025-09-14 (YYYY-MM-DD), got "${value}"`);
  return parsed;
}

export async function statsRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/tracking/stats/daily',
    {
      schema: {
        tags: ['tracking: stats'],
        summary: 'Daily counters: messages per outcome, or interactions per campaign and type',
        description:
          'Without `group_by`: `{day, status, count}`, the messages stored (`ok`) and given up on (`error`) ' +
          'per UTC day they were received. With `group_by=interaction_type`: `{day, campaign_id, ' +
          'interaction_type, count}` per UTC day they happened. Days from `from` to `to`, both included.',
        querystring: StatsQuery,
        response: { 200: Stats, ...problems(400) },
      },
    },
    async (request) => {
      const from = day('from', request.query.from);
      const to = day('to', request.query.to);
      if (from && to && from > to) throw new BadRequestError(`from (${from}) is after to (${to})`);
      const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
      const campaignId = request.query.campaign_id;
      if (request.query.group_by === 'interaction_type') {
        return { items: await dailyInteractions(db, { ...range, ...(campaignId ? { campaignId } : {}) }) };
      }
      if (campaignId !== undefined) {
        throw new BadRequestError(
          'campaign_id needs group_by=interaction_type: outcomes are counted per day, not per campaign',
        );
      }
      return { items: await dailyOutcomes(db, range) };
    },
  );
}
