import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FileInfo {
  bytes: number;
  modifiedAt: Date;
}

/** Bytes `start` to `end`, both included (as a Range header counts them). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where files live (uploads, processed videos): a port, so the local directory of one machine can
 * give way to object storage when several machines serve. Keys are relative paths such as
 * `videos/<id>/original.mp4`.
 */
export interface Storage {
  /** Streams `body` to `key`. The file appears whole or not at all, and replaces an older one. */
  put(key: string, body: Readable, opts?: { maxBytes?: number }): Promise<{ bytes: number }>;
  stat(key: string): Promise<FileInfo | undefined>;
  read(key: string, range?: ByteRange): Readable;
  /** Removes the file; a missing one is not an error. */
  remove(key: string): Promise<void>;
  /**
   * The file's path on this machine, for a tool that reads and writes files itself (ffmpeg);
   * undefined where the storage is not a local directory.
   */
  localPath(key: string): string | undefined;
}

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = 'TooLargeError';
  }
}

const KEY = /^[\w-][\w.-]*(\/[\w-][\w.-]*)*$/;

/** Refuses keys that could leave the storage root (`..`, absolute paths) or hide (`.name`). */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part.startsWith('.')))
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  return key;
}

function limit(maxBytes: number, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counted.bytes += chunk.length;
      done(counted.bytes > maxBytes ? new TooLargeError(maxBytes) : null, chunk);
    },
  });
}

/** Files under one local directory (by default `$DATA_DIR/files`). */
export function localStorage(root: string): Storage {
  const where = (key: string) => path.join(root, checkKey(key));
  return {
    async put(key, body, opts = {}) {
      const file = where(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written beside its final name, flushed, then renamed over it: a reader or a crash never
      // sees half a file, and the row that names it can commit after `put` returns.
      const part = `${file}.${randomUUID()}.part`;
      const counted = { bytes: 0 };
      const out = createWriteStream(part);
      try {
        await pipeline(body, limit(opts.maxBytes ?? Infinity, counted), out);
        const handle = await open(part, 'r');
        await handle.sync().finally(() => handle.close());
        await rename(part, file);
      } catch (err) {
        // pipeline rejects before the file stream has closed; an open still in flight (a busy
        // thread pool) would create the part file after a remove made now.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await rm(part, { force: true });
        throw err;
      }
      return { bytes: counted.bytes };
    },
    async stat(key) {
      const info = await stat(where(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      return info?.isFile() ? { bytes: info.size, modifiedAt: info.mtime } : undefined;
    },
    read(key, range) {
      return createReadStream(where(key), range);
    },
    async remove(key) {
      await rm(where(key), { force: true });
    },
    localPath: where,
  };
}
