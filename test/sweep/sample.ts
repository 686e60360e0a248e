import { randomUUID } from 'node:crypto';

/** A JSON Schema as the OpenAPI document states it (only the keywords the sampler reads). */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minProperties?: number;
  nullable?: boolean;
  example?: unknown;
  examples?: unknown[];
  $ref?: string;
}

type Resolve = (schema: Schema) => Schema;

const FORMATS: Record<string, () => string> = {
  uuid: () => randomUUID(),
  date: () => '1990-05-17',
  'date-time': () => '2025-09-14T10:00:00Z',
  email: () => 'sweep@example.com',
  uri: () => 'https://example.com/',
};

/**
 * A value the schema accepts, so that a variant changing one field reaches the code behind the
 * validation instead of failing on a neighbour. Objects get their required fields (or, with none
 * required, the first one, as `minProperties` wants).
 */
export function sample(schema: Schema, resolve: Resolve): unknown {
  const s = resolve(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.example !== undefined) return s.example;
  if (s.examples?.length) return s.examples[0];
  const branch = s.anyOf ?? s.oneOf;
  if (branch) return sample(branch[0]!, resolve);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((part) => sample(part, resolve)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = s.properties ?? {};
      const names = s.required?.length ? s.required : Object.keys(props).slice(0, 1);
      return Object.fromEntries(names.map((name) => [name, sample(props[name] ?? {}, resolve)]));
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}, resolve));
    case 'integer':
    case 'number':
      return s.default ?? Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 1, 1));
    case 'boolean':
      return true;
    case 'string':
    default: {
      if (s.format && FORMATS[s.format]) return FORMATS[s.format]!();
      if (s.pattern && /\[0-9a-fA-F\]\{8\}/.test(s.pattern)) return randomUUID();
      return 'sweep'.padEnd(s.minLength ?? 1, 'x').slice(0, s.maxLength ?? 255);
    }
  }
}
