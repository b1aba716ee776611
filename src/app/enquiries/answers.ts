/**
 * Answers from the estate's knowledge: an entry's answer rendered for the owner (the deployment's estate
 * name and duty phone in place of {{estate}} and {{dutyPhone}}), and the check a model's phrasing must pass
 * before an owner reads it. The check is the promise that a model never invents a fee, a phone number or a
 * rule: the cited entries are among those matched, and every number, amount, time, phone, link and
 * spelled-out number in the text is found in the cited entries' own answers. Anything else is dropped for
 * the entries' own text.
 */
import type { KnowledgeEntry, KnowledgeMatch } from '../../core/knowledge/entry.js';
import { toHalfWidth } from '../../core/location.js';
import { KNOWLEDGE_ANSWER_MAX, type KnowledgeSource, type PhrasedAnswer } from '../../core/ports/assistant.js';
import type { Locale } from '../../core/types.js';
import type { AppContext } from '../context.js';

const DUTY_PHONE = /\{\{\s*dutyPhone\s*\}\}/;
/** A sentence with its end (。！？; or . ! ? before a space or line end) and the breaks after it. */
const SENTENCE = /[^。！？!?\n]+?(?:[。！？!?]+|\.(?=\s|$)|\n|$)\s*|[。！？!?\n]\s*/gu;

/**
 * An entry's answer in the owner's language (else the one it has), with the deployment's values filled in.
 * Without a configured duty phone (DUTY_PHONE) nothing stands in for the number: the sentences that name it
 * are left out, and an answer that leads with it (the duty line itself) is no answer at all ('' — the
 * question goes to staff), so an owner is never told "ring the duty line (please call the service centre)".
 */
export function renderEntryAnswer(ctx: AppContext, entry: KnowledgeEntry, locale: Locale): string {
  let raw = entry.answer[locale] ?? Object.values(entry.answer).find((a) => a?.trim()) ?? '';
  if (!ctx.settings.dutyPhone && DUTY_PHONE.test(raw)) {
    const sentences = raw.match(SENTENCE) ?? [];
    if (DUTY_PHONE.test(sentences[0] ?? '')) return '';
    raw = sentences.filter((x) => !DUTY_PHONE.test(x)).join('');
  }
  const values: Record<string, string> = { estate: ctx.settings.estateName, dutyPhone: ctx.settings.dutyPhone };
  return raw.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole).trim();
}

/** The matched entries as the assistant sees them: id and rendered answer, best first. */
export function sourcesOf(ctx: AppContext, matches: readonly KnowledgeMatch[], locale: Locale): KnowledgeSource[] {
  return matches
    .map((m) => ({ id: m.entry.id, answer: renderEntryAnswer(ctx, m.entry, locale) }))
    .filter((s) => s.answer !== '');
}

/** The entries' own answers, best first: what the owner reads when no phrasing passes the check. */
export function ownText(sources: readonly KnowledgeSource[]): PhrasedAnswer | undefined {
  if (sources.length === 0) return undefined;
  return { text: sources.map((s) => s.answer).join('\n\n'), cites: sources.map((s) => s.id) };
}

/** Why a phrasing was not used (for the log and the tests), or undefined when it is faithful. */
export type Unfaithful = 'empty' | 'too_long' | 'no_cites' | 'unknown_cite' | 'invented_fact';

const DIGITS = /\d+(?:[.,:\-/]\d+)*/g;
const ZH_NUMBER =
  /[零〇一二两三四五六七八九十百千万]+\s*(?:元|块|角|分钟|小时|个?工作日|天|日|号|点半?|栋|幢|楼|层|单元|室|米|公斤|斤|次|个?月|年|周|%)/g;
const EN_NUMBER =
  /\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand|half|noon|midnight)\b/gi;
const LINK = /https?:\/\/\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+/gi;

/** The facts a text states: numbers (phones, amounts, times, dates), spelled-out numbers and links. */
export function factsOf(text: string): string[] {
  const s = toHalfWidth(text).replace(/[：]/g, ':');
  return [
    ...(s.match(DIGITS) ?? []),
    ...(s.match(ZH_NUMBER) ?? []),
    ...(s.match(EN_NUMBER) ?? []).map((w) => w.toLowerCase()),
    ...(s.match(LINK) ?? []).map((l) => l.replace(/[。，.,;；)）]+$/u, '')),
  ];
}

/** Checks a phrasing against the matched sources; undefined when it may be shown as it is. */
export function unfaithful(phrased: PhrasedAnswer, sources: readonly KnowledgeSource[]): Unfaithful | undefined {
  const text = phrased.text.trim();
  if (!text) return 'empty';
  if ([...text].length > KNOWLEDGE_ANSWER_MAX) return 'too_long';
  if (phrased.cites.length === 0) return 'no_cites';
  const cited = phrased.cites.map((id) => sources.find((s) => s.id === id));
  if (cited.some((s) => s === undefined)) return 'unknown_cite';
  const said = toHalfWidth(cited.map((s) => s?.answer ?? '').join('\n'))
    .replace(/[：]/g, ':')
    .toLowerCase();
  return factsOf(text).every((fact) => said.includes(fact.toLowerCase())) ? undefined : 'invented_fact';
}
