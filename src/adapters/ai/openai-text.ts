/**
 * Text handling shared by every OpenAIAssistant prompt: the owner's text as it may be sent (masked unless
 * personal data may go, and cut to a sane length), the language named to the model, and the checks every
 * answer's free text must pass before anyone sees it.
 */
import type { Locale } from '../../core/types.js';
import { mask } from '../../core/understand/mask.js';

/** The longest owner text sent to the model (characters); the offline reading covers the rest. */
const TEXT_MAX = 2000;

export const LANGUAGE: Record<Locale, string> = { 'zh-CN': 'Simplified Chinese', en: 'English' };

/** The text as it may be sent: masked unless personal data may go, and cut to a sane length. */
export function prepare(text: string, sendPersonalData: boolean): string {
  const s = sendPersonalData ? text : mask(text);
  return [...s].slice(0, TEXT_MAX).join('');
}

/** The placeholders {@link mask} leaves; the model must never pass them on. */
export const PLACEHOLDER = /\[(?:NAME|PHONE|ID|EMAIL|FLAT)\]/g;

/** One clean line of at most `max` characters, or undefined. */
export function oneLine(text: string, max: number): string | undefined {
  const s = text.replace(PLACEHOLDER, '').replace(/\s+/g, ' ').trim();
  if (!s || /[\r\n]/.test(text.trim()) || [...s].length > max) return undefined;
  if (/[<>{}`]/.test(s)) return undefined;
  return s;
}

const CJK = /[\u3400-\u9fff]/g;

/** Whether a text is written in the locale's language (by its share of Chinese characters). */
export function inLanguage(text: string, locale: Locale): boolean {
  const letters = text.replace(/[\s\p{P}\p{S}\d]/gu, '').length;
  if (letters === 0) return false;
  const share = (text.match(CJK)?.length ?? 0) / letters;
  return locale === 'zh-CN' ? share >= 0.5 : share < 0.1;
}
