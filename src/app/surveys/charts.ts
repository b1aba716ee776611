/**
 * A campaign's results as pictures (step 8 of a survey, reporting back): the answers to each rated
 * question on its scale (one chart per kind of scale, each question's answers as shares), the index of
 * each area against the previous campaign of the same questionnaire, and the index and response rate of
 * each building. Built from the same analysis as the summary's text (report.ts) and drawn by the
 * ChartRenderer port; the closing summary and `/survey report` send them beside the text.
 *
 *   const charts = await app.surveys.reports.charts(renderer, campaignId);  // RenderedChart[] ([] if none)
 */
import type { ChartSpec } from '../../core/ports/charts.js';
import { type Questionnaire, type RatingQuestion, SCALES, surveyKeys } from '../../core/surveys/questionnaire.js';
import type { Analysis } from '../../core/surveys/scoring.js';
import type { Translate } from '../../core/types.js';
import { clip } from './support.js';

/** Buildings drawn one by one (most responses first). */
const MAX_BUILDINGS = 15;

/** The specs of a campaign's charts, from its analysis. */
export function surveyChartSpecs(
  t: Translate,
  questionnaire: Questionnaire,
  analysis: Analysis,
  campaignId: string,
): ChartSpec[] {
  if (analysis.responses === 0) return [];
  const stem = `survey-${campaignId}`;
  const keys = surveyKeys(analysis.questionnaireId);
  const charts: ChartSpec[] = [];
  const rated = questionnaire.questions.filter((q): q is RatingQuestion => q.kind === 'rating');
  for (const scale of SCALES) {
    const questions = rated.filter((q) => q.scale === scale);
    const results = questions.flatMap((q) => {
      const r = analysis.questions.find((x) => x.id === q.id);
      return r && r.answered > 0 ? [r] : [];
    });
    if (results.length === 0) continue;
    const points = scale === '1-10' ? 10 : 5;
    // The best answer first, so the satisfied share reads from the left.
    const values = Array.from({ length: points }, (_, i) => points - i);
    charts.push({
      kind: 'stacked',
      name: `${stem}-answers-${scale}`,
      title: t('review.survey.distribution'),
      horizontal: true,
      max: 100,
      unit: '%',
      categories: results.map((r) => clip(t(keys.question(r.id)), 16)),
      series: values.map((v) => ({
        name: scale === 'satisfaction' ? t(`survey.scale.${v}`) : String(v),
        values: results.map(
          (r) => Math.round((r.distribution.find((d) => Number(d.value) === v)?.share ?? 0) * 10) / 10,
        ),
      })),
    });
  }

  const dimensions = analysis.dimensions.filter((d) => d.index !== null);
  if (dimensions.length > 0) {
    const compared = analysis.comparison;
    const previous = dimensions.map((d) => {
      const delta = compared?.dimensions.find((x) => x.dimension === d.dimension)?.index;
      // The comparison holds this campaign's index minus the previous one's.
      return delta === null || delta === undefined || d.index === null ? 0 : round(d.index - delta);
    });
    const hasPrevious = compared !== undefined && previous.some((v) => v > 0);
    charts.push({
      kind: 'bar',
      name: `${stem}-areas`,
      title: t(hasPrevious ? 'review.survey.dimensions_vs' : 'review.survey.dimensions'),
      max: 100,
      categories: dimensions.map((d) => t(`survey.dimension.${d.dimension}`)),
      series: [
        { name: t('review.survey.this'), values: dimensions.map((d) => round(d.index ?? 0)) },
        ...(hasPrevious ? [{ name: t('review.survey.previous'), values: previous }] : []),
      ],
    });
  }

  const buildings = analysis.buildings.filter((b) => b.responses > 0).slice(0, MAX_BUILDINGS);
  if (buildings.length > 1 || (buildings[0] && buildings[0].building !== '')) {
    const rates = buildings.some((b) => b.responseRate !== undefined && b.responseRate !== null);
    charts.push({
      kind: 'bar',
      name: `${stem}-buildings`,
      title: t('review.survey.buildings'),
      max: 100,
      categories: buildings.map((b) =>
        b.building ? t('review.survey.building', { building: b.building }) : t('review.survey.building_unknown'),
      ),
      series: [
        { name: t('review.survey.index'), values: buildings.map((b) => round(b.index ?? 0)) },
        ...(rates
          ? [{ name: t('review.survey.response_rate'), values: buildings.map((b) => round(b.responseRate ?? 0)) }]
          : []),
      ],
    });
  }
  return charts;
}

const round = (n: number) => Math.round(n * 10) / 10;
