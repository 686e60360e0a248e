import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDbUnreachable } from '../db/last-good.js';
import { HttpError, fromPgError } from '../errors.js';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The title a problem of this status carries when its error names none. */
export function problemTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** Sets status and content type on the reply and returns the body, for callers that send it. */
export function prepareProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  title?: string,
): ProblemBody {
  reply.code(status).type(PROBLEM_TYPE);
  return {
    type: 'about:blank',
    title: title ?? problemTitle(status),
    status,
    detail,
    instance: request.url,
    request_id: String(request.id),
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  title?: string,
) {
  return reply.send(prepareProblem(request, reply, status, detail, title));
}

/**
 * Validation errors of the body are 422 (what FastAPI, the originals' framework, answered);
 * a malformed path or query is 400. Each names the field and the rule it broke.
 */
function validationStatus(error: FastifyError): number {
  return error.validationContext === 'body' ? 422 : 400;
}

/** One line naming the field and the rule it broke; every route that words its own refusals reuses it. */
export function validationDetail(
  error: Pick<FastifyError, 'validation' | 'validationContext' | 'message'>,
): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext ?? 'request';
  const field = first.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const extra = (first.params as { additionalProperty?: string }).additionalProperty;
  if (missing) return `${where}.${missing} is required`;
  if (extra) return `${where}.${extra} is not an allowed field`;
  return `${where}${field ? '.' + field : ''} ${first.message ?? 'is invalid'}`;
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.statusCode, error.message, error.title);
    }
    if (error.validation) {
      return sendProblem(request, reply, validationStatus(error), validationDetail(error));
    }
    const fromDb = fromPgError(error);
    if (fromDb) {
      request.log.info({ err: error }, 'database refused the request');
      reply.headers(fromDb.headers);
      return sendProblem(request, reply, fromDb.statusCode, fromDb.message, fromDb.title);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(request, reply, status, error.message);
    if (isDbUnreachable(error)) {
      request.log.warn({ err: error }, 'shedding: database not reachable in time');
      reply.header('retry-after', '1');
      return sendProblem(request, reply, 503, 'The database is busy or unreachable; retry shortly');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      request,
      reply,
      500,
      `Internal error; quote request id ${request.id} when reporting it`,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
