import { Type, type Static } from 'typebox';
import { MAX_APP_NAME } from './auth.js';

/** Printable ASCII without spaces at either end: a name any HTTP client can send as a header. */
const NAME_PATTERN = '^[!-~]([ -~]*[!-~])?$';

const Name = Type.String({
  minLength: 1,
  maxLength: MAX_APP_NAME,
  pattern: NAME_PATTERN,
  description: 'The App-name the app sends: printable ASCII',
  examples: ['secapp01'],
});

export const AppCreate = Type.Object({ name: Name }, { additionalProperties: false });
export type AppCreate = Static<typeof AppCreate>;

export const AppParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: MAX_APP_NAME }) });

const At = Type.String({ format: 'date-time' });
const MaybeAt = Type.Union([At, Type.Null()]);

const EXAMPLE_INFO = {
  name: 'secapp01',
  created_at: '2026-12-06T18:00:00.000Z',
  rotated_at: null,
  revoked_at: null,
  active: true,
};

export const AppInfo = Type.Object(
  {
    name: Type.String({ examples: ['secapp01'] }),
    created_at: At,
    rotated_at: MaybeAt,
    revoked_at: MaybeAt,
    active: Type.Boolean({ description: 'False once revoked: then the app name is refused with any token' }),
  },
  { examples: [EXAMPLE_INFO] },
);
export type AppInfo = Static<typeof AppInfo>;

const EXAMPLE_TOKEN = 'q3Vx1hG2mZsQ0c1tX8y7b2a5LkZb3n0pR4s6u8w9yA4';

export const AppWithToken = Type.Object(
  {
    ...AppInfo.properties,
    token: Type.String({
      description: 'Shown this once: only its SHA-256 digest is kept. Send it as the token header',
      examples: [EXAMPLE_TOKEN],
    }),
  },
  { examples: [{ ...EXAMPLE_INFO, token: EXAMPLE_TOKEN }] },
);
export type AppWithToken = Static<typeof AppWithToken>;

export const AppList = Type.Object(
  { items: Type.Array(AppInfo) },
  {
    examples: [
      {
        items: [
          EXAMPLE_INFO,
          { ...EXAMPLE_INFO, name: 'secapp02', active: false, revoked_at: '2026-12-06T19:00:00.000Z' },
        ],
      },
    ],
  },
);
