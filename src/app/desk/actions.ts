/**
 * The desk's actions on one ticket (accept, reject, reply, hand over, phone number, draft, the timeline),
 * each checked first against who may do it and the status it may start from (routing.ts); judging and the
 * work towards a resolution (plan, schedule, resolve) are in judging.ts and progress.ts. A button that
 * needs words opens the staff member's session and asks for them.
 */
import { fold } from '../../core/flow/answers.js';
import type { StoreTx } from '../../core/ports.js';
import { CallbackDataError, decodeStaffButton, encodeStaffButton } from '../../core/protocol/buttons.js';
import { type Actor, isOpen, type Ticket, type TimelineEvent, transition } from '../../core/tickets/ticket.js';
import type { Inbound, Staff } from '../../core/types.js';
import { recordAudit } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import { type StaffAction, timelineText } from '../render.js';
import type { Judging } from './judging.js';
import type { Progress } from './progress.js';
import { ACCOUNTABLE_ONLY, allowedFrom, mayAct } from './routing.js';
import { needsText, type TextAction } from './session.js';
import { DeskPart, type DeskResult, type OwnerSide } from './support.js';

export class DeskActions extends DeskPart {
  constructor(
    ctx: AppContext,
    owners: OwnerSide,
    private readonly parts: { judging: Judging; progress: Progress },
  ) {
    super(ctx, owners);
  }

