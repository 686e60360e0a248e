import { Type, type Static } from 'typebox';
import { MAX_APP_NAME } from './auth.js';

const EXAMPLE_AT = '2017-07-21T17:32:28Z';

export const AppHeaders = Type.Object({
  'App-name': Type.Optional(
    Type.String({
      maxLength: MAX_APP_NAME,
      description:
        'Required: the calling app (App_name is read too). Missing or empty: 400 "Falta el encabezado App-name"',
      examples: ['secapp01'],
    }),
  ),
});

export const StateChange = Type.Object(
  {
    current_status: Type.Integer({
      minimum: -2147483648,
      maximum: 2147483647,
      description: 'The criticality level, for example 1 to 5',
      examples: [5],
    }),
    Change_at: Type.String({
      maxLength: 64,
      description:
        'When the level changed: any ISO 8601 date-time; without an offset it is UTC. Stored in UTC, to the microsecond',
      examples: [EXAMPLE_AT],
    }),
  },
  { additionalProperties: false },
);
export type StateChange = Static<typeof StateChange>;

export const Processed = Type.Object({
  processed_id: Type.Integer({
    description: 'Number of this POST, increasing over all POSTs',
    examples: [1],
  }),
});

export const Delivery = Type.Object(
  {
    current_status: Type.Optional(Type.Integer({ examples: [5] })),
    status_change_id: Type.Optional(
      Type.Integer({ description: 'The processed_id of the state delivered', examples: [1] }),
    ),
    Change_at: Type.Optional(
      Type.String({
        description: 'UTC, YYYY-MM-DDTHH:MM:SSZ; fractional seconds only when they were sent',
        examples: [EXAMPLE_AT],
      }),
    ),
  },
  {
    description: 'The latest state, when this app has not been given it yet; else {}',
    examples: [{ current_status: 5, status_change_id: 1, Change_at: EXAMPLE_AT }, {}],
  },
);
export type Delivery = Static<typeof Delivery>;
