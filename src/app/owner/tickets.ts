/**
 * Tickets from the owner's side: a report becomes a ticket (`ticket.create`), a note or a photo is added
 * to an open one (`ticket.note`), a ticket not yet taken on is cancelled (`ticket.cancel`), and the
 * owner's answer to a plan, an appointment or a refusal goes back to the accountable person. Every claim
 * the engine makes about a ticket is checked against the owner first.
 */
import type { FlowEffect } from '../../core/flow/engine.js';
import type { AnswerValue, PhotoAnswer } from '../../core/flow/state.js';
import { formatUnit } from '../../core/location.js';
import { CARD_SUMMARY_FROM } from '../../core/ports/assistant.js';
import type { StoreTx } from '../../core/ports.js';
import {
  type Actor,
  addEvent,
  isOpen,
  newTicket,
  type Ticket,
  type TicketDraft,
  transition,
} from '../../core/tickets/ticket.js';
import type { TimelineDetail } from '../../core/tickets/timeline.js';
import {
  type Address,
  CATEGORIES,
  type Category,
  type Channel,
  type EstateLocation,
  labelColon,
  type Owner,
  TICKET_KINDS,
  type TicketKind,
  URGENCIES,
  type Urgency,
} from '../../core/types.js';
import type { AppContext } from '../context.js';
import { alertEmergency } from '../deadlines.js';
import type { IdentityLinks } from '../identity.js';
import { formatBusinessTime } from '../render.js';
import { TicketChanges } from '../tickets/changes.js';
import { nextTicketNumber } from '../tickets/numbers.js';
import { scheduleDeadlines } from '../tickets/timers.js';
import { whatIsHappening, withEmergencyWhat } from './emergency.js';

/** An owner's answer to a question overtaken meanwhile, as its timeline code records it (without the comment). */
type LateAnswer = Omit<Extract<TimelineDetail, { code: 'answer.late' }>, 'code' | 'comment'>;

export class OwnerTickets {
  /** Owners' changes of status: save, card, staff rooms and deadlines, as every other change (tickets/changes.ts). */
  private readonly changes: TicketChanges;

  constructor(
    private readonly ctx: AppContext,
    private readonly links: IdentityLinks,
  ) {
    this.changes = new TicketChanges(ctx);
  }

