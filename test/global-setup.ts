import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/platform/db/embedded.js';
import { createLogger } from '../src/platform/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let server: EmbeddedPostgres | undefined;
let dir: string | undefined;

/** One real PostgreSQL for the run: DATABASE_URL when set, else an embedded one in a temp dir. */
export async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-test-'));
    await chmod(dir, 0o755);
    server = await startEmbeddedPostgres(dir, createLogger('warn'));
    url = server.url;
  }
  project.provide('databaseUrl', url);
}

export async function teardown() {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
