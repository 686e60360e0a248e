import { describe, expect, it } from 'vitest';
import {
  judgeDeliveries,
  type PollRecord,
  type PostRecord,
} from '../../src/scenarios/criticality/verdict.js';

const stored = (
  processedId: number,
  sentAt: number,
  answeredAt: number,
  changeAtMs = sentAt,
): PostRecord => ({
  sentAt,
  answeredAt,
  outcome: 'stored',
  processedId,
  changeAtMs,
});
const poll = (sentAt: number, answeredAt: number, delivered?: number, consumer = 0): PollRecord => ({
  consumer,
  sentAt,
  answeredAt,
  ok: true,
  ...(delivered === undefined ? {} : { delivered }),
});

describe('judging deliveries from what the clients recorded', () => {
  it('passes a consumer given the latest state in its window, once', () => {
    const v = judgeDeliveries([stored(1, 0, 10)], [poll(20, 25, 1), poll(30, 35)]);
    expect(v).toMatchObject({ pass: true, duplicates: 0, missed: 0, pollsChecked: 2, pairsChecked: 1 });
  });

  it('counts a miss: polled while the state was surely latest and not given it', () => {
    const v = judgeDeliveries([stored(1, 0, 10)], [poll(20, 25)]);
    expect(v).toMatchObject({ pass: false, missed: 1 });
  });

  it('does not count a poll sent before the POST was answered, or answered after the next was sent', () => {
    const posts = [stored(1, 0, 10), stored(2, 24, 30)];
    const v = judgeDeliveries(posts, [poll(8, 12), poll(20, 25), poll(40, 45, 2)]);
    expect(v).toMatchObject({ pass: true, missed: 0, pollsChecked: 1, pairsChecked: 1 });
  });

  it('counts a state given twice to one consumer, not to two', () => {
    const posts = [stored(1, 0, 10)];
    expect(judgeDeliveries(posts, [poll(20, 25, 1), poll(30, 35, 1)]).duplicates).toBe(1);
    expect(judgeDeliveries(posts, [poll(20, 25, 1, 0), poll(20, 25, 1, 1)])).toMatchObject({
      pass: true,
      duplicates: 0,
    });
  });

  it('follows the tie rule: an older Change_at never becomes the latest', () => {
    const posts = [stored(1, 0, 10, 100), stored(2, 20, 30, 50)];
    expect(judgeDeliveries(posts, [poll(40, 45, 1)]).pass).toBe(true);
    expect(judgeDeliveries(posts, [poll(40, 45, 2)])).toMatchObject({ wrongState: 1, missed: 1 });
  });

  it('leaves the state uncertain after a POST without an answer, until a later one is answered', () => {
    const unknown: PostRecord = { sentAt: 30, answeredAt: 40, outcome: 'unknown', changeAtMs: 30 };
    const posts = [stored(1, 0, 10), unknown];
    expect(judgeDeliveries(posts, [poll(20, 25, 1), poll(50, 55)])).toMatchObject({ pollsChecked: 1 });
    const later = [...posts, stored(3, 60, 70)];
    expect(judgeDeliveries(later, [poll(20, 25, 1), poll(50, 55), poll(80, 85)])).toMatchObject({
      missed: 1,
      pollsChecked: 2,
    });
  });

  it('lets concurrent pollers of one app rely on a delivery made while they were in flight', () => {
    const v = judgeDeliveries([stored(1, 0, 10)], [poll(20, 30, 1), poll(21, 25)]);
    expect(v).toMatchObject({ pass: true, missed: 0, duplicates: 0 });
  });

  it('fails a run where no poll could be checked', () => {
    expect(judgeDeliveries([stored(1, 0, 10)], [poll(5, 12)]).pass).toBe(false);
    expect(judgeDeliveries([], []).pass).toBe(false);
  });
});
