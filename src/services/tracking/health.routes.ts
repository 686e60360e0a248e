import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { UnavailableError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';

const Dependency = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
const Health = Type.Object({
  status: Type.Literal('healthy'),
  database: Dependency,
  broker: Dependency,
});

/** A dependency that does not answer within this is down, as far as a load balancer cares. */
const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(scope: FastifyInstance, { db, events }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/tracking/health',
    {
      schema: {
        tags: ['tracking: health'],
        summary: 'The database and the event broker both answer',
        response: { 200: Health, ...problems() },
      },
    },
    async () => {
      const [database, broker] = await Promise.all([
        withTimeout(
          sql<{ version: string }>`SELECT current_setting('server_version') AS version`.execute(db),
          CHECK_TIMEOUT_MS,
        ).then(
          ({ rows }) => ({ ok: true, detail: `PostgreSQL ${rows[0]!.version}` }),
          (err: Error) => ({ ok: false, detail: err.message }),
        ),
        withTimeout(events.health(), CHECK_TIMEOUT_MS).catch((err: Error) => ({
          ok: false,
          detail: err.message,
        })),
      ]);
      if (!database.ok || !broker.ok) {
        const down = [
          database.ok ? undefined : `database: ${database.detail}`,
          broker.ok ? undefined : `broker: ${broker.detail}`,
        ].filter(Boolean);
        throw new UnavailableError(`Unhealthy: ${down.join('; ')}`);
      }
      return { status: 'healthy' as const, database, broker };
    },
  );
}
