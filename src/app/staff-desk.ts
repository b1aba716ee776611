/**
 * The staff desk: the whole complaint procedure run from the staff group (domain.md's eight steps).
 *
 * Staff act with buttons on a ticket's card, with text commands (`/accept T261128-0007`, or
 * `T261128-0007 接单` for keyboards without buttons), or by replying to the card. The rule 谁受理、谁跟进、
 * 谁回复 is enforced: whoever accepts is accountable, and only they or a supervisor may reply, plan,
 * schedule, hand over or resolve. Every action is checked against the staff list, the ticket's status and
 * its owner; every refusal is logged and answered to the person alone where the platform allows.
 */
import { DateTime } from 'luxon';
import { type ParsedStaffCommand, parseStaffCommand } from '../core/desk/vocabulary.js';
import { fold } from '../core/flow/answers.js';
import { type Store, type StoreTx, ticketsCreatedIn } from '../core/ports.js';
import { deadlineAt, policyFor } from '../core/tickets/sla.js';
import {
  type Actor,
  addEvent,
  isOpen,
  normaliseTicketNumber,
  type Ticket,
  type TicketAction,
  type TimelineEvent,
  TRANSITIONS,
  transition,
} from '../core/tickets/ticket.js';
import { lastAllowedBefore } from '../core/time.js';
import {
  CATEGORIES,
  type Category,
  type Inbound,
  LOCALES,
  RESPONSIBILITIES,
  type Responsibility,
  type Staff,
  URGENCIES,
  type Urgency,
} from '../core/types.js';
import type { AppContext } from './context.js';
import { isTicketOverdue } from './deadlines.js';
import { needsText, StaffSessions, type TextAction } from './desk/session.js';
import { formatBusinessTime, type StaffAction } from './render.js';
import { parseStaffTime } from './staff-time.js';
import { TicketChanges, type TicketOwnerReach } from './tickets/changes.js';

/**
 * How the desk reaches owners; implemented by the App, which owns the owners' conversations. Notices,
 * questions and taking them back are what a ticket change asks of them (tickets/changes.ts).
 */
export interface OwnerSide extends TicketOwnerReach {
  /** The revisit that follows a resolution. */
  scheduleRevisit(tx: StoreTx, ticket: Ticket): Promise<void>;
  /** Records a revisit done by phone (`/revisit T… 已解决 满意 未收费 9`). */
  revisitByPhone(tx: StoreTx, ticket: Ticket, text: string, actor: Actor): Promise<{ ok: boolean; message: string }>;
}

export interface DeskResult {
  ack?: { text: string; alert?: boolean };
}

/** Actions that need the accountable person (or a supervisor). */
const ACCOUNTABLE_ONLY: readonly StaffAction[] = [
  'judge',
  'reject',
  'reply',
  'plan',
  'schedule',
  'resolve',
  'handover',
  'phone',
  'draft',
];

/**
 * The ticket a staff message quotes or replies to: the one its channel read from the quote (WeChat), else
 * the ticket of the card or owner's note it replies to, found by the platform id that message was sent
 * under (Telegram). The one place a reply is resolved to a ticket. Inside a message's transaction, pass
 * the transaction: the store itself would refuse (STORE_CONFLICT) and the reply be lost.
 */
async function quotedTicket(store: Pick<Store, 'findRefByMessage'>, inbound: Inbound): Promise<string | undefined> {
  if (inbound.quotedTicket) return inbound.quotedTicket;
  if (!inbound.replyTo) return undefined;
  const ref = await store.findRefByMessage(inbound.channel, inbound.chatId, inbound.replyTo);
  return ref?.match(/^(?:card|note):(T\d{6}-\d{4,})/)?.[1];
}

/**
 * Whether text under a quote of `number` is a reply to its owner: not empty, and not about another ticket
 * (a message that begins with a different number is staff talking about that one).
 */
function isReplyText(text: string, number: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (first === '') return false;
  const other = normaliseTicketNumber(first);
  return !other || other === number;
}

export class StaffDesk {
  private readonly changes: TicketChanges;
  private readonly sessions: StaffSessions;

  constructor(
    private readonly ctx: AppContext,
    private readonly owners: OwnerSide,
  ) {
    this.changes = new TicketChanges(ctx, owners);
    this.sessions = new StaffSessions(() => ctx.clock.now());
  }

