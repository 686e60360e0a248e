import type { Storage } from '../../platform/storage/storage.js';

export const NOT_MP4 = 'video_file is not an MP4 video (its bytes do not start with an ftyp box)';

/** The first bytes of an ISO base media file: a box size, then "ftyp". The content type is only the client's word. */
export function checkMp4Head(head: Buffer): string | undefined {
  if (head.length < 12 || head.subarray(4, 8).toString('latin1') !== 'ftyp') return NOT_MP4;
  const size = head.readUInt32BE(0);
  if (size !== 0 && size < 16) return NOT_MP4;
  return undefined;
}

async function readAt(storage: Storage, key: string, start: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of storage.read(key, { start, end: start + length - 1 }))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Walks the stored file's top-level boxes (a few small reads, whatever its size): they must
 * tile the file exactly and hold a moov, or it is cut short (an interrupted copy) or not MP4
 * past its first bytes. Why it is refused, or nothing.
 */
export async function checkMp4Boxes(
  storage: Storage,
  key: string,
  bytes: number,
): Promise<string | undefined> {
  const seen = new Set<string>();
  let at = 0;
  for (let boxes = 0; at < bytes; boxes++) {
    if (boxes > 10_000 || bytes - at < 8) return truncated;
    const header = await readAt(storage, key, at, Math.min(16, bytes - at));
    let size = header.readUInt32BE(0);
    const type = header.subarray(4, 8).toString('latin1');
    if (!/^[\x20-\x7e]{4}$/.test(type))
      return `video_file is not a valid MP4 video (an unreadable box at byte ${at})`;
    if (size === 1) {
      if (header.length < 16) return truncated;
      size = Number(header.readBigUInt64BE(8));
    } else if (size === 0) size = bytes - at;
    if (size < 8) return `video_file is not a valid MP4 video (a box of ${size} bytes at byte ${at})`;
    if (at + size > bytes) return truncated;
    seen.add(type);
    at += size;
  }
  if (!seen.has('moov')) return 'video_file is not a playable MP4 video: it has no moov box (its index)';
  return undefined;
}

const truncated = 'video_file is a truncated MP4 video: its last box runs past the end of the file';
