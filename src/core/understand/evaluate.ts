/**
 * Measures the offline classifier against hand-labelled owner messages (`test/fixtures/eval-messages.json`):
 * accuracy per field, emergency recall and false alarms, and every miss. Pure; `npm run eval` prints it.
 */
import { z } from 'zod';
import { CATEGORIES, type EstateLocation, LOCALES, type Locale, TICKET_KINDS, URGENCIES } from '../types.js';
import { type Classification, classify } from './classify.js';
import type { Keywords } from './keywords.js';

const locationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('unit'),
    building: z.string().min(1),
    unit: z.string().min(1).optional(),
    room: z.string().min(1),
  }),
  z.strictObject({ kind: z.literal('public'), description: z.string().min(1) }),
]);

export const evalMessageSchema = z.strictObject({
  text: z.string().min(1),
  locale: z.enum(LOCALES),
  kind: z.enum(TICKET_KINDS),
  category: z.enum(CATEGORIES),
  urgency: z.enum(URGENCIES),
  location: locationSchema.optional(),
});
export const evalSetSchema = z.array(evalMessageSchema).min(1);
export type EvalMessage = z.infer<typeof evalMessageSchema>;

export const EVAL_FIELDS = ['kind', 'category', 'urgency', 'location'] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

export interface EvalMiss {
  text: string;
  locale: Locale;
  field: EvalField;
  expected: string;
  got: string;
}

export interface EvalReport {
  total: number;
  byLocale: Record<Locale, number>;
  accuracy: Record<EvalField, number>;
  /** Category accuracy per language. */
  categoryByLocale: Record<Locale, number>;
  emergency: {
    labelled: number;
    caught: number;
    /** Labelled emergencies the keywords did not catch (must stay empty). */
    missed: string[];
    /** Messages not labelled emergency that the keywords took for one. */
    falseAlarms: string[];
  };
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

export function evaluate(messages: readonly EvalMessage[], keywords: Keywords): EvalReport {
  const correct: Record<EvalField, number> = { kind: 0, category: 0, urgency: 0, location: 0 };
  const byLocale = { 'zh-CN': 0, en: 0 } as Record<Locale, number>;
  const categoryRight = { 'zh-CN': 0, en: 0 } as Record<Locale, number>;
  const misses: EvalMiss[] = [];
  const missed: string[] = [];
  const falseAlarms: string[] = [];
  let labelled = 0;
  let caught = 0;
  for (const m of messages) {
    const c: Classification = classify(m.text, keywords);
    byLocale[m.locale] += 1;
    const miss = (field: EvalField, expected: string, got: string) =>
      misses.push({ text: m.text, locale: m.locale, field, expected, got });
    if (c.kind === m.kind) correct.kind += 1;
    else miss('kind', m.kind, c.kind);
    if (c.category === m.category) {
      correct.category += 1;
      categoryRight[m.locale] += 1;
    } else miss('category', m.category, c.category);
    if (c.urgency === m.urgency) correct.urgency += 1;
    else miss('urgency', m.urgency, c.urgency);
    if (sameLocation(m.location, c.location)) correct.location += 1;
    else miss('location', showLocation(m.location), showLocation(c.location));
    if (m.urgency === 'emergency') {
      labelled += 1;
      if (c.emergency) caught += 1;
      else missed.push(m.text);
    } else if (c.emergency) falseAlarms.push(m.text);
  }
  const n = messages.length;
  return {
    total: n,
    byLocale,
    accuracy: {
      kind: round3(correct.kind / n),
      category: round3(correct.category / n),
      urgency: round3(correct.urgency / n),
      location: round3(correct.location / n),
    },
    categoryByLocale: {
      'zh-CN': byLocale['zh-CN'] ? round3(categoryRight['zh-CN'] / byLocale['zh-CN']) : 0,
      en: byLocale.en ? round3(categoryRight.en / byLocale.en) : 0,
    },
    emergency: { labelled, caught, missed, falseAlarms },
    misses,
  };
}
