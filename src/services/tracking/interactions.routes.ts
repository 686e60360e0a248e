import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { prepareProblem } from '../../platform/http/problem-handler.js';
import { IdParams, problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import * as repo from './interactions.repository.js';
import { checkBatch, checkInteraction } from './interactions.rules.js';
import { parseInstant } from './time.js';
import {
  Accepted,
  BatchAccepted,
  BatchCreate,
  BatchProblem,
  NotAccepted,
  IdempotencyHeaders,
  InteractionCreate,
  InteractionFound,
  InteractionPage,
  InteractionQuery,
  MAX_BATCH,
} from './interactions.schema.js';
import {
  decodeCursor,
  encodeCursor,
  interactionId,
  publishInteractions,
  toEvent,
  toInteraction,
} from './interactions.service.js';
import { throwSchemaFault } from './schema-fault.js';

const tags = ['tracking: interactions'];

// 1,000 interactions of the longest allowed fields, JSON-escaped, fit with room to spare.
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

function instant(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = parseInstant(value);
  if (!date)
    throw new BadRequestError(
      `${name} must be an ISO-8601 date-time with a time zone, like 2025-09-14T10:00:00Z; got "${value}"`,
    );
  return date;
}

export async function interactionRoutes(scope: FastifyInstance, { db, events }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/tracking/interactions',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'Record a click, view or like; 202 once the broker holds it durably',
        headers: IdempotencyHeaders,
        body: InteractionCreate,
        response: { 202: Accepted, ...problems(400, 413, 415), 503: NotAccepted },
      },
    },
    async (request, reply) => {
      const checked = checkInteraction(request.body as unknown);
      if (!checked.ok) throw new BadRequestError(checked.error);
      throwSchemaFault(request);
      const id = interactionId(request.headers['idempotency-key']);
      await publishInteractions(events, [toEvent(id, checked.value, new Date().toISOString())]);
      return reply.code(202).send({ status: 'accepted', interaction_id: id });
    },
  );

  app.post(
    '/tracking/interactions/batch',
    {
      attachValidation: true,
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags,
        summary: `Record up to ${MAX_BATCH} interactions at once; all of them, or none`,
        headers: IdempotencyHeaders,
        body: BatchCreate,
        response: { 202: BatchAccepted, ...problems(413, 415), 400: BatchProblem, 503: NotAccepted },
      },
    },
    async (request, reply) => {
      const checked = checkBatch(request.body as unknown, MAX_BATCH);
      if (!checked.ok) {
        const problem = prepareProblem(request, reply, 400, checked.error);
        return reply.send(checked.errors ? { ...problem, errors: checked.errors } : problem);
      }
      throwSchemaFault(request);
      const key = request.headers['idempotency-key'];
      const receivedAt = new Date().toISOString();
      const batch = checked.value.map((input, i) => toEvent(interactionId(key, i), input, receivedAt));
      await publishInteractions(events, batch);
      return reply.code(202).send({ accepted: batch.length, interaction_ids: batch.map((e) => e.id) });
    },
  );

  app.get(
    '/tracking/interactions',
    {
      schema: {
        tags,
        summary: 'Stored interactions, newest first, a page at a time',
        description: 'Follow `next_cursor` with the same filters until it is null.',
        querystring: InteractionQuery,
        response: { 200: InteractionPage, ...problems(400) },
      },
    },
    async (request) => {
      const { campaign_id, limit, cursor } = request.query;
      const from = instant('from', request.query.from);
      const to = instant('to', request.query.to);
      if (from && to && from > to) throw new BadRequestError('from must not be after to');
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after)
        throw new BadRequestError('Invalid cursor: pass next_cursor as given');
      const rows = await repo.listInteractions(db, {
        ...(campaign_id !== undefined ? { campaignId: campaign_id } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(after ? { after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        status: 'success' as const,
        data: page.map(toInteraction),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );

  app.get(
    '/tracking/interactions/:id',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'One interaction, once a worker has stored it',
        params: IdParams,
        response: { 200: InteractionFound, ...problems(400, 404) },
      },
    },
    async (request) => {
      if (request.validationError) throw new BadRequestError('Invalid interaction ID');
      const row = await repo.findInteraction(db, request.params.id);
      if (!row) throw new NotFoundError('Interaction not found');
      return { status: 'success' as const, data: toInteraction(row) };
    },
  );
}
