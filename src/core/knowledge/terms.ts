/**
 * The terms a knowledge question or entry is searched by. One function serves the index and the query,
 * so both sides always agree.
 *
 * The text is folded by the understanding's own normaliser (Traditional to Simplified, lower case), then:
 * - every word of a synonym group (物管费, 门卡, fob) becomes the group's term (`=物业费`), found
 *   leftmost-longest on the folded text so that 物业费 counts as the fee and not as 物业;
 * - the rest is split into words by the understanding's segmenter; Chinese words are kept, and each run
 *   of Chinese characters also gives its character pairs (物业|费 and 物|业费 both meet 业费), which the
 *   segmenter's dictionary cannot split wrongly; English words are stemmed (leaks → leak);
 * - words that say nothing about the topic (请问, 的, please, the) are left out.
 * Pure and deterministic.
 */
import { fold, stem, words } from '../understand/segment.js';

/** Groups of words that mean the same thing, each group in any mix of languages. */
export type SynonymGroups = readonly (readonly string[])[];

const CJK = /\p{Script=Han}/u;
const CJK_RUN = /\p{Script=Han}+/gu;
const LATIN = /^[a-z][a-z'-]*$/;

/** Chinese words of courtesy and grammar: in nearly every question, so they would only add noise. */
const STOP_ZH = new Set([
  '的',
  '了',
  '吗',
  '呢',
  '吧',
  '啊',
  '呀',
  '哦',
  '嗯',
  '哈',
  '么',
  '请问',
  '问',
  '问一下',
  '想问',
  '一下',
  '你好',
  '您好',
  '麻烦',
  '谢谢',
  '我',
  '我们',
  '我家',
  '你',
  '你们',
  '您',
  '请',
  '是',
  '在',
  '个',
  '这',
  '那',
  '就',
  '都',
  '也',
  '还',
  '和',
  '跟',
  '给',
  '把',
  '要',
  '想',
  '能',
  '会',
  '有',
  '没',
  '不',
  '可以',
  '能不能',
  '可不可以',
  '是不是',
  '有没有',
  '需要',
  '那个',
  '这个',
  '就是',
  '然后',
  '现在',
  '到底',
  '具体',
  '大概',
  '一般',
  '直接',
  '还是',
  '或者',
  '打扰',
  '打扰了',
  '在吗',
  '喂',
  '嘛',
  '呗',
  '啦',
  '吖',
  '不',
  '了吗',
]);

/** Characters whose pairs carry no topic (的物, 吗请): a pair with one of them is not a term. */
const STOP_CHARS = new Set([
  '的',
  '了',
  '吗',
  '呢',
  '吧',
  '啊',
  '呀',
  '哦',
  '嗯',
  '嘛',
  '呗',
  '啦',
  '我',
  '你',
  '您',
  '请',
  '么',
  '要',
  '是',
  '个',
  '这',
  '那',
  '就',
  '都',
  '也',
]);

const STOP_EN = new Set([
  'the',
  'a',
  'an',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'am',
  'to',
  'of',
  'in',
  'on',
  'at',
  'and',
  'or',
  'it',
  'its',
  'my',
  'i',
  'me',
  'we',
  'our',
  'you',
  'your',
  'he',
  'she',
  'they',
  'them',
  'this',
  'that',
  'these',
  'those',
  'there',
  'do',
  'does',
  'did',
  'can',
  'could',
  'would',
  'will',
  'shall',
  'should',
  'may',
  'might',
  'must',
  'please',
  'hi',
  'hello',
  'hey',
  'thanks',
  'thank',
  'so',
  'just',
  'for',
  'with',
  'about',
  'any',
  'some',
  'have',
  'has',
  'had',
  'im',
  "i'm",
  'ok',
  'okay',
  'sorry',
  'if',
  'by',
  'from',
  'as',
  'up',
  'u',
]);

/** A compiled set of synonym groups: each word (folded) to its group's term, longest words first. */
export interface Synonyms {
  /** Folded word → the group's term (`=` and the group's first word, folded, spaces as `_`). */
  readonly termOf: ReadonlyMap<string, string>;
  /** Folded words, longest first, for leftmost-longest matching. */
  readonly words: readonly string[];
}

export function compileSynonyms(groups: SynonymGroups): Synonyms {
  const termOf = new Map<string, string>();
  for (const group of groups) {
    const first = group[0];
    if (first === undefined) continue;
    const term = `=${fold(first).replace(/\s+/g, '_')}`;
    for (const word of group) {
      const w = fold(word);
      if (w && !termOf.has(w)) termOf.set(w, term);
    }
  }
  const sorted = [...termOf.keys()].sort((a, b) => b.length - a.length || a.localeCompare(b));
  return { termOf, words: sorted };
}

const isWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);

/**
 * Finds the synonyms in folded text, leftmost-longest, and blanks them out: English words must stand
 * whole (app is not in apple), Chinese words match anywhere.
 */
function takeSynonyms(folded: string, synonyms: Synonyms): { rest: string; terms: string[] } {
  const terms: string[] = [];
  let rest = '';
  let i = 0;
  outer: while (i < folded.length) {
    for (const w of synonyms.words) {
      if (!folded.startsWith(w, i)) continue;
      const latin = /[a-z]/.test(w);
      if (latin && (isWordChar(folded[i - 1]) || isWordChar(folded[i + w.length]))) continue;
      terms.push(synonyms.termOf.get(w) as string);
      rest += ' ';
      i += w.length;
      continue outer;
    }
    rest += folded[i];
    i += 1;
  }
  return { rest, terms };
}

/** The terms of a text, in order, with repeats (the index counts them; a query's repeats add weight). */
export function termsOf(text: string, synonyms: Synonyms): string[] {
  const { rest, terms } = takeSynonyms(fold(text), synonyms);
  const out = [...terms];
  for (const w of words(rest)) {
    if (CJK.test(w)) {
      if (!STOP_ZH.has(w)) out.push(w);
    } else if (LATIN.test(w)) {
      if (!STOP_EN.has(w)) out.push(stem(w));
    } else if (/\d/.test(w)) {
      out.push(w);
    }
  }
  for (const run of rest.match(CJK_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 2 <= chars.length; i++) {
      const a = chars[i] as string;
      const b = chars[i + 1] as string;
      const pair = a + b;
      if (STOP_CHARS.has(a) || STOP_CHARS.has(b) || STOP_ZH.has(pair)) continue;
      // A pair that is itself a word is counted twice, as a word and as a pair: words the dictionary
      // knows weigh more than pairs that straddle two words.
      out.push(`~${pair}`);
    }
  }
  return out;
}
