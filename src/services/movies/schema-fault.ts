import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../../platform/errors.js';
import { validationDetail } from '../../platform/http/problem-handler.js';

/**
 * Users and ratings came after the original, and their contract gives every input fault one status:
 * 400, where the platform would answer 422 for a body. Their routes take the schema's verdict
 * (`attachValidation`) and turn it into a 400 worded as the platform words it.
 */
export function throwSchemaFault(request: FastifyRequest): void {
  const error = request.validationError as Parameters<typeof validationDetail>[0] | undefined;
  if (error) throw new BadRequestError(validationDetail(error));
}
