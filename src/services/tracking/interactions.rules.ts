/**
 * The interaction rules, shared by the API (what it accepts) and the worker (what it stores), so a
 * message that passed the API can always be stored. The messages are the original's.
 */

import { canonicalInstant, parseInstant } from './time.js';

export const INTERACTION_TYPES = ['click', 'view', 'like'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/**
 * An interaction as it travels through the stream: `[interaction_type, target_element_id,
 * target_element_type, received_at, timestamp?]`. The campaign is the event's key, and the
 * timestamp is left out when it is the time the API received it (no timestamp sent), so an
 * event is less than half the bytes of the object it once was: that much less to write, store
 * and parse at every hop. Events published as that object (`LegacyInteractionEvent`) are still
 * read, so a stream written by an older version drains.
 */
export type InteractionEvent =
  [InteractionType, string, string, string] | [InteractionType, string, string, string, string];

/** An interaction as events carried it before the compact form; still read by the workers. */
export interface LegacyInteractionEvent {
  interaction_type: InteractionType;
  target_element_id: string;
  target_element_type: string;
  campaign_id: string;
  /** When it happened (ISO-8601, UTC). */
  timestamp: string;
  /** When the API accepted it (ISO-8601, UTC). */
  received_at: string;
}

export type InteractionInput = Omit<LegacyInteractionEvent, 'received_at' | 'timestamp'> & {
  timestamp?: Date;
};

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

// The original's column widths.
const TEXT_FIELDS = [
  { name: 'target_element_id', max: 255, empty: 'Target element ID cannot be empty' },
  { name: 'target_element_type', max: 64, empty: 'Target element type cannot be empty' },
  { name: 'campaign_id', max: 255, empty: 'Campaign ID cannot be empty' },
] as const;

const FIELDS = new Set(['interaction_type', 'timestamp', ...TEXT_FIELDS.map((f) => f.name)]);

/** A value quoted in a message, cut short so a huge input does not make a huge answer. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function checkText(value: unknown, field: (typeof TEXT_FIELDS)[number]): string | undefined {
  if (value === undefined || value === null) return field.empty;
  if (typeof value !== 'string') return `${field.name} must be a string, got ${quote(value)}`;
  if (value.trim() === '') return field.empty;
  if (value.length > field.max) return `${field.name} is longer than ${field.max} characters`;
  return undefined;
}

function checkType(value: unknown): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return 'Interaction type cannot be empty';
  if (!(INTERACTION_TYPES as readonly unknown[]).includes(value))
    return `Invalid interaction type: ${quote(value)} (allowed: ${INTERACTION_TYPES.join(', ')})`;
  return undefined;
}

const invalidInstant = (field: string, value: unknown) =>
  `Invalid ${field}: ${quote(value)} (expected ISO-8601 with a time zone, like 2025-09-14T10:00:00Z)`;

function checkTimestamp(value: unknown, field = 'timestamp'): Checked<Date> {
  if (typeof value === 'string') {
    const date = parseInstant(value);
    if (date) return { ok: true, value: date };
  }
  return { ok: false, error: invalidInstant(field, value) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An interaction sent to the API: the fields it knows, each checked; the first fault is reported. */
export function checkInteraction(body: unknown): Checked<InteractionInput> {
  if (!isObject(body)) {
    return {
      ok: false,
      error: `An interaction must be a JSON object with interaction_type, target_element_id, target_element_type and campaign_id, got ${quote(body)}`,
    };
  }
  const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
  if (unknown !== undefined)
    return { ok: false, error: `Unknown field: ${quote(unknown)} (allowed: ${[...FIELDS].join(', ')})` };
  const typeError = checkType(body.interaction_type);
  if (typeError) return { ok: false, error: typeError };
  for (const field of TEXT_FIELDS) {
    const error = checkText(body[field.name], field);
    if (error) return { ok: false, error };
  }
  let timestamp: Date | undefined;
  if (body.timestamp !== undefined && body.timestamp !== null) {
    const checked = checkTimestamp(body.timestamp);
    if (!checked.ok) return checked;
    timestamp = checked.value;
  }
  return {
    ok: true,
    value: {
      interaction_type: body.interaction_type as InteractionType,
      target_element_id: body.target_element_id as string,
      target_element_type: body.target_element_type as string,
      campaign_id: body.campaign_id as string,
      ...(timestamp ? { timestamp } : {}),
    },
  };
}

export interface StoredInteraction {
  id: string;
  interaction_type: InteractionType;
  target_element_id: string;
  target_element_type: string;
  campaign_id: string;
  /** ISO-8601 as toISOString writes it: passed to the database as text, never reformatted. */
  occurred_at: string;
  received_at: string;
}

/** Checks a stored event's instant, in its canonical text. */
function checkStoredInstant(value: unknown, field: string): Checked<string> {
  const text = typeof value === 'string' ? canonicalInstant(value) : undefined;
  if (text) return { ok: true, value: text };
  return { ok: false, error: invalidInstant(field, value) };
}

/** An event's fields, from either form: the compact array or the legacy object. */
function fieldsOf(key: string, data: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(data)) {
    if (data.length < 4 || data.length > 5) return undefined;
    return {
      interaction_type: data[0],
      target_element_id: data[1],
      target_element_type: data[2],
      campaign_id: key,
      received_at: data[3],
      timestamp: data.length > 4 ? data[4] : data[3],
    };
  }
  return isObject(data) ? data : undefined;
}

