import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { foldForMatch } from '../../../src/core/understand/keywords.js';
import { analyse, mayMatch, mayMatchAmong, needsOf } from '../../../src/core/understand/needs.js';
import { normalise } from '../../../src/core/understand/normalise.js';
import { emergencyPatterns, fragments, ownerTexts, termLists } from './corpus.js';
import { keywords } from './support.js';

/** The necessary set as a sorted string of characters, or undefined: none known. */
const needs = (source: string, flags = 'u') => {
  const n = analyse(source, flags);
  return n === undefined
    ? undefined
    : [...n]
        .sort((a, b) => a - b)
        .map((c) => String.fromCodePoint(c))
        .join('');
};
const sorted = (chars: string) => [...chars].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0)).join('');

describe('analyse: what a pattern needs', () => {
  it('a literal needs itself; a sequence the rarest of its elements', () => {
    expect(needs('火')).toBe('火');
    expect(needs('了火')).toBe('火'); // 了 is in most messages
    expect(needs('fire', 'u')).toBe('f'); // f is rarer than i, r, e
    expect(needs('water pipe', 'u')).toBe('p');
    expect(needs('a b', 'u')).toBe('b'); // a space is the worst filter
    expect(needs('110', 'u')).toBe('1'); // a tie keeps the first
  });

  it('a plain word is read as the parser reads the same word in a group', () => {
    for (const [word, flags] of [
      ['了火', 'u'],
      ['water pipe', 'u'],
      ['gas leak', 'iu'],
      ['110', 'u'],
      ['𨋢壞', 'u'],
      ['𨋢', ''],
      ['é', 'iu'],
      ['', 'u'],
    ] as const)
      expect(needs(word, flags), word).toBe(needs(`(?:${word})`, flags));
  });

  it('a class needs its members, small ranges included; a wide range, a negated class or a set escape: none known', () => {
    expect(needs('[冒着]火?')).toBe(sorted('冒着'));
    expect(needs('[a-d]', 'u')).toBe('abcd');
    expect(needs('[一-龥]')).toBeUndefined();
    expect(needs('[^火]')).toBeUndefined();
    expect(needs('[火\\d]')).toBeUndefined();
    expect(needs('[\\p{Script=Han}]')).toBeUndefined();
    expect(needs('[]')).toBe(''); // matches nothing, so never runs
  });

  it('an alternation needs the union of its alternatives; none known when one of them needs nothing', () => {
    expect(needs('水管|煤气')).toBe(sorted('水煤'));
    expect(needs('(燃|煤)气(费|表)')).toBe('气');
    expect(needs('(燃|煤)(费|表)')).toBe(sorted('燃煤'));
    expect(needs('火|.')).toBeUndefined();
    expect(needs('(?:火|)')).toBeUndefined();
    expect(needs('火|\\b')).toBeUndefined();
  });

  it('an optional element needs nothing; a repeated one what it needs once', () => {
    expect(needs('火?')).toBeUndefined();
    expect(needs('火*')).toBeUndefined();
    expect(needs('火{0,3}')).toBeUndefined();
    expect(needs('(?:着火)?')).toBeUndefined();
    expect(needs('火+')).toBe('火');
    expect(needs('火{2,3}')).toBe('火');
    expect(needs('(着火)?了')).toBe('了');
    expect(needs('救命(呀|啊)?')).toBe(sorted('救'));
    expect(needs('.{0,6}火')).toBe('火');
  });

  it('anchors and lookarounds add nothing and their characters are never needed', () => {
    expect(needs('(?<=火)了')).toBe('了');
    expect(needs('(?<!火)了')).toBe('了');
    expect(needs('(?=火)了')).toBe('了');
    expect(needs('(?!火)了')).toBe('了');
    expect(needs('(?=火)')).toBeUndefined();
    expect(needs('^$')).toBeUndefined();
    expect(needs('\\bgas\\b', 'u')).toBe('g');
    expect(needs('(?<![燃天])然气(?=味|管)')).toBe(sorted('然')); // 然 and 气 weigh the same: the first is kept
  });

  it('. \\w \\d \\s \\p{…} and backreferences need nothing; a pattern the parser cannot read always runs', () => {
    for (const p of ['.', '\\w', '\\d+', '\\s', '\\p{Script=Han}', '(?<x>a|)\\k<x>', ''])
      expect(needs(p)).toBeUndefined();
    expect(needs('(火)\\1')).toBe('火');
    expect(needs('(', 'u')).toBeUndefined();
  });

  it('under i an ASCII letter needs either case, and with u also the characters Unicode folds onto it', () => {
    expect(needs('q', 'iu')).toBe('Qq');
    expect(needs('q', 'i')).toBe('Qq');
    expect(needs('k', 'iu')).toBe('Kk\u212a'); // the Kelvin sign
    expect(needs('s', 'iu')).toBe('Ss\u017f'); // the long s
    expect(needs('k', 'i')).toBe('Kk'); // without u, no non-ASCII character folds onto ASCII
    expect(needs('[a-b]', 'iu')).toBe('ABab');
    expect(needs('火', 'iu')).toBe('火');
    expect(needs('7', 'iu')).toBe('7');
    // A non-ASCII letter with case: none known under i (its Unicode case class is not worked out).
    expect(needs('é', 'iu')).toBeUndefined();
    expect(needs('é', 'u')).toBe('é');
    expect(needs('σ', 'iu')).toBeUndefined();
  });

  it('an astral character is one character with u, and none known without (two code units)', () => {
    expect(needs('𨋢', 'u')).toBe('𨋢');
    expect(needs('[𨋢䢂]', 'gu')).toBe(sorted('𨋢䢂'));
    expect(needs('\\u{282e2}', 'u')).toBe('𨋢');
    expect(needs('𨋢', '')).toBeUndefined();
    expect(needs('\\ud860', 'u')).toBeUndefined();
  });

  it('a set too large to be worth checking is none known', () => {
    const many = Array.from({ length: 120 }, (_, i) => String.fromCodePoint(0x4e00 + i * 3)).join('|');
    expect(needs(many)).toBeUndefined();
    expect(needs(many.split('|').slice(0, 50).join('|'))).toHaveLength(50);
  });
});

