import { InvalidArgumentError } from 'commander';

/** A flag's parser for a whole number from `min` to `max`, with the range in its error. */
export const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value.replaceAll('_', ''));
  if (!/^\d[\d_]*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be an integer from ${min} to ${max.toLocaleString('en-US')}`);
  return n;
};

/** The sizes `crucible eval movies` and `crucible seed movies` generate a catalogue of. */
export const catalogueFlags = {
  movies: integer(1, 1_000_000),
  users: integer(1, 10_000_000),
  ratings: integer(0, 100_000_000),
  seed: integer(0, 2 ** 32 - 1),
};
