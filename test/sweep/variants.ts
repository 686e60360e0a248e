import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';
import { sample, type Schema } from './sample.js';

/** One operation of the OpenAPI document, as the sweep needs it. */
export interface Operation {
  method: string;
  path: string;
  parameters: { in: 'path' | 'query' | 'header'; name: string; required: boolean; schema: Schema }[];
  /** The media type of the body it takes, and that body's schema. */
  body?: { type: string; schema: Schema };
  statuses: Set<number>;
}

export interface Case {
  op: Operation;
  name: string;
  request: RawRequest;
  /** Input no route may take: a 4xx is the only right answer. */
  mustRefuse: boolean;
}

interface OpenApi {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}
interface RawOperation {
  parameters?: Operation['parameters'];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operations(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const [type, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: type && content ? { type, schema: content.schema } : undefined,
        statuses: new Set(Object.keys(op.responses).map(Number)),
      });
    }
  }
  return ops;
}

export function resolver(doc: OpenApi) {
  return function resolve(schema: Schema): Schema {
    const ref = schema.$ref;
    if (!ref) return schema;
    const name = ref.replace(/^#\/components\/schemas\//, '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${ref}`);
    return resolve(target);
  };
}

const MB = 1024 * 1024;

/** Text for a path, query or header value that is never valid: bytes that are not text. */
const POISON_TEXT: Record<string, string> = {
  'NUL %00': '%00',
  'NUL inside': 'a%00b',
  'invalid UTF-8 %C3%28': '%C3%28',
  'invalid UTF-8 %FF': '%FF',
  'UTF-8 of a lone surrogate': '%ED%B2%80',
  'overlong NUL %C0%80': '%C0%80',
};

const ODD_TEXT: Record<string, string> = {
  empty: '',
  '8 KB': 'a'.repeat(8 * 1024),
  '1 MB': 'a'.repeat(MB),
  negative: '-1',
  fractional: '1.5',
  'beyond a double': '1e309',
  'beyond int64': '99999999999999999999',
  'not a number': 'NaN',
  true: 'true',
  null: 'null',
  object: '%7B%7D',
  traversal: '..%2F..%2Fetc%2Fpasswd',
  slash: '%2F',
  quote: "'%3B--",
  space: '%20',
};

/** Bytes of a header value (latin1: one character per byte) that are not text. */
const POISON_HEADER: Record<string, string> = {
  NUL: 'a\u0000b',
  'invalid UTF-8 C3 28': '\u00c3(',
  'invalid UTF-8 FF': '\u00ff',
  'UTF-8 of a lone surrogate': '\u00ed\u00b2\u0080',
};

const ODD_HEADER: Record<string, string> = {
  empty: '',
  '8 KB': 'a'.repeat(8 * 1024),
  '1 MB': 'a'.repeat(MB),
  negative: '-1',
  'not a number': 'NaN',
};

/** A JSON value set in a field; `bytes` replaces the value's text with bytes that are not JSON text. */
type FieldValue =
  { value: unknown; mustRefuse: boolean } | { bytes: Buffer; mustRefuse: boolean } | 'missing';

const FIELD_VALUES: Record<string, FieldValue> = {
  'NUL inside': { value: 'a\u0000b', mustRefuse: true },
  'lone low surrogate': { value: '\udc80', mustRefuse: true },
  'lone high surrogate': { value: '\ud800x', mustRefuse: true },
  'raw NUL byte': { bytes: Buffer.from([0x22, 0x61, 0x00, 0x62, 0x22]), mustRefuse: true },
  'invalid UTF-8 C3 28': { bytes: Buffer.from([0x22, 0xc3, 0x28, 0x22]), mustRefuse: true },
  'invalid UTF-8 FF': { bytes: Buffer.from([0x22, 0xff, 0x22]), mustRefuse: true },
  'beyond a double': { bytes: Buffer.from('1e400'), mustRefuse: false },
  empty: { value: '', mustRefuse: false },
  blank: { value: '   ', mustRefuse: false },
  '10 KB': { value: 'x'.repeat(10 * 1024), mustRefuse: false },
  '1 MB': { value: 'x'.repeat(MB), mustRefuse: false },
  huge: { value: 1e308, mustRefuse: false },
  negative: { value: -1, mustRefuse: false },
  fractional: { value: 1.5, mustRefuse: false },
  'beyond 2^53': { value: 2 ** 53 + 1, mustRefuse: false },
  'beyond int64': { bytes: Buffer.from('99999999999999999999'), mustRefuse: false },
  true: { value: true, mustRefuse: false },
  null: { value: null, mustRefuse: false },
  array: { value: [], mustRefuse: false },
  object: { value: {}, mustRefuse: false },
  'number as text': { value: '1', mustRefuse: false },
  'text as number': { value: 1, mustRefuse: false },
  missing: 'missing',
};

function nested(depth: number, open: string, close: string): Buffer {
  return Buffer.from(open.repeat(depth) + close.repeat(depth));
}

/** Bodies no JSON route may take. */
const POISON_BODIES: Record<string, { body: Buffer; type?: string }> = {
  'not JSON': { body: Buffer.from('{"a":') },
  'plain words': { body: Buffer.from('not json at all') },
  'deep arrays': { body: nested(100_000, '[', ']') },
  'deep objects': { body: Buffer.from('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)) },
  'over the limit': { body: Buffer.from(`{"a":"${'x'.repeat(5 * MB)}"}`) },
  'prototype pollution': { body: Buffer.from('{"__proto__":{"polluted":true}}') },
  'constructor pollution': { body: Buffer.from('{"constructor":{"prototype":{"polluted":true}}}') },
  'as text/plain': { body: Buffer.from('{}'), type: 'text/plain' },
  'as a form': { body: Buffer.from('a=1'), type: 'application/x-www-form-urlencoded' },
  'as multipart': { body: Buffer.from('--x\r\n\r\n--x--'), type: 'multipart/form-data; boundary=x' },
  'as XML': { body: Buffer.from('<a/>'), type: 'application/xml' },
  'no content type': { body: Buffer.from('{}'), type: '' },
};

const ODD_BODIES: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'JSON null': Buffer.from('null'),
  'JSON array': Buffer.from('[]'),
  'JSON object': Buffer.from('{}'),
  'JSON text': Buffer.from('"text"'),
  'JSON number': Buffer.from('42'),
  'UTF-8 BOM': Buffer.from('\ufeff{}'),
};

type Parts = {
  path: Record<string, string>;
  query: [string, string][];
  headers: [string, string | Buffer][];
  body?: Buffer;
};

function build(op: Operation, parts: Parts): RawRequest {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => parts.path[name] ?? 'x');
  const query = parts.query.map(([k, v]) => `${k}=${v}`).join('&');
  return {
    method: op.method,
    target: path + (query ? `?${query}` : ''),
    headers: parts.headers,
    body: parts.body,
  };
}

/** Where a field sits in a body, with its schema. */
interface Field {
  path: (string | number)[];
  schema: Schema;
}

function fields(
  schema: Schema,
  resolve: (s: Schema) => Schema,
  at: (string | number)[] = [],
  depth = 0,
): Field[] {
  const s = resolve(schema);
  const branch = s.anyOf ?? s.oneOf;
  if (branch) return fields(branch[0]!, resolve, at, depth);
  if (depth > 3) return [];
  const out: Field[] = [];
  if (s.type === 'object' || s.properties) {
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      out.push({ path: [...at, name], schema: sub }, ...fields(sub, resolve, [...at, name], depth + 1));
    }
  } else if (s.type === 'array' && s.items) {
    out.push({ path: [...at, 0], schema: s.items }, ...fields(s.items, resolve, [...at, 0], depth + 1));
  }
  return out;
}

