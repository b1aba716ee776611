/**
 * What every part of the staff desk shares: the application context, the owners' side it calls into, the
 * ticket-change handler, the staff sessions, and how it answers staff (a short message in the chat they
 * wrote in, or an alert only the presser sees).
 */
import type { StoreTx } from '../../core/ports.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import type { Inbound } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { OwnerSide } from '../owner/conversations.js';
import { TicketChanges } from '../tickets/changes.js';
import { StaffSessions } from './session.js';

/** How the desk reaches owners: the owners' conversations (owner/conversations.ts). */
export type { OwnerSide } from '../owner/conversations.js';

/** What the desk answers a button press with (the platform's callback answer). */
export interface DeskResult {
  ack?: { text: string; alert?: boolean };
}

/** The base of the desk's parts (routing, actions, commands, reports). */
export abstract class DeskPart {
  protected readonly changes: TicketChanges;
  protected readonly sessions: StaffSessions;

  constructor(
    protected readonly ctx: AppContext,
    protected readonly owners: OwnerSide,
  ) {
    this.changes = new TicketChanges(ctx, owners);
    this.sessions = new StaffSessions(() => ctx.clock.now());
  }

  protected t(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /** A short answer in the chat the staff member wrote in (threaded under the ticket's card where possible). */
  protected async say(
    tx: StoreTx,
    inbound: Inbound,
    text: string,
    ticket?: Ticket,
    buttons?: { label: string; data: string }[][],
  ): Promise<void> {
    await this.ctx.sendTo(tx, inbound, {
      text,
      ...(ticket ? { replyToRef: `card:${ticket.number}` } : {}),
      ...(buttons ? { buttons } : {}),
    });
  }

  /** A refusal: an alert only the presser sees for buttons, a short message otherwise. */
  protected async refuse(
    tx: StoreTx,
    inbound: Inbound,
    viaButton: boolean,
    key: string,
    params?: Record<string, string | number>,
  ): Promise<DeskResult> {
    const text = this.t(key, params);
    if (viaButton) return { ack: { text, alert: true } };
    await this.say(tx, inbound, text);
    return {};
  }
}
