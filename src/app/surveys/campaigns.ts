/**
 * Survey campaigns, planned and run by supervisors (steps 1–6 of domain.md): create a draft from a
 * questionnaire and a target, preview it as owners will see it, start it now or at a later time (which
 * schedules the invitation, reminder and close jobs), and close it at its end date or on demand (job
 * `survey.close`), which withdraws the questionnaire from owners' chats and posts the summary to staff.
 * Which action each status allows is the transition table of `core/surveys/campaign.ts`.
 */
import { DateTime } from 'luxon';
import type { StepSpec } from '../../core/flow/schema.js';
import type { AnswerSummary } from '../../core/ports/assistant.js';
import type { RenderedChart } from '../../core/ports/charts.js';
import type { Job, StoreTx, SurveyCampaign, SurveyTarget } from '../../core/ports.js';
import { campaignAllows, campaignTransition } from '../../core/surveys/campaign.js';
import {
  compileQuestionnaire,
  FOLLOW_UP,
  type Question,
  type Questionnaire,
  scaleRange,
  surveyKeys,
} from '../../core/surveys/questionnaire.js';
import type { OutboundMessage } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { JobHandler } from '../scheduler.js';
import type { SurveyOutreach } from './outreach.js';
import type { SurveyPictures } from './pictures.js';
import type { SurveyReports } from './report.js';
import { chunk, MAX_REMINDERS, type SurveyResult, type SurveySupport } from './support.js';

/** What the close job works out before its transaction. */
interface ClosePrepared {
  themes?: AnswerSummary;
  charts: RenderedChart[];
}

export class SurveyCampaigns {
  private readonly ctx: AppContext;

  constructor(
    private readonly kit: SurveySupport,
    private readonly outreach: SurveyOutreach,
    private readonly reports: SurveyReports,
    private readonly pictures: SurveyPictures,
  ) {
    this.ctx = kit.ctx;
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
    const q = this.kit.questionnaires.get(input.questionnaireId);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: input.questionnaireId };
    if (input.target?.kind === 'buildings' && input.target.buildings.length === 0)
      return { ok: false, reason: 'bad_buildings' };
    const now = this.kit.now();
    const endAt =
      input.endAt ?? (input.startAt ? new Date(input.startAt.getTime() + this.kit.defaultDurationMs) : undefined);
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
    const q = this.kit.questionnaireFor(c);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: c.questionnaireId };
    const messages = this.renderPreview(c, q);
    const last = messages.at(-1);
    // A draft's preview pins the questionnaire's current version and offers to start it.
    const startable = campaignAllows(c.status, 'start');
    if (last && startable) last.buttons = this.kit.buttons(c.id, ['start']);
    for (const m of messages) await this.ctx.toStaff(tx, m);
    const now = this.kit.now();
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
      target: this.kit.targetText(c.target),
      period: this.kit.periodText(c.startAt, c.endAt),
    });
    const intro = flow.intro ? t(flow.intro, { deadline: this.kit.time(c.endAt), campaign: c.id }) : '';
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
            values: values.map((v) => this.kit.valueLabel(target, v, this.ctx.staffLocale)).join(' / '),
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
    const q = this.kit.questionnaireFor(c);
    if (!q) return { ok: false, reason: 'unknown_questionnaire', detail: c.questionnaireId };
    if (!c.previewedAt || c.questionnaireVersion !== q.version) return { ok: false, reason: 'not_previewed' };
    const now = this.kit.now();
    const wanted = when.startAt ?? c.startAt ?? now;
    const startAt = wanted.getTime() > now.getTime() ? wanted : now;
    const endAt = when.endAt ?? c.endAt ?? new Date(startAt.getTime() + this.kit.defaultDurationMs);
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
      const dueAt = new Date(startAt.getTime() + round * this.kit.remindAfterMs);
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

  /** The job handler to register with the scheduler: `survey.close`. */
  jobHandlers(): Record<string, JobHandler> {
    return { 'survey.close': this.closeHandler() };
  }

  private closeHandler(): JobHandler {
    const handler: JobHandler = (job, tx, prepared) => this.closeJob(job, tx, prepared as ClosePrepared | undefined);
    // Themes from a model and the charts are worked out before the job's transaction, never while holding the store.
    handler.prepare = async (job): Promise<ClosePrepared> => {
      const campaignId = String(job.payload.campaignId);
      const [themes, charts] = await Promise.all([this.reports.themesFor(campaignId), this.pictures.draw(campaignId)]);
      return { ...(themes ? { themes } : {}), charts };
    };
    return handler;
  }

  private async closeJob(job: Job, tx: StoreTx, prepared?: ClosePrepared): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    if (!c || !campaignAllows(c.status, 'close')) return;
    await this.closeCampaign(tx, c, prepared?.themes, prepared?.charts);
  }

  /**
   * Closes a running (or scheduled) campaign now, posts the summary to the staff group (with `charts`, drawn
   * before the transaction, as one album) and returns it.
   */
  async close(
    tx: StoreTx,
    campaignId: string,
    themes?: AnswerSummary,
    charts: readonly RenderedChart[] = [],
  ): Promise<SurveyResult<{ campaign: SurveyCampaign; summary: OutboundMessage[] }>> {
    const c = await tx.getSurveyCampaign(campaignId);
    if (!c) return { ok: false, reason: 'unknown_campaign' };
    if (!campaignAllows(c.status, 'close')) return { ok: false, reason: 'bad_state' };
    return { ok: true, value: await this.closeCampaign(tx, c, themes, charts) };
  }

  private async closeCampaign(
    tx: StoreTx,
    c: SurveyCampaign,
    themes?: AnswerSummary,
    charts: readonly RenderedChart[] = [],
  ): Promise<{ campaign: SurveyCampaign; summary: OutboundMessage[] }> {
    const now = this.kit.now();
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
    const morning = this.kit.allowed(now);
    if (morning.getTime() > now.getTime()) {
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'survey.withdraw', dueAt: morning, payload: { campaignId: c.id } },
        now,
      );
    } else await this.outreach.withdraw(tx, campaign);
    const report = await this.reports.report(tx, campaign, themes);
    const summary = report.ok ? report.value.messages : [];
    await this.pictures.toStaff(tx, summary, charts);
    this.ctx.log.info(
      { campaign: c.id, responses: report.ok ? report.value.analysis.responses : 0 },
      'survey campaign closed',
    );
    return { campaign, summary };
  }
}
