/**
 * Measures a reader of owner messages (the offline understanding, or the model's) against labelled
 * messages (schema in labels.ts): intent accuracy over every message; kind, category, urgency and place
 * accuracy over reports and emergencies; emergency recall (present + unclear: the owner is shown the
 * emergency numbers at once either way) and present-only recall; false alarms (non-emergencies read as
 * present: they page the duty staff); the unclear rate on non-emergencies (one extra question for them);
 * the commonest confusions; and the misses.
 * Pure: the readings are computed by the caller (`npm run eval`, src/cli/eval.ts).
 */
import type { Category, EstateLocation, Locale, TicketKind, Urgency } from '../types.js';
import type { Understander } from './intent.js';
import { trainUnderstandModel, understandText } from './intent.js';
import { type Intent, intentOf, type LabelledMessage, REPORT_INTENTS } from './labels.js';

export { type LabelledMessage as EvalMessage, labelledSetSchema as evalSetSchema } from './labels.js';

/** What a reader said about one message. */
export interface Reading {
  intent: Intent;
  /** The emergency rules' verdict. */
  verdict: 'present' | 'unclear' | 'none';
  kind: TicketKind;
  category: Category;
  urgency: Urgency;
  location?: EstateLocation;
}

export const EVAL_FIELDS = ['intent', 'kind', 'category', 'urgency', 'location'] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

export interface EvalMiss {
  text: string;
  locale: Locale;
  field: EvalField | 'emergency';
  expected: string;
  got: string;
}

export interface Confusion {
  expected: string;
  got: string;
  count: number;
}

/** The figures of one evaluation: no message text in it, so it may be shown for any set. */
export interface EvalFigures {
  total: number;
  byLocale: Record<Locale, number>;
  /** Reports and emergencies: what kind, category, urgency and place are measured over. */
  reports: number;
  /** Intent over every message; the rest over reports and emergencies. */
  accuracy: Record<EvalField, number>;
  categoryByLocale: Record<Locale, number>;
  emergency: {
    labelled: number;
    /** Labelled emergencies read as present. */
    caught: number;
    /** Labelled emergencies read as unclear (the owner is shown the numbers and asked). */
    unclear: number;
    /** (caught + unclear) / labelled (1 when none are labelled): the owner sees the emergency numbers at once. */
    recall: number;
    /** caught / labelled (1 when none are labelled): the emergency path starts with no question. */
    presentRecall: number;
    /** Messages not labelled emergency read as present. */
    falseAlarms: number;
    /** falseAlarms / messages not labelled emergency. */
    falseAlarmRate: number;
    /** Messages not labelled emergency read as unclear (the owner is asked once). */
    unclearNonEmergencies: number;
    /** unclearNonEmergencies / messages not labelled emergency. */
    unclearRate: number;
  };
  /** The commonest confusions per field, most frequent first. */
  confusions: Record<'intent' | 'category' | 'kind', Confusion[]>;
}

export interface EvalReport extends EvalFigures {
  /** Every miss, with the message text: never printed for the frozen test set. */
  misses: EvalMiss[];
}

function showLocation(loc: EstateLocation | undefined): string {
  if (!loc) return '-';
  if (loc.kind === 'public') return `public:${loc.description}`;
  return `unit:${loc.building}-${loc.unit ?? ''}-${loc.room}`;
}

const foldPlace = (s: string) => s.toLowerCase().replace(/[\s的]/g, '');

/**
 * A place is read right when both name no place, both name the same flat, or both name a public area and
 * one description contains the other (地下车库 for 地下车库B区 counts; the wording of a public area varies).
 */
export function sameLocation(expected: EstateLocation | undefined, got: EstateLocation | undefined): boolean {
  if (!expected || !got) return !expected && !got;
  if (expected.kind === 'unit' || got.kind === 'unit') {
    return (
      expected.kind === 'unit' &&
      got.kind === 'unit' &&
      expected.building.toUpperCase() === got.building.toUpperCase() &&
      (expected.unit ?? '') === (got.unit ?? '') &&
      expected.room === got.room
    );
  }
  const a = foldPlace(expected.description);
  const b = foldPlace(got.description);
  return a.includes(b) || b.includes(a);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const ratio = (a: number, b: number, empty = 0) => (b > 0 ? round3(a / b) : empty);

function topConfusions(pairs: readonly [string, string][], top = 8): Confusion[] {
  const counts = new Map<string, Confusion>();
  for (const [expected, got] of pairs) {
    const key = `${expected}\u0000${got}`;
    const c = counts.get(key) ?? { expected, got, count: 0 };
    c.count += 1;
    counts.set(key, c);
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected) || a.got.localeCompare(b.got))
    .slice(0, top);
}

