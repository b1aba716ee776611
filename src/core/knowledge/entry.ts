/**
 * One piece of the estate's knowledge (物业知识): a question owners ask and the service centre's answer, in
 * both languages. Shipped as data in `flows/knowledge/*.yaml` (checked when loaded), or saved by a
 * supervisor from a staff answer (then kept in the store, and possibly in one language only).
 */
import type { Locale } from '../types.js';

/** What an enquiry is about, for the monthly counts (top topics). */
export const KNOWLEDGE_TOPICS = [
  'office',
  'phones',
  'fees',
  'utilities',
  'parking',
  'access',
  'renovation',
  'deliveries',
  'garbage',
  'pets',
  'visitors',
  'moving',
  'facilities',
  'repairs',
  'other',
] as const;
export type KnowledgeTopic = (typeof KNOWLEDGE_TOPICS)[number];

export interface KnowledgeEntry {
  /** Stable and readable: `fees.pay`, `office.hours`; staff-saved entries `learned.K007`. */
  id: string;
  topic: KnowledgeTopic;
  /** Ways owners ask it (matched against), per language; at least one in some language. */
  questions: Partial<Record<Locale, string[]>>;
  /** The answer, per language; file entries have both, staff-saved ones at least one. */
  answer: Partial<Record<Locale, string>>;
  /** Words that point at this entry and nothing else (searched with the questions). */
  keywords?: Partial<Record<Locale, string[]>>;
  /** Where it came from: a file (`flows/knowledge/fees.yaml`) or `staff:<staff id>`. */
  source: string;
  /** For staff-saved entries. */
  createdBy?: string;
  createdAt?: Date;
  /** The enquiry it was saved from (Q012). */
  fromEnquiry?: string;
}

/**
 * An owner's question labelled with the entry that answers it (`entry: null` when none does), shipped in
 * `flows/knowledge/examples.json` to train the search's second opinion (classifier.ts). An example for an
 * id the knowledge does not hold (an entry the estate removed) is ignored.
 */
export interface KnowledgeExample {
  text: string;
  locale: Locale;
  entry: string | null;
  /** The labelled set it was taken from (`dev-3`), so an evaluation can hold that set's examples out. */
  from?: string;
}

/** An entry found for a question, with how well it matched (higher is better; comparable within one index). */
export interface KnowledgeMatch {
  entry: KnowledgeEntry;
  score: number;
}

/** The estate's knowledge, searchable: the files' entries plus those staff saved. */
export interface KnowledgeIndex {
  /**
   * The entries to answer a question from, best first (one, or two when both clearly apply); empty when
   * nothing matches well enough to answer honestly.
   */
  answer(question: string, locale: Locale): KnowledgeMatch[];
  /** Adds entries, replacing any with the same id (staff-saved entries, at start-up and when saved). */
  add(entries: readonly KnowledgeEntry[]): void;
  /** Removes an entry by id; false when there was none. */
  remove(id: string): boolean;
  get(id: string): KnowledgeEntry | undefined;
  /** Every entry, in id order. */
  entries(): KnowledgeEntry[];
}
