/** Threads, the message log (numbered per chat) and inbound dedupe in MongoDB. */
import type { MessageLogEntry, Thread, ThreadStore } from '../../../core/ports.js';
import type { Channel } from '../../../core/types.js';
import {
  type InboundDoc,
  type MessageDoc,
  messageFromDoc,
  messageToDoc,
  type ThreadDoc,
  threadFromDoc,
  threadToDoc,
} from './mapping.js';
import { bump, isDuplicateKey, limitOf, MongoOps, upsert } from './transactions.js';

export class MongoThreads extends MongoOps implements ThreadStore {
  async markInbound(channel: Channel, messageId: string, at: Date): Promise<boolean> {
    try {
      const result = await this.m.inbound.updateOne(
        { channel, messageId },
        { $setOnInsert: { at: new Date(at.getTime()) } satisfies Partial<InboundDoc> },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      // The same id delivered to two processes at once: one of them records it.
      if (!this.session && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async getThread(channel: Channel, chatId: string): Promise<Thread | undefined> {
    const doc = await this.m.threads.findOne({ channel, chatId }, null, this.o).lean<ThreadDoc>();
    return doc ? threadFromDoc(doc) : undefined;
  }

  async saveThread(thread: Thread): Promise<void> {
    const doc = threadToDoc(thread);
    await upsert(this.session, () =>
      this.m.threads.replaceOne({ channel: thread.channel, chatId: thread.chatId }, doc, {
        upsert: true,
        runValidators: true,
        ...this.o,
      }),
    );
  }

  /** Numbered per chat from a counter, so that the chat's order is the order of logging. */
  async logMessage(entry: MessageLogEntry): Promise<void> {
    const seq = await bump(this.m.sequences, `message_log:${entry.channel}:${entry.chatId}`, 1, this.session);
    await this.m.messages.insertMany([messageToDoc(entry, seq)], this.o);
  }

  async listMessages(channel: Channel, chatId: string, limit = 100): Promise<MessageLogEntry[]> {
    const n = limitOf(limit);
    if (n === 0) return [];
    let query = this.m.messages.find({ channel, chatId }, null, this.o).sort({ seq: -1 });
    if (n !== undefined) query = query.limit(n);
    const docs = await query.lean<MessageDoc[]>();
    return docs.reverse().map(messageFromDoc);
  }

  /** The oldest `limit` entries in insertion (_id) order, those logged before `before` deleted. */
  async pruneMessages(before: Date, limit: number): Promise<number> {
    const oldest = await this.m.messages
      .find({}, { _id: 1, at: 1 }, this.o)
      .sort({ _id: 1 })
      .limit(limit)
      .lean<{ _id: unknown; at: Date }[]>();
    const ids = oldest.filter((d) => d.at.getTime() < before.getTime()).map((d) => d._id);
    if (ids.length === 0) return 0;
    return (await this.m.messages.deleteMany({ _id: { $in: ids } }, this.o)).deletedCount;
  }
}
