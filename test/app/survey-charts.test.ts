/**
 * A campaign's results as pictures (issue 19): the answers per question on each scale, each area's index
 * against the previous campaign, each building's index and response rate, worked out by hand from four
 * responses; and drawn as PNGs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import { surveyChartSpecs } from '../../src/app/surveys/charts.js';
import { parseQuestionnaire, type Questionnaire } from '../../src/core/surveys/questionnaire.js';
import { analyse, type ResponseInput } from '../../src/core/surveys/scoring.js';
import { i18n } from '../support/harness.js';

/** The staff's texts; the questionnaire's own (loaded with its flow in the bot) from the fixture below. */
const QUESTIONS: Record<string, string> = { service: '前台服务', repairs: '维修', overall: '总体' };
const zh = (key: string, params?: Record<string, string | number>) =>
  QUESTIONS[key.match(/^surveys\.yearly\.q\.(\w+)\.text$/)?.[1] ?? ''] ?? i18n.translate('zh-CN', key, params);
const text = (s: string) => ({ 'zh-CN': s, en: s });

function questionnaire(): Questionnaire {
  const parsed = parseQuestionnaire(
    {
      id: 'yearly',
      version: 1,
      title: text('年度满意度调查'),
      intro: text('您好'),
      questions: [
        { id: 'service', kind: 'rating', dimension: 'reception', text: text('前台服务') },
        { id: 'repairs', kind: 'rating', scale: '1-10', dimension: 'repairs', text: text('维修') },
        { id: 'overall', kind: 'rating', dimension: 'overall', text: text('总体') },
      ],
    },
    'yearly.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.questionnaire;
}

/*
 *        building service repairs overall      index of an answer: 5→100 4→80 2→40; 1–10: (v−1)/9×100
 *  r1    3        5       10      5
 *  r2    3        4       7       4            service (100+80+40+100)/4 = 80, overall (100+80+40+80)/4 = 75
 *  r3    5        2       4       2            repairs (100+66.7+33.3+0)/4 = 50
 *  r4    5        5       1       4            building 3: (90+83.3+90)/3 = 87.8; building 5: (70+16.7+60)/3 = 48.9
 *  Previous campaign: two answers of service 4, repairs 10, overall 4 (80, 100, 80). Four invited per building.
 */
const RESPONSES: ResponseInput[] = [
  { building: '3', answers: { service: 5, repairs: 10, overall: 5 } },
  { building: '3', answers: { service: 4, repairs: 7, overall: 4 } },
  { building: '5', answers: { service: 2, repairs: 4, overall: 2 } },
  { building: '5', answers: { service: 5, repairs: 1, overall: 4 } },
];

const renderer = createChartRenderer();
afterAll(() => renderer.close());

describe('survey results as pictures', () => {
  it('charts the answers per question, each area against last time, and each building', async () => {
    const q = questionnaire();
    const previous = analyse(
      q,
      [1, 2].map(() => ({ answers: { service: 4, repairs: 10, overall: 4 } })),
      2,
    );
    const analysis = analyse(q, RESPONSES, 8, previous, { invitedByBuilding: { '3': 4, '5': 4 } });
    const specs = surveyChartSpecs(zh, q, analysis, 'S2026');
    expect(specs.map((s) => s.name)).toEqual([
      'survey-S2026-answers-satisfaction',
      'survey-S2026-answers-1-10',
      'survey-S2026-areas',
      'survey-S2026-buildings',
    ]);
    const [labelled, tenPoint, areas, buildings] = specs;
    expect(labelled?.categories).toEqual(['前台服务', '总体']);
    expect(labelled?.series.map((s) => [s.name, s.values])).toEqual([
      [zh('survey.scale.5'), [50, 25]],
      [zh('survey.scale.4'), [25, 50]],
      [zh('survey.scale.3'), [0, 0]],
      [zh('survey.scale.2'), [25, 25]],
      [zh('survey.scale.1'), [0, 0]],
    ]);
    expect(tenPoint?.series.find((s) => s.name === '10')?.values).toEqual([25]);
    expect(areas?.title).toBe(zh('review.survey.dimensions_vs'));
    expect(areas?.categories).toEqual(['reception', 'repairs', 'overall'].map((d) => zh(`survey.dimension.${d}`)));
    expect(areas?.series).toEqual([
      { name: zh('review.survey.this'), values: [80, 50, 75] },
      { name: zh('review.survey.previous'), values: [80, 100, 80] },
    ]);
    const byName = new Map(
      buildings?.categories.map((c, i) => [c, buildings.series.map((s) => s.values[i])] as const) ?? [],
    );
    expect(byName.get('3栋')).toEqual([87.8, 50]);
    expect(byName.get('5栋')).toEqual([48.9, 50]);

    const drawn = await renderer.render(specs);
    expect(drawn.map((c) => c.fileName)).toEqual(specs.map((s) => `${s.name}.png`));
    for (const c of drawn) expect(c.png.length).toBeGreaterThan(5_000);
  }, 60_000);

  it('has no pictures for a campaign without answers', () => {
    const q = questionnaire();
    expect(surveyChartSpecs(zh, q, analyse(q, [], 10), 'S0')).toEqual([]);
  });
});
