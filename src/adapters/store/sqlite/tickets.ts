/**
 * Tickets in SQLite: a JSON document next to the columns the queries need (number, owner, assignee,
 * status, kind, category, responsibility, created time, and the time of a revisit that left a comment),
 * so that a period's tickets are walked and counted from indexes, never loaded to be filtered.
 */
import type Database from 'better-sqlite3';
import { type Period, type RevisitComment, TICKET_COUNT_FIELDS, type TicketStore } from '../../../core/ports.js';
import type { Ticket, TimelineEvent } from '../../../core/tickets/ticket.js';
import type { Sync } from '../shared/methods.js';
import { type CountRow, countsFrom, pageLimit } from '../shared/reports.js';
import { iso, ms, parseJson, placeholders, reviveDate, StatementCache } from './rows.js';

type TimelineEventDoc = Omit<TimelineEvent, 'at'> & { at: string };

type TicketDateField = 'createdAt' | 'updatedAt' | 'scheduledFor' | 'firstResponseAt' | 'resolvedAt' | 'closedAt';

type TicketDoc = Omit<Ticket, TicketDateField | 'timeline' | 'revisit'> & {
  revisit?: Omit<NonNullable<Ticket['revisit']>, 'at'> & { at: string };
  createdAt: string;
  updatedAt: string;
  scheduledFor?: string;
  firstResponseAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  timeline: TimelineEventDoc[];
};

function ticketToDoc(ticket: Ticket): TicketDoc {
  const { createdAt, updatedAt, scheduledFor, firstResponseAt, resolvedAt, closedAt, timeline, revisit, ...rest } =
    ticket;
  const doc: TicketDoc = {
    ...rest,
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    timeline: timeline.map((event) => ({ ...event, at: iso(event.at) })),
  };
  if (revisit) doc.revisit = { ...revisit, at: iso(revisit.at) };
  if (scheduledFor) doc.scheduledFor = iso(scheduledFor);
  if (firstResponseAt) doc.firstResponseAt = iso(firstResponseAt);
  if (resolvedAt) doc.resolvedAt = iso(resolvedAt);
  if (closedAt) doc.closedAt = iso(closedAt);
  return doc;
}

function ticketFromDoc(text: string): Ticket {
  const doc = parseJson<TicketDoc>(text, 'ticket');
  const { createdAt, updatedAt, scheduledFor, firstResponseAt, resolvedAt, closedAt, timeline, revisit, ...rest } = doc;
  const ticket: Ticket = {
    ...rest,
    createdAt: reviveDate(createdAt, 'ticket.createdAt'),
    updatedAt: reviveDate(updatedAt, 'ticket.updatedAt'),
    timeline: timeline.map((event) => ({ ...event, at: reviveDate(event.at, 'ticket.timeline.at') })),
  };
  if (scheduledFor !== undefined) ticket.scheduledFor = reviveDate(scheduledFor, 'ticket.scheduledFor');
  if (firstResponseAt !== undefined) ticket.firstResponseAt = reviveDate(firstResponseAt, 'ticket.firstResponseAt');
  if (resolvedAt !== undefined) ticket.resolvedAt = reviveDate(resolvedAt, 'ticket.resolvedAt');
  if (closedAt !== undefined) ticket.closedAt = reviveDate(closedAt, 'ticket.closedAt');
  if (revisit !== undefined) ticket.revisit = { ...revisit, at: reviveDate(revisit.at, 'ticket.revisit.at') };
  return ticket;
}

interface TicketColumns {
  id: string;
  number: string;
  owner_id: string;
  assignee_id: string | null;
  status: string;
  kind: string;
  category: string;
  responsibility: string;
  source: string;
  created_at: number;
  updated_at: number;
  revisit_comment_at: number | null;
  doc: string;
}

