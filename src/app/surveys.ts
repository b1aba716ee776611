/**
 * Satisfaction survey campaigns (满意度调查), the nine steps of domain.md: a supervisor plans a campaign
 * from a questionnaire and a target, reviews it as owners will see it (preview), starts it; residesk invites
 * the owners through the outbox in batches within each platform's limits and never in quiet hours, reminds
 * those who have not answered at most twice, records one response per owner, closes the campaign at its end
 * date, analyses it, compares it with the previous campaign of the same questionnaire and posts the summary
 * to the staff group.
 *
 * Jobs: `survey.invite` (one batch per run; schedules the next until everyone is invited), `survey.remind`
 * (`round` 1 or 2), `survey.close`, `survey.withdraw` (the questionnaire leaves owners' chats after a close
 * in quiet hours). Each runs in the scheduler's transaction: an invitation row and its
 * messages commit together, so a restart mid-invitation never invites anyone twice.
 *
 * Owners: `recordAnswer` (the `survey.answer` effect), `flowCancelled` (keeps a stopped questionnaire's
 * answers), `ownerWord` (stop sending me surveys / send them again / open my questionnaire), `optOut`/`optIn`.
 * Staff: `parseSurveyCommand` + `command` (`/survey …`, also used by `npm run survey`).
 */
import { DateTime } from 'luxon';
import type { AnswerSummary } from '../adapters/ai/assistant.js';
import { cleanText, parseIndex } from '../core/flow/answers.js';
import type { FlowContext, FlowEffect } from '../core/flow/engine.js';
import { getStep } from '../core/flow/registry.js';
import type { StepSpec } from '../core/flow/schema.js';
import type { AnswerValue, ConversationState } from '../core/flow/state.js';
import { parseUnit } from '../core/location.js';
import type {
  Job,
  StoreTx,
  SurveyCampaign,
  SurveyInvitation,
  SurveyResponse,
  SurveyTarget,
  Thread,
} from '../core/ports.js';
import {
  buildingFor,
  buildingOfUnit,
  campaignAllows,
  campaignOpenFor,
  campaignTransition,
} from '../core/surveys/campaign.js';
import {
  compileQuestionnaire,
  type Dimension,
  FOLLOW_UP,
  type Question,
  type Questionnaire,
  questionnaireIdOfFlow,
  scaleRange,
  surveyFlowId,
  surveyKeys,
} from '../core/surveys/questionnaire.js';
import { type Analysis, analyse } from '../core/surveys/scoring.js';
import type { OwnerSurveyWord } from '../core/surveys/words.js';
import { nextAllowed } from '../core/time.js';
import type { Address, Button, Category, Channel, Locale, OutboundMessage, Owner } from '../core/types.js';
import { findLocation } from '../core/understand/location.js';
import { mask } from '../core/understand/mask.js';
import type { Understanding } from '../core/understand/understanding.js';
import type { AppContext } from './context.js';
import { formatBusinessTime } from './render.js';
import type { JobHandler } from './scheduler.js';
import { type SurveyButtonAction, surveyButtonData } from './surveys/buttons.js';
import { parseWhen, type SurveyCommand, type SurveyCommandResult } from './surveys/commands.js';
import {
  chunk,
  clip,
  MAX_REMINDERS,
  OPEN_INVITATION,
  SURVEY_DEFAULTS,
  type SurveyOptions,
  type SurveyRefusal,
  type SurveyResult,
} from './surveys/support.js';

// ── what the surveys need from the rest of the application ───────────────────

export interface StartFlowOptions {
  /** Messages of the flow are not delivered before this instant (quiet hours). */
  notBefore?: Date;
  /** Answers already given (a questionnaire the owner stopped and comes back to). */
  preset?: Record<string, AnswerValue>;
}

/** How surveys reach an owner's conversation; implemented by the App. */
export interface SurveyOwners {
  /**
   * Starts the flow in the owner's chat at `address`, or queues it behind the flow the owner is in (an
   * owner is never interrupted in the middle of a complaint). Writes to the outbox in `tx`.
   */
  startFlowFor(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    flowId: string,
    context: FlowContext,
    opts?: StartFlowOptions,
  ): Promise<void>;
}

/** What the App must do after `recordAnswer`. */
export interface SurveyAnswerResult {
  status: 'recorded' | 'duplicate' | 'closed' | 'unknown';
  /** Send this to the owner's chat. */
  reply: OutboundMessage;
  /**
   * The owner answered Yes to the follow-up: open a ticket from these (App.createTicket with
   * `{ ...effect, type: 'ticket.create', answers, set }`, i.e. through draftFromAnswers).
   */
  ticket?: { answers: Record<string, AnswerValue>; set: Record<string, string | number | boolean> };
}

// ── small pure helpers ───────────────────────────────────────────────────────

export { parseSurveyButton } from './surveys/buttons.js';
export {
  normaliseCampaignId,
  parseSurveyCommand,
  type SurveyCommand,
  type SurveyCommandResult,
} from './surveys/commands.js';
export {
  MAX_REMINDERS,
  SURVEY_DEFAULTS,
  type SurveyOptions,
  type SurveyRefusal,
  type SurveyResult,
} from './surveys/support.js';
export { buildingFor };

const DIMENSION_CATEGORY: Record<Dimension, Category> = {
  reception: 'other',
  repairs: 'public_facilities',
  security: 'security',
  cleaning: 'cleaning',
  greening: 'greening',
  fees: 'fees',
  overall: 'other',
};

// ── the use cases ────────────────────────────────────────────────────────────

export class Surveys {
  private readonly questionnaires: ReadonlyMap<string, Questionnaire>;
  private readonly batchSize: Record<Channel, number>;
  private readonly batchIntervalMs: number;
  private readonly remindAfterMs: number;
  private readonly remindGapMs: number;
  private readonly defaultDurationMs: number;

