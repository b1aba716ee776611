/** The outbox (ordered by a store-wide `seq`) and message refs in MongoDB. */
import type { NewOutboxItem, OutboxItem, OutboxStatus, OutboxStore } from '../../../core/ports.js';
import type { Channel } from '../../../core/types.js';
import { type MessageRefDoc, type OutboxDoc, outboxFromDoc, outboxToDoc } from './mapping.js';
import { bump, limitOf, MongoOps, UNFINISHED, upsert } from './transactions.js';

/** The note on a cosmetic edit that a later one of the same message made unnecessary. */
export const SUPERSEDED = 'superseded by a later edit of the same message';

/** What the claim reads of a chat's unfinished item. */
export interface QueuedItem {
  id: string;
  seq: number;
  status: OutboxStatus;
  notBefore: Date;
  leaseUntil?: Date | null;
  cosmetic?: boolean | null;
  kind: 'send' | 'edit';
  ref?: string | null;
}

/**
 * A chat's claimable item, of its unfinished items in `seq` order (the port's rule, see `claimOutbox`):
 * none while one is being sent; else the first due item that no earlier ordinary item holds up, where a
 * cosmetic one also waits for an earlier cosmetic one and gives way to any later ordinary item that is
 * due. A cosmetic edit with a later cosmetic edit of the same message queued is `superseded`.
 */
export function pickClaimable(
  items: readonly QueuedItem[],
  now: Date,
): { item: QueuedItem; superseded: boolean } | undefined {
  const t = now.getTime();
  const live = items.filter((i) => i.status === 'sending' && (i.leaseUntil?.getTime() ?? 0) >= t);
  if (live.length > 0) return undefined;
  const expired = items.find((i) => i.status === 'sending');
  if (expired) return { item: expired, superseded: false };
  const due = (i: QueuedItem) => i.notBefore.getTime() <= t;
  let cosmeticSeen = false;
  for (const [index, item] of items.entries()) {
    if (!item.cosmetic) {
      // The first ordinary item: due, it goes; not due, it holds up every later item.
      return due(item) ? { item, superseded: false } : undefined;
    }
    if (cosmeticSeen) continue;
    cosmeticSeen = true;
    if (!due(item)) continue;
    const later = items.slice(index + 1);
    if (later.some((l) => !l.cosmetic && due(l))) continue;
    const superseded = item.kind === 'edit' && later.some((l) => l.cosmetic && l.kind === 'edit' && l.ref === item.ref);
    return { item, superseded };
  }
  return undefined;
}

