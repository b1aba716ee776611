/**
 * The training file of the offline model (`flows/understand/training.json`): labelled examples written
 * for training, and the other labelled files to learn from (`include`, relative to the file). Pure: the
 * adapter reads the files. The frozen test set is refused by name wherever it is included from, so the
 * model can never learn from what measures it.
 */
import { z } from 'zod';
import { type LabelledMessage, labelledMessageSchema } from './labels.js';

export const trainingFileSchema = z.strictObject({
  about: z.string().optional(),
  include: z.array(z.string().min(1)).default([]),
  examples: z.array(labelledMessageSchema).default([]),
});

/** The frozen test set's file name: never trained on. */
export const FROZEN_TEST_SET = /(?:^|[\\/])test\.json$/;

/** The examples of several labelled sets, a text seen twice kept once (the first label wins). */
export function mergeExamples(sets: readonly (readonly LabelledMessage[])[]): LabelledMessage[] {
  const seen = new Set<string>();
  const out: LabelledMessage[] = [];
  for (const set of sets)
    for (const m of set) {
      if (seen.has(m.text)) continue;
      seen.add(m.text);
      out.push(m);
    }
  return out;
}
