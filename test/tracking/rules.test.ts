import { describe, expect, it } from 'vitest';
import { checkStored, receivedDay } from '../../src/services/tracking/interactions.rules.js';
import { toEvent } from '../../src/services/tracking/interactions.service.js';

const ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const PUBLISHED = new Date('2026-11-24T09:00:00.000Z');
const RECEIVED = '2026-11-24T10:00:01.000Z';
const input = {
  interaction_type: 'view' as const,
  target_element_id: 'banner-7',
  target_element_type: 'banner',
  campaign_id: 'summer',
};

describe('events in the compact form', () => {
  it('carry no campaign and no timestamp when it is the received time', () => {
    const event = toEvent(ID, input, RECEIVED);
    expect(event).toEqual({ id: ID, key: 'summer', data: ['view', 'banner-7', 'banner', RECEIVED] });
    expect(checkStored(event.id, event.key, event.data, PUBLISHED)).toEqual({
      ok: true,
      value: { id: ID, ...input, occurred_at: RECEIVED, received_at: RECEIVED },
    });
  });

  it('carry a timestamp the client sent, stored in its canonical form', () => {
    const event = toEvent(ID, { ...input, timestamp: new Date('2025-09-14T12:30:00+02:00') }, RECEIVED);
    expect(event.data).toEqual(['view', 'banner-7', 'banner', RECEIVED, '2025-09-14T10:30:00.000Z']);
    const checked = checkStored(event.id, event.key, event.data, PUBLISHED);
    expect(checked.ok && checked.value.occurred_at).toBe('2025-09-14T10:30:00.000Z');
  });

  it('are refused, with the reason, when a field is wrong', () => {
    const bad = (data: unknown) => {
      const checked = checkStored(ID, 'summer', data, PUBLISHED);
      return checked.ok ? 'stored' : checked.error;
    };
    expect(bad(['tap', 'b', 'banner', RECEIVED])).toMatch(/Invalid interaction type: tap/);
    expect(bad(['view', '', 'banner', RECEIVED])).toMatch(/Target element ID cannot be empty/);
    expect(bad(['view', 'b', 'banner', 'noon'])).toMatch(/Invalid received_at: noon/);
    expect(bad(['view', 'b', 'banner', RECEIVED, 'noon'])).toMatch(/Invalid timestamp: noon/);
    expect(checkStored(ID, '', ['view', 'b', 'banner', RECEIVED], PUBLISHED)).toEqual({
      ok: false,
      error: `event ${ID}: Campaign ID cannot be empty`,
    });
    expect(bad('not an interaction')).toMatch(/neither \[type, element id, .*\] nor an object/);
    expect(bad(['view', 'b', 'banner'])).toMatch(/neither \[type/);
  });

  it('give the day they were received, or else the day they were published', () => {
    expect(receivedDay('summer', ['view', 'b', 'banner', '2024-03-02T08:00:00.000Z'], PUBLISHED)).toBe(
      '2024-03-02',
    );
    expect(receivedDay('summer', 'garbage', PUBLISHED)).toBe('2026-11-24');
  });
});

describe('events in the object form of earlier versions', () => {
  const legacy = { ...input, timestamp: '2025-09-14T10:30:00Z', received_at: RECEIVED };

  it('are still stored, the campaign taken from the data', () => {
    const checked = checkStored(ID, 'ignored', legacy, PUBLISHED);
    expect(checked).toEqual({
      ok: true,
      value: { id: ID, ...input, occurred_at: '2025-09-14T10:30:00.000Z', received_at: RECEIVED },
    });
    expect(receivedDay('ignored', legacy, PUBLISHED)).toBe('2026-11-24');
  });

  it('fall back to the publish time without received_at, but never without a timestamp', () => {
    const { received_at: _, ...noReceived } = legacy;
    const checked = checkStored(ID, 'k', noReceived, PUBLISHED);
    expect(checked.ok && checked.value.received_at).toBe(PUBLISHED.toISOString());
    const { timestamp: __, ...neither } = noReceived;
    const refused = checkStored(ID, 'k', neither, PUBLISHED);
    expect(refused.ok ? 'stored' : refused.error).toMatch(/Invalid timestamp/);
  });
});
