import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { sql } from 'kysely';
import type { AnyDb } from '../db/database.js';
import { UnavailableError } from '../errors.js';
import { problems } from './schemas.js';

const Status = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  postgres: Type.String({ description: 'server version' }),
});

export async function healthRoutes(app: FastifyInstance, opts: { db: AnyDb }) {
  app.get(
    '/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Liveness: the process answers',
        response: { 200: Status, ...problems() },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['platform'],
        summary: 'Readiness: the database answers',
        response: { 200: Ready, ...problems() },
      },
    },
    async () => {
      try {
        const { rows } = await withTimeout(
          sql<{ version: string }>`SELECT current_setting('server_version') AS version`.execute(opts.db),
          2000,
        );
        return { status: 'ready', postgres: rows[0]!.version };
      } catch (err) {
        throw new UnavailableError(`database unreachable: ${(err as Error).message}`);
      }
    },
  );
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