const MARK = '\u2603sweep-bytes\u2603';

/** The body with one field set (or removed), as bytes. */
function withField(base: unknown, path: (string | number)[], value: FieldValue): Buffer {
  const body = structuredClone(base) as Record<string | number, unknown>;
  let parent = body;
  for (const key of path.slice(0, -1)) {
    parent[key] ??= typeof key === 'number' ? [] : {};
    parent = parent[key] as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (value === 'missing') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
    return Buffer.from(JSON.stringify(body));
  }
  if ('value' in value) {
    parent[last] = value.value;
    return Buffer.from(JSON.stringify(body));
  }
  parent[last] = MARK;
  const [before, after] = JSON.stringify(body).split(JSON.stringify(MARK));
  return Buffer.concat([Buffer.from(before!), value.bytes, Buffer.from(after!)]);
}

/** A few arbitrary values per field and parameter, the same on every run. */
function arbitrary<T>(arb: fc.Arbitrary<T>, seed: number, count: number): T[] {
  return fc.sample(arb, { seed, numRuns: count });
}

export interface Context {
  resolve: (s: Schema) => Schema;
  /** Ids of resources that exist, by the path of their collection (`/discs`), for `{id}`. */
  ids: Map<string, string>;
  seed: number;
}

/** Every malformed variant of one operation, each changing one thing of a request that is valid. */
export function casesFor(op: Operation, ctx: Context): Case[] {
  const { resolve } = ctx;
  const collection = op.path.replace(/\/\{[^}]+\}.*$/, '');
  const text = (p: Operation['parameters'][number]) => encodeURIComponent(String(sample(p.schema, resolve)));
  const valid: Parts = { path: {}, query: [], headers: [] };
  for (const p of op.parameters) {
    if (p.in === 'path') valid.path[p.name] = (p.name === 'id' && ctx.ids.get(collection)) || text(p);
    else if (p.in === 'query' && p.required) valid.query.push([p.name, text(p)]);
    else if (p.in === 'header' && p.required) valid.headers.push([p.name, String(sample(p.schema, resolve))]);
  }
  const json = op.body?.type === 'application/json';
  const validBody = json ? sample(op.body!.schema, resolve) : undefined;
  if (op.body) {
    valid.headers.push(['content-type', op.body.type]);
    valid.body = Buffer.from(json ? JSON.stringify(validBody) : '');
  }

  const cases: Case[] = [];
  const add = (name: string, change: (parts: Parts) => void, mustRefuse: boolean) => {
    const parts: Parts = {
      path: { ...valid.path },
      query: [...valid.query],
      headers: [...valid.headers],
      body: valid.body,
    };
    change(parts);
    cases.push({ op, name, request: build(op, parts), mustRefuse });
  };
  const randomText = arbitrary(fc.string({ unit: 'grapheme', maxLength: 40 }), ctx.seed, 4).map(
    encodeURIComponent,
  );

  for (const p of op.parameters) {
    const label = `${p.in} ${p.name}`;
    if (p.in === 'header') {
      const set = (v: string) => (parts: Parts) => {
        parts.headers = parts.headers.filter(([k]) => k !== p.name);
        parts.headers.push([p.name, v]);
      };
      for (const [name, v] of Object.entries(POISON_HEADER)) add(`${label}: ${name}`, set(v), true);
      for (const [name, v] of Object.entries(ODD_HEADER)) add(`${label}: ${name}`, set(v), false);
      add(`${label}: twice`, (parts) => parts.headers.push([p.name, 'a'], [p.name, 'b']), false);
      continue;
    }
    const set = (v: string) => (parts: Parts) => {
      if (p.in === 'path') parts.path[p.name] = v;
      else parts.query = [...parts.query.filter(([k]) => k !== p.name), [p.name, v]];
    };
    for (const [name, v] of Object.entries(POISON_TEXT)) add(`${label}: ${name}`, set(v), true);
    for (const [name, v] of Object.entries(ODD_TEXT)) {
      if (p.in === 'path' && v === '') continue; // no value is another route, not a bad value
      add(`${label}: ${name}`, set(v), false);
    }
    randomText.forEach((v, i) => add(`${label}: arbitrary #${i}`, set(v), false));
    if (p.in === 'query') {
      add(`${label}: twice`, (parts) => parts.query.push([p.name, text(p)], [p.name, text(p)]), false);
      add(`${label}: as an array`, (parts) => parts.query.push([`${p.name}[]`, '1']), false);
      add(`${label}: as an object`, (parts) => parts.query.push([`${p.name}[a]`, '1']), false);
      if (p.required)
        add(`${label}: missing`, (parts) => (parts.query = parts.query.filter(([k]) => k !== p.name)), false);
    }
  }
  // What every route reads whatever it declares: its query string and its headers.
  add('unknown query parameter', (parts) => parts.query.push(['sweep_unknown', '1']), false);
  add('unknown query parameter: NUL', (parts) => parts.query.push(['sweep_unknown', '%00']), true);
  add('NUL in a query key', (parts) => parts.query.push(['%00', '1']), true);
  add('invalid UTF-8 in a query key', (parts) => parts.query.push(['%FF', '1']), true);
  add('unknown header: invalid UTF-8', (parts) => parts.headers.push(['x-sweep', '\u00ff']), true);
  add('unknown header: NUL', (parts) => parts.headers.push(['x-sweep', 'a\u0000b']), true);
  add('x-request-id: invalid UTF-8', (parts) => parts.headers.push(['x-request-id', '\u00c3(']), true);

  if (op.body) {
    const setBody = (body: Buffer, type?: string) => (parts: Parts) => {
      parts.body = body;
      if (type === undefined) return;
      parts.headers = parts.headers.filter(([k]) => k !== 'content-type');
      if (type) parts.headers.push(['content-type', type]);
    };
    for (const [name, { body, type }] of Object.entries(POISON_BODIES)) {
      if (type === op.body.type) continue;
      add(`body: ${name}`, setBody(body, type), true);
    }
    for (const [name, body] of Object.entries(ODD_BODIES)) add(`body: ${name}`, setBody(body), false);
    add('content type with another charset', setBody(valid.body!, `${op.body.type}; charset=latin1`), false);
  }
  if (json) {
    const top = resolve(op.body!.schema);
    if (top.type === 'object') {
      add('body: unknown field', setBodyTo({ ...(validBody as object), sweep_unknown: 1 }), false);
      add(
        'body: unknown field with NUL',
        setBodyTo({ ...(validBody as object), sweep_unknown: 'a\u0000' }),
        true,
      );
    }
    const randomJson = arbitrary(fc.jsonValue({ maxDepth: 2 }), ctx.seed, 3);
    for (const field of fields(op.body!.schema, resolve)) {
      const label = `body ${field.path.join('.')}`;
      for (const [name, value] of Object.entries(FIELD_VALUES)) {
        const mustRefuse = value !== 'missing' && value.mustRefuse;
        add(`${label}: ${name}`, setBodyBytes(withField(validBody, field.path, value)), mustRefuse);
      }
      randomJson.forEach((value, i) =>
        add(
          `${label}: arbitrary #${i}`,
          setBodyBytes(withField(validBody, field.path, { value, mustRefuse: false })),
          false,
        ),
      );
    }
  }
  return cases;
}

function setBodyTo(value: unknown) {
  return setBodyBytes(Buffer.from(JSON.stringify(value)));
}

function setBodyBytes(body: Buffer) {
  return (parts: { body?: Buffer }) => {
    parts.body = body;
  };
}