describe('mayMatch', () => {
  it('is false only when the text holds none of the characters the pattern needs', () => {
    const re = /(着|冒)火/u;
    expect(mayMatch(re, '张三')).toBe(false);
    expect(mayMatch(re, '火锅')).toBe(true); // holds 火: it runs (and does not match)
    expect(mayMatch(/./u, '张三')).toBe(true); // none known: always runs
    expect(mayMatch(/𨋢/u, '𨋢壞咗')).toBe(true);
    expect(mayMatch(/𨋢/u, '\ud860')).toBe(false);
    expect(mayMatch(/GAS/iu, 'gas')).toBe(true);
  });

  it('among a list, keeps in order the items whose pattern may match and those without a pattern', () => {
    const list = [{ re: /漏水/u }, { re: /./u }, {}, { re: /冒烟/u }, { re: /水管/u }] as { re?: RegExp }[];
    const among = (text: string) => mayMatchAmong(list, text, (x) => x.re).map((x) => list.indexOf(x));
    expect(among('张三')).toEqual([1, 2]);
    expect(among('水管冒烟了')).toEqual([1, 2, 3, 4]); // 漏水 needs 漏 (either would do; the first is kept)
    expect(among('漏了')).toEqual([0, 1, 2]); // a candidate, which then runs and does not match
    expect(among('冒烟')).toEqual([1, 2, 3]);
    expect(among('张三')).toEqual([1, 2]); // no candidate is left over from the text before
  });

  it('analyses a pattern once', () => {
    const re = /漏水/u;
    expect(needsOf(re)).toBe(needsOf(re));
  });
});

/** Every code point (lone surrogates aside) once, to ask the regex engine itself what a pattern matches. */
function everyCodePoint(): string {
  const out: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) out.push(String.fromCodePoint(cp));
  return out.join('');
}

describe('the real rules: no pattern is ever skipped on a text it matches', () => {
  const rules = loadEmergencyRules();
  const patterns = [...emergencyPatterns(rules), ...termLists(keywords).flatMap(([, terms]) => terms.map((t) => t.re))];
  const texts = ownerTexts();
  const pool = [...new Set(patterns.flatMap((p) => [...(needsOf(p) ?? [])]))].map((c) => String.fromCodePoint(c));
  const all = [...texts, ...fragments(texts, pool, 3000)];

  it('knows what nearly every pattern needs (the filter is worth having)', () => {
    const unknown = patterns.filter((p) => needsOf(p) === undefined);
    expect(patterns.length).toBeGreaterThan(1500);
    expect(unknown.length).toBeLessThan(patterns.length / 50);
    expect(texts.length).toBeGreaterThan(5000);
  });

  it('every match of every pattern, over every text as the rules read it, holds a character the pattern needs', () => {
    // The texts as each kind of rule reads them (emergency: normalised; keywords: folded), one per line.
    const corpus = all.flatMap((t) => [normalise(t), foldForMatch(t), foldForMatch(normalise(t))]).join('\n');
    const wrong: string[] = [];
    let matches = 0;
    for (const p of patterns) {
      const n = needsOf(p);
      if (n === undefined) continue;
      for (const m of corpus.matchAll(new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`))) {
        matches++;
        if (![...m[0]].some((c) => n.has(c.codePointAt(0) as number))) wrong.push(`/${p.source}/ matched «${m[0]}»`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(matches).toBeGreaterThan(10_000);
  });

  it('under i, every character a needed set holds brings all the characters the engine folds onto it', () => {
    const every = everyCodePoint();
    const folded = patterns.filter((p) => p.ignoreCase && needsOf(p) !== undefined);
    const chars = new Set(folded.flatMap((p) => [...(needsOf(p) ?? [])]));
    // Every ASCII letter: what /c/iu matches among all code points is exactly what it is said to need.
    for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      const hits = new Set([...every.matchAll(new RegExp(c, 'giu'))].map((m) => m[0].codePointAt(0)));
      expect([...hits].sort(), c).toEqual([...(analyse(c, 'iu') ?? [])].sort());
    }
    const letterVariants = /^[a-z\u212a\u017f]$/iu;
    const caseless = [...chars].map((cp) => String.fromCodePoint(cp)).filter((c) => !letterVariants.test(c));
    for (const c of caseless) expect(analyse(c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'iu')?.size, c).toBe(1);
    // A caseless character matches only itself: one pass for all of them.
    const escaped = caseless.map((c) => c.replace(/[\\^\]-]/g, '\\$&')).join('');
    const hits = [...every.matchAll(new RegExp(`[${escaped}]`, 'giu'))].map((m) => m[0]);
    expect(hits.sort()).toEqual([...caseless].sort());
    expect(caseless.length).toBeGreaterThan(100);
  });
});