export class MongoOutbox extends MongoOps implements OutboxStore {
  /**
   * Takes a block of `seq` values from the store's counter inside the transaction, so that a lower seq
   * is never committed after a higher one: the order across the store is the order of commits.
   */
  async enqueue(items: NewOutboxItem[], now: Date): Promise<void> {
    if (items.length === 0) return;
    const last = await bump(this.m.sequences, 'outbox', items.length, this.session);
    const first = last - items.length + 1;
    // Nothing waits behind an item due later: each item is due no later than any later item of its chat
    // in this batch, and the chat's deferred items already queued are brought forward the same way.
    const soonest = new Map<string, Date>();
    const due: Date[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i] as NewOutboxItem;
      const key = `${item.channel}\u0000${item.chatId}`;
      const own = item.notBefore ?? now;
      const later = soonest.get(key);
      const at = later && later.getTime() < own.getTime() ? later : own;
      soonest.set(key, at);
      due[i] = at;
    }
    for (const item of items) {
      const at = soonest.get(`${item.channel}\u0000${item.chatId}`) as Date;
      if (!soonest.delete(`${item.channel}\u0000${item.chatId}`)) continue;
      await this.m.outbox.updateMany(
        {
          channel: item.channel,
          chatId: item.chatId,
          status: 'pending',
          attempts: 0,
          lastError: { $exists: false },
          notBefore: { $gt: at },
        },
        { $set: { notBefore: at } },
        this.o,
      );
    }
    const docs = items.map((item, i) =>
      outboxToDoc(
        {
          id: item.id,
          channel: item.channel,
          chatId: item.chatId,
          action: item.action,
          status: 'pending',
          attempts: 0,
          notBefore: due[i] as Date,
          createdAt: now,
          ...(item.cosmetic ? { cosmetic: true } : {}),
        },
        first + i,
      ),
    );
    await this.m.outbox.insertMany(docs, { ordered: true, ...this.o });
  }

  /**
   * Each chat's unfinished items are read in order (a few per chat) and its claimable one picked by
   * {@link pickClaimable}, the rule the SQLite adapter states in SQL; it is leased under the same
   * condition it was picked by, so one another worker took meanwhile is skipped.
   */
  async claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    const n = limitOf(limit);
    if (n === 0) return [];
    const deliverable: Record<string, unknown> = {
      $or: [
        { status: 'pending', notBefore: { $lte: now } },
        { status: 'sending', leaseUntil: { $lt: now } },
      ],
    };
    const chats = await this.m.outbox
      .aggregate<{ items: QueuedItem[] }>([
        { $match: { status: { $in: UNFINISHED } } },
        { $sort: { channel: 1, chatId: 1, seq: 1 } },
        {
          $group: {
            _id: { channel: '$channel', chatId: '$chatId' },
            first: { $first: '$seq' },
            items: {
              $push: {
                id: '$id',
                seq: '$seq',
                status: '$status',
                notBefore: '$notBefore',
                leaseUntil: '$leaseUntil',
                cosmetic: '$cosmetic',
                kind: '$action.kind',
                ref: '$action.ref',
              },
            },
          },
        },
        { $sort: { first: 1 } },
        { $project: { _id: 0, items: 1 } },
      ])
      .session(this.session ?? null);
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: OutboxItem[] = [];
    for (const { items } of chats) {
      if (n !== undefined && claimed.length >= n) break;
      const pick = pickClaimable(items, now);
      if (!pick) continue;
      if (pick.superseded) {
        // The later edit of the same message is picked next time; the chat's other items wait until then.
        await this.m.outbox.updateOne(
          { id: pick.item.id, status: 'pending' },
          { $set: { status: 'sent', lastError: SUPERSEDED, updatedAt: now } },
          this.o,
        );
        continue;
      }
      const doc = await this.m.outbox
        .findOneAndUpdate(
          { id: pick.item.id, ...deliverable },
          { $set: { status: 'sending', leaseOwner: worker, leaseUntil, updatedAt: now } },
          { returnDocument: 'after', ...this.o },
        )
        .lean<OutboxDoc>();
      if (!doc) continue;
      const item = outboxFromDoc(doc);
      if (pick.item.status === 'sending') item.takenOver = true;
      const ref = item.action.kind === 'edit' ? item.action.ref : item.action.message.replyToRef;
      if (ref !== undefined) {
        const target = await this.getMessageRef(item.channel, item.chatId, ref);
        if (target !== undefined) item.target = target;
      }
      const closes = item.action.kind === 'send' ? item.action.closes?.ref : undefined;
      if (closes !== undefined) {
        const closesTarget = await this.getMessageRef(item.channel, item.chatId, closes);
        if (closesTarget !== undefined) item.closesTarget = closesTarget;
      }
      claimed.push(item);
    }
    return claimed;
  }

  async renewOutboxLeases(ids: readonly string[], worker: string, leaseUntil: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.m.outbox.updateMany(
      { id: { $in: [...ids] }, status: 'sending', leaseOwner: worker },
      { $set: { leaseUntil } },
      this.o,
    );
    return result.modifiedCount;
  }

  /**
   * The ref is written before the status: outside a transaction that order is what keeps another
   * process from seeing the item sent (and leasing the chat's next item, an edit of it) without its ref.
   */
  async markOutboxSent(
    id: string,
    platformMessageId: string | undefined,
    now: Date,
    extra?: { ref?: string; note?: string },
  ): Promise<void> {
    if (extra?.ref !== undefined && platformMessageId !== undefined) {
      const item = await this.m.outbox
        .findOne({ id, status: { $in: UNFINISHED } }, { channel: 1, chatId: 1 }, this.o)
        .lean<Pick<OutboxDoc, 'channel' | 'chatId'>>();
      if (!item) return;
      await this.setMessageRef(item.channel, item.chatId, extra.ref, platformMessageId);
    }
    const set: Record<string, unknown> = { status: 'sent', updatedAt: now };
    const unset: Record<string, 1> = { leaseOwner: 1, leaseUntil: 1 };
    if (platformMessageId === undefined) unset.platformMessageId = 1;
    else set.platformMessageId = platformMessageId;
    if (extra?.note !== undefined) set.lastError = extra.note;
    await this.m.outbox.updateOne({ id, status: { $in: UNFINISHED } }, { $set: set, $unset: unset }, this.o);
  }

  async markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): Promise<void> {
    const set: Record<string, unknown> = { status: 'pending', notBefore };
    if (error !== undefined) set.lastError = error;
    await this.m.outbox.updateOne(
      { id, status: { $in: UNFINISHED } },
      { $set: set, $inc: { attempts: countAttempt ? 1 : 0 }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
      this.o,
    );
  }

  async markOutboxDead(id: string, error: string, now: Date): Promise<void> {
    await this.m.outbox.updateOne(
      { id, status: { $in: UNFINISHED } },
      { $set: { status: 'dead', lastError: error, updatedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
      this.o,
    );
  }

  async listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): Promise<OutboxItem[]> {
    const query: Record<string, unknown> = {};
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.channel !== undefined) query.channel = filter.channel;
    if (filter.chatId !== undefined) query.chatId = filter.chatId;
    const docs = await this.m.outbox.find(query, null, this.o).sort({ seq: 1 }).lean<OutboxDoc[]>();
    return docs.map(outboxFromDoc);
  }

  async setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): Promise<void> {
    await upsert(this.session, () =>
      this.m.messageRefs.updateOne(
        { channel, chatId, ref },
        { $set: { platformMessageId } satisfies Partial<MessageRefDoc> },
        { upsert: true, ...this.o },
      ),
    );
  }

  async getMessageRef(channel: Channel, chatId: string, ref: string): Promise<string | undefined> {
    const doc = await this.m.messageRefs.findOne({ channel, chatId, ref }, null, this.o).lean<MessageRefDoc>();
    return doc?.platformMessageId ?? undefined;
  }

  /** The ref created last for that message, as SQLite's rowid order has it. */
  async findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): Promise<string | undefined> {
    const doc = await this.m.messageRefs
      .findOne({ channel, chatId, platformMessageId }, null, this.o)
      .sort({ _id: -1 })
      .lean<MessageRefDoc>();
    return doc?.ref ?? undefined;
  }

  async pruneDeliveredOutbox(before: Date, limit: number): Promise<number> {
    const sent = await this.m.outbox
      .find({ status: 'sent', updatedAt: { $lt: before } }, { _id: 1 }, this.o)
      .limit(limit)
      .lean<{ _id: unknown }[]>();
    if (sent.length === 0) return 0;
    const ids = sent.map((d) => d._id);
    return (await this.m.outbox.deleteMany({ _id: { $in: ids }, status: 'sent' }, this.o)).deletedCount;
  }
}