  constructor(
    private readonly ctx: AppContext,
    private readonly owners: SurveyOwners,
    opts: SurveyOptions,
  ) {
    this.questionnaires = opts.questionnaires;
    this.batchSize = { ...SURVEY_DEFAULTS.batchSize, ...opts.batchSize };
    this.batchIntervalMs = opts.batchIntervalMs ?? SURVEY_DEFAULTS.batchIntervalMs;
    this.remindAfterMs = opts.remindAfterMs ?? SURVEY_DEFAULTS.remindAfterMs;
    this.remindGapMs = opts.remindGapMs ?? SURVEY_DEFAULTS.remindGapMs;
    this.defaultDurationMs = opts.defaultDurationMs ?? SURVEY_DEFAULTS.defaultDurationMs;
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  private staffT(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /** One row of survey buttons for a supervisor (Telegram shows them; WeChat staff type the commands). */
  private buttons(id: string, actions: readonly SurveyButtonAction[]): Button[][] {
    return [actions.map((a) => ({ label: this.staffT(`survey.button.${a}`), data: surveyButtonData(a, id) }))];
  }

  private time(at: Date | undefined): string {
    return at ? formatBusinessTime(at, this.ctx.settings.timeZone) : '—';
  }

  /** The first instant at or after `at` outside quiet hours. */
  private allowed(at: Date): Date {
    return nextAllowed(at, this.ctx.policy.quietHours, this.ctx.settings.timeZone);
  }

  /** The questionnaire a campaign runs (undefined when it is no longer in flows/surveys). */
  questionnaireFor(c: SurveyCampaign): Questionnaire | undefined {
    return this.questionnaires.get(c.questionnaireId);
  }

  /** The job handlers to register with the scheduler (App.jobHandlers). */
  jobHandlers(): Record<string, JobHandler> {
    return {
      'survey.invite': (job, tx) => this.inviteBatch(job, tx),
      'survey.remind': (job, tx) => this.remindBatch(job, tx),
      'survey.close': this.closeHandler(),
      'survey.withdraw': (job, tx) => this.withdrawJob(job, tx),
    };
  }

  private closeHandler(): JobHandler {
    const handler: JobHandler = (job, tx, prepared) => this.closeJob(job, tx, prepared as AnswerSummary | undefined);
    // Themes from a model are worked out before the job's transaction, never while holding the store.
    handler.prepare = (job) => this.themesFor(String(job.payload.campaignId));
    return handler;
  }

  /**
   * Themes and representative quotes from the campaign's free-text answers and from the comments owners
   * left at revisits during the campaign, through the assistant. Runs outside any transaction.
   */
  async themesFor(campaignId: string): Promise<AnswerSummary | undefined> {
    const assistant = this.ctx.assistant;
    const c = await this.ctx.store.getSurveyCampaign(campaignId);
    const q = c ? this.questionnaireFor(c) : undefined;
    if (!assistant || !c || !q) return undefined;
    const textIds = new Set(q.questions.filter((x) => x.kind === 'text').map((x) => x.id));
    const texts: string[] = [];
    for (const r of await this.ctx.store.listSurveyResponses(c.id)) {
      for (const [id, value] of Object.entries(r.answers)) {
        if (textIds.has(id) && typeof value === 'string' && value.trim()) texts.push(value.trim());
      }
    }
    const from = (c.startedAt ?? c.startAt ?? c.createdAt).getTime();
    const to = (c.closedAt ?? this.now()).getTime();
    for (const t of await this.ctx.store.listTickets({ statuses: ['closed', 'reopened'], limit: 5000 })) {
      const at = t.revisit?.at.getTime();
      if (t.revisit?.comment && at !== undefined && at >= from && at <= to) texts.push(t.revisit.comment);
    }
    if (texts.length === 0) return undefined;
    return assistant.summariseAnswers(texts, this.ctx.staffLocale);
  }

  // ── planning: create, preview, start ──────────────────────────────────────

  /** Reads a start or end time typed by staff, in the business zone (see `parseWhen`). */
  parseWhen(text: string, role: 'start' | 'end', base: Date): Date | undefined {
    return parseWhen(text, role, base, { now: this.now(), zone: this.ctx.settings.timeZone });
  }

  /** Creates a draft campaign (step 1, plan it). It starts only after a preview and `start`. */
  async create(
    tx: StoreTx,
    input: {
      questionnaireId: string;
      name?: string;
      target?: SurveyTarget;
      startAt?: Date;
      endAt?: Date;
      createdBy: string;
    },
  ): Promise<SurveyResult<SurveyCampaign>> {
    const q = this.questionnaires.get(input.questionnaireId);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: input.questionnaireId };
    if (input.target?.kind === 'buildings' && input.target.buildings.length === 0)
      return { ok: false, reason: 'bad_buildings' };
    const now = this.now();
    const endAt =
      input.endAt ?? (input.startAt ? new Date(input.startAt.getTime() + this.defaultDurationMs) : undefined);
    if (endAt && (endAt.getTime() <= now.getTime() || (input.startAt && endAt.getTime() <= input.startAt.getTime()))) {
      return { ok: false, reason: 'bad_period' };
    }
    const id = `S${String(await tx.nextSequence('survey-campaign')).padStart(3, '0')}`;
    const campaign: SurveyCampaign = {
      id,
      questionnaireId: q.id,
      questionnaireVersion: q.version,
      name:
        input.name?.trim() ||
        `${this.ctx.t(this.ctx.staffLocale, surveyKeys(q.id).title)} ${DateTime.fromJSDate(now, { zone: this.ctx.settings.timeZone }).toFormat('yyyy-MM')}`,
      status: 'draft',
      target: input.target ?? { kind: 'all' },
      ...(input.startAt ? { startAt: input.startAt } : {}),
      ...(endAt ? { endAt } : {}),
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
      invitedCount: 0,
    };
    await tx.createSurveyCampaign(campaign);
    this.ctx.log.info({ campaign: id, questionnaire: q.id }, 'survey campaign created');
    return { ok: true, value: campaign };
  }

  /**
   * Steps 4–5, draft and review: writes the questionnaire to every staff room exactly as owners will see it
   * (intro, each question with its options as the numbered list WeChat shows, which questions are
   * conditional), and records the review. Returns the messages.
   */
  async preview(tx: StoreTx, campaignId: string): Promise<SurveyResult<OutboundMessage[]>> {
    const c = await tx.getSurveyCampaign(campaignId);
    if (!c) return { ok: false, reason: 'unknown_campaign' };
    const q = this.questionnaireFor(c);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: c.questionnaireId };
    const messages = this.renderPreview(c, q);
    const last = messages.at(-1);
    // A draft's preview pins the questionnaire's current version and offers to start it.
    const startable = campaignAllows(c.status, 'start');
    if (last && startable) last.buttons = this.buttons(c.id, ['start']);
    for (const m of messages) await this.ctx.toStaff(tx, m);
    const now = this.now();
    await tx.saveSurveyCampaign({
      ...c,
      questionnaireVersion: startable ? q.version : c.questionnaireVersion,
      previewedAt: now,
      updatedAt: now,
    });
    return { ok: true, value: messages };
  }

