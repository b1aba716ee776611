/**
 * The channels' side of the ports: what a messaging platform's adapter offers the application (a sender
 * the dispatcher delivers the outbox through) and what handling an inbound message tells it back.
 * Adapters import these from here, never from the use cases.
 */
import type { Channel, MessagePurpose, OutboundAction } from '../types.js';
import type { StoredFile } from './files.js';

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
  /**
   * The request itself is wrong (400): trying again cannot help. `window` says why when the cause is the
   * channel's free-form reply window (WeChat Service Account 45015: closed; 45047: its messages spent):
   * the message itself was fine, and the outbox may send the channel's notification form instead.
   */
  | { status: 'rejected'; reason: string; window?: 'closed' | 'quota' };

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

/**
 * A free-form reply window (issue 18): what the person's own action lets the channel send freely, and for
 * how long. A WeChat Service Account's 客服消息: 5 messages within 48 hours of the owner's message; 3
 * within 1 minute of a follow, a QR scan or a menu click (which gives no 48-hour allowance).
 */
export interface ReplyWindowRule {
  /** What opens it: a message the person sent, or an event (follow, scan, menu click). */
  opensOn: 'message' | 'event';
  lastsMs: number;
  maxMessages: number;
}

/**
 * What a channel may send and when, declared once by its sender, for the outbox to check each message
 * against (issue 18, item 1). A channel without `replyWindows` may send at any time.
 */
export interface ChannelCapabilities {
  /** Inline buttons; without them choices go as numbered text (see adapters/channels/shared/plain-text.ts). */
  buttons: boolean;
  /** Whether a sent message can be edited in place. */
  edit: boolean;
  /** The longest text sent as one message (UTF-16 code units); longer texts go as several, each counted. */
  maxTextLength: number;
  replyWindows?: readonly ReplyWindowRule[];
  /** Which generated files it delivers (OutboundMessage.attachments); absent: images as one album and documents. */
  files?: FileCapabilities;
}

/**
 * What a channel does with a message's generated files. Whatever it cannot send is named in the text
 * instead (so a reader knows something is missing), never dropped in silence.
 */
export interface FileCapabilities {
  images: boolean;
  documents: boolean;
  /** Several images as one album (Telegram's media group); otherwise one image message each. */
  album: boolean;
}

/**
 * What a sender saw of one chat's reply windows since it started (kept in memory, so undefined after a
 * restart until the person writes again: the outbox then reads the chat's log instead). Every part of a
 * split text counts as a message sent.
 */
export interface ReplyWindowState {
  /** The person's last message, which opened the long window. */
  lastMessageAt?: Date;
  /** Free-form messages delivered since `lastMessageAt`. */
  sentSinceMessage: number;
  /** The last follow, QR scan or menu click, which opened the short window. */
  lastEventAt?: Date;
  /** Free-form messages delivered since `lastEventAt`. */
  sentSinceEvent: number;
}

/** One messaging platform's outbound side. */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * Delivers one action. For an edit, `target` is the platform id of the message sent earlier under the
   * action's ref; for a send with `replyToRef`, the platform id of the message to reply to (absent when
   * that message was never sent here). `files` holds the bytes of the message's attachments, by file id,
   * read by the dispatcher (an attachment missing from it was removed: the text says so). Must not throw
   * for platform errors: they are Delivery values.
   */
  deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery>;
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
  /** What this channel may send and when; absent: buttons, edits and no reply window (Telegram's rules). */
  readonly capabilities?: ChannelCapabilities;
  /** The chat's reply windows as this sender saw them (see ReplyWindowState); only for channels that have them. */
  replyWindow?(chatId: string): ReplyWindowState | undefined;
  /**
   * Which reply window an inbound message of this chat opened, by the id the channel gave it (as the
   * thread's log keeps it): the outbox reads the log after a restart, when `replyWindow` knows nothing.
   */
  opensWindow?(messageId: string): ReplyWindowRule['opensOn'] | undefined;
  /**
   * How many platform messages delivering this action takes (a long text goes in parts, each photo as
   * one), for the reply windows' count; 0 for an action the channel settles without sending anything.
   */
  partsOf?(action: OutboundAction): number;
  /** Whether the channel has a notification form configured for this kind of message. */
  canNotify?(kind: MessagePurpose['kind']): boolean;
  /**
   * Sends the channel's notification form (WeChat Service Account: a template message) in place of a
   * message its reply window refuses. Must not throw for platform errors, as `deliver`.
   */
  notify?(chatId: string, notification: Notification): Promise<Delivery>;
}

/**
 * What a notification sent in place of a message says (issue 18, item 1): the message's purpose, its
 * first line, and when it was written (already in the estate's time zone), for a template's fields.
 */
export interface Notification {
  purpose: MessagePurpose;
  /** The message's first line, as the owner would have read it. */
  text: string;
  /** When the message was written, e.g. 2026-11-28 14:05 in the estate's time zone. */
  when: string;
}

/** What handling one inbound message tells the channel that received it. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer); `alert` for a dialog. */
  ack?: { text: string; alert?: boolean };
}
