/**
 * The dispatcher delivers the outbox: at least once, in order per chat, within each platform's limits,
 * and one chat never waits on another.
 *
 * It leases deliverable items from the store (one per chat at a time, so order holds across processes)
 * and delivers up to `concurrency` of them at once, each to a different chat. A call that does not answer
 * within `sendTimeoutMs` frees its place; the lease of a call in progress is short and renewed while it
 * lasts, so a crashed process's chats are taken over within seconds. The channel's rate limiter is asked
 * for a slot first, and the loop sleeps exactly until the next message it knows of is due (every deferral
 * it made is remembered, not only the soonest). A delivery costs the store one write after the claim: the
 * claim brings the platform id of the message an edit or a reply points at.
 *
 * Cosmetic items (the edit that closes an answered question) are asked of the limiter from allowance to
 * spare only, and wait one to two seconds (at random) when there is none, so that many chats' edits do
 * not all come back at the same instant; the claim lets a chat's due messages go before them (see
 * OutboxStore). No more items are leased than the channels' bot-wide limits let go now (a full limit is
 * slept out once, not deferred chat by chat). The closing edit an owner's next question carries is made
 * right after that question on the same terms (closing-edits.ts): an answer costs one outbox item, one
 * claim and one write, not two of each.
 *
 * Outcomes: a platform's "wait N seconds" holds up that chat, and the whole channel when several chats
 * are told to wait at once (a bot-wide limit); transient failures back off exponentially with jitter and
 * end in a visible dead-letter state; a chat that blocked us is marked unreachable and never retried; a
 * refusal from the service's own chat (the staff group) is a configuration fault, retried until it is
 * fixed, alerted once per period and reported to the channel's health check.
 */
import type { ChannelSender, Delivery, DeliveryFault } from '../core/ports/channels.js';
import type { Clock, OutboxItem, Store } from '../core/ports.js';
import type { Channel } from '../core/types.js';
import type { Logger } from '../logger.js';
import { ClosingEdits } from './closing-edits.js';
import { FaultBook, type FaultNews } from './delivery-faults.js';
import { DueTimes } from './due-times.js';
import { readAttached, releaseAttached } from './files/attached.js';
import type { Outside, ReplyWindowGate } from './reply-window.js';

export type { ChannelSender, Delivery };

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  senders: ChannelSender[];
  log: Logger;
  /** Unique per process: the lease owner. */
  workerId: string;
  /**
   * How long a lease lasts without renewal; default 4 s. Leases of deliveries in progress are renewed
   * every quarter of it, so a lease outlives its worker by at most this long (a restarted bot resumes
   * the chats it was sending to within it).
   */
  leaseMs?: number;
  /** Deliveries in progress at once, each to a different chat; default 16. */
  concurrency?: number;
  /**
   * How long one delivery may take before its outcome is taken as unknown and its place freed; default
   * 45 s (above the adapters' own per-call timeouts, which answer first).
   */
  sendTimeoutMs?: number;
  /**
   * Attempts before a transiently failing item is dead-lettered. The default, 20, with the default
   * backoff (1 s doubling to 10 min) keeps trying for one to two hours, so that an outage of the
   * platform or the network costs no message.
   */
  maxAttempts?: number;
  /** First backoff; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest wait between two tries of a chat with a configuration fault; default 1 min. */
  faultRetryMaxMs?: number;
  /** How often a configuration fault that lasts is alerted again; default 15 min. */
  alertEveryMs?: number;
  /** The longest sleep when idle (work enqueued by other processes or jobs is found by then); default 250 ms. */
  pollMs?: number;
  /** How many items to lease per round at most (never more than free places); default 50. */
  batch?: number;
  random?: () => number;
  /** Called when a chat turns out to be unreachable (blocked, removed). */
  onUnreachable?: (channel: Channel, chatId: string) => Promise<void>;
  /**
   * Checks each message to a channel with reply windows before it is sent, and sends what a window does
   * not let go in another form (see reply-window.ts); without it such a refusal is dead-lettered.
   */
  replyWindows?: ReplyWindowGate;
}

