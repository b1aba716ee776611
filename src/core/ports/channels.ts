/**
 * The channels' side of the ports: what a messaging platform's adapter offers the application (a sender
 * the dispatcher delivers the outbox through) and what handling an inbound message tells it back.
 * Adapters import these from here, never from the use cases.
 */
import type { Channel, OutboundAction } from '../types.js';

/** What a channel reports after trying to deliver one action. */
export type Delivery =
  | { status: 'sent'; platformMessageId?: string }
  /** The platform asked us to wait (Telegram 429 retry_after): not counted as an attempt. */
  | { status: 'rate_limited'; retryAfterMs: number; reason: string }
  /** Worth trying again later (5xx, network). */
  | { status: 'transient'; reason: string }
  /** The person blocked us or the bot was removed: stop for good and mark them unreachable. */
  | { status: 'unreachable'; reason: string }
  /** The request itself is wrong (400): trying again cannot help. */
  | { status: 'rejected'; reason: string };

/** One messaging platform's outbound side. */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * Delivers one action. For an edit, `target` is the platform id of the message sent earlier under the
   * action's ref; for a send with `replyToRef`, the platform id of the message to reply to (absent when
   * that message was never sent here). Must not throw for platform errors: they are Delivery values.
   */
  deliver(chatId: string, action: OutboundAction, target?: string): Promise<Delivery>;
  /** Milliseconds until this chat may be sent to; 0 means now, and the slot is taken. */
  reserve?(chatId: string, now: number): number;
}

/** What handling one inbound message tells the channel that received it. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer); `alert` for a dialog. */
  ack?: { text: string; alert?: boolean };
}
