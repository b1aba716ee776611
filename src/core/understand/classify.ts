/**
 * The offline classifier: reads kind, category, urgency, place and a one-line summary from what an owner
 * writes, with keywords as data (`flows/keywords.yaml`). Pure and synchronous, so the conversation
 * engine can use it directly and an emergency never waits on anything.
 */
import {
  CATEGORIES,
  type Category,
  type EstateLocation,
  type Locale,
  type TicketKind,
  type Urgency,
} from '../types.js';
import { assessEmergency, type EmergencyRules } from './emergency.js';
import { foldForMatch, type Keywords, matchTerms, type Term } from './keywords.js';
import { findLocation } from './location.js';

export interface Classification {
  kind: TicketKind;
  category: Category;
  urgency: Urgency;
  location?: EstateLocation;
  /** A trimmed first sentence, at most {@link SUMMARY_MAX} characters. */
  summary: string;
  /** How sure the category is, 0–1: low when nothing or several categories matched equally. */
  confidence: number;
  emergency: boolean;
  /** What matched, as `section:term` (e.g. `category.lift:电梯`, `urgency.emergency:着火`). */
  matched: string[];
}

/** The longest offline summary. */
export const SUMMARY_MAX = 40;

const sum = (terms: readonly Term[]) => terms.reduce((n, t) => n + t.weight, 0);

function emergencyTerms(folded: string, keywords: Keywords): Term[] {
  let s = folded;
  // Phrases that only look like an emergency (燃气费, 打不着火, fire drill) are blanked out first.
  for (const t of keywords.urgency.emergencyExcept) s = s.replace(new RegExp(t.re.source, `${t.re.flags}g`), ' ');
  return matchTerms(s, keywords.urgency.emergency);
}

/**
 * The old keyword-list emergency check (`urgency.emergency` of flows/keywords.yaml). Superseded by
 * {@link assessEmergency} and the rules of flows/understand/emergency.yaml; kept only for callers not
 * moved yet (classify without rules).
 */
export function isEmergency(text: string, keywords: Keywords): boolean {
  return emergencyTerms(foldForMatch(text), keywords).length > 0;
}

/** Scores every category and returns them best first (ties keep the order of CATEGORIES). */
export function scoreCategories(
  folded: string,
  keywords: Keywords,
): { category: Category; score: number; terms: Term[] }[] {
  return CATEGORIES.map((category) => {
    const terms = matchTerms(folded, keywords.categories[category].terms);
    return { category, score: sum(terms), terms };
  }).sort((a, b) => b.score - a.score);
}

/** With `emergency` rules the emergency flag is their `present` verdict; without, the old keyword list. */
export function classify(text: string, keywords: Keywords, emergency?: EmergencyRules): Classification {
  const folded = foldForMatch(text);
  const matched: string[] = [];
  const note = (section: string, terms: readonly Term[]) => {
    for (const t of terms) matched.push(`${section}:${t.source}`);
  };

  const ranked = scoreCategories(folded, keywords);
  const top = ranked[0];
  const second = ranked[1];
  const topScore = top?.score ?? 0;
  const category: Category = top && topScore > 0 ? top.category : 'other';
  if (top && topScore > 0) note(`category.${top.category}`, top.terms);
  const margin = topScore > 0 ? (topScore - (second?.score ?? 0)) / topScore : 0;
  const confidence = topScore > 0 ? round2(Math.min(1, 0.35 + 0.15 * topScore) * (0.55 + 0.45 * margin)) : 0.2;

  const complaint = matchTerms(folded, keywords.kinds.complaint);
  const suggestion = matchTerms(folded, keywords.kinds.suggestion);
  note('kind.complaint', complaint);
  note('kind.suggestion', suggestion);
  const kind = pickKind(sum(complaint), sum(suggestion), keywords.categories[category].kind);

  let isEmergencyNow: boolean;
  if (emergency) {
    const a = assessEmergency(text, emergency);
    isEmergencyNow = a.verdict === 'present';
    if (isEmergencyNow) matched.push(...a.matched.map((m) => `emergency.${m}`));
  } else {
    const emergencyHits = emergencyTerms(folded, keywords);
    note('urgency.emergency', emergencyHits);
    isEmergencyNow = emergencyHits.length > 0;
  }
  const urgentHits = matchTerms(folded, keywords.urgency.urgent);
  const lowHits = matchTerms(folded, keywords.urgency.low);
  note('urgency.urgent', urgentHits);
  note('urgency.low', lowHits);
  let urgency: Urgency;
  if (isEmergencyNow) urgency = 'emergency';
  else if (urgentHits.length > 0) urgency = 'urgent';
  else if (kind === 'suggestion' || lowHits.length > 0) urgency = 'low';
  else urgency = keywords.categories[category].urgency;

  const location = findLocation(text);
  return {
    kind,
    category,
    urgency,
    ...(location ? { location } : {}),
    summary: summarise(text),
    confidence,
    emergency: isEmergencyNow,
    matched,
  };
}

