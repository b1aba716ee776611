/**
 * The offline assistant: the keyword classifier, first-sentence summaries, a courteous reply template per
 * language and keyword grouping of answers. What runs in tests, on machines without a key, and whenever
 * the model fails.
 */

import type { Locale } from '../../core/types.js';
import { isEmptyAnswer, SUMMARY_MAX, summarise, themeLabel, themeOf } from '../../core/understand/classify.js';
import {
  type EmergencyAssessment,
  type EmergencyReading,
  type EmergencyRules,
  emergencyReading,
} from '../../core/understand/emergency.js';
import {
  assessText,
  INTENT_SURE,
  type Understander,
  type UnderstandModel,
  understandText,
} from '../../core/understand/intent.js';
import type { Keywords } from '../../core/understand/keywords.js';
import { mask } from '../../core/understand/mask.js';
import {
  type AiUsage,
  type AnswerSummary,
  type Assistant,
  CARD_SUMMARY_FROM,
  type KnowledgeAnswerRequest,
  type PhrasedAnswer,
  type ReplyContext,
  type Understanding,
} from './assistant.js';
import { loadEmergencyRules } from './emergency-file.js';
import { loadUnderstandModel } from './model-file.js';

/** The most quotes per theme, and the longest quote. */
const QUOTES_PER_THEME = 3;
const QUOTE_MAX = 100;

export class OfflineAssistant implements Assistant {
  readonly mode = 'offline' as const;
  readonly rewordsAnswers: boolean = false;
  private trained: UnderstandModel | undefined;
  /**
   * The rules' reading behind each verdict assessEmergency gave, while the verdict is in use: understandNow,
   * handed the verdict back, takes the rules' verdict and guards from it instead of reading the rules again.
   */
  private readonly readings = new WeakMap<EmergencyAssessment, EmergencyReading>();
  constructor(
    readonly keywords: Keywords,
    /** The emergency rules; read from flows/understand/emergency.yaml when left out. */
    readonly emergencyRules: EmergencyRules = loadEmergencyRules(),
    /**
     * The trained model, or what gives it at its first use (the content's, read from its snapshot then);
     * trained from flows/understand/training.json at its first use when left out.
     */
    private readonly given?: UnderstandModel | (() => UnderstandModel),
  ) {}

  /** The understanding model (trained once per keyword set, at first use). */
  get model(): UnderstandModel {
    const given = this.given;
    this.trained ??= typeof given === 'function' ? given() : (given ?? loadUnderstandModel(this.keywords));
    return this.trained;
  }

  /** The rules' verdict, with the trained model as a second line of defence (none → unclear at most). */
  assessEmergency(text: string): EmergencyAssessment {
    const reading = emergencyReading(text, this.emergencyRules);
    const verdict = assessText(text, this.understander(), undefined, reading);
    this.readings.set(verdict, reading);
    return verdict;
  }

  /**
   * The intent and, for a report, its reading (understandText): what the app routes on. Given the verdict
   * assessEmergency gave for the text, the rules' reading behind it is used (understandText checks that it
   * is of this text).
   */
  understandNow(text: string, emergency?: EmergencyAssessment): Understanding {
    const reading = emergency ? this.readings.get(emergency) : undefined;
    const u = understandText(text, this.understander(), reading);
    const r = u.report;
    // A barely-read report about nothing in particular is not understood (the owner gets the menu).
    const vague = u.intent === 'report' && u.confidence < INTENT_SURE && r.category === 'other' && !r.location;
    return {
      intent: vague ? 'other' : u.intent,
      kind: r.kind,
      category: r.category,
      urgency: r.urgency,
      ...(r.location ? { location: r.location } : {}),
      summary: r.summary,
      emergency: u.emergency.verdict === 'present',
      // A report's measure is its category's; any other intent's, the intent's own.
      confidence: u.intent === 'report' ? r.categoryConfidence : u.confidence,
      source: 'offline',
      ...(u.askCategory && !vague ? { askCategory: true, categories: r.categories.map((c) => c.label) } : {}),
    };
  }

  async understand(text: string, _locale: Locale, emergency?: EmergencyAssessment): Promise<Understanding> {
    return this.understandNow(text, emergency);
  }

