import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../../platform/errors.js';

/**
 * Routes of this service check their input themselves (`attachValidation`) so that every fault is
 * a 400 with the original's message, where the platform would answer 422 for a body. What the
 * schema still catches beyond those checks (an over-long header, say) is a 400 too.
 */
export function throwSchemaFault(request: FastifyRequest): void {
  const error = request.validationError as
    | (Error & {
        validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
        validationContext?: string;
      })
    | undefined;
  if (!error) return;
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  const field = first?.instancePath ? '.' + first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
  const missing = first?.params?.missingProperty;
  if (typeof missing === 'string') throw new BadRequestError(`${where}.${missing} is required`);
  throw new BadRequestError(`${where}${field} ${first?.message ?? 'is invalid'}`);
}
