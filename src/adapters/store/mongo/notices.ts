/**
 * Notices in MongoDB: one document per notice, and one per delivery, unique per notice and owner (the
 * index refuses a second one, so a restart never sends twice).
 */
import {
  type Notice,
  type NoticeCounts,
  type NoticeDelivery,
  type NoticeStatus,
  type NoticeStore,
  StoreError,
} from '../../../core/ports.js';
import {
  deliveryFromDoc,
  deliveryToDoc,
  type NoticeDeliveryDoc,
  type NoticeDoc,
  noticeFromDoc,
  noticeToDoc,
} from './mapping.js';
import { isDuplicateKey, limitOf, MongoOps, upsert } from './transactions.js';

const DEFAULT_LIMIT = 100;

export class MongoNotices extends MongoOps implements NoticeStore {
  async createNotice(notice: Notice): Promise<void> {
    // Checked first so that a refusal inside a transaction does not abort it.
    if (await this.m.notices.exists({ id: notice.id }).session(this.session ?? null)) {
      throw new StoreError('STORE_CONFLICT', 'createNotice: the id is taken');
    }
    await this.m.notices.insertMany([noticeToDoc(notice)], this.o);
  }

  async saveNotice(notice: Notice): Promise<void> {
    const doc = noticeToDoc(notice);
    await upsert(this.session, () =>
      this.m.notices.replaceOne({ id: notice.id }, doc, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async getNotice(id: string): Promise<Notice | undefined> {
    const doc = await this.m.notices.findOne({ id }, null, this.o).lean<NoticeDoc>();
    return doc ? noticeFromDoc(doc) : undefined;
  }

  async listNotices(filter: { statuses?: NoticeStatus[]; activeAt?: Date; limit?: number } = {}): Promise<Notice[]> {
    const query: Record<string, unknown> = {};
    const and: Record<string, unknown>[] = [];
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      and.push({ status: { $in: [...filter.statuses] } });
    }
    if (filter.activeAt !== undefined) and.push({ status: 'published', validTo: { $gt: filter.activeAt } });
    if (and.length === 1) Object.assign(query, and[0]);
    else if (and.length > 1) query.$and = and;
    const n = limitOf(Math.max(0, filter.limit ?? DEFAULT_LIMIT));
    if (n === 0) return [];
    let find = this.m.notices.find(query, null, this.o).sort({ createdAt: -1, id: -1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<NoticeDoc[]>();
    return docs.map(noticeFromDoc);
  }

  async addNoticeDelivery(delivery: NoticeDelivery): Promise<boolean> {
    const { noticeId, ownerId, ...rest } = deliveryToDoc(delivery);
    try {
      const result = await this.m.noticeDeliveries.updateOne(
        { noticeId, ownerId },
        { $setOnInsert: rest },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      // Two first deliveries at once outside a transaction: the other one won.
      if (!this.session && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async getNoticeDelivery(noticeId: string, ownerId: string): Promise<NoticeDelivery | undefined> {
    const doc = await this.m.noticeDeliveries.findOne({ noticeId, ownerId }, null, this.o).lean<NoticeDeliveryDoc>();
    return doc ? deliveryFromDoc(doc) : undefined;
  }

  async saveNoticeDelivery(delivery: NoticeDelivery): Promise<void> {
    const doc = deliveryToDoc(delivery);
    await upsert(this.session, () =>
      this.m.noticeDeliveries.replaceOne({ noticeId: doc.noticeId, ownerId: doc.ownerId }, doc, {
        upsert: true,
        runValidators: true,
        ...this.o,
      }),
    );
  }

  async listNoticeDeliveries(
    noticeId: string,
    filter: { unread?: boolean; afterOwnerId?: string; limit?: number } = {},
  ): Promise<NoticeDelivery[]> {
    const query: Record<string, unknown> = { noticeId };
    // A delivery's readAt is absent until the owner reads it (null matches an absent field too).
    if (filter.unread) query.readAt = null;
    if (filter.afterOwnerId !== undefined) query.ownerId = { $gt: filter.afterOwnerId };
    const n = limitOf(Math.max(0, filter.limit ?? DEFAULT_LIMIT));
    if (n === 0) return [];
    let find = this.m.noticeDeliveries.find(query, null, this.o).sort({ ownerId: 1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<NoticeDeliveryDoc[]>();
    return docs.map(deliveryFromDoc);
  }

  async countNoticeDeliveries(noticeId: string): Promise<NoticeCounts> {
    const [counts] = await this.m.noticeDeliveries
      .aggregate<NoticeCounts>([
        { $match: { noticeId } },
        {
          $group: {
            _id: null,
            sent: { $sum: 1 },
            read: { $sum: { $cond: [{ $eq: [{ $type: '$readAt' }, 'date'] }, 1, 0] } },
          },
        },
        { $project: { _id: 0, sent: 1, read: 1 } },
      ])
      .session(this.session ?? null);
    return counts ?? { sent: 0, read: 0 };
  }
}
