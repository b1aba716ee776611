/**
 * The revisit (回访): after a ticket is resolved, residesk asks the owner how it went, at a sensible hour,
 * in the chat, and acts on the answer. A bad answer reopens the ticket and brings it back to the team; no
 * answer closes it as "no response"; an owner who cannot be reached in chat is revisited by phone.
 *
 * Jobs: `revisit.start` (ask), `revisit.remind` (one reminder), `revisit.expire` (close as no response),
 * `revisit.supervisor` (a supervisor has not contacted the owner after a bad answer). At most three revisit
 * messages per ticket, none in quiet hours.
 */
import { DateTime } from 'luxon';
import type { FlowEffect } from '../core/flow/engine.js';
import type { Job, StoreTx } from '../core/ports.js';
import { encodeIntakeButton } from '../core/protocol/intake-buttons.js';
import {
  type Actor,
  addEvent,
  maskPhone,
  type RevisitAnswers,
  type RevisitRecord,
  type Ticket,
  transition,
} from '../core/tickets/ticket.js';
import { type TimelineDetail, timelineDetailText } from '../core/tickets/timeline.js';
import { nextAllowed } from '../core/time.js';
import type { Address, Owner } from '../core/types.js';
import type { AppContext } from './context.js';
import type { RevisitOwners } from './owner/conversations.js';
import { formatTime } from './render.js';
import { TicketChanges } from './tickets/changes.js';

const MAX_CONTACTS = 3;
/** After a bad revisit, a supervisor must have contacted the owner within this long. */
const SUPERVISOR_CONTACT_MS = 24 * 3_600_000;

export class Revisits {
  private readonly changes: TicketChanges;

  constructor(
    private readonly ctx: AppContext,
    private readonly owners: RevisitOwners,
  ) {
    this.changes = new TicketChanges(ctx);
  }

  private keys(ticket: Ticket) {
    return {
      start: `revisit:${ticket.id}`,
      remind: `revisit-remind:${ticket.id}`,
      expire: `revisit-expire:${ticket.id}`,
      supervisor: `revisit-sup:${ticket.id}`,
    };
  }

  /** The first allowed instant at or after `at` (quiet hours move it to the morning). */
  private allowed(at: Date): Date {
    return nextAllowed(at, this.ctx.policy.quietHours, this.ctx.settings.timeZone);
  }

  private async job(tx: StoreTx, type: string, key: string, dueAt: Date, ticket: Ticket): Promise<void> {
    const now = this.ctx.clock.now();
    await tx.cancelJobs(key, now);
    await tx.scheduleJob({ id: this.ctx.newId(), type, key, dueAt, payload: { ticketId: ticket.id } }, now);
  }

  private async cancelAll(tx: StoreTx, ticket: Ticket): Promise<void> {
    const now = this.ctx.clock.now();
    const k = this.keys(ticket);
    for (const key of [k.start, k.remind, k.expire]) await tx.cancelJobs(key, now);
  }

  /** How many revisit messages this ticket's owner has had since it was last resolved. */
  private contacts(ticket: Ticket): number {
    const since = ticket.resolvedAt?.getTime() ?? 0;
    return ticket.timeline.filter((e) => e.action === 'revisit' && e.data?.contact === true && e.at.getTime() >= since)
      .length;
  }

  /** Schedules the revisit of a resolved ticket: REVISIT_AFTER later (per-category overrides), out of quiet hours. */
  async schedule(tx: StoreTx, ticket: Ticket, at?: Date): Promise<void> {
    const delay = this.ctx.policy.revisitAfterByCategory[ticket.category] ?? this.ctx.policy.revisitAfterMs;
    const due = this.allowed(at ?? new Date(this.ctx.clock.now().getTime() + delay));
    await this.job(tx, 'revisit.start', this.keys(ticket).start, due, ticket);
  }

