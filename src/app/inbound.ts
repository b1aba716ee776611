/**
 * The one path every inbound message takes. `handle` reads what needs a model before the transaction
 * (the owner's text, a staff draft, survey themes), then runs one store transaction per message: dedupe
 * on the platform id → record it in the chat's log → route it (a stranger group; the staff room and
 * staff's commands to the staff desk, surveys or the front door's answers; everyone else to the owner's
 * conversation, owner/messages.ts) → carry out the effects → write every reply and staff notice to the
 * outbox. Nothing is sent from here; the dispatcher delivers the outbox. A failure for one message is
 * caught here, logged without personal data, and answered with a short apology; the message itself is
 * still recorded.
 */
import { keptAtLanguage, mayUnderstand } from '../core/flow/engine.js';
import { initialState } from '../core/flow/state.js';
import type { StoreTx, Thread } from '../core/ports.js';
import type { Inbound, Staff } from '../core/types.js';
import { type EmergencyAssessment, withModelEmergency } from '../core/understand/emergency.js';
import type { Understanding } from '../core/understand/understanding.js';
import type { AppContext } from './context.js';
import { StaffDesk } from './desk/desk.js';
import type { FilesPrepared } from './desk/files.js';
import type { FrontDoor } from './owner/front-door.js';
import { localeFromLanguageCode, type OwnerMessages } from './owner/messages.js';
import type { AppPart, Handled } from './parts.js';
import { parseSurveyButton } from './surveys/buttons.js';
import { parseSurveyCommand, type SurveyCommand, type SurveyPrepared } from './surveys/commands.js';
import type { Surveys } from './surveys/surveys.js';

/** What the channel adapter needs to know after a message was handled. */
export interface InboundResult {
  /** The platform delivered this message before: nothing was done. */
  duplicate: boolean;
  /** For a button press: the text to answer it with (empty for a silent answer); `alert` for a dialog. */
  ack?: { text: string; alert?: boolean };
}

/** Where a message can go. */
interface InboundParts {
  desk: StaffDesk;
  frontDoor: FrontDoor;
  surveys: Surveys;
  messages: OwnerMessages;
  /** Capabilities that take some messages as their own first (notices, enquiries). */
  extras: readonly AppPart[];
}

/** What was worked out before the message's transaction (model calls, reports), for use inside it. */
interface Prepared {
  understanding?: Understanding;
  emergency?: EmergencyAssessment;
  /** A staff member's suggested reply. */
  draft?: string;
  /** For `/survey report|close`: the comment themes and the campaign's charts. */
  survey?: SurveyPrepared;
  /** The text of `/tickets` or `/summary`. */
  report?: string;
  /** `/summary`'s charts or `/export`'s workbook (desk/files.ts). */
  files?: FilesPrepared;
}

const silentAck = (inbound: Inbound) => (inbound.content.type === 'button' ? { ack: { text: '' } } : {});

/** A `/survey …` command typed, or a survey button pressed (preview, start, report). */
function surveyCommandOf(inbound: Inbound): SurveyCommand | undefined {
  if (inbound.content.type === 'text') return parseSurveyCommand(inbound.content.text);
  if (inbound.content.type === 'button') return parseSurveyButton(inbound.content.data);
  return undefined;
}

export class InboundRouter {
  constructor(
    private readonly ctx: AppContext,
    private readonly parts: InboundParts,
  ) {}