export function ticketOps(db: Database.Database): Sync<TicketStore> {
  const cache = new StatementCache(db);
  const doc = (sql: string) => db.prepare<[string], string>(sql).pluck();
  const range = 'created_at >= @from AND created_at < @to';
  const s = {
    getTicket: doc('SELECT doc FROM tickets WHERE id = ?'),
    getTicketByNumber: doc('SELECT doc FROM tickets WHERE number = ?'),
    upsertTicket: db.prepare<[TicketColumns]>(
      `INSERT INTO tickets (id, number, owner_id, assignee_id, status, kind, category, responsibility, source,
           created_at, updated_at, revisit_comment_at, doc)
         VALUES (@id, @number, @owner_id, @assignee_id, @status, @kind, @category, @responsibility, @source,
           @created_at, @updated_at, @revisit_comment_at, @doc)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, owner_id = excluded.owner_id,
           assignee_id = excluded.assignee_id, status = excluded.status, kind = excluded.kind,
           category = excluded.category, responsibility = excluded.responsibility, source = excluded.source,
           created_at = excluded.created_at,
           updated_at = excluded.updated_at, revisit_comment_at = excluded.revisit_comment_at, doc = excluded.doc`,
    ),
    // Index tickets_created_counts: (created_at, id, …) walks a period in order and counts it.
    createdFirst: db
      .prepare<[{ from: number; to: number; limit: number }], string>(
        `SELECT doc FROM tickets WHERE ${range} ORDER BY created_at, id LIMIT @limit`,
      )
      .pluck(),
    createdAfter: db
      .prepare<[{ from: number; to: number; at: number; id: string; limit: number }], string>(
        `SELECT doc FROM tickets WHERE ${range} AND (created_at, id) > (@at, @id) ORDER BY created_at, id LIMIT @limit`,
      )
      .pluck(),
    countCreated: db.prepare<[{ from: number; to: number }], CountRow>(
      [
        `SELECT 'total' AS field, NULL AS value, count(*) AS n FROM tickets WHERE ${range}`,
        ...TICKET_COUNT_FIELDS.map(
          (f) => `SELECT '${f}', ${f}, count(*) FROM tickets WHERE ${range} AND ${f} IS NOT NULL GROUP BY ${f}`,
        ),
      ].join(' UNION ALL '),
    ),
    // Index tickets_revisit_comment: only tickets whose revisit left a comment have the column.
    revisitComments: db.prepare<
      [{ from: number; to: number; limit: number }],
      { id: string; number: string; at: number; comment: string }
    >(
      `SELECT id, number, revisit_comment_at AS at, json_extract(doc, '$.revisit.comment') AS comment FROM tickets
         WHERE revisit_comment_at >= @from AND revisit_comment_at < @to
         ORDER BY revisit_comment_at, id LIMIT @limit`,
    ),
  };

  return {
    getTicket(id) {
      const found = s.getTicket.get(id);
      return found === undefined ? undefined : ticketFromDoc(found);
    },

    getTicketByNumber(number) {
      const found = s.getTicketByNumber.get(number);
      return found === undefined ? undefined : ticketFromDoc(found);
    },

    saveTicket(ticket) {
      const comment = ticket.revisit?.comment;
      s.upsertTicket.run({
        id: ticket.id,
        number: ticket.number,
        owner_id: ticket.ownerId,
        assignee_id: ticket.assignee?.id ?? null,
        status: ticket.status,
        kind: ticket.kind,
        category: ticket.category,
        responsibility: ticket.responsibility,
        source: ticket.source ?? 'chat',
        created_at: ms(ticket.createdAt),
        updated_at: ms(ticket.updatedAt),
        revisit_comment_at: ticket.revisit && comment ? ms(ticket.revisit.at) : null,
        doc: JSON.stringify(ticketToDoc(ticket)),
      });
    },

    /** An empty `statuses` matches nothing. */
    listTickets(query) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.ownerId !== undefined) {
        where.push('owner_id = ?');
        params.push(query.ownerId);
      }
      if (query.assigneeId !== undefined) {
        where.push('assignee_id = ?');
        params.push(query.assigneeId);
      }
      if (query.statuses !== undefined) {
        if (query.statuses.length === 0) return [];
        where.push(`status IN (${placeholders(query.statuses.length)})`);
        params.push(...query.statuses);
      }
      params.push(query.limit ?? 50);
      const sql = `SELECT doc FROM tickets ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY created_at DESC, rowid DESC LIMIT ?`;
      return cache
        .pluck<string>(sql)
        .all(...params)
        .map(ticketFromDoc);
    },

    listTicketsCreated(period, page = {}) {
      const limit = pageLimit(page.limit);
      const bounds = { from: ms(period.from), to: ms(period.to), limit: limit + 1 };
      const docs = page.after
        ? s.createdAfter.all({ ...bounds, at: ms(page.after.createdAt), id: page.after.id })
        : s.createdFirst.all(bounds);
      const tickets = docs.slice(0, limit).map(ticketFromDoc);
      const last = tickets[tickets.length - 1];
      return docs.length > limit && last ? { tickets, next: { createdAt: last.createdAt, id: last.id } } : { tickets };
    },

    countTicketsCreated(period) {
      return countsFrom(s.countCreated.all({ from: ms(period.from), to: ms(period.to) }));
    },

    listRevisitComments(period: Period, options: { limit?: number } = {}): RevisitComment[] {
      const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
      return s.revisitComments.all({ from: ms(period.from), to: ms(period.to), limit }).map((row) => ({
        ticketId: row.id,
        number: row.number,
        at: reviveDate(row.at, 'tickets.revisit_comment_at'),
        comment: row.comment,
      }));
    },
  };
}
