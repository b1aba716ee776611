/**
 * What every use case shares: the store, the clock, texts, the staff rooms and the service-level
 * policy, and one way to write to the outbox (in the caller's transaction, logged with the thread).
 */
import { type Config, type DailyWindow, loadConfig, type SlaDeadlines, type StaffRef } from '../config.js';
import type { FlowRegistry } from '../core/flow/registry.js';
import type { KnowledgeIndex } from '../core/knowledge/entry.js';
import type { Assistant } from '../core/ports/assistant.js';
import type { Clock, Store, StoreTx } from '../core/ports.js';
import type { Ticket } from '../core/tickets/ticket.js';
import type { Address, Locale, OutboundAction, OutboundMessage } from '../core/types.js';
import type { I18n } from '../i18n.js';
import type { Logger } from '../logger.js';
import { newId } from './ids.js';
import { type CardMode, renderCard } from './render.js';

export interface AppSettings {
  defaultLocale: Locale;
  timeZone: string;
  estateName: string;
  dutyPhone: string;
}

/** Service levels and who is escalated to (config: SLA_*, BUSINESS_HOURS, QUIET_HOURS, SUPERVISORS, MANAGERS). */
export interface DeskPolicy {
  supervisors: readonly StaffRef[];
  managers: readonly StaffRef[];
  businessHours: DailyWindow;
  quietHours: DailyWindow | null;
  sla: {
    emergency: SlaDeadlines;
    urgent: SlaDeadlines;
    normal: SlaDeadlines;
    complaint: SlaDeadlines & { progressMs: number };
  };
  /** How long after resolution the owner is revisited; per-category overrides. */
  revisitAfterMs: number;
  revisitAfterByCategory: Readonly<Record<string, number>>;
  revisitRemindAfterMs: number;
  revisitReopenAt: number;
  /** How long staff have to answer an enquiry the knowledge did not answer (business time). */
  enquiryAnswerMs: number;
}

/** The desk policy a configuration sets (its defaults are the configuration's: README, service levels). */
export function deskPolicy(config: Config): DeskPolicy {
  return {
    supervisors: config.supervisors,
    managers: config.managers,
    businessHours: config.businessHours,
    quietHours: config.quietHours,
    sla: config.sla,
    revisitAfterMs: config.revisitAfterMs,
    revisitAfterByCategory: config.revisitAfterByCategory,
    revisitRemindAfterMs: config.revisitRemindAfterMs,
    revisitReopenAt: config.revisitReopenAt,
    enquiryAnswerMs: config.enquiryAnswerMs,
  };
}

/** The policy of a deployment that sets none of its variables (the defaults live in `config.ts` only). */
export const DEFAULT_POLICY: DeskPolicy = deskPolicy(loadConfig({}));

export interface AppOptions {
  store: Store;
  clock: Clock;
  registry: FlowRegistry;
  i18n: I18n;
  log: Logger;
  settings: AppSettings;
  /** Every staff room that receives ticket cards (the Telegram group, the WeChat room, the console). */
  staffRooms: Address[];
  policy?: DeskPolicy;
  /** Reads owners' free text and helps staff; without one, free text is never interpreted. */
  assistant?: Assistant;
  /** The estate's knowledge (flows/knowledge/), that enquiries are answered from; without it, staff answer them all. */
  knowledge?: KnowledgeIndex;
  /**
   * Ids for what the app records (outbox items, tickets, jobs); by default UUIDv7 (RFC 9562, newId in ids.ts):
   * time first, so each table's id index grows at its end instead of at random places (a random id dirties a
   * page of the index anywhere for every row written: an outbox row written and settled, its share of the
   * commit included, took 67–78 µs with random ids against 43–51 µs time-ordered, on 16,000 rows), and still
   * 74 random bits, never guessed.
   */
  newId?: () => string;
}

