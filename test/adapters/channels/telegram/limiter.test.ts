import { describe, expect, it } from 'vitest';
import { isGroupChat, TelegramRateLimiter } from '../../../../src/adapters/channels/telegram/limiter.js';

const RATES = { globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 };

/** The most events in any half-open window [t, t + length) over a sorted list of times. */
function busiestWindow(times: number[], length: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= length) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('TelegramRateLimiter', () => {
  it('tells groups (negative ids) from private chats', () => {
    expect(isGroupChat('-1001234567890')).toBe(true);
    expect(isGroupChat('-42')).toBe(true);
    expect(isGroupChat('123456')).toBe(false);
  });

  it('allows a burst of three to a private chat, then one a second, with exact waits', () => {
    const limiter = new TelegramRateLimiter(RATES);
    const t0 = 1_000_000;
    expect(limiter.reserve('7', t0)).toBe(0);
    expect(limiter.reserve('7', t0)).toBe(0);
    expect(limiter.reserve('7', t0)).toBe(0);
    expect(limiter.reserve('7', t0)).toBe(1000);
    // A wait takes nothing: asking again a little later gives the rest of the wait.
    expect(limiter.reserve('7', t0 + 400)).toBe(600);
    expect(limiter.reserve('7', t0 + 1000)).toBe(0);
    expect(limiter.reserve('7', t0 + 1000)).toBe(1000);
    // Another chat is not held up by this one.
    expect(limiter.reserve('8', t0 + 1000)).toBe(0);
  });

  it('paces cosmetic messages from allowance to spare: a question that follows never waits for them', () => {
    const limiter = new TelegramRateLimiter(RATES);
    const t0 = 1_000_000;
    const cosmetic = { cosmetic: true };
    // Three at once are allowed: a cosmetic one goes while it leaves one.
    expect(limiter.reserve('7', t0, cosmetic)).toBe(0);
    expect(limiter.reserve('7', t0, cosmetic)).toBe(0);
    // One left: it is kept for what matters, which takes it at once.
    expect(limiter.reserve('7', t0, cosmetic)).toBe(1000);
    expect(limiter.reserve('7', t0)).toBe(0);
    // Empty: a cosmetic one waits until the chat would have one to spare again, an ordinary one until one.
    expect(limiter.reserve('7', t0, cosmetic)).toBe(2000);
    expect(limiter.reserve('7', t0)).toBe(1000);

    // The bot as a whole: cosmetic messages leave a fifth of the global window (6 of 30) free.
    const bot = new TelegramRateLimiter({ ...RATES, privatePerSecond: 100 });
    for (let i = 0; i < 24; i++) expect(bot.reserve(`c${i}`, t0, cosmetic)).toBe(0);
    expect(bot.reserve('c99', t0 + 10, cosmetic)).toBe(990);
    for (let i = 0; i < 6; i++) expect(bot.reserve(`q${i}`, t0 + 10)).toBe(0);
    expect(bot.reserve('q9', t0 + 10)).toBe(990);
  });

  it('tells the room in the bot-wide limit without taking it', () => {
    const limiter = new TelegramRateLimiter({ ...RATES, globalPerSecond: 3 });
    const t0 = 1_000_000;
    expect(limiter.capacity(t0)).toEqual({ free: 3, waitMs: 0 });
    limiter.reserve('1', t0);
    limiter.reserve('2', t0 + 100);
    expect(limiter.capacity(t0 + 100)).toEqual({ free: 1, waitMs: 0 });
    limiter.reserve('3', t0 + 200);
    expect(limiter.capacity(t0 + 200)).toEqual({ free: 0, waitMs: 800 });
    expect(limiter.capacity(t0 + 1000)).toEqual({ free: 1, waitMs: 0 });
  });

  it('keeps a group within its limit per minute', () => {
    const limiter = new TelegramRateLimiter({ ...RATES, privatePerSecond: 100 });
    const t0 = 5_000_000;
    for (let i = 0; i < 20; i++) expect(limiter.reserve('-100', t0 + i * 100)).toBe(0);
    // The 21st waits until the first leaves the 60-second window.
    expect(limiter.reserve('-100', t0 + 2000)).toBe(58_000);
    expect(limiter.reserve('-100', t0 + 60_000)).toBe(0);
    expect(limiter.reserve('-100', t0 + 60_000)).toBe(100);
  });

  it('keeps the bot within its limit per second across chats', () => {
    const limiter = new TelegramRateLimiter({ ...RATES, globalPerSecond: 5 });
    const t0 = 9_000_000;
    for (let chat = 1; chat <= 5; chat++) expect(limiter.reserve(String(chat), t0 + chat)).toBe(0);
    expect(limiter.reserve('6', t0 + 10)).toBe(991);
    expect(limiter.reserve('6', t0 + 1001)).toBe(0);
  });

  it('counts what was charged outside reserve', () => {
    const limiter = new TelegramRateLimiter(RATES);
    expect(limiter.reserve('9', 0)).toBe(0);
    limiter.charge('9', 0, 4);
    // Five sent at once: the bucket is two seconds past its burst.
    expect(limiter.reserve('9', 0)).toBe(3000);
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => new TelegramRateLimiter({ ...RATES, globalPerSecond: 0 })).toThrow(/globalPerSecond/);
  });

  it('never goes over any limit in a simulated minute with many chats', () => {
    const limiter = new TelegramRateLimiter(RATES);
    const privates = Array.from({ length: 60 }, (_, i) => String(1000 + i));
    const groups = ['-1001', '-1002', '-1003'];
    const chats = [...privates, ...groups];
    const all: number[] = [];
    const perChat = new Map<string, number[]>(chats.map((c) => [c, []]));
    const nextTry = new Map<string, number>(chats.map((c) => [c, 0]));
    // Every chat always has a message waiting, asks again exactly when told to, and, as the dispatcher
    // does, the oldest waiting message is tried first.
    const waitingSince = new Map<string, number>(chats.map((c) => [c, 0]));
    for (let now = 0; now < 60_000; now += 7) {
      const due = chats.filter((c) => (nextTry.get(c) ?? 0) <= now);
      due.sort((a, b) => (waitingSince.get(a) ?? 0) - (waitingSince.get(b) ?? 0));
      for (const chat of due) {
        const wait = limiter.reserve(chat, now);
        if (wait === 0) {
          all.push(now);
          perChat.get(chat)?.push(now);
          waitingSince.set(chat, now);
        } else {
          expect(wait).toBeGreaterThan(0);
          nextTry.set(chat, now + wait);
        }
      }
    }
    expect(busiestWindow(all, 1000)).toBeLessThanOrEqual(30);
    // The bot is kept busy: close to 30 a second over the minute.
    expect(all.length).toBeGreaterThan(30 * 60 * 0.95);
    for (const chat of privates) {
      const times = perChat.get(chat) ?? [];
      expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(3);
      expect(busiestWindow(times, 10_000)).toBeLessThanOrEqual(12);
    }
    for (const chat of groups) {
      const times = perChat.get(chat) ?? [];
      expect(busiestWindow(times, 60_000)).toBeLessThanOrEqual(20);
      expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(3);
      expect(times.length).toBeGreaterThan(0);
    }
  });
});
