import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, NotFoundError } from '../errors.js';
import type { ByteRange, Storage } from '../storage/storage.js';

/**
 * The one range a `Range` header asks for, `undefined` to send the whole file (no header, another
 * unit, or several ranges, which RFC 9110 §14.2 lets a server ignore), or `null` when no byte of
 * it exists (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | null {
  const match = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match;
  if (first === '') {
    // bytes=-N: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

/**
 * Answers with a stored file, honouring one byte range (206), as video players need to seek.
 * HEAD gets the same headers without the body (Fastify's HEAD routes).
 */
export async function sendStored(
  request: FastifyRequest,
  reply: FastifyReply,
  storage: Storage,
  key: string,
  contentType: string,
): Promise<FastifyReply> {
  const info = await storage.stat(key);
  if (!info) throw new NotFoundError('File not found');
  const etag = `"${info.bytes.toString(36)}-${info.modifiedAt.getTime().toString(36)}"`;
  reply.headers({
    'accept-ranges': 'bytes',
    'content-type': contentType,
    etag,
    'last-modified': info.modifiedAt.toUTCString(),
  });
  // If-Range: a range of a file that changed since the client's copy would splice two versions.
  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const range = parseRange(rangeHeader, info.bytes);
  if (range === null) {
    throw new HttpError(416, 'Range Not Satisfiable', `The file has ${info.bytes} bytes`, {
      'content-range': `bytes */${info.bytes}`,
    });
  }
  if (!range) return reply.header('content-length', info.bytes).send(storage.read(key));
  return reply
    .code(206)
    .headers({
      'content-range': `bytes ${range.start}-${range.end}/${info.bytes}`,
      'content-length': range.end - range.start + 1,
    })
    .send(storage.read(key, range));
}
