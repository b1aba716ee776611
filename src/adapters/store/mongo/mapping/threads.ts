/**
 * Conversation threads and the message log ↔ their documents. Conversation state and message bodies are
 * opaque JSON to the store: kept as they read back from JSON, exactly as the SQLite store returns them.
 */

import type { ConversationState } from '../../../../core/flow/state.js';
import type { MessageLogEntry, Thread } from '../../../../core/ports.js';
import type { Channel } from '../../../../core/types.js';
import { asJson, need, put, reviveDate, type Stored } from './revive.js';

export interface ThreadDoc {
  channel: Channel;
  chatId: string;
  ownerId: string;
  state: ConversationState;
  updatedAt: Date;
}

export interface MessageDoc {
  channel: Channel;
  chatId: string;
  /** Order within the chat (from a per-chat counter). */
  seq: number;
  direction: 'in' | 'out';
  at: Date;
  messageId?: string;
  body: unknown;
}

export function threadToDoc(thread: Thread): ThreadDoc {
  return {
    channel: thread.channel,
    chatId: thread.chatId,
    ownerId: thread.ownerId,
    state: asJson(thread.state),
    updatedAt: new Date(thread.updatedAt.getTime()),
  };
}

export function threadFromDoc(doc: Stored<ThreadDoc>): Thread {
  return {
    channel: need(doc.channel, 'thread.channel'),
    chatId: need(doc.chatId, 'thread.chatId'),
    ownerId: need(doc.ownerId, 'thread.ownerId'),
    state: asJson(need(doc.state, 'thread.state')),
    updatedAt: reviveDate(doc.updatedAt, 'thread.updatedAt'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Message log

export function messageToDoc(entry: MessageLogEntry, seq: number): MessageDoc {
  const doc: MessageDoc = {
    channel: entry.channel,
    chatId: entry.chatId,
    seq,
    direction: entry.direction,
    at: new Date(entry.at.getTime()),
    body: asJson(entry.body),
  };
  put(doc, 'messageId', entry.messageId);
  return doc;
}

export function messageFromDoc(doc: Stored<MessageDoc>): MessageLogEntry {
  const entry: MessageLogEntry = {
    channel: need(doc.channel, 'message.channel'),
    chatId: need(doc.chatId, 'message.chatId'),
    direction: need(doc.direction, 'message.direction'),
    at: reviveDate(doc.at, 'message.at'),
    body: asJson(doc.body ?? null),
  };
  put(entry, 'messageId', doc.messageId);
  return entry;
}
