/**
 * The analysis of a campaign's answers (step 7 of a survey, and the comparison of step 9). Pure.
 *
 * Definitions (every figure is a percentage or a 0–100 index; nothing is rounded here):
 * - Response rate: responses / owners invited × 100.
 * - Valid answers of a question: the answers given that lie on its scale (skipped or not asked: not counted).
 * - Satisfied: the top two fifths of a scale — 很满意 and 满意 (5, 4) on the labelled scale and on 1–5;
 *   7–10 on 1–10. Satisfaction rate = satisfied answers / valid answers × 100, per question; per dimension
 *   and overall it pools the answers of the rated questions concerned.
 * - Index 0–100 of an answer: labelled scale 很满意 100, 满意 80, 一般 60, 不满意 40, 很不满意 20; numeric scales
 *   linearly (1 → 0, top → 100). A question's index is the mean over its valid answers; a dimension's index
 *   is the mean of its questions' indices weighted by their `weight`; the overall index is the same
 *   weighted mean over every rated question that has answers.
 * - NPS: % promoters (9–10) − % detractors (0–6) among the valid answers to an NPS question (−100 … 100).
 * - Building breakdown: the same figures over the responses of each building (`''` when unknown).
 * - Comparison: this campaign's figure minus the previous campaign's (points), null where either is missing.
 */
import {
  DIMENSIONS,
  type Dimension,
  type Question,
  type Questionnaire,
  ratingQuestions,
  scaleRange,
} from './questionnaire.js';

/** One submitted questionnaire, as far as the analysis needs it. */
export interface ResponseInput {
  id?: string;
  building?: string;
  answers: Readonly<Record<string, unknown>>;
}

export interface DistributionEntry {
  /** An option id or a point of the scale. */
  value: string | number;
  count: number;
  /** count / the question's valid answers × 100 (for multiple choice: of those who answered it). */
  share: number;
}

/** Satisfaction figures over some answers. */
export interface Score {
  /** Valid answers counted. */
  answers: number;
  index: number | null;
  satisfactionRate: number | null;
}

export interface NpsResult {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  score: number | null;
}

export interface QuestionResult {
  id: string;
  kind: Question['kind'];
  dimension?: Dimension;
  weight?: number;
  /** Valid answers. */
  answered: number;
  distribution: DistributionEntry[];
  /** Rating questions: mean of the raw answers, satisfied answers, the index and the satisfaction rate. */
  mean?: number | null;
  satisfied?: number;
  index?: number | null;
  satisfactionRate?: number | null;
  nps?: NpsResult;
  /** Free-text questions: every answer, in response order. */
  texts?: { text: string; building?: string; responseId?: string }[];
}

export interface DimensionResult extends Score {
  dimension: Dimension;
}

export interface BuildingResult extends Score {
  /** `''` for owners whose building is unknown. */
  building: string;
  responses: number;
  invited?: number;
  responseRate?: number | null;
  nps: number | null;
}

export interface Comparison {
  responseRate: number | null;
  overallIndex: number | null;
  overallSatisfactionRate: number | null;
  nps: number | null;
  dimensions: { dimension: Dimension; index: number | null; satisfactionRate: number | null }[];
  questions: { id: string; index: number | null; satisfactionRate: number | null }[];
}

export interface Analysis {
  questionnaireId: string;
  questionnaireVersion: number;
  invited: number;
  responses: number;
  responseRate: number | null;
  questions: QuestionResult[];
  /** The dimensions that have rated questions, in the fixed order of DIMENSIONS. */
  dimensions: DimensionResult[];
  overall: Score;
  /** The first NPS question's figures; null when the questionnaire has none. */
  nps: NpsResult | null;
  buildings: BuildingResult[];
  /** Free-text answers per text question (only questions with answers). */
  texts: { questionId: string; answers: { text: string; building?: string; responseId?: string }[] }[];
  /** Against the previous campaign of the same questionnaire, when one was given. */
  comparison?: Comparison;
}

export interface AnalyseOptions {
  /** Owners invited per building (`''` for unknown), for each building's response rate. */
  invitedByBuilding?: Readonly<Record<string, number>>;
}

// ── points of a scale ───────────────────────────────────────────────────────