/**
 * An event taken from the stream. Fields it does not know are ignored (a newer publisher may add
 * some); `received_at` falls back to when the event was published.
 */
export function checkStored(
  id: string,
  key: string,
  event: unknown,
  publishedAt: Date,
): Checked<StoredInteraction> {
  const data = fieldsOf(key, event);
  if (!data)
    return {
      ok: false,
      error: `event ${id}: data is neither [type, element id, element type, received_at, timestamp?] nor an object`,
    };
  const typeError = checkType(data.interaction_type);
  if (typeError) return { ok: false, error: `event ${id}: ${typeError}` };
  for (const field of TEXT_FIELDS) {
    const error = checkText(data[field.name], field);
    if (error) return { ok: false, error: `event ${id}: ${error}` };
  }
  let received: string;
  if (data.received_at === undefined) received = publishedAt.toISOString();
  else {
    const checked = checkStoredInstant(data.received_at, 'received_at');
    if (!checked.ok) return { ok: false, error: `event ${id}: ${checked.error}` };
    received = checked.value;
  }
  // The compact form's timestamp, when left out, is the received time just checked.
  const occurred =
    data.received_at !== undefined && data.timestamp === data.received_at
      ? { ok: true as const, value: received }
      : checkStoredInstant(data.timestamp, 'timestamp');
  if (!occurred.ok) return { ok: false, error: `event ${id}: ${occurred.error}` };
  return {
    ok: true,
    value: {
      id,
      interaction_type: data.interaction_type as InteractionType,
      target_element_id: data.target_element_id as string,
      target_element_type: data.target_element_type as string,
      campaign_id: data.campaign_id as string,
      occurred_at: occurred.value,
      received_at: received,
    },
  };
}

/** The UTC day of the time a message was received, for the outcome counters. */
export function receivedDay(key: string, event: unknown, publishedAt: Date): string {
  const raw = fieldsOf(key, event)?.received_at;
  const date = (typeof raw === 'string' && parseInstant(raw)) || publishedAt;
  return date.toISOString().slice(0, 10);
}

export interface BatchFault {
  error: string;
  errors?: { index: number; detail: string }[];
}

/** A batch: a JSON array, or `{interactions: [...]}`; every item valid, or the faults of each. */
export function checkBatch(
  body: unknown,
  max: number,
): { ok: true; value: InteractionInput[] } | ({ ok: false } & BatchFault) {
  const items = Array.isArray(body)
    ? body
    : isObject(body) && Array.isArray(body.interactions) && Object.keys(body).length === 1
      ? body.interactions
      : undefined;
  if (!items) {
    return {
      ok: false,
      error: `A batch must be a JSON array of interactions or {"interactions": [...]}, got ${quote(body)}`,
    };
  }
  if (items.length === 0) return { ok: false, error: `The batch is empty: send 1 to ${max} interactions` };
  if (items.length > max)
    return { ok: false, error: `A batch holds at most ${max} interactions, got ${items.length}` };
  const value: InteractionInput[] = [];
  const errors: { index: number; detail: string }[] = [];
  items.forEach((item, index) => {
    const checked = checkInteraction(item);
    if (checked.ok) value.push(checked.value);
    else errors.push({ index, detail: checked.error });
  });
  if (errors.length === 0) return { ok: true, value };
  const shown = errors
    .slice(0, 5)
    .map((e) => `[${e.index}] ${e.detail}`)
    .join('; ');
  const more = errors.length > 5 ? `; and ${errors.length - 5} more (see errors)` : '';
  return {
    ok: false,
    error: `${errors.length} of ${items.length} interactions are invalid, nothing was stored: ${shown}${more}`,
    errors,
  };
}
