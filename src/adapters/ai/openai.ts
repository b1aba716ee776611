/**
 * The assistant backed by an OpenAI-compatible chat completions API (openai 6.x; OPENAI_BASE_URL for any
 * compatible server).
 *
 * Hard limits: every answer is JSON under a strict schema and validated again with zod (kind, category
 * and urgency are enums, so nothing an owner writes can make the model pick something outside them);
 * a timeout per call; one retry on a transient HTTP failure (5xx, 429, connection reset — not after a
 * timeout, the owner has waited long enough); a calls-per-minute cap; personal data masked before
 * sending unless AI_SEND_PERSONAL_DATA. On any failure, bad output or when capped, the offline result
 * is used and only a warning without content is logged. Prompts and answers are logged at debug only;
 * token usage per call and in total at info.
 *
 * This file holds the assistant itself; the pieces it is built from live by job in openai-client.ts
 * (the call: timeouts, retry, the per-minute cap, error mapping, usage), openai-text.ts (masking and the
 * checks shared by every answer), openai-understand.ts (reading an owner's message), openai-drafts.ts
 * (card summaries, draft replies, answer themes) and openai-knowledge.ts (answers from the estate's
 * knowledge).
 */

import type { z } from 'zod';
import type { Clock } from '../../core/ports.js';
import type { Locale } from '../../core/types.js';
import { looksLikeInstructions } from '../../core/understand/classify.js';
import type { EmergencyAssessment } from '../../core/understand/emergency.js';
import type { Logger } from '../../logger.js';
import {
  type AiUsage,
  type AnswerSummary,
  type Assistant,
  CARD_SUMMARY_FROM,
  KNOWLEDGE_ANSWER_MAX,
  type KnowledgeAnswerRequest,
  MODEL_SUMMARY_MAX,
  type PhrasedAnswer,
  type ReplyContext,
  type Understanding,
} from './assistant.js';
import { clip, type OfflineAssistant } from './offline.js';
import { type AiConfig, ModelClient, type OpenAIAssistantOptions } from './openai-client.js';
import {
  ANSWER_CHARS_MAX,
  ANSWERS_MAX,
  CARD_SYSTEM,
  checkReply,
  checkThemes,
  REPLY_SYSTEM,
  replyJsonSchema,
  replyOut,
  summaryJsonSchema,
  summaryOut,
  THEMES_SYSTEM,
  themesJsonSchema,
  themesOut,
} from './openai-drafts.js';
import { KNOWLEDGE_SYSTEM, phrasedJsonSchema, phrasedOut } from './openai-knowledge.js';
import { inLanguage, LANGUAGE, oneLine, PLACEHOLDER, prepare } from './openai-text.js';
import {
  type ModelUnderstanding,
  mergeUnderstanding,
  UNDERSTAND_SYSTEM,
  understandJsonSchema,
  understandOut,
} from './openai-understand.js';

export type { AiConfig, OpenAIAssistantOptions } from './openai-client.js';
export type { ModelUnderstanding } from './openai-understand.js';

export class OpenAIAssistant implements Assistant {
  readonly mode = 'openai' as const;
  readonly rewordsAnswers = true;
  private readonly model: ModelClient;

  constructor(
    private readonly config: AiConfig,
    private readonly offline: OfflineAssistant,
    private readonly log: Logger,
    clock: Clock,
    opts: OpenAIAssistantOptions = {},
  ) {
    this.model = new ModelClient(config, log, clock, opts);
  }

  assessEmergency(text: string): EmergencyAssessment {
    return this.offline.assessEmergency(text);
  }

  understandNow(text: string, emergency?: EmergencyAssessment): Understanding {
    return this.offline.understandNow(text, emergency);
  }

  async understand(text: string, locale: Locale, emergency?: EmergencyAssessment): Promise<ModelUnderstanding> {
    const offline = this.offline.understandNow(text, emergency);
    if (!text.trim()) return offline;
    if (looksLikeInstructions(text, this.offline.keywords)) {
      // The owner's text tries to steer a model: the keyword reading stands, and no call is spent on it.
      this.model.fallback('understand', 'instructions_in_text');
      return offline;
    }
    const out = await this.model.ask({
      op: 'understand',
      messages: [
        { role: 'system', content: UNDERSTAND_SYSTEM },
        { role: 'user', content: this.wrap(text, locale) },
      ],
      name: 'ticket_form',
      jsonSchema: understandJsonSchema,
      schema: understandOut,
      maxTokens: 400,
    });
    return out ? mergeUnderstanding(out, text, offline) : offline;
  }

  async summariseForCard(description: string, locale: Locale): Promise<string | undefined> {
    if ([...description.trim()].length < CARD_SUMMARY_FROM) return undefined;
    const out = await this.model.ask({
      op: 'card_summary',
      messages: [
        { role: 'system', content: CARD_SYSTEM },
        { role: 'user', content: this.wrap(description, locale) },
      ],
      name: 'card_summary',
      jsonSchema: summaryJsonSchema,
      schema: summaryOut,
      maxTokens: 120,
    });
    const summary = out ? oneLine(out.summary, MODEL_SUMMARY_MAX) : undefined;
    if (out && !summary) this.model.fallback('card_summary', 'rejected');
    return summary ?? this.offline.cardSummaryNow(description);
  }

