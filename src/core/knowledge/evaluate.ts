/**
 * Measures how the knowledge answers owners' questions, on a labelled set (`test/fixtures/enquiries/`):
 * `{ items: [{ text, locale, expect: [entry ids] }] }`, `expect` empty when no entry answers it.
 *
 * An item is correct when the first entry answered is in `expect`, or nothing is answered and `expect` is
 * empty; wrong when the first entry answered is not in `expect` (an answer to an unanswerable question
 * included); unanswered when nothing is answered but an entry would have (an honest hand-over to staff).
 */
import { z } from 'zod';
import { LOCALES, type Locale } from '../types.js';
import type { KnowledgeIndex } from './entry.js';

export const enquirySetSchema = z
  .object({
    items: z.array(z.object({ text: z.string().min(1), locale: z.enum(LOCALES), expect: z.array(z.string().min(1)) })),
  })
  .transform((set) => set.items);
export type LabelledEnquiry = z.output<typeof enquirySetSchema>[number];

export type EnquiryOutcome = 'correct' | 'wrong' | 'unanswered';

export interface EnquiryResult {
  item: LabelledEnquiry;
  /** The ids answered, best first (empty when nothing was). */
  answered: string[];
  outcome: EnquiryOutcome;
}

interface Counts {
  items: number;
  correct: number;
  wrong: number;
  unanswered: number;
  correctRate: number;
  wrongRate: number;
}

export interface EnquiryFigures extends Counts {
  byLocale: Record<Locale, Counts>;
}

/** The targets of issue 16 on the frozen test set. */
export const ENQUIRY_TARGETS = { correctRate: 0.85, wrongRate: 0.03 } as const;

export function answerEnquiries(items: readonly LabelledEnquiry[], index: KnowledgeIndex): EnquiryResult[] {
  return items.map((item) => {
    const answered = index.answer(item.text, item.locale).map((m) => m.entry.id);
    const first = answered[0];
    const outcome: EnquiryOutcome =
      first === undefined
        ? item.expect.length === 0
          ? 'correct'
          : 'unanswered'
        : item.expect.includes(first)
          ? 'correct'
          : 'wrong';
    return { item, answered, outcome };
  });
}

function counts(results: readonly EnquiryResult[]): Counts {
  const n = (o: EnquiryOutcome) => results.filter((r) => r.outcome === o).length;
  const items = results.length;
  const correct = n('correct');
  const wrong = n('wrong');
  return {
    items,
    correct,
    wrong,
    unanswered: n('unanswered'),
    correctRate: items > 0 ? correct / items : 0,
    wrongRate: items > 0 ? wrong / items : 0,
  };
}

export function enquiryFigures(results: readonly EnquiryResult[]): EnquiryFigures {
  const byLocale = Object.fromEntries(
    LOCALES.map((locale) => [locale, counts(results.filter((r) => r.item.locale === locale))]),
  ) as Record<Locale, Counts>;
  return { ...counts(results), byLocale };
}

/** The targets a set's figures fall short of (empty when all are met). */
export function enquiryShortfalls(f: EnquiryFigures): string[] {
  const out: string[] = [];
  if (f.correctRate < ENQUIRY_TARGETS.correctRate) out.push(`correct rate below ${ENQUIRY_TARGETS.correctRate}`);
  if (f.wrongRate > ENQUIRY_TARGETS.wrongRate) out.push(`wrong rate above ${ENQUIRY_TARGETS.wrongRate}`);
  return out;
}
