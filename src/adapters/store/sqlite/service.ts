/**
 * The service figures of a period's tickets, as `/summary` shows them (and its charts: the places and the
 * revisit scores too), counted by SQLite itself: the
 * period is walked through the created_at index and each ticket's document read by SQLite's JSON functions
 * in C, so a month of tens of thousands of tickets is one aggregate row instead of tens of thousands of
 * documents parsed into objects. Only what needs the service-level calendar (business hours in the
 * configured zone) comes back ticket by ticket: the times of the accepted tickets, a few fields each.
 *
 * The figures are the same as walking the tickets (`firstResponseAt`, `revisit`, an `escalation` event,
 * `reopenCount`, the first `accept` event, `resolvedAt`), which test/app/reports.test.ts compares.
 */
import type Database from 'better-sqlite3';
import type { Period, TicketCursor } from '../../../core/ports.js';
import type { Ticket } from '../../../core/tickets/ticket.js';
import { pageLimit } from '../shared/reports.js';
import { ms, reviveDate } from './rows.js';

/** What a period's tickets show of the service, summed by the store. */
export interface ServiceTally {
  /** Tickets with a first staff response, and the sum of their waits for it (ms). */
  responded: number;
  responseMs: number;
  /** Tickets revisited, the sum of their scores, and those satisfied and solved. */
  revisited: number;
  scoreSum: number;
  satisfied: number;
  /** Tickets escalated at least once, and reopened at least once. */
  escalated: number;
  reopened: number;
}

/** An accepted ticket's times, against which its deadlines are checked. */
export interface AcceptedTimes {
  id: string;
  createdAt: Date;
  urgency: Ticket['urgency'];
  kind: Ticket['kind'];
  /** The first `accept` event of its timeline. */
  acceptedAt: Date;
  resolvedAt?: Date;
}

/** The service figures' queries, beside the ticket store's. */
export interface ServiceReads {
  countService(period: Period): ServiceTally;
  /** The accepted tickets created in `period`, oldest first (createdAt, then id), a page at a time. */
  listAccepted(
    period: Period,
    page?: { after?: TicketCursor; limit?: number },
  ): { items: AcceptedTimes[]; next?: TicketCursor };
  /** The period's tickets per place: a flat's building, a public area (`kind` public), or none given (null). */
  countPlaces(period: Period): PlaceCount[];
  /** The period's revisited tickets per score (the latest revisit's). */
  countScores(period: Period): { score: number; count: number }[];
  /** The period's tickets per category and responsibility (the columns of index tickets_created_counts). */
  countCategories(
    period: Period,
  ): { category: Ticket['category']; responsibility: Ticket['responsibility']; count: number }[];
}

/** How many of a period's tickets were in one place. */
export interface PlaceCount {
  kind: 'unit' | 'public' | null;
  building: string | null;
  count: number;
}

const RANGE = 'created_at >= @from AND created_at < @to';
/** An ISO instant of the document as integer UTC milliseconds (as the adapter's own columns hold them). */
const msOf = (path: string) => `CAST(round(unixepoch(doc ->> '${path}', 'subsec') * 1000) AS INTEGER)`;

interface AcceptedRow {
  id: string;
  created_at: number;
  urgency: Ticket['urgency'];
  kind: Ticket['kind'];
  accepted_at: string;
  resolved_at: string | null;
}

