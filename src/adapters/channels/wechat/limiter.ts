/**
 * The pace of a personal WeChat account as a pure limiter: no timers, the caller passes the time in.
 *
 * WeChat publishes no limits for personal accounts, and accounts that send fast (or at a machine's even
 * rhythm) get restricted. So the whole account sends at most one message every `intervalMs`, whatever
 * the chat, with 0–`jitterMs` of random extra spacing after each. `reserve(now)` answers how long to
 * wait; 0 means "now", and then the slot is taken. The pace is per account: several processes sending
 * for one account each keep their own, so run one sending process per account (see the README).
 */

export interface WechatPaceOptions {
  /** The least time between two messages (WECHAT_SEND_INTERVAL; 1500 ms by default). 0 turns pacing off. */
  intervalMs: number;
  /** Extra random spacing after each message, 0 up to this; default 300 ms. None when `intervalMs` is 0. */
  jitterMs?: number;
  /** A number in [0, 1); Math.random by default. */
  random?: () => number;
}

export class WechatPacer {
  private nextAt = Number.NEGATIVE_INFINITY;
  private readonly intervalMs: number;
  private readonly jitterMs: number;
  private readonly random: () => number;

  constructor(o: WechatPaceOptions) {
    if (!(Number.isFinite(o.intervalMs) && o.intervalMs >= 0))
      throw new RangeError(`intervalMs must be 0 or more, got ${o.intervalMs}`);
    const jitter = o.jitterMs ?? 300;
    if (!(Number.isFinite(jitter) && jitter >= 0)) throw new RangeError(`jitterMs must be 0 or more, got ${jitter}`);
    this.intervalMs = o.intervalMs;
    this.jitterMs = o.intervalMs === 0 ? 0 : jitter;
    this.random = o.random ?? Math.random;
  }

  /**
   * Milliseconds until the next message may go; 0 means now, and the slot is taken. `now` is in epoch
   * milliseconds; if it goes backwards the pacer simply waits longer.
   */
  reserve(now: number): number {
    if (this.intervalMs === 0) return 0;
    if (now < this.nextAt) return Math.ceil(this.nextAt - now);
    const r = Math.min(Math.max(this.random(), 0), 1);
    this.nextAt = now + this.intervalMs + Math.floor(r * this.jitterMs);
    return 0;
  }

  /**
   * Puts the next slot back to `nextAt` (what `nextSlotAt` was before a reservation), when the message
   * that took it turned out to need no sending.
   */
  restore(nextAt: number): void {
    this.nextAt = nextAt;
  }

  /** When the next slot opens (epoch ms), for tests and metrics. */
  get nextSlotAt(): number {
    return this.nextAt;
  }
}
