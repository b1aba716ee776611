/**
 * Satisfaction questionnaires as data (`flows/surveys/*.yaml`): the zod schema they are checked with, a
 * parser whose every problem names the file and the question, and the compiler that turns a questionnaire
 * into a conversation flow (`survey_<id>`) plus the locale resources its keys point at.
 *
 * Texts are written inline in both languages (`{ zh-CN: …, en: … }`, both required); the compiler moves them
 * under `surveys.<id>.…` (plural, so they never collide with the static `survey.*` texts in `locales/`).
 * Pure: the files are read by the loader (adapters/content/questionnaires-file.ts) and handed in as text.
 */

import { z } from 'zod';
import { END, type FlowSpec, flowSchema } from '../flow/schema.js';
import { LOCALES, type Locale } from '../types.js';
import { parseYaml } from '../yaml.js';

// ── the schema ───────────────────────────────────────────────────────────────

/** What each rated question measures: the seven dimensions of residential property service. */
export const DIMENSIONS = ['reception', 'repairs', 'security', 'cleaning', 'greening', 'fees', 'overall'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Rating scales: `satisfaction` is the labelled five points 很满意 (5) … 很不满意 (1). */
export const SCALES = ['satisfaction', '1-5', '1-10'] as const;

/** The step id of the closing "would you like us to follow this up?" question. */
export const FOLLOW_UP = 'follow_up';

/** The prefix of every compiled questionnaire flow's id. */
export const SURVEY_FLOW_PREFIX = 'survey_';

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _ (starting with a letter)');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A text in every language the product speaks. */
const textSchema = z.strictObject({ 'zh-CN': nonEmpty, en: nonEmpty });

/** When a question is asked: the same shapes as a flow step's `if`, on an earlier question's answer. */
const conditionSchema = z.union([
  z.strictObject({ answer: id, is: z.union([z.string(), z.number()]) }),
  z.strictObject({ answer: id, in: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.strictObject({ answer: id, atMost: z.number() }),
  z.strictObject({ answered: id }),
]);
export type QuestionCondition = z.infer<typeof conditionSchema>;

const optionSchema = z.strictObject({ id, text: textSchema });

const common = {
  id,
  text: textSchema,
  /** Required questions have no Skip button. */
  required: z.boolean().default(true),
  /** Asked only when this holds for an earlier answer. */
  if: conditionSchema.optional(),
};

const questionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('single'), options: z.array(optionSchema).min(2).max(20) }),
  z.strictObject({
    ...common,
    kind: z.literal('multi'),
    options: z.array(optionSchema).min(2).max(20),
    min: z.number().int().min(1).default(1),
    max: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('rating'),
    scale: z.enum(SCALES).default('satisfaction'),
    dimension: z.enum(DIMENSIONS),
    /** The question's weight in its dimension's and the overall index. */
    weight: z.number().positive().max(100).default(1),
    /** Answers at or below this are low: the questionnaire then ends by offering a follow-up. */
    lowAt: z.number().int().optional(),
  }),
  z.strictObject({ ...common, kind: z.literal('nps'), lowAt: z.number().int().optional() }),
  z.strictObject({
    ...common,
    kind: z.literal('text'),
    required: z.boolean().default(false),
    max: z.number().int().min(1).max(2000).default(500),
  }),
]);
export type Question = z.infer<typeof questionSchema>;
export type RatingQuestion = Extract<Question, { kind: 'rating' }>;

/** The lowest and highest answer of a rated question. */
export function scaleRange(q: Question): { min: number; max: number } | undefined {
  if (q.kind === 'nps') return { min: 0, max: 10 };
  if (q.kind !== 'rating') return undefined;
  return q.scale === '1-10' ? { min: 1, max: 10 } : { min: 1, max: 5 };
}