export function serviceOps(db: Database.Database): ServiceReads {
  const accepted = (after: string) =>
    `SELECT * FROM (
       SELECT id, created_at, doc ->> '$.urgency' AS urgency, kind,
         (SELECT e.value ->> '$.at' FROM json_each(doc, '$.timeline') AS e
            WHERE e.value ->> '$.action' = 'accept' ORDER BY e.key LIMIT 1) AS accepted_at,
         doc ->> '$.resolvedAt' AS resolved_at
       FROM tickets WHERE ${RANGE} ${after} ORDER BY created_at, id)
     WHERE accepted_at IS NOT NULL LIMIT @limit`;
  const s = {
    tally: db.prepare<[{ from: number; to: number }], ServiceTally>(
      `SELECT
         count(first_response) AS responded,
         coalesce(sum(first_response - created_at), 0) AS responseMs,
         count(revisit) AS revisited,
         coalesce(sum(CASE WHEN revisit IS NOT NULL THEN coalesce(revisit ->> '$.score', 0) END), 0) AS scoreSum,
         count(CASE WHEN revisit ->> '$.attitude' = 'satisfied' AND revisit ->> '$.solved' THEN 1 END) AS satisfied,
         count(CASE WHEN escalated THEN 1 END) AS escalated,
         count(CASE WHEN doc ->> '$.reopenCount' > 0 THEN 1 END) AS reopened
       FROM (
         SELECT created_at, doc, ${msOf('$.firstResponseAt')} AS first_response, doc -> '$.revisit' AS revisit,
           EXISTS (SELECT 1 FROM json_each(doc, '$.timeline') AS e WHERE e.value ->> '$.action' = 'escalation')
             AS escalated
         FROM tickets WHERE ${RANGE})`,
    ),
    places: db.prepare<[{ from: number; to: number }], PlaceCount>(
      `SELECT doc ->> '$.location.kind' AS kind,
         CASE WHEN doc ->> '$.location.kind' = 'unit' THEN doc ->> '$.location.building' END AS building,
         count(*) AS count
       FROM tickets WHERE ${RANGE} GROUP BY 1, 2`,
    ),
    scores: db.prepare<[{ from: number; to: number }], { score: number; count: number }>(
      `SELECT doc ->> '$.revisit.score' AS score, count(*) AS count
       FROM tickets WHERE ${RANGE} AND doc ->> '$.revisit.score' IS NOT NULL GROUP BY 1 ORDER BY 1`,
    ),
    categories: db.prepare<
      [{ from: number; to: number }],
      { category: Ticket['category']; responsibility: Ticket['responsibility']; count: number }
    >(`SELECT category, responsibility, count(*) AS count FROM tickets WHERE ${RANGE} GROUP BY 1, 2`),
    acceptedFirst: db.prepare<[{ from: number; to: number; limit: number }], AcceptedRow>(accepted('')),
    acceptedAfter: db.prepare<[{ from: number; to: number; at: number; id: string; limit: number }], AcceptedRow>(
      accepted('AND (created_at, id) > (@at, @id)'),
    ),
  };

  return {
    countService(period) {
      const row = s.tally.get({ from: ms(period.from), to: ms(period.to) });
      return row ?? { responded: 0, responseMs: 0, revisited: 0, scoreSum: 0, satisfied: 0, escalated: 0, reopened: 0 };
    },

    countPlaces(period) {
      return s.places.all({ from: ms(period.from), to: ms(period.to) });
    },

    countScores(period) {
      return s.scores.all({ from: ms(period.from), to: ms(period.to) });
    },

    countCategories(period) {
      return s.categories.all({ from: ms(period.from), to: ms(period.to) });
    },

    listAccepted(period, page = {}) {
      const limit = pageLimit(page.limit);
      const bounds = { from: ms(period.from), to: ms(period.to), limit: limit + 1 };
      const rows = page.after
        ? s.acceptedAfter.all({ ...bounds, at: ms(page.after.createdAt), id: page.after.id })
        : s.acceptedFirst.all(bounds);
      const items = rows.slice(0, limit).map((row): AcceptedTimes => {
        const times: AcceptedTimes = {
          id: row.id,
          createdAt: reviveDate(row.created_at, 'tickets.created_at'),
          urgency: row.urgency,
          kind: row.kind,
          acceptedAt: reviveDate(row.accepted_at, 'ticket.timeline.at'),
        };
        if (row.resolved_at !== null) times.resolvedAt = reviveDate(row.resolved_at, 'ticket.resolvedAt');
        return times;
      });
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
    },
  };
}