/**
 * A deferred cosmetic edit waits at least this long, and up to this much more at random (see `deliver`):
 * it is in no hurry, and asking again sooner would cost a claim and a write each time.
 */
const COSMETIC_SPREAD_MS = 1000;

/** Why an item whose earlier attempt's outcome is unknown is not sent again. */
const MOVED_ON = 'outcome unknown (taken over from a stopped worker); not sent again: the chat has moved on';

export class Dispatcher {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  /** Items being delivered by this process, by id (their leases are renewed). */
  private readonly inFlight = new Map<string, OutboxItem>();
  /** Per chat, the delivery in progress here: never a second one at the same time. */
  private readonly busyChats = new Map<string, Promise<void>>();
  private renewal?: ReturnType<typeof setInterval>;
  /** Channels told to wait as a whole, until (epoch ms). */
  private readonly pausedUntil = new Map<Channel, number>();
  /** Per channel, the chats told to wait (429), until when: two at once means the bot as a whole. */
  private readonly chatWaits = new Map<Channel, Map<string, number>>();
  /** The moments this process knows something becomes due (epoch ms), soonest first. */
  private readonly dueTimes = new DueTimes();
  /** When the loop's current sleep ends (epoch ms by the clock), while it sleeps. */
  private sleepingUntil?: number;
  private readonly faultBook: FaultBook;
  /** The closing edits the messages delivered here carry (closing-edits.ts). */
  private readonly closing: ClosingEdits;
  private readonly leaseMs: number;
  private readonly concurrency: number;

  constructor(private readonly o: DispatcherOptions) {
    this.leaseMs = o.leaseMs ?? 4000;
    this.concurrency = o.concurrency ?? 16;
    if (!(this.leaseMs > 0) || !(Number.isInteger(this.concurrency) && this.concurrency >= 1)) {
      throw new RangeError('Dispatcher: leaseMs must be positive and concurrency a whole number of at least 1');
    }
    this.faultBook = new FaultBook(o.alertEveryMs ?? 15 * 60_000);
    this.closing = new ClosingEdits({
      store: o.store,
      clock: o.clock,
      log: o.log,
      call: (sender, item, target) => this.call(sender, item, target),
      cosmeticDelay: (wait) => this.cosmeticDelay(wait),
      retryDelay: () => this.backoff(1),
      dueAt: (at) => this.dueAt(at),
    });
  }

