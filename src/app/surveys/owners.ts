/**
 * The owner's side of surveys: `recordAnswer` (the `survey.answer` effect; a Yes to the follow-up comes
 * back as a ticket to open), `flowCancelled` (keeps a stopped questionnaire's answers), the pauses that let
 * a report or a ticket's question come first, and `ownerWord` (stop sending me surveys / send them again /
 * open my questionnaire). Surveys reach an owner's conversation through the owners' conversations
 * (owner/conversations.ts).
 */

import { cleanText, parseIndex } from '../../core/flow/answers.js';
import type { FlowContext, FlowEffect } from '../../core/flow/engine.js';
import { getStep } from '../../core/flow/registry.js';
import type { AnswerValue, ConversationState } from '../../core/flow/state.js';
import { parseUnit } from '../../core/location.js';
import type { StoreTx, SurveyCampaign, SurveyInvitation, SurveyResponse, Thread } from '../../core/ports.js';
import { buildingFor, buildingOfUnit, campaignOpenFor } from '../../core/surveys/campaign.js';
import {
  type Dimension,
  FOLLOW_UP,
  type Questionnaire,
  questionnaireIdOfFlow,
  scaleRange,
  surveyFlowId,
  surveyKeys,
} from '../../core/surveys/questionnaire.js';
import type { OwnerSurveyWord } from '../../core/surveys/words.js';
import type { Address, Category, OutboundMessage, Owner } from '../../core/types.js';
import { findLocation } from '../../core/understand/location.js';
import type { Understanding } from '../../core/understand/understanding.js';
import type { AppContext } from '../context.js';
import type { SurveyOwners } from '../owner/conversations.js';
import { clip, OPEN_INVITATION, type SurveySupport } from './support.js';

/** What the owner's side (owner/messages.ts) must do after `recordAnswer`. */
export interface SurveyAnswerResult {
  status: 'recorded' | 'duplicate' | 'closed' | 'unknown';
  /** Send this to the owner's chat. */
  reply: OutboundMessage;
  /**
   * The owner answered Yes to the follow-up: open a ticket from these (OwnerTickets.createTicket with
   * `{ ...effect, type: 'ticket.create', answers, set }`, i.e. through draftFromAnswers).
   */
  ticket?: { answers: Record<string, AnswerValue>; set: Record<string, string | number | boolean> };
}

const DIMENSION_CATEGORY: Record<Dimension, Category> = {
  reception: 'other',
  repairs: 'public_facilities',
  security: 'security',
  cleaning: 'cleaning',
  greening: 'greening',
  fees: 'fees',
  overall: 'other',
};

export class SurveyOwnerSide {
  private readonly ctx: AppContext;

  constructor(
    private readonly kit: SurveySupport,
    private readonly owners: SurveyOwners,
  ) {
    this.ctx = kit.ctx;
  }

  /**
   * The `survey.answer` effect: stores the answers once per owner and campaign, with the owner's building.
   * A second submission, or one after the campaign closed, is refused politely. A Yes to the follow-up
   * question comes back as a ticket to open.
   */
  async recordAnswer(
    tx: StoreTx,
    owner: Owner,
    effect: Pick<FlowEffect, 'flowId' | 'answers' | 'context'>,
    address?: Address,
  ): Promise<SurveyAnswerResult> {
    const reply = (key: string, p?: Record<string, string | number>) => ({ text: this.ctx.t(owner.locale, key, p) });
    const c = await tx.getSurveyCampaign(String(effect.context.campaign ?? ''));
    const q = c ? this.kit.questionnaireFor(c) : undefined;
    if (!c || !q || questionnaireIdOfFlow(effect.flowId) !== c.questionnaireId) {
      this.ctx.log.warn(
        { flow: effect.flowId, ownerId: owner.id },
        'survey answers for an unknown campaign were not recorded',
      );
      return { status: 'unknown', reply: reply('survey.closed') };
    }
    const now = this.kit.now();
    if (!campaignOpenFor(c, 'answer', now)) return { status: 'closed', reply: reply('survey.closed') };
    if (await tx.getSurveyResponse(c.id, owner.id))
      return { status: 'duplicate', reply: reply('survey.already_answered') };
    const known = new Set([...q.questions.map((x) => x.id), FOLLOW_UP]);
    const answers: Record<string, AnswerValue> = {};
    for (const [k, v] of Object.entries(effect.answers)) if (known.has(k)) answers[k] = v;
    const inv = await tx.getSurveyInvitation(c.id, owner.id);
    const building = inv?.building ?? buildingFor(owner, c.target);
    const response: SurveyResponse = {
      id: this.ctx.newId(),
      campaignId: c.id,
      ownerId: owner.id,
      questionnaireVersion: c.questionnaireVersion,
      answers,
      ...(building ? { building } : {}),
      channel: address?.channel ?? inv?.channel ?? owner.identities[0]?.channel ?? 'console',
      submittedAt: now,
    };
    if (!(await tx.addSurveyResponse(response)))
      return { status: 'duplicate', reply: reply('survey.already_answered') };
    if (inv) {
      const { draft: _draft, ...rest } = inv;
      await tx.updateSurveyInvitation({ ...rest, status: 'answered', answeredAt: now });
    }
    this.ctx.log.info({ campaign: c.id, building }, 'survey response recorded');
    if (answers[FOLLOW_UP] === true) {
      return {
        status: 'recorded',
        reply: reply('survey.thanks_follow_up'),
        ticket: this.followUpTicket(c, q, owner, answers, building),
      };
    }
    return { status: 'recorded', reply: reply(surveyKeys(q.id).thanks) };
  }

