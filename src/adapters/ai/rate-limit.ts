/**
 * A token bucket for model calls: `perMinute` calls at most in any minute, refilled continuously, with
 * time from the injected clock (tests move it by hand).
 */
import type { Clock } from '../../core/ports.js';

export class CallBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perMinute;
    this.last = clock.now().getTime();
  }

  /** Takes one call if there is one left; false when the cap is reached. */
  take(): boolean {
    const now = this.clock.now().getTime();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.perMinute, this.tokens + (elapsed * this.perMinute) / 60_000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
