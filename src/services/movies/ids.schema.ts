import { Type } from 'typebox';

/**
 * Ids are PostgreSQL bigints handed out from 1; the bound is what a JSON number holds exactly,
 * so an id beyond it is a 400, not a row looked up by a rounded number.
 */
export const Id = (description: string) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description, examples: [1] });

export const IdParams = Type.Object({ id: Id('Its id') });