  /** The preview's text, in the staff's language. */
  renderPreview(c: SurveyCampaign, q: Questionnaire): OutboundMessage[] {
    const locale = this.ctx.staffLocale;
    const t = (key: string, p?: Record<string, string | number>) => this.ctx.t(locale, key, p);
    const flow = compileQuestionnaire(q).flow;
    const numberOf = new Map(flow.steps.map((s, i) => [s.id, i + 1]));
    const header = t('survey.preview.header', {
      id: c.id,
      title: t(surveyKeys(q.id).title),
      version: q.version,
      target: this.targetText(c.target),
      period: this.periodText(c.startAt, c.endAt),
    });
    const intro = flow.intro ? t(flow.intro, { deadline: this.time(c.endAt), campaign: c.id }) : '';
    const blocks = flow.steps.map((s, i) => this.renderStep(s, i + 1, numberOf, q, t));
    const footer = t('survey.preview.footer', { count: flow.steps.length, id: c.id });
    return chunk([header, '', intro, '', ...blocks.flatMap((b) => [b, '']), footer]).map((text) => ({ text }));
  }

  private renderStep(
    s: StepSpec,
    n: number,
    numberOf: Map<string, number>,
    q: Questionnaire,
    t: (key: string, p?: Record<string, string | number>) => string,
  ): string {
    const lines = [`${t('survey.preview.question', { n })}`, t(s.ask)];
    const a = s.answer;
    const skip = s.optional ? [t('common.skip')] : [];
    let buttons: string[] = [];
    if (a.kind === 'choice') buttons = [...a.options.map((o) => t(`${a.labels}.${o}`)), ...skip];
    if (a.kind === 'multi')
      buttons = [...a.options.map((o) => t(`${a.labels}.${o}`)), t('common.done_count', { count: 0 }), ...skip];
    if (a.kind === 'yesno') buttons = [t('common.yes'), t('common.no'), ...skip];
    if (a.kind === 'rating' && a.labels) {
      for (let v = a.max; v >= a.min; v--) buttons.push(t(`${a.labels}.${v}`));
      buttons.push(...skip);
    }
    if (a.kind === 'rating' && !a.labels) {
      const points: string[] = [];
      for (let v = a.min; v <= a.max; v++) points.push(`[${v}]`);
      lines.push(points.join(' '));
      buttons = skip;
    }
    if (a.kind === 'text') lines.push(t('survey.preview.text_answer', { max: a.max }));
    lines.push(...buttons.map((b, i) => `  ${i + 1}. ${b}`));
    if (s.id === FOLLOW_UP) lines.push(t('survey.preview.follow_up'));
    else if (s.if && !('profile' in s.if)) {
      const c = s.if;
      if ('answered' in c) lines.push(t('survey.preview.if_answered', { n: numberOf.get(c.answered) ?? 0 }));
      else {
        const target = q.questions.find((x) => x.id === c.answer);
        const values = 'is' in c ? [c.is] : 'in' in c ? c.in : this.upTo(target, c.atMost);
        lines.push(
          t('survey.preview.if_values', {
            n: numberOf.get(c.answer) ?? 0,
            values: values.map((v) => this.valueLabel(target, v, this.ctx.staffLocale)).join(' / '),
          }),
        );
      }
    }
    return lines.join('\n');
  }

  private upTo(q: Question | undefined, atMost: number): number[] {
    const range = q ? scaleRange(q) : undefined;
    const out: number[] = [];
    for (let v = range?.min ?? 0; v <= atMost; v++) out.push(v);
    return out;
  }

  /** How an answer value reads: a scale label, an option's text, or the number. */
  private valueLabel(q: Question | undefined, value: unknown, locale: Locale): string {
    if (!q) return String(value);
    if (q.kind === 'rating' && q.scale === 'satisfaction' && typeof value === 'number')
      return this.ctx.t(locale, `survey.scale.${value}`);
    if (q.kind === 'single' || q.kind === 'multi') {
      const list = Array.isArray(value) ? value : [value];
      return list.map((v) => this.ctx.t(locale, surveyKeys(q.id).option(q.id, String(v)))).join('、');
    }
    return String(value);
  }

  private targetText(target: SurveyTarget): string {
    return target.kind === 'all'
      ? this.staffT('survey.target.all')
      : this.staffT('survey.target.buildings', { buildings: target.buildings.join('、') });
  }

  private periodText(start: Date | undefined, end: Date | undefined): string {
    if (!start && !end) return this.staffT('survey.period_unset');
    return this.staffT('survey.period', {
      start: start ? this.time(start) : this.staffT('survey.period_unset'),
      end: end ? this.time(end) : this.staffT('survey.period_unset'),
    });
  }