export const questionnaireSchema = z
  .strictObject({
    id,
    /** Raise it whenever the questions change: answers are stored with it. */
    version: z.number().int().min(1),
    title: textSchema,
    /** The invitation: shown once when the questionnaire starts. */
    intro: textSchema,
    /** The closing follow-up question (defaults to the product's own wording). */
    followUp: textSchema.optional(),
    /** Said after the last answer (defaults to the product's own thanks). */
    thanks: textSchema.optional(),
    questions: z.array(questionSchema).min(1).max(60),
  })
  .superRefine((q, ctx) => {
    const seen = new Map<string, { index: number; question: Question }>();
    q.questions.forEach((question, i) => {
      const issue = (message: string, path: (string | number)[] = []) =>
        ctx.addIssue({ code: 'custom', path: ['questions', i, ...path], message });
      if (question.id === FOLLOW_UP) issue(`"${FOLLOW_UP}" is reserved for the closing follow-up question`, ['id']);
      if (seen.has(question.id)) issue(`question id "${question.id}" is used twice`, ['id']);
      if (question.kind === 'single' || question.kind === 'multi') {
        const ids = question.options.map((o) => o.id);
        const twice = ids.filter((o, j) => ids.indexOf(o) !== j);
        if (twice.length > 0) issue(`option "${twice[0]}" is listed twice`, ['options']);
      }
      if (question.kind === 'multi') {
        const max = question.max ?? question.options.length;
        if (max > question.options.length)
          issue(`max (${max}) is more than the ${question.options.length} options`, ['max']);
        if (question.min > max) issue(`min (${question.min}) must not exceed max (${max})`, ['min']);
      }
      if ((question.kind === 'rating' || question.kind === 'nps') && question.lowAt !== undefined) {
        const range = scaleRange(question);
        if (range && (question.lowAt < range.min || question.lowAt >= range.max)) {
          issue(`lowAt must be from ${range.min} to ${range.max - 1} on this scale`, ['lowAt']);
        }
      }
      if (question.if) checkCondition(question.if, seen, (m, p) => issue(m, ['if', ...p]));
      seen.set(question.id, { index: i, question });
    });
  });

export type Questionnaire = z.infer<typeof questionnaireSchema>;

function checkCondition(
  c: QuestionCondition,
  earlier: Map<string, { question: Question }>,
  issue: (message: string, path: string[]) => void,
): void {
  const target = 'answered' in c ? c.answered : c.answer;
  const field = 'answered' in c ? 'answered' : 'answer';
  const found = earlier.get(target)?.question;
  if (!found) {
    issue(`refers to "${target}", which is not an earlier question`, [field]);
    return;
  }
  if ('answered' in c) return;
  if (found.kind === 'text' || found.kind === 'multi') {
    issue(
      `conditions on a ${found.kind === 'text' ? 'free-text' : 'multiple-choice'} answer can only be { answered: ${target} }`,
      [field],
    );
    return;
  }
  const values = 'is' in c ? [c.is] : 'in' in c ? c.in : [c.atMost];
  if (found.kind === 'single') {
    if ('atMost' in c) return issue(`"${target}" is a single choice: use is or in, not atMost`, ['atMost']);
    const options = found.options.map((o) => o.id);
    const bad = values.find((v) => typeof v !== 'string' || !options.includes(v));
    if (bad !== undefined)
      issue(`"${String(bad)}" is not an option of "${target}" (${options.join(', ')})`, ['is' in c ? 'is' : 'in']);
    return;
  }
  const range = scaleRange(found);
  const bad = values.find(
    (v) => typeof v !== 'number' || !Number.isInteger(v) || (range && (v < range.min || v > range.max)),
  );
  if (bad !== undefined && range) {
    issue(`${JSON.stringify(bad)} is not on the scale of "${target}" (${range.min}–${range.max})`, [
      'is' in c ? 'is' : 'in' in c ? 'in' : 'atMost',
    ]);
  }
}

// ── reading files ────────────────────────────────────────────────────────────

export type ParsedQuestionnaire = { ok: true; questionnaire: Questionnaire } | { ok: false; problems: string[] };

/** Checks one parsed YAML document; every problem names the file and, where there is one, the question. */
export function parseQuestionnaire(doc: unknown, file: string): ParsedQuestionnaire {
  const parsed = questionnaireSchema.safeParse(doc);
  if (parsed.success) return { ok: true, questionnaire: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => describeIssue(file, doc, issue)) };
}

function describeIssue(file: string, doc: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  let where = file;
  if (path[0] === 'questions' && typeof path[1] === 'number') {
    const questions = (doc as { questions?: { id?: unknown }[] } | undefined)?.questions;
    const qid = Array.isArray(questions) ? questions[path[1]]?.id : undefined;
    where += `: question ${typeof qid === 'string' ? `"${qid}"` : `#${path[1] + 1}`}`;
    const rest = path.slice(2).join('.');
    if (rest) where += ` (${rest})`;
  } else if (path.length > 0) {
    where += ` (${path.join('.')})`;
  }
  return `${where}: ${issue.message}`;
}