  /**
   * Handles one inbound message or button press. A failure in handling is answered with an apology and
   * never thrown; it throws only when the message could not be recorded at all (the store is down).
   */
  async handle(inbound: Inbound): Promise<InboundResult> {
    try {
      // Slow help (a model call) happens before the transaction, never while holding the store. The offline
      // assistant asks no model: it reads inside the transaction, so the message needs no read transaction of its own.
      const early = this.ctx.assistant?.mode === 'offline' ? undefined : await this.understand(this.ctx.store, inbound);
      const draft = await this.parts.desk.prepareDraft(inbound);
      const survey = await this.surveyPrepared(inbound);
      // Reports and the files they send are made here too, with plain reads: an owner's message never waits behind one.
      const { report, files } = await this.parts.desk.prepareReport(inbound);
      return await this.ctx.store.transaction(async (tx) => {
        const { understanding, emergency } = early ?? (await this.understand(tx, inbound));
        return this.process(tx, inbound, { understanding, draft, survey, emergency, report, files });
      });
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
   * the length, and never waiting on a model. `reader` is the store (before the transaction, for a model) or
   * the transaction itself (offline).
   */
  private async understand(
    reader: Pick<StoreTx, 'getThread' | 'findOwnerByIdentity'>,
    inbound: Inbound,
  ): Promise<{ understanding?: Understanding; emergency?: EmergencyAssessment }> {
    const assistant = this.ctx.assistant;
    if (!assistant || inbound.chatKind !== 'private') return {};
    const thread = await reader.getThread(inbound.channel, inbound.chatId);
    const kept = thread ? await this.understandKept(reader, inbound, assistant, thread.state) : undefined;
    if (kept) return kept;
    if (inbound.content.type !== 'text') return {};
    const text = inbound.content.text;
    const emergency = assistant.assessEmergency(text);
    // The verdict goes back with the text, so that the assistant does not read the rules a second time.
    if (emergency.verdict === 'present') return { understanding: assistant.understandNow(text, emergency), emergency };
    const state = thread?.state ?? initialState();
    if (!mayUnderstand(state, text, this.ctx.registry) && !this.parts.surveys.mayHoldReport(state, text))
      return { emergency };
    const owner = await reader.findOwnerByIdentity(inbound.channel, inbound.userId);
    const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
    const understanding = await assistant.understand(text, locale, emergency);
    // A model that reads an emergency the rules did not can only make it unclear (the owner is asked), never present.
    return { understanding, emergency: withModelEmergency(emergency, understanding.emergencyUnclear === true) };
  }

  /** A message kept at the language question is handled once a language is chosen: read it beforehand. */
  private async understandKept(
    reader: Pick<StoreTx, 'findOwnerByIdentity'>,
    inbound: Inbound,
    assistant: NonNullable<AppContext['assistant']>,
    state: Thread['state'],
  ): Promise<{ understanding?: Understanding; emergency?: EmergencyAssessment } | undefined> {
    const kept = keptAtLanguage(state);
    if (!kept) return undefined;
    const owner = await reader.findOwnerByIdentity(inbound.channel, inbound.userId);
    const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
    const emergency = assistant.assessEmergency(kept);
    const understanding = await assistant.understand(kept, locale, emergency);
    return { understanding, emergency: withModelEmergency(emergency, understanding.emergencyUnclear === true) };
  }

  /** For `/survey report|close`: the free-text themes and the charts, worked out before the transaction. */
  private async surveyPrepared(inbound: Inbound): Promise<SurveyPrepared | undefined> {
    if (inbound.chatKind === 'group') return undefined;
    const command = surveyCommandOf(inbound);
    if (command?.action !== 'report' && command?.action !== 'close') return undefined;
    const role = await this.parts.desk.staffRoleOf(inbound);
    if (!role || role === 'staff') return undefined; // refused in the transaction; no model call for it
    return this.parts.surveys.prepareCommand(command.campaignId);
  }

  private async process(tx: StoreTx, inbound: Inbound, prepared: Prepared): Promise<InboundResult> {
    const { understanding, draft, survey, emergency, report, files } = prepared;
    const now = this.ctx.clock.now();
    if (!(await recordInbound(tx, inbound, now))) {
      this.ctx.log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'duplicate delivery ignored');
      return { duplicate: true };
    }
    if (inbound.chatKind === 'group') return this.strangerGroup(tx, inbound);
    const surveyCommand = surveyCommandOf(inbound);
    if (inbound.chatKind === 'staff') {
      const staff = await this.parts.desk.enrol(tx, inbound);
      if (surveyCommand) return this.surveyCommand(tx, inbound, staff, surveyCommand, survey);
      const taken = staff.active ? await this.staffPart(tx, staff, inbound, now) : undefined;
      if (taken) return { duplicate: false, ...(taken.ack ? { ack: taken.ack } : silentAck(inbound)) };
      if (await this.parts.frontDoor.staffAnswer(tx, inbound)) return { duplicate: false };
      const result = await this.parts.desk.handle(tx, inbound, staff, draft, report, files);
      return { duplicate: false, ...(result.ack ? { ack: result.ack } : silentAck(inbound)) };
    }
    if (surveyCommand) {
      const staff = await tx.findStaff(inbound.channel, inbound.userId);
      if (staff?.active) return this.surveyCommand(tx, inbound, staff, surveyCommand);
    }
    if (this.parts.extras.some((p) => p.staffMessage)) {
      const staff = await tx.findStaff(inbound.channel, inbound.userId);
      const taken = staff?.active ? await this.staffPart(tx, staff, inbound, now) : undefined;
      if (taken) return { duplicate: false, ...(taken.ack ? { ack: taken.ack } : silentAck(inbound)) };
    }
    if (StaffDesk.looksLikeCommand(inbound)) {
      const staff = await tx.findStaff(inbound.channel, inbound.userId);
      if (staff?.active) {
        const result = await this.parts.desk.handle(tx, inbound, staff, draft, report, files);
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
    const answered = await this.parts.messages.handle(tx, inbound, now, understanding, emergency);
    return { duplicate: false, ...answered };
  }

  /** The first capability that takes a staff member's message as its own. */
  private async staffPart(tx: StoreTx, staff: Staff, inbound: Inbound, now: Date): Promise<Handled | undefined> {
    for (const part of this.parts.extras) {
      const taken = await part.staffMessage?.(tx, staff, inbound, now);
      if (taken) return taken;
    }
    return undefined;
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

  /** `/survey …` from a supervisor or manager (in the staff room or their private chat). */
  private async surveyCommand(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    command: SurveyCommand,
    survey?: SurveyPrepared,
  ): Promise<InboundResult> {
    if (staff.role === 'staff') {
      this.ctx.log.warn({ staff: staff.id }, 'refused a survey command from staff who is not a supervisor');
      const refused = this.ctx.t(this.ctx.staffLocale, 'survey.cmd.refused');
      // A button: a refusal only they can see, no noise in the group.
      if (inbound.content.type === 'button') return { duplicate: false, ack: { text: refused, alert: true } };
      await this.ctx.sendTo(tx, inbound, { text: refused });
      return { duplicate: false, ...silentAck(inbound) };
    }
    const result = await this.parts.surveys.command(tx, command, staff.id, survey);
    for (const message of result.reply) await this.ctx.sendTo(tx, inbound, message);
    return { duplicate: false, ...silentAck(inbound) };
  }

  /** After a failure: record the message anyway (nothing an owner says is lost) and apologise. */
  private async apologise(inbound: Inbound): Promise<InboundResult> {
    try {
      return await this.ctx.store.transaction(async (tx) => {
        if (!(await recordInbound(tx, inbound, this.ctx.clock.now()))) return { duplicate: true };
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

/** Dedupe on the platform's id, then keep the message in the chat's log: false for a second delivery. */
async function recordInbound(tx: StoreTx, inbound: Inbound, now: Date): Promise<boolean> {
  if (!(await tx.markInbound(inbound.channel, inbound.messageId, now))) return false;
  await tx.logMessage({
    channel: inbound.channel,
    chatId: inbound.chatId,
    direction: 'in',
    at: now,
    messageId: inbound.messageId,
    body: inbound.content,
  });
  return true;
}
