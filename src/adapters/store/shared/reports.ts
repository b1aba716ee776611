/** What both stores' report queries share: the page size and the shape of a period's counts. */
import { TICKET_COUNT_FIELDS, type TicketCountField, type TicketCounts } from '../../../core/ports.js';

/** The page size when none is asked for. */
const DEFAULT_PAGE = 200;

/** A page's size: the one asked for (at least 1), else {@link DEFAULT_PAGE}. */
export function pageLimit(limit: number | undefined): number {
  return Math.max(1, Math.floor(limit ?? DEFAULT_PAGE));
}

/** One count of a period's tickets: the total (`value` null), or the tickets with one value of a field. */
export interface CountRow {
  field: 'total' | TicketCountField;
  value: string | null;
  n: number;
}

/** Rows of counts as {@link TicketCounts} (a field's missing value is not counted under any value). */
export function countsFrom(rows: readonly CountRow[]): TicketCounts {
  const counts: TicketCounts = { total: 0, kind: {}, category: {}, responsibility: {}, status: {}, source: {} };
  for (const { field, value, n } of rows) {
    if (field === 'total') counts.total = n;
    else if (value !== null && TICKET_COUNT_FIELDS.includes(field)) {
      (counts[field] as Record<string, number>)[value] = n;
    }
  }
  return counts;
}
