/**
 * WeCom's limit on one conversation as a pure limiter: "无论是回复还是主动推送消息，总共给某个会话发消息的
 * 限制为 30 条/分钟，1000 条/小时" (智能机器人长连接). No timers: the caller passes the time in, and
 * `reserve` answers how long to wait (0: now, and the slot is taken).
 */

export interface WecomLimits {
  perMinute: number;
  perHour: number;
}

export const WECOM_LIMITS: WecomLimits = { perMinute: 30, perHour: 1000 };

const MINUTE = 60_000;
const HOUR = 3_600_000;

export class WecomLimiter {
  /** Send times per chat, oldest first, within the last hour. */
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly limits: WecomLimits = WECOM_LIMITS) {}

  /** Milliseconds until `chatId` may be sent to; 0 means now, and the slot is taken. */
  reserve(chatId: string, now: number): number {
    const times = (this.sent.get(chatId) ?? []).filter((t) => t > now - HOUR);
    const lastMinute = times.filter((t) => t > now - MINUTE);
    let wait = 0;
    if (lastMinute.length >= this.limits.perMinute) {
      wait = Math.max(wait, (lastMinute[lastMinute.length - this.limits.perMinute] ?? now) + MINUTE - now);
    }
    if (times.length >= this.limits.perHour) {
      wait = Math.max(wait, (times[times.length - this.limits.perHour] ?? now) + HOUR - now);
    }
    if (wait > 0) {
      this.sent.set(chatId, times);
      return Math.ceil(wait);
    }
    times.push(now);
    this.sent.set(chatId, times);
    return 0;
  }
}
