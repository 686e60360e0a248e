import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { concatResults } from '../merge.js';
import type { LoadResult, RequestSpec } from '../model.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import {
  inTurns,
  makeClip,
  ownStatuses,
  pending,
  player,
  total,
  upload,
  uploadForm,
  type StatusCount,
} from './showcase-data.js';

const PLAN: Record<
  Size,
  {
    users: number[];
    stepS: number;
    rampS: number;
    clipS: number;
    published: number;
    drainS: number;
    pollMs: number;
  }
> = {
  full: {
    users: [100, 200, 300, 500, 700, 1000],
    stepS: 30,
    rampS: 10,
    // A phone's 5 s clip, a few hundred KB: made once, its bytes sent by every upload.
    clipS: 5,
    published: 10,
    drainS: 300,
    pollMs: 5_000,
  },
  // A shorter clip, so the few uploads are processed within the smoke test's seconds.
  smoke: { users: [2], stepS: 2, rampS: 1, clipS: 2, published: 1, drainS: 60, pollMs: 500 },
};
/** Portrait, as a phone films. */
const CLIP = { width: 540, height: 960 };
/** Locust's `between(1, 3)`. */
const THINK_MS: [number, number] = [1_000, 3_000];
const P95_LIMIT_MS = 1_000;
const BAD_LIMIT = 0.05;
const SEED_USERS = 100;
const SEED_RPS = 18.84;
/** Sign-ups and logins at once: argon2 takes ~20 ms of a core each, two cores here. */
const SIGNUP_PARALLEL = 4;
const UPLOAD_TIMEOUT_MS = 10_000;

const ms = (x: number) => Math.round(x * 100) / 100;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

type Route = 'upload' | 'list' | 'rankings';
const routeOf = (spec: RequestSpec): Route =>
  spec.path === '/api/videos/upload' ? 'upload' : spec.path === '/api/videos' ? 'list' : 'rankings';
const EXPECTED: Record<Route, number> = { upload: 201, list: 200, rankings: 200 };

/** What every answer was, by route, and the uploads each player got a 201 for. */
class Ledger {
  readonly byRoute: Record<Route, { good: number; bad: number }> = {
    upload: { good: 0, bad: 0 },
    list: { good: 0, bad: 0 },
    rankings: { good: 0, bad: 0 },
  };
  readonly uploaded = new Map<string, number>();

  isGood = (status: number, _body: string, spec: RequestSpec): boolean => {
    const route = routeOf(spec);
    const good = status === EXPECTED[route];
    this.byRoute[route][good ? 'good' : 'bad']++;
    if (good && route === 'upload') {
      const auth = spec.headers!.authorization!;
      this.uploaded.set(auth, (this.uploaded.get(auth) ?? 0) + 1);
    }
    return good;
  };

  snapshot() {
    return {
      upload: { ...this.byRoute.upload },
      list: { ...this.byRoute.list },
      rankings: { ...this.byRoute.rankings },
    };
  }
}

/**
 * Locust's task weights, upload 3, own videos 1, rankings 1, as a cycle per user rather than a
 * draw: the same shares, and a user's first task is always an upload, so even the smoke size's
 * few requests include uploads.
 */
const CYCLE = [0, 3, 1, 4, 2];
function mix(players: string[], form: { body: Uint8Array; type: string }) {
  const done = new Map<number, number>();
  return ({ user = 0 }: { user?: number }): RequestSpec => {
    const authorization = players[user]!;
    const n = done.get(user) ?? 0;
    done.set(user, n + 1);
    const pick = CYCLE[n % CYCLE.length]!;
    if (pick < 3)
      return {
        method: 'POST',
        path: '/api/videos/upload',
        headers: { authorization, 'content-type': form.type },
        body: form.body,
      };
    if (pick < 4) return { method: 'GET', path: '/api/videos', headers: { authorization } };
    return { method: 'GET', path: '/api/public/rankings' };
  };
}

