import type { ConversationState } from '../flow/state.js';
import type { Channel } from '../types.js';

/** One chat's conversation: who it belongs to and where its flow stands. */
export interface Thread {
  channel: Channel;
  chatId: string;
  ownerId: string;
  state: ConversationState;
  updatedAt: Date;
}

/** Every inbound and outbound message is logged with its thread: nothing an owner said is ever lost. */
export interface MessageLogEntry {
  channel: Channel;
  chatId: string;
  direction: 'in' | 'out';
  at: Date;
  /** Platform message id (inbound) or outbox id (outbound). */
  messageId?: string;
  /** The normalised content (inbound) or the outbound action. */
  body: unknown;
}

/** Conversations, the message log and inbound dedupe. */
export interface ThreadStore {
  /** Records an inbound platform message id; false when it was seen before (a redelivery). */
  markInbound(channel: Channel, messageId: string, at: Date): Promise<boolean>;

  getThread(channel: Channel, chatId: string): Promise<Thread | undefined>;
  saveThread(thread: Thread): Promise<void>;

  logMessage(entry: MessageLogEntry): Promise<void>;
  /** Oldest first, the last `limit` entries. */
  listMessages(channel: Channel, chatId: string, limit?: number): Promise<MessageLogEntry[]>;
  /**
   * Retention: deletes up to `limit` of the oldest log entries logged before `before`; returns how many.
   * What reads the log: an owner's last minutes (quiet hours) and a chat's latest message (a notice's
   * button number typed); the retention age decides how old a notice can be and still be answered so.
   */
  pruneMessages(before: Date, limit: number): Promise<number>;
}
