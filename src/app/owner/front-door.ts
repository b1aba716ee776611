/**
 * The front door: what the application does with an owner's text that is not a report (the engine's
 * `owner.intent` effect, see core/flow/engine.ts `frontDoor`). Each intent has its own handling, none of
 * them a report form:
 *
 *   enquiry, notice → a 咨询 item for the staff room (with the owner's building), the owner told when to
 *                     expect an answer (business hours); a staff member's answer reaches the owner
 *   praise          → thanked, recorded against the person or team named, shown to the staff room
 *   human (转人工)   → the service-centre phone, and the message in front of the staff room at once
 *   followup        → the owner's open tickets: status, accountable person, next visit (the engine also
 *                     puts the question under the owner's one open ticket, for the accountable person)
 *
 * A staff answer to a 咨询 or 转人工 item: `Q012 您好，办公时间是…` typed in the staff room, or (Telegram,
 * the console's `>` line) a reply to the item itself.
 */
import type { Effect } from '../../core/flow/engine.js';
import type { StoreTx } from '../../core/ports.js';
import { isOpen, type Ticket } from '../../core/tickets/ticket.js';
import { inWindow, nextAllowed } from '../../core/time.js';
import type { Address, Inbound, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { formatBusinessTime } from '../render.js';
import { recordPraise } from './praise.js';

export type IntentEffect = Extract<Effect, { type: 'owner.intent' }>;

/** Another capability's handling of an intent (notices answer `notice`), in the message's transaction. */
export type IntentHandler = (
  tx: StoreTx,
  owner: Owner,
  address: Address,
  effect: IntentEffect,
  now: Date,
) => Promise<void>;

/** A 咨询 item's reference as staff type it: Q and at least three digits (Q007). */
const ITEM_REF = /^\s*[QqＱｑ]\s*(\d{3,6})(?![\d-])[\s:：,，、.。]*([\s\S]*)$/;
const ITEM_PREFIX = 'ask:';
const ITEM_KEY = (ref: string) => `frontdoor.item:${ref}`;

/** What a 咨询 item keeps so a staff answer can reach the owner. */
interface ItemRecord {
  channel: Address['channel'];
  chatId: string;
  ownerId: string;
  text: string;
}

export class FrontDoor {
  constructor(
    private readonly ctx: AppContext,
    /** Intents another capability answers (notices: `notice`); the rest are handled here. */
    private readonly delegates: Partial<Record<IntentEffect['intent'], IntentHandler>> = {},
  ) {}

  /** Carries out an `owner.intent` effect, inside the message's transaction. */
  async handle(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const delegate = this.delegates[effect.intent];
    if (delegate) return delegate(tx, owner, address, effect, now);
    switch (effect.intent) {
      case 'enquiry':
      case 'notice':
        return this.enquiry(tx, owner, address, effect, now);
      case 'human':
        return this.human(tx, owner, address, effect, now);
      case 'praise':
        return recordPraise(this.ctx, tx, owner, address, effect.text, now);
      case 'followup':
        return this.followup(tx, owner, address);
    }
  }

  // ── 咨询 and 转人工 ────────────────────────────────────────────────────────

  private async enquiry(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const ref = await this.postItem(tx, owner, address, effect, `desk.frontdoor.${effect.intent}`);
    const time = this.nextOpening(now);
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, time ? 'enquiry.forwarded_later' : 'enquiry.forwarded_now', {
        text: effect.text,
        time: time ?? '',
      }),
    });
    this.ctx.log.info({ ownerId: owner.id, channel: address.channel, ref }, 'an enquiry was passed to the staff room');
  }

  private async human(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const ref = await this.postItem(tx, owner, address, effect, 'desk.frontdoor.human');
    const time = this.nextOpening(now);
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, time ? 'frontdoor.human_later' : 'frontdoor.human_now', { time: time ?? '' }),
    });
    this.ctx.log.info({ ownerId: owner.id, channel: address.channel, ref }, 'an owner asked for a person');
  }

  /** Posts the item to every staff room under a new reference (Q001 …), kept so that an answer finds its owner. */
  private async postItem(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    effect: IntentEffect,
    key: string,
  ): Promise<string> {
    const ref = `Q${String(await tx.nextSequence('frontdoor.item')).padStart(3, '0')}`;
    const record: ItemRecord = {
      channel: address.channel,
      chatId: address.chatId,
      ownerId: owner.id,
      text: effect.text,
    };
    await tx.setSetting(ITEM_KEY(ref), JSON.stringify(record));
    const staffT = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const open = (await tx.listTickets({ ownerId: owner.id, limit: 10 })).filter((t) => isOpen(t.status));
    await this.ctx.toStaff(tx, {
      text: staffT(key, {
        ref,
        // 张先生（3-2-501）, or just what is known: never an empty bracket or a "not given" inside another.
        who: [
          owner.name ?? staffT('frontdoor.anonymous'),
          ...(owner.units.length ? [`（${owner.units.join('、')}）`] : []),
        ].join(''),
        text: effect.text,
        tickets: open.map((t) => t.number).join('、') || staffT('frontdoor.no_tickets'),
      }),
      ref: `${ITEM_PREFIX}${ref}`,
    });
    return ref;
  }

  /** Outside business hours: when the office opens next (shown to the owner); undefined while it is open. */
  private nextOpening(now: Date): string | undefined {
    const hours = this.ctx.policy.businessHours;
    const zone = this.ctx.settings.timeZone;
    if (inWindow(now, hours, zone)) return undefined;
    return formatBusinessTime(nextAllowed(now, { start: hours.end, end: hours.start }, zone), zone);
  }

  /**
   * A staff-room message answering a 咨询 or 转人工 item (`Q012 …`, a reply to the item, or a quote of it):
   * sent to the owner, confirmed in the room. False when the message is not one (the staff desk takes it then).
   */
  async staffAnswer(tx: StoreTx, inbound: Inbound): Promise<boolean> {
    if (inbound.content.type !== 'text') return false;
    const typed = inbound.content.text.match(ITEM_REF);
    let ref = typed?.[1] ? `Q${typed[1]}` : undefined;
    let text = typed?.[2]?.trim() ?? '';
    // A quote of the item (WeChat reads it from the quoted text) answers it, as a reply to it does.
    if (!ref && inbound.quotedItem) {
      ref = inbound.quotedItem;
      text = inbound.content.text.trim();
    }
    if (!ref && inbound.replyTo) {
      const replied = await tx.findRefByMessage(inbound.channel, inbound.chatId, inbound.replyTo);
      if (replied?.startsWith(ITEM_PREFIX)) {
        ref = replied.slice(ITEM_PREFIX.length);
        text = inbound.content.text.trim();
      }
    }
    if (!ref) return false;
    const staffT = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const raw = await tx.getSetting(ITEM_KEY(ref));
    if (!raw) {
      // `Q12 …` naming no item is staff talking only if it was never a reference: say so once, quietly.
      if (!typed && !inbound.quotedItem) return false;
      await this.ctx.sendTo(tx, inbound, { text: staffT('desk.frontdoor.no_item', { ref }) });
      return true;
    }
    if (!text) {
      await this.ctx.sendTo(tx, inbound, { text: staffT('desk.frontdoor.answer_usage', { ref }) });
      return true;
    }
    const item = JSON.parse(raw) as ItemRecord;
    const owner = await tx.getOwner(item.ownerId);
    if (!owner || owner.unreachable) {
      await this.ctx.sendTo(tx, inbound, { text: staffT('desk.frontdoor.unreachable', { ref }) });
      return true;
    }
    await this.ctx.sendTo(
      tx,
      { channel: item.channel, chatId: item.chatId },
      { text: this.ctx.t(owner.locale, 'frontdoor.staff_answer', { question: item.text, text }) },
    );
    await this.ctx.sendTo(tx, inbound, { text: staffT('desk.frontdoor.answered', { ref }) });
    this.ctx.log.info({ ref, ownerId: owner.id }, 'a staff answer to an enquiry was sent to the owner');
    return true;
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
    const lines = open.map((ticket) => this.followupLine(ticket, t));
    await this.ctx.sendTo(tx, address, {
      text: [t('frontdoor.followup_title'), ...lines, t('frontdoor.followup_footer')].join('\n\n'),
    });
  }

  private followupLine(ticket: Ticket, t: (k: string, p?: Record<string, string | number>) => string): string {
    const now = this.ctx.clock.now();
    const visit =
      ticket.scheduledFor && ticket.scheduledFor.getTime() > now.getTime()
        ? t('frontdoor.followup_visit', { time: formatBusinessTime(ticket.scheduledFor, this.ctx.settings.timeZone) })
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