  private understander(): Understander {
    return { keywords: this.keywords, model: this.model, emergencyRules: this.emergencyRules };
  }

  async summariseForCard(description: string, _locale: Locale): Promise<string | undefined> {
    return this.cardSummaryNow(description);
  }

  cardSummaryNow(description: string): string | undefined {
    if ([...description.trim()].length < CARD_SUMMARY_FROM) return undefined;
    return summarise(description, SUMMARY_MAX) || undefined;
  }

  async suggestReply(ctx: ReplyContext): Promise<string | undefined> {
    return this.replyNow(ctx);
  }

  /** A courteous reply that promises nothing beyond the plan it is given. */
  replyNow(ctx: ReplyContext): string | undefined {
    const summary = clip(ctx.ticketSummary, 60);
    if (!summary) return undefined;
    const plan = ctx.plan ? clip(ctx.plan, 200) : undefined;
    if (ctx.locale === 'zh-CN') {
      return [
        `您好！关于您反映的“${summary}”，我们已经收到，感谢您的反馈。`,
        ctx.lastOwnerMessage ? '您刚才补充的情况我们也记下了。' : '',
        plan ? `我们的处理安排是：${plan}。` : '我们正在安排同事核实情况，',
        '有进展会第一时间在这里告诉您。如还有其他问题，欢迎随时留言。',
      ].join('');
    }
    return [
      `Hello, and thank you for letting us know about "${summary}".`,
      ctx.lastOwnerMessage ? ' We have noted what you added as well.' : '',
      plan ? ` Here is what we plan to do: ${plan}.` : ' We are looking into it now.',
      ' We will keep you posted here as things move on. If there is anything else, just reply to this message.',
    ].join('');
  }

  async summariseAnswers(answers: readonly string[], locale: Locale): Promise<AnswerSummary> {
    return this.answerSummaryNow(answers, locale);
  }

  answerSummaryNow(answers: readonly string[], locale: Locale): AnswerSummary {
    const groups = new Map<string, string[]>();
    for (const raw of answers) {
      const answer = raw.trim();
      if (!answer || isEmptyAnswer(answer, this.keywords)) continue;
      const id = themeOf(answer, this.keywords);
      groups.set(id, [...(groups.get(id) ?? []), answer]);
    }
    const themes = [...groups.entries()].map(([id, list]) => ({
      theme: themeLabel(id, this.keywords, locale),
      count: list.length,
      quotes: quotesFrom(list),
    }));
    themes.sort((a, b) => b.count - a.count || a.theme.localeCompare(b.theme));
    return { themes };
  }

  async phraseAnswer(request: KnowledgeAnswerRequest): Promise<PhrasedAnswer | undefined> {
    return this.answerNow(request);
  }

  /** The entries' own answers, best first, each cited: nothing reworded, so nothing can be invented. */
  answerNow(request: KnowledgeAnswerRequest): PhrasedAnswer | undefined {
    const sources = request.sources.filter((s) => s.answer.trim() !== '');
    if (sources.length === 0) return undefined;
    return { text: sources.map((s) => s.answer.trim()).join('\n\n'), cites: sources.map((s) => s.id) };
  }

  /** The offline assistant never calls a model. */
  usage(): AiUsage {
    return { calls: 0, promptTokens: 0, completionTokens: 0, fallbacks: 0 };
  }
}

/** Up to three distinct answers, masked and cut short, as quotes. */
export function quotesFrom(answers: readonly string[]): string[] {
  const seen = new Set<string>();
  const quotes: string[] = [];
  for (const a of answers) {
    const q = clip(mask(a), QUOTE_MAX);
    if (!q || seen.has(q)) continue;
    seen.add(q);
    quotes.push(q);
    if (quotes.length >= QUOTES_PER_THEME) break;
  }
  return quotes;
}

/** One line, trailing punctuation dropped, at most `max` characters (with an ellipsis). */
export function clip(text: string, max: number): string {
  const line = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[。.!！?？，,;；:：\s]+$/u, '');
  const chars = [...line];
  return chars.length <= max
    ? line
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
