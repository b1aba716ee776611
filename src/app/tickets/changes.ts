/**
 * One handler for "a ticket changed": whoever changes a ticket (the desk, the revisit, the service-level
 * jobs) says what the change calls for, and this module carries it out in one order, in the caller's
 * transaction: save the ticket (and put a staff member's change on the audit log), edit its card, take back the owner's questions it overtakes, tell the
 * staff rooms, restart or stop its deadlines, and tell the owner (when the owner cannot be reached in chat,
 * staff are asked to phone them). Deciding whether the change is allowed stays with the caller.
 */
import type { StoreTx } from '../../core/ports.js';
import type { SlaPhase } from '../../core/tickets/sla.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import type { Address, OutboundMessage } from '../../core/types.js';
import { recordTicketChange } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import type { TicketOwnerReach } from '../owner/conversations.js';
import type { CardMode } from '../render.js';
import { cancelDeadlines, scheduleDeadlines } from './timers.js';

/** What the owner is told of a change: a notice (a locale key), or a question (a flow about the ticket). */
export type OwnerNotice =
  | { notify: string; params?: Record<string, string | number>; photos?: string[] }
  | { flow: string; context: Record<string, string | number | boolean> };

/**
 * What a change calls for. `deadlines`: `restart` cancels every phase and times what the new status is
 * timed on, `start` times it without cancelling, `stop` cancels every phase, a list cancels those phases.
 */
export interface TicketChange {
  /** The ticket as it is after the change. */
  ticket: Ticket;
  /** The card after the change: edited in place (in a mode when given), or left alone (`false`: only the timeline changed). */
  card?: CardMode | false;
  /** The owner's questions about this ticket that the change overtakes (`plan`, `appointment`): taken back. */
  withdraw?: readonly string[];
  /** A message to every staff room. */
  staff?: OutboundMessage;
  deadlines?: 'restart' | 'start' | 'stop' | readonly SlaPhase[];
  /** What the owner is told. */
  owner?: OwnerNotice;
  /**
   * Where to ask staff to phone an owner who cannot be reached in chat: the chat the staff member wrote in;
   * every staff room when left out. Either way under the ticket's card.
   */
  replyIn?: Address;
}

/** Carries out the changes of tickets; see the module's comment. */
export class TicketChanges {
  constructor(
    private readonly ctx: AppContext,
    private readonly owners?: TicketOwnerReach,
  ) {}

  /** Carries out one change; resolves to false when the owner was to be told but could not be reached. */
  async apply(tx: StoreTx, change: TicketChange): Promise<boolean> {
    const { ticket } = change;
    await tx.saveTicket(ticket);
    // A staff member's action is on the audit log in the same transaction as the change itself.
    await recordTicketChange(this.ctx, tx, ticket);
    if (change.card !== false) await this.ctx.updateCard(tx, ticket, change.card);
    for (const flowId of change.withdraw ?? []) await this.reach().withdrawFlow(tx, ticket, flowId);
    if (change.staff) await this.ctx.toStaff(tx, change.staff);
    await this.deadlines(tx, ticket, change.deadlines);
    if (!change.owner) return true;
    const reached = await this.tellOwner(tx, ticket, change.owner);
    if (!reached) {
      const message = {
        text: this.ctx.t(this.ctx.staffLocale, 'desk.owner_unreachable', { number: ticket.number }),
        replyToRef: `card:${ticket.number}`,
      };
      if (change.replyIn) await this.ctx.sendTo(tx, change.replyIn, message);
      else await this.ctx.toStaff(tx, message);
    }
    return reached;
  }

  private async deadlines(tx: StoreTx, ticket: Ticket, what: TicketChange['deadlines']): Promise<void> {
    if (what === undefined) return;
    if (what === 'restart' || what === 'stop') await cancelDeadlines(this.ctx, tx, ticket);
    else if (what !== 'start') await cancelDeadlines(this.ctx, tx, ticket, what);
    if (what === 'restart' || what === 'start') await scheduleDeadlines(this.ctx, tx, ticket);
  }

  private tellOwner(tx: StoreTx, ticket: Ticket, notice: OwnerNotice): Promise<boolean> {
    const owners = this.reach();
    if ('flow' in notice) return owners.startFlow(tx, ticket, notice.flow, notice.context);
    return owners.notify(tx, ticket, notice.notify, notice.params ?? {}, notice.photos);
  }

  private reach(): TicketOwnerReach {
    if (!this.owners) throw new Error('a ticket change asked to reach the owner, but no owner side was given');
    return this.owners;
  }
}
