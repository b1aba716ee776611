/**
 * Telegram's send limits as a pure rate limiter: no timers, the caller passes the time in.
 *
 * - The bot overall: at most `globalPerSecond` messages in any one-second window.
 * - Every chat: `privatePerSecond` messages a second on average, with a short burst (`burst`, 3 by default)
 *   allowed after a quiet spell (a token bucket, kept as a "theoretical arrival time" so that the
 *   arithmetic is exact in integers).
 * - Groups (Telegram chat ids below zero) also: at most `groupPerMinute` messages in any 60-second window.
 *
 * `reserve(chatId, now)` answers how long to wait; 0 means "now", and then the slot is taken in every
 * limit at once. A non-zero answer takes nothing. Limits are per bot: several processes sending for one
 * bot each need a share of them (see the README).
 *
 * A cosmetic message (the edit that takes the buttons off an answered question) is paced from allowance
 * to spare only: it goes when the chat would still have a message left at once afterwards, and the bot
 * a fifth of its global window (at least one), so that the owner's next question, which follows soon,
 * never waits behind it. Under a steady load such edits wait, they never crowd out what owners need.
 */

/** The limits, as `config.telegram.rates` gives them, plus the per-chat burst. */
export interface TelegramRates {
  globalPerSecond: number;
  privatePerSecond: number;
  groupPerMinute: number;
  /** Messages a chat may receive at once after a quiet spell; default 3. */
  burst?: number;
}

/** At most `limit` events in any window of `windowMs` (half-open): remembers the last `limit` events. */
class SlidingWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** How long until one more event fits, with `keep` places left over after it (as many as there are). */
  wait(now: number, keep = 0): number {
    const room = Math.max(1, this.limit - keep);
    if (this.times.length < room) return 0;
    const oldest = this.times[this.times.length - room] ?? Number.NEGATIVE_INFINITY;
    return Math.max(0, oldest + this.windowMs - now);
  }

  take(now: number): void {
    this.times.push(now);
    if (this.times.length > this.limit) this.times.splice(0, this.times.length - this.limit);
  }

  /** Nothing in the window any more: the state can be forgotten. */
  idle(now: number): boolean {
    const last = this.times[this.times.length - 1];
    return last === undefined || last + this.windowMs <= now;
  }

  /** How many events fit now. */
  free(now: number): number {
    let inWindow = 0;
    for (let i = this.times.length - 1; i >= 0 && (this.times[i] as number) + this.windowMs > now; i--) inWindow++;
    return this.limit - inWindow;
  }
}

/**
 * A token bucket of `burst` tokens refilled at `count` per `periodMs`, as GCRA. Times are kept scaled
 * by `count` (one event advances the theoretical arrival time by `periodMs`), so nothing is rounded.
 */
class Bucket {
  /** Theoretical arrival time, in ms × count. */
  private tat = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly count: number,
    private readonly periodMs: number,
    private readonly burst: number,
  ) {}

  /** How long until one more event fits, with `keep` tokens left over after it. */
  wait(now: number, keep = 0): number {
    const scaledNow = now * this.count;
    const allowedAt = this.tat - (this.burst - 1 - keep) * this.periodMs;
    return allowedAt <= scaledNow ? 0 : Math.ceil((allowedAt - scaledNow) / this.count);
  }

  take(now: number): void {
    this.tat = Math.max(this.tat, now * this.count) + this.periodMs;
  }

  idle(now: number): boolean {
    return this.tat <= now * this.count;
  }
}

interface ChatState {
  bucket: Bucket;
  window?: SlidingWindow;
}

/** Telegram chat ids of groups and supergroups are negative; private chats are positive. */
export function isGroupChat(chatId: string): boolean {
  return chatId.trim().startsWith('-');
}

/** The limiter for one bot. Not thread-safe across processes: it only knows this process's sends. */
export class TelegramRateLimiter {
  private readonly global: SlidingWindow;
  private readonly chats = new Map<string, ChatState>();
  private readonly burst: number;
  /** Places of the global window a cosmetic message leaves free (a fifth, at least one). */
  private readonly globalKeep: number;
  private calls = 0;

  constructor(private readonly rates: TelegramRates) {
    for (const [name, value] of Object.entries(rates)) {
      if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
        throw new RangeError(`rate ${name} must be a positive integer, got ${value}`);
      }
    }
    this.burst = rates.burst ?? 3;
    this.global = new SlidingWindow(rates.globalPerSecond, 1000);
    this.globalKeep = Math.max(1, Math.floor(rates.globalPerSecond / 5));
  }

  /**
   * Milliseconds until a message may go to `chatId`; 0 means now, and the slot is taken. `now` is in
   * epoch milliseconds and should not go backwards (if it does, the limiter simply waits longer).
   */
  reserve(chatId: string, now: number, opts?: { cosmetic?: boolean }): number {
    const chat = this.chat(chatId);
    const spare = opts?.cosmetic === true;
    const wait = Math.max(
      this.global.wait(now, spare ? this.globalKeep : 0),
      chat.bucket.wait(now, spare ? 1 : 0),
      chat.window?.wait(now, spare ? 1 : 0) ?? 0,
    );
    if (wait > 0) return Math.ceil(wait);
    this.take(chat, now, 1);
    this.maybePrune(now);
    return 0;
  }

  /**
   * Room in the bot-wide limit: how many messages may go now (to chats that allow them), and when the
   * next place frees if none does. Takes nothing.
   */
  capacity(now: number): { free: number; waitMs: number } {
    const free = this.global.free(now);
    return { free, waitMs: free > 0 ? 0 : Math.ceil(this.global.wait(now)) };
  }

  /**
   * Records `count` messages sent to `chatId` outside `reserve` (the photos sent with a card, the parts
   * of a long text), so that the next reservations account for them. Never waits.
   */
  charge(chatId: string, now: number, count: number): void {
    if (count <= 0) return;
    this.take(this.chat(chatId), now, count);
  }

  /** How many chats the limiter currently remembers (for tests and metrics). */
  get trackedChats(): number {
    return this.chats.size;
  }

  private take(chat: ChatState, now: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.global.take(now);
      chat.bucket.take(now);
      chat.window?.take(now);
    }
  }

  private chat(chatId: string): ChatState {
    let state = this.chats.get(chatId);
    if (!state) {
      state = { bucket: new Bucket(this.rates.privatePerSecond, 1000, this.burst) };
      if (isGroupChat(chatId)) state.window = new SlidingWindow(this.rates.groupPerMinute, 60_000);
      this.chats.set(chatId, state);
    }
    return state;
  }

  /** Forgets chats whose limits have fully recovered, so memory follows the active chats only. */
  private maybePrune(now: number): void {
    this.calls += 1;
    if (this.calls % 1000 !== 0) return;
    for (const [id, state] of this.chats) {
      if (state.bucket.idle(now) && (state.window?.idle(now) ?? true)) this.chats.delete(id);
    }
  }
}