  private async contact(tx: StoreTx, ticket: Ticket, step: 'asked' | 'reminded'): Promise<Ticket> {
    const updated = addEvent(ticket, {
      at: this.ctx.clock.now(),
      actor: { type: 'system' },
      action: 'revisit',
      detail: { code: 'revisit.contact', step },
      data: { contact: true },
    });
    await this.changes.apply(tx, { ticket: updated, card: false });
    return updated;
  }

  /** Job `revisit.start`: ask the owner (or, if they cannot be reached in chat, ask staff to phone). */
  async start(job: Job, tx: StoreTx): Promise<void> {
    const ticket = await this.ticketOf(job, tx);
    if (ticket?.status !== 'resolved') return;
    const owner = await tx.getOwner(ticket.ownerId);
    // An owner not in any chat (a ticket taken by phone, 代客登记) or who left it is revisited by phone.
    if (!owner || owner.unreachable || owner.identities.length === 0) return this.askStaffToPhone(tx, ticket);
    if (this.contacts(ticket) >= MAX_CONTACTS) return this.closeNoResponse(tx, ticket);
    const updated = await this.contact(tx, ticket, 'asked');
    await this.owners.startFlow(tx, updated, 'revisit', {
      number: ticket.number,
      category: this.ctx.t(owner.locale, `ticket.category.${ticket.category}`),
    });
    const remindAt = this.allowed(new Date(this.ctx.clock.now().getTime() + this.ctx.policy.revisitRemindAfterMs));
    await this.job(tx, 'revisit.remind', this.keys(ticket).remind, remindAt, ticket);
  }

  /** Job `revisit.remind`: one reminder, then a last wait before closing as no response. */
  async remind(job: Job, tx: StoreTx): Promise<void> {
    const ticket = await this.ticketOf(job, tx);
    if (ticket?.status !== 'resolved') return;
    if (this.contacts(ticket) >= MAX_CONTACTS) return this.closeNoResponse(tx, ticket);
    const updated = await this.contact(tx, ticket, 'reminded');
    await this.owners.notify(
      tx,
      updated,
      'revisit.reminder',
      { number: ticket.number },
      undefined,
      'revisit_invitation',
    );
    const expireAt = new Date(this.ctx.clock.now().getTime() + this.ctx.policy.revisitRemindAfterMs);
    await this.job(tx, 'revisit.expire', this.keys(ticket).expire, expireAt, ticket);
  }

  /** Job `revisit.expire`: no answer after the reminder. */
  async expire(job: Job, tx: StoreTx): Promise<void> {
    const ticket = await this.ticketOf(job, tx);
    if (ticket?.status !== 'resolved') return;
    await this.closeNoResponse(tx, ticket);
  }

  /** Job `revisit.supervisor`: a bad revisit nobody has followed up with the owner. */
  async supervisorCheck(job: Job, tx: StoreTx): Promise<void> {
    const ticket = await this.ticketOf(job, tx);
    if (ticket?.status !== 'reopened') return;
    const reopened = [...ticket.timeline].reverse().find((e) => e.action === 'reopen');
    const since = reopened?.at.getTime() ?? 0;
    const contacted = ticket.timeline.some(
      (e) =>
        e.at.getTime() > since &&
        e.actor.type === 'staff' &&
        (e.action === 'staff_reply' || e.action === 'accept' || e.action === 'note'),
    );
    if (contacted) return;
    const who = await this.mentions(tx, ['supervisors', 'managers']);
    await this.ctx.toStaff(tx, {
      text: this.staffT('desk.revisit.supervisor_due', {
        number: ticket.number,
        hours: Math.round(SUPERVISOR_CONTACT_MS / 3_600_000),
        who: who.map((m) => `@${m.name}`).join(' '),
      }),
      replyToRef: `card:${ticket.number}`,
      ...(who.length ? { mentions: who } : {}),
    });
    await this.changes.apply(tx, {
      ticket: addEvent(ticket, {
        at: this.ctx.clock.now(),
        actor: { type: 'system' },
        action: 'escalation',
        detail: { code: 'revisit.overdue' },
      }),
      card: false,
    });
  }

