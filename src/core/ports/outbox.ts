import type { Channel, OutboundAction } from '../types.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** One message waiting to be delivered, in order per chat. */
export interface OutboxItem {
  id: string;
  /** Monotonic across the store; gives the per-chat order. */
  seq: number;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  status: OutboxStatus;
  attempts: number;
  /** Not tried again before this instant. */
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  /** The platform's id of the sent message. */
  platformMessageId?: string;
  createdAt: Date;
  /**
   * Set by `claimOutbox` only, on an item taken over from an expired lease: a worker began an attempt
   * and stopped answering (a crash), so whether that attempt reached the platform is unknown.
   */
  takenOver?: boolean;
  /** See {@link NewOutboxItem.cosmetic}. */
  cosmetic?: boolean;
  /**
   * Set by `claimOutbox` only: the platform id of the message the action points at (an edit's `ref`, a
   * send's `replyToRef`), read in the claim so that a delivery needs no read of its own. Absent when that
   * message was never sent in this chat.
   */
  target?: string;
  /**
   * Set by `claimOutbox` only, like `target`: the platform id of the question a send's closing edit
   * (`action.closes`) takes the buttons off. Absent when that message was never sent in this chat.
   */
  closesTarget?: string;
}

export interface NewOutboxItem {
  id: string;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  notBefore?: Date;
  /**
   * A change that only tidies what the chat already shows (the edit that takes the buttons off an answered
   * question): it never holds up its chat. Later items of the chat that are due go before it; it never
   * goes before an earlier item of its chat; of two cosmetic edits of the same message not yet sent, the
   * later one alone is made (it shows the message's final state).
   */
  cosmetic?: boolean;
}

/** The outbox and the names of the platform messages it sent. */
export interface OutboxStore {
  /**
   * Adds items at the end of their chats' queues. An item never waits behind an earlier one due later:
   * the chat's pending items that were deferred (never attempted) and are due after the new item are
   * brought forward to its `notBefore` (a reply sent now takes the night's held messages with it).
   * Items waiting out a failed attempt or a platform's rate limit keep their time.
   */
  enqueue(items: NewOutboxItem[], now: Date): Promise<void>;
  /**
   * Leases deliverable items, at most one per chat and only while none of the chat is being sent: for
   * each chat its oldest undelivered item (so order holds), where cosmetic items (see
   * {@link NewOutboxItem.cosmetic}) step aside for the chat's later items that are due, and only when it
   * is pending with `notBefore <= now`, or sending with an expired lease (then marked `takenOver`). Each
   * item comes with its `target` (and a send with a closing edit, its `closesTarget`). A cosmetic edit superseded by a later one of the same message is
   * settled as sent here, without a delivery.
   */
  claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  /**
   * Extends `worker`'s leases on these items (still sending) to `leaseUntil`, so that a delivery that
   * takes long is not taken over while the worker is alive; returns how many were extended.
   */
  renewOutboxLeases(ids: readonly string[], worker: string, leaseUntil: Date): Promise<number>;
  /**
   * Marks an item sent, in one write with what goes with it: the platform's message id, the name `ref`
   * the message goes by in its chat (see `setMessageRef`), and a `note` kept as its last error (an
   * outcome that is not certain). Another worker never sees the item sent without its ref, so the next
   * item of the chat (an edit of that message) always finds it.
   */
  markOutboxSent(
    id: string,
    platformMessageId: string | undefined,
    now: Date,
    extra?: { ref?: string; note?: string },
  ): Promise<void>;
  /** Back to pending, not before `notBefore`; `countAttempt` false for rate-limit waits. */
  markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): Promise<void>;
  markOutboxDead(id: string, error: string, now: Date): Promise<void>;
  listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): Promise<OutboxItem[]>;

  /** Names a sent platform message (e.g. `card:T261128-0007`) so it can be edited or recognised later. */
  setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): Promise<void>;
  getMessageRef(channel: Channel, chatId: string, ref: string): Promise<string | undefined>;
  findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): Promise<string | undefined>;
  /**
   * Retention: deletes up to `limit` items that were sent before `before` (never pending, sending or dead
   * ones; message refs stay, so old cards can still be edited); returns how many.
   */
  pruneDeliveredOutbox(before: Date, limit: number): Promise<number>;
}
