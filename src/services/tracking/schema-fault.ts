import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../../platform/errors.js';
import { validationDetail } from '../../platform/http/problem-handler.js';

/**
 * Routes of this service check their input themselves (`attachValidation`) so that every fault is
 * a 400 with the original's message, where the platform would answer 422 for a body. What the
 * schema still catches beyond those checks (an over-long header, say) is a 400 too, worded as the
 * platform words it.
 */
export function throwSchemaFault(request: FastifyRequest): void {
  const error = request.validationError as Parameters<typeof validationDetail>[0] | undefined;
  if (error) throw new BadRequestError(validationDetail(error));
}
