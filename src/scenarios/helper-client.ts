import { Pool } from 'undici';
import type { Answer } from './scenario.js';

/** Requests for setup and checks, not measured: what a scenario's `ctx.http` sends them with. */
export function helperClient(target: { url: string }) {
  const pool = new Pool(target.url, { connections: 8 });
  return {
    async http(
      method: string,
      urlPath: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer> {
      const res = await pool.request({
        method: method as 'GET',
        path: urlPath,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    close: () => pool.close(),
  };
}
