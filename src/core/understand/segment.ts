/**
 * Words and features of an owner's text, for the statistical model and for whole-word keywords.
 *
 * Words come from `Intl.Segmenter` (its Chinese dictionary splits 态度|太|差, 电话|打不通, 窗户|漏水), so a
 * one-character keyword such as 度 or 电 can be required to stand as a word of its own. Features are the
 * words plus, for Chinese, the character 1–3-grams of each run of Chinese characters (robust to typos and
 * words the dictionary does not know), and, for English, lightly stemmed words and word pairs. Pure and
 * deterministic.
 */
import { normalise } from './normalise.js';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const CJK = /\p{Script=Han}/u;
const CJK_RUN = /\p{Script=Han}+/gu;
const LATIN = /^[a-z][a-z'-]*$/;

/** The text as every matcher sees it (see normalise.ts): Simplified, half-width, lower case. */
export function fold(text: string): string {
  return normalise(text);
}

let lastText: string | undefined;
let lastWords: readonly string[] = [];

/**
 * The words of already folded text, in order (punctuation and spaces left out). The last text's are kept:
 * the features and the whole-word keywords ask for the words of the same text, and splitting it is the
 * dearest step of either.
 */
export function words(folded: string): readonly string[] {
  if (folded !== lastText) {
    const out: string[] = [];
    for (const s of segmenter.segment(folded)) if (s.isWordLike) out.push(s.segment);
    lastText = folded;
    lastWords = out;
  }
  return lastWords;
}

const STOP_EN = new Set(['the', 'a', 'an', 'is', 'are', 'was', 'to', 'of', 'in', 'on', 'at', 'and', 'it', 'my', 'i']);

/** A light English stem: plural, -ing and -ed endings dropped (leaks, leaking, leaked → leak). */
export function stem(word: string): string {
  let w = word.replace(/'s$/, '').replace(/'/g, '');
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ied')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}

/**
 * The features of a text, each counted once: `w:` Chinese words, `c:` Chinese character 1–3-grams,
 * `e:` English stems, `b:` English stem pairs, `n` when it holds a number, `?` when it asks something.
 */
export function features(text: string): string[] {
  const folded = fold(text);
  const out = new Set<string>();
  let previous: string | undefined;
  for (const w of words(folded)) {
    if (CJK.test(w)) {
      out.add(`w:${w}`);
      previous = undefined;
    } else if (LATIN.test(w)) {
      const s = stem(w);
      if (!STOP_EN.has(w)) out.add(`e:${s}`);
      if (previous) out.add(`b:${previous}_${s}`);
      previous = s;
    } else if (/\d/.test(w)) {
      out.add('n');
      previous = undefined;
    }
  }
  for (const run of folded.match(CJK_RUN) ?? []) {
    const chars = [...run];
    // The 1-, 2- and 3-grams, in that order, each joined as it is added (no slice and join per n-gram).
    for (const c of chars) out.add(`c:${c}`);
    for (let i = 0; i + 2 <= chars.length; i++) out.add(`c:${chars[i]}${chars[i + 1]}`);
    for (let i = 0; i + 3 <= chars.length; i++) out.add(`c:${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  if (/[?？]|吗|么$|呢$/u.test(folded)) out.add('?');
  return [...out];
}

/**
 * At most how many word and n-gram features (`w:`, `c:`, `e:`, `b:`; not `n` nor `?`) {@link features} gives
 * a text, counted without splitting it into words: a Chinese word holds a Chinese character, an English word
 * a letter (and gives a stem and a pair at most), and a run of Chinese characters has at most three n-grams
 * per character. So a short text (a name, a flat number, a command) is known to have few without the split.
 */
export function mostFeatures(text: string): number {
  let han = 0;
  let letters = 0;
  for (const c of fold(text)) {
    if (c >= 'a' && c <= 'z') letters++;
    else if (CJK.test(c)) han++;
  }
  return 4 * han + 2 * letters;
}