  /**
   * Runs one action on a ticket for a staff member: refused (and logged) unless they may do it and the
   * ticket's status allows it; a button that needs words asks for them first.
   */
  async run(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    action: StaffAction,
    number: string,
    text: string,
    viaButton: boolean,
    photo?: string,
  ): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, viaButton, 'desk.refused.no_ticket', { number });
    if (action === 'timeline') {
      await this.say(
        tx,
        inbound,
        timelineText(ticket, (k, p) => this.t(k, p), this.ctx.settings.timeZone, this.ctx.staffLocale),
        ticket,
      );
      return viaButton ? { ack: { text: '' } } : {};
    }
    if (ACCOUNTABLE_ONLY.includes(action) && !mayAct(staff, ticket)) {
      this.ctx.log.warn({ ticket: number, action, staff: staff.id }, 'refused: not the accountable person');
      // Nobody took it on and it is finished (cancelled, declined): "accept it first" would be wrong.
      if (!ticket.assignee && !isOpen(ticket.status)) {
        return this.refuse(tx, inbound, viaButton, 'desk.refused.status', {
          number,
          status: this.t(`ticket.status.${ticket.status}`),
        });
      }
      return this.refuse(
        tx,
        inbound,
        viaButton,
        ticket.assignee ? 'desk.refused.not_accountable' : 'desk.refused.accept_first',
        {
          number,
          name: ticket.assignee?.name ?? '',
        },
      );
    }
    const allowed = allowedFrom(action);
    if (allowed && !allowed.includes(ticket.status)) {
      return this.refuse(tx, inbound, viaButton, 'desk.refused.status', {
        number,
        status: this.t(`ticket.status.${ticket.status}`),
      });
    }
    if (action === 'reject' && staff.role === 'staff' && ticket.timeline.some((e) => e.action === 'request_review')) {
      // The owner asked for a supervisor's review: only a supervisor may decline it again.
      this.ctx.log.warn(
        { ticket: number, action, staff: staff.id },
        'refused: a reviewed ticket is declined by a supervisor',
      );
      return this.refuse(tx, inbound, viaButton, 'desk.refused.review_supervisor', { number });
    }
    if (viaButton && needsText(action)) return this.askForText(tx, inbound, staff, action, ticket);
    const actor: Actor = { type: 'staff', id: staff.id, name: staff.displayName };
    switch (action) {
      case 'accept':
        return this.accept(tx, inbound, staff, ticket, actor, viaButton);
      case 'judge':
        return this.parts.judging.judge(tx, inbound, staff, ticket, actor, text, viaButton);
      case 'reject':
        return this.reject(tx, inbound, ticket, actor, text);
      case 'reply':
        return this.reply(tx, inbound, ticket, actor, text, photo);
      case 'plan':
        return this.parts.progress.plan(tx, inbound, ticket, actor, text);
      case 'schedule':
        return this.parts.progress.schedule(tx, inbound, ticket, actor, text);
      case 'resolve':
        return this.parts.progress.resolve(tx, inbound, ticket, actor, text, photo);
      case 'handover':
        return this.handover(tx, inbound, staff, ticket, actor, text, viaButton);
      case 'phone':
        return this.phone(tx, inbound, staff, ticket, viaButton);
      case 'draft':
        await this.say(
          tx,
          inbound,
          text
            ? this.t('desk.draft', { name: staff.displayName, number, draft: text })
            : this.t('desk.draft_unavailable'),
          ticket,
        );
        return viaButton ? { ack: { text: '' } } : {};
    }
  }

  private async accept(tx: StoreTx, inbound: Inbound, staff: Staff, ticket: Ticket, actor: Actor, viaButton: boolean) {
    // A reopened ticket still has its accountable person (谁受理谁跟进): taking it over is a hand-over.
    if (ticket.assignee && ticket.assignee.id !== staff.id && !mayAct(staff, ticket)) {
      this.ctx.log.warn(
        { ticket: ticket.number, action: 'accept', staff: staff.id },
        'refused: not the accountable person',
      );
      return this.refuse(tx, inbound, viaButton, 'desk.refused.not_accountable', {
        number: ticket.number,
        name: ticket.assignee.name,
      });
    }
    const now = this.ctx.clock.now();
    const r = transition(ticket, 'accept', actor, now, { assignee: { id: staff.id, name: staff.displayName } });
    if (!r.ok)
      return this.refuse(tx, inbound, viaButton, 'desk.refused.status', {
        number: ticket.number,
        status: this.t(`ticket.status.${ticket.status}`),
      });
    await this.changes.apply(tx, {
      ticket: r.ticket,
      deadlines: 'restart',
      owner: { notify: 'owner.accepted', params: { number: ticket.number, name: staff.displayName } },
      replyIn: inbound,
    });
    return viaButton ? { ack: { text: this.t('desk.done.accepted', { number: ticket.number }) } } : {};
  }

  private async reject(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string) {
    const explanation = text.trim();
    if ([...explanation].length < 10) {
      await this.say(tx, inbound, this.t('desk.reject_needs_reason', { number: ticket.number }));
      return {};
    }
    const now = this.ctx.clock.now();
    const r = transition(ticket, 'reject', actor, now, { rejection: explanation }, explanation);
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      deadlines: 'stop',
      owner: { flow: 'rejection', context: { number: ticket.number, explanation } },
      replyIn: inbound,
    });
    return {};
  }

  private async reply(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string, photo?: string) {
    const body = text.trim();
    if (!body && !photo) {
      await this.say(tx, inbound, this.t('desk.reply_empty', { number: ticket.number }));
      return {};
    }
    if (!isOpen(ticket.status)) {
      await this.say(
        tx,
        inbound,
        this.t('desk.refused.status', { number: ticket.number, status: this.t(`ticket.status.${ticket.status}`) }),
      );
      return {};
    }
    const now = this.ctx.clock.now();
    const event: TimelineEvent = {
      at: now,
      actor,
      action: 'staff_reply',
      ...(body ? { note: body } : {}),
      ...(photo ? { data: { photo } } : {}),
    };
    const updated: Ticket = {
      ...ticket,
      updatedAt: now,
      firstResponseAt: ticket.firstResponseAt ?? now,
      timeline: [...ticket.timeline, event],
    };
    const name = actor.type === 'staff' ? actor.name : '';
    await this.changes.apply(tx, {
      ticket: updated,
      card: false,
      // The progress deadline is met once the owner has heard from us.
      deadlines: ['progress'],
      owner: {
        notify: body ? 'owner.reply' : 'owner.photo',
        params: { number: ticket.number, name, text: body },
        ...(photo ? { photos: [photo] } : {}),
      },
      replyIn: inbound,
    });
    return {};
  }

  private async handover(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    ticket: Ticket,
    actor: Actor,
    text: string,
    viaButton: boolean,
  ) {
    const everyone = (await tx.listStaff()).filter((s) => s.active && s.channel === inbound.channel);
    const wanted = text.trim().replace(/^@/, '');
    if (!wanted) {
      const others = everyone.filter((s) => s.id !== ticket.assignee?.id);
      if (others.length === 0)
        return this.refuse(tx, inbound, viaButton, 'desk.handover_nobody', { number: ticket.number });
      await this.say(tx, inbound, this.t('desk.handover_pick', { number: ticket.number }), undefined, [
        ...others.slice(0, 12).flatMap((s) => {
          const data = handoverButton(ticket.number, s.id);
          return data ? [[{ label: s.displayName, data }]] : [];
        }),
      ]);
      return viaButton ? { ack: { text: '' } } : {};
    }
    const target = everyone.find((s) => s.id === wanted || s.userId === wanted || fold(s.displayName) === fold(wanted));
    if (!target) return this.refuse(tx, inbound, viaButton, 'desk.handover_unknown', { name: wanted });
    if (target.id === ticket.assignee?.id)
      return this.refuse(tx, inbound, viaButton, 'desk.handover_same', { name: target.displayName });
    const r = transition(
      ticket,
      'hand_over',
      actor,
      this.ctx.clock.now(),
      { assignee: { id: target.id, name: target.displayName } },
      // The timeline names who takes over (「转交「李师傅」」), not only who handed it on.
      target.displayName,
      { from: ticket.assignee?.id ?? null, to: target.id },
    );
    if (!r.ok)
      return this.refuse(tx, inbound, viaButton, 'desk.refused.status', {
        number: ticket.number,
        status: this.t(`ticket.status.${ticket.status}`),
      });
    await this.changes.apply(tx, {
      ticket: r.ticket,
      staff: {
        text: this.t('desk.handed_over', { number: ticket.number, from: staff.displayName, to: target.displayName }),
        replyToRef: `card:${ticket.number}`,
        mentions: [{ userId: target.userId, name: target.displayName }],
      },
      owner: { notify: 'owner.handed_over', params: { number: ticket.number, name: target.displayName } },
      replyIn: inbound,
    });
    return viaButton ? { ack: { text: this.t('desk.done.handed_over', { name: target.displayName }) } } : {};
  }

  /** The full phone number, for the accountable person alone. */
  private async phone(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    ticket: Ticket,
    viaButton: boolean,
  ): Promise<DeskResult> {
    const phone = ticket.contact?.phone ?? (await tx.getOwner(ticket.ownerId))?.phone;
    const text = phone
      ? this.t('desk.phone', { number: ticket.number, phone, name: ticket.contact?.name ?? '' })
      : this.t('desk.no_phone');
    this.ctx.log.info({ ticket: ticket.number, staff: staff.id }, 'phone number revealed to the accountable person');
    if (phone)
      await recordAudit(this.ctx, tx, {
        actorId: staff.id,
        actorName: staff.displayName,
        role: staff.role,
        via: inbound.channel,
        action: 'reveal.phone',
        subject: { kind: 'ticket', id: ticket.number },
      });
    if (viaButton) return { ack: { text, alert: true } };
    const privateChat = inbound.channel === 'console' ? inbound.chatId : staff.userId;
    await this.ctx.sendTo(tx, { channel: inbound.channel, chatId: privateChat }, { text });
    // Typed in the group: say where the number went (it never arrives if they have not started the bot).
    if (privateChat !== inbound.chatId)
      await this.say(tx, inbound, this.t('desk.phone_sent_privately', { name: staff.displayName }), ticket);
    return {};
  }

  /** After a button that needs words: ask for them; the staff member's next message is taken as the text. */
  private async askForText(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    action: TextAction,
    ticket: Ticket,
  ): Promise<DeskResult> {
    await this.sessions.open(tx, staff.id, action, ticket.number);
    await this.say(
      tx,
      inbound,
      this.t(`desk.ask.${action}`, { name: staff.displayName, number: ticket.number }),
      ticket,
    );
    return { ack: { text: '' } };
  }
}

/**
 * The handover button naming one staff member, or undefined when their id could not come back whole in a
 * button (too long or with characters the codec refuses): they are still reached by typing their name.
 */
function handoverButton(number: string, staffId: string): string | undefined {
  try {
    const data = encodeStaffButton({ type: 'handover', number, staffId });
    return decodeStaffButton(data)?.type === 'handover' ? data : undefined;
  } catch (err) {
    if (err instanceof CallbackDataError) return undefined;
    throw err;
  }
}
