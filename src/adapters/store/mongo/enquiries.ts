/** Enquiries in MongoDB: one document per enquiry, and one per staff-saved knowledge entry. */
import type { KnowledgeEntry, KnowledgeTopic } from '../../../core/knowledge/entry.js';
import { KNOWLEDGE_TOPICS } from '../../../core/knowledge/entry.js';
import {
  type Enquiry,
  type EnquiryCounts,
  type EnquiryStatus,
  type EnquiryStore,
  type Period,
  StoreError,
} from '../../../core/ports.js';
import {
  type EnquiryDoc,
  enquiryFromDoc,
  enquiryToDoc,
  type KnowledgeEntryDoc,
  knowledgeEntryFromDoc,
  knowledgeEntryToDoc,
} from './mapping.js';
import { limitOf, MongoOps, upsert } from './transactions.js';

const DEFAULT_LIMIT = 100;

/** One group of a period's enquiries, as the count pipeline returns it. */
interface CountGroup {
  _id: { status: EnquiryStatus; turnedDown: boolean; hasAnswer: boolean; topic?: string | null };
  n: number;
}

export class MongoEnquiries extends MongoOps implements EnquiryStore {
  async createEnquiry(enquiry: Enquiry): Promise<void> {
    // Checked first so that a refusal inside a transaction does not abort it.
    if (await this.m.enquiries.exists({ id: enquiry.id }).session(this.session ?? null)) {
      throw new StoreError('STORE_CONFLICT', 'createEnquiry: the id is taken');
    }
    await this.m.enquiries.insertMany([enquiryToDoc(enquiry)], this.o);
  }

  async saveEnquiry(enquiry: Enquiry): Promise<void> {
    const doc = enquiryToDoc(enquiry);
    await upsert(this.session, () =>
      this.m.enquiries.replaceOne({ id: enquiry.id }, doc, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async getEnquiry(id: string): Promise<Enquiry | undefined> {
    const doc = await this.m.enquiries.findOne({ id }, null, this.o).lean<EnquiryDoc>();
    return doc ? enquiryFromDoc(doc) : undefined;
  }

  async listEnquiries(
    filter: { statuses?: EnquiryStatus[]; ownerId?: string; period?: Period; limit?: number } = {},
  ): Promise<Enquiry[]> {
    const query: Record<string, unknown> = {};
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    if (filter.ownerId !== undefined) query.ownerId = filter.ownerId;
    if (filter.period !== undefined) query.askedAt = { $gte: filter.period.from, $lt: filter.period.to };
    const n = limitOf(Math.max(0, filter.limit ?? DEFAULT_LIMIT));
    if (n === 0) return [];
    let find = this.m.enquiries.find(query, null, this.o).sort({ askedAt: -1, id: -1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<EnquiryDoc[]>();
    return docs.map(enquiryFromDoc);
  }

  async countEnquiries(period: Period): Promise<EnquiryCounts> {
    const groups = await this.m.enquiries
      .aggregate<CountGroup>([
        { $match: { askedAt: { $gte: period.from, $lt: period.to } } },
        {
          $group: {
            _id: {
              status: '$status',
              turnedDown: { $eq: ['$helpful', false] },
              hasAnswer: { $and: [{ $eq: [{ $type: '$answer' }, 'string'] }, { $ne: ['$answer', ''] }] },
              topic: '$topic',
            },
            n: { $sum: 1 },
          },
        },
      ])
      .session(this.session ?? null);
    const counts: EnquiryCounts = { total: 0, answered: 0, staff: 0, unanswered: 0, byTopic: {} };
    for (const { _id: group, n } of groups) {
      counts.total += n;
      if (group.status === 'answered' && !group.turnedDown) counts.answered += n;
      else if (group.status === 'staff') counts.staff += n;
      else if (group.status === 'waiting' || (group.status === 'closed' && !group.hasAnswer)) counts.unanswered += n;
      const topic = group.topic;
      if (typeof topic === 'string' && (KNOWLEDGE_TOPICS as readonly string[]).includes(topic)) {
        counts.byTopic[topic as KnowledgeTopic] = (counts.byTopic[topic as KnowledgeTopic] ?? 0) + n;
      }
    }
    return counts;
  }

  async saveKnowledgeEntry(entry: KnowledgeEntry): Promise<void> {
    const doc = knowledgeEntryToDoc(entry);
    await upsert(this.session, () =>
      this.m.knowledgeEntries.replaceOne({ id: entry.id }, doc, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async listKnowledgeEntries(): Promise<KnowledgeEntry[]> {
    const docs = await this.m.knowledgeEntries
      .find({}, null, this.o)
      .sort({ createdAt: 1, id: 1 })
      .lean<KnowledgeEntryDoc[]>();
    return docs.map(knowledgeEntryFromDoc);
  }

  async deleteKnowledgeEntry(id: string): Promise<boolean> {
    const result = await this.m.knowledgeEntries.deleteOne({ id }, this.o);
    return result.deletedCount === 1;
  }
}