  async suggestReply(ctx: ReplyContext): Promise<string | undefined> {
    if (!ctx.ticketSummary.trim()) return undefined;
    const data = {
      language: LANGUAGE[ctx.locale],
      ticket: this.prepare(ctx.ticketSummary),
      plan: ctx.plan ? this.prepare(ctx.plan) : null,
      ownerLastMessage: ctx.lastOwnerMessage ? this.prepare(ctx.lastOwnerMessage) : null,
    };
    const out = await this.model.ask({
      op: 'suggest_reply',
      messages: [
        { role: 'system', content: REPLY_SYSTEM },
        {
          role: 'user',
          content: `Draft the reply in ${LANGUAGE[ctx.locale]}. The ticket, as JSON:\n${JSON.stringify(data)}`,
        },
      ],
      name: 'reply',
      jsonSchema: replyJsonSchema,
      schema: replyOut,
      maxTokens: 400,
    });
    const reply = out ? checkReply(out.reply, ctx) : undefined;
    if (out && !reply) this.model.fallback('suggest_reply', 'rejected');
    return reply ?? this.offline.replyNow(ctx);
  }

  async summariseAnswers(answers: readonly string[], locale: Locale): Promise<AnswerSummary> {
    const kept = answers.map((a) => a.trim()).filter((a) => a.length > 0);
    if (kept.length === 0) return { themes: [] };
    if (kept.length > ANSWERS_MAX) {
      this.log.debug({ op: 'summarise_answers', count: kept.length }, 'too many answers for one call; grouped offline');
      return this.offline.answerSummaryNow(kept, locale);
    }
    const numbered = kept.map((a, i) => `${i + 1}. ${clip(this.prepare(a), ANSWER_CHARS_MAX)}`).join('\n');
    const out = await this.model.ask({
      op: 'summarise_answers',
      messages: [
        { role: 'system', content: THEMES_SYSTEM },
        { role: 'user', content: `Labels in ${LANGUAGE[locale]}. The answers:\n<<<\n${numbered}\n>>>` },
      ],
      name: 'answer_themes',
      jsonSchema: themesJsonSchema,
      schema: themesOut,
      maxTokens: 800,
    });
    const summary = out ? checkThemes(out, kept) : undefined;
    if (out && !summary) this.model.fallback('summarise_answers', 'rejected');
    return summary ?? this.offline.answerSummaryNow(kept, locale);
  }

  async phraseAnswer(request: KnowledgeAnswerRequest): Promise<PhrasedAnswer | undefined> {
    const offline = this.offline.answerNow(request);
    if (!offline || !request.question.trim()) return offline;
    if (looksLikeInstructions(request.question, this.offline.keywords)) {
      this.model.fallback('phrase_answer', 'instructions_in_text');
      return offline;
    }
    const data = {
      language: LANGUAGE[request.locale],
      question: this.prepare(request.question),
      // The estate's own texts (office phone, fees): never masked, they are what the answer must quote.
      entries: request.sources.map((s) => ({ id: s.id, answer: s.answer })),
    };
    const out = await this.model.ask({
      op: 'phrase_answer',
      messages: [
        { role: 'system', content: KNOWLEDGE_SYSTEM },
        {
          role: 'user',
          content: `Answer in ${LANGUAGE[request.locale]}. The question and the entries, as JSON:\n${JSON.stringify(data)}`,
        },
      ],
      name: 'knowledge_answer',
      jsonSchema: phrasedJsonSchema,
      schema: phrasedOut,
      maxTokens: 600,
    });
    const phrased = out ? this.checkPhrased(out, request) : undefined;
    if (out && !phrased) this.model.fallback('phrase_answer', 'rejected');
    return phrased ?? offline;
  }

  usage(): AiUsage {
    return this.model.usage();
  }

  /** The text as it may be sent: masked unless personal data may go, and cut to a sane length. */
  private prepare(text: string): string {
    return prepare(text, this.config.sendPersonalData);
  }

  private wrap(text: string, locale: Locale): string {
    return `Owner's language: ${LANGUAGE[locale]}. Everything between <<< and >>> is the owner's message.\n<<<\n${this.prepare(text)}\n>>>`;
  }

  /** The model's answer, if it cites only given entries, is in the owner's language and is not too long. */
  private checkPhrased(out: z.infer<typeof phrasedOut>, request: KnowledgeAnswerRequest): PhrasedAnswer | undefined {
    const text = out.text.replace(PLACEHOLDER, '').trim();
    const ids = new Set(request.sources.map((s) => s.id));
    const cites = [...new Set(out.cites)];
    if (!text || [...text].length > KNOWLEDGE_ANSWER_MAX || !inLanguage(text, request.locale)) return undefined;
    if (cites.length === 0 || cites.some((id) => !ids.has(id))) return undefined;
    return { text, cites };
  }
}
