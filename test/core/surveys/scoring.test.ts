/**
 * Scoring against figures worked out by hand. Every expected number below is derived in the comments
 * from the six responses of the fixture, so that a change of definition shows up as a failing test.
 */
import { describe, expect, it } from 'vitest';
import { parseQuestionnaire, type Questionnaire } from '../../../src/core/surveys/questionnaire.js';
import { analyse, isSatisfied, pointIndex, type ResponseInput } from '../../../src/core/surveys/scoring.js';

const t = (s: string) => ({ 'zh-CN': s, en: s });

function questionnaire(): Questionnaire {
  const parsed = parseQuestionnaire(
    {
      id: 'fixture',
      version: 1,
      title: t('Fixture'),
      intro: t('Hi'),
      questions: [
        { id: 'service', kind: 'rating', dimension: 'reception', text: t('Service') },
        { id: 'repairs', kind: 'rating', scale: '1-10', dimension: 'repairs', required: false, text: t('Repairs') },
        { id: 'overall', kind: 'rating', dimension: 'overall', weight: 2, lowAt: 2, text: t('Overall') },
        { id: 'wrong', kind: 'text', if: { answer: 'overall', in: [1, 2] }, text: t('What went wrong?') },
        { id: 'nps', kind: 'nps', text: t('Recommend?') },
        {
          id: 'improve',
          kind: 'multi',
          required: false,
          text: t('Improve'),
          options: [
            { id: 'a', text: t('A') },
            { id: 'b', text: t('B') },
            { id: 'c', text: t('C') },
          ],
        },
      ],
    },
    'fixture.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.questionnaire;
}

/*
 *        building service repairs overall wrong          nps improve
 *  r1    3        5       10      5       —              10  [a]
 *  r2    3        4       8       4       —              9   [a, b]
 *  r3    3        3       7       4       —              8   —
 *  r4    5        2       4       2       lift broken    5   [b]
 *  r5    5        5       (skip)  3       —              6   [c]
 *  r6    5        1       1       1       nobody came    0   [b]
 *
 *  10 owners invited, 5 in building 3 and 5 in building 5.
 */
const RESPONSES: ResponseInput[] = [
  { id: 'r1', building: '3', answers: { service: 5, repairs: 10, overall: 5, nps: 10, improve: ['a'] } },
  { id: 'r2', building: '3', answers: { service: 4, repairs: 8, overall: 4, nps: 9, improve: ['a', 'b'] } },
  { id: 'r3', building: '3', answers: { service: 3, repairs: 7, overall: 4, nps: 8 } },
  {
    id: 'r4',
    building: '5',
    answers: { service: 2, repairs: 4, overall: 2, wrong: 'lift broken', nps: 5, improve: ['b'] },
  },
  { id: 'r5', building: '5', answers: { service: 5, overall: 3, nps: 6, improve: ['c'] } },
  {
    id: 'r6',
    building: '5',
    answers: { service: 1, repairs: 1, overall: 1, wrong: 'nobody came', nps: 0, improve: ['b'] },
  },
];

const q = questionnaire();
const result = analyse(q, RESPONSES, 10, undefined, { invitedByBuilding: { '3': 5, '5': 5 } });
const question = (id: string) => result.questions.find((r) => r.id === id);

describe('points of a scale', () => {
  it('scores the labelled scale 20 points a step and numeric scales linearly', () => {
    const [service, repairs, , , nps] = q.questions;
    expect([5, 4, 3, 2, 1].map((v) => pointIndex(service!, v))).toEqual([100, 80, 60, 40, 20]);
    expect(pointIndex(repairs!, 1)).toBe(0);
    expect(pointIndex(repairs!, 10)).toBe(100);
    expect(pointIndex(repairs!, 4)).toBeCloseTo(100 / 3, 10);
    expect(isSatisfied(service!, 4)).toBe(true);
    expect(isSatisfied(service!, 3)).toBe(false);
    // Top two fifths of 1–10: 7, 8, 9, 10.
    expect([6, 7, 10].map((v) => isSatisfied(repairs!, v))).toEqual([false, true, true]);
    expect(nps).toBeDefined();
  });
});

describe('analysis of the hand-worked fixture', () => {
  it('response rate: 6 of 10 invited = 60%', () => {
    expect(result.invited).toBe(10);
    expect(result.responses).toBe(6);
    expect(result.responseRate).toBe(60);
  });

  it('service (labelled): scores 100+80+60+40+100+20 = 400 over 6 = 66.67; satisfied 5,4,5 = 3/6 = 50%', () => {
    const r = question('service');
    expect(r?.answered).toBe(6);
    expect(r?.index).toBeCloseTo(400 / 6, 10);
    expect(r?.satisfactionRate).toBe(50);
    expect(r?.mean).toBeCloseTo(20 / 6, 10);
    expect(r?.distribution.map((d) => [d.value, d.count])).toEqual([
      [5, 2],
      [4, 1],
      [3, 1],
      [2, 1],
      [1, 1],
    ]);
  });

  it('repairs (1–10, one skipped): (9+7+6+3+0)/9×100 over 5 = 55.56; satisfied 10,8,7 = 3/5 = 60%', () => {
    const r = question('repairs');
    expect(r?.answered).toBe(5);
    expect(r?.index).toBeCloseTo(2500 / 45, 10);
    expect(r?.satisfactionRate).toBe(60);
  });

  it('overall: 100+80+80+40+60+20 = 380 over 6 = 63.33; satisfied 5,4,4 = 50%', () => {
    expect(question('overall')?.index).toBeCloseTo(380 / 6, 10);
    expect(question('overall')?.satisfactionRate).toBe(50);
  });

  it('dimension indices are their questions’ indices (one question each)', () => {
    expect(result.dimensions.map((d) => d.dimension)).toEqual(['reception', 'repairs', 'overall']);
    expect(result.dimensions[0]?.index).toBeCloseTo(200 / 3, 10);
    expect(result.dimensions[1]?.index).toBeCloseTo(500 / 9, 10);
    expect(result.dimensions[2]?.index).toBeCloseTo(190 / 3, 10);
  });

  it('overall index: (1×66.67 + 1×55.56 + 2×63.33)/4 = 560/9 = 62.22; satisfaction rate (3+3+3)/(6+5+6) = 52.94%', () => {
    expect(result.overall.index).toBeCloseTo(560 / 9, 10);
    expect(result.overall.satisfactionRate).toBeCloseTo((9 / 17) * 100, 10);
    expect(result.overall.answers).toBe(17);
  });

  it('NPS: promoters 10,9 (2), passive 8 (1), detractors 5,6,0 (3): (2−3)/6 = −16.67', () => {
    expect(result.nps).toEqual({
      answers: 6,
      promoters: 2,
      passives: 1,
      detractors: 3,
      score: expect.closeTo(-100 / 6, 10),
    });
  });

  it('multiple choice: 5 answered (r3 skipped); a 2 (40%), b 3 (60%), c 1 (20%)', () => {
    const r = question('improve');
    expect(r?.answered).toBe(5);
    expect(r?.distribution).toEqual([
      { value: 'a', count: 2, share: 40 },
      { value: 'b', count: 3, share: 60 },
      { value: 'c', count: 1, share: 20 },
    ]);
  });

  it('lists the free-text answers of the conditional question with their buildings', () => {
    expect(result.texts).toEqual([
      {
        questionId: 'wrong',
        answers: [
          { text: 'lift broken', building: '5', responseId: 'r4' },
          { text: 'nobody came', building: '5', responseId: 'r6' },
        ],
      },
    ]);
  });

  it('breaks down by building: 3 → index 2260/27 = 83.70, 8/9 satisfied; 5 → index 150/4 = 37.5, 1/8 satisfied', () => {
    // Building 3: service 5,4,3 → 80; repairs 10,8,7 → 22/27×100 = 81.48; overall 5,4,4 → 86.67;
    //   (80 + 81.48 + 2×86.67)/4 = 83.70. Satisfied: 2 + 3 + 3 = 8 of 9 answers.
    // Building 5: service 2,5,1 → 53.33; repairs 4,1 → 16.67; overall 2,3,1 → 40; (53.33+16.67+80)/4 = 37.5.
    //   Satisfied: 1 (service 5) + 0 + 0 of 8 answers = 12.5%.
    expect(result.buildings.map((b) => b.building)).toEqual(['3', '5']);
    const [b3, b5] = result.buildings;
    expect(b3).toMatchObject({ responses: 3, invited: 5, responseRate: 60 });
    expect(b3?.index).toBeCloseTo(2260 / 27, 10);
    expect(b3?.satisfactionRate).toBeCloseTo((8 / 9) * 100, 10);
    expect(b5?.index).toBeCloseTo(37.5, 10);
    expect(b5?.satisfactionRate).toBe(12.5);
    // NPS by building: 3 → promoters 10,9, passive 8 → 66.67; 5 → three detractors → −100.
    expect(b3?.nps).toBeCloseTo(200 / 3, 10);
    expect(b5?.nps).toBe(-100);
  });

  it('compares with the previous campaign: deltas in points', () => {
    // Previous: 2 responses of 4 invited (50%). p1: 5, 10, 5, nps 10; p2: 3, 1, 3, nps 3.
    // service 80, repairs 50, overall 80 → overall index (80 + 50 + 160)/4 = 72.5; satisfied 3 of 6 = 50%;
    // NPS (1 − 1)/2 = 0.
    const previous = analyse(
      q,
      [
        { answers: { service: 5, repairs: 10, overall: 5, nps: 10 } },
        { answers: { service: 3, repairs: 1, overall: 3, nps: 3 } },
      ],
      4,
    );
    expect(previous.overall.index).toBe(72.5);
    const compared = analyse(q, RESPONSES, 10, previous);
    const cmp = compared.comparison;
    expect(cmp?.responseRate).toBe(10);
    expect(cmp?.overallIndex).toBeCloseTo(560 / 9 - 72.5, 10);
    expect(cmp?.overallSatisfactionRate).toBeCloseTo((9 / 17) * 100 - 50, 10);
    expect(cmp?.nps).toBeCloseTo(-100 / 6, 10);
    expect(cmp?.dimensions.find((d) => d.dimension === 'reception')?.index).toBeCloseTo(200 / 3 - 80, 10);
    expect(cmp?.questions.find((x) => x.id === 'repairs')?.index).toBeCloseTo(500 / 9 - 50, 10);
    expect(result.comparison).toBeUndefined();
  });

  it('reports nothing it cannot know: no answers, no invitations, values off the scale', () => {
    const empty = analyse(q, [], 0);
    expect(empty.responseRate).toBeNull();
    expect(empty.overall).toEqual({ answers: 0, index: null, satisfactionRate: null });
    expect(empty.nps?.score).toBeNull();
    const odd = analyse(q, [{ answers: { service: 7, repairs: 0, overall: '5', nps: 11 } }], 1);
    expect(odd.overall.answers).toBe(0);
    expect(odd.nps?.answers).toBe(0);
  });
});