  /** Leases and delivers what is deliverable now; returns how many items it leased. */
  async runOnce(): Promise<number> {
    const { tasks } = await this.claimAndStart();
    await Promise.all(tasks);
    return tasks.length;
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
        let full = false;
        try {
          ({ full } = await this.claimAndStart());
        } catch (error) {
          this.o.log.error({ err: error }, 'dispatcher round failed; retrying shortly');
        }
        if (!this.running) break;
        // A claim that was given as many items as it asked for may have left more: asking again at once.
        // One given fewer found (all but rarely: a superseded edit, an item another worker took) all there
        // were, and asking again would only cost an empty write transaction: what is enqueued meanwhile
        // wakes the loop, what comes due it sleeps until, and each delivery ending wakes it too.
        if (full && this.inFlight.size < this.concurrency) continue;
        await this.sleep(this.idleMs());
      }
      await Promise.allSettled(this.tasks);
    })();
  }

  /** Asks the dispatcher to look for work now (after something was enqueued). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming, and waits for the deliveries in progress; leased items not yet delivered are taken
   * over after their lease.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** The configuration faults met and not yet over (the staff group refusing us), oldest first. */
  faults(): DeliveryFault[] {
    return this.faultBook.list();
  }

  /** Extends the leases of the deliveries in progress; runs by itself every quarter lease while any are. */
  async renewLeases(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    if (ids.length === 0) return;
    const until = new Date(this.o.clock.now().getTime() + this.leaseMs);
    await this.o.store.renewOutboxLeases(ids, this.o.workerId, until);
  }

  /** Exponential backoff with full jitter on the upper half: base·2^(n-1) · [0.5, 1). */
  backoff(attempts: number, cap = this.o.maxBackoffMs ?? 10 * 60_000): number {
    const base = this.o.baseBackoffMs ?? 1000;
    const raw = Math.min(cap, base * 2 ** (attempts - 1));
    return Math.round(raw * (0.5 + (this.o.random ?? Math.random)() / 2));
  }

  // ── rounds ──────────────────────────────────────────────────────────────

  private readonly tasks = new Set<Promise<void>>();

  /**
   * Leases as many items as there are free places and starts delivering them; returns their tasks, and
   * whether the claim was given as many items as it asked for (more may be waiting).
   */
  private async claimAndStart(): Promise<{ tasks: Promise<void>[]; full: boolean }> {
    const none = { tasks: [], full: false };
    const now = this.o.clock.now();
    this.dueTimes.dropUntil(now.getTime());
    let free = Math.min(this.o.batch ?? 50, this.concurrency - this.inFlight.size);
    if (free <= 0) return none;
    // No more than the channels' bot-wide limits let go now: leasing more would only defer them all to
    // the same instant, again and again (a store write each). A full limit is slept out once.
    const room = this.room(now.getTime());
    if (room.free <= 0) {
      this.dueAt(now.getTime() + room.waitMs);
      return none;
    }
    free = Math.min(free, room.free);
    // While every channel waits out a bot-wide limit there is nothing to lease.
    const channels = this.o.senders.map((s) => s.channel);
    if (channels.length > 0 && channels.every((c) => this.pausedAt(c, now.getTime()) !== undefined)) return none;
    const items = await this.o.store.claimOutbox(now, this.o.workerId, this.leaseMs, free);
    return { tasks: items.map((item) => this.track(item)), full: items.length > 0 && items.length >= free };
  }

  /** The senders' room in their bot-wide limits, all together (unbounded when none says). */
  private room(now: number): { free: number; waitMs: number } {
    let free = 0;
    let waitMs = Number.POSITIVE_INFINITY;
    for (const sender of this.o.senders) {
      const c = sender.capacity?.(now) ?? { free: Number.POSITIVE_INFINITY, waitMs: 0 };
      free += c.free;
      waitMs = Math.min(waitMs, c.waitMs);
    }
    return this.o.senders.length === 0 ? { free: Number.POSITIVE_INFINITY, waitMs: 0 } : { free, waitMs };
  }

  private track(item: OutboxItem): Promise<void> {
    // A lease that ran out while this process was stalled comes back to it (taken over): the delivery in
    // progress settles the item; starting a second one would send the message twice. An item claimed
    // afresh while its last attempt's task is finishing is another matter: that attempt deferred it (a
    // limiter's few milliseconds) and the item is due again, so it goes right after that task. Dropping
    // it would leave it leased to nobody until the lease ran out (a 4 s stall, then "moved on").
    if (item.takenOver && this.inFlight.has(item.id)) return Promise.resolve();
    const key = `${item.channel}\u0000${item.chatId}`;
    // The chat's previous item is settled but its task not yet finished: this one goes right after it.
    const before = this.busyChats.get(key) ?? Promise.resolve();
    this.inFlight.set(item.id, item);
    this.startRenewal();
    const task: Promise<void> = before
      .then(() => this.deliver(item))
      .catch((error: unknown) => {
        // The item keeps its lease, which is no longer renewed: it is taken over (and judged) after it.
        this.o.log.error({ err: error, id: item.id }, 'delivery could not be recorded; it will be taken over');
      })
      .finally(() => {
        if (this.busyChats.get(key) === task) this.busyChats.delete(key);
        // The same item claimed again meanwhile is tracked by its new claim's task.
        if (this.inFlight.get(item.id) === item) this.inFlight.delete(item.id);
        this.tasks.delete(task);
        if (this.inFlight.size === 0) this.stopRenewal();
        // The chat's next item may be due now, and a place is free.
        this.wake();
      });
    this.busyChats.set(key, task);
    this.tasks.add(task);
    return task;
  }

  private startRenewal(): void {
    if (this.renewal) return;
    this.renewal = setInterval(
      () => {
        this.renewLeases().catch((error: unknown) => {
          this.o.log.warn({ err: error }, 'could not renew outbox leases');
        });
      },
      Math.max(1, Math.floor(this.leaseMs / 4)),
    );
    this.renewal.unref?.();
  }

  private stopRenewal(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private idleMs(): number {
    const poll = this.o.pollMs ?? 250;
    // Full: a place frees when a delivery ends, which wakes the loop.
    if (this.inFlight.size >= this.concurrency) return poll;
    const untilDue = this.dueTimes.soonest() - this.o.clock.now().getTime();
    return Math.max(0, Math.min(poll, untilDue));
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || ms <= 0) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      this.sleepingUntil = this.o.clock.now().getTime() + ms;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        self.sleepingUntil = undefined;
        self.woken = false;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Remembers that something becomes due at `at` (epoch ms), so the loop wakes exactly then. */
  private dueAt(at: number): void {
    this.dueTimes.add(at);
    // A sleep that would end after it is cut short (the loop then sleeps until `at`).
    if (this.sleepingUntil !== undefined && at < this.sleepingUntil) this.wakeUp?.();
  }

  // ── one item ────────────────────────────────────────────────────────────

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
    const paused = this.pausedAt(item.channel, now.getTime());
    if (paused !== undefined) {
      await this.retryAt(item, paused, undefined, false);
      return;
    }
    if (item.takenOver && item.action.kind === 'send' && (await this.movedOn(item))) {
      log.warn({ id: item.id, channel: item.channel }, 'an interrupted message is not sent again: its chat moved on');
      await store.markOutboxSent(item.id, undefined, now, { note: MOVED_ON });
      await this.closing.queue(item, now.getTime());
      return;
    }
    // The claim brought what the action points at: an edit of a message never sent here costs no send slot.
    const target = item.target;
    if (item.action.kind === 'edit' && !target) {
      log.debug({ id: item.id, ref: item.action.ref }, 'nothing to edit: the message was never sent here');
      await store.markOutboxSent(item.id, undefined, now);
      return;
    }
    const outside = await this.o.replyWindows?.check(sender, item);
    if (outside) {
      await this.outsideWindow(sender, item, outside);
      return;
    }
    const wait = sender.reserve?.(item.chatId, now.getTime(), item.cosmetic ? { cosmetic: true } : undefined) ?? 0;
    if (wait > 0) {
      // A cosmetic edit is in no hurry: a random extra wait spreads many chats' edits out.
      const later = item.cosmetic ? this.cosmeticDelay(wait) : wait;
      await this.retryAt(item, now.getTime() + later, undefined, false);
      return;
    }
    const result = await this.call(sender, item, target);
    await this.settle(item, result);
    if (result.status === 'sent') await this.closing.after(sender, item);
    else if (result.status === 'unknown') await this.closing.queue(item, clock.now().getTime());
  }

  /** How long a cosmetic item waits when the chat has no allowance to spare: see `deliver`. */
  private cosmeticDelay(wait: number): number {
    return Math.max(wait, COSMETIC_SPREAD_MS) + Math.round((this.o.random ?? Math.random)() * COSMETIC_SPREAD_MS);
  }

  /**
   * An item taken over from a stopped worker was perhaps delivered already: Telegram gives no
   * idempotency key and no way to ask. When its chat has an item queued after it was (the owner
   * answered, or the bot went on), the conversation moved on without it: sending it now would ask a
   * question out of turn, so it is left as sent. Otherwise it is sent again: at worst the chat's latest
   * message shows twice, in its place, rather than being lost. Only a later message sent shows that: an
   * edit queued after it (the one that takes the buttons off a question answered) asks nothing, and
   * counting it dropped the next question of an owner whose item was taken over.
   */
  private async movedOn(item: OutboxItem): Promise<boolean> {
    const queued = await this.o.store.listOutbox({ channel: item.channel, chatId: item.chatId, status: 'pending' });
    return queued.some(
      (later) =>
        later.action.kind === 'send' && later.seq > item.seq && later.createdAt.getTime() > item.createdAt.getTime(),
    );
  }

  /**
   * One delivery, with a timeout: a call that does not answer in time is taken as `unknown` and frees
   * its place. (Its promise is left to settle; the adapters abort their own calls before this fires.)
   */
  private call(sender: ChannelSender, item: OutboxItem, target: string | undefined): Promise<Delivery> {
    const limit = this.o.sendTimeoutMs ?? 45_000;
    const attempt = (async (): Promise<Delivery> => {
      try {
        // Generated files go with their message: read now, so a retry or a takeover finds them too.
        const files = await readAttached(this.o.store, item.action);
        return await sender.deliver(item.chatId, item.action, target, files);
      } catch (error) {
        return { status: 'transient', reason: error instanceof Error ? error.message : String(error) };
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Delivery>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'unknown', reason: `no answer within ${Math.round(limit / 1000)} s` }),
        limit,
      );
    });
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  private async settle(item: OutboxItem, result: Delivery): Promise<void> {
    const { store, clock, log } = this.o;
    const at = clock.now();
    switch (result.status) {
      case 'sent': {
        const ref = item.action.kind === 'send' ? item.action.message.ref : undefined;
        await store.markOutboxSent(item.id, result.platformMessageId, at, ref ? { ref } : undefined);
        await releaseAttached(store, item.action);
        const news = this.faultBook.succeed(item.channel, item.chatId);
        if (news) this.announce(news);
        return;
      }
      case 'rate_limited':
        await this.rateLimited(item, result, at.getTime());
        return;
      case 'unknown':
        // An edit shows the same text however often it is made: try it again. A send is not repeated:
        // a call that timed out had reached the platform, which usually delivered it (twice would
        // otherwise be the rule); it stays on record with the note.
        if (item.action.kind === 'edit') {
          await this.transient(item, result.reason);
          return;
        }
        log.warn(
          { id: item.id, channel: item.channel, reason: result.reason },
          'no answer for a message; not sending it again',
        );
        await store.markOutboxSent(item.id, undefined, at, { note: `outcome unknown: ${result.reason}` });
        return;
      case 'transient':
        await this.transient(item, result.reason);
        return;
      case 'misconfigured': {
        const news = this.faultBook.fail(item.channel, item.chatId, result.reason, at);
        this.announce(news);
        const cap = this.o.faultRetryMaxMs ?? 60_000;
        await this.retryAt(item, at.getTime() + this.backoff(news.fault.failures, cap), result.reason, false);
        return;
      }
      case 'unreachable':
        log.warn({ channel: item.channel, reason: result.reason }, 'chat unreachable; stopping delivery to it');
        await store.markOutboxDead(item.id, result.reason, at);
        await this.o.onUnreachable?.(item.channel, item.chatId);
        return;
      case 'rejected': {
        const sender = this.o.senders.find((s) => s.channel === item.channel);
        if (result.window && sender && this.o.replyWindows) {
          await this.outsideWindow(sender, item, result.window);
          return;
        }
        log.error(
          { id: item.id, channel: item.channel, reason: result.reason },
          'platform rejected an outbound message',
        );
        await store.markOutboxDead(item.id, result.reason, at);
        return;
      }
    }
  }

  /** A message its chat's reply window does not let go: its notification form, or a task for staff. */
  private async outsideWindow(sender: ChannelSender, item: OutboxItem, why: Outside): Promise<void> {
    const outcome = await (this.o.replyWindows as ReplyWindowGate).fallback(sender, item, why);
    if (!outcome.settled) await this.settle(item, outcome.delivery);
  }

  private async transient(item: OutboxItem, reason: string): Promise<void> {
    const { store, clock, log } = this.o;
    const at = clock.now();
    const attempts = item.attempts + 1;
    if (attempts >= (this.o.maxAttempts ?? 20)) {
      log.error({ id: item.id, channel: item.channel, attempts, reason }, 'outbound message dead-lettered');
      await store.markOutboxDead(item.id, reason, at);
      return;
    }
    const delay = this.backoff(attempts);
    log.warn({ id: item.id, channel: item.channel, attempts, delayMs: delay, reason }, 'delivery failed; will retry');
    await this.retryAt(item, at.getTime() + delay, reason, true);
  }

  /**
   * A 429 holds the chat for `retry_after`. A second chat of the channel told to wait while the first
   * still waits means the limit is the bot's, not the chat's: the whole channel waits, so a storm costs
   * two refused calls (and those already under way) instead of one per chat.
   */
  private async rateLimited(
    item: OutboxItem,
    result: Extract<Delivery, { status: 'rate_limited' }>,
    now: number,
  ): Promise<void> {
    const until = now + result.retryAfterMs;
    let waits = this.chatWaits.get(item.channel);
    if (!waits) {
      waits = new Map();
      this.chatWaits.set(item.channel, waits);
    }
    for (const [chat, end] of waits) if (end <= now) waits.delete(chat);
    const others = [...waits].filter(([chat]) => chat !== item.chatId).map(([, end]) => end);
    waits.set(item.chatId, until);
    if (result.scope === 'channel' || others.length > 0) {
      const end = Math.max(until, ...others);
      if ((this.pausedUntil.get(item.channel) ?? 0) < end) {
        this.o.log.warn(
          { channel: item.channel, retryAfterMs: end - now },
          'platform asked the whole bot to slow down; pausing every send on this channel',
        );
        this.pausedUntil.set(item.channel, end);
      }
    } else {
      this.o.log.warn(
        { channel: item.channel, retryAfterMs: result.retryAfterMs },
        'platform asked us to slow down for one chat',
      );
    }
    await this.retryAt(item, until, result.reason, false);
  }

  private pausedAt(channel: Channel, now: number): number | undefined {
    const until = this.pausedUntil.get(channel);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.pausedUntil.delete(channel);
    return undefined;
  }

  private async retryAt(item: OutboxItem, at: number, reason: string | undefined, count: boolean): Promise<void> {
    await this.o.store.markOutboxRetry(item.id, new Date(at), reason, count);
    this.dueAt(at);
  }

  /** Logs a configuration fault's news and tells the channel its current faults. */
  private announce(news: FaultNews): void {
    const { log } = this.o;
    const { channel, reason, failures, since } = news.fault;
    const fields = { channel, reason, failures, since: since.toISOString() };
    if (news.kind === 'started') {
      log.error(
        fields,
        "the platform refuses the service's own chat (staff group): messages to it are kept and retried",
      );
    } else if (news.kind === 'ongoing') {
      log.error(fields, "the service's own chat (staff group) still refuses us: messages to it are kept and retried");
    } else if (news.kind === 'ended') {
      log.warn(fields, "the service's own chat (staff group) works again; the messages kept for it follow");
    }
    if (news.kind === 'repeated') return;
    const faults = this.faultBook.list(channel);
    for (const sender of this.o.senders) if (sender.channel === channel) sender.reportFaults?.(faults);
  }
}