  /** The owner's answers from the chat (`revisit.record`), or their wish to be asked later. */
  async recordFromChat(tx: StoreTx, owner: Owner, address: Address, effect: FlowEffect): Promise<void> {
    const number = effect.context.number;
    const ticket = typeof number === 'string' ? await tx.getTicketByNumber(number) : undefined;
    if (!ticket || ticket.ownerId !== owner.id) {
      this.ctx.log.warn({ ownerId: owner.id }, "revisit answer for a ticket that is not the owner's; ignored");
      return;
    }
    const a = effect.answers;
    if (a.good_time === 'later') {
      const when = typeof a.later === 'string' ? a.later : 'hour';
      const contacts = this.contacts(ticket);
      if (contacts >= MAX_CONTACTS) {
        // No contacts left: promising to come back would be false. Close as no response, as when the
        // owner never answers, and say so truthfully.
        await this.closeNoResponse(tx, ticket, {
          detail: { code: 'revisit.put_off' },
          staffKey: 'desk.revisit.no_response_later',
          params: { count: contacts },
        });
        await this.ctx.sendTo(tx, address, {
          text: this.ctx.t(owner.locale, 'revisit.later_final', { number: ticket.number }),
        });
        return;
      }
      await this.cancelAll(tx, ticket);
      await this.schedule(tx, ticket, this.laterAt(when));
      await this.ctx.sendTo(tx, address, {
        text: this.ctx.t(owner.locale, 'revisit.later_ok', { when: this.ctx.t(owner.locale, `revisit.when.${when}`) }),
      });
      return;
    }
    const answers: RevisitAnswers = {
      solved: a.solved === true,
      attitude:
        a.attitude === 'satisfied' || a.attitude === 'so_so' || a.attitude === 'unsatisfied' ? a.attitude : 'so_so',
      charged: a.charged === true,
      score: typeof a.score === 'number' ? a.score : 0,
      ...(typeof a.comment === 'string' ? { comment: a.comment } : {}),
    };
    const outcome = await this.apply(tx, ticket, answers, 'chat', { type: 'owner', id: owner.id });
    const key = outcome === 'reopened' ? 'revisit.sorry_reopened' : 'revisit.thanks';
    await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, key, { number: ticket.number }) });
  }

  /**
   * The accountable person records a phone revisit: as typed (`/revisit T… 已解决 满意 未收费 9 备注`), or as
   * the answers the guided questions took (intake/phone-revisit.ts), which need no reading back.
   */
  async recordByPhone(
    tx: StoreTx,
    ticket: Ticket,
    given: string | RevisitAnswers,
    actor: Actor,
  ): Promise<{ ok: boolean; message: string }> {
    const answers = typeof given === 'string' ? parsePhoneRevisit(given) : given;
    if (!answers) return { ok: false, message: this.staffT('desk.revisit.usage', { number: ticket.number }) };
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') {
      return {
        ok: false,
        message: this.staffT('desk.refused.status', {
          number: ticket.number,
          status: this.staffT(`ticket.status.${ticket.status}`),
        }),
      };
    }
    await this.apply(tx, ticket, answers, 'phone', actor);
    return { ok: true, message: this.staffT('desk.revisit.recorded', { number: ticket.number }) };
  }

  /** Records the answers on the ticket and acts on them: reopen on a bad answer, else close. */
  private async apply(
    tx: StoreTx,
    ticket: Ticket,
    answers: RevisitAnswers,
    by: 'chat' | 'phone',
    actor: Actor,
  ): Promise<'closed' | 'reopened'> {
    const now = this.ctx.clock.now();
    await this.cancelAll(tx, ticket);
    const bad =
      !answers.solved || answers.attitude === 'unsatisfied' || answers.score <= this.ctx.policy.revisitReopenAt;
    const outcome = bad ? 'reopened' : 'closed';
    const record: RevisitRecord = { ...answers, at: now, by, outcome };
    const detail: TimelineDetail = { code: 'revisit.answers', ...answers };
    const summary = timelineDetailText(detail, (k, p) => this.staffT(k, p));
    const base = addEvent(ticket, { at: now, actor, action: 'revisit', detail, data: { by } });
    const patch = { revisit: record, revisitOutcome: 'answered' as const };
    const r = bad
      ? transition(base, 'reopen', actor, now, patch, detail)
      : transition(base, 'close', actor, now, patch, detail);
    const saved = r.ok ? r.ticket : { ...base, ...patch };
    if (bad && r.ok) {
      const assignee = saved.assignee ? await tx.getStaff(saved.assignee.id) : undefined;
      const supervisors = await this.mentions(tx, ['supervisors']);
      const mentions = [...(assignee ? [{ userId: assignee.userId, name: assignee.displayName }] : []), ...supervisors];
      const due = new Date(now.getTime() + SUPERVISOR_CONTACT_MS);
      await this.changes.apply(tx, {
        ticket: saved,
        staff: {
          text: this.staffT('desk.revisit.reopened', {
            number: ticket.number,
            count: saved.reopenCount,
            answers: summary,
            who: mentions.map((m) => `@${m.name}`).join(' '),
            due: formatTime(due, this.ctx.staffLocale, this.ctx.settings.timeZone),
          }),
          replyToRef: `card:${ticket.number}`,
          ...(mentions.length ? { mentions } : {}),
        },
        deadlines: 'start',
      });
      await this.job(tx, 'revisit.supervisor', this.keys(ticket).supervisor, due, saved);
    } else {
      const closed = {
        text: this.staffT('desk.revisit.closed', { number: ticket.number, answers: summary }),
        replyToRef: `card:${ticket.number}`,
      };
      await this.changes.apply(tx, { ticket: saved, ...(r.ok ? { staff: closed } : {}) });
    }
    if (answers.charged && !ticket.paidWork) {
      const who = await this.mentions(tx, ['supervisors']);
      await this.ctx.toStaff(tx, {
        text: this.staffT('desk.revisit.charged', {
          number: ticket.number,
          who: who.map((m) => `@${m.name}`).join(' '),
        }),
        replyToRef: `card:${ticket.number}`,
        ...(who.length ? { mentions: who } : {}),
      });
    }
    return outcome;
  }

  /**
   * Closes the ticket as "no response" (no answer, or no contacts left) and says so under its card.
   * `why` names the timeline entry and the staff line when the reason is not plain silence.
   */
  private async closeNoResponse(
    tx: StoreTx,
    ticket: Ticket,
    why: { detail: TimelineDetail; staffKey: string; params?: Record<string, string | number> } = {
      detail: { code: 'revisit.no_response' },
      staffKey: 'desk.revisit.no_response',
    },
  ): Promise<void> {
    const now = this.ctx.clock.now();
    await this.cancelAll(tx, ticket);
    const r = transition(ticket, 'close', { type: 'system' }, now, { revisitOutcome: 'no_response' }, why.detail);
    if (!r.ok) return;
    await this.changes.apply(tx, {
      ticket: r.ticket,
      staff: {
        text: this.staffT(why.staffKey, { number: ticket.number, ...why.params }),
        replyToRef: `card:${ticket.number}`,
      },
    });
  }

  private async askStaffToPhone(tx: StoreTx, ticket: Ticket): Promise<void> {
    if (ticket.timeline.some((e) => e.action === 'revisit' && e.data?.phoneRequested === true)) return;
    const assignee = ticket.assignee ? await tx.getStaff(ticket.assignee.id) : undefined;
    const mentions = assignee
      ? [{ userId: assignee.userId, name: assignee.displayName }]
      : await this.mentions(tx, ['supervisors']);
    // A task under the card: who to call (masked), and a button that records the answers (intake/phone-revisit.ts).
    const phone = ticket.contact?.phone ?? (await tx.getOwner(ticket.ownerId))?.phone;
    await this.ctx.toStaff(tx, {
      text: this.staffT('intake.revisit.task', {
        number: ticket.number,
        name: ticket.contact?.name ?? '—',
        phone: maskPhone(phone),
        who: mentions.map((m) => `@${m.name}`).join(' '),
      }),
      replyToRef: `card:${ticket.number}`,
      buttons: [
        [
          {
            label: this.staffT('intake.revisit.record_button'),
            data: encodeIntakeButton({ type: 'revisit', number: ticket.number }),
          },
        ],
      ],
      ...(mentions.length ? { mentions } : {}),
    });
    await this.changes.apply(tx, {
      ticket: addEvent(ticket, {
        at: this.ctx.clock.now(),
        actor: { type: 'system' },
        action: 'revisit',
        detail: { code: 'revisit.phone' },
        data: { phoneRequested: true },
      }),
      card: false,
    });
  }

  /** "In an hour", "this evening" (19:00), "tomorrow morning" (09:00), in the business time zone. */
  private laterAt(when: string): Date {
    const now = DateTime.fromJSDate(this.ctx.clock.now(), { zone: this.ctx.settings.timeZone });
    if (when === 'evening') {
      const evening = now.set({ hour: 19, minute: 0, second: 0, millisecond: 0 });
      return (evening > now ? evening : now.plus({ hours: 1 })).toJSDate();
    }
    if (when === 'tomorrow')
      return now.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate();
    return now.plus({ hours: 1 }).toJSDate();
  }

  private staffT(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  private async mentions(tx: StoreTx, levels: ('supervisors' | 'managers')[]) {
    const staff = await tx.listStaff();
    return levels
      .flatMap((l) => this.ctx.policy[l])
      .map((r) => {
        const known = staff.find((s) => s.userId === r.userId && (!r.channel || r.channel === s.channel));
        return { userId: r.userId, name: known?.displayName ?? r.userId };
      });
  }

  private async ticketOf(job: Job, tx: StoreTx): Promise<Ticket | undefined> {
    const id = job.payload.ticketId;
    return typeof id === 'string' ? tx.getTicket(id) : undefined;
  }
}

