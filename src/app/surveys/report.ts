/**
 * What staff read about campaigns (steps 7–9 of domain.md): the list of campaigns, a campaign's figures
 * compared with the previous campaign of the same questionnaire, the summary for the staff group, and the
 * themes an assistant finds in owners' comments. Nothing here writes to the store.
 */
import type { AnswerSummary } from '../../core/ports/assistant.js';
import type { ChartRenderer, RenderedChart } from '../../core/ports/charts.js';
import type { StoreTx, SurveyCampaign } from '../../core/ports.js';
import { surveyKeys } from '../../core/surveys/questionnaire.js';
import { type Analysis, analyse } from '../../core/surveys/scoring.js';
import type { Locale, OutboundMessage } from '../../core/types.js';
import { mask } from '../../core/understand/mask.js';
import type { AppContext } from '../context.js';
import { surveyChartSpecs } from './charts.js';
import { chunk, clip, type SurveyResult, type SurveySupport } from './support.js';

export class SurveyReports {
  private readonly ctx: AppContext;

  constructor(private readonly kit: SurveySupport) {
    this.ctx = kit.ctx;
  }

  /** `/survey list`: the latest 30 campaigns with their status, invitations and responses. */
  async list(tx: StoreTx): Promise<OutboundMessage[]> {
    const campaigns = await tx.listSurveyCampaignsWithCounts({ limit: 30 });
    if (campaigns.length === 0) return [{ text: this.kit.staffT('survey.cmd.list_empty') }];
    const lines = [this.kit.staffT('survey.cmd.list_header')];
    for (const { campaign: c, responses } of campaigns) {
      lines.push(
        this.kit.staffT('survey.cmd.list_line', {
          id: c.id,
          name: c.name,
          status: this.kit.staffT(`survey.status.${c.status}`),
          invited: c.invitedCount,
          responses,
        }),
      );
    }
    return chunk(lines).map((text) => ({ text }));
  }

  /**
   * Themes and representative quotes from the campaign's free-text answers and from the comments owners
   * left at revisits during the campaign, through the assistant. Runs outside any transaction.
   */
  async themesFor(campaignId: string): Promise<AnswerSummary | undefined> {
    const assistant = this.ctx.assistant;
    const c = await this.ctx.store.getSurveyCampaign(campaignId);
    const q = c ? this.kit.questionnaireFor(c) : undefined;
    if (!assistant || !c || !q) return undefined;
    const textIds = new Set(q.questions.filter((x) => x.kind === 'text').map((x) => x.id));
    const texts: string[] = [];
    for (const r of await this.ctx.store.listSurveyResponses(c.id)) {
      for (const [id, value] of Object.entries(r.answers)) {
        if (textIds.has(id) && typeof value === 'string' && value.trim()) texts.push(value.trim());
      }
    }
    // The campaign's period, its last instant included; an indexed query of the revisits that left a comment.
    const from = c.startedAt ?? c.startAt ?? c.createdAt;
    const to = new Date((c.closedAt ?? this.kit.now()).getTime() + 1);
    for (const r of await this.ctx.store.listRevisitComments({ from, to })) texts.push(r.comment);
    if (texts.length === 0) return undefined;
    return assistant.summariseAnswers(texts, this.ctx.staffLocale);
  }

  /** The previous closed campaign of the same questionnaire (step 9, re-evaluation), if any. */
  async previousOf(tx: StoreTx, c: SurveyCampaign): Promise<SurveyCampaign | undefined> {
    const before = (c.closedAt ?? this.kit.now()).getTime();
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
    const q = this.kit.questionnaireFor(c);
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

  /**
   * The campaign's results as pictures (charts.ts): answers per question, each area against the previous
   * campaign, each building. None for an unknown campaign or one without answers. Reads outside any
   * transaction; the renderer draws off the event loop.
   */
  async charts(renderer: ChartRenderer, campaignId: string): Promise<RenderedChart[]> {
    const c = await this.ctx.store.getSurveyCampaign(campaignId);
    const q = c ? this.kit.questionnaireFor(c) : undefined;
    const result = c && q ? await this.analyseCampaign(this.ctx.store, c) : undefined;
    if (!c || !q || !result) return [];
    const t = (key: string, params?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, key, params);
    return renderer.render(surveyChartSpecs(t, q, result.analysis, c.id));
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
    return this.ctx.t(locale, 'survey.period', {
      start: this.kit.time(start, locale),
      end: this.kit.time(end, locale),
    });
  }
}
