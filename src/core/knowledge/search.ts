/**
 * The estate's knowledge, searchable offline: a KnowledgeIndex over MiniSearch (BM25+), searched by the
 * terms of terms.ts (the understanding's segmenter and normaliser, synonym groups, Chinese character pairs).
 *
 * Each entry is one document: its questions and keywords are what a question is matched against, its
 * answer counts a little. Whether to answer is decided so that a wrong answer is rarer than a hand-over
 * (a wrong answer costs an owner more than waiting for staff):
 * - the best entry's confidence must reach `minConfidence`: its BM25+ score times its coverage, the
 *   share of the question's terms (weighted by how rare each is across the entries) that the entry
 *   holds. A term no entry knows weighs as `unknownWeight` of the rarest, so a question about something
 *   the knowledge does not hold (业委会换届, a wifi password) covers little even where it shares a word;
 * - the second entry must fall clearly behind (`maxRatio` of the best score) … unless the two entries
 *   answer different parts of the question (装修要办什么手续？周末能施工吗？): each is confident on its
 *   own, each holds terms the other lacks, and together they cover the question. Such a pair is returned
 *   whenever the second is close enough (`pairRatio`); two close entries that are not a pair mean the
 *   question is unclear: nothing.
 * With labelled owners' questions (`examples`), a classifier trained on them and on the entries' own
 * questions gives a second opinion (classifier.ts), and an answer needs it: the entry BM25 would answer is
 * given only when the classifier names it too with at least `agree` probability; when the classifier is
 * `sure` of an entry that shares a term with the question, that entry is given even where BM25 found no
 * answer or another one; otherwise (the two disagree, or the classifier's best is "none of them", learned
 * from the questions no entry answers) nothing. Without examples the search decides alone.
 * Pure: no files; the loader hands the entries, synonym groups and examples in.
 */
import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import type { Locale } from '../types.js';
import { type TermClassifier, type TrainingDoc, trainTermClassifier } from './classifier.js';
import type { KnowledgeEntry, KnowledgeExample, KnowledgeIndex, KnowledgeMatch } from './entry.js';
import { compileSynonyms, type SynonymGroups, type Synonyms, termsOf } from './terms.js';

/**
 * The decision rule's thresholds (see the module comment); the defaults are tuned on the dev sets (dev, dev-2):
 * with the knowledge's questions written out more fully, fewer of a question's terms are unknown, and a term no
 * entry holds can weigh more (0.8, was 0.6) — one wrong answer fewer on each set, at one or two more hand-overs.
 */
export interface MatchThresholds {
  /** The least score × coverage the best entry needs to be answered. */
  minConfidence: number;
  /** A term no entry holds weighs this share of the rarest term's weight. */
  unknownWeight: number;
  /** The second entry must score below this share of the best for the best to be answered alone. */
  maxRatio: number;
  /** Two entries are given when the second scores at least this share of the best, … */
  pairRatio: number;
  /** … each holds at least this share of the question's weight that the other lacks … */
  pairNovelty: number;
  /** … and the two together cover at least this much of it. */
  pairCoverage: number;
  /** With examples: BM25's answer is given when the classifier gives its entry at least this probability … */
  agree: number;
  /** … and the classifier's best entry is given on its own from this probability. */
  sure: number;
}

export const DEFAULT_THRESHOLDS: MatchThresholds = {
  minConfidence: 13,
  unknownWeight: 0.8,
  maxRatio: 0.9,
  pairRatio: 0.6,
  pairNovelty: 0.08,
  pairCoverage: 0.85,
  agree: 0.5,
  sure: 0.9,
};

/** The classifier's class for the examples no entry answers. */
const NONE = '';

/** Field boosts: questions as written count fully, keywords a little more, answers a little. */
const BOOST = { questions: 1, keywords: 1.3, answer: 0.2 } as const;

/**
 * How much a question's term counts: a synonym group's word names the thing asked about (the fee, the
 * parcel locker, the dog) and counts more than the words around it; a lone Chinese character (家, 放)
 * says little and counts less.
 */
