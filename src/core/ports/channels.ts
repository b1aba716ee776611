/**
 * The channels' side of the ports: what a messaging platform's adapter offers the application (a sender
 * the dispatcher delivers the outbox through) and what handling an inbound message tells it back.
 * Adapters import these from here, never from the use cases.
 */
import type { Channel, OutboundAction } from '../types.js';

/** What a channel reports after trying to deliver one action. */
export type Delivery =
  | { status: 'sent'; platformMessageId?: string }
  /**
   * The platform asked us to wait (Telegram 429 retry_after): not counted as an attempt. `scope`
   * 'channel' when the adapter knows the wait is for the whole bot; otherwise the dispatcher holds the
   * chat, and the whole channel once several chats are told to wait at the same time.
   */
  | { status: 'rate_limited'; retryAfterMs: number; reason: string; scope?: 'chat' | 'channel' }
  /** Worth trying again later (5xx, a refused or reset connection): the message did not go. */
  | { status: 'transient'; reason: string }
  /**
   * No answer came (a timeout): the message may or may not have reached the chat, and sending it again
   * could show it twice.
   */
  | { status: 'unknown'; reason: string }
  /** The person blocked us or the bot was removed: stop for good and mark them unreachable. */
  | { status: 'unreachable'; reason: string }
  /**
   * The service's own chat (the staff group) refuses us: the bot was removed, lost its rights, or the
   * chat id is wrong. A configuration fault: kept and retried until it is fixed, never dropped.
   */
  | { status: 'misconfigured'; reason: string }
  /** The request itself is wrong (400): trying again cannot help. */
  | { status: 'rejected'; reason: string };

/** A configuration fault the dispatcher keeps meeting (see Delivery 'misconfigured'), for health checks. */
export interface DeliveryFault {
  channel: Channel;
  chatId: string;
  reason: string;
  /** When the first failure of this spell came. */
  since: Date;
  /** Failed attempts in this spell. */
  failures: number;
}

/** One messaging platform's outbound side. */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * Delivers one action. For an edit, `target` is the platform id of the message sent earlier under the
   * action's ref; for a send with `replyToRef`, the platform id of the message to reply to (absent when
   * that message was never sent here). Must not throw for platform errors: they are Delivery values.
   */
  deliver(chatId: string, action: OutboundAction, target?: string): Promise<Delivery>;
  /**
   * Milliseconds until this chat may be sent to; 0 means now, and the slot is taken. `cosmetic` asks for
   * allowance to spare only (for a change that merely tidies the chat): the answer then keeps room for
   * the next message that matters, so that tidying never delays it.
   */
  reserve?(chatId: string, now: number, opts?: { cosmetic?: boolean }): number;
  /**
   * How many messages the channel could send now within its limit for the bot as a whole, and when the
   * next place frees if none is free. The dispatcher leases no more than that, so that a full bot-wide
   * limit is waited out once rather than by every chat in turn.
   */
  capacity?(now: number): { free: number; waitMs: number };
  /**
   * Told this channel's configuration faults whenever they change (empty once all are fixed), so that
   * the adapter can show them on its health check.
   */
  reportFaults?(faults: readonly DeliveryFault[]): void;
}

/** What handling one inbound message tells the channel that received it. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer); `alert` for a dialog. */
  ack?: { text: string; alert?: boolean };
}