/** Some processed, published and voted videos first, so the rankings the load reads rank someone. */
async function publishSome(
  ctx: ScenarioContext,
  players: string[],
  form: { body: Uint8Array; type: string },
  n: number,
) {
  const ids = await inTurns(n, 2, (i) => upload(ctx, players[i]!, form));
  const until = Date.now() + 120_000;
  for (let i = 0; i < n;) {
    const count = await ownStatuses(ctx, players[i]!);
    if (count.failed) throw new Error(`a setup video failed to process`);
    if (count.processed) i++;
    else if (Date.now() > until) throw new Error('the setup videos were not processed within 2 min');
    else await sleep(250);
  }
  for (const [i, id] of ids.entries()) {
    const pub = await ctx.http('POST', `/api/videos/${id}/publish`, undefined, {
      authorization: players[i]!,
    });
    if (pub.status !== 200) throw new Error(`publish answered ${pub.status} ${JSON.stringify(pub.body)}`);
    // Video i gets i + 1 votes: a ranking with distinct totals, and ties where the order of sign-up decides.
    await inTurns(Math.min(players.length, i + 1), 4, async (v) => {
      const vote = await ctx.http('POST', `/api/public/videos/${id}/vote`, undefined, {
        authorization: players[v]!,
      });
      if (vote.status !== 200) throw new Error(`vote answered ${vote.status} ${JSON.stringify(vote.body)}`);
    });
  }
}

interface Drain {
  drained: boolean;
  seconds: number;
  backlogAtStart: number;
  left: number;
  processed: number;
  failed: number;
  /** Videos the API does not list although their upload was answered 201. */
  lost: number;
  /** Rows beyond the 201s: uploads whose answer was lost (timed out) after their commit. */
  extra: number;
}

/**
 * Polls every player's own videos until none is left uploaded or processing, or the time is up.
 * A player with nothing pending is not asked again: its videos only move on from processed by
 * publishing, which this scenario no longer does.
 */
