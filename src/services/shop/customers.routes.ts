import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../platform/errors.js';
import { IdParams, problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import * as repo from './customers.repository.js';
import { Customer, CustomerCreate, CustomerUpdate } from './customers.schema.js';

const tags = ['shop: customers'];
const CUSTOMER_NOT_FOUND = 'Customer not found';

export async function customerRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/customers',
    {
      schema: {
        tags,
        summary: 'Register a customer',
        body: CustomerCreate,
        response: { 201: Customer, ...problems(400, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await repo.insertCustomer(db, request.body)),
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'One customer',
        params: IdParams,
        response: { 200: Customer, ...problems(400, 404) },
      },
    },
    async (request) => {
      const customer = await repo.findCustomer(db, request.params.id);
      if (!customer) throw new NotFoundError(CUSTOMER_NOT_FOUND);
      return customer;
    },
  );

  app.put(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'Change some fields of a customer, including is_active',
        params: IdParams,
        body: CustomerUpdate,
        response: { 200: Customer, ...problems(400, 404, 413, 415, 422) },
      },
    },
    async (request) => {
      const customer = await repo.updateCustomer(db, request.params.id, request.body);
      if (!customer) throw new NotFoundError(CUSTOMER_NOT_FOUND);
      return customer;
    },
  );
}
