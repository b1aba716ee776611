/**
 * The front door: what the application does with an owner's text that is not a report (the engine's
 * `owner.intent` effect, see core/flow/front-door.ts). Each intent has its own handling, none of
 * them a report form:
 *
 *   enquiry, notice → answered from the estate's knowledge at once, or a 咨询 item for the staff room
 *                     (app/enquiries; notices may answer `notice` themselves)
 *   human (转人工)   → the service-centre phone, and the message in front of the staff room at once (app/enquiries)
 *   praise          → thanked, recorded against the person or team named, shown to the staff room
 *   followup        → the owner's open tickets: status, accountable person, next visit (the engine also
 *                     puts the question under the owner's one open ticket, for the accountable person)
 *
 * This file routes; the capabilities that answer an intent are handed in as delegates.
 */
import type { Effect } from '../../core/flow/engine.js';
import type { StoreTx } from '../../core/ports.js';
import { isOpen, type Ticket } from '../../core/tickets/ticket.js';
import type { Address, Inbound, Locale, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { formatTime } from '../render.js';
import { recordPraise } from './praise.js';

export type IntentEffect = Extract<Effect, { type: 'owner.intent' }>;

/** Another capability's handling of an intent (enquiries, notices), in the message's transaction. */
export type IntentHandler = (
  tx: StoreTx,
  owner: Owner,
  address: Address,
  effect: IntentEffect,
  now: Date,
) => Promise<void>;

/** The intents a capability must answer (enquiries: 咨询 and 转人工), and those it may (notices: `notice`). */
export type IntentHandlers = Record<'enquiry' | 'human', IntentHandler> &
  Partial<Record<IntentEffect['intent'], IntentHandler>>;

export class FrontDoor {
  constructor(
    private readonly ctx: AppContext,
    /** Who answers enquiry and 转人工 (and notice, when notices do; else the enquiry handler). */
    private readonly delegates: IntentHandlers,
    /** A staff-room answer to a 咨询 item (app/enquiries): false when the message is not one. */
    private readonly answers: (tx: StoreTx, inbound: Inbound) => Promise<boolean> = async () => false,
  ) {}

  /** Carries out an `owner.intent` effect, inside the message's transaction. */
  async handle(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const delegate = this.delegates[effect.intent];
    if (delegate) return delegate(tx, owner, address, effect, now);
    switch (effect.intent) {
      case 'notice':
        return this.delegates.enquiry(tx, owner, address, effect, now);
      case 'praise':
        return recordPraise(this.ctx, tx, owner, address, effect.text, now);
      case 'followup':
        return this.followup(tx, owner, address);
      default:
        throw new Error(`no handler for the front door's intent ${effect.intent}`);
    }
  }

  /**
   * A staff-room message answering a 咨询 or 转人工 item (`Q012 …`, a reply to the item, or a quote of it),
   * from someone the staff parts did not take it from. False when the message is not one.
   */
  staffAnswer(tx: StoreTx, inbound: Inbound): Promise<boolean> {
    return this.answers(tx, inbound);
  }

  // ── follow-up ──────────────────────────────────────────────────────────────

  /** The owner's open tickets: status, the accountable person, the next visit (the engine says when none is open). */
  private async followup(tx: StoreTx, owner: Owner, address: Address): Promise<void> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const open = (await tx.listTickets({ ownerId: owner.id, limit: 10 })).filter((x) => isOpen(x.status));
    if (open.length === 0) {
      await this.ctx.sendTo(tx, address, { text: t('frontdoor.followup_none') });
      return;
    }
    const lines = open.map((ticket) => this.followupLine(ticket, t, owner.locale));
    await this.ctx.sendTo(tx, address, {
      text: [t('frontdoor.followup_title'), ...lines, t('frontdoor.followup_footer')].join('\n\n'),
    });
  }

  private followupLine(
    ticket: Ticket,
    t: (k: string, p?: Record<string, string | number>) => string,
    locale: Locale,
  ): string {
    const now = this.ctx.clock.now();
    const visit =
      ticket.scheduledFor && ticket.scheduledFor.getTime() > now.getTime()
        ? t('frontdoor.followup_visit', { time: formatTime(ticket.scheduledFor, locale, this.ctx.settings.timeZone) })
        : '';
    return [
      t('frontdoor.followup_line', {
        number: ticket.number,
        category: t(`ticket.category.${ticket.category}`),
        status: t(`ticket.status.${ticket.status}`),
      }),
      ticket.assignee ? t('frontdoor.followup_who', { name: ticket.assignee.name }) : t('frontdoor.followup_nobody'),
      visit,
    ]
      .filter(Boolean)
      .join('\n');
  }
}
