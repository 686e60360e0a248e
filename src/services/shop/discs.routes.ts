import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { IdParams, problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import * as repo from './discs.repository.js';
import { Disc, DiscCreate, DiscPage, DiscQuery, DiscUpdate, Stock } from './discs.schema.js';

const tags = ['shop: discs'];
const DISC_NOT_FOUND = 'Disc not found';

export async function discRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/discs',
    {
      schema: {
        tags,
        summary: 'Add a disc to the catalogue',
        body: DiscCreate,
        response: { 201: Disc, ...problems(400, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await repo.insertDisc(db, request.body)),
  );

  app.get(
    '/discs',
    {
      schema: {
        tags,
        summary: 'Search the catalogue',
        querystring: DiscQuery,
        response: { 200: DiscPage, ...problems(400) },
      },
    },
    async (request) => {
      const { offset, limit, ...filters } = request.query;
      const params = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
      return { params, limit, offset, data: await repo.listDiscs(db, request.query) };
    },
  );

  app.get(
    '/discs/:id',
    {
      schema: { tags, summary: 'One disc', params: IdParams, response: { 200: Disc, ...problems(400, 404) } },
    },
    async (request) => {
      const disc = await repo.findDisc(db, request.params.id);
      if (!disc) throw new NotFoundError(DISC_NOT_FOUND);
      return disc;
    },
  );

  app.put(
    '/discs/:id',
    {
      schema: {
        tags,
        summary: 'Change some fields of a disc; a new quantity is recorded in the stock ledger',
        params: IdParams,
        body: DiscUpdate,
        response: { 200: Disc, ...problems(400, 404, 413, 415, 422) },
      },
    },
    async (request) => {
      const disc = await repo.updateDisc(db, request.params.id, request.body);
      if (!disc) throw new NotFoundError(DISC_NOT_FOUND);
      return disc;
    },
  );

  app.delete(
    '/discs/:id',
    {
      schema: {
        tags,
        summary: 'Remove a disc that has no orders',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await repo.deleteDisc(db, request.params.id);
      if (outcome === 'missing') throw new NotFoundError(DISC_NOT_FOUND);
      if (outcome === 'has-orders') throw new ConflictError('Disc has purchase orders and cannot be deleted');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/discs/:id/stock',
    {
      schema: {
        tags,
        summary: 'The stock ledger of a disc and whether it balances',
        params: IdParams,
        response: { 200: Stock, ...problems(400, 404) },
      },
    },
    async (request) => {
      const row = await repo.stockOf(db, request.params.id);
      if (!row) throw new NotFoundError(DISC_NOT_FOUND);
      return { ...row, consistent: row.initial === row.sold + row.remaining };
    },
  );
}
