import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError, HttpError, UnprocessableError } from '../errors.js';
import { TooLargeError, type Storage } from '../storage/storage.js';

export interface UploadSpec {
  /** The multipart field that carries the file. */
  file: string;
  /** Text fields that must be present. Others are ignored. */
  fields: string[];
  maxBytes: number;
  /** Where the file goes in storage. */
  key: string;
  /**
   * Looks at the file's first bytes (up to 64) before anything is stored, and returns why it is
   * refused (a 400), or nothing to accept it. A content type is only the client's word.
   */
  check?(head: Buffer, file: { filename: string; mimetype: string }): string | undefined;
}

export interface Upload {
  fields: Record<string, string>;
  file: { key: string; bytes: number; filename: string; mimetype: string };
}

const HEAD_BYTES = 64;

/**
 * The route schema's `body` for an upload, so the OpenAPI document shows the form (Swagger UI
 * offers a file picker). It documents only; `receiveUpload` enforces it.
 */
export function uploadBody(spec: Pick<UploadSpec, 'file' | 'fields' | 'maxBytes'>, about = 'the file') {
  const properties: Record<string, object> = {
    [spec.file]: {
      type: 'string',
      format: 'binary',
      description: `${about}, at most ${spec.maxBytes} bytes`,
    },
  };
  for (const name of spec.fields) properties[name] = { type: 'string' };
  return {
    content: {
      'multipart/form-data': {
        schema: { type: 'object', required: [spec.file, ...spec.fields], properties },
      },
    },
  };
}

/**
 * Lets the routes of the calling scope (a service's) take multipart/form-data; the other routes
 * keep answering 415 to it. Parts are read as streams by `receiveUpload`, which sets each route's
 * file size limit.
 */
export async function acceptUploads(scope: FastifyInstance): Promise<void> {
  await scope.register(multipart, { limits: { fields: 50, fieldSize: 64 * 1024, parts: 100 } });
}

/**
 * The file's bytes, held back until its first ones were seen and `check` accepted them. Lazy: it
 * reads nothing until the storage does, so a refusal always reaches the storage's pipeline.
 */
async function* inspectHead(
  source: AsyncIterable<Buffer>,
  check: (head: Buffer) => string | undefined,
): AsyncGenerator<Buffer> {
  let held: Buffer[] | undefined = [];
  let seen = 0;
  const judged = () => {
    const refusal = check(Buffer.concat(held!));
    if (refusal) throw new BadRequestError(refusal);
    const chunks = held!;
    held = undefined;
    return chunks;
  };
  for await (const chunk of source) {
    if (!held) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    seen += chunk.length;
    if (seen >= HEAD_BYTES) yield* judged();
  }
  if (held && seen > 0) yield* judged();
}

/**
 * Receives a multipart/form-data upload: streams its one file to storage (never whole in memory),
 * refusing it by its first bytes, its size or its absence, and collects the text fields, in
 * whatever order the parts come. Whatever fails, no file is left behind.
 */
export async function receiveUpload(
  request: FastifyRequest,
  storage: Storage,
  spec: UploadSpec,
): Promise<Upload> {
  if (!request.isMultipart())
    throw new HttpError(415, 'Unsupported Media Type', 'Send the upload as multipart/form-data');
  const fields: Record<string, string> = {};
  let file: Upload['file'] | undefined;
  try {
    // One byte over the limit lets the storage see the excess and refuse the file whole.
    const parts = request.parts({ limits: { fileSize: spec.maxBytes + 1, files: 1 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== spec.file) {
        part.file.resume();
        throw new UnprocessableError(`body.${part.fieldname} is not an allowed file field`);
      }
      const meta = { filename: part.filename, mimetype: part.mimetype };
      const body = spec.check
        ? Readable.from(inspectHead(part.file, (head) => spec.check!(head, meta)))
        : part.file;
      const { bytes } = await storage.put(spec.key, body, { maxBytes: spec.maxBytes });
      file = { key: spec.key, bytes, ...meta };
      if (bytes === 0) throw new BadRequestError(`body.${spec.file} is empty`);
    }
  } catch (err) {
    if (file) await storage.remove(file.key);
    if (err instanceof TooLargeError)
      throw new HttpError(
        413,
        'Content Too Large',
        `body.${spec.file} is larger than ${spec.maxBytes} bytes`,
      );
    throw err;
  }
  if (!file) throw new UnprocessableError(`body.${spec.file} is required`);
  const missing = spec.fields.find((name) => fields[name] === undefined);
  if (missing) {
    await storage.remove(file.key);
    throw new UnprocessableError(`body.${missing} is required`);
  }
  return { fields, file };
}
