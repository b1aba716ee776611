/**
 * The application: the one path every inbound message takes, and the owner's side of every ticket.
 *
 * `handleInbound` runs one store transaction per message: dedupe on the platform id → route (owner,
 * staff, stranger group) → `engine.step` or the staff desk → carry out the effects → save → write every
 * reply and staff notice to the outbox. Nothing is sent from here; the dispatcher delivers the outbox. A
 * failure for one message is caught here, logged without personal data, and answered with a short
 * apology; the message itself is still recorded.
 */

import type {
  Effect,
  EngineContext,
  EngineEvent,
  FlowContext,
  FlowEffect,
  TicketSummary,
} from '../core/flow/engine.js';
import { keptAtLanguage, mayUnderstand, step } from '../core/flow/engine.js';
import type { AnswerValue, PhotoAnswer } from '../core/flow/state.js';
import { initialState } from '../core/flow/state.js';
import { formatUnit } from '../core/location.js';
import { type AnswerSummary, CARD_SUMMARY_FROM } from '../core/ports/assistant.js';
import type { Job, StoreTx, Thread } from '../core/ports.js';
import { parseOwnerSurveyWord } from '../core/surveys/words.js';
import {
  type Actor,
  addEvent,
  formatTicketNumber,
  isOpen,
  newTicket,
  type Ticket,
  type TicketDraft,
  transition,
} from '../core/tickets/ticket.js';
import type { TimelineDetail } from '../core/tickets/timeline.js';
import { nextAllowed } from '../core/time.js';
import {
  type Address,
  CATEGORIES,
  type Category,
  type Channel,
  type EstateLocation,
  type Inbound,
  type Locale,
  type Owner,
  type Staff,
  TICKET_KINDS,
  type TicketKind,
  URGENCIES,
  type Urgency,
} from '../core/types.js';
import type { EmergencyAssessment } from '../core/understand/emergency.js';
import type { Understanding } from '../core/understand/understanding.js';
import { AppContext, type AppOptions } from './context.js';
import { alertEmergency, cancelDeadlines, runEmergencyRepeat, runSlaCheck, scheduleDeadlines } from './deadlines.js';
import { StaffDesk } from './desk/desk.js';
import type { OwnerSide } from './desk/support.js';
import { IdentityLinks } from './identity.js';
import { FrontDoor } from './owner/front-door.js';
import { businessDayKey, EMERGENCY_WHAT, emergencyWhatOf, formatBusinessTime } from './render.js';
import { Revisits } from './revisits.js';
import type { JobHandler } from './scheduler.js';
import { parseSurveyButton } from './surveys/buttons.js';
import { parseSurveyCommand, type SurveyCommand } from './surveys/commands.js';
import type { StartFlowOptions, SurveyOwners } from './surveys/owners.js';
import type { SurveyOptions } from './surveys/support.js';
import { Surveys } from './surveys/surveys.js';

export type { AppOptions, AppSettings } from './context.js';

/** What the channel adapter needs to know after a message was handled. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer); `alert` for a dialog. */
  ack?: { text: string; alert?: boolean };
}

/** An owner who wrote within this long is answered at once, even in quiet hours. */
const ACTIVE_OWNER_MS = 30 * 60_000;
/** How far back in a chat's log to look for the owner's last message. */
const RECENT_LOG_ENTRIES = 30;