function termBoost(term: string): number {
  if (term.startsWith('=')) return SYNONYM_BOOST;
  if ([...term].length === 1 && /\p{Script=Han}/u.test(term)) return SINGLE_CHARACTER_BOOST;
  return 1;
}
const SYNONYM_BOOST = 2;
const SINGLE_CHARACTER_BOOST = 0.5;

interface Doc {
  id: string;
  questions: string;
  keywords: string;
  answer: string;
}

function docOf(entry: KnowledgeEntry): Doc {
  const all = (texts: Partial<Record<Locale, string | string[]>> | undefined) =>
    Object.values(texts ?? {})
      .flat()
      .join('\n');
  return { id: entry.id, questions: all(entry.questions), keywords: all(entry.keywords), answer: all(entry.answer) };
}

/** One entry's standing for a question, before the decision. */
export interface Candidate {
  id: string;
  score: number;
  /** Share of the question's weight the entry holds. */
  coverage: number;
  /** The question's terms the entry holds. */
  matched: string[];
}

/** Why a question got the answer it got: every candidate, best first, and the question's weighted terms. */
export interface Ranking {
  terms: { term: string; weight: number }[];
  candidates: Candidate[];
}

class MiniSearchKnowledge implements KnowledgeIndex {
  private readonly byId = new Map<string, KnowledgeEntry>();
  /** Each entry's terms (all fields), for document frequencies. */
  private readonly termsById = new Map<string, Set<string>>();
  private readonly df = new Map<string, number>();
  private readonly mini: MiniSearch<Doc>;
  /** Trained when first needed after the entries change; never when there are no examples. */
  private classifier: TermClassifier | undefined;
  /** Each entry's questions and keywords as one training text's terms (a class's counts are their sum). */
  private readonly trainingById = new Map<string, TrainingDoc>();
  private exampleDocs: TrainingDoc[] | undefined;

  /** An empty index, or (`saved`) the one a {@link KnowledgeIndexState} describes, its terms not made again. */
  constructor(
    private readonly synonyms: Synonyms,
    private readonly thresholds: MatchThresholds,
    private readonly examples: readonly KnowledgeExample[],
    saved?: KnowledgeIndexState,
  ) {
    const tokenize = (text: string) => termsOf(text, this.synonyms);
    const options: Options<Doc> = {
      fields: ['questions', 'keywords', 'answer'],
      tokenize,
      processTerm: (term) => term,
      searchOptions: { tokenize, processTerm: (term) => term, boost: { ...BOOST }, combineWith: 'OR' },
    };
    if (!saved) {
      this.mini = new MiniSearch<Doc>(options);
      return;
    }
    if (saved.format !== STATE_FORMAT) throw new Error(`a knowledge index state of another format (${saved.format})`);
    this.mini = MiniSearch.loadJS<Doc>(saved.mini, options);
    saved.entries.forEach((entry, i) => {
      this.byId.set(entry.id, entry);
      const terms = new Set(saved.terms[i]);
      this.termsById.set(entry.id, terms);
      for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    });
    for (const doc of saved.training) this.trainingById.set(doc.id, doc);
    this.exampleDocs = saved.examples;
  }

  /** This index as plain data (see {@link KnowledgeIndexState}); the examples' terms are made now if not yet. */
  toState(): KnowledgeIndexState {
    if (this.examples.length > 0) this.exampleDocs ??= this.exampleTerms();
    const entries = [...this.byId.values()];
    return {
      format: STATE_FORMAT,
      entries,
      terms: entries.map((e) => [...(this.termsById.get(e.id) ?? [])]),
      training: [...this.trainingById.values()],
      ...(this.exampleDocs ? { examples: this.exampleDocs } : {}),
      mini: this.mini.toJSON(),
    };
  }

  add(entries: readonly KnowledgeEntry[]): void {
    for (const entry of entries) {
      if (this.byId.has(entry.id)) this.remove(entry.id);
      const doc = docOf(entry);
      this.byId.set(entry.id, entry);
      const terms = new Set(termsOf(`${doc.questions}\n${doc.keywords}\n${doc.answer}`, this.synonyms));
      this.termsById.set(entry.id, terms);
      for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      this.mini.add(doc);
      if (this.examples.length > 0)
        this.trainingById.set(entry.id, {
          id: entry.id,
          terms: termsOf(`${doc.questions}\n${doc.keywords}`, this.synonyms),
        });
    }
    this.classifier = undefined;
  }