/** Whether an action only closes an answered question: an edit of a `prompt:` message that leaves it no buttons. */
export function isClosingEdit(action: OutboundAction): boolean {
  return action.kind === 'edit' && action.ref.startsWith('prompt:') && !action.message.buttons?.length;
}

/** A message that is text alone (no buttons, ref, photos or files): what may be merged with other texts. */
export function isPlainText(message: OutboundMessage): boolean {
  return Object.keys(message).every((k) => k === 'text');
}

/** Plain texts to one owner held back in a transaction to head the next question (see AppContext.holdTexts). */
interface HeldTexts {
  to: Address;
  notBefore: number | undefined;
  texts: string[];
}

const sameAddress = (a: Address, b: Address) => a.channel === b.channel && a.chatId === b.chatId;

/** The shared services of the application layer. */
export class AppContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly registry: FlowRegistry;
  readonly i18n: I18n;
  readonly log: Logger;
  readonly settings: AppSettings;
  readonly staffRooms: Address[];
  readonly policy: DeskPolicy;
  readonly assistant: Assistant | undefined;
  readonly knowledge: KnowledgeIndex | undefined;
  readonly newId: () => string;

  constructor(o: AppOptions) {
    this.assistant = o.assistant;
    this.knowledge = o.knowledge;
    this.store = o.store;
    this.clock = o.clock;
    this.registry = o.registry;
    this.i18n = o.i18n;
    this.log = o.log;
    this.settings = o.settings;
    this.staffRooms = o.staffRooms;
    this.policy = o.policy ?? DEFAULT_POLICY;
    this.newId = o.newId ?? newId;
  }

  /** Texts held per transaction (holdTexts): a transaction is one chat's turn, so turns never mix. */
  private readonly held = new WeakMap<StoreTx, HeldTexts>();

  /** Renders a locale key with the deployment's own values (estate name, duty phone) available to every text. */
  t(locale: Locale, key: string, params?: Record<string, string | number>): string {
    const dutyPhone = this.settings.dutyPhone || this.i18n.translate(locale, 'common.duty_phone_unset');
    return this.i18n.translate(locale, key, { estate: this.settings.estateName, dutyPhone, ...params });
  }

  /** Staff-facing texts are in the deployment's default language. */
  get staffLocale(): Locale {
    return this.settings.defaultLocale;
  }

  /**
   * Writes one outbound action to the outbox and the thread's log, in the caller's transaction.
   *
   * The edit that closes an answered question (takes its buttons off: a `prompt:` ref, no buttons) is
   * queued as cosmetic: the engine writes it before the next question, but the owner is waiting for the
   * question, so the chat's later messages that are due go first and the edit follows on allowance the
   * chat has to spare (see NewOutboxItem.cosmetic and the Telegram limiter). Nothing is lost by its
   * wait: a button tapped on the old question meanwhile is answered as a stale one by the engine.
   */
  async enqueue(tx: StoreTx, to: Address, action: OutboundAction, notBefore?: Date): Promise<void> {
    const held = this.held.get(tx);
    if (held && sameAddress(held.to, to)) {
      // A message carrying a closing edit is not merged into held texts: the edit would be lost with it.
      const plain = action.kind === 'send' && !action.closes && isPlainText(action.message);
      if (plain && held.notBefore === notBefore?.getTime()) {
        held.texts.push(action.message.text);
        return;
      }
      await this.releaseTexts(tx); // anything else to the owner goes after what was held, as it was said
    }
    const id = this.newId();
    const now = this.clock.now();
    await tx.enqueue(
      [
        {
          id,
          channel: to.channel,
          chatId: to.chatId,
          action,
          ...(notBefore ? { notBefore } : {}),
          ...(isClosingEdit(action) ? { cosmetic: true } : {}),
        },
      ],
      now,
    );
    await tx.logMessage({
      channel: to.channel,
      chatId: to.chatId,
      direction: 'out',
      at: now,
      messageId: id,
      body: action,
    });
  }

  /**
   * From now on in this transaction, plain texts to `to` (a receipt: 已为您登记，工单号 …) are held to head the
   * next question to the owner in the same message ({@link headWithHeld}), rather than sent on their own
   * before it: one message less for each, and each is an owner's wait under Telegram's 30 a second. Anything
   * else to the owner first sends what was held, so the order is kept; {@link releaseTexts} sends the rest.
   */
  holdTexts(tx: StoreTx, to: Address, notBefore?: Date): void {
    if (!this.held.has(tx)) this.held.set(tx, { to, notBefore: notBefore?.getTime(), texts: [] });
  }

  /**
   * `action` headed by the texts held for its owner, when it is their next question (a send of `question`'s
   * ref, due when they were): the message's new text and the part of it to keep when the question is closed.
   * Otherwise the held texts are sent first, on their own, and `action` is returned as it was.
   */
  async headWithHeld(
    tx: StoreTx,
    to: Address,
    action: OutboundAction,
    o: { question: string; notBefore?: Date },
  ): Promise<{ action: OutboundAction; heading?: string }> {
    const held = this.held.get(tx);
    if (!held || !sameAddress(held.to, to) || held.texts.length === 0) return { action };
    if (action.kind !== 'send' || action.message.ref !== o.question || held.notBefore !== o.notBefore?.getTime()) {
      await this.releaseTexts(tx);
      return { action };
    }
    const heading = held.texts.join('\n\n');
    this.held.delete(tx);
    return {
      action: { ...action, message: { ...action.message, text: `${heading}\n\n${action.message.text}` } },
      heading,
    };
  }

  /** Sends the texts still held in this transaction, each on its own, and holds no more. */
  async releaseTexts(tx: StoreTx): Promise<void> {
    const held = this.held.get(tx);
    if (!held) return;
    this.held.delete(tx);
    const notBefore = held.notBefore === undefined ? undefined : new Date(held.notBefore);
    for (const text of held.texts) await this.enqueue(tx, held.to, { kind: 'send', message: { text } }, notBefore);
  }

  async sendTo(tx: StoreTx, to: Address, message: OutboundMessage, notBefore?: Date): Promise<void> {
    await this.enqueue(tx, to, { kind: 'send', message }, notBefore);
  }

  /** Sends a message to every staff room. */
  async toStaff(tx: StoreTx, message: OutboundMessage, photoChannels?: readonly string[]): Promise<void> {
    for (const room of this.staffRooms) {
      // A photo reference only means something on the platform it came from.
      const own =
        message.photos && photoChannels
          ? message.photos.filter((_, i) => photoChannels[i] === room.channel)
          : message.photos;
      const { photos: _photos, ...rest } = message;
      await this.sendTo(tx, room, own?.length ? { ...rest, photos: own } : rest);
    }
  }

  /** The ticket's card as staff see it now, with the actions its status allows. */
  card(ticket: Ticket, mode?: CardMode): OutboundMessage {
    return renderCard(
      ticket,
      this.staffLocale,
      { translate: (l, k, p) => this.t(l, k, p), timeZone: this.settings.timeZone, drafts: Boolean(this.assistant) },
      mode,
    );
  }

  /** Posts a new ticket's card to every staff room. */
  async postCard(tx: StoreTx, ticket: Ticket): Promise<void> {
    await this.toStaff(
      tx,
      this.card(ticket),
      ticket.attachments.map((a) => a.channel),
    );
  }

  /** Edits the ticket's card in place in every staff room (channels without edits print it again). */
  async updateCard(tx: StoreTx, ticket: Ticket, mode?: CardMode): Promise<void> {
    const { ref: _ref, photos: _photos, ...message } = this.card(ticket, mode);
    for (const room of this.staffRooms) {
      await this.enqueue(tx, room, {
        kind: 'edit',
        ref: `card:${ticket.number}`,
        message: { ...message, buttons: message.buttons ?? [] },
      });
    }
  }
}
