/**
 * Intake (代客登记) and contact records, issue 20: what staff record that did not come through the bot.
 * The App part that takes a staff member's `/new` (a ticket taken by phone, at the counter, through a
 * guard or cleaner, by letter), `/contact` (a contact record, or their lists), the answers to their
 * guided questions, and the 📞 button of a phone-revisit task. Anyone who is not staff who types one of
 * these is told it is for the service centre's staff.
 *
 * - `new-ticket.ts`: the questions of a ticket taken elsewhere, and the ticket itself.
 * - `contacts.ts`: contact records (questions, one line, lists).
 * - `phone-revisit.ts`: a revisit done by phone, recorded with buttons.
 * - `guided.ts`: the questions' sessions and messages.
 */
import { parseStaffCommand } from '../../core/desk/vocabulary.js';
import type { StoreTx } from '../../core/ports.js';
import { decodeIntakeButton, isIntakeButtonData } from '../../core/protocol/intake-buttons.js';
import type { Inbound, OutboundMessage, Owner, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { OwnerSide } from '../owner/conversations.js';
import type { AppPart, Handled } from '../parts.js';
import { ContactRecords } from './contacts.js';
import { type Answer, type GuidedFlow, GuidedSessions, type Session } from './guided.js';
import { NewTickets } from './new-ticket.js';
import { PhoneRevisits } from './phone-revisit.js';

/** The words that start each command (with a slash, or the Chinese word alone). */
const NEW_WORDS = new Set(['/new', '/代客登记', '代客登记']);
const CONTACT_WORDS = new Set(['/contact', '/联系记录', '联系记录', '/走访记录', '走访记录']);
const QUIT_WORDS = new Set(['取消', '退出', '放弃', '/cancel', 'cancel', 'quit']);

/** An intake command typed: `/new`, or `/contact …` with what follows it. */
export function parseIntakeCommand(
  text: string,
): { command: 'new' } | { command: 'contact'; rest: string } | undefined {
  const trimmed = text.trim();
  const first = (trimmed.split(/\s+/)[0] ?? '').replace(/@\w+$/, '').toLowerCase();
  if (NEW_WORDS.has(first)) return { command: 'new' };
  if (CONTACT_WORDS.has(first))
    return { command: 'contact', rest: trimmed.slice(trimmed.split(/\s+/)[0]?.length ?? 0).trim() };
  return undefined;
}

export class Intake implements AppPart {
  private readonly sessions: GuidedSessions;
  private readonly tickets: NewTickets;
  private readonly contacts: ContactRecords;
  private readonly revisits: PhoneRevisits;
  /** The questions of each session code, built once: the flows are fixed for the App's life. */
  private readonly flows: Readonly<Record<Session['flow'], GuidedFlow<unknown>>>;

  constructor(
    private readonly ctx: AppContext,
    owners: OwnerSide,
  ) {
    this.sessions = new GuidedSessions(
      () => ctx.clock.now(),
      (k, p) => this.t(k, p),
    );
    this.tickets = new NewTickets(ctx, owners);
    this.contacts = new ContactRecords(ctx);
    this.revisits = new PhoneRevisits(ctx, owners);
    this.flows = { n: this.tickets.flow, c: this.contacts.flow, r: this.revisits.flow };
  }

  private t(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /** Someone who is not staff: these commands and buttons are not theirs. */
  async ownerMessage(tx: StoreTx, owner: Owner, inbound: Inbound): Promise<Handled | undefined> {
    const c = inbound.content;
    const ours =
      c.type === 'text' ? parseIntakeCommand(c.text) !== undefined : c.type === 'button' && isIntakeButtonData(c.data);
    if (!ours) return undefined;
    this.ctx.log.warn({ channel: inbound.channel }, 'refused an intake command from someone who is not staff');
    const text = this.ctx.t(owner.locale, 'intake.refused_not_staff');
    if (c.type === 'button') return { ack: { text, alert: true } };
    await this.ctx.sendTo(tx, inbound, { text });
    return {};
  }

  async staffMessage(tx: StoreTx, staff: Staff, inbound: Inbound): Promise<Handled | undefined> {
    const c = inbound.content;
    if (c.type === 'button') return isIntakeButtonData(c.data) ? this.button(tx, staff, inbound, c.data) : undefined;
    const text = c.type === 'text' ? c.text : undefined;
    const command = text !== undefined ? parseIntakeCommand(text) : undefined;
    if (command?.command === 'new') {
      await this.sessions.end(tx, staff.id);
      return this.reply(tx, inbound, [await this.sessions.ask(tx, staff.id, this.tickets.flow, {}, 'source')]);
    }
    if (command?.command === 'contact') {
      await this.sessions.end(tx, staff.id);
      if (!command.rest)
        return this.reply(tx, inbound, [await this.sessions.ask(tx, staff.id, this.contacts.flow, {}, 'kind')]);
      return this.reply(tx, inbound, [{ text: await this.contacts.command(tx, staff, command.rest) }]);
    }
    const session = await this.sessions.read(tx, staff.id);
    if (!session) return undefined;
    if (text === undefined) {
      // A photo or a sticker in the middle of the questions: say what is wanted, and ask again.
      return this.reply(tx, inbound, [await this.again(tx, staff, session, this.t('intake.problem.text_only'))]);
    }
    if (QUIT_WORDS.has(text.trim().toLowerCase())) return this.quit(tx, staff, inbound);
    if (text.trim().startsWith('/') || parseStaffCommand(text) !== undefined) {
      return this.reply(tx, inbound, [await this.again(tx, staff, session, this.t('intake.problem.mid_flow'))]);
    }
    return this.answer(tx, staff, inbound, session, { text });
  }

  private async button(tx: StoreTx, staff: Staff, inbound: Inbound, data: string): Promise<Handled> {
    const button = decodeIntakeButton(data);
    if (!button) return { ack: { text: this.t('intake.stale'), alert: true } };
    if (button.type === 'quit') return this.quit(tx, staff, inbound);
    if (button.type === 'revisit') {
      const refused = await this.revisits.refusal(tx, staff, button.number);
      if (refused) return { ack: { text: refused, alert: true } };
      await this.sessions.end(tx, staff.id);
      await this.reply(tx, inbound, [
        await this.sessions.ask(tx, staff.id, this.revisits.flow, { number: button.number }, 'solved'),
      ]);
      return { ack: { text: '' } };
    }
    const session = await this.sessions.read(tx, staff.id);
    if (!session || session.flow !== button.flow || session.step !== button.step) {
      // A button of an earlier question (or of questions that ended): said to the presser alone, and the
      // current question asked again where there is one.
      if (session) await this.reply(tx, inbound, [await this.again(tx, staff, session, this.t('intake.stale'))]);
      return { ack: { text: this.t('intake.stale'), alert: true } };
    }
    await this.answer(tx, staff, inbound, session, { choice: button.value });
    return { ack: { text: '' } };
  }

  /** Reads the answer to the current question: the next question, the same one again with why, or the end. */
  private async answer(tx: StoreTx, staff: Staff, inbound: Inbound, session: Session, raw: Answer): Promise<Handled> {
    const flow = this.flowOf(session);
    const state = flow.parse(session.state);
    const step = flow.steps.find((s) => s.id === session.step);
    if (state === undefined || !step) {
      await this.sessions.end(tx, staff.id);
      return this.reply(tx, inbound, [{ text: this.t('intake.expired') }]);
    }
    const { choices } = step.ask(state);
    let answer = raw;
    if ('text' in raw && choices?.length) {
      const picked = this.sessions.typedChoice(choices, raw.text);
      // Where only one choice is offered (跳过, 现在), anything else typed is the answer itself.
      if (picked) answer = { choice: picked };
      else if (choices.length > 1)
        return this.reply(tx, inbound, [
          await this.sessions.ask(tx, staff.id, flow, state, step.id, this.t('intake.problem.pick')),
        ]);
    }
    const read = await step.read(tx, state, answer, { staff, inbound });
    if ('problem' in read)
      return this.reply(tx, inbound, [await this.sessions.ask(tx, staff.id, flow, state, step.id, read.problem)]);
    if ('done' in read) {
      await this.sessions.end(tx, staff.id);
      return this.reply(tx, inbound, read.done);
    }
    const next = this.sessions.next(flow, step.id);
    if (!next) {
      await this.sessions.end(tx, staff.id);
      return {};
    }
    return this.reply(tx, inbound, [await this.sessions.ask(tx, staff.id, flow, read.state, next)]);
  }

  /** The questions a session is in, by its code. */
  private flowOf(session: Session): GuidedFlow<unknown> {
    return this.flows[session.flow];
  }

  /** The current question again, after `lead`. */
  private async again(tx: StoreTx, staff: Staff, session: Session, lead: string): Promise<OutboundMessage> {
    const flow = this.flowOf(session);
    const state = flow.parse(session.state);
    if (state === undefined) {
      await this.sessions.end(tx, staff.id);
      return { text: this.t('intake.expired') };
    }
    return this.sessions.ask(tx, staff.id, flow, state, session.step, lead);
  }

  private async quit(tx: StoreTx, staff: Staff, inbound: Inbound): Promise<Handled> {
    const had = await this.sessions.read(tx, staff.id);
    await this.sessions.end(tx, staff.id);
    await this.reply(tx, inbound, [{ text: this.t(had ? 'intake.quit' : 'intake.nothing_open') }]);
    return inbound.content.type === 'button' ? { ack: { text: '' } } : {};
  }

  private async reply(tx: StoreTx, inbound: Inbound, messages: OutboundMessage[]): Promise<Handled> {
    for (const message of messages) await this.ctx.sendTo(tx, inbound, message);
    return {};
  }
}
