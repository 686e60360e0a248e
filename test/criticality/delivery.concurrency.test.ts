import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { secapp, secondInstance, type Answer, type Secapp } from './fixtures.js';

/** Requests in flight at once: as many connections as GETs, so they truly overlap. */
const CROWD = 50;

let app: TestApp;
let other: Awaited<ReturnType<typeof secondInstance>>;
let one: Secapp;
let two: Secapp;

beforeAll(async () => {
  app = await startTestApp([criticality], {}, { workers: false });
  // A second server on the same database, as behind a load balancer.
  other = await secondInstance(app.databaseUrl, {}, { workers: false });
  one = secapp(app.url, CROWD);
  two = secapp(other.url, CROWD);
});
afterAll(async () => {
  await one?.close();
  await two?.close();
  await other?.close();
  await app?.close();
});

let year = 2100;
/** A state newer than every one before, so it becomes the latest. */
async function publish(status: number): Promise<number> {
  const answer = await one.state('producer', status, `${year++}-01-01T00:00:00Z`);
  expect(answer.status).toBe(200);
  return answer.body.processed_id as number;
}

/** The answers that carried a state; every answer must be a 200, the others `{}`. */
function deliveries(answers: Answer[]): Answer[] {
  for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
  const carried = answers.filter((a) => a.body.status_change_id !== undefined);
  for (const a of answers) if (!carried.includes(a)) expect(a.body).toEqual({});
  return carried;
}

const crowd = (n: number, poll: (i: number) => Promise<Answer>) =>
  Promise.all(Array.from({ length: n }, (_, i) => poll(i)));

describe('concurrent polls of one app', () => {
  it('on one instance, are given each state once', async () => {
    // The first round is the app's first poll ever: the consumer row does not exist yet.
    for (let round = 0; round < 3; round++) {
      const id = await publish(round);
      const carried = deliveries(await crowd(CROWD, () => one.poll('crowded')));
      expect(carried.map((a) => a.body)).toEqual([
        { current_status: round, status_change_id: id, Change_at: expect.any(String) },
      ]);
    }
  });

  it('on two instances of one database, are given each state once', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await publish(10 + round);
      const carried = deliveries(await crowd(CROWD, (i) => (i % 2 ? two : one).poll('balanced')));
      expect(carried.map((a) => a.body.status_change_id)).toEqual([id]);
    }
    // Given once means given: the next poll on either is {}.
    expect((await one.poll('balanced')).body).toEqual({});
    expect((await two.poll('balanced')).body).toEqual({});
  });

  it('while states are posted among them, are given each state at most once and end with the latest', async () => {
    await one.poll('racing');
    const polls = crowd(CROWD, (i) => (i % 2 ? two : one).poll('racing'));
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish(20 + i));
    const carried = deliveries(await polls).map((a) => a.body.status_change_id as number);
    expect(new Set(carried).size).toBe(carried.length);
    const last = (await one.poll('racing')).body.status_change_id as number | undefined;
    // The latest state reached the app once: in the crowd or, if the crowd was done first, now.
    expect(
      [...carried, ...(last === undefined ? [] : [last])].filter((id) => id === ids.at(-1)),
    ).toHaveLength(1);
  });
});

describe('many apps polling at once', () => {
  it('are each given the state once, across both instances', async () => {
    const apps = Array.from({ length: 25 }, (_, i) => `many-${i}`);
    const perApp = 8;
    for (let round = 0; round < 3; round++) {
      const id = await publish(30 + round);
      const answers = await crowd(apps.length * perApp, (i) =>
        (i % 2 ? two : one).poll(apps[i % apps.length]!),
      );
      const byApp = new Map<string, number[]>();
      answers.forEach((a, i) => {
        const name = apps[i % apps.length]!;
        byApp.set(name, byApp.get(name) ?? []);
        if (a.body.status_change_id !== undefined) byApp.get(name)!.push(a.body.status_change_id as number);
      });
      deliveries(answers);
      for (const name of apps) expect(byApp.get(name), name).toEqual([id]);
    }
  });
});
