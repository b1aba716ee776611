/**
 * The dispatcher delivers the outbox: at least once, in order per chat, within each platform's limits.
 *
 * It leases deliverable items from the store (one per chat at a time, so order holds across processes),
 * asks the channel's rate limiter for a slot, and sends through the channel. A platform's "wait N
 * seconds" holds up only that chat; transient failures back off exponentially with jitter and end in a
 * visible dead-letter state; a chat that blocked us is marked unreachable and never retried.
 */
import type { ChannelSender, Delivery } from '../core/ports/channels.js';
import type { Clock, OutboxItem, Store } from '../core/ports.js';
import type { Channel } from '../core/types.js';
import type { Logger } from '../logger.js';

export type { ChannelSender, Delivery };

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  senders: ChannelSender[];
  log: Logger;
  /** Unique per process: the lease owner. */
  workerId: string;
  leaseMs?: number;
  /**
   * Attempts before a transiently failing item is dead-lettered. The default, 20, with the default
   * backoff (1 s doubling to 10 min) keeps trying for one to two hours, so that an outage of the
   * platform or the network costs no message.
   */
  maxAttempts?: number;
  /** First backoff; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often to look for work when idle. */
  pollMs?: number;
  /** How many items to lease per round. */
  batch?: number;
  random?: () => number;
  /** Called when a chat turns out to be unreachable (blocked, removed). */
  onUnreachable?: (channel: Channel, chatId: string) => Promise<void>;
}

export class Dispatcher {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;

  constructor(private readonly o: DispatcherOptions) {}

  /** Leases and delivers what is deliverable now; returns how many items it handled. */
  async runOnce(): Promise<number> {
    const now = this.o.clock.now();
    const items = await this.o.store.claimOutbox(now, this.o.workerId, this.o.leaseMs ?? 60_000, this.o.batch ?? 50);
    await Promise.all(items.map((item) => this.deliver(item)));
    return items.length;
  }

  /** Runs rounds until nothing is deliverable now (items waiting for a later time stay waiting). */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      if ((await this.runOnce()) === 0) return;
    }
  }

  /** Starts delivering in the background until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let handled = 0;
        try {
          handled = await this.runOnce();
        } catch (error) {
          this.o.log.error({ err: error }, 'dispatcher round failed; retrying shortly');
        }
        if (handled === 0 && this.running) await this.sleep(this.o.pollMs ?? 250);
      }
    })();
  }

  /** Asks an idle dispatcher to look for work now (after something was enqueued). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the round in progress; leased items not yet delivered are taken over after their lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, clock, log } = this.o;
    const sender = this.o.senders.find((s) => s.channel === item.channel);
    const now = clock.now();
    if (!sender) {
      await store.markOutboxRetry(
        item.id,
        new Date(now.getTime() + 60_000),
        `no ${item.channel} channel in this process`,
        false,
      );
      return;
    }
    // Look up what the action points at first: an edit of a message never sent here costs no send slot.
    let target: string | undefined;
    if (item.action.kind === 'send' && item.action.message.replyToRef) {
      target = await store.getMessageRef(item.channel, item.chatId, item.action.message.replyToRef);
    }
    if (item.action.kind === 'edit') {
      target = await store.getMessageRef(item.channel, item.chatId, item.action.ref);
      if (!target) {
        log.debug({ id: item.id, ref: item.action.ref }, 'nothing to edit: the message was never sent here');
        await store.markOutboxSent(item.id, undefined, now);
        return;
      }
    }
    const wait = sender.reserve?.(item.chatId, now.getTime()) ?? 0;
    if (wait > 0) {
      await store.markOutboxRetry(item.id, new Date(now.getTime() + wait), undefined, false);
      return;
    }
    let result: Delivery;
    try {
      result = await sender.deliver(item.chatId, item.action, target);
    } catch (error) {
      result = { status: 'transient', reason: error instanceof Error ? error.message : String(error) };
    }
    const at = clock.now();
    switch (result.status) {
      case 'sent': {
        await store.markOutboxSent(item.id, result.platformMessageId, at);
        const ref = item.action.kind === 'send' ? item.action.message.ref : undefined;
        if (ref && result.platformMessageId) {
          await store.setMessageRef(item.channel, item.chatId, ref, result.platformMessageId);
        }
        return;
      }
      case 'rate_limited':
        log.warn(
          { channel: item.channel, retryAfterMs: result.retryAfterMs },
          'platform asked us to slow down for one chat',
        );
        await store.markOutboxRetry(item.id, new Date(at.getTime() + result.retryAfterMs), result.reason, false);
        return;
      case 'transient': {
        const attempts = item.attempts + 1;
        if (attempts >= (this.o.maxAttempts ?? 20)) {
          log.error(
            { id: item.id, channel: item.channel, attempts, reason: result.reason },
            'outbound message dead-lettered',
          );
          await store.markOutboxDead(item.id, result.reason, at);
          return;
        }
        const delay = this.backoff(attempts);
        log.warn(
          { id: item.id, channel: item.channel, attempts, delayMs: delay, reason: result.reason },
          'delivery failed; will retry',
        );
        await store.markOutboxRetry(item.id, new Date(at.getTime() + delay), result.reason, true);
        return;
      }
      case 'unreachable':
        log.warn({ channel: item.channel, reason: result.reason }, 'chat unreachable; stopping delivery to it');
        await store.markOutboxDead(item.id, result.reason, at);
        await this.o.onUnreachable?.(item.channel, item.chatId);
        return;
      case 'rejected':
        log.error(
          { id: item.id, channel: item.channel, reason: result.reason },
          'platform rejected an outbound message',
        );
        await store.markOutboxDead(item.id, result.reason, at);
        return;
    }
  }

  /** Exponential backoff with full jitter on the upper half: base·2^(n-1) · [0.5, 1). */
  backoff(attempts: number): number {
    const base = this.o.baseBackoffMs ?? 1000;
    const cap = this.o.maxBackoffMs ?? 10 * 60_000;
    const raw = Math.min(cap, base * 2 ** (attempts - 1));
    return Math.round(raw * (0.5 + (this.o.random ?? Math.random)() / 2));
  }
}