  /**
   * Step 6, run it: starts the campaign now (invitations begin at once) or schedules it for `startAt`.
   * Refused unless it is a draft previewed at the questionnaire's current version.
   */
  async start(
    tx: StoreTx,
    campaignId: string,
    when: { startAt?: Date; endAt?: Date } = {},
  ): Promise<SurveyResult<SurveyCampaign>> {
    const c = await tx.getSurveyCampaign(campaignId);
    if (!c) return { ok: false, reason: 'unknown_campaign' };
    if (!campaignAllows(c.status, 'start')) return { ok: false, reason: 'bad_state' };
    const q = this.questionnaireFor(c);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: c.questionnaireId };
    if (!c.previewedAt || c.questionnaireVersion !== q.version) return { ok: false, reason: 'not_previewed' };
    const now = this.now();
    const wanted = when.startAt ?? c.startAt ?? now;
    const startAt = wanted.getTime() > now.getTime() ? wanted : now;
    const endAt = when.endAt ?? c.endAt ?? new Date(startAt.getTime() + this.defaultDurationMs);
    if (endAt.getTime() <= startAt.getTime()) return { ok: false, reason: 'bad_period' };
    const scheduled = startAt.getTime() > now.getTime();
    const next = campaignTransition(c.status, scheduled ? 'schedule' : 'start');
    if (!next.ok) return next;
    const campaign: SurveyCampaign = {
      ...c,
      status: next.status,
      startAt,
      endAt,
      ...(scheduled ? {} : { startedAt: now }),
      updatedAt: now,
    };
    await tx.saveSurveyCampaign(campaign);
    const payload = { campaignId: c.id };
    await tx.scheduleJob(
      { id: this.ctx.newId(), type: 'survey.invite', key: `survey.invite:${c.id}`, dueAt: startAt, payload },
      now,
    );
    for (let round = 1; round <= MAX_REMINDERS; round++) {
      const dueAt = new Date(startAt.getTime() + round * this.remindAfterMs);
      if (dueAt.getTime() >= endAt.getTime()) break;
      await tx.scheduleJob(
        {
          id: this.ctx.newId(),
          type: 'survey.remind',
          key: `survey.remind:${c.id}:${round}`,
          dueAt,
          payload: { ...payload, round },
        },
        now,
      );
    }
    await tx.scheduleJob(
      { id: this.ctx.newId(), type: 'survey.close', key: `survey.close:${c.id}`, dueAt: endAt, payload },
      now,
    );
    this.ctx.log.info(
      { campaign: c.id, startAt: startAt.toISOString(), endAt: endAt.toISOString() },
      'survey campaign started',
    );
    return { ok: true, value: campaign };
  }

  // ── inviting and reminding ────────────────────────────────────────────────

  /** Where to reach an owner: the identity whose chat was active last. */
  private async addressOf(tx: StoreTx, owner: Owner): Promise<Address | undefined> {
    let best: { address: Address; at: number } | undefined;
    for (const identity of owner.identities) {
      const thread = await tx.getThread(identity.channel, identity.chatId);
      const at = thread?.updatedAt.getTime() ?? -1;
      if (!best || at > best.at) best = { address: { channel: identity.channel, chatId: identity.chatId }, at };
    }
    return best?.address;
  }

  private flowContext(c: SurveyCampaign): FlowContext {
    return { campaign: c.id, deadline: this.time(c.endAt) };
  }

  private limitOf(channel: Channel): number {
    return Math.max(1, this.batchSize[channel] ?? 10);
  }

  /**
   * Job `survey.invite`: one batch (per channel, up to its batch size) of owners who are reachable, in the
   * target, not opted out and not invited yet. Each invitation row is written with its messages in this
   * transaction; in quiet hours the batch waits for the morning instead. Schedules the next batch, or
   * records that everyone has been invited.
   */
  private async inviteBatch(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    const now = this.now();
    if (!c || !campaignOpenFor(c, 'invite', now)) return;
    const flowId = surveyFlowId(c.questionnaireId);
    if (!this.questionnaireFor(c) || !this.ctx.registry.flows.has(flowId)) {
      this.ctx.log.error(
        { campaign: c.id, questionnaire: c.questionnaireId },
        'survey questionnaire is not loaded; no invitations sent',
      );
      return;
    }
    const begun = campaignTransition(c.status, 'begin');
    let campaign: SurveyCampaign = begun.ok ? { ...c, status: begun.status, startedAt: now } : c;
    if (await this.waitForMorning(tx, job, now)) {
      if (campaign !== c) await tx.saveSurveyCampaign({ ...campaign, updatedAt: now });
      return;
    }
    const invited = new Set((await tx.listSurveyInvitations(c.id)).map((i) => i.ownerId));
    const optedOut = new Set(await tx.listSurveyOptOuts());
    const used = new Map<Channel, number>();
    let waiting = 0;
    let count = 0;
    for (const owner of await tx.listOwners()) {
      if (invited.has(owner.id) || optedOut.has(owner.id) || owner.unreachable) continue;
      const building = buildingFor(owner, c.target);
      if (c.target.kind === 'buildings' && building === undefined) continue;
      // Every platform this owner is on has had its batch: they wait for the next one (no store reads).
      const full = (ch: Channel) => (used.get(ch) ?? 0) >= this.limitOf(ch);
      if (owner.identities.length > 0 && owner.identities.every((i) => full(i.channel))) {
        waiting += 1;
        continue;
      }
      const address = await this.addressOf(tx, owner);
      if (!address) continue;
      const n = used.get(address.channel) ?? 0;
      if (n >= this.limitOf(address.channel)) {
        waiting += 1;
        continue;
      }
      const added = await tx.addSurveyInvitation({
        campaignId: c.id,
        ownerId: owner.id,
        status: 'invited',
        channel: address.channel,
        chatId: address.chatId,
        ...(building ? { building } : {}),
        invitedAt: now,
      });
      if (!added) continue;
      await this.owners.startFlowFor(tx, owner, address, flowId, this.flowContext(campaign));
      used.set(address.channel, n + 1);
      count += 1;
    }
    campaign = { ...campaign, invitedCount: campaign.invitedCount + count, updatedAt: now };
    if (waiting > 0) {
      const next = new Date(now.getTime() + this.batchIntervalMs);
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'survey.invite', dueAt: next, payload: { campaignId: c.id } },
        now,
      );
    } else {
      campaign.invitationsDoneAt = now;
    }
    await tx.saveSurveyCampaign(campaign);
    this.ctx.log.info({ campaign: c.id, invited: count, waiting }, 'survey invitations written');
  }

  /**
   * In quiet hours nothing is started in an owner's chat: a questionnaire opened at night would take the
   * owner's next message (say, a repair they report at 23:00) as an answer before they had seen its
   * invitation. The batch runs again at the first allowed instant instead. True when it was put off.
   */
  private async waitForMorning(tx: StoreTx, job: Job, now: Date): Promise<boolean> {
    const morning = this.allowed(now);
    if (morning.getTime() <= now.getTime()) return false;
    await tx.scheduleJob({ id: this.ctx.newId(), type: job.type, dueAt: morning, payload: job.payload }, now);
    return true;
  }

  /**
   * Job `survey.remind` (`round` 1 or 2): reminds owners who have not answered, were last contacted at
   * least `remindGapMs` ago and have had fewer than `round` reminders: never more than two per owner. An
   * owner in the middle of another conversation is not interrupted: the questionnaire just waits in line.
   */
  private async remindBatch(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    const round = Number(job.payload.round) === 2 ? 2 : 1;
    const now = this.now();
    if (!c || !campaignOpenFor(c, 'remind', now)) return;
    const q = this.questionnaireFor(c);
    if (!q) return;
    const flowId = surveyFlowId(c.questionnaireId);
    const due = await tx.listSurveyInvitations(c.id, {
      statuses: round === 1 ? ['invited'] : ['invited', 'reminded1'],
      contactedBefore: new Date(now.getTime() - this.remindGapMs + 1),
    });
    if (await this.waitForMorning(tx, job, now)) return;
    const optedOut = new Set(await tx.listSurveyOptOuts());
    const used = new Map<Channel, number>();
    let waiting = 0;
    for (const inv of due) {
      if (optedOut.has(inv.ownerId)) {
        await tx.updateSurveyInvitation({ ...inv, status: 'declined' });
        continue;
      }
      const owner = await tx.getOwner(inv.ownerId);
      if (!owner || owner.unreachable) continue;
      const n = used.get(inv.channel) ?? 0;
      if (n >= this.limitOf(inv.channel)) {
        waiting += 1;
        continue;
      }
      used.set(inv.channel, n + 1);
      const address: Address = { channel: inv.channel, chatId: inv.chatId };
      const params = { title: this.ctx.t(owner.locale, surveyKeys(q.id).title), deadline: this.time(c.endAt) };
      const running = (await tx.getThread(inv.channel, inv.chatId))?.state.flow;
      if (running?.flowId === flowId && running.context.campaign === c.id) {
        await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.reminder_in_progress', params) });
      } else {
        if (!running) await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.reminder', params) });
        await this.owners.startFlowFor(
          tx,
          owner,
          address,
          flowId,
          this.flowContext(c),
          inv.draft ? { preset: inv.draft } : {},
        );
      }
      await tx.updateSurveyInvitation({
        ...inv,
        status: inv.status === 'invited' ? 'reminded1' : 'reminded2',
        lastRemindedAt: now,
      });
    }
    if (waiting > 0) {
      const next = new Date(now.getTime() + this.batchIntervalMs);
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'survey.remind', dueAt: next, payload: { campaignId: c.id, round } },
        now,
      );
    }
  }

  // ── closing, analysis, report ─────────────────────────────────────────────

  private async closeJob(job: Job, tx: StoreTx, themes?: AnswerSummary): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    if (!c || !campaignAllows(c.status, 'close')) return;
    await this.closeCampaign(tx, c, themes);
  }

  /** Closes a running (or scheduled) campaign now, posts the summary to the staff group and returns it. */
  async close(
    tx: StoreTx,
    campaignId: string,
    themes?: AnswerSummary,
  ): Promise<SurveyResult<{ campaign: SurveyCampaign; summary: OutboundMessage[] }>> {
    const c = await tx.getSurveyCampaign(campaignId);
    if (!c) return { ok: false, reason: 'unknown_campaign' };
    if (!campaignAllows(c.status, 'close')) return { ok: false, reason: 'bad_state' };
    return { ok: true, value: await this.closeCampaign(tx, c, themes) };
  }

  private async closeCampaign(
    tx: StoreTx,
    c: SurveyCampaign,
    themes?: AnswerSummary,
  ): Promise<{ campaign: SurveyCampaign; summary: OutboundMessage[] }> {
    const now = this.now();
    const closed = campaignTransition(c.status, 'close');
    const campaign: SurveyCampaign = {
      ...c,
      status: closed.ok ? closed.status : 'closed',
      closedAt: now,
      updatedAt: now,
    };
    await tx.saveSurveyCampaign(campaign);
    await tx.cancelJobs(`survey.invite:${c.id}`, now);
    await tx.cancelJobs(`survey.close:${c.id}`, now);
    for (let round = 1; round <= MAX_REMINDERS; round++) await tx.cancelJobs(`survey.remind:${c.id}:${round}`, now);
    // Nothing is changed in owners' chats at night: the questionnaire is withdrawn in the morning.
    const morning = this.allowed(now);
    if (morning.getTime() > now.getTime()) {
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'survey.withdraw', dueAt: morning, payload: { campaignId: c.id } },
        now,
      );
    } else await this.withdraw(tx, campaign);
    const report = await this.report(tx, campaign, themes);
    const summary = report.ok ? report.value.messages : [];
    for (const m of summary) await this.ctx.toStaff(tx, m);
    this.ctx.log.info(
      { campaign: c.id, responses: report.ok ? report.value.analysis.responses : 0 },
      'survey campaign closed',
    );
    return { campaign, summary };
  }

  /**
   * A closed campaign's questionnaire leaves every chat it still waits in, so nobody answers questions
   * that can no longer count: one queued behind another conversation is dropped unseen; an owner half-way
   * through is told the survey has closed and whatever was waiting behind it starts.
   */
  private async withdraw(tx: StoreTx, c: SurveyCampaign): Promise<void> {
    const now = this.now();
    const ours = (f: { flowId: string; context: FlowContext }) =>
      questionnaireIdOfFlow(f.flowId) !== undefined && f.context.campaign === c.id;
    for (const inv of await tx.listSurveyInvitations(c.id, { statuses: OPEN_INVITATION })) {
      const owner = await tx.getOwner(inv.ownerId);
      // The questionnaire may have been opened again in another of the owner's chats (问卷).
      const addresses: Address[] = [{ channel: inv.channel, chatId: inv.chatId }];
      for (const i of owner?.identities ?? []) {
        if (!addresses.some((a) => a.channel === i.channel && a.chatId === i.chatId))
          addresses.push({ channel: i.channel, chatId: i.chatId });
      }
      for (const address of addresses) {
        const thread = await tx.getThread(address.channel, address.chatId);
        if (!thread) continue;
        const state = structuredClone(thread.state);
        const droppedCurrent = state.flow !== undefined && ours(state.flow);
        const queued = state.queue.length;
        state.queue = state.queue.filter((q) => !ours(q));
        if (!droppedCurrent && state.queue.length === queued) continue;
        if (droppedCurrent) state.flow = undefined;
        const next = droppedCurrent ? state.queue.shift() : undefined;
        await tx.saveThread({ ...thread, state, updatedAt: now });
        if (!droppedCurrent || !owner || owner.unreachable) continue;
        await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.closed') });
        if (next) await this.owners.startFlowFor(tx, owner, address, next.flowId, next.context);
      }
    }
  }

  /** Job `survey.withdraw`: a campaign closed in quiet hours leaves owners' chats in the morning. */
  private async withdrawJob(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    if (c && campaignAllows(c.status, 'withdraw')) await this.withdraw(tx, c);
  }

  /** The previous closed campaign of the same questionnaire (step 9, re-evaluation), if any. */
  async previousOf(tx: StoreTx, c: SurveyCampaign): Promise<SurveyCampaign | undefined> {
    const before = (c.closedAt ?? this.now()).getTime();
    const closed = await tx.listSurveyCampaigns({ questionnaireId: c.questionnaireId, statuses: ['closed'] });
    return closed
      .filter(
        (p) =>
          p.id !== c.id &&
          p.closedAt &&
          p.closedAt.getTime() <= before &&
          p.createdAt.getTime() <= c.createdAt.getTime(),
      )
      .sort((a, b) => (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0))[0];
  }

  /** Step 7, analyse: the campaign's figures, compared with the previous campaign when `compare`. */
  async analyseCampaign(
    tx: StoreTx,
    c: SurveyCampaign,
    compare = true,
  ): Promise<{ analysis: Analysis; previous?: SurveyCampaign } | undefined> {
    const q = this.questionnaireFor(c);
    if (!q) return undefined;
    const responses = await tx.listSurveyResponses(c.id);
    const invitations = await tx.listSurveyInvitations(c.id);
    const invitedByBuilding: Record<string, number> = {};
    for (const i of invitations) invitedByBuilding[i.building ?? ''] = (invitedByBuilding[i.building ?? ''] ?? 0) + 1;
    const previous = compare ? await this.previousOf(tx, c) : undefined;
    const previousAnalysis = previous ? (await this.analyseCampaign(tx, previous, false))?.analysis : undefined;
    const analysis = analyse(
      q,
      responses.map((r) => ({ id: r.id, ...(r.building ? { building: r.building } : {}), answers: r.answers })),
      invitations.length,
      previousAnalysis,
      { invitedByBuilding },
    );
    return { analysis, ...(previous ? { previous } : {}) };
  }

  /** Step 8, report back: the analysis and its summary for the staff group (not posted). */
  async report(
    tx: StoreTx,
    campaignOrId: SurveyCampaign | string,
    themes?: AnswerSummary,
  ): Promise<SurveyResult<{ analysis: Analysis; messages: OutboundMessage[] }>> {
    const c = typeof campaignOrId === 'string' ? await tx.getSurveyCampaign(campaignOrId) : campaignOrId;
    if (!c) return { ok: false, reason: 'unknown_campaign' };
    const result = await this.analyseCampaign(tx, c);
    if (!result) return { ok: false, reason: 'unknown_questionnaire', detail: c.questionnaireId };
    const text = this.summaryText(result.analysis, this.ctx.staffLocale, {
      campaign: c,
      ...(result.previous ? { previous: result.previous } : {}),
      ...(themes?.themes.length ? { themes } : {}),
    });
    return {
      ok: true,
      value: { analysis: result.analysis, messages: chunk(text.split('\n')).map((t) => ({ text: t })) },
    };
  }

  /**
   * The summary staff read (in `locale`): response rate, overall index and satisfaction rate, each dimension
   * with its change since last time, NPS, the lowest-scoring questions, the choice questions' leading
   * answers, each building, owners' comments (the first 20), the comparison and a call for an action plan.
   */
  summaryText(
    analysis: Analysis,
    locale: Locale,
    meta: { campaign: SurveyCampaign; previous?: SurveyCampaign; themes?: AnswerSummary },
  ): string {
    const t = (key: string, p?: Record<string, string | number>) => this.ctx.t(locale, key, p);
    const none = t('survey.summary.none');
    const num = (v: number | null | undefined) => (v === null || v === undefined ? none : v.toFixed(1));
    const pct = (v: number | null | undefined) => (v === null || v === undefined ? none : `${v.toFixed(1)}%`);
    const signed = (v: number | null | undefined, unit = '') =>
      v === null || v === undefined
        ? none
        : `${v > 0.05 ? '+' : v < -0.05 ? '−' : '±'}${Math.abs(v).toFixed(1)}${unit}`;
    const { campaign: c } = meta;
    const keys = surveyKeys(analysis.questionnaireId);
    const questionText = (id: string) => clip(t(keys.question(id)), 24);
    const lines: string[] = [t('survey.summary.title', { name: c.name, id: c.id })];
    if (c.status !== 'closed') lines.push(t('survey.summary.running'));
    lines.push(
      t('survey.summary.period', { period: this.periodIn(locale, c.startedAt ?? c.startAt, c.closedAt ?? c.endAt) }),
    );
    lines.push(
      t('survey.summary.response', {
        invited: analysis.invited,
        responses: analysis.responses,
        rate: pct(analysis.responseRate),
      }),
    );
    if (analysis.responses === 0) {
      lines.push(t('survey.summary.no_responses'));
      return lines.join('\n');
    }
    lines.push(
      t('survey.summary.overall', { index: num(analysis.overall.index), rate: pct(analysis.overall.satisfactionRate) }),
    );
    lines.push('', t('survey.summary.dimensions'));
    for (const d of analysis.dimensions) {
      const delta = analysis.comparison?.dimensions.find((x) => x.dimension === d.dimension)?.index;
      lines.push(
        t('survey.summary.dimension_line', {
          dimension: t(`survey.dimension.${d.dimension}`),
          index: num(d.index),
          rate: pct(d.satisfactionRate),
          delta: delta === null || delta === undefined ? '' : t('survey.summary.delta', { delta: signed(delta) }),
        }),
      );
    }
    if (analysis.nps) {
      lines.push(
        t('survey.summary.nps', {
          nps: num(analysis.nps.score),
          promoters: analysis.nps.promoters,
          passives: analysis.nps.passives,
          detractors: analysis.nps.detractors,
        }),
      );
    }
    const lowest = analysis.questions
      .filter((r) => r.kind === 'rating' && r.index !== null && r.index !== undefined)
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .slice(0, 3);
    if (lowest.length > 0) {
      lines.push(
        t('survey.summary.lowest', { items: lowest.map((r) => `${questionText(r.id)} ${num(r.index)}`).join('；') }),
      );
    }
    for (const r of analysis.questions.filter((x) => (x.kind === 'single' || x.kind === 'multi') && x.answered > 0)) {
      const top = [...r.distribution]
        .filter((d) => d.count > 0)
        .sort((a, b) => b.count - a.count)
        .slice(0, 3);
      const items = top
        .map((d) => `${this.ctx.t(locale, keys.option(r.id, String(d.value)))} ${d.share.toFixed(0)}%`)
        .join('，');
      lines.push(t('survey.summary.choice', { question: questionText(r.id), items }));
    }
    if (analysis.buildings.length > 1 || (analysis.buildings[0]?.building ?? '') !== '') {
      lines.push('', t('survey.summary.buildings'));
      for (const b of analysis.buildings.slice(0, 30)) {
        lines.push(
          t('survey.summary.building_line', {
            building: b.building
              ? t('survey.summary.building', { building: b.building })
              : t('survey.summary.building_unknown'),
            responses: b.responses,
            invited:
              b.invited !== undefined
                ? t('survey.summary.building_invited', { invited: b.invited, rate: pct(b.responseRate) })
                : '',
            index: num(b.index),
            rate: pct(b.satisfactionRate),
          }),
        );
      }
    }
    const texts = analysis.texts.flatMap((x) => x.answers.map((a) => ({ ...a, questionId: x.questionId })));
    if (texts.length > 0) {
      lines.push('', t('survey.summary.texts', { count: texts.length }));
      for (const a of texts.slice(0, 20)) {
        const building = a.building
          ? t('survey.summary.building', { building: a.building })
          : t('survey.summary.building_unknown');
        // The whole staff group reads this: a phone, name or flat the owner typed is masked.
        lines.push(t('survey.summary.text_line', { building, text: clip(mask(a.text), 200) }));
      }
      if (texts.length > 20) lines.push(t('survey.summary.texts_more', { count: texts.length - 20 }));
    }
    lines.push('');
    if (analysis.comparison && meta.previous) {
      const cmp = analysis.comparison;
      lines.push(
        t('survey.summary.comparison', {
          previous: meta.previous.id,
          index: signed(cmp.overallIndex),
          rate: signed(cmp.overallSatisfactionRate, '%'),
          nps: signed(cmp.nps),
          response: signed(cmp.responseRate, '%'),
        }),
      );
    } else {
      lines.push(t('survey.summary.first'));
    }
    if (meta.themes) {
      lines.push('', t('survey.summary.themes'));
      for (const theme of meta.themes.themes.slice(0, 6)) {
        lines.push(
          t('survey.summary.theme_line', {
            theme: theme.theme,
            count: theme.count,
            quotes: theme.quotes
              .slice(0, 2)
              .map((q) => `「${clip(q, 40)}」`)
              .join(' '),
          }),
        );
      }
    }
    lines.push(t('survey.summary.action'));
    return lines.join('\n');
  }

  private periodIn(locale: Locale, start: Date | undefined, end: Date | undefined): string {
    return this.ctx.t(locale, 'survey.period', { start: this.time(start), end: this.time(end) });
  }

  // ── the owner's side ──────────────────────────────────────────────────────

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
    const q = c ? this.questionnaireFor(c) : undefined;
    if (!c || !q || questionnaireIdOfFlow(effect.flowId) !== c.questionnaireId) {
      this.ctx.log.warn(
        { flow: effect.flowId, ownerId: owner.id },
        'survey answers for an unknown campaign were not recorded',
      );
      return { status: 'unknown', reply: reply('survey.closed') };
    }
    const now = this.now();
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
    const lines = [this.staffT('survey.ticket.description', { campaign: c.id })];
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
          this.staffT('survey.ticket.line', {
            question: clip(this.ctx.t(locale, keys.question(question.id)), 40),
            answer: this.valueLabel(question, value, locale),
          }),
        );
      }
    }
    const unit = owner.units.find((u) => parseUnit(u) && (!building || (buildingOfUnit(u) ?? '') === building));
    const location = unit ? parseUnit(unit) : undefined;
    return {
      answers: {
        description: lines.join('\n'),
        subject: this.staffT('survey.ticket.subject', { title: this.ctx.t(locale, keys.title) }),
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
    await tx.setSurveyOptOut(owner.id, this.now());
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
    const now = this.now();
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
      await tx.saveThread({ ...thread, state, updatedAt: this.now() });
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
      this.flowContext(open.campaign),
      open.inv.draft ? { preset: open.inv.draft } : {},
    );
  }

  // ── staff commands ────────────────────────────────────────────────────────

  /** Runs a parsed `/survey …` command for `by` (a staff id or `cli:<user>`); the caller checks the role. */
  async command(tx: StoreTx, cmd: SurveyCommand, by: string, themes?: AnswerSummary): Promise<SurveyCommandResult> {
    const say = (key: string, p?: Record<string, string | number>): SurveyCommandResult => ({
      ok: false,
      reply: [{ text: this.staffT(key, p) }],
      posted: [],
    });
    const done = (reply: OutboundMessage[], posted: OutboundMessage[] = []): SurveyCommandResult => ({
      ok: true,
      reply,
      posted,
    });
    const refuse = async (r: { reason: SurveyRefusal; detail?: string }, id = ''): Promise<SurveyCommandResult> => {
      switch (r.reason) {
        case 'unknown_questionnaire':
          return say('survey.cmd.unknown_questionnaire', {
            id: r.detail ?? '',
            available: [...this.questionnaires.keys()].join(', ') || '—',
          });
        case 'unknown_campaign':
          return say('survey.cmd.unknown_campaign', { id });
        case 'bad_state': {
          const c = await tx.getSurveyCampaign(id);
          return say('survey.cmd.bad_state', { id, status: this.staffT(`survey.status.${c?.status ?? 'draft'}`) });
        }
        case 'not_previewed':
          return say('survey.cmd.not_previewed', { id });
        case 'bad_period':
          return say('survey.cmd.bad_period');
        case 'bad_date':
          return say('survey.cmd.bad_date', { value: r.detail ?? '' });
        case 'bad_buildings':
          return say('survey.cmd.bad_buildings');
      }
    };
    const when = (cmdDates: { start?: string; end?: string }, base?: Date) => {
      const now = this.now();
      const startAt = cmdDates.start !== undefined ? this.parseWhen(cmdDates.start, 'start', now) : undefined;
      if (cmdDates.start !== undefined && !startAt)
        return { ok: false as const, reason: 'bad_date' as const, detail: cmdDates.start };
      const endAt =
        cmdDates.end !== undefined ? this.parseWhen(cmdDates.end, 'end', startAt ?? base ?? now) : undefined;
      if (cmdDates.end !== undefined && !endAt)
        return { ok: false as const, reason: 'bad_date' as const, detail: cmdDates.end };
      return { ok: true as const, startAt, endAt };
    };

    switch (cmd.action) {
      case 'help':
        return { ok: true, reply: [{ text: this.staffT('survey.cmd.help') }], posted: [] };
      case 'list': {
        const campaigns = await tx.listSurveyCampaigns();
        if (campaigns.length === 0) return done([{ text: this.staffT('survey.cmd.list_empty') }]);
        const lines = [this.staffT('survey.cmd.list_header')];
        for (const c of campaigns.slice(0, 30)) {
          lines.push(
            this.staffT('survey.cmd.list_line', {
              id: c.id,
              name: c.name,
              status: this.staffT(`survey.status.${c.status}`),
              invited: c.invitedCount,
              responses: (await tx.listSurveyResponses(c.id)).length,
            }),
          );
        }
        return done(chunk(lines).map((text) => ({ text })));
      }
      case 'create': {
        const dates = when(cmd);
        if (!dates.ok) return refuse(dates);
        const result = await this.create(tx, {
          questionnaireId: cmd.questionnaireId,
          ...(cmd.name ? { name: cmd.name } : {}),
          ...(cmd.buildings ? { target: { kind: 'buildings', buildings: cmd.buildings } } : {}),
          ...(dates.startAt ? { startAt: dates.startAt } : {}),
          ...(dates.endAt ? { endAt: dates.endAt } : {}),
          createdBy: by,
        });
        if (!result.ok) return refuse(result);
        const c = result.value;
        return done([
          {
            text: this.staffT('survey.cmd.created', {
              id: c.id,
              name: c.name,
              questionnaire: c.questionnaireId,
              version: c.questionnaireVersion,
              target: this.targetText(c.target),
              period: this.periodText(c.startAt, c.endAt),
            }),
            buttons: this.buttons(c.id, ['preview']),
          },
        ]);
      }
      case 'preview': {
        const result = await this.preview(tx, cmd.campaignId);
        return result.ok ? done([], result.value) : refuse(result, cmd.campaignId);
      }
      case 'start': {
        const existing = await tx.getSurveyCampaign(cmd.campaignId);
        const dates = when(cmd, existing?.startAt);
        if (!dates.ok) return refuse(dates);
        const result = await this.start(tx, cmd.campaignId, {
          ...(dates.startAt ? { startAt: dates.startAt } : {}),
          ...(dates.endAt ? { endAt: dates.endAt } : {}),
        });
        if (!result.ok) return refuse(result, cmd.campaignId);
        const c = result.value;
        const key = c.status === 'scheduled' ? 'survey.cmd.scheduled' : 'survey.cmd.started';
        return done([
          {
            text: this.staffT(key, { id: c.id, start: this.time(c.startAt), end: this.time(c.endAt) }),
            buttons: this.buttons(c.id, ['report']),
          },
        ]);
      }
      case 'report': {
        const result = await this.report(tx, cmd.campaignId, themes);
        return result.ok ? done(result.value.messages) : refuse(result, cmd.campaignId);
      }
      case 'close': {
        const result = await this.close(tx, cmd.campaignId, themes);
        if (!result.ok) return refuse(result, cmd.campaignId);
        return done([{ text: this.staffT('survey.cmd.closed', { id: cmd.campaignId }) }], result.value.summary);
      }
      case 'export':
        return done([{ text: this.staffT('survey.cmd.export_hint', { id: cmd.campaignId }) }]);
    }
  }
}
