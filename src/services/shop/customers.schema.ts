import { Type, type Static } from 'typebox';

export const CustomerFields = {
  document: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'Identity document number',
  }),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  birth_date: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
  email: Type.String({ format: 'email', maxLength: 320 }),
  phone: Type.String({ minLength: 1, maxLength: 32 }),
};

export const CustomerCreate = Type.Object(CustomerFields, { additionalProperties: false });
export type CustomerCreate = Static<typeof CustomerCreate>;

export const CustomerUpdate = Type.Partial(Type.Object({ ...CustomerFields, is_active: Type.Boolean() }), {
  additionalProperties: false,
  minProperties: 1,
});
export type CustomerUpdate = Static<typeof CustomerUpdate>;

export const Customer = Type.Object(
  { id: Type.String({ format: 'uuid' }), ...CustomerFields, is_active: Type.Boolean() },
  { $id: 'Customer' },
);
export type Customer = Static<typeof Customer>;