async function drain(
  ctx: ScenarioContext,
  players: string[],
  expected: number[],
  o: { timeoutS: number; pollMs: number },
): Promise<Drain> {
  const started = performance.now();
  const until = started + o.timeoutS * 1000;
  const last: StatusCount[] = [];
  let open = players.map((_, i) => i);
  let backlogAtStart = -1;
  let logged = 0;
  for (;;) {
    const counts = await inTurns(open.length, 8, (k) => ownStatuses(ctx, players[open[k]!]!));
    open.forEach((u, k) => (last[u] = counts[k]!));
    const backlog = open.reduce((n, u) => n + pending(last[u]!), 0);
    if (backlogAtStart < 0) {
      backlogAtStart = backlog;
      ctx.log(`drain: ${backlog} videos waiting or processing when the load ended`);
    }
    open = open.filter((u) => pending(last[u]!) > 0);
    if (open.length === 0 || performance.now() > until) break;
    const s = Math.round((performance.now() - started) / 1000);
    if (s >= logged + 30) {
      logged = s;
      ctx.log(`drain: ${backlog} left after ${s} s`);
    }
    await sleep(o.pollMs);
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  const sum = (f: (c: StatusCount, u: number) => number) => last.reduce((n, c, u) => n + f(c, u), 0);
  return {
    drained: open.length === 0,
    seconds,
    backlogAtStart,
    left: sum(pending),
    processed: sum((c) => c.processed),
    failed: sum((c) => c.failed),
    lost: sum((c, u) => Math.max(0, expected[u]! - total(c))),
    extra: sum((c, u) => Math.max(0, total(c) - expected[u]!)),
  };
}

export const showcaseCapacity: Scenario = {
  name: 'showcase.capacity',
  title: "Showcase: users held by the web layer under the original's Locust mix, real uploads included",
  description:
    `Virtual players, each signed up and logged in first, loop with ${THINK_MS[0] / 1000}–${THINK_MS[1] / 1000} s of think time ` +
    'over upload (a real 5 s 540x960 MP4 made by FFmpeg, multipart video_file + title) : own videos (GET /api/videos) : rankings ' +
    "(GET /api/public/rankings) = 3 : 1 : 1, the mix of the original's Locust test. The user count rises in closed-model " +
    `steps until one breaks p95 ≤ ${P95_LIMIT_MS} ms or errors ≤ ${BAD_LIMIT * 100} %. Every upload queues a real encode, which ` +
    'the worker in the same process runs on the same cores while the load goes on; after the last step the backlog is ' +
    'polled through the API until it is drained, or the time is up (then its pace gives the time the rest would take).',
  sixParts: {
    source:
      "players, the original's Locust users: log in, then upload, list their videos and read the rankings",
    stimulus: 'closed-model users stepped up, 1–3 s think time, upload:list:rankings = 3:1:1',
    environment:
      'one crucible serve with its processing worker on an embedded PostgreSQL, the generator on the same 2 cores',
    artifact:
      'showcase web layer: bearer check, streamed multipart upload, MP4 check, row + job commit; list; rankings',
    response:
      'every upload answered 201 and queued; the backlog processed afterwards, none failed, none lost',
    responseMeasure: `largest user count with p95 ≤ ${P95_LIMIT_MS} ms and errors ≤ ${BAD_LIMIT * 100} % ≥ 500; 0 failed; 0 lost`,
  },
  availabilityDefinition:
    'good = 201 to an upload, 200 to the lists; any other status and no answer within 10 s are bad. Latency counts ' +
    'from the actual send (closed model, as Locust measures it).',
  seedFigure: `${SEED_USERS} users at ${SEED_RPS} RPS, p95 420 ms — with every upload of that test failing`,
  serverEnv: { SHOWCASE_LOGIN_ADDRESS_LIMIT: '1000000' },
  workload: (size) => ({
    model: 'closed',
    users: Math.max(...PLAN[size].users),
    durationS: PLAN[size].stepS * PLAN[size].users.length,
    thinkMs: THINK_MS,
  }),
  headline: 'held_users',
  criteria: (size) =>
    size === 'full'
      ? [
          'held_users >= 500',
          'upload_errors_held == 0',
          // Over what the bounded drain processed: at full size the uploads of the ramp are
          // hours of encoding for two cores, and the drain reports its rate and what is left.
          'failed == 0',
          'lost == 0',
        ]
      : // Smoke size runs inside a busy test run on shared cores: its latency says nothing, but
        // its few uploads all drain.
        ['uploads_201 > 0', 'upload_errors_held == 0', 'failed == 0', 'lost == 0', 'drained == 1'],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'showcase-capacity-'));
    try {
      const clip = await makeClip(path.join(dir, 'clip.mp4'), { ...CLIP, seconds: plan.clipS });
      const form = uploadForm(await readFile(clip.path));
      ctx.log(`clip: ${plan.clipS} s ${CLIP.width}x${CLIP.height}, ${Math.round(clip.bytes / 1024)} KB`);
      const run = `cap.${Date.now().toString(36)}`;
      const players: string[] = [];
      const signUp = async (n: number) => {
        const t0 = performance.now();
        const from = players.length;
        players.push(...(await inTurns(n - from, SIGNUP_PARALLEL, (i) => player(ctx, run, from + i))));
        ctx.log(`${n - from} players signed up and logged in in ${Math.round(performance.now() - t0)} ms`);
      };
      await signUp(Math.max(plan.published, plan.users[0]!));
      await publishSome(ctx, players, form, plan.published);

      const ledger = new Ledger();
      const phases: LoadResult[] = [];
      const measures: Record<string, number | string | boolean> = {};
      let held = 0;
      let heldRps = 0;
      let heldP95 = 0;
      let uploadErrorsHeld = 0;
      let stoppedBy = 'end of steps';
      for (const users of plan.users) {
        if (players.length < users) await signUp(users);
        const before = ledger.snapshot();
        const r = await ctx.load(
          {
            workload: {
              model: 'closed',
              users,
              durationS: plan.stepS,
              thinkMs: THINK_MS,
              rampUpS: plan.rampS,
            },
            request: mix(players, form),
            isGood: ledger.isGood,
            timeoutMs: UPLOAD_TIMEOUT_MS,
          },
          `${users} users`,
        );
        phases.push(r);
        const rps = Math.round((r.requests / r.durationS) * 100) / 100;
        const bad = r.requests ? (r.requests - r.good) / r.requests : 1;
        const uploadsBad = ledger.byRoute.upload.bad - before.upload.bad;
        measures[`rps_at_${users}`] = rps;
        measures[`p95_ms_at_${users}`] = ms(r.latency.p95);
        measures[`errors_at_${users}`] = Math.round(bad * 10_000) / 10_000;
        measures[`uploads_at_${users}`] = ledger.byRoute.upload.good - before.upload.good;
        const broken = r.generator.saturated
          ? 'generator'
          : r.latency.p95 > P95_LIMIT_MS
            ? 'latency'
            : bad > BAD_LIMIT
              ? 'errors'
              : undefined;
        ctx.log(
          `${users} users: ${rps} req/s, p95 ${ms(r.latency.p95)} ms, ${(bad * 100).toFixed(2)} % bad, ` +
            `${measures[`uploads_at_${users}`]} uploads (${uploadsBad} refused)`,
        );
        if (broken) {
          stoppedBy = broken;
          ctx.log(`${users} users broke the threshold (${broken}); largest count held: ${held}`);
          break;
        }
        held = users;
        heldRps = rps;
        heldP95 = ms(r.latency.p95);
        uploadErrorsHeld += uploadsBad;
      }

      const expected = players.map(
        (auth, u) => (ledger.uploaded.get(auth) ?? 0) + (u < plan.published ? 1 : 0),
      );
      const d = await drain(ctx, players, expected, { timeoutS: plan.drainS, pollMs: plan.pollMs });
      const perMin = d.seconds > 0 ? Math.round(((d.backlogAtStart - d.left) / d.seconds) * 60 * 10) / 10 : 0;
      ctx.log(
        d.drained
          ? `drain: done in ${d.seconds} s, ${d.processed} processed, ${d.failed} failed`
          : `drain: ${d.left} still waiting after ${d.seconds} s (${perMin} videos/min), ${d.failed} failed`,
      );

      const alive = (await ctx.http('GET', '/health').catch(() => ({ status: 0 }))).status === 200;
      const result = concatResults(phases);
      // Only a generator that failed before any step held makes the run prove nothing.
      result.generator.saturated = held === 0 && stoppedBy === 'generator';
      return {
        result,
        workload: {
          model: 'closed',
          users: plan.users[phases.length - 1]!,
          durationS: plan.stepS * phases.length,
          thinkMs: THINK_MS,
          rampUpS: plan.rampS,
        },
        measures: {
          held_users: held,
          rps_held: heldRps,
          p95_ms_held: heldP95,
          stopped_by: stoppedBy,
          seed_users: SEED_USERS,
          seed_rps: SEED_RPS,
          users_ratio_to_seed: Math.round((held / SEED_USERS) * 100) / 100,
          rps_ratio_to_seed: Math.round((heldRps / SEED_RPS) * 100) / 100,
          clip_kb: Math.round(clip.bytes / 1024),
          uploads_201: ledger.byRoute.upload.good,
          upload_errors_held: uploadErrorsHeld,
          upload_errors_all: ledger.byRoute.upload.bad,
          list_errors_all: ledger.byRoute.list.bad,
          rankings_errors_all: ledger.byRoute.rankings.bad,
          backlog_after_load: d.backlogAtStart,
          drained: d.drained,
          drain_s: d.seconds,
          drain_videos_per_min: perMin,
          left_after_drain: d.left,
          // At the drain's own pace, with no load: how long the rest would take.
          projected_drain_s:
            perMin > 0 ? Math.round(d.seconds + (d.left / perMin) * 60) : d.drained ? d.seconds : -1,
          processed: d.processed,
          failed: d.failed,
          lost: d.lost,
          extra_rows: d.extra,
          alive_after: alive,
          ...measures,
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
