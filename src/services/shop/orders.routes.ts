import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ConflictError, HttpError, NotFoundError, UnprocessableError } from '../../platform/errors.js';
import { prepareProblem } from '../../platform/http/problem-handler.js';
import { IdParams, problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { claimKey, completeKey, releaseKey, requestHash } from './idempotency.js';
import { findOrder, listOrders } from './orders.repository.js';
import { OrderCreate, OrderPage, OrderQuery, type Order } from './orders.schema.js';
import type { OrderService } from './orders.service.js';

const tags = ['shop: purchase orders'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Same key and body: the first answer again, nothing sold twice. Same key, other body: 422.',
    }),
  ),
});

export async function orderRoutes(scope: FastifyInstance, ctx: ServiceContext, orders: OrderService) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx;

  app.post(
    '/purchase-orders',
    {
      schema: {
        tags,
        summary: 'Buy copies of a disc; never sells more than the stock',
        description:
          'Answers 200 with the confirmed order, or 202 with a pending one when the shop runs in `queued` mode ' +
          '(follow `Location`). 409 when the disc is out of stock.',
        headers: IdempotencyHeaders,
        body: OrderCreate,
        response: {
          200: Type.Ref('Order', { description: 'Confirmed order' }),
          202: Type.Ref('Order', { description: 'Queued order, pending; poll its Location' }),
          ...problems(400, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const send = (status: number, order: unknown) => {
        if (status === 202) reply.header('location', `/purchase-orders/${(order as { id: string }).id}`);
        return reply.code(status as 200).send(order as Order);
      };
      if (!key) {
        const placed = await orders.place(request.body);
        return send(placed.status, placed.order);
      }
      const hash = requestHash(request.body);
      const claim = await claimKey(db, key, hash);
      if (claim.kind === 'mismatch') {
        throw new UnprocessableError('Idempotency-Key was already used with a different request body');
      }
      if (claim.kind === 'running') {
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
      }
      reply.header('idempotent-replayed', String(claim.kind === 'replay'));
      if (claim.kind === 'replay') {
        if (claim.status >= 400) {
          reply.type('application/problem+json; charset=utf-8');
          return send(claim.status, claim.body);
        }
        return send(claim.status, claim.body);
      }
      try {
        const placed = await orders.place(request.body, (trx, p) => completeKey(trx, key, p.status, p.order));
        return send(placed.status, placed.order);
      } catch (err) {
        if (err instanceof HttpError && err.statusCode < 500) {
          // A refusal is an answer too: the same request with the same key gets it again.
          const body = prepareProblem(request, reply, err.statusCode, err.message, err.title);
          await completeKey(db, key, err.statusCode, body);
          return reply.send(body);
        }
        await releaseKey(db, key);
        throw err;
      }
    },
  );

  app.get(
    '/purchase-orders/:id',
    {
      schema: {
        tags,
        summary: 'One order, with its status',
        params: IdParams,
        response: { 200: Type.Ref('Order'), ...problems(400, 404) },
      },
    },
    async (request) => {
      const order = await findOrder(db, request.params.id);
      if (!order) throw new NotFoundError('Purchase order not found');
      return order;
    },
  );

  app.get(
    '/purchase-orders',
    {
      schema: {
        tags,
        summary: 'Orders by customer, disc, status and time',
        querystring: OrderQuery,
        response: { 200: OrderPage, ...problems(400) },
      },
    },
    async (request) => {
      const { offset, limit, ...filters } = request.query;
      const params = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      return { params, limit, offset, data: await listOrders(db, request.query) };
    },
  );
}
