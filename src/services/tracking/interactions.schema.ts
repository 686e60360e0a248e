import { Type, type Static } from 'typebox';
import { Problem } from '../../platform/http/schemas.js';
import { INTERACTION_TYPES } from './interactions.rules.js';

export const MAX_BATCH = 1000;

const Uuid = Type.String({ format: 'uuid' });
const InteractionType = Type.Union(
  INTERACTION_TYPES.map((t) => Type.Literal(t)),
  { description: 'What the visitor did' },
);
const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

/**
 * What the API documents. The handlers check bodies with interactions.rules.ts, which answers
 * 400 with the original's messages; this schema is its mirror for the OpenAPI document.
 */
export const InteractionCreate = Type.Object(
  {
    interaction_type: InteractionType,
    target_element_id: Type.String({ minLength: 1, maxLength: 255, description: 'Not blank' }),
    target_element_type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Not blank, e.g. button, banner',
    }),
    campaign_id: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Not blank; the ordering key of the stream',
    }),
    timestamp: Type.Optional(
      Type.Union([
        Type.String({
          description: 'When it happened: ISO-8601 with a time zone (Z or ±hh:mm); default: now',
          examples: ['2025-09-14T10:00:00Z'],
        }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const BatchCreate = Type.Union(
  [
    Type.Array(InteractionCreate, { minItems: 1, maxItems: MAX_BATCH }),
    Type.Object(
      { interactions: Type.Array(InteractionCreate, { minItems: 1, maxItems: MAX_BATCH }) },
      { additionalProperties: false },
    ),
  ],
  { description: `1 to ${MAX_BATCH} interactions: a JSON array, or {"interactions": [...]}` },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'A retry with the same key gets the same interaction_id and is counted once. A UUID key is ' +
        'the interaction id itself; in a batch, item i gets an id derived from the key and i.',
    }),
  ),
});

export const Accepted = Type.Object({
  status: Type.Literal('accepted'),
  interaction_id: Uuid,
});

export const BatchAccepted = Type.Object({
  accepted: Type.Integer({ description: 'Interactions stored in the stream' }),
  interaction_ids: Type.Array(Uuid, { description: 'In the order of the request' }),
});

export const ItemError = Type.Object({
  index: Type.Integer({ description: 'Position of the item in the batch, from 0' }),
  detail: Type.String(),
});
export type ItemError = Static<typeof ItemError>;

/** The problem of a refused batch: which items, and why. */
export const BatchProblem = {
  description: 'Malformed request, or some items are invalid (see errors); nothing was stored',
  content: {
    'application/problem+json': {
      schema: Type.Object({ ...Problem.properties, errors: Type.Optional(Type.Array(ItemError)) }),
    },
  },
};

/** A 503 of the intake: besides shedding, a broker that did not confirm the write. */
export const NotAccepted = {
  description:
    'Overloaded, or the event broker did not confirm that the interactions were stored: not accepted, ' +
    'though they may be stored. Retry after Retry-After with the same Idempotency-Key (counted once).',
  content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
};

export const Interaction = Type.Object({
  id: Uuid,
  interaction_type: InteractionType,
  target_element_id: Type.String(),
  target_element_type: Type.String(),
  campaign_id: Type.String(),
  timestamp: Timestamp('When it happened'),
  received_at: Timestamp('When the API accepted it'),
  processed_at: Timestamp('When a worker stored it'),
});
export type Interaction = Static<typeof Interaction>;

export const InteractionQuery = Type.Object(
  {
    campaign_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    from: Type.Optional(
      Type.String({ description: 'Happened at or after this ISO-8601 date-time (with a time zone)' }),
    ),
    to: Type.Optional(
      Type.String({ description: 'Happened before this ISO-8601 date-time (with a time zone)' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
    cursor: Type.Optional(
      Type.String({ maxLength: 512, description: 'next_cursor of the previous page; same filters' }),
    ),
  },
  { additionalProperties: false },
);
export type InteractionQuery = Static<typeof InteractionQuery>;

export const InteractionPage = Type.Object({
  status: Type.Literal('success'),
  data: Type.Array(Interaction, { description: 'Newest first' }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
});

export const InteractionFound = Type.Object({ status: Type.Literal('success'), data: Interaction });
