/** Praise in MongoDB: one document per praise, read back by period. */
import type { Period, Praise, PraiseCounts, PraiseStore, PraiseTeam } from '../../../core/ports.js';
import type { PraiseDoc, Stored } from './mapping.js';
import { MongoOps, upsert } from './transactions.js';

const DEFAULT_LIMIT = 100;

function fromDoc(doc: Stored<PraiseDoc>): Praise {
  return {
    id: String(doc.id),
    ownerId: String(doc.ownerId),
    channel: doc.channel as Praise['channel'],
    text: String(doc.text),
    team: doc.team as PraiseTeam,
    ...(doc.staff ? { staff: { id: doc.staff.id, name: doc.staff.name } } : {}),
    ...(typeof doc.place === 'string' ? { place: doc.place } : {}),
    at: new Date(doc.at as Date),
  };
}

export class MongoPraise extends MongoOps implements PraiseStore {
  async addPraise(praise: Praise): Promise<void> {
    const { id, ...rest } = praise;
    await upsert(this.session, () =>
      this.m.praise.updateOne(
        { id },
        { $setOnInsert: rest satisfies Omit<PraiseDoc, 'id'> },
        { upsert: true, ...this.o },
      ),
    );
  }

  async listPraise(period: Period, limit = DEFAULT_LIMIT): Promise<Praise[]> {
    const docs = await this.m.praise
      .find({ at: { $gte: period.from, $lt: period.to } }, null, this.o)
      .sort({ at: -1, id: -1 })
      .limit(limit)
      .lean<Stored<PraiseDoc>[]>();
    return docs.map(fromDoc);
  }

  async countPraise(period: Period): Promise<PraiseCounts> {
    const rows = await this.m.praise
      .aggregate<{ _id: string; n: number }>([
        { $match: { at: { $gte: period.from, $lt: period.to } } },
        { $group: { _id: '$team', n: { $sum: 1 } } },
      ])
      .session(this.session ?? null);
    const counts: PraiseCounts = { total: 0, byTeam: {} };
    for (const row of rows) {
      counts.total += row.n;
      counts.byTeam[row._id as PraiseTeam] = row.n;
    }
    return counts;
  }
}