/** Reads a phone revisit: solved or not, attitude, charged or not, a 1–10 score, and an optional comment. */
export function parsePhoneRevisit(text: string): RevisitAnswers | undefined {
  let solved: boolean | undefined;
  let attitude: RevisitAnswers['attitude'] | undefined;
  let charged: boolean | undefined;
  let score: number | undefined;
  const rest: string[] = [];
  for (const raw of text.trim().split(/\s+/).filter(Boolean)) {
    const token = raw.toLowerCase().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
    if (solved === undefined && ['已解决', '解决', '解决了', 'solved', 'yes'].includes(token)) solved = true;
    else if (solved === undefined && ['未解决', '没解决', '没有解决', 'unsolved', 'no'].includes(token)) solved = false;
    else if (attitude === undefined && ['满意', 'satisfied'].includes(token)) attitude = 'satisfied';
    else if (attitude === undefined && ['一般', 'so-so', 'so_so', 'soso'].includes(token)) attitude = 'so_so';
    else if (attitude === undefined && ['不满意', 'unsatisfied'].includes(token)) attitude = 'unsatisfied';
    else if (charged === undefined && ['收费', '已收费', '有收费', 'charged'].includes(token)) charged = true;
    else if (
      charged === undefined &&
      ['未收费', '没收费', '不收费', '免费', 'not-charged', 'uncharged', 'free'].includes(token)
    )
      charged = false;
    else if (score === undefined && /^(10|[1-9])分?$/.test(token)) score = Number(token.replace('分', ''));
    else rest.push(raw);
  }
  if (solved === undefined || attitude === undefined || charged === undefined || score === undefined) return undefined;
  const comment = rest.join(' ').trim();
  return { solved, attitude, charged, score, ...(comment ? { comment } : {}) };
}
