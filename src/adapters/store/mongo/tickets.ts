/** Tickets in MongoDB, and the indexed date-range queries reports are made of. */
import {
  type Period,
  type RevisitComment,
  StoreError,
  TICKET_COUNT_FIELDS,
  type TicketCountField,
  type TicketCounts,
  type TicketCursor,
  type TicketPage,
  type TicketQuery,
  type TicketStore,
} from '../../../core/ports.js';
import type { Ticket } from '../../../core/tickets/ticket.js';
import { type CountRow, countsFrom, pageLimit } from '../shared/reports.js';
import { type TicketDoc, ticketFromDoc, ticketToDoc } from './mapping.js';
import { limitOf, MongoOps } from './transactions.js';

export class MongoTickets extends MongoOps implements TicketStore {
  async getTicket(id: string): Promise<Ticket | undefined> {
    const doc = await this.m.tickets.findOne({ id }, null, this.o).lean<TicketDoc>();
    return doc ? ticketFromDoc(doc) : undefined;
  }

  async getTicketByNumber(number: string): Promise<Ticket | undefined> {
    const doc = await this.m.tickets.findOne({ number }, null, this.o).lean<TicketDoc>();
    return doc ? ticketFromDoc(doc) : undefined;
  }

  async saveTicket(ticket: Ticket): Promise<void> {
    const clash = await this.m.tickets
      .findOne({ number: ticket.number, id: { $ne: ticket.id } }, { id: 1 }, this.o)
      .lean();
    if (clash) throw new StoreError('STORE_CONFLICT', 'saveTicket: another ticket has this number');
    await this.m.tickets.replaceOne({ id: ticket.id }, ticketToDoc(ticket), {
      upsert: true,
      runValidators: true,
      ...this.o,
    });
  }

  /** Newest first, ties in the order the tickets were first saved; an empty `statuses` matches nothing. */
  async listTickets(query: TicketQuery): Promise<Ticket[]> {
    const filter: Record<string, unknown> = {};
    if (query.ownerId !== undefined) filter.ownerId = query.ownerId;
    if (query.assigneeId !== undefined) filter['assignee.id'] = query.assigneeId;
    if (query.statuses !== undefined) {
      if (query.statuses.length === 0) return [];
      filter.status = { $in: [...query.statuses] };
    }
    const n = limitOf(query.limit ?? 50);
    if (n === 0) return [];
    let find = this.m.tickets.find(filter, null, this.o).sort({ createdAt: -1, _id: -1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<TicketDoc[]>();
    return docs.map(ticketFromDoc);
  }

  /** Oldest first (createdAt, then id), one more than the page to know whether another follows; index tickets_created_page. */
  async listTicketsCreated(period: Period, page: { after?: TicketCursor; limit?: number } = {}): Promise<TicketPage> {
    const limit = pageLimit(page.limit);
    const filter: Record<string, unknown> = { createdAt: { $gte: period.from, $lt: period.to } };
    if (page.after) {
      filter.$or = [
        { createdAt: { $gt: page.after.createdAt } },
        { createdAt: page.after.createdAt, id: { $gt: page.after.id } },
      ];
    }
    const docs = await this.m.tickets
      .find(filter, null, this.o)
      .sort({ createdAt: 1, id: 1 })
      .limit(limit + 1)
      .lean<TicketDoc[]>();
    const tickets = docs.slice(0, limit).map(ticketFromDoc);
    const last = tickets[tickets.length - 1];
    return docs.length > limit && last ? { tickets, next: { createdAt: last.createdAt, id: last.id } } : { tickets };
  }

  /** One aggregation: the period's range on tickets_created_page, then a group per field. */
  async countTicketsCreated(period: Period): Promise<TicketCounts> {
    const groups = Object.fromEntries(
      // A ticket without a source (every one before sources were kept) came through the chat.
      TICKET_COUNT_FIELDS.map((f) => [
        f,
        [{ $group: { _id: f === 'source' ? { $ifNull: ['$source', 'chat'] } : `$${f}`, n: { $sum: 1 } } }],
      ]),
    );
    const [facets] = await this.m.tickets
      .aggregate<Record<TicketCountField, { _id: string | null; n: number }[]> & { total: { n: number }[] }>([
        { $match: { createdAt: { $gte: period.from, $lt: period.to } } },
        { $facet: { total: [{ $count: 'n' }], ...groups } },
      ])
      .session(this.session ?? null);
    const rows: CountRow[] = [{ field: 'total', value: null, n: facets?.total[0]?.n ?? 0 }];
    for (const field of TICKET_COUNT_FIELDS) {
      for (const group of facets?.[field] ?? []) rows.push({ field, value: group._id, n: group.n });
    }
    return countsFrom(rows);
  }

  /** Index tickets_revisit_comment (partial: only revisits with a comment). */
  async listRevisitComments(period: Period, options: { limit?: number } = {}): Promise<RevisitComment[]> {
    const n = options.limit === undefined ? undefined : limitOf(Math.max(0, options.limit));
    if (n === 0) return [];
    let find = this.m.tickets
      .find(
        { 'revisit.at': { $gte: period.from, $lt: period.to }, 'revisit.comment': { $type: 'string', $ne: '' } },
        { id: 1, number: 1, revisit: 1 },
        this.o,
      )
      .sort({ 'revisit.at': 1, id: 1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<Pick<TicketDoc, 'id' | 'number' | 'revisit'>[]>();
    return docs.flatMap((doc) =>
      doc.revisit?.comment
        ? [{ ticketId: doc.id, number: doc.number, at: new Date(doc.revisit.at), comment: doc.revisit.comment }]
        : [],
    );
  }
}
