import { describe, expect, it } from 'vitest';
import { WechatPacer } from '../../../../src/adapters/channels/wechat/limiter.js';

describe('WechatPacer', () => {
  it('lets one message go every interval overall, plus the jitter drawn after it', () => {
    const draws = [0, 0.5, 0.999];
    const pacer = new WechatPacer({ intervalMs: 1500, jitterMs: 300, random: () => draws.shift() ?? 0 });
    expect(pacer.reserve(10_000)).toBe(0);
    // Any chat: the slot is the account's.
    expect(pacer.reserve(10_000)).toBe(1500);
    expect(pacer.reserve(11_499)).toBe(1);
    expect(pacer.reserve(11_500)).toBe(0);
    // Jitter 0.5 × 300 = 150.
    expect(pacer.reserve(13_000)).toBe(150);
    expect(pacer.reserve(13_150)).toBe(0);
    expect(pacer.nextSlotAt).toBe(13_150 + 1500 + 299);
  });

  it('takes nothing when it answers a wait', () => {
    const pacer = new WechatPacer({ intervalMs: 1500, random: () => 0 });
    pacer.reserve(0);
    for (let i = 0; i < 5; i++) expect(pacer.reserve(1000)).toBe(500);
    expect(pacer.reserve(1500)).toBe(0);
  });

  it('stays at least the interval apart however the jitter falls', () => {
    let t = 0;
    let last = Number.NEGATIVE_INFINITY;
    const pacer = new WechatPacer({ intervalMs: 1500, jitterMs: 300 });
    for (let sent = 0; sent < 200; ) {
      const wait = pacer.reserve(t);
      if (wait === 0) {
        expect(t - last).toBeGreaterThanOrEqual(1500);
        expect(t - last === Number.POSITIVE_INFINITY || t - last < 1800 + 1).toBe(true);
        last = t;
        sent += 1;
      }
      t += wait === 0 ? 1 : wait;
    }
  });

  it('gives a slot back', () => {
    const pacer = new WechatPacer({ intervalMs: 1500, random: () => 0 });
    const before = pacer.nextSlotAt;
    expect(pacer.reserve(0)).toBe(0);
    pacer.restore(before);
    expect(pacer.reserve(1)).toBe(0);
  });

  it('does not pace at all at interval 0 (tests), and refuses negative settings', () => {
    const pacer = new WechatPacer({ intervalMs: 0 });
    for (let i = 0; i < 10; i++) expect(pacer.reserve(0)).toBe(0);
    expect(() => new WechatPacer({ intervalMs: -1 })).toThrow(RangeError);
    expect(() => new WechatPacer({ intervalMs: 1, jitterMs: Number.NaN })).toThrow(RangeError);
  });
});
