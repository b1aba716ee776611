/**
 * An owner's message, after routing: the owner found or met for the first time, a linking code or a word
 * about surveys taken as such, a report written in the middle of a questionnaire let through, and then the
 * engine stepped in the owner's conversation. `applyEffect` carries out what the engine asks for, whoever
 * stepped it (this message, or a flow the application started), inside the same transaction.
 */
import type { Effect } from '../../core/flow/engine.js';
import type { StoreTx } from '../../core/ports.js';
import { parseOwnerSurveyWord } from '../../core/surveys/words.js';
import type { Address, Inbound, Locale, Owner } from '../../core/types.js';
import type { EmergencyAssessment } from '../../core/understand/emergency.js';
import type { Understanding } from '../../core/understand/understanding.js';
import type { AppContext } from '../context.js';
import type { IdentityLinks } from '../identity.js';
import type { AppPart } from '../parts.js';
import type { Revisits } from '../revisits.js';
import type { Surveys } from '../surveys/surveys.js';
import type { OwnerConversations } from './conversations.js';
import { recordEmergencyDetails } from './emergency.js';
import type { FrontDoor } from './front-door.js';
import type { OwnerTickets } from './tickets.js';

/** What the owner's side of the application is made of. */
interface OwnerMessageParts {
  conversations: OwnerConversations;
  tickets: OwnerTickets;
  frontDoor: FrontDoor;
  links: IdentityLinks;
  surveys: Surveys;
  revisits: Revisits;
  /** Capabilities that take some owner messages as their own first (a notice's read button, 通知). */
  extras: readonly AppPart[];
}

/** Maps a platform's language code to one of ours: zh… → zh-CN, any other → en, none → the default. */
export function localeFromLanguageCode(code: string | undefined, fallback: Locale): Locale {
  if (!code) return fallback;
  return code.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export class OwnerMessages {
  constructor(
    private readonly ctx: AppContext,
    private readonly parts: OwnerMessageParts,
  ) {}

  /** An owner's message or button press; resolves to the button's answer, when the engine answered it. */
  async handle(
    tx: StoreTx,
    inbound: Inbound,
    now: Date,
    understanding?: Understanding,
    emergency?: EmergencyAssessment,
  ): Promise<{ ack?: { text: string } }> {
    const { conversations, surveys, links } = this.parts;
    const owner = await this.findOrCreateOwner(tx, inbound, now);
    if (inbound.content.type === 'text' && (await links.tryCode(tx, owner, inbound, inbound.content.text))) {
      return {};
    }
    for (const part of this.parts.extras) {
      const taken = await part.ownerMessage?.(tx, owner, inbound, now);
      if (taken) return taken.ack ? { ack: taken.ack } : inbound.content.type === 'button' ? { ack: { text: '' } } : {};
    }
    const surveyWord = inbound.content.type === 'text' ? parseOwnerSurveyWord(inbound.content.text) : undefined;
    if (surveyWord) {
      await surveys.ownerWord(tx, owner, inbound, surveyWord);
      return {};
    }
    let thread = await conversations.threadOf(tx, inbound, owner, now);
    // A report written in the middle of a questionnaire: the questionnaire waits, the report starts.
    if (understanding && inbound.content.type === 'text') {
      const text = inbound.content.text;
      thread = (await surveys.pauseForReport(tx, owner, inbound, thread, text, understanding)) ?? thread;
    }
    const result = await conversations.runEngine(tx, owner, thread, inbound.content, inbound, now, {
      ...(understanding ? { understanding } : {}),
      ...(emergency ? { emergency } : {}),
    });
    return inbound.content.type === 'button' ? { ack: { text: result.ack ?? '' } } : {};
  }

  /** Carries out one of the engine's effects; resolves to the owner as the effect leaves them. */
  async applyEffect(tx: StoreTx, owner: Owner, address: Address, effect: Effect, now: Date): Promise<Owner> {
    const { tickets, frontDoor, surveys, revisits } = this.parts;
    switch (effect.type) {
      case 'owner.update':
        return { ...owner, ...effect.patch };
      case 'ticket.create':
        return tickets.createTicket(tx, owner, address, effect, now);
      case 'emergency.details':
        return recordEmergencyDetails(this.ctx, tx, owner, address, effect, now);
      case 'flow.cancelled':
        this.ctx.log.info({ flow: effect.flowId, ownerId: owner.id }, 'flow cancelled by the owner');
        await surveys.flowCancelled(tx, owner, effect);
        return owner;
      case 'ticket.note':
        await tickets.addOwnerNote(tx, owner, effect.ticketId, effect.note, now);
        return owner;
      case 'ticket.cancel':
        await tickets.cancelByOwner(tx, owner, address, effect.ticketId, now);
        return owner;
      case 'enquiry.forward':
        // A question asked inside a form is a 咨询 like any other: the staff room's item, answered from there.
        await frontDoor.handle(tx, owner, address, { type: 'owner.intent', intent: 'enquiry', text: effect.text }, now);
        return owner;
      case 'owner.intent':
        await frontDoor.handle(tx, owner, address, effect, now);
        return owner;
      case 'plan.answer':
      case 'appointment.answer':
      case 'rejection.answer':
        await tickets.ownerAnswer(tx, owner, address, effect, now);
        return owner;
      case 'revisit.record':
        await revisits.recordFromChat(tx, owner, address, effect);
        return owner;
      case 'survey.answer': {
        const r = await surveys.recordAnswer(tx, owner, effect, address);
        await this.ctx.sendTo(tx, address, r.reply);
        // "Would you like us to follow this up?" — yes opens a ticket from the low answers.
        if (r.ticket) {
          return tickets.createTicket(
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

  private async findOrCreateOwner(tx: StoreTx, inbound: Inbound, now: Date): Promise<Owner> {
    const found = await tx.findOwnerByIdentity(inbound.channel, inbound.userId);
    // Someone who writes to us can be reached again, whatever happened before.
    if (found?.unreachable) {
      const back = { ...found, unreachable: false, updatedAt: now };
      await tx.saveOwner(back);
      return back;
    }
    if (found) return found;
    const locale: Locale = localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
    const owner: Owner = {
      id: this.ctx.newId(),
      identities: [{ channel: inbound.channel, userId: inbound.userId, chatId: inbound.chatId }],
      units: [],
      locale,
      privacyNoticeShown: false,
      unreachable: false,
      createdAt: now,
      updatedAt: now,
    };
    await tx.saveOwner(owner);
    this.ctx.log.info({ ownerId: owner.id, channel: inbound.channel }, 'new owner');
    return owner;
  }
}
