import { describe, expect, it } from 'vitest';
import { canonicalInstant, parseDay, parseInstant } from '../../src/services/tracking/time.js';

const iso = (text: string) => parseInstant(text)?.toISOString();

describe('parseInstant', () => {
  it('takes what toISOString writes, as it is', () => {
    expect(iso('2026-11-24T00:51:02.123Z')).toBe('2026-11-24T00:51:02.123Z');
    expect(iso('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(iso('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    expect(iso('0001-01-01T00:00:00.000Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(iso('0099-12-31T23:59:59.999Z')).toBe('0099-12-31T23:59:59.999Z');
  });

  it('refuses days, months and hours that do not exist, in that same shape', () => {
    for (const text of [
      '2026-02-30T00:00:00.000Z',
      '2025-02-29T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-02-28T24:00:00.000Z',
      '2026-01-01T00:60:00.000Z',
      '0000-01-01T00:00:00.000Z',
    ]) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });

  it('takes other ISO-8601 forms with a zone, and refuses a time without one', () => {
    expect(iso('2026-11-24T01:51:02+01:00')).toBe('2026-11-24T00:51:02.000Z');
    expect(iso('2026-11-24 00:51z')).toBe('2026-11-24T00:51:00.000Z');
    expect(iso('2026-11-24T00:51:02.123456789-0230')).toBe('2026-11-24T03:21:02.123Z');
    expect(parseInstant('2026-11-24T00:51:02.123')).toBeUndefined();
    expect(parseInstant('2026-02-30T00:00:00+00:00')).toBeUndefined();
    expect(parseInstant('yesterday')).toBeUndefined();
  });

  it('canonicalInstant: toISOString text as it is, other forms rewritten, invalid ones refused', () => {
    expect(canonicalInstant('2026-11-24T00:51:02.123Z')).toBe('2026-11-24T00:51:02.123Z');
    expect(canonicalInstant('0099-01-01T00:00:00.000Z')).toBe('0099-01-01T00:00:00.000Z');
    expect(canonicalInstant('2026-11-24T01:51:02+01:00')).toBe('2026-11-24T00:51:02.000Z');
    expect(canonicalInstant('2026-02-30T00:00:00.000Z')).toBeUndefined();
    expect(canonicalInstant('2026-11-24T00:51:02')).toBeUndefined();
  });

  it('parseDay takes calendar days only', () => {
    expect(parseDay('2024-02-29')).toBe('2024-02-29');
    expect(parseDay('2025-02-29')).toBeUndefined();
    expect(parseDay('2025-2-1')).toBeUndefined();
  });
});