  /** Whether a message from a private chat is a staff command (only then is a registered staff member's private message routed here). */
  static looksLikeCommand(inbound: Inbound): boolean {
    if (inbound.content.type === 'button') return inbound.content.data.startsWith('s|');
    // A photo captioned with a command (`/resolve T… 已更换水管`) is one too.
    const text =
      inbound.content.type === 'text'
        ? inbound.content.text
        : inbound.content.type === 'photo'
          ? inbound.content.caption
          : undefined;
    if (!text) return false;
    // 取消 / 帮助 without a ticket number belong to the sender's own conversation (staff are owners too).
    const parsed = parseStaffCommand(text);
    return (
      parsed !== undefined &&
      (parsed.number !== undefined || parsed.command === 'tickets' || parsed.command === 'summary')
    );
  }

  /** The role configuration gives the sender (SUPERVISORS, MANAGERS); everyone else in the room is staff. */
  configuredRole(inbound: Inbound): Staff['role'] {
    const matches = (refs: readonly { channel?: string; userId: string }[]) =>
      refs.some((r) => r.userId === inbound.userId && (!r.channel || r.channel === inbound.channel));
    return matches(this.ctx.policy.managers)
      ? 'manager'
      : matches(this.ctx.policy.supervisors)
        ? 'supervisor'
        : 'staff';
  }

  /**
   * The role of a sender who is staff: anyone writing in a staff room, or a registered, active member
   * writing from a private chat. Read outside any transaction, to decide whether a model call is worth it.
   */
  async staffRoleOf(inbound: Inbound): Promise<Staff['role'] | undefined> {
    if (inbound.chatKind === 'staff') return this.configuredRole(inbound);
    const staff = await this.ctx.store.findStaff(inbound.channel, inbound.userId);
    return staff?.active ? staff.role : undefined;
  }

  /** Records (or refreshes) the staff member behind a staff-room message, with the role configuration gives them. */
  async enrol(tx: StoreTx, inbound: Inbound): Promise<Staff> {
    const id = `${inbound.channel}:${inbound.userId}`;
    const existing = await tx.getStaff(id);
    const role = this.configuredRole(inbound);
    const displayName = inbound.userName?.trim() || existing?.displayName || inbound.userId;
    const staff: Staff = { id, channel: inbound.channel, userId: inbound.userId, displayName, role, active: true };
    if (!existing || existing.displayName !== displayName || existing.role !== role || !existing.active)
      await tx.saveStaff(staff);
    return staff;
  }

  /** Handles one message or button press from a staff member. */
  /**
   * For a "suggest a reply" request: the assistant's draft, computed before the transaction (a model call
   * must never hold the store). Authorization is checked later, inside the transaction.
   */
  async prepareDraft(inbound: Inbound): Promise<string | undefined> {
    const assistant = this.ctx.assistant;
    if (!assistant) return undefined;
    const c = inbound.content;
    let number: string | undefined;
    if (c.type === 'button' && c.data.startsWith('s|draft|')) number = c.data.split('|')[2];
    if (c.type === 'text') {
      const parsed = parseStaffCommand(c.text, await quotedTicket(this.ctx.store, inbound));
      if (parsed?.command === 'draft') number = parsed.number;
    }
    if (!number) return undefined;
    // Only for someone who may act on the ticket: a model call is never made for anyone else.
    const role = await this.staffRoleOf(inbound);
    if (!role) return undefined;
    const ticket = await this.ctx.store.getTicketByNumber(number);
    if (!ticket) return undefined;
    if (role === 'staff' && ticket.assignee?.id !== `${inbound.channel}:${inbound.userId}`) return undefined;
    const owner = await this.ctx.store.getOwner(ticket.ownerId);
    const lastOwner = [...ticket.timeline].reverse().find((e) => e.action === 'owner_message' && e.note)?.note;
    return assistant.suggestReply({
      locale: owner?.locale ?? this.ctx.settings.defaultLocale,
      ticketSummary: ticket.summary ?? [...ticket.description].slice(0, 200).join(''),
      ...(ticket.plan ? { plan: ticket.plan } : {}),
      ...(lastOwner ? { lastOwnerMessage: lastOwner } : {}),
    });
  }

  async handle(tx: StoreTx, inbound: Inbound, staff: Staff, draft?: string): Promise<DeskResult> {
    const c = inbound.content;
    if (c.type === 'button' && c.data.startsWith('s|draft|')) {
      const number = c.data.split('|')[2] ?? '';
      return this.run(tx, inbound, staff, 'draft', number, draft ?? '', true);
    }
    if (c.type === 'button') return this.button(tx, inbound, staff, c.data);
    if (c.type === 'photo') return this.photo(tx, inbound, staff, c.fileRef, c.caption);
    if (c.type !== 'text') return {};
    // The desk alone decides what a quote plus text is, the same on every channel: a command word first
    // makes it that command on the quoted ticket (接单, 备注 …); anything else is a reply to its owner.
    const replied = await quotedTicket(tx, inbound);
    const parsed = parseStaffCommand(c.text, replied);
    if (parsed) {
      await this.sessions.end(tx, staff.id);
      return this.command(tx, inbound, staff, parsed, draft);
    }
    if (replied && c.text.trim().startsWith('/')) {
      // An unknown command under a quote (a typo) is never passed on to the owner.
      await this.say(tx, inbound, this.t('desk.help'));
      return {};
    }
    // A quote names its ticket: it wins over text a button asked for on another ticket (which is dropped).
    const session = await this.sessions.take(tx, staff.id);
    if (session && (!replied || replied === session.state.number)) {
      return this.run(tx, inbound, staff, session.current, session.state.number, c.text, false);
    }
    if (replied && isReplyText(c.text, replied)) return this.run(tx, inbound, staff, 'reply', replied, c.text, false);
    return {}; // staff talking among themselves: no noise
  }

