import { loadConfig } from '../../src/platform/config.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { startRuntime, type Runtime } from '../../src/platform/runtime.js';
import { criticality } from '../../src/services/criticality/index.js';
import { client, type Answer } from '../shop/client.js';

export { expectProblem, type Answer } from '../shop/client.js';
export { waitFor } from '../tracking/fixtures.js';

/** The development defaults, which the test apps run with. */
export const SHARED = 'dev-secapp-token';
export const ADMIN = 'dev-admin-token';

/** The original's calls: headers App-name and token, the body it posted. */
export function secapp(baseUrl: string, connections = 16) {
  const http = client(baseUrl, connections);
  /** `null`: no token header at all. */
  const headers = (app: string | undefined, token: string | null) => {
    const h: Record<string, string> = {};
    if (app !== undefined) h['App-name'] = app;
    if (token !== null) h.token = token;
    return h;
  };
  const admin = { authorization: `Bearer ${ADMIN}` };
  return {
    http,
    post: (app: string | undefined, body: unknown, token: string | null = SHARED) =>
      http.call('POST', '/secapp/update', body, headers(app, token)),
    state: (app: string, current_status: number, Change_at: string, token: string | null = SHARED) =>
      http.call('POST', '/secapp/update', { current_status, Change_at }, headers(app, token)),
    poll: (app: string | undefined, token: string | null = SHARED): Promise<Answer> =>
      http.call('GET', '/secapp/update', undefined, headers(app, token)),
    admin: (method: string, path: string, body?: unknown, token = ADMIN) =>
      http.call(method, path, body, { authorization: `Bearer ${token}` }),
    adminHeaders: admin,
    close: () => http.close(),
  };
}
export type Secapp = ReturnType<typeof secapp>;

/**
 * Another instance of the product on an existing database, as a second server behind a balancer.
 * `log`: where it logs instead of stdout, for a test that reads its lines.
 */
export async function secondInstance(
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: { workers?: boolean; log?: Logger } = {},
): Promise<{ runtime: Runtime; url: string; close(): Promise<void> }> {
  const fullEnv = { LOG_LEVEL: 'warn', PORT: '0', ...env, DATABASE_URL: databaseUrl };
  const config = loadConfig(fullEnv);
  const runtime = await startRuntime({
    config,
    log: opts.log ?? createLogger(config.logLevel),
    services: [criticality],
    version: 'test',
    http: true,
    workers: opts.workers ?? true,
    env: fullEnv,
  });
  const url = await runtime.listen();
  return { runtime, url, close: () => runtime.close() };
}
