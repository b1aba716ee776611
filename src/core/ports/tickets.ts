import type { Ticket, TicketStatus } from '../tickets/ticket.js';

export interface TicketQuery {
  ownerId?: string;
  assigneeId?: string;
  statuses?: readonly TicketStatus[];
  /** Newest first; default 50. */
  limit?: number;
}

/** The instants from `from` (included) to `to` (excluded). */
export interface Period {
  from: Date;
  to: Date;
}

/** Where a page of tickets ended: the next page starts after this ticket. */
export interface TicketCursor {
  createdAt: Date;
  id: string;
}

/** One page of a period's tickets; `next` is there when more may follow. */
export interface TicketPage {
  tickets: Ticket[];
  next?: TicketCursor;
}

/** The fields a period's tickets are counted by. */
export const TICKET_COUNT_FIELDS = ['kind', 'category', 'responsibility', 'status', 'source'] as const;
export type TicketCountField = (typeof TICKET_COUNT_FIELDS)[number];

/**
 * A period's tickets counted in total and by each field's value (values with no ticket are absent). A
 * ticket without a source is counted under `chat`.
 */
export type TicketCounts = { total: number } & {
  [F in TicketCountField]: Partial<Record<NonNullable<Ticket[F]>, number>>;
};

/** A comment an owner left at a revisit. */
export interface RevisitComment {
  ticketId: string;
  number: string;
  /** When the revisit was recorded. */
  at: Date;
  comment: string;
}

/** Tickets, and the date-range queries reports are made of (each indexed in every store). */
export interface TicketStore {
  getTicket(id: string): Promise<Ticket | undefined>;
  getTicketByNumber(number: string): Promise<Ticket | undefined>;
  /** Inserts or replaces a ticket (unique by id and by number). */
  saveTicket(ticket: Ticket): Promise<void>;
  listTickets(query: TicketQuery): Promise<Ticket[]>;

  /**
   * The tickets created in `period`, oldest first (createdAt, then id), `limit` (default 200) at a time:
   * pass a page's `next` as `after` for the following one. Any period of any length can be walked.
   */
  listTicketsCreated(period: Period, page?: { after?: TicketCursor; limit?: number }): Promise<TicketPage>;
  /** The tickets created in `period`, counted by kind, category, responsibility and status. */
  countTicketsCreated(period: Period): Promise<TicketCounts>;
  /**
   * The non-empty comments of revisits recorded in `period`, oldest first (revisit time, then ticket id),
   * at most `limit` when given.
   */
  listRevisitComments(period: Period, options?: { limit?: number }): Promise<RevisitComment[]>;
}

/** Every ticket created in `period`, page by page, through the store's indexed range query. */
export async function* ticketsCreatedIn(
  store: Pick<TicketStore, 'listTicketsCreated'>,
  period: Period,
  pageSize = 200,
): AsyncGenerator<Ticket> {
  let after: TicketCursor | undefined;
  do {
    const page = await store.listTicketsCreated(period, { limit: pageSize, ...(after ? { after } : {}) });
    yield* page.tickets;
    after = page.next;
  } while (after);
}
