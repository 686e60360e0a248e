import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange } from '../../src/platform/http/files.js';
import { checkKey, localStorage, TooLargeError, type Storage } from '../../src/platform/storage/storage.js';

describe('local storage', () => {
  let root: string;
  let storage: Storage;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'crucible-storage-'));
    storage = localStorage(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const listAll = async () => (await readdir(root, { recursive: true })).sort();

  it('stores a stream under its key, and reads it whole or by range', async () => {
    expect(await storage.put('videos/1/original.mp4', Readable.from(['0123', '456789']))).toEqual({
      bytes: 10,
    });
    expect((await storage.stat('videos/1/original.mp4'))?.bytes).toBe(10);
    expect(await text(storage.read('videos/1/original.mp4'))).toBe('0123456789');
    expect(await text(storage.read('videos/1/original.mp4', { start: 2, end: 4 }))).toBe('234');
  });

  it('replaces a file whole', async () => {
    await storage.put('a.txt', Readable.from(['first version']));
    await storage.put('a.txt', Readable.from(['second']));
    expect(await text(storage.read('a.txt'))).toBe('second');
  });

  it('refuses a file over the limit and leaves nothing behind', async () => {
    const before = await listAll();
    await expect(
      storage.put('big.bin', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(await listAll()).toEqual(before);
    expect(await storage.stat('big.bin')).toBeUndefined();
  });

  it('leaves nothing behind when the source fails midway', async () => {
    const before = await listAll();
    async function* broken() {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await expect(storage.put('broken.bin', Readable.from(broken()))).rejects.toThrow('client went away');
    expect(await listAll()).toEqual(before);
  });

  it('removes files, and a missing one quietly; says a missing file is missing', async () => {
    await storage.put('gone.txt', Readable.from(['x']));
    await storage.remove('gone.txt');
    await storage.remove('gone.txt');
    expect(await storage.stat('gone.txt')).toBeUndefined();
    expect(await storage.stat('videos')).toBeUndefined(); // a directory is not a file
  });

  it('refuses keys that would leave the root or hide', () => {
    for (const key of ['../etc/passwd', '/etc/passwd', 'a/../../b', '.hidden', 'a/.x', 'a//b', '', 'a b'])
      expect(() => checkKey(key), key).toThrow('invalid storage key');
    expect(checkKey('videos/0f/clip-1.processed.mp4')).toBe('videos/0f/clip-1.processed.mp4');
  });
});

describe('Range headers', () => {
  it('read one range in each of its forms', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('send the whole file for no range, other units, several ranges or nonsense', () => {
    for (const header of [undefined, '', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=a-b'])
      expect(parseRange(header, 1000), String(header)).toBeUndefined();
  });

  it('find no byte past the end, nor in a backwards range or an empty file', () => {
    expect(parseRange('bytes=1000-', 1000)).toBeNull();
    expect(parseRange('bytes=5-2', 1000)).toBeNull();
    expect(parseRange('bytes=-0', 1000)).toBeNull();
    expect(parseRange('bytes=0-', 0)).toBeNull();
  });
});
