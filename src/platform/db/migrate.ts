import { Migrator, sql, type Migration, type MigrationResult } from 'kysely';
import type { Logger } from '../logger.js';
import type { AnyDb } from './database.js';

export interface Migratable {
  name: string;
  migrations: Record<string, Migration>;
}

/**
 * Each service owns a PostgreSQL schema named after it and keeps its migration history there,
 * so services migrate independently and never touch each other's tables.
 */
export async function migrateService(
  db: AnyDb,
  service: Migratable,
  log: Logger,
): Promise<MigrationResult[]> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(service.name)}`.execute(db);
  const migrator = new Migrator({
    db,
    migrationTableSchema: service.name,
    provider: { getMigrations: async () => service.migrations },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const r of results) {
    log.info({ service: service.name, migration: r.migrationName, status: r.status }, 'migration');
  }
  if (error)
    throw new Error(`migrations of ${service.name} failed: ${(error as Error).message}`, { cause: error });
  return results;
}