function pickKind(complaint: number, suggestion: number, fallback: TicketKind): TicketKind {
  if (complaint === 0 && suggestion === 0) return fallback;
  if (suggestion > complaint) return 'suggestion';
  if (complaint > suggestion) return 'complaint';
  return fallback === 'repair' ? 'complaint' : fallback;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const GREETING =
  /^(?:(?:物业|管家|客服|师傅|工作人员)?(?:你好|您好|在吗|在不在|打扰了|打扰一下|麻烦问一下|请问)[啊呀呢哈]?[，,。.!！~～\s]*)+|^(?:hi|hello|hey|dear (?:sir|madam|sirs|management)|good (?:morning|afternoon|evening))[\s,.!]*(?:there[\s,.!]*)?/iu;
const SENTENCE_END = /[。！？!?\n；;]|\.(?=\s|$)|…/u;

/** The first sentence of a text, greetings dropped, spaces folded, cut to `max` characters with an ellipsis. */
export function summarise(text: string, max = SUMMARY_MAX): string {
  const clean = text.replace(/[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, '').trim();
  const body = clean.replace(GREETING, '').trim() || clean;
  const first = (body.split(SENTENCE_END).find((s) => s.trim().length > 0) ?? body)
    .replace(/\s+/g, ' ')
    .replace(/[，,、:：\s]+$/u, '')
    .trim();
  const chars = [...first];
  return chars.length <= max
    ? first
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** Whether the text looks like an attempt to instruct a model (ignore previous instructions …). */
export function looksLikeInstructions(text: string, keywords: Keywords): boolean {
  return matchTerms(foldForMatch(text), keywords.injection).length > 0;
}

/** Whether an answer says nothing worth summarising (无, 没有, no, n/a). */
export function isEmptyAnswer(text: string, keywords: Keywords): boolean {
  const folded = foldForMatch(text).trim();
  if (folded.replace(/[\p{P}\p{S}\s]/gu, '').length === 0) return true;
  return keywords.empty.some((t) => {
    const m = t.re.exec(folded);
    // Only when the whole answer is that word (with punctuation around it).
    return m !== null && folded.replace(m[0], '').replace(/[\p{P}\p{S}\s]/gu, '').length === 0;
  });
}

/** The theme an answer belongs to: a theme of the keyword file or a category; `other` when nothing matched. */
export function themeOf(text: string, keywords: Keywords): string {
  const folded = foldForMatch(text);
  let best = 'other';
  let bestScore = 0;
  for (const [id, theme] of Object.entries(keywords.themes)) {
    const score = sum(matchTerms(folded, theme.terms));
    if (score > bestScore) {
      best = id;
      bestScore = score;
    }
  }
  const top = scoreCategories(folded, keywords)[0];
  if (top && top.score > bestScore) best = top.category;
  return best;
}

/** A theme's (or category's) label in the given language. */
export function themeLabel(id: string, keywords: Keywords, locale: Locale): string {
  const theme =
    keywords.themes[id] ??
    ((CATEGORIES as readonly string[]).includes(id) ? keywords.categories[id as Category] : undefined);
  return theme?.label[locale] ?? keywords.categories.other.label[locale];
}
