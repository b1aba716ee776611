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
}

export interface NewOutboxItem {
  id: string;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  notBefore?: Date;
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
   * Leases deliverable items: for each chat only its oldest undelivered item (so order holds), and
   * only when it is pending with `notBefore <= now`, or sending with an expired lease.
   */
  claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  markOutboxSent(id: string, platformMessageId: string | undefined, now: Date): Promise<void>;
  /** Back to pending, not before `notBefore`; `countAttempt` false for rate-limit waits. */
  markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): Promise<void>;
  markOutboxDead(id: string, error: string, now: Date): Promise<void>;
  listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): Promise<OutboxItem[]>;

  /** Names a sent platform message (e.g. `card:T261128-0007`) so it can be edited or recognised later. */
  setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): Promise<void>;
  getMessageRef(channel: Channel, chatId: string, ref: string): Promise<string | undefined>;
  findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): Promise<string | undefined>;
}
