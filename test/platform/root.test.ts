import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, testService, type TestApp } from '../helpers.js';

const greeter = testService('greeter', async () => undefined, {
  async root(app) {
    app.get('/', async () => ({ hello: 'from greeter' }));
  },
});
const other = testService('other', async () => undefined);

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function rootOf(services: Parameters<typeof startTestApp>[0]) {
  const app = await startTestApp(services, {}, { workers: false });
  apps.push(app);
  return (await (await fetch(`${app.url}/`)).json()) as Record<string, unknown> & {
    services?: { name: string }[];
  };
}

describe('GET / and a service that answers the root itself', () => {
  it("is the service's own answer when that service is served alone", async () => {
    expect(await rootOf([greeter])).toEqual({ hello: 'from greeter' });
  });

  it('is the index of the services when it is served with others', async () => {
    const body = await rootOf([greeter, other]);
    expect(body.services?.map((s) => s.name)).toEqual(['greeter', 'other']);
  });
});
