import type { StoreTx } from '../../core/ports.js';
import { formatTicketNumber } from '../../core/tickets/ticket.js';
import type { AppContext } from '../context.js';
import { businessDayKey } from '../render.js';

/**
 * The next ticket number of the business day `now` falls on (T261128-0001), from the day's sequence in the
 * caller's transaction: one numbering for owners' reports and the tickets staff take elsewhere.
 */
export async function nextTicketNumber(ctx: AppContext, tx: StoreTx, now: Date): Promise<string> {
  const dayKey = businessDayKey(now, ctx.settings.timeZone);
  return formatTicketNumber(dayKey, await tx.nextSequence(`ticket:${dayKey}`));
}
