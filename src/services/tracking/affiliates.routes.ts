import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { IdParams, problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import * as repo from './affiliates.repository.js';
import { Affiliate, AffiliateQuery, AffiliateWrite, checkName } from './affiliates.schema.js';
import { throwSchemaFault } from './schema-fault.js';

const tags = ['tracking: affiliates'];
const NOT_FOUND = 'Affiliate not found';

/** A bad id is reported as such before any fault of the body. */
function checkedBody(request: FastifyRequest): string {
  const context = (request.validationError as { validationContext?: string } | undefined)?.validationContext;
  if (context === 'params') throw new BadRequestError('Invalid affiliate ID');
  const checked = checkName(request.body);
  if (!checked.ok) throw new BadRequestError(checked.error);
  throwSchemaFault(request);
  return checked.name;
}

export async function affiliateRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  // The original listed at /affiliates/ (trailing slash); both spellings answer.
  for (const url of ['/affiliates/', '/affiliates']) {
    app.get(
      url,
      {
        schema: {
          tags,
          summary: 'Affiliates, newest first',
          querystring: AffiliateQuery,
          response: { 200: Type.Array(Affiliate), ...problems(400) },
        },
      },
      async (request) => repo.listAffiliates(db, request.query),
    );
    app.post(
      url,
      {
        attachValidation: true,
        schema: {
          tags,
          summary: 'Register an affiliate',
          body: AffiliateWrite,
          response: { 201: Affiliate, ...problems(400, 413, 415) },
        },
      },
      async (request, reply) => reply.code(201).send(await repo.insertAffiliate(db, checkedBody(request))),
    );
  }

  app.get(
    '/affiliates/:id',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'One affiliate',
        params: IdParams,
        response: { 200: Affiliate, ...problems(400, 404) },
      },
    },
    async (request) => {
      if (request.validationError) throw new BadRequestError('Invalid affiliate ID');
      const affiliate = await repo.findAffiliate(db, request.params.id);
      if (!affiliate) throw new NotFoundError(NOT_FOUND);
      return affiliate;
    },
  );

  app.patch(
    '/affiliates/:id',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'Rename an affiliate',
        params: IdParams,
        body: AffiliateWrite,
        response: { 200: Affiliate, ...problems(400, 404, 413, 415) },
      },
    },
    async (request) => {
      const affiliate = await repo.renameAffiliate(db, request.params.id, checkedBody(request));
      if (!affiliate) throw new NotFoundError(NOT_FOUND);
      return affiliate;
    },
  );
}