/** The answer's value when it lies on the question's scale, else undefined. */
function onScale(q: Question, value: unknown): number | undefined {
  const range = scaleRange(q);
  if (!range || typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  return value >= range.min && value <= range.max ? value : undefined;
}

/** An answer's index 0–100 (labelled: 很满意 100 … 很不满意 20; numeric: linear). */
export function pointIndex(q: Question, value: number): number {
  if (q.kind === 'rating' && q.scale === 'satisfaction') return value * 20;
  const range = scaleRange(q) ?? { min: 0, max: 1 };
  return ((value - range.min) / (range.max - range.min)) * 100;
}

/** Whether an answer is in the top two fifths of its scale (5–4 of five points, 7–10 of 1–10). */
export function isSatisfied(q: Question, value: number): boolean {
  const range = scaleRange(q) ?? { min: 0, max: 1 };
  const points = range.max - range.min + 1;
  return value - range.min >= (3 * points) / 5;
}

function percent(part: number, whole: number): number | null {
  return whole > 0 ? (part / whole) * 100 : null;
}

function weightedMean(items: { value: number | null | undefined; weight: number }[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const { value, weight } of items) {
    if (value === null || value === undefined) continue;
    sum += value * weight;
    weights += weight;
  }
  return weights > 0 ? sum / weights : null;
}

// ── the analysis ────────────────────────────────────────────────────────────

interface Scored {
  questions: QuestionResult[];
  dimensions: DimensionResult[];
  overall: Score;
  nps: NpsResult | null;
}

function analyseQuestion(q: Question, responses: readonly ResponseInput[]): QuestionResult {
  const values = responses.map((r) => r.answers[q.id]);
  switch (q.kind) {
    case 'single': {
      const given = values.filter((v): v is string => typeof v === 'string' && q.options.some((o) => o.id === v));
      return {
        id: q.id,
        kind: q.kind,
        answered: given.length,
        distribution: q.options.map((o) => {
          const count = given.filter((v) => v === o.id).length;
          return { value: o.id, count, share: percent(count, given.length) ?? 0 };
        }),
      };
    }
    case 'multi': {
      const given = values.filter((v): v is string[] => Array.isArray(v) && v.length > 0);
      return {
        id: q.id,
        kind: q.kind,
        answered: given.length,
        distribution: q.options.map((o) => {
          const count = given.filter((v) => v.includes(o.id)).length;
          return { value: o.id, count, share: percent(count, given.length) ?? 0 };
        }),
      };
    }
    case 'text': {
      const texts = responses.flatMap((r) => {
        const v = r.answers[q.id];
        if (typeof v !== 'string' || v.trim() === '') return [];
        return [{ text: v, ...(r.building ? { building: r.building } : {}), ...(r.id ? { responseId: r.id } : {}) }];
      });
      return { id: q.id, kind: q.kind, answered: texts.length, distribution: [], texts };
    }
    case 'rating':
    case 'nps': {
      const range = scaleRange(q) ?? { min: 0, max: 0 };
      const given = values.flatMap((v) => {
        const n = onScale(q, v);
        return n === undefined ? [] : [n];
      });
      const distribution: DistributionEntry[] = [];
      for (let n = range.max; n >= range.min; n--) {
        const count = given.filter((v) => v === n).length;
        distribution.push({ value: n, count, share: percent(count, given.length) ?? 0 });
      }
      const mean = given.length > 0 ? given.reduce((a, b) => a + b, 0) / given.length : null;
      if (q.kind === 'nps') {
        const promoters = given.filter((v) => v >= 9).length;
        const detractors = given.filter((v) => v <= 6).length;
        const nps: NpsResult = {
          answers: given.length,
          promoters,
          passives: given.length - promoters - detractors,
          detractors,
          score: given.length > 0 ? ((promoters - detractors) / given.length) * 100 : null,
        };
        return { id: q.id, kind: q.kind, answered: given.length, distribution, mean, nps };
      }
      const index = given.length > 0 ? given.reduce((a, v) => a + pointIndex(q, v), 0) / given.length : null;
      const satisfied = given.filter((v) => isSatisfied(q, v)).length;
      return {
        id: q.id,
        kind: q.kind,
        dimension: q.dimension,
        weight: q.weight,
        answered: given.length,
        distribution,
        mean,
        satisfied,
        index,
        satisfactionRate: percent(satisfied, given.length),
      };
    }
  }
}

function pooled(q: Questionnaire, results: readonly QuestionResult[], dimension?: Dimension): Score {
  const rated = ratingQuestions(q).filter((x) => dimension === undefined || x.dimension === dimension);
  let answers = 0;
  let satisfied = 0;
  const indices: { value: number | null | undefined; weight: number }[] = [];
  for (const question of rated) {
    const r = results.find((x) => x.id === question.id);
    if (!r) continue;
    answers += r.answered;
    satisfied += r.satisfied ?? 0;
    indices.push({ value: r.index, weight: question.weight });
  }
  return { answers, index: weightedMean(indices), satisfactionRate: percent(satisfied, answers) };
}

function score(q: Questionnaire, responses: readonly ResponseInput[]): Scored {
  const questions = q.questions.map((question) => analyseQuestion(question, responses));
  const present = new Set(ratingQuestions(q).map((x) => x.dimension));
  const dimensions = DIMENSIONS.filter((d) => present.has(d)).map((dimension) => ({
    dimension,
    ...pooled(q, questions, dimension),
  }));
  const firstNps = questions.find((r) => r.kind === 'nps');
  return { questions, dimensions, overall: pooled(q, questions), nps: firstNps?.nps ?? null };
}

function compareWith(current: Analysis, previous: Analysis): Comparison {
  const delta = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : a - b;
  return {
    responseRate: delta(current.responseRate, previous.responseRate),
    overallIndex: delta(current.overall.index, previous.overall.index),
    overallSatisfactionRate: delta(current.overall.satisfactionRate, previous.overall.satisfactionRate),
    nps: delta(current.nps?.score, previous.nps?.score),
    dimensions: current.dimensions.map((d) => {
      const p = previous.dimensions.find((x) => x.dimension === d.dimension);
      return {
        dimension: d.dimension,
        index: delta(d.index, p?.index),
        satisfactionRate: delta(d.satisfactionRate, p?.satisfactionRate),
      };
    }),
    questions: current.questions
      .filter((r) => r.kind === 'rating')
      .map((r) => {
        const p = previous.questions.find((x) => x.id === r.id && x.kind === 'rating');
        return {
          id: r.id,
          index: delta(r.index, p?.index),
          satisfactionRate: delta(r.satisfactionRate, p?.satisfactionRate),
        };
      }),
  };
}

function compareBuildings(a: string, b: string): number {
  if (a === '') return 1;
  if (b === '') return -1;
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Analyses a campaign's responses (see the module comment for every definition). `invitedCount` is how
 * many owners were invited; `previous` is the analysis of the previous campaign of the same questionnaire,
 * which adds the comparison.
 */
export function analyse(
  questionnaire: Questionnaire,
  responses: readonly ResponseInput[],
  invitedCount: number,
  previous?: Analysis,
  opts: AnalyseOptions = {},
): Analysis {
  const all = score(questionnaire, responses);
  const byBuilding = new Map<string, ResponseInput[]>();
  for (const r of responses) {
    const key = r.building ?? '';
    byBuilding.set(key, [...(byBuilding.get(key) ?? []), r]);
  }
  for (const key of Object.keys(opts.invitedByBuilding ?? {})) if (!byBuilding.has(key)) byBuilding.set(key, []);
  const buildings: BuildingResult[] = [...byBuilding.entries()]
    .sort(([a], [b]) => compareBuildings(a, b))
    .map(([building, rs]) => {
      const s = score(questionnaire, rs);
      const invited = opts.invitedByBuilding?.[building];
      return {
        building,
        responses: rs.length,
        ...s.overall,
        nps: s.nps?.score ?? null,
        ...(invited !== undefined ? { invited, responseRate: percent(rs.length, invited) } : {}),
      };
    });
  const analysis: Analysis = {
    questionnaireId: questionnaire.id,
    questionnaireVersion: questionnaire.version,
    invited: invitedCount,
    responses: responses.length,
    responseRate: percent(responses.length, invitedCount),
    questions: all.questions,
    dimensions: all.dimensions,
    overall: all.overall,
    nps: all.nps,
    buildings,
    texts: all.questions
      .filter((r) => r.kind === 'text' && (r.texts?.length ?? 0) > 0)
      .map((r) => ({ questionId: r.id, answers: r.texts ?? [] })),
  };
  if (previous) analysis.comparison = compareWith(analysis, previous);
  return analysis;
}