  async createTicket(tx: StoreTx, owner: Owner, address: Address, effect: FlowEffect, now: Date): Promise<Owner> {
    const draft = draftFromAnswers(effect.answers, effect.set, owner, address.channel, effect.context);
    const number = await nextTicketNumber(this.ctx, tx, now);
    const created = newTicket({
      id: this.ctx.newId(),
      number,
      draft,
      ownerId: owner.id,
      origin: { channel: address.channel, chatId: address.chatId },
      at: now,
    });
    const long = [...draft.description].length >= CARD_SUMMARY_FROM;
    const summary = long ? this.ctx.assistant?.understandNow(draft.description).summary : undefined;
    const summarised: Ticket = summary ? { ...created, summary } : created;
    const what = whatIsHappening(effect.answers.what);
    const ticket = what ? withEmergencyWhat(summarised, what, { type: 'owner', id: owner.id }, now) : summarised;
    await tx.saveTicket(ticket);
    this.ctx.log.info(
      { ticket: number, urgency: ticket.urgency, category: ticket.category, channel: address.channel },
      'ticket recorded',
    );
    const key = ticket.urgency === 'emergency' ? 'ticket.created_emergency' : 'ticket.created';
    await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, key, { number }) });
    await this.ctx.postCard(tx, ticket);
    if (ticket.urgency === 'emergency') await alertEmergency(this.ctx, tx, ticket);
    await scheduleDeadlines(this.ctx, tx, ticket);
    if (long && this.ctx.assistant?.mode === 'openai') {
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'ticket.summary', dueAt: now, payload: { ticketId: ticket.id } },
        now,
      );
    }
    const units = ticket.location?.kind === 'unit' ? [formatUnit(ticket.location)] : [];
    const updated: Owner = {
      ...owner,
      ...(draft.contact ? { name: draft.contact.name, phone: draft.contact.phone } : {}),
      units: [...new Set([...units, ...owner.units])].slice(0, 5),
    };
    if (updated.phone !== owner.phone) await this.links.offer(tx, updated, address);
    return updated;
  }

  /** The owner's own ticket, checked: the engine's claim is never trusted on its own. */
  private async ownTicket(tx: StoreTx, owner: Owner, ticketId: string | undefined): Promise<Ticket | undefined> {
    if (!ticketId) return undefined;
    const ticket = await tx.getTicket(ticketId);
    if (!ticket || ticket.ownerId !== owner.id) {
      this.ctx.log.warn({ ownerId: owner.id }, "refused an action on a ticket that is not the owner's");
      return undefined;
    }
    return ticket;
  }

  private async ticketByNumber(tx: StoreTx, owner: Owner, number: unknown): Promise<Ticket | undefined> {
    if (typeof number !== 'string') return undefined;
    const ticket = await tx.getTicketByNumber(number);
    return this.ownTicket(tx, owner, ticket?.id);
  }

  async addOwnerNote(
    tx: StoreTx,
    owner: Owner,
    ticketId: string,
    note: { text: string } | { photo: PhotoAnswer },
    now: Date,
  ): Promise<void> {
    const ticket = await this.ownTicket(tx, owner, ticketId);
    if (!ticket || !isOpen(ticket.status)) return;
    const actor: Actor = { type: 'owner', id: owner.id };
    const photo = 'photo' in note ? note.photo : undefined;
    const text = 'text' in note ? note.text : photo?.caption;
    let updated = addEvent(ticket, { at: now, actor, action: 'owner_message', ...(text ? { note: text } : {}) });
    if (photo) {
      updated = {
        ...updated,
        attachments: [
          ...updated.attachments,
          { ref: photo.ref, channel: ticket.origin.channel, ...(photo.caption ? { caption: photo.caption } : {}) },
        ],
      };
    }
    await tx.saveTicket(updated);
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    await this.ctx.toStaff(
      tx,
      {
        text: photo
          ? `${t('desk.owner_photo', { number: ticket.number })}${text ? `${labelColon(this.ctx.staffLocale)}${text}` : ''}`
          : t('desk.owner_note', { number: ticket.number, text: text ?? '' }),
        // Staff may reply to this message as to the card itself.
        ref: `note:${ticket.number}:${updated.timeline.length}`,
        replyToRef: `card:${ticket.number}`,
        ...(photo ? { photos: [photo.ref] } : {}),
        ...(await assigneeMention(tx, ticket)),
      },
      photo ? [ticket.origin.channel] : undefined,
    );
  }

  async cancelByOwner(tx: StoreTx, owner: Owner, address: Address, ticketId: string, now: Date): Promise<void> {
    const ticket = await this.ownTicket(tx, owner, ticketId);
    if (!ticket) return;
    const r = transition(ticket, 'cancel', { type: 'owner', id: owner.id }, now);
    if (!r.ok) {
      await this.ctx.sendTo(tx, address, {
        text: this.ctx.t(owner.locale, 'owner.cannot_cancel', { number: ticket.number }),
      });
      return;
    }
    await this.changes.apply(tx, {
      ticket: r.ticket,
      staff: {
        text: this.ctx.t(this.ctx.staffLocale, 'desk.owner_cancelled', { number: ticket.number }),
        replyToRef: `card:${ticket.number}`,
      },
      deadlines: 'stop',
    });
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, 'owner.cancelled', { number: ticket.number }),
    });
  }

  /** The owner's answer to a plan, an appointment or a refusal, back to the accountable person. */
  async ownerAnswer(tx: StoreTx, owner: Owner, address: Address, effect: FlowEffect, now: Date): Promise<void> {
    const ticket = await this.ticketByNumber(tx, owner, effect.context.number);
    if (!ticket) return;
    const actor: Actor = { type: 'owner', id: owner.id };
    const answer = String(effect.answers.agree ?? effect.answers.answer ?? '');
    const comment = typeof effect.answers.comment === 'string' ? effect.answers.comment : '';
    const staffT = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const mention = await assigneeMention(tx, ticket);
    const who = mention.mentions?.map((m) => `@${m.name}`).join(' ') ?? '';
    /** A line under the ticket's card in every staff room. */
    const staffLine = (text: string, extra: Partial<{ mentions: { userId: string; name: string }[] }> = {}) => ({
      text,
      replyToRef: `card:${ticket.number}`,
      ...extra,
    });
    const reply = (key: string) =>
      this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, key, { number: ticket.number }) });
    /** An answer to a question that was overtaken meanwhile: kept on the timeline and passed on, nothing changes. */
    const passOnLate = async (late: LateAnswer, label: string, key: string, params: Record<string, string>) => {
      const detail = { code: 'answer.late', ...late, ...(comment ? { comment } : {}) } as const;
      await this.changes.apply(tx, {
        ticket: addEvent(ticket, { at: now, actor, action: 'note', detail }),
        card: false,
        staff: staffLine(staffT(key, { number: ticket.number, answer: label, comment, who, ...params }), mention),
      });
      await reply('owner.plan_noted');
    };

    if (effect.type === 'plan.answer') {
      const agreed = answer === 'agree';
      const asked = typeof effect.context.plan === 'string' ? effect.context.plan : ticket.plan;
      if (ticket.status !== 'awaiting_agreement' || asked !== ticket.plan) {
        // The plan was revised or overtaken meanwhile: the answer is kept and passed on, the ticket stays as it is.
        const label = this.ctx.t(this.ctx.staffLocale, `plan.option.${agreed ? 'agree' : 'disagree'}`);
        const late = { asked: 'plan', question: asked ?? '', answer: agreed ? 'agree' : 'disagree' } as const;
        await passOnLate(late, label, 'desk.plan_answer_late', { plan: asked ?? '' });
        return;
      }
      const r = transition(ticket, agreed ? 'agree_plan' : 'disagree_plan', actor, now, {}, comment || undefined);
      if (!r.ok) return;
      await this.changes.apply(tx, {
        ticket: r.ticket,
        staff: staffLine(
          agreed
            ? staffT('desk.plan_agreed', { number: ticket.number })
            : staffT('desk.plan_disagreed', { number: ticket.number, comment, who }),
          mention,
        ),
      });
      await reply('owner.plan_noted');
      return;
    }
    if (effect.type === 'appointment.answer') {
      const ok = answer === 'ok';
      const asked = typeof effect.context.time === 'string' ? effect.context.time : undefined;
      // The time the owner was shown: its instant when the question carries it, else (a question asked
      // before) its text in the old fixed form.
      const askedAt = typeof effect.context.at === 'string' ? effect.context.at : undefined;
      const same = askedAt
        ? askedAt === ticket.scheduledFor?.toISOString()
        : asked === undefined ||
          (ticket.scheduledFor !== undefined &&
            asked === formatBusinessTime(ticket.scheduledFor, this.ctx.settings.timeZone));
      // Still the time agreed while the ticket is open (a plan may have followed the booking meanwhile).
      if (!isOpen(ticket.status) || !ticket.scheduledFor || !same) {
        // The time was changed (or the ticket moved on) before this answer: passed on, confirming nothing.
        const label = this.ctx.t(this.ctx.staffLocale, `appointment.option.${ok ? 'ok' : 'other'}`);
        const late = { asked: 'appointment', question: asked ?? '', answer: ok ? 'ok' : 'other' } as const;
        await passOnLate(late, label, 'desk.appointment_answer_late', { time: asked ?? '' });
        return;
      }
      await this.changes.apply(tx, {
        ticket: addEvent(ticket, {
          at: now,
          actor,
          action: 'note',
          detail: ok ? { code: 'appointment.confirmed' } : { code: 'appointment.change', comment },
        }),
        card: false,
        staff: staffLine(
          ok
            ? staffT('desk.appointment_ok', { number: ticket.number })
            : staffT('desk.appointment_change', { number: ticket.number, comment, who }),
          mention,
        ),
      });
      await reply('owner.plan_noted');
      return;
    }
    // rejection.answer
    if (answer === 'review') {
      const r = transition(ticket, 'request_review', actor, now);
      if (!r.ok) return;
      const supervisors = this.ctx.policy.supervisors.map((s) => ({ userId: s.userId, name: s.userId }));
      const known = await tx.listStaff();
      const named = supervisors.map((s) => ({
        ...s,
        name: known.find((k) => k.userId === s.userId)?.displayName ?? s.userId,
      }));
      await this.changes.apply(tx, {
        ticket: r.ticket,
        staff: staffLine(
          staffT('desk.review_requested', { number: ticket.number, who: named.map((m) => `@${m.name}`).join(' ') }),
          named.length ? { mentions: named } : {},
        ),
        deadlines: 'start',
      });
      await reply('owner.review_requested');
      return;
    }
    const r = transition(ticket, 'close', actor, now, {}, { code: 'explanation.accepted' });
    if (r.ok) await this.changes.apply(tx, { ticket: r.ticket });
    await reply('owner.explanation_ok');
  }
}