/** A questionnaire file is broken: start-up stops with every problem listed. */
export class QuestionnaireError extends Error {
  readonly code = 'QUESTIONNAIRE_INVALID';
  constructor(readonly problems: string[]) {
    super(`the questionnaires are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'QuestionnaireError';
  }
}

/** One questionnaire file as read: its path (for messages) and its text. */
export interface QuestionnaireFile {
  file: string;
  text: string;
}

/**
 * Parses questionnaire files, in the order given. Throws QuestionnaireError listing every problem at once:
 * broken YAML, schema problems, and an id used by two files.
 */
export function parseQuestionnaireFiles(files: readonly QuestionnaireFile[]): Map<string, Questionnaire> {
  const problems: string[] = [];
  const out = new Map<string, Questionnaire>();
  const fileOf = new Map<string, string>();
  for (const { file, text } of files) {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = parseQuestionnaire(doc, file);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const qid = parsed.questionnaire.id;
    if (out.has(qid)) {
      problems.push(`${file}: questionnaire id "${qid}" is used by ${fileOf.get(qid)} too`);
      continue;
    }
    out.set(qid, parsed.questionnaire);
    fileOf.set(qid, file);
  }
  if (problems.length > 0) throw new QuestionnaireError(problems);
  return out;
}

// ── compiling into a flow ────────────────────────────────────────────────────

/** A questionnaire as the conversation engine runs it, with the texts its locale keys name. */
export interface CompiledQuestionnaire {
  flow: FlowSpec;
  /** `{ 'zh-CN': { surveys: { <id>: … } }, en: … }`, to merge into the locale resources at start-up. */
  resources: Record<Locale, Record<string, unknown>>;
}

/** The id of a questionnaire's flow. */
export function surveyFlowId(questionnaireId: string): string {
  return `${SURVEY_FLOW_PREFIX}${questionnaireId}`;
}

/** The questionnaire id behind a survey flow's id, or undefined for any other flow. */
export function questionnaireIdOfFlow(flowId: string): string | undefined {
  return flowId.startsWith(SURVEY_FLOW_PREFIX) ? flowId.slice(SURVEY_FLOW_PREFIX.length) : undefined;
}

/** Locale keys of a questionnaire's texts (the compiled flow and the previews use the same ones). */
export function surveyKeys(questionnaireId: string) {
  const base = `surveys.${questionnaireId}`;
  return {
    title: `${base}.title`,
    intro: `${base}.intro`,
    thanks: `${base}.thanks`,
    followUp: `${base}.follow_up`,
    question: (qid: string) => `${base}.q.${qid}.text`,
    options: (qid: string) => `${base}.q.${qid}.o`,
    option: (qid: string, option: string) => `${base}.q.${qid}.o.${option}`,
  };
}

/** Static locale keys (in `locales/*.json`) the compiled flows use. */
export const STATIC_SURVEY_KEYS = {
  /** `survey.scale.1` (很不满意) … `survey.scale.5` (很满意). */
  scale: 'survey.scale',
  followUp: 'survey.follow_up',
  inviteFooter: 'survey.invite_footer',
  cancelled: 'survey.cancelled',
  thanks: 'survey.thanks',
} as const;

type RawStep = Record<string, unknown> & { id: string };

/**
 * Turns a questionnaire into a flow: single → choice, multi → multi, the labelled five-point scale → rating
 * 1–5 labelled `survey.scale.n` (5 = 很满意), 1–5 / 1–10 → rating, nps → rating 0–10, text → text;
 * `required: false` → optional; `if` → the step's `if`. When some question has `lowAt`, the flow ends with
 * an optional yes/no `follow_up` step that only a low answer leads to: the last question routes there on
 * any low answer and to the end otherwise. The flow ends with `survey.answer` and then the main menu.
 *
 * The intro is the questionnaire's own, followed by the static `survey.invite_footer` (nested with
 * `$t(…)`, so it can name the deadline and how to stop receiving surveys).
 */
export function compileQuestionnaire(q: Questionnaire): CompiledQuestionnaire {
  const keys = surveyKeys(q.id);
  const lowRules = q.questions.flatMap((question) =>
    (question.kind === 'rating' || question.kind === 'nps') && question.lowAt !== undefined
      ? [{ when: { answer: question.id, atMost: question.lowAt }, go: FOLLOW_UP }]
      : [],
  );
  const steps: RawStep[] = q.questions.map((question) => {
    const ask = keys.question(question.id);
    const step: RawStep = {
      id: question.id,
      ask,
      label: ask,
      optional: !question.required,
      answer: answerOf(question, keys),
    };
    if (question.if) step.if = question.if;
    return step;
  });
  if (lowRules.length > 0) {
    const last = steps.at(-1);
    if (last) last.next = [...lowRules, { go: END }];
    steps.push({
      id: FOLLOW_UP,
      ask: q.followUp ? keys.followUp : STATIC_SURVEY_KEYS.followUp,
      label: q.followUp ? keys.followUp : STATIC_SURVEY_KEYS.followUp,
      answer: { kind: 'yesno' },
      optional: true,
    });
  }
  const parsed = flowSchema.safeParse({
    id: surveyFlowId(q.id),
    version: q.version,
    set: { questionnaire: q.id },
    intro: keys.intro,
    cancelled: STATIC_SURVEY_KEYS.cancelled,
    done: 'survey.answer',
    after: 'menu',
    steps,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new QuestionnaireError([`questionnaire "${q.id}" does not compile into a flow: ${problems}`]);
  }
  return { flow: parsed.data, resources: resourcesOf(q) };
}

function answerOf(question: Question, keys: ReturnType<typeof surveyKeys>): Record<string, unknown> {
  switch (question.kind) {
    case 'single':
      return {
        kind: 'choice',
        options: question.options.map((o) => o.id),
        labels: keys.options(question.id),
        columns: question.options.length > 4 ? 1 : 2,
      };
    case 'multi':
      return {
        kind: 'multi',
        options: question.options.map((o) => o.id),
        labels: keys.options(question.id),
        min: question.min,
        ...(question.max !== undefined ? { max: question.max } : {}),
        columns: 1,
      };
    case 'rating':
      if (question.scale === 'satisfaction')
        return { kind: 'rating', min: 1, max: 5, labels: STATIC_SURVEY_KEYS.scale };
      return { kind: 'rating', min: 1, max: question.scale === '1-10' ? 10 : 5 };
    case 'nps':
      return { kind: 'rating', min: 0, max: 10 };
    case 'text':
      return { kind: 'text', min: 1, max: question.max };
  }
}

function resourcesOf(q: Questionnaire): Record<Locale, Record<string, unknown>> {
  const out = {} as Record<Locale, Record<string, unknown>>;
  for (const locale of LOCALES) {
    const questions: Record<string, unknown> = {};
    for (const question of q.questions) {
      const entry: Record<string, unknown> = { text: question.text[locale] };
      if (question.kind === 'single' || question.kind === 'multi') {
        entry.o = Object.fromEntries(question.options.map((o) => [o.id, o.text[locale]]));
      }
      questions[question.id] = entry;
    }
    const tree: Record<string, unknown> = {
      title: q.title[locale],
      intro: `${q.intro[locale]}\n\n$t(${STATIC_SURVEY_KEYS.inviteFooter})`,
      thanks: q.thanks?.[locale] ?? `$t(${STATIC_SURVEY_KEYS.thanks})`,
      q: questions,
    };
    if (q.followUp) tree.follow_up = q.followUp[locale];
    out[locale] = { surveys: { [q.id]: tree } };
  }
  return out;
}

/** Merges locale resources (deeply; `extra` wins), e.g. the compiled questionnaires into `locales/*.json`. */
export function mergeResources(
  base: Record<Locale, Record<string, unknown>>,
  ...extra: Record<Locale, Record<string, unknown>>[]
): Record<Locale, Record<string, unknown>> {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const prev = out[k];
      out[k] =
        prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v)
          ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
          : v;
    }
    return out;
  };
  const out = {} as Record<Locale, Record<string, unknown>>;
  for (const locale of LOCALES) {
    out[locale] = extra.reduce((acc, e) => merge(acc, e[locale] ?? {}), base[locale] ?? {});
  }
  return out;
}

// ── helpers the application and the analysis share ──────────────────────────

/** The questions that count towards the satisfaction figures (rating questions). */
export function ratingQuestions(q: Questionnaire): RatingQuestion[] {
  return q.questions.filter((x): x is RatingQuestion => x.kind === 'rating');
}
