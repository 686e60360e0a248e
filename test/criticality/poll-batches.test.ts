import { describe, expect, it } from 'vitest';
import { batchedReads } from '../../src/services/criticality/poll-batches.js';

describe('batchedReads', () => {
  it('answers each key from a read that started after it was asked, sharing reads while others wait', async () => {
    const reads: string[][] = [];
    const release: (() => void)[] = [];
    let version = 0;
    const read = batchedReads(async (keys: string[]) => {
      reads.push(keys);
      const seen = version;
      await new Promise<void>((r) => release.push(r));
      return new Map(keys.map((k) => [k, `${k}@${seen}`]));
    }, 1);
    const first = read('a');
    version = 1;
    const later = [read('b'), read('a'), read('b')];
    expect(reads).toEqual([['a']]);
    release.shift()!();
    await first;
    await Promise.resolve();
    expect(reads).toEqual([['a'], ['b', 'a']]);
    release.shift()!();
    expect(await first).toBe('a@0');
    expect(await Promise.all(later)).toEqual(['b@1', 'a@1', 'b@1']);
  });

  it('fails every poll of a batch whose read failed, and keeps serving', async () => {
    let fail = true;
    const read = batchedReads(async (keys: string[]) => {
      if (fail) throw new Error('database down');
      return new Map(keys.map((k) => [k, k]));
    }, 2);
    await expect(read('a')).rejects.toThrow('database down');
    fail = false;
    expect(await read('a')).toBe('a');
  });
});