/** The accountable person, to mention in a staff message about the ticket (none when unassigned or gone). */
export async function assigneeMention(
  tx: StoreTx,
  ticket: Ticket,
): Promise<{ mentions?: { userId: string; name: string }[] }> {
  if (!ticket.assignee) return {};
  const staff = await tx.getStaff(ticket.assignee.id);
  return staff ? { mentions: [{ userId: staff.userId, name: staff.displayName }] } : {};
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Maps a flow's answers (and its fixed values) onto a ticket draft; unknown values fall back safely. */
export function draftFromAnswers(
  answers: Record<string, AnswerValue>,
  set: Record<string, string | number | boolean>,
  owner: Pick<Owner, 'name' | 'phone'>,
  channel: Channel,
  context: Record<string, string | number | boolean> = {},
): TicketDraft {
  const text = (v: AnswerValue | undefined) => (typeof v === 'string' ? v : undefined);
  const kind: TicketKind = pick(set.kind ?? answers.kind, TICKET_KINDS, 'repair');
  const category: Category = pick(set.category ?? answers.category ?? context.category, CATEGORIES, 'other');
  const urgency: Urgency = pick(set.urgency ?? answers.urgency ?? context.urgency, URGENCIES, 'normal');
  const photos = Array.isArray(answers.photos) ? (answers.photos as PhotoAnswer[]) : [];
  const location = answers.location as EstateLocation | undefined;
  const name = text(answers.name) ?? owner.name;
  const phone = text(answers.phone) ?? owner.phone;
  const subject = text(answers.subject);
  const demand = text(answers.demand);
  return {
    kind,
    category,
    urgency,
    ...(location && typeof location === 'object' && 'kind' in location ? { location } : {}),
    description: text(answers.description) ?? (typeof context.description === 'string' ? context.description : ''),
    ...(subject ? { subject } : {}),
    ...(demand ? { demand } : {}),
    attachments: photos.map((p) => ({ ref: p.ref, channel, ...(p.caption ? { caption: p.caption } : {}) })),
    ...(name && phone ? { contact: { name, phone } } : {}),
  };
}