  remove(id: string): boolean {
    if (!this.byId.has(id)) return false;
    this.mini.discard(id);
    this.byId.delete(id);
    for (const t of this.termsById.get(id) ?? []) {
      const n = (this.df.get(t) ?? 1) - 1;
      if (n > 0) this.df.set(t, n);
      else this.df.delete(t);
    }
    this.termsById.delete(id);
    this.trainingById.delete(id);
    this.classifier = undefined;
    return true;
  }

  /** The labelled examples as training texts (the segmenter is the cost: made once). */
  private exampleTerms(): TrainingDoc[] {
    return this.examples.map((e) => ({ id: e.entry ?? NONE, terms: termsOf(e.text, this.synonyms) }));
  }

  /**
   * The classifier over the entries held now: their questions and keywords, and the examples of an entry
   * held (or of none); undefined without examples. The texts' terms are made once (the segmenter is the
   * cost), so retraining after a staff-saved entry is only counting.
   */
  private trained(): TermClassifier | undefined {
    if (this.examples.length === 0) return undefined;
    if (this.classifier) return this.classifier;
    this.exampleDocs ??= this.exampleTerms();
    const held = (doc: TrainingDoc) => doc.id === NONE || this.byId.has(doc.id);
    this.classifier = trainTermClassifier([...this.trainingById.values(), ...this.exampleDocs.filter(held)]);
    return this.classifier;
  }

  get(id: string): KnowledgeEntry | undefined {
    return this.byId.get(id);
  }

