/**
 * The terms a knowledge question or entry is searched by. One function serves the index and the query,
 * so both sides always agree.
 *
 * The text is folded by the understanding's own normaliser (Traditional to Simplified, lower case), its
 * Cantonese written in Mandarin and its English words stemmed, then:
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
  /** The same words by their first character (longest first), so a position tries only those that can start there. */
  readonly byFirst: ReadonlyMap<string, readonly string[]>;
}

export function compileSynonyms(groups: SynonymGroups): Synonyms {
  const termOf = new Map<string, string>();
  for (const group of groups) {
    const first = group[0];
    if (first === undefined) continue;
    const term = `=${fold(first).replace(/\s+/g, '_')}`;
    for (const word of group) {
      const w = stemLatin(foldSpoken(word));
      if (w && !termOf.has(w)) termOf.set(w, term);
    }
  }
  // Longest first; two words of one length cannot both match at one place, so their order only has to be fixed
  // (code units, not localeCompare: a collator at every start kept 1.7 MB of ICU's data in memory).
  const sorted = [...termOf.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const byFirst = new Map<string, string[]>();
  for (const w of sorted) {
    const list = byFirst.get(w.charAt(0));
    if (list) list.push(w);
    else byFirst.set(w.charAt(0), [w]);
  }
  return { termOf, words: sorted, byFirst };
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
    for (const w of synonyms.byFirst.get(folded.charAt(i)) ?? []) {
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

/**
 * Cantonese as owners from Guangdong and Hong Kong type it (管理費幾錢一呎㗎), written back in the Mandarin the
 * knowledge is written in, on folded text (so 幾 is already 几): the words that carry meaning are replaced
 * and the sentence particles dropped. Only forms that mean nothing else in Mandarin are listed (点 alone
 * stays: 几点 is Mandarin for "what time").
 */
const CANTONESE: readonly (readonly [string, string])[] = [
  ['系唔系', '是不是'],
  ['系咪', '是不是'],
  ['有冇', '有没有'],
  ['冇', '没有'],
  ['几多钱', '多少钱'],
  ['几钱', '多少钱'],
  ['几多', '多少'],
  ['几时', '什么时候'],
  ['边度', '哪里'],
  ['边处', '哪里'],
  ['边个', '谁'],
  ['边间', '哪个'],
  ['点样', '怎么'],
  ['点解', '为什么'],
  ['咩', '什么'],
  ['喺', '在'],
  ['唔', '不'],
  ['嘅', '的'],
  ['啲', '些'],
  ['嚟', '来'],
  ['嘢', '东西'],
  ['咗', '了'],
  ['睇', '看'],
  ['攞', '拿'],
  ['佢', '他'],
  ['揸车', '开车'],
  ['泊车', '停车'],
  ['返工', '上班'],
  ['水喉', '水管'],
  ['人面识别', '人脸识别'],
  ['呎', '平米'],
  ['㗎', ''],
  ['喎', ''],
  ['啩', ''],
  ['噃', ''],
  ['嘞', ''],
  ['咋', ''],
  ['啫', ''],
];
const CANTONESE_RE = new RegExp(CANTONESE.map(([from]) => from).join('|'), 'g');
const CANTONESE_TO = new Map(CANTONESE);

/** Folded text with its Cantonese in Mandarin (係 is read before folding: folded, it is the Mandarin 系 of 联系). */
function foldSpoken(text: string): string {
  return fold(text.replace(/係/g, '是')).replace(CANTONESE_RE, (w) => CANTONESE_TO.get(w) ?? w);
}

/**
 * Folded text with each English word stemmed where it stands (sundays → sunday), so that a synonym
 * finds the word in any of its forms; words of no topic (in, out of `STOP_EN`) are left as written.
 */
function stemLatin(folded: string): string {
  return folded.replace(/[a-z][a-z'-]*/g, (w) => (STOP_EN.has(w) ? w : stem(w)));
}

/** The terms of a text, in order, with repeats (the index counts them; a query's repeats add weight). */
export function termsOf(text: string, synonyms: Synonyms): string[] {
  const { rest, terms } = takeSynonyms(stemLatin(foldSpoken(text)), synonyms);
  const out = [...terms];
  for (const w of words(rest)) {
    if (CJK.test(w)) {
      if (!STOP_ZH.has(w)) out.push(w);
    } else if (LATIN.test(w)) {
      if (!STOP_EN.has(w)) out.push(w); // stemmed already
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
