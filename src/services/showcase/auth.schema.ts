import { Type, type Static } from 'typebox';

const Name = (example: string) => Type.String({ minLength: 1, maxLength: 100, examples: [example] });
const Place = (example: string) =>
  Type.Union([Type.String({ maxLength: 100, examples: [example] }), Type.Null()], { examples: [example] });
const Email = Type.String({ format: 'email', maxLength: 254, examples: ['sofia.ramirez@example.com'] });
// argon2 takes any length; the ceiling only keeps a megabyte "password" from costing a hash.
const Password = Type.String({ minLength: 8, maxLength: 256, examples: ['Canasta2025!'] });

export const SignupBody = Type.Object(
  {
    first_name: Name('Sofía'),
    last_name: Name('Ramírez'),
    email: Email,
    city: Type.Optional(Place('Bogotá')),
    country: Type.Optional(Place('Colombia')),
    password1: Password,
    password2: Password,
  },
  { additionalProperties: false },
);
export type SignupBody = Static<typeof SignupBody>;

export const UserOut = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    first_name: Type.String(),
    last_name: Type.String(),
    email: Type.String(),
    city: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
  },
  {
    examples: [
      {
        id: 1,
        first_name: 'Sofía',
        last_name: 'Ramírez',
        email: 'sofia.ramirez@example.com',
        city: 'Bogotá',
        country: 'Colombia',
      },
    ],
  },
);
export type UserOut = Static<typeof UserOut>;

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254, examples: ['sofia.ramirez@example.com'] }),
    password: Type.String({ minLength: 1, maxLength: 256, examples: ['Canasta2025!'] }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const TokenOut = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds the token is valid' }),
  },
  {
    examples: [
      {
        access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.sig',
        token_type: 'bearer',
        expires_in: 3600,
      },
    ],
  },
);
