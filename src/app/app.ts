/**
 * The application: the one path every inbound message takes.
 *
 * `handleInbound` runs one store transaction per message: dedupe on the platform id → load the owner and
 * the thread → `engine.step` → carry out the effects (ticket, profile) → save → write every reply and staff
 * notice to the outbox. Nothing is sent from here; the dispatcher delivers the outbox. A failure for one
 * message is caught here, logged without personal data, and answered with a short apology; the message
 * itself is still recorded.
 */
import { randomUUID } from 'node:crypto';
import { type Effect, type EngineContext, type EngineEvent, type FlowEffect, step } from '../core/flow/engine.js';
import type { FlowRegistry } from '../core/flow/registry.js';
import type { AnswerValue, PhotoAnswer } from '../core/flow/state.js';
import { initialState } from '../core/flow/state.js';
import { formatUnit } from '../core/location.js';
import type { Clock, Store, StoreTx, Thread } from '../core/ports.js';
import { formatTicketNumber, newTicket, type Ticket, type TicketDraft } from '../core/tickets/ticket.js';
import {
  type Address,
  CATEGORIES,
  type Category,
  type Channel,
  type EstateLocation,
  type Inbound,
  type Locale,
  type OutboundAction,
  type Owner,
  TICKET_KINDS,
  type TicketKind,
  URGENCIES,
  type Urgency,
} from '../core/types.js';
import type { I18n } from '../i18n.js';
import type { Logger } from '../logger.js';
import { businessDayKey, renderCard, renderTicketList } from './render.js';

export interface AppSettings {
  defaultLocale: Locale;
  timeZone: string;
  estateName: string;
  dutyPhone: string;
}

export interface AppOptions {
  store: Store;
  clock: Clock;
  registry: FlowRegistry;
  i18n: I18n;
  log: Logger;
  settings: AppSettings;
  /** Every staff room that receives ticket cards (the Telegram group, the WeChat room, the console). */
  staffRooms: Address[];
  newId?: () => string;
}

/** What the channel adapter needs to know after a message was handled. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer). */
  ack?: { text: string; alert?: boolean };
}