/** Maps a platform's language code to one of ours: zh… → zh-CN, any other → en, none → the default. */
export function localeFromLanguageCode(code: string | undefined, fallback: Locale): Locale {
  if (!code) return fallback;
  return code.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

const silentAck = (inbound: Inbound) => (inbound.content.type === 'button' ? { ack: { text: '' } } : {});

/** A `/survey …` command typed, or a survey button pressed (preview, start, report). */
function surveyCommandOf(inbound: Inbound): SurveyCommand | undefined {
  if (inbound.content.type === 'text') return parseSurveyCommand(inbound.content.text);
  if (inbound.content.type === 'button') return parseSurveyButton(inbound.content.data);
  return undefined;
}

export class App implements OwnerSide, SurveyOwners {
  readonly ctx: AppContext;
  readonly surveys: Surveys;
  private readonly desk: StaffDesk;
  private readonly revisits: Revisits;
  private readonly links: IdentityLinks;
  private readonly frontDoor: FrontDoor;

  constructor(o: AppOptions & { surveys?: SurveyOptions }) {
    this.ctx = new AppContext(o);
    this.surveys = new Surveys(this.ctx, this, o.surveys ?? { questionnaires: new Map() });
    this.desk = new StaffDesk(this.ctx, this);
    this.revisits = new Revisits(this.ctx, this);
    this.links = new IdentityLinks(this.ctx);
    this.frontDoor = new FrontDoor(this.ctx);
  }

  /**
   * Handles one inbound message or button press. A failure in handling is answered with an apology and
   * never thrown; it throws only when the message could not be recorded at all (the store is down).
   */
  async handleInbound(inbound: Inbound): Promise<InboundResult> {
    try {
      // Slow help (a model call) happens before the transaction, never while holding the store.
      const { understanding, emergency } = await this.understand(inbound);
      const draft = await this.desk.prepareDraft(inbound);
      const themes = await this.surveyThemes(inbound);
      return await this.ctx.store.transaction((tx) =>
        this.process(tx, inbound, understanding, draft, themes, emergency),
      );
    } catch (error) {
      this.ctx.log.error(
        { err: error, channel: inbound.channel, messageId: inbound.messageId },
        'handling an inbound message failed; the sender gets an apology',
      );
      return this.apologise(inbound);
    }
  }

  /**
   * What the assistant reads from an owner's free text, when the conversation is somewhere free text can
   * start a report, and the emergency rules' verdict on any text in any state: checked first, whatever
   * the length, and never waiting on a model.
   */
  private async understand(
    inbound: Inbound,
  ): Promise<{ understanding?: Understanding; emergency?: EmergencyAssessment }> {
    const assistant = this.ctx.assistant;
    if (!assistant || inbound.chatKind !== 'private') return {};
    const kept = await this.understandKept(inbound, assistant);
    if (kept) return kept;
    if (inbound.content.type !== 'text') return {};
    const text = inbound.content.text;
    const emergency = assistant.assessEmergency(text);
    if (emergency.verdict === 'present') return { understanding: assistant.understandNow(text), emergency };
    const thread = await this.ctx.store.getThread(inbound.channel, inbound.chatId);
    const state = thread?.state ?? initialState();
    if (!mayUnderstand(state, text, this.ctx.registry) && !this.surveys.mayHoldReport(state, text))
      return { emergency };
    const owner = await this.ctx.store.findOwnerByIdentity(inbound.channel, inbound.userId);
    const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
    return { understanding: await assistant.understand(text, locale), emergency };
  }

  /** A message kept at the language question is handled once a language is chosen: read it beforehand. */
  private async understandKept(
    inbound: Inbound,
    assistant: NonNullable<AppContext['assistant']>,
  ): Promise<{ understanding?: Understanding; emergency?: EmergencyAssessment } | undefined> {
    const thread = await this.ctx.store.getThread(inbound.channel, inbound.chatId);
    const kept = thread ? keptAtLanguage(thread.state) : undefined;
    if (!kept) return undefined;
    const owner = await this.ctx.store.findOwnerByIdentity(inbound.channel, inbound.userId);
    const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
    return { understanding: await assistant.understand(kept, locale), emergency: assistant.assessEmergency(kept) };
  }

  /** For `/survey report|close`: the free-text themes, worked out before the transaction. */
  private async surveyThemes(inbound: Inbound): Promise<AnswerSummary | undefined> {
    if (inbound.chatKind === 'group') return undefined;
    const command = surveyCommandOf(inbound);
    if (command?.action !== 'report' && command?.action !== 'close') return undefined;
    const role = await this.desk.staffRoleOf(inbound);
    if (!role || role === 'staff') return undefined; // refused in the transaction; no model call for it
    return this.surveys.themesFor(command.campaignId);
  }

  private async process(
    tx: StoreTx,
    inbound: Inbound,
    understanding?: Understanding,
    draft?: string,
    themes?: AnswerSummary,
    emergency?: EmergencyAssessment,
  ): Promise<InboundResult> {
    const now = this.ctx.clock.now();
    if (!(await tx.markInbound(inbound.channel, inbound.messageId, now))) {
      this.ctx.log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'duplicate delivery ignored');
      return { duplicate: true };
    }
    await tx.logMessage({
      channel: inbound.channel,
      chatId: inbound.chatId,
      direction: 'in',
      at: now,
      messageId: inbound.messageId,
      body: inbound.content,
    });
    if (inbound.chatKind === 'group') return this.strangerGroup(tx, inbound);
    const surveyCommand = surveyCommandOf(inbound);
    if (inbound.chatKind === 'staff') {
      const staff = await this.desk.enrol(tx, inbound);
      if (surveyCommand) return this.surveyCommand(tx, inbound, staff, surveyCommand, themes);
      if (await this.frontDoor.staffAnswer(tx, inbound)) return { duplicate: false };
      const result = await this.desk.handle(tx, inbound, staff, draft);
      return { duplicate: false, ...(result.ack ? { ack: result.ack } : silentAck(inbound)) };
    }
    if (surveyCommand) {
      const staff = await tx.findStaff(inbound.channel, inbound.userId);
      if (staff?.active) return this.surveyCommand(tx, inbound, staff, surveyCommand);
    }
    if (StaffDesk.looksLikeCommand(inbound)) {
      const staff = await tx.findStaff(inbound.channel, inbound.userId);
      if (staff?.active) {
        const result = await this.desk.handle(tx, inbound, staff, draft);
        return { duplicate: false, ...(result.ack ? { ack: result.ack } : silentAck(inbound)) };
      }
      this.ctx.log.warn(
        { channel: inbound.channel, chatId: inbound.chatId },
        'refused a staff action from someone who is not staff',
      );
      if (inbound.content.type === 'button') {
        const locale = localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
        return { duplicate: false, ack: { text: this.ctx.t(locale, 'desk.refused.not_staff'), alert: true } };
      }
      if (staff) {
        // No longer in the staff room: say so, rather than taking the command for an owner's message.
        const locale = localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
        await this.ctx.sendTo(tx, inbound, { text: this.ctx.t(locale, 'desk.refused.left_staff') });
        return { duplicate: false };
      }
    }
    return this.ownerMessage(tx, inbound, now, understanding, emergency);
  }

  /** Added to some other group by mistake: say once that we work in private chats, then stay quiet. */
  private async strangerGroup(tx: StoreTx, inbound: Inbound): Promise<InboundResult> {
    const key = `group-notice:${inbound.channel}:${inbound.chatId}`;
    if (!(await tx.getSetting(key))) {
      await tx.setSetting(key, this.ctx.clock.now().toISOString());
      const locale = localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
      await this.ctx.sendTo(tx, inbound, { text: this.ctx.t(locale, 'group.private_only') });
    }
    return { duplicate: false, ...silentAck(inbound) };
  }

  private async ownerMessage(
    tx: StoreTx,
    inbound: Inbound,
    now: Date,
    understanding?: Understanding,
    emergency?: EmergencyAssessment,
  ): Promise<InboundResult> {
    const owner = await this.findOrCreateOwner(tx, inbound, now);
    if (inbound.content.type === 'text' && (await this.links.tryCode(tx, owner, inbound, inbound.content.text))) {
      return { duplicate: false };
    }
    const surveyWord = inbound.content.type === 'text' ? parseOwnerSurveyWord(inbound.content.text) : undefined;
    if (surveyWord) {
      await this.surveys.ownerWord(tx, owner, inbound, surveyWord);
      return { duplicate: false };
    }
    let thread = await this.threadOf(tx, inbound, owner, now);
    // A report written in the middle of a questionnaire: the questionnaire waits, the report starts.
    if (understanding && inbound.content.type === 'text') {
      const text = inbound.content.text;
      thread = (await this.surveys.pauseForReport(tx, owner, inbound, thread, text, understanding)) ?? thread;
    }
    const result = await this.runEngine(
      tx,
      owner,
      thread,
      inbound.content,
      inbound,
      now,
      undefined,
      understanding,
      emergency,
    );
    if (inbound.content.type !== 'button') return { duplicate: false };
    return { duplicate: false, ack: { text: result.ack ?? '' } };
  }

  private async threadOf(tx: StoreTx, address: Address, owner: Owner, now: Date): Promise<Thread> {
    return (
      (await tx.getThread(address.channel, address.chatId)) ?? {
        channel: address.channel,
        chatId: address.chatId,
        ownerId: owner.id,
        state: initialState(),
        updatedAt: now,
      }
    );
  }

  /** Steps the engine and carries out its output in order: messages to the outbox, effects in the store. */
  private async runEngine(
    tx: StoreTx,
    owner: Owner,
    thread: Thread,
    event: EngineEvent,
    address: Address,
    now: Date,
    notBefore?: Date,
    understanding?: Understanding,
    emergency?: EmergencyAssessment,
  ): Promise<{ ack?: string }> {
    const tickets = await tx.listTickets({ ownerId: owner.id, limit: 10 });
    const ctx: EngineContext = {
      registry: this.ctx.registry,
      translate: (locale, key, params) => this.ctx.t(locale, key, params),
      locale: owner.locale,
      owner: {
        ...(owner.name ? { name: owner.name } : {}),
        ...(owner.phone ? { phone: owner.phone } : {}),
        units: owner.units,
        privacyNoticeShown: owner.privacyNoticeShown,
      },
      params: {},
      tickets: tickets.map(summarise),
      ...(understanding ? { understanding } : {}),
      ...(emergency ? { emergency } : {}),
      now,
    };
    const outcome = step(thread.state, event, ctx);
    let current = owner;
    for (const item of outcome.output) {
      if (item.type === 'out') await this.ctx.enqueue(tx, address, item.action, notBefore);
      else current = await this.applyEffect(tx, current, address, item.effect, now);
    }
    await tx.saveThread({ ...thread, state: outcome.state, updatedAt: now });
    if (current !== owner) await tx.saveOwner({ ...current, updatedAt: now });
    return outcome.ack !== undefined ? { ack: outcome.ack } : {};
  }

  private async applyEffect(tx: StoreTx, owner: Owner, address: Address, effect: Effect, now: Date): Promise<Owner> {
    switch (effect.type) {
      case 'owner.update':
        return { ...owner, ...effect.patch };
      case 'ticket.create':
        return this.createTicket(tx, owner, address, effect, now);
      case 'emergency.details':
        return this.emergencyDetails(tx, owner, address, effect, now);
      case 'flow.cancelled':
        this.ctx.log.info({ flow: effect.flowId, ownerId: owner.id }, 'flow cancelled by the owner');
        await this.surveys.flowCancelled(tx, owner, effect);
        return owner;
      case 'ticket.note':
        await this.addOwnerNote(tx, owner, effect.ticketId, effect.note, now);
        return owner;
      case 'ticket.cancel':
        await this.cancelByOwner(tx, owner, address, effect.ticketId, now);
        return owner;
      case 'enquiry.forward':
        // A question asked inside a form is a 咨询 like any other: the staff room's item, answered from there.
        await this.frontDoor.handle(
          tx,
          owner,
          address,
          { type: 'owner.intent', intent: 'enquiry', text: effect.text },
          now,
        );
        return owner;
      case 'owner.intent':
        await this.frontDoor.handle(tx, owner, address, effect, now);
        return owner;
      case 'plan.answer':
      case 'appointment.answer':
      case 'rejection.answer':
        await this.ownerAnswer(tx, owner, address, effect, now);
        return owner;
      case 'revisit.record':
        await this.revisits.recordFromChat(tx, owner, address, effect);
        return owner;
      case 'survey.answer': {
        const r = await this.surveys.recordAnswer(tx, owner, effect, address);
        await this.ctx.sendTo(tx, address, r.reply);
        // "Would you like us to follow this up?" — yes opens a ticket from the low answers.
        if (r.ticket) {
          return this.createTicket(
            tx,
            owner,
            address,
            { ...effect, type: 'ticket.create', answers: r.ticket.answers, set: r.ticket.set },
            now,
          );
        }
        return owner;
      }
    }
  }

  // ── tickets from the owner's side ─────────────────────────────────────────

  private async createTicket(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    effect: FlowEffect,
    now: Date,
  ): Promise<Owner> {
    const draft = draftFromAnswers(effect.answers, effect.set, owner, address.channel, effect.context);
    const dayKey = businessDayKey(now, this.ctx.settings.timeZone);
    const number = formatTicketNumber(dayKey, await tx.nextSequence(`ticket:${dayKey}`));
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

  /**
   * After an emergency report: the owner's call-back number and what is happening, added to their open
   * emergency ticket (its card is updated) and acknowledged.
   */
  private async emergencyDetails(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    effect: FlowEffect,
    now: Date,
  ): Promise<Owner> {
    const mine = await tx.listTickets({ ownerId: owner.id, limit: 10 });
    const found = mine.find((t) => t.urgency === 'emergency' && isOpen(t.status));
    if (!found) return owner;
    const ticket = await this.ownTicket(tx, owner, found.id);
    if (!ticket) return owner;
    let updated = ticket;
    const phone = typeof effect.answers.phone === 'string' ? effect.answers.phone : undefined;
    if (phone && updated.contact?.phone !== phone) {
      updated = { ...updated, contact: { name: updated.contact?.name ?? owner.name ?? '', phone }, updatedAt: now };
    }
    const what = whatIsHappening(effect.answers.what);
    if (what && emergencyWhatOf(updated) !== what) {
      updated = withEmergencyWhat(updated, what, { type: 'owner', id: owner.id }, now);
    }
    if (updated !== ticket) {
      await tx.saveTicket(updated);
      await this.ctx.updateCard(tx, updated);
      this.ctx.log.info({ ticket: updated.number, callBack: phone !== undefined, what }, 'emergency details recorded');
    }
    if (effect.stepId === 'what' || effect.answers.what !== undefined) {
      await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'emergency.details_noted') });
    }
    return phone && !owner.phone ? { ...owner, phone } : owner;
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

  private async addOwnerNote(
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
          ? `${t('desk.owner_photo', { number: ticket.number })}${text ? `：${text}` : ''}`
          : t('desk.owner_note', { number: ticket.number, text: text ?? '' }),
        // Staff may reply to this message as to the card itself.
        ref: `note:${ticket.number}:${updated.timeline.length}`,
        replyToRef: `card:${ticket.number}`,
        ...(photo ? { photos: [photo.ref] } : {}),
        ...(await this.assigneeMention(tx, ticket)),
      },
      photo ? [ticket.origin.channel] : undefined,
    );
  }

  private async cancelByOwner(tx: StoreTx, owner: Owner, address: Address, ticketId: string, now: Date): Promise<void> {
    const ticket = await this.ownTicket(tx, owner, ticketId);
    if (!ticket) return;
    const r = transition(ticket, 'cancel', { type: 'owner', id: owner.id }, now);
    if (!r.ok) {
      await this.ctx.sendTo(tx, address, {
        text: this.ctx.t(owner.locale, 'owner.cannot_cancel', { number: ticket.number }),
      });
      return;
    }
    await tx.saveTicket(r.ticket);
    await this.ctx.updateCard(tx, r.ticket);
    await cancelDeadlines(this.ctx, tx, r.ticket);
    await this.ctx.toStaff(tx, {
      text: this.ctx.t(this.ctx.staffLocale, 'desk.owner_cancelled', { number: ticket.number }),
      replyToRef: `card:${ticket.number}`,
    });
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, 'owner.cancelled', { number: ticket.number }),
    });
  }

  /** The owner's answer to a plan, an appointment or a refusal, back to the accountable person. */
  private async ownerAnswer(tx: StoreTx, owner: Owner, address: Address, effect: FlowEffect, now: Date): Promise<void> {
    const ticket = await this.ticketByNumber(tx, owner, effect.context.number);
    if (!ticket) return;
    const actor: Actor = { type: 'owner', id: owner.id };
    const answer = String(effect.answers.agree ?? effect.answers.answer ?? '');
    const comment = typeof effect.answers.comment === 'string' ? effect.answers.comment : '';
    const staffT = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const mention = await this.assigneeMention(tx, ticket);
    const who = mention.mentions?.map((m) => `@${m.name}`).join(' ') ?? '';
    const tellStaff = async (text: string, extra: Partial<{ mentions: { userId: string; name: string }[] }> = {}) =>
      this.ctx.toStaff(tx, { text, replyToRef: `card:${ticket.number}`, ...extra });
    const reply = (key: string) =>
      this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, key, { number: ticket.number }) });
    /** An answer to a question that was overtaken meanwhile: kept on the timeline and passed on, nothing changes. */
    const passOnLate = async (late: LateAnswer, label: string, key: string, params: Record<string, string>) => {
      const detail = { code: 'answer.late', ...late, ...(comment ? { comment } : {}) } as const;
      await tx.saveTicket(addEvent(ticket, { at: now, actor, action: 'note', detail }));
      await tellStaff(staffT(key, { number: ticket.number, answer: label, comment, who, ...params }), mention);
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
      await tx.saveTicket(r.ticket);
      await this.ctx.updateCard(tx, r.ticket);
      await tellStaff(
        agreed
          ? staffT('desk.plan_agreed', { number: ticket.number })
          : staffT('desk.plan_disagreed', { number: ticket.number, comment, who }),
        mention,
      );
      await reply('owner.plan_noted');
      return;
    }
    if (effect.type === 'appointment.answer') {
      const ok = answer === 'ok';
      const asked = typeof effect.context.time === 'string' ? effect.context.time : undefined;
      const agreed = ticket.scheduledFor
        ? formatBusinessTime(ticket.scheduledFor, this.ctx.settings.timeZone)
        : undefined;
      if (ticket.status !== 'scheduled' || (asked !== undefined && asked !== agreed)) {
        // The time was changed (or the ticket moved on) before this answer: passed on, confirming nothing.
        const label = this.ctx.t(this.ctx.staffLocale, `appointment.option.${ok ? 'ok' : 'other'}`);
        const late = { asked: 'appointment', question: asked ?? '', answer: ok ? 'ok' : 'other' } as const;
        await passOnLate(late, label, 'desk.appointment_answer_late', { time: asked ?? '' });
        return;
      }
      await tx.saveTicket(
        addEvent(ticket, {
          at: now,
          actor,
          action: 'note',
          detail: ok ? { code: 'appointment.confirmed' } : { code: 'appointment.change', comment },
        }),
      );
      await tellStaff(
        ok
          ? staffT('desk.appointment_ok', { number: ticket.number })
          : staffT('desk.appointment_change', { number: ticket.number, comment, who }),
        mention,
      );
      await reply('owner.plan_noted');
      return;
    }
    // rejection.answer
    if (answer === 'review') {
      const r = transition(ticket, 'request_review', actor, now);
      if (!r.ok) return;
      await tx.saveTicket(r.ticket);
      await this.ctx.updateCard(tx, r.ticket);
      await scheduleDeadlines(this.ctx, tx, r.ticket);
      const supervisors = this.ctx.policy.supervisors.map((s) => ({ userId: s.userId, name: s.userId }));
      const known = await tx.listStaff();
      const named = supervisors.map((s) => ({
        ...s,
        name: known.find((k) => k.userId === s.userId)?.displayName ?? s.userId,
      }));
      await tellStaff(
        staffT('desk.review_requested', { number: ticket.number, who: named.map((m) => `@${m.name}`).join(' ') }),
        {
          ...(named.length ? { mentions: named } : {}),
        },
      );
      await reply('owner.review_requested');
      return;
    }
    const r = transition(ticket, 'close', actor, now, {}, { code: 'explanation.accepted' });
    if (r.ok) {
      await tx.saveTicket(r.ticket);
      await this.ctx.updateCard(tx, r.ticket);
    }
    await reply('owner.explanation_ok');
  }

  private async assigneeMention(
    tx: StoreTx,
    ticket: Ticket,
  ): Promise<{ mentions?: { userId: string; name: string }[] }> {
    if (!ticket.assignee) return {};
    const staff = await tx.getStaff(ticket.assignee.id);
    return staff ? { mentions: [{ userId: staff.userId, name: staff.displayName }] } : {};
  }

  // ── OwnerSide: what the staff desk and the scheduler ask of the owner's conversation ─────────

  /** When a non-urgent message may reach this owner: now, or the end of quiet hours. */
  private async ownerSendTime(tx: StoreTx, ticket: Ticket | undefined, address: Address): Promise<Date | undefined> {
    const quiet = this.ctx.policy.quietHours;
    if (!quiet || ticket?.urgency === 'emergency') return undefined;
    const now = this.ctx.clock.now();
    // An owner who wrote to us a moment ago is awake; anything else we did in the chat does not count.
    const recent = await tx.listMessages(address.channel, address.chatId, RECENT_LOG_ENTRIES);
    const lastIn = recent.findLast((entry) => entry.direction === 'in');
    if (lastIn && now.getTime() - lastIn.at.getTime() < ACTIVE_OWNER_MS) return undefined;
    const allowed = nextAllowed(now, quiet, this.ctx.settings.timeZone);
    return allowed.getTime() > now.getTime() ? allowed : undefined;
  }

  async notify(
    tx: StoreTx,
    ticket: Ticket,
    key: string,
    params: Record<string, string | number> = {},
    photos?: string[],
  ): Promise<boolean> {
    const owner = await tx.getOwner(ticket.ownerId);
    if (!owner) return false;
    if (owner.unreachable) {
      this.ctx.log.info({ ticket: ticket.number }, 'owner unreachable in chat; message not sent');
      return false;
    }
    const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
    await this.ctx.sendTo(
      tx,
      ticket.origin,
      { text: this.ctx.t(owner.locale, key, params), ...(photos?.length ? { photos } : {}) },
      notBefore,
    );
    return true;
  }

  async startFlow(
    tx: StoreTx,
    ticket: Ticket,
    flowId: string,
    context: Record<string, string | number | boolean>,
  ): Promise<boolean> {
    const owner = await tx.getOwner(ticket.ownerId);
    if (!owner || owner.unreachable) return false;
    const now = this.ctx.clock.now();
    let thread = await this.threadOf(tx, ticket.origin, owner, now);
    const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
    // The ticket's question does not wait behind a satisfaction questionnaire: that one is paused.
    thread = (await this.surveys.pauseForTicket(tx, owner, ticket.origin, thread, notBefore)) ?? thread;
    await this.runEngine(
      tx,
      owner,
      thread,
      { type: 'start', flowId, context, queueIfBusy: true },
      ticket.origin,
      now,
      notBefore,
    );
    return true;
  }

  async withdrawFlow(tx: StoreTx, ticket: Ticket, flowId: string): Promise<void> {
    const thread = await tx.getThread(ticket.origin.channel, ticket.origin.chatId);
    if (!thread) return;
    const ours = (f: { flowId: string; context: FlowContext }) =>
      f.flowId === flowId && f.context.number === ticket.number;
    const state = structuredClone(thread.state);
    const droppedCurrent = state.flow !== undefined && ours(state.flow);
    const queued = state.queue.length;
    state.queue = state.queue.filter((q) => !ours(q));
    if (!droppedCurrent && state.queue.length === queued) return;
    if (droppedCurrent) state.flow = undefined;
    const next = droppedCurrent ? state.queue.shift() : undefined;
    const now = this.ctx.clock.now();
    await tx.saveThread({ ...thread, state, updatedAt: now });
    const owner = await tx.getOwner(ticket.ownerId);
    if (next && owner) {
      const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
      await this.startFlowFor(tx, owner, ticket.origin, next.flowId, next.context, notBefore ? { notBefore } : {});
    }
  }

  async scheduleRevisit(tx: StoreTx, ticket: Ticket): Promise<void> {
    await this.revisits.schedule(tx, ticket);
  }

  async revisitByPhone(
    tx: StoreTx,
    ticket: Ticket,
    text: string,
    actor: Actor,
  ): Promise<{ ok: boolean; message: string }> {
    return this.revisits.recordByPhone(tx, ticket, text, actor);
  }

  /** SurveyOwners: starts (or queues) a flow in an owner's chat, outside quiet hours when asked. */
  async startFlowFor(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    flowId: string,
    context: FlowContext,
    opts: StartFlowOptions = {},
  ): Promise<void> {
    if (owner.unreachable) return;
    const now = this.ctx.clock.now();
    const thread = await this.threadOf(tx, address, owner, now);
    const event: EngineEvent = {
      type: 'start',
      flowId,
      context,
      queueIfBusy: true,
      ...(opts.preset ? { preset: opts.preset } : {}),
    };
    await this.runEngine(tx, owner, thread, event, address, now, opts.notBefore);
  }

  /** `/survey …` from a supervisor or manager (in the staff room or their private chat). */
  private async surveyCommand(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    command: SurveyCommand,
    themes?: AnswerSummary,
  ): Promise<InboundResult> {
    if (staff.role === 'staff') {
      this.ctx.log.warn({ staff: staff.id }, 'refused a survey command from staff who is not a supervisor');
      const refused = this.ctx.t(this.ctx.staffLocale, 'survey.cmd.refused');
      // A button: a refusal only they can see, no noise in the group.
      if (inbound.content.type === 'button') return { duplicate: false, ack: { text: refused, alert: true } };
      await this.ctx.sendTo(tx, inbound, { text: refused });
      return { duplicate: false, ...silentAck(inbound) };
    }
    const result = await this.surveys.command(tx, command, staff.id, themes);
    for (const message of result.reply) await this.ctx.sendTo(tx, inbound, message);
    return { duplicate: false, ...silentAck(inbound) };
  }

  // ── scheduled jobs ──────────────────────────────────────────────────────────

  /** The handlers of every job type the application schedules. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      ...this.surveys.jobHandlers(),
      'sla.check': (job, tx) => runSlaCheck(this.ctx, tx, job),
      'sla.repeat': (job, tx) => runEmergencyRepeat(this.ctx, tx, job),
      'appointment.remind': (job, tx) => this.appointmentReminder(job, tx),
      'revisit.start': (job, tx) => this.revisits.start(job, tx),
      'revisit.remind': (job, tx) => this.revisits.remind(job, tx),
      'revisit.expire': (job, tx) => this.revisits.expire(job, tx),
      'revisit.supervisor': (job, tx) => this.revisits.supervisorCheck(job, tx),
      'ticket.summary': this.summaryJob(),
    };
  }

  /** Job `ticket.summary`: the model's one-line summary of a long description, put on the card. */
  private summaryJob(): JobHandler {
    const handler: JobHandler = async (job, tx, prepared) => {
      const ticket = await tx.getTicket(String(job.payload.ticketId));
      if (!ticket || typeof prepared !== 'string' || !prepared) return;
      const updated = { ...ticket, summary: prepared };
      await tx.saveTicket(updated);
      await this.ctx.updateCard(tx, updated);
    };
    handler.prepare = async (job) => {
      const ticket = await this.ctx.store.getTicket(String(job.payload.ticketId));
      return ticket ? this.ctx.assistant?.summariseForCard(ticket.description, this.ctx.staffLocale) : undefined;
    };
    return handler;
  }

  private async appointmentReminder(job: Job, tx: StoreTx): Promise<void> {
    const { ticketId, who, at } = job.payload as { ticketId: string; who: 'staff' | 'owner'; at: string };
    const ticket = await tx.getTicket(ticketId);
    if (ticket?.status !== 'scheduled' || ticket.scheduledFor?.toISOString() !== at) return;
    const time = formatBusinessTime(new Date(at), this.ctx.settings.timeZone);
    if (who === 'owner') {
      const owner = await tx.getOwner(ticket.ownerId);
      if (owner && !owner.unreachable) {
        await this.ctx.sendTo(tx, ticket.origin, {
          text: this.ctx.t(owner.locale, 'owner.appointment_reminder', { number: ticket.number, time }),
        });
      }
      return;
    }
    const mention = await this.assigneeMention(tx, ticket);
    await this.ctx.toStaff(tx, {
      text: this.ctx.t(this.ctx.staffLocale, 'desk.appointment_reminder', {
        number: ticket.number,
        time,
        who: mention.mentions?.map((m) => `@${m.name}`).join(' ') ?? '',
      }),
      replyToRef: `card:${ticket.number}`,
      ...mention,
    });
  }

  // ── owners ──────────────────────────────────────────────────────────────────

  private async findOrCreateOwner(tx: StoreTx, inbound: Inbound, now: Date): Promise<Owner> {
    const found = await tx.findOwnerByIdentity(inbound.channel, inbound.userId);
    // Someone who writes to us can be reached again, whatever happened before.
    if (found?.unreachable) {
      const back = { ...found, unreachable: false, updatedAt: now };
      await tx.saveOwner(back);
      return back;
    }
    if (found) return found;
    const owner: Owner = {
      id: this.ctx.newId(),
      identities: [{ channel: inbound.channel, userId: inbound.userId, chatId: inbound.chatId }],
      units: [],
      locale: localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale),
      privacyNoticeShown: false,
      unreachable: false,
      createdAt: now,
      updatedAt: now,
    };
    await tx.saveOwner(owner);
    this.ctx.log.info({ ownerId: owner.id, channel: inbound.channel }, 'new owner');
    return owner;
  }

  /** Marks the owner behind a chat as unreachable (they blocked the bot or left). */
  async markUnreachable(channel: Channel, chatId: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const thread = await tx.getThread(channel, chatId);
      const owner = thread ? await tx.getOwner(thread.ownerId) : undefined;
      if (!owner || owner.unreachable) return;
      await tx.saveOwner({ ...owner, unreachable: true, updatedAt: this.ctx.clock.now() });
      this.ctx.log.warn({ ownerId: owner.id, channel }, 'owner marked unreachable');
    });
  }

  /** After a failure: record the message anyway (nothing an owner says is lost) and apologise. */
  private async apologise(inbound: Inbound): Promise<InboundResult> {
    try {
      return await this.ctx.store.transaction(async (tx) => {
        const now = this.ctx.clock.now();
        if (!(await tx.markInbound(inbound.channel, inbound.messageId, now))) return { duplicate: true };
        await tx.logMessage({
          channel: inbound.channel,
          chatId: inbound.chatId,
          direction: 'in',
          at: now,
          messageId: inbound.messageId,
          body: inbound.content,
        });
        if (inbound.chatKind === 'private') {
          const owner = await tx.findOwnerByIdentity(inbound.channel, inbound.userId);
          const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
          await this.ctx.sendTo(tx, inbound, { text: this.ctx.t(locale, 'error.sorry') });
        }
        return { duplicate: false, ...silentAck(inbound) };
      });
    } catch (error) {
      // Not recorded at all: the channel must not confirm receipt (a webhook answers 500 so it is redelivered).
      this.ctx.log.error({ err: error, channel: inbound.channel }, 'could not even record the failed message');
      throw error;
    }
  }
}

function summarise(ticket: Ticket): TicketSummary {
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    category: ticket.category,
    ...(ticket.assignee ? { assignee: ticket.assignee.name } : {}),
    open: isOpen(ticket.status),
    cancellable: ticket.status === 'recorded',
  };
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
  const category: Category = pick(set.category ?? answers.category, CATEGORIES, 'other');
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

/** An owner's answer to a question overtaken meanwhile, as its timeline code records it (without the comment). */
type LateAnswer = Omit<Extract<TimelineDetail, { code: 'answer.late' }>, 'code' | 'comment'>;

/** The owner's answer to "what is happening?", when it is one of the emergency kinds. */
function whatIsHappening(value: unknown): string | undefined {
  return typeof value === 'string' && EMERGENCY_WHAT.includes(value) ? value : undefined;
}

/** The ticket with what is happening on its timeline (read back by emergencyWhatOf). */
function withEmergencyWhat(ticket: Ticket, what: string, actor: Actor, at: Date): Ticket {
  const detail = { code: 'emergency.what', what } as const;
  return addEvent(ticket, { at, actor, action: 'note', detail, data: { emergencyWhat: what } });
}
