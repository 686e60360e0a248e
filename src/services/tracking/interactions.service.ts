import { createHash, randomUUID } from 'node:crypto';
import { UnavailableError } from '../../platform/errors.js';
import { BusUnavailableError, type EventBus, type NewEvent } from '../../platform/events/events.js';
import type { InteractionEvent, InteractionInput } from './interactions.rules.js';
import { parseInstant } from './time.js';
import type { Interaction } from './interactions.schema.js';

export const TRACKING_STREAM = 'tracking';
export const TRACKING_GROUP = 'tracking';
/** Fixed once the stream exists: it decides which partition a campaign lands in. */
export const TRACKING_PARTITIONS = 16;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

// Any fixed UUID: it keeps our derived ids apart from other users of version-5 ids.
const NAMESPACE = Buffer.from('2b7c9a4e5d1f4f0a8c3e6b9d0a1f2e3c', 'hex');

/** A name-based (version 5) UUID: the same key always gives the same id, in any process. */
export function uuidFromName(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The text of the last millisecond uuidV7 stamped, kept for the ids that share it. */
let prefixMs = -1;
let prefix = '';

/**
 * A time-ordered (version 7) UUID: ids made in the same moment sit side by side in the primary
 * key, so storing them touches a few hot index pages instead of one random page each.
 */
export function uuidV7(now = Date.now()): string {
  // randomUUID draws from a pooled buffer of entropy: a fresh random fill per id cost a tenth
  // of the intake's CPU. Its version nibble (index 14) becomes 7; the variant bits stay.
  if (now !== prefixMs) {
    // A batch's ids share their millisecond: its text is made once for all of them.
    const time = now.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixMs = now;
  }
  return prefix + randomUUID().slice(15);
}

/**
 * The id of an interaction: what makes a retried request harmless, since the worker stores each
 * id once. `index` is the position in a batch, whose items share one key.
 */
export function interactionId(key: string | undefined, index?: number): string {
  if (key === undefined) return uuidV7();
  if (index === undefined) return isUuid(key) ? key.toLowerCase() : uuidFromName(key);
  return uuidFromName(`${key}\u0000${index}`);
}

/** `receivedAt`: ISO-8601 (toISOString), one string shared by every event of a request. */
export function toEvent(id: string, input: InteractionInput, receivedAt: string): NewEvent {
  const data: InteractionEvent = input.timestamp
    ? [
        input.interaction_type,
        input.target_element_id,
        input.target_element_type,
        receivedAt,
        input.timestamp.toISOString(),
      ]
    : [input.interaction_type, input.target_element_id, input.target_element_type, receivedAt];
  return { id, key: input.campaign_id, data };
}

/** Resolves once the broker holds every event durably: only then may the API answer 202. */
export async function publishInteractions(events: EventBus, batch: NewEvent[]): Promise<void> {
  try {
    await events.publish(TRACKING_STREAM, batch);
  } catch (err) {
    if (err instanceof BusUnavailableError) {
      // A lost confirmation (an election, a dropped connection) leaves the outcome unknown: the
      // events may be stored all the same. Only a key makes the retry safe, so say so.
      throw new UnavailableError(
        'The event broker did not confirm that the interactions were stored, so they were not accepted ' +
          '(they may still be stored). Retry with the same Idempotency-Key: a retry with the key is ' +
          'never counted twice.',
        1,
      );
    }
    throw err;
  }
}

export interface InteractionRow {
  id: string;
  interaction_type: Interaction['interaction_type'];
  target_element_id: string;
  target_element_type: string;
  campaign_id: string;
  occurred_at: Date;
  received_at: Date;
  processed_at: Date;
}

export function toInteraction(row: InteractionRow): Interaction {
  return {
    id: row.id,
    interaction_type: row.interaction_type,
    target_element_id: row.target_element_id,
    target_element_type: row.target_element_type,
    campaign_id: row.campaign_id,
    timestamp: row.occurred_at.toISOString(),
    received_at: row.received_at.toISOString(),
    processed_at: row.processed_at.toISOString(),
  };
}

/** Where a page ends: the last row's sort key. Opaque to clients. */
export interface Cursor {
  occurredAt: Date;
  id: string;
}

export function encodeCursor(row: InteractionRow): string {
  return Buffer.from(JSON.stringify([row.occurred_at.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id)) return undefined;
    const occurredAt = parseInstant(at);
    return occurredAt ? { occurredAt, id } : undefined;
  } catch {
    return undefined;
  }
}