  // ── entry points ──────────────────────────────────────────────────────────

  private async command(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    p: ParsedStaffCommand,
    draft?: string,
  ): Promise<DeskResult> {
    if (p.command === 'help') {
      await this.say(tx, inbound, this.t('desk.help'));
      return {};
    }
    if (p.command === 'cancel') return {};
    if (p.command === 'tickets') return this.listOpen(tx, inbound, staff);
    if (p.command === 'summary') return this.summary(tx, inbound, p.rest);
    if (!p.number) {
      await this.say(tx, inbound, this.t('desk.need_number', { command: p.command }));
      return {};
    }
    if (p.command === 'revisit') return this.phoneRevisit(tx, inbound, staff, p.number, p.rest);
    if (p.command === 'note') return this.note(tx, inbound, staff, p.number, p.rest);
    if (p.command === 'draft') return this.run(tx, inbound, staff, 'draft', p.number, draft ?? '', false);
    return this.run(tx, inbound, staff, p.command, p.number, p.rest, false);
  }

  /**
   * An internal note on the timeline (what was found on site, a phone call with the owner): step 3 of
   * domain.md on record. Any staff member may add one; the owner never sees it.
   */
  private async note(tx: StoreTx, inbound: Inbound, staff: Staff, number: string, text: string): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, false, 'desk.refused.no_ticket', { number });
    const note = text.trim();
    if ([...note].length < 2) {
      await this.say(tx, inbound, this.t('desk.note_usage', { number }));
      return {};
    }
    const actor: Actor = { type: 'staff', id: staff.id, name: staff.displayName };
    await this.changes.apply(tx, {
      ticket: addEvent(ticket, { at: this.ctx.clock.now(), actor, action: 'note', note }),
      card: false,
    });
    await this.say(tx, inbound, this.t('desk.note_added', { number }), ticket);
    return {};
  }

  /** The accountable person (or a supervisor) records a revisit done by phone. */
  private async phoneRevisit(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    number: string,
    text: string,
  ): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, false, 'desk.refused.no_ticket', { number });
    if (!this.mayAct(staff, ticket)) {
      this.ctx.log.warn({ ticket: number, action: 'revisit', staff: staff.id }, 'refused: not the accountable person');
      return this.refuse(tx, inbound, false, 'desk.refused.not_accountable', {
        number,
        name: ticket.assignee?.name ?? '',
      });
    }
    const result = await this.owners.revisitByPhone(tx, ticket, text, {
      type: 'staff',
      id: staff.id,
      name: staff.displayName,
    });
    await this.say(tx, inbound, result.message, ticket);
    return {};
  }

  private async button(tx: StoreTx, inbound: Inbound, staff: Staff, data: string): Promise<DeskResult> {
    const [tag, action, number, arg] = data.split('|');
    if (tag !== 's' || !action || !number) return { ack: { text: this.t('desk.refused.unknown'), alert: true } };
    switch (action) {
      case 'ju':
      case 'jr':
      case 'jc':
        return this.judgeButton(tx, inbound, staff, number, action, arg);
      case 'jcat':
      case 'jx':
        return this.judgeMenu(tx, staff, number, action === 'jcat' ? 'category' : 'done');
      case 'hto':
        return this.run(tx, inbound, staff, 'handover', number, arg ?? '', true);
      default:
        return this.run(tx, inbound, staff, action as StaffAction, number, '', true);
    }
  }

  /**
   * A staff photo goes to the owner with a reply or a resolution: captioned with the command
   * (`/resolve T… 已更换水管`), sent when a 💬 or ✅ button asked for text, or in reply to a card.
   */
  private async photo(tx: StoreTx, inbound: Inbound, staff: Staff, ref: string, caption?: string): Promise<DeskResult> {
    const replied = await quotedTicket(tx, inbound);
    const parsed = caption ? parseStaffCommand(caption, replied) : undefined;
    if (parsed?.number && (parsed.command === 'resolve' || parsed.command === 'reply')) {
      await this.sessions.end(tx, staff.id);
      return this.run(tx, inbound, staff, parsed.command, parsed.number, parsed.rest, false, ref);
    }
    // Any other command in the caption (备注 …) is that command; its photo is not sent to the owner.
    if (parsed && replied) {
      await this.sessions.end(tx, staff.id);
      return this.command(tx, inbound, staff, parsed);
    }
    const session = await this.sessions.read(tx, staff.id);
    if (
      session &&
      (session.current === 'reply' || session.current === 'resolve') &&
      (!replied || replied === session.state.number)
    ) {
      await this.sessions.end(tx, staff.id);
      return this.run(tx, inbound, staff, session.current, session.state.number, caption ?? '', false, ref);
    }
    if (!replied) return {};
    return this.run(tx, inbound, staff, 'reply', replied, caption ?? '', false, ref);
  }

  // ── the actions ───────────────────────────────────────────────────────────

  private async run(
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
      await this.say(tx, inbound, this.timeline(ticket), ticket);
      return viaButton ? { ack: { text: '' } } : {};
    }
    if (ACCOUNTABLE_ONLY.includes(action) && !this.mayAct(staff, ticket)) {
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
        return this.judge(tx, inbound, staff, ticket, actor, text, viaButton);
      case 'reject':
        return this.reject(tx, inbound, ticket, actor, text);
      case 'reply':
        return this.reply(tx, inbound, ticket, actor, text, photo);
      case 'plan':
        return this.plan(tx, inbound, ticket, actor, text);
      case 'schedule':
        return this.schedule(tx, inbound, ticket, actor, text);
      case 'resolve':
        return this.resolve(tx, inbound, ticket, actor, text, photo);
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
    if (ticket.assignee && ticket.assignee.id !== staff.id && !this.mayAct(staff, ticket)) {
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

  private async judge(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    ticket: Ticket,
    actor: Actor,
    text: string,
    viaButton: boolean,
  ) {
    if (viaButton || !text.trim()) return this.judgeMenu(tx, staff, ticket.number, 'open');
    const patch = parseJudgement(text, (k) => LOCALES.map((l) => this.ctx.t(l, k)));
    if (!patch) {
      await this.say(tx, inbound, this.t('desk.judge_usage', { number: ticket.number }));
      return {};
    }
    return this.applyJudgement(tx, ticket, actor, patch);
  }

  private async judgeButton(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    number: string,
    action: string,
    arg: string | undefined,
  ) {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, true, 'desk.refused.no_ticket', { number });
    if (!this.mayAct(staff, ticket)) {
      this.ctx.log.warn({ ticket: number, action: 'judge', staff: staff.id }, 'refused: not the accountable person');
      return this.refuse(tx, inbound, true, 'desk.refused.not_accountable', {
        number,
        name: ticket.assignee?.name ?? '',
      });
    }
    const patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> = {};
    if (action === 'ju' && (URGENCIES as readonly string[]).includes(arg ?? '')) patch.urgency = arg as Urgency;
    if (action === 'jr' && (RESPONSIBILITIES as readonly string[]).includes(arg ?? ''))
      patch.responsibility = arg as Responsibility;
    if (action === 'jc' && (CATEGORIES as readonly string[]).includes(arg ?? '')) patch.category = arg as Category;
    if (Object.keys(patch).length === 0) return { ack: { text: this.t('desk.refused.unknown'), alert: true } };
    const result = await this.applyJudgement(
      tx,
      ticket,
      { type: 'staff', id: staff.id, name: staff.displayName },
      patch,
      true,
    );
    return result.ack ? result : { ack: { text: this.t('desk.done.judged') } };
  }

  private async applyJudgement(
    tx: StoreTx,
    ticket: Ticket,
    actor: Actor,
    patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>>,
    keepMenu = false,
  ): Promise<DeskResult> {
    const now = this.ctx.clock.now();
    const changes = Object.entries(patch)
      .filter(([k, v]) => ticket[k as keyof typeof patch] !== v)
      .map(([k, v]) => `${k}: ${String(ticket[k as keyof typeof patch])} → ${String(v)}`);
    const r = transition(ticket, 'judge', actor, now, patch, changes.join('; ') || undefined, { ...patch });
    if (!r.ok)
      return {
        ack: {
          text: this.t('desk.refused.status', {
            number: ticket.number,
            status: this.t(`ticket.status.${ticket.status}`),
          }),
          alert: true,
        },
      };
    // A new urgency, or a reopened ticket back at work, is timed afresh.
    const retime = (patch.urgency && patch.urgency !== ticket.urgency) || ticket.status === 'reopened';
    // Someone other than the property company is responsible: the owner is told who (staff, if they cannot be reached, in every room).
    const elsewhere =
      patch.responsibility &&
      patch.responsibility !== ticket.responsibility &&
      patch.responsibility !== 'property' &&
      patch.responsibility !== 'unknown';
    await this.changes.apply(tx, {
      ticket: r.ticket,
      ...(keepMenu ? { card: 'judge' as const } : {}),
      ...(retime ? { deadlines: 'restart' as const } : {}),
      ...(elsewhere
        ? { owner: { notify: `owner.responsibility.${patch.responsibility}`, params: { number: ticket.number } } }
        : {}),
    });
    return {};
  }

  /** Swaps the card's buttons for the judging choices (in place), or back. */
  private async judgeMenu(
    tx: StoreTx,
    staff: Staff,
    number: string,
    mode: 'open' | 'category' | 'done',
  ): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return { ack: { text: this.t('desk.refused.no_ticket', { number }), alert: true } };
    if (!this.mayAct(staff, ticket))
      return {
        ack: {
          text: this.t('desk.refused.not_accountable', { number, name: ticket.assignee?.name ?? '' }),
          alert: true,
        },
      };
    if (mode !== 'done' && !TRANSITIONS.judge.from.includes(ticket.status)) {
      // A judging button from an old message: the card shows what can be done now instead.
      await this.ctx.updateCard(tx, ticket);
      return {
        ack: {
          text: this.t('desk.refused.status', { number, status: this.t(`ticket.status.${ticket.status}`) }),
          alert: true,
        },
      };
    }
    await this.ctx.updateCard(tx, ticket, mode === 'done' ? undefined : mode === 'open' ? 'judge' : 'category');
    return { ack: { text: '' } };
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

  private async plan(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string) {
    const plan = text.trim();
    if ([...plan].length < 4) {
      await this.say(tx, inbound, this.t('desk.plan_usage', { number: ticket.number }));
      return {};
    }
    const r = transition(ticket, 'propose_plan', actor, this.ctx.clock.now(), { plan }, plan);
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // A revised plan replaces the question about the one before.
      withdraw: ticket.status === 'awaiting_agreement' ? ['plan'] : [],
      // Back at work without a new acceptance: stop timing acceptance, time the resolution.
      deadlines: ticket.status === 'reopened' ? 'restart' : ['progress'],
      owner: { flow: 'plan', context: { number: ticket.number, plan, name: actor.type === 'staff' ? actor.name : '' } },
      replyIn: inbound,
    });
    return {};
  }

  private async schedule(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string) {
    const now = this.ctx.clock.now();
    const parsed = parseStaffTime(text, now, this.ctx.settings.timeZone);
    if (!parsed || parsed.at.getTime() <= now.getTime()) {
      await this.say(tx, inbound, this.t('desk.schedule_usage', { number: ticket.number }));
      return {};
    }
    if (parsed.smallHours) {
      // 明天3点 is nearly always 15:00: ask, rather than invite the owner to a visit at 03:00.
      const hour = Number(formatBusinessTime(parsed.at, this.ctx.settings.timeZone).slice(11, 13));
      await this.say(
        tx,
        inbound,
        this.t('desk.schedule_small_hours', {
          number: ticket.number,
          time: formatBusinessTime(parsed.at, this.ctx.settings.timeZone).slice(11),
          hour,
          afternoon: hour + 12,
        }),
      );
      return {};
    }
    const when = formatBusinessTime(parsed.at, this.ctx.settings.timeZone);
    const r = transition(ticket, 'schedule', actor, now, { scheduledFor: parsed.at }, parsed.rest || undefined, {
      at: parsed.at.toISOString(),
    });
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // A new time replaces the question about the old one (or about a plan agreed meanwhile by phone).
      withdraw: overtaken(ticket),
      // Progress is reported, and the resolution is timed from the agreed time.
      deadlines: 'restart',
      owner: {
        flow: 'appointment',
        context: {
          number: ticket.number,
          time: when,
          note: parsed.rest,
          name: actor.type === 'staff' ? actor.name : '',
        },
      },
      replyIn: inbound,
    });
    await scheduleAppointmentReminders(this.ctx, tx, r.ticket, parsed.at);
    return {};
  }

  private async resolve(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string, photo?: string) {
    const note = text.trim();
    if ([...note].length < 2) {
      await this.say(tx, inbound, this.t('desk.resolve_usage', { number: ticket.number }));
      return {};
    }
    const r = transition(
      ticket,
      'resolve',
      actor,
      this.ctx.clock.now(),
      { resolution: note },
      note,
      photo ? { photo } : undefined,
    );
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // Done: a plan or a visit time still waiting for the owner's answer no longer needs one.
      withdraw: overtaken(ticket),
      deadlines: 'stop',
      owner: {
        notify: 'owner.resolved',
        params: { number: ticket.number, note },
        ...(photo ? { photos: [photo] } : {}),
      },
      replyIn: inbound,
    });
    await tx.cancelJobs(`appointment:${ticket.id}:staff`, this.ctx.clock.now());
    await tx.cancelJobs(`appointment:${ticket.id}:owner`, this.ctx.clock.now());
    await this.owners.scheduleRevisit(tx, r.ticket);
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
        ...others.slice(0, 12).map((s) => [{ label: s.displayName, data: `s|hto|${ticket.number}|${s.id}` }]),
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
      undefined,
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
    if (viaButton) return { ack: { text, alert: true } };
    const privateChat = inbound.channel === 'console' ? inbound.chatId : staff.userId;
    await this.ctx.sendTo(tx, { channel: inbound.channel, chatId: privateChat }, { text });
    // Typed in the group: say where the number went (it never arrives if they have not started the bot).
    if (privateChat !== inbound.chatId)
      await this.say(tx, inbound, this.t('desk.phone_sent_privately', { name: staff.displayName }), ticket);
    return {};
  }

  // ── listing ───────────────────────────────────────────────────────────────

  private async listOpen(tx: StoreTx, inbound: Inbound, staff: Staff): Promise<DeskResult> {
    const open = await tx.listTickets({
      statuses: ['recorded', 'accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'],
      limit: 200,
    });
    const now = this.ctx.clock.now();
    const line = (t: Ticket) =>
      `${t.number} · ${this.t(`ticket.status.${t.status}`)} · ${this.t(`ticket.category.${t.category}`)}${t.assignee ? ` · ${t.assignee.name}` : ''}`;
    const mine = open.filter((t) => t.assignee?.id === staff.id);
    const unassigned = open.filter((t) => !t.assignee);
    const overdue = open.filter((t) => isTicketOverdue(this.ctx, t, now));
    const section = (key: string, list: Ticket[]) =>
      [`${this.t(key)} (${list.length})`, ...list.slice(0, 20).map(line)].join('\n');
    await this.say(
      tx,
      inbound,
      [
        section('desk.list.mine', mine),
        section('desk.list.unassigned', unassigned),
        section('desk.list.overdue', overdue),
      ].join('\n\n'),
    );
    return {};
  }

  /**
   * Step 8 of domain.md (总结评价): the tickets recorded in a month or a quarter, grouped by kind, category,
   * responsibility and status, with response times, deadlines kept, reopenings and revisit scores.
   */
  private async summary(tx: StoreTx, inbound: Inbound, arg: string): Promise<DeskResult> {
    const zone = this.ctx.settings.timeZone;
    const period = summaryPeriod(arg.trim(), this.ctx.clock.now(), zone);
    if (!period) {
      await this.say(tx, inbound, this.t('desk.summary.usage'));
      return {};
    }
    const { from, to, label } = period;
    // Counted by the store, and walked page by page for the service figures: any period, any history.
    const counts = await tx.countTicketsCreated({ from, to });
    const title = this.t('desk.summary.title', { period: label, count: counts.total });
    if (counts.total === 0) {
      await this.say(tx, inbound, title);
      return {};
    }
    const counted = <K extends string>(byValue: Partial<Record<K, number>>, labelOf: (k: K) => string) =>
      (Object.entries(byValue) as [K, number][])
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => `${labelOf(k)} ${n}`)
        .join(' · ');
    const { sla, businessHours } = this.ctx.policy;
    const figures = { accepted: 0, acceptedInTime: 0, resolved: 0, resolvedInTime: 0, escalated: 0, reopened: 0 };
    let responded = 0;
    let responseMs = 0;
    let revisited = 0;
    let scoreSum = 0;
    let satisfied = 0;
    for await (const t of ticketsCreatedIn(tx, { from, to })) {
      const acceptedAt = t.timeline.find((e) => e.action === 'accept')?.at;
      if (acceptedAt) {
        figures.accepted += 1;
        const due = deadlineAt(t.createdAt, policyFor(t), 'accept', 100, sla, businessHours, zone);
        if (!due || acceptedAt <= due) figures.acceptedInTime += 1;
        if (t.resolvedAt) {
          figures.resolved += 1;
          const resolveBy = deadlineAt(acceptedAt, policyFor(t), 'resolve', 100, sla, businessHours, zone);
          if (!resolveBy || t.resolvedAt <= resolveBy) figures.resolvedInTime += 1;
        }
      }
      if (t.firstResponseAt) {
        responded += 1;
        responseMs += t.firstResponseAt.getTime() - t.createdAt.getTime();
      }
      if (t.revisit) {
        revisited += 1;
        scoreSum += t.revisit.score ?? 0;
        if (t.revisit.attitude === 'satisfied' && t.revisit.solved) satisfied += 1;
      }
      if (t.timeline.some((e) => e.action === 'escalation')) figures.escalated += 1;
      if (t.reopenCount > 0) figures.reopened += 1;
    }
    const minutes = responded ? Math.round(responseMs / responded / 60_000) : 0;
    const score = revisited ? (scoreSum / revisited).toFixed(1) : '—';
    const lines = [
      title,
      `${this.t('card.kind')}：${counted(counts.kind, (k) => this.t(`ticket.kind.${k}`))}`,
      `${this.t('card.category')}：${counted(counts.category, (k) => this.t(`ticket.category.${k}`))}`,
      `${this.t('card.responsibility')}：${counted(counts.responsibility, (k) => this.t(`ticket.responsibility.${k}`))}`,
      `${this.t('card.status')}：${counted(counts.status, (k) => this.t(`ticket.status.${k}`))}`,
      this.t('desk.summary.service', {
        minutes,
        accepted: figures.acceptedInTime,
        acceptedOf: figures.accepted,
        resolved: figures.resolvedInTime,
        resolvedOf: figures.resolved,
        escalated: figures.escalated,
        reopened: figures.reopened,
      }),
      this.t('desk.summary.revisit', { count: revisited, score, satisfied }),
    ];
    await this.say(tx, inbound, lines.join('\n'));
    return {};
  }

  private timeline(ticket: Ticket): string {
    const zone = this.ctx.settings.timeZone;
    const who = (a: Actor) =>
      a.type === 'staff' ? a.name : this.t(a.type === 'owner' ? 'desk.actor.owner' : 'desk.actor.system');
    const lines = ticket.timeline.map((e) => {
      const what = this.t(`desk.event.${e.action}`);
      const move = e.to && e.from !== e.to ? ` → ${this.t(`ticket.status.${e.to}`)}` : '';
      const note = this.eventNote(e);
      return `${formatBusinessTime(e.at, zone)} ${who(e.actor)}：${what}${move}${note ? `「${note}」` : ''}`;
    });
    return [this.t('desk.timeline_title', { number: ticket.number }), ...lines].join('\n');
  }

  /** An event's note as staff read it: what the system recorded in its own terms, in the staff's language. */
  private eventNote(e: TimelineEvent): string | undefined {
    if (e.action === 'judge' && e.data) {
      const data = e.data;
      const set = (['urgency', 'responsibility', 'category'] as const)
        .filter((k) => typeof data[k] === 'string')
        .map((k) => `${this.t(`card.${k}`)}：${this.t(`ticket.${k}.${String(data[k])}`)}`);
      if (set.length > 0) return set.join('；');
    }
    const note = e.note;
    if (!note) return undefined;
    const sla = note.match(/^(accept|progress|resolve) (\d+)%$/);
    if (sla) return `${this.t(`desk.phase.${sla[1]}`)} ${sla[2]}%`;
    const round = note.match(/^emergency not accepted, round (\d+)$/);
    if (round) return this.t('desk.note.emergency_round', { round: Number(round[1]) });
    const other = note.match(/^another time: ([\s\S]*)$/);
    if (other) return this.t('desk.note.appointment_change', { comment: other[1] ?? '' });
    const fixed = SYSTEM_NOTES[note];
    return fixed ? this.t(`desk.note.${fixed}`) : note;
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

  private t(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  private mayAct(staff: Staff, ticket: Ticket): boolean {
    return staff.role !== 'staff' || ticket.assignee?.id === staff.id;
  }

  /** A short answer in the chat the staff member wrote in (threaded under the ticket's card where possible). */
  private async say(
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
  private async refuse(
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

/** The period a summary covers: `2026-11` (a month), `2026-Q4` (a quarter), or the month so far. */
export function summaryPeriod(
  arg: string,
  now: Date,
  zone: string,
): { from: Date; to: Date; label: string } | undefined {
  const local = DateTime.fromJSDate(now, { zone });
  let start: DateTime;
  let months: number;
  let label: string;
  const month = arg.match(/^(\d{4})-(\d{1,2})$/);
  const quarter = arg.match(/^(\d{4})-?[Qq]([1-4])$/);
  if (!arg) {
    start = local.startOf('month');
    months = 1;
    label = start.toFormat('yyyy-MM');
  } else if (month) {
    start = DateTime.fromObject({ year: Number(month[1]), month: Number(month[2]), day: 1 }, { zone });
    months = 1;
    label = start.isValid ? start.toFormat('yyyy-MM') : '';
  } else if (quarter) {
    start = DateTime.fromObject(
      { year: Number(quarter[1]), month: (Number(quarter[2]) - 1) * 3 + 1, day: 1 },
      { zone },
    );
    months = 3;
    label = `${quarter[1]}-Q${quarter[2]}`;
  } else {
    return undefined;
  }
  if (!start.isValid) return undefined;
  return { from: start.toJSDate(), to: start.plus({ months }).toJSDate(), label };
}

/** The owner's unanswered questions about a ticket that a new time or a resolution overtakes. */
function overtaken(ticket: Ticket): string[] {
  if (ticket.status === 'scheduled') return ['appointment'];
  if (ticket.status === 'awaiting_agreement') return ['plan'];
  return [];
}

/** Notes the application records in its own words, shown to staff in theirs. */
const SYSTEM_NOTES: Record<string, string> = {
  'appointment confirmed': 'appointment_ok',
  'owner accepted the explanation': 'explanation_ok',
  'revisit follow-up overdue': 'revisit_overdue',
  'owner put the revisit off after the last contact': 'revisit_put_off',
  'no response to the revisit': 'revisit_no_response',
  'phone revisit requested': 'revisit_phone',
};

/** The statuses an action may start from (from the ticket transition table), for a clear refusal. */
function allowedFrom(action: StaffAction): readonly string[] | undefined {
  const map: Partial<Record<StaffAction, TicketAction>> = {
    accept: 'accept',
    judge: 'judge',
    reject: 'reject',
    plan: 'propose_plan',
    schedule: 'schedule',
    resolve: 'resolve',
    handover: 'hand_over',
  };
  const ticketAction = map[action];
  if (!ticketAction || ticketAction === 'create') return undefined;
  return TRANSITION_FROM[ticketAction];
}

const TRANSITION_FROM: Partial<Record<TicketAction, readonly string[]>> = Object.fromEntries(
  Object.entries(TRANSITIONS).map(([k, v]) => [k, v.from]),
);

/**
 * Reads `urgency=urgent responsibility=developer category=lift`, or bare values in either language
 * (`加急 开发商`). Returns undefined when nothing recognisable was given.
 */
export function parseJudgement(
  text: string,
  labelsOf: (key: string) => string[],
): Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> | undefined {
  const patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> = {};
  const match = <T extends string>(value: string, all: readonly T[], prefix: string): T | undefined => {
    const v = fold(value);
    if (!v) return undefined;
    // A label's note in brackets is optional when typed: 开发商 matches 开发商（保修期内）.
    const forms = (l: string) => [fold(l), fold(l.replace(/[（(][^）)]*[）)]/g, ''))];
    return all.find((id) => fold(id) === v || labelsOf(`${prefix}.${id}`).some((l) => forms(l).includes(v)));
  };
  for (const token of text.trim().split(/\s+/)) {
    const [rawKey, rawValue] =
      token.includes('=') || token.includes('：') || token.includes(':') ? token.split(/[=:：]/) : [undefined, token];
    const key = rawKey ? fold(rawKey) : undefined;
    const value = rawValue ?? '';
    const u =
      !key || ['u', 'urgency', '紧急程度'].includes(key) ? match(value, URGENCIES, 'ticket.urgency') : undefined;
    const r =
      !key || ['r', 'resp', 'responsibility', '责任方'].includes(key)
        ? match(value, RESPONSIBILITIES, 'ticket.responsibility')
        : undefined;
    const c =
      !key || ['c', 'cat', 'category', '类别'].includes(key) ? match(value, CATEGORIES, 'ticket.category') : undefined;
    if (u) patch.urgency = u;
    else if (r) patch.responsibility = r;
    else if (c) patch.category = c;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Reminders an hour before an agreed time: to the group (mentioning the accountable person) and to the owner, never at night. */
async function scheduleAppointmentReminders(ctx: AppContext, tx: StoreTx, ticket: Ticket, at: Date): Promise<void> {
  const now = ctx.clock.now();
  const before = new Date(at.getTime() - 3_600_000);
  const staffAt = before.getTime() > now.getTime() ? before : now;
  const ownerAt = lastAllowedBefore(staffAt, ctx.policy.quietHours, ctx.settings.timeZone);
  for (const [who, due] of [
    ['staff', staffAt],
    ['owner', ownerAt.getTime() > now.getTime() ? ownerAt : now],
  ] as const) {
    const key = `appointment:${ticket.id}:${who}`;
    await tx.cancelJobs(key, now);
    await tx.scheduleJob(
      {
        id: ctx.newId(),
        type: 'appointment.remind',
        dueAt: due,
        key,
        payload: { ticketId: ticket.id, who, at: at.toISOString() },
      },
      now,
    );
  }
}