/** Compares readings (one per message, same order) with the labels. */
export function evaluateReadings(messages: readonly LabelledMessage[], readings: readonly Reading[]): EvalReport {
  if (readings.length !== messages.length) throw new Error('one reading per message');
  const correct: Record<EvalField, number> = { intent: 0, kind: 0, category: 0, urgency: 0, location: 0 };
  const byLocale: Record<Locale, number> = { 'zh-CN': 0, en: 0 };
  const reportsByLocale: Record<Locale, number> = { 'zh-CN': 0, en: 0 };
  const categoryRight: Record<Locale, number> = { 'zh-CN': 0, en: 0 };
  const misses: EvalMiss[] = [];
  const pairs = {
    intent: [] as [string, string][],
    category: [] as [string, string][],
    kind: [] as [string, string][],
  };
  const em = { labelled: 0, caught: 0, unclear: 0, falseAlarms: 0, unclearNonEmergencies: 0 };
  let reports = 0;
  messages.forEach((m, i) => {
    const r = readings[i] as Reading;
    const miss = (field: EvalMiss['field'], expected: string, got: string) =>
      misses.push({ text: m.text, locale: m.locale, field, expected, got });
    byLocale[m.locale] += 1;
    const intent = intentOf(m);
    if (r.intent === intent) correct.intent += 1;
    else {
      miss('intent', intent, r.intent);
      pairs.intent.push([intent, r.intent]);
    }
    if (intent === 'emergency') {
      em.labelled += 1;
      if (r.verdict === 'present') em.caught += 1;
      else {
        if (r.verdict === 'unclear') em.unclear += 1;
        miss('emergency', 'present', r.verdict);
      }
    } else if (r.verdict === 'present') {
      em.falseAlarms += 1;
      miss('emergency', 'none', 'present');
    } else if (r.verdict === 'unclear') em.unclearNonEmergencies += 1;
    if (!REPORT_INTENTS.includes(intent) || !m.kind || !m.category || !m.urgency) return;
    reports += 1;
    reportsByLocale[m.locale] += 1;
    if (r.kind === m.kind) correct.kind += 1;
    else {
      miss('kind', m.kind, r.kind);
      pairs.kind.push([m.kind, r.kind]);
    }
    if (r.category === m.category) {
      correct.category += 1;
      categoryRight[m.locale] += 1;
    } else {
      miss('category', m.category, r.category);
      pairs.category.push([m.category, r.category]);
    }
    if (r.urgency === m.urgency) correct.urgency += 1;
    else miss('urgency', m.urgency, r.urgency);
    if (sameLocation(m.location, r.location)) correct.location += 1;
    else miss('location', showLocation(m.location), showLocation(r.location));
  });
  const nonEmergencies = messages.length - em.labelled;
  return {
    total: messages.length,
    byLocale,
    reports,
    accuracy: {
      intent: ratio(correct.intent, messages.length),
      kind: ratio(correct.kind, reports),
      category: ratio(correct.category, reports),
      urgency: ratio(correct.urgency, reports),
      location: ratio(correct.location, reports),
    },
    categoryByLocale: {
      'zh-CN': ratio(categoryRight['zh-CN'], reportsByLocale['zh-CN']),
      en: ratio(categoryRight.en, reportsByLocale.en),
    },
    emergency: {
      ...em,
      recall: ratio(em.caught + em.unclear, em.labelled, 1),
      presentRecall: ratio(em.caught, em.labelled, 1),
      falseAlarmRate: ratio(em.falseAlarms, nonEmergencies),
      unclearRate: ratio(em.unclearNonEmergencies, nonEmergencies),
    },
    confusions: {
      intent: topConfusions(pairs.intent),
      category: topConfusions(pairs.category),
      kind: topConfusions(pairs.kind, 5),
    },
    misses,
  };
}

/** The offline understanding's reading of one text, as the evaluation compares it. */
export function offlineReading(text: string, u: Understander): Reading {
  const t = understandText(text, u);
  return {
    intent: t.intent,
    verdict: t.emergency.verdict,
    kind: t.report.kind,
    category: t.report.category,
    urgency: t.report.urgency,
    ...(t.report.location ? { location: t.report.location } : {}),
  };
}

/** Measures the offline understanding on labelled messages. */
export function evaluate(messages: readonly LabelledMessage[], u: Understander): EvalReport {
  return evaluateReadings(
    messages,
    messages.map((m) => offlineReading(m.text, u)),
  );
}

/** The figures alone (no message text): what may be shown for the frozen test set. */
export function figuresOf(report: EvalReport): EvalFigures {
  const { misses: _misses, ...figures } = report;
  return figures;
}

/** The targets the frozen test set is held at (issue 14). */
export const TARGETS = {
  emergencyRecall: 1,
  falseAlarmRate: 0.02,
  /** Not a target of the issue: the extra question non-emergencies may get, kept low. */
  unclearRate: 0.08,
  intent: 0.9,
  category: 0.88,
  kind: 0.85,
} as const;

/** The targets a report falls short of, named (empty when it meets them all). */
export function shortfalls(f: EvalFigures): string[] {
  const out: string[] = [];
  if (f.emergency.recall < TARGETS.emergencyRecall) out.push(`emergency recall ${f.emergency.recall}`);
  if (f.emergency.falseAlarmRate > TARGETS.falseAlarmRate) out.push(`false alarms ${f.emergency.falseAlarmRate}`);
  if (f.emergency.unclearRate > TARGETS.unclearRate) out.push(`unclear on non-emergencies ${f.emergency.unclearRate}`);
  if (f.accuracy.intent < TARGETS.intent) out.push(`intent ${f.accuracy.intent}`);
  if (f.accuracy.category < TARGETS.category) out.push(`category ${f.accuracy.category}`);
  if (f.accuracy.kind < TARGETS.kind) out.push(`kind ${f.accuracy.kind}`);
  return out;
}

/**
 * Readings of a set the model is trained on, made honest by k-fold cross-validation: each fold is read
 * by a model trained on everything else (`others` and the other folds), never on itself.
 */
export function crossValidatedReadings(
  set: readonly LabelledMessage[],
  others: readonly LabelledMessage[],
  base: Omit<Understander, 'model'>,
  k = 5,
): Reading[] {
  const readings: Reading[] = new Array(set.length);
  for (let fold = 0; fold < k; fold++) {
    const held = new Set(set.filter((_, i) => i % k === fold).map((m) => m.text));
    const train = [...others, ...set].filter((m) => !held.has(m.text));
    const model = trainUnderstandModel(train, base.keywords, base.emergencyRules);
    set.forEach((m, i) => {
      if (i % k === fold) readings[i] = offlineReading(m.text, { ...base, model });
    });
  }
  return readings;
}
