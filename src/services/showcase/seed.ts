import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { hashSecret } from '../../platform/auth/secrets.js';
import type { ServiceContext } from '../../platform/service.js';
import { makeClip } from './media/clips.js';
import { mediaConfig } from './media/config.js';
import { createVideoProcessor } from './media/processor.js';
import { originalKey, processedKey } from './videos.keys.js';

/** Every demo account signs in with it (documented in docs/showcase.md). */
export const DEMO_PASSWORD = 'Showcase2026!';
export const DEMO_EMAIL_DOMAIN = 'demo.showcase.example';

interface DemoPlayer {
  first: string;
  last: string;
  city: string;
  /** Titles of the player's public clips. */
  clips: string[];
}

export const DEMO_PLAYERS: DemoPlayer[] = [
  {
    first: 'Sofía',
    last: 'Pérez',
    city: 'Bogotá',
    clips: ['Triple desde la esquina', 'Crossover y bandeja'],
  },
  { first: 'Andrés', last: 'Muñoz', city: 'Medellín', clips: ['Clavada en contraataque'] },
  { first: 'Camila', last: 'Gómez', city: 'Cali', clips: ['Tapón en la pintura'] },
  { first: 'Julián', last: 'Rodríguez', city: 'Barranquilla', clips: ['Asistencia sin mirar'] },
  { first: 'Valentina', last: 'Castaño', city: 'Bogotá', clips: [] },
  { first: 'Santiago', last: 'Ibáñez', city: 'Cartagena', clips: [] },
];

const emailOf = (p: DemoPlayer) =>
  `${p.first}.${p.last}@${DEMO_EMAIL_DOMAIN}`
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

/** Short and small: the seed encodes every clip on first start, which should take seconds. */
const DEMO_CLIP = { seconds: 3, width: 640, height: 360, audio: true, kbps: 300 } as const;

/**
 * Demo players in several cities, their clips made and processed by FFmpeg as the worker does,
 * published, and votes between them, so the public page and the rankings show something. Does
 * nothing once the demo players exist.
 */
export async function seedShowcase(ctx: ServiceContext): Promise<string> {
  const { db, storage } = ctx;
  const first = emailOf(DEMO_PLAYERS[0]!);
  const existing = await sql`SELECT 1 FROM showcase.users WHERE email = ${first}`.execute(db);
  if (existing.rows.length > 0) return 'showcase: the demo data is already there; nothing loaded';

  const clips = DEMO_PLAYERS.flatMap((p, player) =>
    p.clips.map((title) => ({ player, title, id: randomUUID() })),
  );
  const processor = createVideoProcessor(mediaConfig(ctx.env));
  const work = await mkdtemp(path.join(os.tmpdir(), 'showcase-seed-'));
  const keys = clips.flatMap((c) => [originalKey(c.id), processedKey(c.id)]);
  try {
    for (const [i, c] of clips.entries()) {
      const made = await makeClip({ ...DEMO_CLIP, path: path.join(work, `${i}.mp4`) });
      await storage.put(originalKey(c.id), createReadStream(made.path));
      await processor.processVideo({
        input: storage.localPath(originalKey(c.id))!,
        output: storage.localPath(processedKey(c.id))!,
      });
    }
    const hashes = await Promise.all(DEMO_PLAYERS.map(() => hashSecret(DEMO_PASSWORD)));
    const loaded = await db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const [i, p] of DEMO_PLAYERS.entries()) {
        const { rows } = await sql<{ id: number }>`
          INSERT INTO showcase.users (first_name, last_name, email, city, country, password_hash)
          VALUES (${p.first}, ${p.last}, ${emailOf(p)}, ${p.city}, 'Colombia', ${hashes[i]})
          ON CONFLICT (email) DO NOTHING RETURNING id`.execute(tx);
        // Another seed got there first: its data stands, this one's is dropped.
        if (!rows[0]) return undefined;
        ids.push(rows[0].id);
      }
      let votes = 0;
      for (const [i, c] of clips.entries()) {
        await sql`
          INSERT INTO showcase.videos (id, owner_id, title, status, original_bytes, processed_at, published_at)
          SELECT ${c.id}::uuid, ${ids[c.player]}, ${c.title}, 'public', 0, now(), now() - ${i} * interval '1 hour'`.execute(
          tx,
        );
        // The first clip gets a vote from everyone else, the next ones fewer: a ranking with an order.
        const voters = ids.filter((id) => id !== ids[c.player]).slice(0, Math.max(1, ids.length - 1 - i));
        for (const voter of voters)
          await sql`INSERT INTO showcase.votes (video_id, user_id) VALUES (${c.id}, ${voter})`.execute(tx);
        await sql`
          UPDATE showcase.videos SET votes = ${voters.length},
            original_bytes = ${(await storage.stat(originalKey(c.id)))?.bytes ?? 0}
          WHERE id = ${c.id}`.execute(tx);
        votes += voters.length;
      }
      return votes;
    });
    if (loaded === undefined) {
      await Promise.all(keys.map((k) => storage.remove(k)));
      return 'showcase: the demo data is already there; nothing loaded';
    }
    const cities = [...new Set(DEMO_PLAYERS.map((p) => p.city))].join(', ');
    return `showcase: ${DEMO_PLAYERS.length} demo players (${cities}), ${clips.length} processed public clips, ${loaded} votes; sign in as ${first} with ${DEMO_PASSWORD}`;
  } catch (err) {
    await Promise.all(keys.map((k) => storage.remove(k)));
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The demo on a first start: only into a showcase that has no player yet. */
export async function demoShowcase(ctx: ServiceContext): Promise<string | undefined> {
  const any = await sql`SELECT 1 FROM showcase.users LIMIT 1`.execute(ctx.db);
  return any.rows.length > 0 ? undefined : seedShowcase(ctx);
}