  entries(): KnowledgeEntry[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The question's terms weighted by rarity, and every entry that shares one, best first. */
  rank(question: string): Ranking {
    const n = this.byId.size;
    const unique = [...new Set(termsOf(question, this.synonyms))];
    const idf = (df: number) => Math.log(1 + n / df);
    const rarest = idf(1);
    const terms = unique.map((term) => {
      const df = this.df.get(term) ?? 0;
      return { term, weight: df === 0 ? rarest * this.thresholds.unknownWeight : idf(df) };
    });
    const total = terms.reduce((s, t) => s + t.weight, 0);
    const weightOf = new Map(terms.map((t) => [t.term, t.weight]));
    if (unique.length === 0 || n === 0) return { terms, candidates: [] };
    // The terms are already made: the query is split back into them, not tokenised again.
    const results = this.mini.search(unique.join(' '), { tokenize: (q) => q.split(' '), boostTerm: termBoost });
    const candidates = results
      .map((r) => {
        const matched = [...new Set(r.queryTerms)];
        const held = matched.reduce((s, t) => s + (weightOf.get(t) ?? 0), 0);
        // MiniSearch multiplies the BM25+ sum by the number of terms matched, which lets many common words
        // (去, 办, 登记) outweigh the one rare word that says what the question is about: undone here.
        const score = r.score / Math.max(1, r.queryTerms.length);
        return { id: String(r.id), score, coverage: total > 0 ? held / total : 0, matched };
      })
      .sort((a, b) => b.score - a.score);
    return { terms, candidates };
  }

  answer(question: string, _locale: Locale): KnowledgeMatch[] {
    const { terms, candidates } = this.rank(question);
    const bm25 = this.decide(terms, candidates);
    const classifier = this.trained();
    if (!classifier) return bm25;
    const [best] = classifier.classify(terms.map((x) => x.term));
    if (!best || best.id === NONE) return [];
    if (bm25[0]?.entry.id === best.id && best.probability >= this.thresholds.agree) return bm25;
    const shares = candidates.find((c) => c.id === best.id);
    if (shares && best.probability >= this.thresholds.sure) return [this.match(shares)];
    return [];
  }

  private match(c: Candidate): KnowledgeMatch {
    return { entry: this.byId.get(c.id) as KnowledgeEntry, score: c.score };
  }

  /** BM25's own answer (see the module comment). */
  private decide(terms: Ranking['terms'], candidates: readonly Candidate[]): KnowledgeMatch[] {
    const [first, second] = candidates;
    const t = this.thresholds;
    if (!first || first.score * first.coverage < t.minConfidence) return [];
    const match = (c: Candidate) => this.match(c);
    const pair = second !== undefined && this.isPair(terms, first, second);
    if (pair) return [match(first), match(second)];
    // Two close entries that do not answer two parts of it: the question is unclear.
    if (second && second.score >= first.score * t.maxRatio) return [];
    return [match(first)];
  }

  /** Whether two entries each answer their own part of the question (see the module comment). */
  private isPair(terms: Ranking['terms'], first: Candidate, second: Candidate): boolean {
    const t = this.thresholds;
    if (second.score < first.score * t.pairRatio || second.score * second.coverage < t.minConfidence) return false;
    const weightOf = new Map(terms.map((x) => [x.term, x.weight]));
    const total = terms.reduce((s, x) => s + x.weight, 0);
    const share = (ts: Iterable<string>) => [...ts].reduce((s, x) => s + (weightOf.get(x) ?? 0), 0) / total;
    const onlyIn = (a: Candidate, b: Candidate) => share(a.matched.filter((x) => !b.matched.includes(x)));
    return (
      onlyIn(first, second) >= t.pairNovelty &&
      onlyIn(second, first) >= t.pairNovelty &&
      share(new Set([...first.matched, ...second.matched])) >= t.pairCoverage
    );
  }
}

/** A KnowledgeIndex that can also show why it answered as it did (for `npm run eval -- --enquiries`). */
export interface RankedKnowledgeIndex extends KnowledgeIndex {
  rank(question: string): Ranking;
  /** The index as plain data, for {@link restoreKnowledgeIndex} (a start-up snapshot keeps it). */
  toState(): KnowledgeIndexState;
}

/** Bumped when {@link KnowledgeIndexState} changes shape: a state of another format is refused, never misread. */
const STATE_FORMAT = 'knowledge-index-1';

/**
 * A built index as plain data (structured-clone safe: a start-up snapshot keeps it in V8's serialisation):
 * the entries in the order they were added, the terms made of each, the classifier's training texts' terms
 * and MiniSearch's own serialisation. Restoring it segments nothing, which is most of building an index.
 * Valid only with the synonym groups and examples it was built with, and the code that made its terms
 * (termsOf): the snapshot is keyed by both.
 */
export interface KnowledgeIndexState {
  format: string;
  entries: KnowledgeEntry[];
  /** Each entry's distinct terms over all its fields, in the order of `entries`. */
  terms: string[][];
  /** Each entry's questions and keywords as the classifier's training text. */
  training: TrainingDoc[];
  /** The labelled examples' training texts (absent without examples). */
  examples?: TrainingDoc[];
  mini: AsPlainObject;
}

/**
 * Builds the index over `entries`, with the synonym groups used on both the entries and the questions, and
 * the labelled examples the classifier learns from (none: BM25 decides alone).
 */
export function createKnowledgeIndex(
  entries: readonly KnowledgeEntry[],
  synonyms: SynonymGroups = [],
  examples: readonly KnowledgeExample[] = [],
  thresholds: MatchThresholds = DEFAULT_THRESHOLDS,
): RankedKnowledgeIndex {
  const index = new MiniSearchKnowledge(compileSynonyms(synonyms), thresholds, examples);
  index.add(entries);
  return index;
}

/**
 * The index {@link RankedKnowledgeIndex.toState} described, answering exactly as the one built from the
 * same entries (the same scores, in the same order), without making a term; entries added later (staff-saved
 * knowledge) are indexed as in a built one. `synonyms`, `examples` and `thresholds` must be those it was
 * built with. Throws on a state of another format.
 */
export function restoreKnowledgeIndex(
  state: KnowledgeIndexState,
  synonyms: SynonymGroups = [],
  examples: readonly KnowledgeExample[] = [],
  thresholds: MatchThresholds = DEFAULT_THRESHOLDS,
): RankedKnowledgeIndex {
  return new MiniSearchKnowledge(compileSynonyms(synonyms), thresholds, examples, state);
}
