/**
 * The Assistant port: the AI help the application talks to: understanding an owner's free text, helping
 * staff (a card summary, a suggested reply) and summarising free-text answers. Two implementations, in
 * adapters/ai: the offline one (keyword classifier, templates; always there) and the OpenAI one, which
 * falls back to the offline one on any failure without the owner noticing. Every method resolves; none throws.
 */
import type { Locale } from '../types.js';
import type { EmergencyAssessment } from '../understand/emergency.js';
import type { Understanding } from '../understand/understanding.js';

export type { Understanding } from '../understand/understanding.js';

export interface ReplyContext {
  locale: Locale;
  /** What the ticket is about, as the card shows it. */
  ticketSummary: string;
  /** The plan agreed or proposed, if any: a reply never promises more than this. */
  plan?: string;
  /** The owner's last message, if the reply answers it. */
  lastOwnerMessage?: string;
}

export interface AnswerTheme {
  theme: string;
  count: number;
  /** Up to three answers quoted as written, with personal data masked. */
  quotes: string[];
}

export interface AnswerSummary {
  themes: AnswerTheme[];
}

/** Calls, tokens and fallbacks since start-up. */
export interface AiUsage {
  /** Requests that reached the model and were answered (retries count separately). */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Times the offline result was used instead of the model's (failure, bad output, rate cap). */
  fallbacks: number;
}

/** One knowledge entry an answer may be phrased from: its id and its answer, already rendered for the owner. */
export interface KnowledgeSource {
  id: string;
  answer: string;
}

/** A question and the knowledge entries matched for it, for the assistant to phrase one answer from. */
export interface KnowledgeAnswerRequest {
  question: string;
  locale: Locale;
  /** Best first; the only facts the answer may use. */
  sources: readonly KnowledgeSource[];
}

/** An answer phrased from knowledge entries, and the ids of the entries it used. */
export interface PhrasedAnswer {
  text: string;
  cites: string[];
}

export interface Assistant {
  readonly mode: 'openai' | 'offline';
  /** Whether `phraseAnswer` rewords (a model): offline it gives the entries' own text, so nothing is prepared. */
  readonly rewordsAnswers: boolean;
  /**
   * The emergency rules only (flows/understand/emergency.yaml), synchronous: the app checks this first,
   * in every state and before any length limit, so an emergency never waits on a model.
   */
  assessEmergency(text: string): EmergencyAssessment;
  /**
   * The offline reading, synchronous (what the engine can use when nothing better has been computed).
   * `emergency`: what {@link assessEmergency} gave for this same text, when the caller has it, so that the
   * rules are not read a second time for the message. The reading is the same with it or without; one that
   * this assistant did not give for this text is not used.
   */
  understandNow(text: string, emergency?: EmergencyAssessment): Understanding;
  /** The reading, from a model when there is one; `emergency` as for {@link understandNow}. */
  understand(text: string, locale: Locale, emergency?: EmergencyAssessment): Promise<Understanding>;
  /** A one-line summary for the staff card when the description is long ({@link CARD_SUMMARY_FROM}); else undefined. */
  summariseForCard(description: string, locale: Locale): Promise<string | undefined>;
  /** A draft reply for the accountable person to edit and send; undefined when there is nothing to reply to. */
  suggestReply(ctx: ReplyContext): Promise<string | undefined>;
  summariseAnswers(answers: readonly string[], locale: Locale): Promise<AnswerSummary>;
  /**
   * An answer to an owner's question phrased from the matched entries only (cited by id), or undefined
   * when there is nothing to phrase. The caller still checks it (cites among the sources, every number in
   * a cited source, length) and uses the entries' own text otherwise: the offline assistant returns that.
   */
  phraseAnswer(request: KnowledgeAnswerRequest): Promise<PhrasedAnswer | undefined>;
  usage(): AiUsage;
}

/** A description at least this long (in characters) gets a summary on the card. */
export const CARD_SUMMARY_FROM = 80;
/** The longest summary a model may give. */
export const MODEL_SUMMARY_MAX = 80;
/** The longest suggested reply. */
export const REPLY_MAX = 600;
/** The longest answer phrased from knowledge (characters). */
export const KNOWLEDGE_ANSWER_MAX = 600;