  /** A complaint for the team: the low answers and the owner's comments, in the staff's language. */
  private followUpTicket(
    c: SurveyCampaign,
    q: Questionnaire,
    owner: Owner,
    answers: Record<string, AnswerValue>,
    building: string | undefined,
  ): NonNullable<SurveyAnswerResult['ticket']> {
    const locale = this.ctx.staffLocale;
    const keys = surveyKeys(q.id);
    const lines = [this.kit.staffT('survey.ticket.description', { campaign: c.id })];
    let worst: { dimension?: Dimension; value: number } | undefined;
    for (const question of q.questions) {
      const value = answers[question.id];
      if (value === undefined) continue;
      const low =
        (question.kind === 'rating' || question.kind === 'nps') &&
        question.lowAt !== undefined &&
        typeof value === 'number' &&
        value <= question.lowAt;
      if (low) {
        const range = scaleRange(question) ?? { min: 0, max: 1 };
        const relative = (value - range.min) / (range.max - range.min);
        if (!worst || relative < worst.value)
          worst = { value: relative, ...(question.kind === 'rating' ? { dimension: question.dimension } : {}) };
      }
      if (low || question.kind === 'text') {
        lines.push(
          this.kit.staffT('survey.ticket.line', {
            question: clip(this.ctx.t(locale, keys.question(question.id)), 40),
            answer: this.kit.valueLabel(question, value, locale),
          }),
        );
      }
    }
    const unit = owner.units.find((u) => parseUnit(u) && (!building || (buildingOfUnit(u) ?? '') === building));
    const location = unit ? parseUnit(unit) : undefined;
    return {
      answers: {
        description: lines.join('\n'),
        subject: this.kit.staffT('survey.ticket.subject', { title: this.ctx.t(locale, keys.title) }),
        ...(location ? { location } : {}),
      },
      set: { kind: 'complaint', category: DIMENSION_CATEGORY[worst?.dimension ?? 'overall'], urgency: 'normal' },
    };
  }

  /** A questionnaire the owner stopped (`flow.cancelled`): keeps the answers so far for when they come back. */
  async flowCancelled(
    tx: StoreTx,
    owner: Owner,
    effect: { flowId: string; answers: Record<string, AnswerValue>; context: FlowContext },
  ): Promise<void> {
    if (!questionnaireIdOfFlow(effect.flowId)) return;
    const inv = await tx.getSurveyInvitation(String(effect.context.campaign ?? ''), owner.id);
    if (!inv || !OPEN_INVITATION.includes(inv.status) || Object.keys(effect.answers).length === 0) return;
    await tx.updateSurveyInvitation({ ...inv, draft: effect.answers });
  }

  /**
   * Whether an owner's text at a survey question that asks for a choice (a rating, an option, yes or no)
   * is worth reading as a report: several words naming a place, not a number, not a command. The App then
   * asks the assistant before the transaction, as it does at the menu.
   */
  mayHoldReport(state: ConversationState, text: string): boolean {
    const flow = state.flow;
    if (!flow || state.prompt || !questionnaireIdOfFlow(flow.flowId)) return false;
    const spec = this.ctx.registry.flows.get(flow.flowId);
    const kind = spec ? getStep(spec, flow.stepId)?.answer.kind : undefined;
    if (kind !== 'choice' && kind !== 'rating' && kind !== 'yesno' && kind !== 'multi') return false;
    const clean = cleanText(text);
    if ([...clean].length < 4 || clean.startsWith('/') || parseIndex(clean) !== undefined) return false;
    // Only a text that names a place (3栋2单元501, 5号楼电梯): 非常满意 or "1 3 5" never waits on a model.
    return findLocation(clean) !== undefined;
  }

  /**
   * An owner half-way through a questionnaire who writes what reads as a report with a place ("楼上漏水到我家
   * 卫生间了，3栋2单元501") instead of answering: the questionnaire is paused with its answers kept (问卷 picks
   * it up again; reminders do too) and the owner is told so, so that the report can start from what they
   * wrote. Returns the thread without the questionnaire, or undefined to leave everything as it is.
   */
  async pauseForReport(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    text: string,
    u: Understanding,
  ): Promise<Thread | undefined> {
    if (u.emergency || u.category === 'other' || !u.location || !this.mayHoldReport(thread.state, text))
      return undefined;
    return this.pause(tx, owner, address, thread);
  }

