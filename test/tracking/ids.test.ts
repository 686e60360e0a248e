import { describe, expect, it } from 'vitest';
import { interactionId, isUuid, uuidV7 } from '../../src/services/tracking/interactions.service.js';

describe('interaction ids', () => {
  it('without an Idempotency-Key: a version-7 UUID whose first 48 bits are the time in ms', () => {
    const at = Date.UTC(2026, 10, 24, 1, 2, 3, 456);
    const id = uuidV7(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('later ids sort after earlier ones, so they land side by side in the primary key', () => {
    const ids = [0, 1, 2, 1000, 60_000].map((dt) => uuidV7(1_790_000_000_000 + dt));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidV7(5))).size).toBe(1000);
  });

  it('with a key: the same id every time, and a UUID key is used as it is', () => {
    expect(interactionId('order-1')).toBe(interactionId('order-1'));
    expect(interactionId('order-1')).not.toBe(interactionId('order-2'));
    expect(interactionId('order-1', 0)).not.toBe(interactionId('order-1', 1));
    const key = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
    expect(interactionId(key)).toBe(key.toLowerCase());
    expect(interactionId(undefined)[14]).toBe('7');
  });
});
