import { Type, type Static } from 'typebox';
import { Id } from './ids.schema.js';

const Name = Type.String({ minLength: 1, maxLength: 500, examples: ['Ada'] });

export const UserCreate = Type.Object({ name: Name }, { additionalProperties: false });
export type UserCreate = Static<typeof UserCreate>;

export const User = Type.Object({ id: Id('The user id'), name: Name }, { $id: 'MovieUser' });
export type User = Static<typeof User>;