  /**
   * A ticket's question for the owner (a plan to agree, a visit time, an explanation, a revisit) comes
   * before a satisfaction questionnaire: one in progress in `thread` is paused with its answers kept (问卷
   * or a reminder picks it up) and the owner is told so, rather than the ticket's question waiting behind
   * up to 17 survey questions. Returns the thread without the questionnaire, or undefined.
   */
  async pauseForTicket(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    notBefore?: Date,
  ): Promise<Thread | undefined> {
    // A question whose answer would be lost (which ticket, cancel?, which language) keeps its place.
    const p = thread.state.prompt;
    if (p === 'pick_ticket' || p === 'confirm_cancel' || p === 'lang') return undefined;
    return this.pause(tx, owner, address, thread, notBefore);
  }

  private async pause(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    notBefore?: Date,
  ): Promise<Thread | undefined> {
    const flow = thread.state.flow;
    if (!flow || !questionnaireIdOfFlow(flow.flowId)) return undefined;
    const inv = await tx.getSurveyInvitation(String(flow.context.campaign ?? ''), owner.id);
    if (inv && OPEN_INVITATION.includes(inv.status) && Object.keys(flow.answers).length > 0)
      await tx.updateSurveyInvitation({ ...inv, draft: { ...flow.answers } });
    await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.paused') }, notBefore);
    this.ctx.log.info(
      { campaign: flow.context.campaign, ownerId: owner.id },
      'survey paused for a report or a ticket question',
    );
    const state = structuredClone(thread.state);
    state.flow = undefined;
    return { ...thread, state };
  }

  /** "Stop sending me surveys": remembered for every later campaign; open invitations are declined. */
  async optOut(tx: StoreTx, owner: Owner): Promise<void> {
    await tx.setSurveyOptOut(owner.id, this.kit.now());
    for (const inv of await tx.listSurveyInvitationsOfOwner(owner.id)) {
      if (OPEN_INVITATION.includes(inv.status)) await tx.updateSurveyInvitation({ ...inv, status: 'declined' });
    }
    this.ctx.log.info({ ownerId: owner.id }, 'owner opted out of surveys');
  }

  /** The owner wants surveys again (later campaigns invite them; declined invitations stay declined). */
  async optIn(tx: StoreTx, owner: Owner): Promise<void> {
    await tx.clearSurveyOptOut(owner.id);
  }

  /** The owner's open invitation of a running campaign, newest first. */
  private async openInvitation(
    tx: StoreTx,
    owner: Owner,
  ): Promise<{ inv: SurveyInvitation; campaign: SurveyCampaign } | undefined> {
    const now = this.kit.now();
    for (const inv of await tx.listSurveyInvitationsOfOwner(owner.id)) {
      if (!OPEN_INVITATION.includes(inv.status)) continue;
      const campaign = await tx.getSurveyCampaign(inv.campaignId);
      if (campaign && campaignOpenFor(campaign, 'resume', now)) return { inv, campaign };
    }
    return undefined;
  }

  /**
   * What an owner said about surveys (see `parseOwnerSurveyWord`), handled outside the engine step: opt out
   * (and drop any questionnaire from the chat), opt in, or open the owner's questionnaire again with the
   * answers they had given. Replies in the owner's chat.
   */
  async ownerWord(tx: StoreTx, owner: Owner, address: Address, word: OwnerSurveyWord): Promise<void> {
    const say = (key: string) => this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, key) });
    if (word === 'optin') {
      await this.optIn(tx, owner);
      return say('survey.opted_in');
    }
    const thread = await tx.getThread(address.channel, address.chatId);
    if (word === 'optout') {
      await this.optOut(tx, owner);
      await say('survey.opted_out');
      if (!thread) return;
      const state = structuredClone(thread.state);
      const droppedCurrent = state.flow !== undefined && questionnaireIdOfFlow(state.flow.flowId) !== undefined;
      if (droppedCurrent) state.flow = undefined;
      state.queue = state.queue.filter((q) => questionnaireIdOfFlow(q.flowId) === undefined);
      const next = droppedCurrent ? state.queue.shift() : undefined;
      await tx.saveThread({ ...thread, state, updatedAt: this.kit.now() });
      if (next) await this.owners.startFlowFor(tx, owner, address, next.flowId, next.context);
      return;
    }
    const open = await this.openInvitation(tx, owner);
    if (!open) return say('survey.no_pending');
    const flowId = surveyFlowId(open.campaign.questionnaireId);
    const running = thread?.state.flow;
    if (running?.flowId === flowId) return say('survey.resume_running');
    if (running) await say('survey.resume_later');
    await this.owners.startFlowFor(
      tx,
      owner,
      address,
      flowId,
      this.kit.flowContext(open.campaign, owner.locale),
      open.inv.draft ? { preset: open.inv.draft } : {},
    );
  }
}
