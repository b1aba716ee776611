/**
 * A second opinion on which entry a question is about: a multinomial naive Bayes over the same terms the
 * search uses (words, Chinese character pairs, synonym groups), trained on each entry's own questions and
 * keywords and on labelled owners' questions (`flows/knowledge/examples.json`).
 *
 * BM25 asks "which entry shares this question's rarest words"; the classifier asks "which entry do
 * questions worded like this one belong to", which holds up better when an owner asks in many words or
 * around the point (the writers' long dictated questions). The search answers only when the two agree, or
 * when the classifier is sure on its own (see search.ts).
 * Pure and deterministic; training is counting, so it is rebuilt whenever the entries change.
 */

/** One training text: the entry it belongs to and its terms (termsOf). */
export interface TrainingDoc {
  id: string;
  terms: readonly string[];
}

/** An entry's posterior for a question, given that the question is about one of the entries. */
export interface ClassScore {
  id: string;
  probability: number;
}

export interface TermClassifier {
  /** Every entry, most probable first; empty when trained on nothing. */
  classify(terms: readonly string[]): ClassScore[];
}

/**
 * Additive smoothing: a term an entry never saw still has this many pseudo-counts there. 1 was chosen
 * writer by writer (of 0.1, 0.3, 1, 3: trained on two dev sets' writers, measured on the third).
 */
const ALPHA = 1;

/**
 * Trains on `docs`. Every class gets the same prior (the number of examples per entry says how
 * thoroughly it was written, not how often owners ask it); a question's repeated term counts once.
 */
export function trainTermClassifier(docs: readonly TrainingDoc[], alpha = ALPHA): TermClassifier {
  const counts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const doc of docs) {
    let c = counts.get(doc.id);
    if (!c) {
      c = new Map();
      counts.set(doc.id, c);
    }
    for (const t of doc.terms) {
      c.set(t, (c.get(t) ?? 0) + 1);
      vocabulary.add(t);
    }
    totals.set(doc.id, (totals.get(doc.id) ?? 0) + doc.terms.length);
  }
  const v = vocabulary.size;
  const ids = [...counts.keys()].sort();
  return {
    classify(terms) {
      const known = [...new Set(terms)].filter((t) => vocabulary.has(t));
      const logs = ids.map((id) => {
        const c = counts.get(id) as Map<string, number>;
        const denominator = Math.log((totals.get(id) ?? 0) + alpha * v);
        return known.reduce((s, t) => s + Math.log((c.get(t) ?? 0) + alpha) - denominator, 0);
      });
      const top = Math.max(...logs);
      const exps = logs.map((l) => Math.exp(l - top));
      const sum = exps.reduce((s, x) => s + x, 0);
      return ids
        .map((id, i) => ({ id, probability: (exps[i] as number) / sum }))
        .sort((a, b) => b.probability - a.probability || a.id.localeCompare(b.id));
    },
  };
}
