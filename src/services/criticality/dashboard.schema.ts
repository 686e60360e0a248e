import { Type, type Static } from 'typebox';
import { MAX_APP_NAME } from './auth.js';

const At = Type.String({ format: 'date-time' });
const Cursor = Type.String({ maxLength: 600, description: 'next_cursor of the previous page' });
const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });
const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as cursor for the next page; null on the last page',
});

export const ConsumerQuery = Type.Object(
  { limit: Limit, cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export type ConsumerQuery = Static<typeof ConsumerQuery>;

export const Consumer = Type.Object({
  app_name: Type.String({ examples: ['secapp02'] }),
  first_poll_at: At,
  last_poll_at: At,
  silent_seconds: Type.Number({ description: 'Since the last poll, to the second the server records it' }),
  stale: Type.Boolean({ description: 'Silent for longer than CRITICALITY_STALE_AFTER' }),
  alert_raised_at: Type.Union([At, Type.Null()], {
    description: 'When the stale alert of the current silence was raised; null when none is open',
  }),
  has_latest: Type.Boolean({ description: 'It has been given the latest state (or there is none yet)' }),
  last_delivered: Type.Union([
    Type.Object({
      status_change_id: Type.Integer(),
      current_status: Type.Integer(),
      Change_at: Type.String(),
      delivered_at: At,
    }),
    Type.Null(),
  ]),
});
export type Consumer = Static<typeof Consumer>;

export const ConsumerPage = Type.Object(
  {
    stale_after_seconds: Type.Number(),
    items: Type.Array(Consumer),
    next_cursor: NextCursor,
  },
  {
    examples: [
      {
        stale_after_seconds: 600,
        items: [
          {
            app_name: 'secapp02',
            first_poll_at: '2026-12-06T18:00:00.000Z',
            last_poll_at: '2026-12-06T18:20:00.000Z',
            silent_seconds: 700,
            stale: true,
            alert_raised_at: '2026-12-06T18:30:10.000Z',
            has_latest: true,
            last_delivered: {
              status_change_id: 1,
              current_status: 5,
              Change_at: '2017-07-21T17:32:28Z',
              delivered_at: '2026-12-06T18:00:00.000Z',
            },
          },
        ],
        next_cursor: null,
      },
    ],
  },
);

export const HistoryQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ maxLength: 64, description: 'Change_at at or after this ISO 8601 date-time' }),
    ),
    to: Type.Optional(
      Type.String({ maxLength: 64, description: 'Change_at before this ISO 8601 date-time' }),
    ),
    app: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_APP_NAME, description: 'Only the POSTs of this app' }),
    ),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

export const HistoryItem = Type.Object({
  processed_id: Type.Integer(),
  app_name: Type.String(),
  current_status: Type.Integer(),
  Change_at: Type.String({ description: 'UTC, as GET /secapp/update gives it' }),
  received_at: At,
});
export type HistoryItem = Static<typeof HistoryItem>;

export const HistoryPage = Type.Object(
  { items: Type.Array(HistoryItem), next_cursor: NextCursor },
  {
    description: 'Newest Change_at first; on an equal Change_at, the later POST first',
    examples: [
      {
        items: [
          {
            processed_id: 2,
            app_name: 'secapp01',
            current_status: 3,
            Change_at: '2017-07-21T18:00:00Z',
            received_at: '2026-12-06T18:05:00.000Z',
          },
          {
            processed_id: 1,
            app_name: 'secapp01',
            current_status: 5,
            Change_at: '2017-07-21T17:32:28Z',
            received_at: '2026-12-06T18:00:00.000Z',
          },
        ],
        next_cursor: 'eyJjIjoiMjAxNy0wNy0yMVQxNzozMjoyOFoiLCJpIjoxfQ',
      },
    ],
  },
);
