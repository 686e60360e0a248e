import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError } from '../errors.js';

/**
 * Text every route refuses, wherever it comes: a NUL (PostgreSQL cannot store one in text), bytes
 * that are not UTF-8, and lone surrogates (a JSON escape can spell one; no encoder can write it).
 * Checked once here for every route, so no route has to remember, and none reaches the database.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why `bytes` is not text a route may take, or nothing. */
function textFault(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return 'contains a NUL byte';
  try {
    utf8.decode(bytes);
  } catch {
    return 'is not valid UTF-8';
  }
  return undefined;
}

/** Bytes of a URL part: percent escapes decoded, other characters as the latin1 bytes Node read. */
function urlBytes(part: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(part.slice(i + 1, i + 3))) {
      out.push(parseInt(part.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

function checkUrl(url: string, params: unknown): void {
  const q = url.indexOf('?');
  const pathFault = textFault(urlBytes(q < 0 ? url : url.slice(0, q))!);
  if (pathFault) {
    // The router has decoded the parameters (it refuses bytes that are not UTF-8 itself).
    const [name] =
      Object.entries(params ?? {}).find(([k, v]) => k !== '*' && String(v).includes('\u0000')) ?? [];
    throw new BadRequestError(`${name ? `params.${name}` : 'The path'} ${pathFault}`);
  }
  if (q < 0) return;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const keyFault = textFault(urlBytes(key)!);
    if (keyFault) throw new BadRequestError(`A query parameter name ${keyFault}`);
    const valueFault = eq < 0 ? undefined : textFault(urlBytes(pair.slice(eq + 1))!);
    if (valueFault) throw new BadRequestError(`query.${safeName(key)} ${valueFault}`);
  }
}

/** A name fit to quote in a detail: decoded, and cut short. */
function safeName(key: string): string {
  try {
    return decodeURIComponent(key.replaceAll('+', ' ')).slice(0, 100);
  } catch {
    return key.slice(0, 100);
  }
}

function checkHeaders(request: FastifyRequest): void {
  const raw = request.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    // Node reads a header value as latin1, one character per byte: the bytes come back intact.
    const fault = textFault(Buffer.from(raw[i + 1]!, 'latin1'));
    if (fault) throw new BadRequestError(`Header ${raw[i]!.slice(0, 100)} ${fault}`);
  }
}

// In unicode mode a surrogate pair is one code point, so \p{Cs} matches only a lone half.
// eslint-disable-next-line no-control-regex -- finding a NUL is the point
const BAD_CHAR = /[\u0000\p{Cs}]/u;

/**
 * Deeper than any body a route takes, shallow enough that nothing recursing over a body (schema
 * checks, JSON.stringify, the logger) can run out of stack on it.
 */
export const MAX_BODY_DEPTH = 32;

/** Refuses the first string (key or value) of a parsed body that is not text, walked without recursion. */
function checkBody(body: unknown): void {
  const stack: [unknown, string, number][] = [[body, 'body', 0]];
  while (stack.length) {
    const [value, at, depth] = stack.pop()!;
    if (typeof value === 'string') {
      const bad = BAD_CHAR.exec(value);
      if (bad) {
        const why =
          bad[0] === '\u0000'
            ? 'contains a NUL character'
            : 'holds a lone surrogate, which is not Unicode text';
        throw new BadRequestError(`${at} ${why}`);
      }
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH)
      throw new BadRequestError(`The body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${at}[${i}]`, depth + 1]));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (BAD_CHAR.test(key)) throw new BadRequestError(`${at} has a field name that is not text`);
      stack.push([item, `${at}.${key}`, depth + 1]);
    }
  }
}

const PROBLEM_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * A request Node cannot parse (a NUL in a header, a URL over 16 KB) never reaches Fastify; it gets
 * the same problem answer as any other refusal instead of Fastify's bare JSON.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = PROBLEM_STATUS[error.code ?? ''] ?? 400;
  const detail =
    status === 431
      ? 'The request line and headers exceed 16 KB; send long values in a body'
      : status === 408
        ? 'The request took too long to arrive'
        : `The request is not valid HTTP (${error.code ?? error.message})`;
  const body = JSON.stringify({ type: 'about:blank', title: http.STATUS_CODES[status], status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Installs the checks on every route of `app`: URL and headers first, then the parsed body. */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    checkUrl(request.raw.url ?? '', request.params);
    checkHeaders(request);
  });
  // Invalid UTF-8 in a JSON body would be decoded to U+FFFD and stored as if sent; refuse it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new BadRequestError('The body is not valid UTF-8'), undefined);
    }
    parseJson(request, text, done);
  });
  app.addHook('preValidation', async (request) => checkBody(request.body));
}
