import { Type, type Static } from 'typebox';

const Day = (description: string) =>
  Type.Optional(Type.String({ description: `${description} (YYYY-MM-DD, UTC)`, examples: ['2025-09-14'] }));

export const StatsQuery = Type.Object(
  {
    from: Day('First day, included'),
    to: Day('Last day, included'),
    campaign_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'Only with group_by=interaction_type' }),
    ),
    group_by: Type.Optional(
      Type.Literal('interaction_type', {
        description: 'Interactions per day, campaign and type instead of messages per day and outcome',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

export const StatsItem = Type.Object({
  day: Type.String({ format: 'date', description: 'UTC day' }),
  status: Type.Optional(
    Type.Union([Type.Literal('ok'), Type.Literal('error')], {
      description: 'Ungrouped: ok = stored, error = given up on after the last try (dead letter)',
    }),
  ),
  campaign_id: Type.Optional(Type.String({ description: 'Grouped' })),
  interaction_type: Type.Optional(Type.String({ description: 'Grouped' })),
  count: Type.Integer(),
});
export type StatsItem = Static<typeof StatsItem>;

export const Stats = Type.Object({
  items: Type.Array(StatsItem, {
    description:
      'Ungrouped: messages per day of receipt and outcome. Grouped: interactions per day they happened, campaign and type.',
  }),
});
