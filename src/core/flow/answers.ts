/**
 * Checking one typed answer against the kind of answer a step takes. Pure; each check returns the value
 * or a locale key that says, briefly and specifically, what was wrong.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parseLocation, toHalfWidth } from '../location.js';
import type { AnswerValue } from './state.js';

export type Checked =
  | { ok: true; value: AnswerValue }
  | { ok: false; error: string; params?: Record<string, string | number> };

/** The longest text any step accepts; longer messages are refused whole (the log keeps them). */
export const HARD_TEXT_LIMIT = 4000;

const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Trims, drops invisible characters and folds runs of blank lines. */
export function cleanText(text: string): string {
  return text
    .replace(INVISIBLE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Folds a label or an answer for comparison: lower case, no spaces, punctuation or emoji. */
export function fold(text: string): string {
  return toHalfWidth(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function checkText(text: string, min: number, max: number): Checked {
  const clean = cleanText(text);
  const length = [...clean].length;
  if (length === 0) return { ok: false, error: 'input.empty' };
  if (length > max) return { ok: false, error: 'input.too_long', params: { max, length } };
  if (length < min) return { ok: false, error: 'input.too_short', params: { min } };
  return { ok: true, value: clean };
}

/** Mainland numbers without a prefix, +86 and any valid international number; stored as E.164. */
export function checkPhone(text: string): Checked {
  const raw = toHalfWidth(cleanText(text)).replace(/[\s()（）-]/g, '');
  if (!/^\+?\d{5,17}$/.test(raw)) return { ok: false, error: 'input.phone_invalid' };
  // Without + or 00 it is a mainland number: a mobile (1…), a landline with its trunk 0, or 86 typed without +.
  // A landline without its 0 (2345678901) is too easily a mistyped mobile to be accepted.
  if (!raw.startsWith('+') && !raw.startsWith('00') && !/^(?:1|0|86)/.test(raw)) {
    return { ok: false, error: 'input.phone_invalid' };
  }
  const parsed = parsePhoneNumberFromString(raw.startsWith('00') ? `+${raw.slice(2)}` : raw, 'CN');
  if (!parsed?.isValid()) return { ok: false, error: 'input.phone_invalid' };
  return { ok: true, value: parsed.number };
}

/** How a stored phone number is read back to its owner: national form for China, international otherwise. */
export function formatPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.countryCallingCode === '86'
    ? parsed.formatNational().replace(/\s/g, ' ')
    : parsed.formatInternational();
}

/** The longest place description a location step accepts. */
export const LOCATION_MAX = 200;

export function checkLocation(text: string): Checked {
  const checked = checkText(text, 2, LOCATION_MAX);
  if (!checked.ok) return checked;
  return { ok: true, value: parseLocation(checked.value as string) };
}

export function checkRating(text: string, min: number, max: number): Checked {
  const s = toHalfWidth(cleanText(text))
    .replace(/分$|points?$/i, '')
    .trim();
  if (!/^\d{1,2}$/.test(s)) return { ok: false, error: 'input.rating_invalid', params: { min, max } };
  const n = Number(s);
  if (n < min || n > max) return { ok: false, error: 'input.rating_invalid', params: { min, max } };
  return { ok: true, value: n };
}

const YES = new Set(['是', '是的', '对', '对的', '好', '好的', '有', '解决了', '已解决', 'yes', 'y', 'yeah', 'ok']);
const NO = new Set(['否', '不是', '不', '没有', '没', '未解决', '没解决', 'no', 'n', 'nope']);

export function checkYesNo(text: string): Checked {
  const s = fold(text);
  if (YES.has(s)) return { ok: true, value: true };
  if (NO.has(s)) return { ok: true, value: false };
  return { ok: false, error: 'input.choose' };
}

/** A typed number picks the n-th button (1-based); full-width digits count too. */
export function parseIndex(text: string): number | undefined {
  const s = toHalfWidth(cleanText(text)).replace(/[.。、)]$/, '');
  if (!/^\d{1,2}$/.test(s)) return undefined;
  return Number(s);
}
