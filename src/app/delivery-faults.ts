/**
 * The dispatcher's record of configuration faults: chats of the service's own (the staff group) that the
 * platform refuses. It decides when to alert (the first failure, then once per period while the fault
 * lasts, and once when it is over), so that a broken staff group costs a few log lines, not one per
 * message, and it lists the faults for health checks.
 */
import type { DeliveryFault } from '../core/ports/channels.js';
import type { Channel } from '../core/types.js';

/** What one failure or recovery means for the log. */
export interface FaultNews {
  kind: 'started' | 'ongoing' | 'repeated' | 'ended';
  fault: DeliveryFault;
}

export class FaultBook {
  private readonly open = new Map<string, DeliveryFault & { alertedAt: number }>();

  constructor(private readonly alertEveryMs: number) {}

  /** Records one failed attempt; `started` and `ongoing` are worth an alert, `repeated` is not. */
  fail(channel: Channel, chatId: string, reason: string, now: Date): FaultNews {
    const key = `${channel}\u0000${chatId}`;
    const fault = this.open.get(key);
    if (!fault) {
      const fresh = { channel, chatId, reason, since: now, failures: 1, alertedAt: now.getTime() };
      this.open.set(key, fresh);
      return { kind: 'started', fault: publicFault(fresh) };
    }
    fault.failures += 1;
    fault.reason = reason;
    if (now.getTime() - fault.alertedAt < this.alertEveryMs) return { kind: 'repeated', fault: publicFault(fault) };
    fault.alertedAt = now.getTime();
    return { kind: 'ongoing', fault: publicFault(fault) };
  }

  /** A message got through: the chat's fault, if it had one, is over. */
  succeed(channel: Channel, chatId: string): FaultNews | undefined {
    const key = `${channel}\u0000${chatId}`;
    const fault = this.open.get(key);
    if (!fault) return undefined;
    this.open.delete(key);
    return { kind: 'ended', fault: publicFault(fault) };
  }

  /** How many failures the chat's current fault has had (0 when it has none). */
  failures(channel: Channel, chatId: string): number {
    return this.open.get(`${channel}\u0000${chatId}`)?.failures ?? 0;
  }

  /** The open faults, oldest first; of one channel when given. */
  list(channel?: Channel): DeliveryFault[] {
    return [...this.open.values()]
      .filter((f) => channel === undefined || f.channel === channel)
      .sort((a, b) => a.since.getTime() - b.since.getTime())
      .map(publicFault);
  }
}

function publicFault(f: DeliveryFault): DeliveryFault {
  return { channel: f.channel, chatId: f.chatId, reason: f.reason, since: f.since, failures: f.failures };
}
