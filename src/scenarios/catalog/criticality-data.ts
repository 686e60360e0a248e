import type { RequestFactory, RequestSpec } from '../model.js';
import type { Api } from './shop-data.js';

/**
 * The token every app without one of its own sends. The harness starts the server with the
 * generator's environment, so the server and the scenario read the same SECAPP_API_TOKEN.
 */
export function sharedToken(env: NodeJS.ProcessEnv = process.env): string {
  return env.SECAPP_API_TOKEN?.trim() || 'dev-secapp-token';
}

/** Headers for each of `count` apps, built once: the generator sends thousands a second. */
export function appHeaders(prefix: string, count: number, token: string): Record<string, string>[] {
  return Array.from({ length: count }, (_, i) => ({ 'App-name': `${prefix}-${i}`, token }));
}

/** One state from a producer: a level 1..5 changed now. */
export function stateBody(seq: number) {
  return { current_status: 1 + (seq % 5), Change_at: new Date().toISOString() };
}

export async function postState(ctx: Api, headers: Record<string, string>, seq: number): Promise<number> {
  const res = await ctx.http('POST', '/secapp/update', stateBody(seq), headers);
  const id = (res.body as { processed_id?: unknown } | undefined)?.processed_id;
  if (res.status !== 200 || typeof id !== 'number')
    throw new Error(`could not post a state: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

/** Polls of consumer apps taken in turn, so every app polls about as often as the others. */
export function pollRequests(consumers: Record<string, string>[]): RequestFactory {
  const specs: RequestSpec[] = consumers.map((headers) => ({
    method: 'GET',
    path: '/secapp/update',
    headers,
  }));
  return ({ seq }) => specs[seq % specs.length]!;
}

export function postRequests(producers: Record<string, string>[]): RequestFactory {
  return ({ seq }) => ({
    method: 'POST',
    path: '/secapp/update',
    headers: producers[seq % producers.length]!,
    body: stateBody(seq),
  });
}

/**
 * Judges poll answers and keeps what each app was given: `{}`, or a state it has not been given
 * before. A state given twice to one app is a duplicate; a 200 of any other shape is malformed.
 */
export class DeliveryLedger {
  deliveries = 0;
  duplicates = 0;
  malformed = 0;
  private readonly given = new Map<string, Set<number>>();

  readonly isGood = (status: number, body: string, request: RequestSpec): boolean => {
    if (status !== 200) return false;
    if (body === '{}') return true;
    const app = request.headers?.['App-name'] ?? '';
    let parsed: { current_status?: unknown; status_change_id?: unknown; Change_at?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      parsed = {};
    }
    const id = parsed.status_change_id;
    if (
      typeof id !== 'number' ||
      typeof parsed.current_status !== 'number' ||
      typeof parsed.Change_at !== 'string'
    ) {
      this.malformed++;
      return false;
    }
    let ids = this.given.get(app);
    if (!ids) this.given.set(app, (ids = new Set()));
    if (ids.has(id)) {
      this.duplicates++;
      return false;
    }
    ids.add(id);
    this.deliveries++;
    return true;
  };
}

export const processedIsGood = (status: number, body: string): boolean =>
  status === 200 && /^\{"processed_id":\d+\}$/.test(body);