/** Maps a platform's language code to one of ours: zh… → zh-CN, any other → en, none → the default. */
export function localeFromLanguageCode(code: string | undefined, fallback: Locale): Locale {
  if (!code) return fallback;
  return code.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export class App {
  private readonly newId: () => string;

  constructor(private readonly o: AppOptions) {
    this.newId = o.newId ?? randomUUID;
  }

  /** Handles one inbound message or button press. Never throws for a single message's failure. */
  async handleInbound(inbound: Inbound): Promise<InboundResult> {
    try {
      return await this.o.store.transaction((tx) => this.process(tx, inbound));
    } catch (error) {
      this.o.log.error(
        { err: error, channel: inbound.channel, messageId: inbound.messageId },
        'handling an inbound message failed; the owner gets an apology',
      );
      return this.apologise(inbound);
    }
  }

  private async process(tx: StoreTx, inbound: Inbound): Promise<InboundResult> {
    const now = this.o.clock.now();
    if (!(await tx.markInbound(inbound.channel, inbound.messageId, now))) {
      this.o.log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'duplicate delivery ignored');
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
    if (inbound.chatKind === 'staff') return { duplicate: false, ...(inbound.content.type === 'button' ? { ack: { text: '' } } : {}) };
    return this.ownerMessage(tx, inbound, now);
  }

  /** Added to some other group by mistake: say once that we work in private chats, then stay quiet. */
  private async strangerGroup(tx: StoreTx, inbound: Inbound): Promise<InboundResult> {
    const key = `group-notice:${inbound.channel}:${inbound.chatId}`;
    if (!(await tx.getSetting(key))) {
      await tx.setSetting(key, this.o.clock.now().toISOString());
      const locale = localeFromLanguageCode(inbound.languageCode, this.o.settings.defaultLocale);
      await this.enqueue(tx, inbound, { kind: 'send', message: { text: this.t(locale, 'group.private_only') } });
    }
    return { duplicate: false, ...(inbound.content.type === 'button' ? { ack: { text: '' } } : {}) };
  }

  private async ownerMessage(tx: StoreTx, inbound: Inbound, now: Date): Promise<InboundResult> {
    const owner = await this.findOrCreateOwner(tx, inbound, now);
    const thread: Thread = (await tx.getThread(inbound.channel, inbound.chatId)) ?? {
      channel: inbound.channel,
      chatId: inbound.chatId,
      ownerId: owner.id,
      state: initialState(),
      updatedAt: now,
    };
    const event: EngineEvent = inbound.content;
    const result = await this.runEngine(tx, owner, thread, event, inbound, now);
    if (inbound.content.type !== 'button') return { duplicate: false };
    return { duplicate: false, ack: { text: result.ack ?? '' } };
  }

  /** Steps the engine and carries out its output in order: messages to the outbox, effects in the store. */
  private async runEngine(
    tx: StoreTx,
    owner: Owner,
    thread: Thread,
    event: EngineEvent,
    address: Address,
    now: Date,
  ): Promise<{ ack?: string }> {
    const ctx: EngineContext = {
      registry: this.o.registry,
      translate: (locale, key, params) => this.t(locale, key, params),
      locale: owner.locale,
      owner: {
        ...(owner.name ? { name: owner.name } : {}),
        ...(owner.phone ? { phone: owner.phone } : {}),
        units: owner.units,
        privacyNoticeShown: owner.privacyNoticeShown,
      },
      params: {},
      now,
    };
    const outcome = step(thread.state, event, ctx);
    let current = owner;
    for (const item of outcome.output) {
      if (item.type === 'out') await this.enqueue(tx, address, item.action);
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
      case 'command': {
        const tickets = await tx.listTickets({ ownerId: owner.id, limit: 10 });
        const text = renderTicketList(tickets, owner.locale, { translate: this.o.i18n.translate, timeZone: this.o.settings.timeZone });
        await this.enqueue(tx, address, { kind: 'send', message: { text } });
        return owner;
      }
      case 'ticket.create':
        return this.createTicket(tx, owner, address, effect, now);
      case 'flow.cancelled':
        this.o.log.info({ flow: effect.flowId, ownerId: owner.id }, 'flow cancelled by the owner');
        return owner;
      case 'revisit.record':
      case 'survey.answer':
        this.o.log.warn({ effect: effect.type }, 'effect has no handler yet');
        return owner;
    }
  }

  private async createTicket(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    effect: FlowEffect,
    now: Date,
  ): Promise<Owner> {
    const draft = draftFromAnswers(effect.answers, effect.set, owner, address.channel);
    const dayKey = businessDayKey(now, this.o.settings.timeZone);
    const number = formatTicketNumber(dayKey, await tx.nextSequence(`ticket:${dayKey}`));
    const ticket: Ticket = newTicket({
      id: this.newId(),
      number,
      draft,
      ownerId: owner.id,
      origin: { channel: address.channel, chatId: address.chatId },
      at: now,
    });
    await tx.saveTicket(ticket);
    this.o.log.info({ ticket: number, urgency: ticket.urgency, category: ticket.category, channel: address.channel }, 'ticket recorded');
    const key = ticket.urgency === 'emergency' ? 'ticket.created_emergency' : 'ticket.created';
    await this.enqueue(tx, address, { kind: 'send', message: { text: this.t(owner.locale, key, { number }) } });
    await this.notifyStaff(tx, ticket);
    const units = ticket.location?.kind === 'unit' ? [formatUnit(ticket.location)] : [];
    return {
      ...owner,
      ...(draft.contact ? { name: draft.contact.name, phone: draft.contact.phone } : {}),
      units: [...new Set([...units, ...owner.units])].slice(0, 5),
    };
  }

  /** Posts (or re-posts) the ticket's card to every staff room. */
  private async notifyStaff(tx: StoreTx, ticket: Ticket): Promise<void> {
    const message = renderCard(ticket, this.o.settings.defaultLocale, {
      translate: this.o.i18n.translate,
      timeZone: this.o.settings.timeZone,
    });
    for (const room of this.o.staffRooms) await this.enqueue(tx, room, { kind: 'send', message });
  }

  private async findOrCreateOwner(tx: StoreTx, inbound: Inbound, now: Date): Promise<Owner> {
    const found = await tx.findOwnerByIdentity(inbound.channel, inbound.userId);
    if (found) return found;
    const owner: Owner = {
      id: this.newId(),
      identities: [{ channel: inbound.channel, userId: inbound.userId, chatId: inbound.chatId }],
      units: [],
      locale: localeFromLanguageCode(inbound.languageCode, this.o.settings.defaultLocale),
      privacyNoticeShown: false,
      unreachable: false,
      createdAt: now,
      updatedAt: now,
    };
    await tx.saveOwner(owner);
    this.o.log.info({ ownerId: owner.id, channel: inbound.channel }, 'new owner');
    return owner;
  }

  /** Writes one outbound action to the outbox and the thread's log, in the caller's transaction. */
  private async enqueue(tx: StoreTx, to: Address, action: OutboundAction): Promise<void> {
    const id = this.newId();
    const now = this.o.clock.now();
    await tx.enqueue([{ id, channel: to.channel, chatId: to.chatId, action }], now);
    await tx.logMessage({ channel: to.channel, chatId: to.chatId, direction: 'out', at: now, messageId: id, body: action });
  }

  /** After a failure: record the message anyway (nothing an owner says is lost) and apologise. */
  private async apologise(inbound: Inbound): Promise<InboundResult> {
    try {
      return await this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
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
          const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.o.settings.defaultLocale);
          await this.enqueue(tx, inbound, { kind: 'send', message: { text: this.t(locale, 'error.sorry') } });
        }
        return { duplicate: false, ...(inbound.content.type === 'button' ? { ack: { text: '' } } : {}) };
      });
    } catch (error) {
      this.o.log.error({ err: error, channel: inbound.channel }, 'could not even record the failed message');
      return { duplicate: false, ...(inbound.content.type === 'button' ? { ack: { text: '' } } : {}) };
    }
  }

  /** Renders a locale key with the deployment's own values (estate name, duty phone) available to every text. */
  t(locale: Locale, key: string, params?: Record<string, string | number>): string {
    const dutyPhone = this.o.settings.dutyPhone || this.o.i18n.translate(locale, 'common.duty_phone_unset');
    return this.o.i18n.translate(locale, key, { estate: this.o.settings.estateName, dutyPhone, ...params });
  }
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
): TicketDraft {
  const text = (v: AnswerValue | undefined) => (typeof v === 'string' ? v : undefined);
  const kind: TicketKind = pick(set.kind ?? answers.kind, TICKET_KINDS, 'repair');
  const category: Category = pick(set.category ?? answers.category, CATEGORIES, 'other');
  const urgency: Urgency = pick(set.urgency ?? answers.urgency, URGENCIES, 'normal');
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
    description: text(answers.description) ?? '',
    ...(subject ? { subject } : {}),
    ...(demand ? { demand } : {}),
    attachments: photos.map((p) => ({ ref: p.ref, channel, ...(p.caption ? { caption: p.caption } : {}) })),
    ...(name && phone ? { contact: { name, phone } } : {}),
  };
}
