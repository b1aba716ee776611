/**
 * A prefilter for the rules that read an owner's text: which characters a regular expression needs, so a
 * pattern that cannot match a text is never run on it. Most of the hundreds of patterns (emergency.ts,
 * keywords.ts) need one of a few Chinese characters, and a short message holds none of them.
 *
 * A pattern's necessary set is a set of characters at least one of which is in every string the pattern
 * can match (so in every text it matches somewhere), or `undefined` when none is known and the pattern
 * always runs. It is read from the parsed pattern (`@eslint-community/regexpp`), and errs only one way:
 * whatever the analysis is unsure of (`.`, `\w`, `\p{…}`, negated classes, backreferences, anything
 * optional, letters whose case folds onto other letters) makes it say "none known", which is slower,
 * never wrong. Lookarounds and anchors are zero-width: they add nothing, and a lookahead's characters are
 * never taken as needed (they may lie outside the text the match covers, or be negated).
 *
 *   if (mayMatch(re, text)) m = re.exec(text);   // same answer as re.exec(text), often without running it
 *   mayMatchAmong(terms, text, (t) => t.re)       // the terms of a long list worth running, from an index
 *
 * Each pattern is analysed once, at its first use (a WeakMap keyed by the RegExp), so loading rules and
 * start-up pay nothing; a text's characters are collected once for the texts last seen.
 */
import { type AST, RegExpParser } from '@eslint-community/regexpp';

/** A pattern's necessary characters (code points), or `undefined`: none known. */
export type Needs = ReadonlySet<number> | undefined;

/** More members than this and a set is not worth checking: the pattern just runs. */
const MAX_SET = 96;
/** A class range wider than this (after case variants) is "none known". */
const MAX_RANGE = 64;

/** Characters with case in Unicode or that change under case mapping or folding (non-ASCII ones are not analysed under `i`). */
const CASED = /[\p{Cased}\p{Changes_When_Casefolded}\p{Changes_When_Casemapped}]/u;

interface Mode {
  ignoreCase: boolean;
  unicode: boolean;
}

/**
 * The characters a character matches under the pattern's flags, or undefined when unsure. Under `i` an
 * ASCII letter matches both its cases and, with `u` (Unicode simple case folding), k also matches the
 * Kelvin sign (U+212A) and s the long s (U+017F); any other character with case is "unsure".
 */
function variants(cp: number, mode: Mode): number[] | undefined {
  // Without `u` an astral character is two code units; a text's set holds code points. Lone surrogates too: unsure.
  if (cp >= 0xd800 && cp <= 0xdfff) return undefined;
  if (!mode.unicode && cp > 0xffff) return undefined;
  if (!mode.ignoreCase) return [cp];
  const c = String.fromCodePoint(cp);
  if (cp < 0x80) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower === upper) return [cp];
    const out = [lower.charCodeAt(0), upper.charCodeAt(0)];
    if (mode.unicode && lower === 'k') out.push(0x212a);
    if (mode.unicode && lower === 's') out.push(0x17f);
    return out;
  }
  return CASED.test(c) ? undefined : [cp];
}

/** Rough share (%) of each lower-case letter in English text: a set of rare letters is a better filter. */
const LETTER_SHARE = [
  8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4,
  0.15, 2.0, 0.07,
];
/** Chinese characters in most messages (的, 了, 是 …): a set of them filters little. */
const COMMON_HAN = new Set(
  [...'的了是不在有人我这一个们来他到上说也就要会么没你家里下大好'].map((c) => c.codePointAt(0)),
);

/** How often a character is in an owner's text (as the rules read it: lower case), roughly. */
function share(cp: number): number {
  if (cp >= 0x61 && cp <= 0x7a) return LETTER_SHARE[cp - 0x61] as number;
  if (cp === 0x20) return 15;
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? 0.1 : 4;
  return COMMON_HAN.has(cp) ? 3 : 0.5;
}

/** How often a text holds one of a set's members, roughly: the lower, the better the set filters. */
function weight(set: ReadonlySet<number>): number {
  let w = 0;
  for (const cp of set) w += share(cp);
  return w;
}

function union(sets: readonly Needs[]): Needs {
  const out = new Set<number>();
  for (const s of sets) {
    if (s === undefined) return undefined;
    for (const cp of s) out.add(cp);
  }
  return out.size > MAX_SET ? undefined : out;
}

function ofAlternatives(alternatives: readonly AST.Alternative[], mode: Mode): Needs {
  return union(alternatives.map((a) => ofSequence(a.elements, mode)));
}

/** A sequence needs what any one of its elements needs: the rarest known set is kept. */
function ofSequence(elements: readonly AST.Element[], mode: Mode): Needs {
  let best: Needs;
  for (const e of elements) {
    // Zero-width: anchors, \b and lookarounds match no character of their own.
    if (e.type === 'Assertion') continue;
    const s = ofElement(e, mode);
    if (s !== undefined && (best === undefined || weight(s) < weight(best))) best = s;
  }
  return best;
}

function ofElement(e: AST.QuantifiableElement | AST.Quantifier, mode: Mode): Needs {
  switch (e.type) {
    case 'Character': {
      const v = variants(e.value, mode);
      return v === undefined ? undefined : new Set(v);
    }
    case 'CharacterClass':
      return ofClass(e, mode);
    case 'Group':
      // A group that changes flags ((?i:…)) is read as unsure rather than under other rules.
      return e.modifiers ? undefined : ofAlternatives(e.alternatives, mode);
    case 'CapturingGroup':
      return ofAlternatives(e.alternatives, mode);
    case 'Quantifier':
      return e.min >= 1 ? ofElement(e.element, mode) : undefined;
    default:
      // `.`, \d \w \s \p{…}, backreferences, a quantified lookahead, v-mode expressions: unsure.
      return undefined;
  }
}

function ofClass(c: AST.CharacterClass, mode: Mode): Needs {
  if (c.negate || c.unicodeSets) return undefined;
  const out = new Set<number>();
  for (const el of c.elements) {
    if (el.type === 'Character') {
      const v = variants(el.value, mode);
      if (v === undefined) return undefined;
      for (const cp of v) out.add(cp);
    } else if (el.type === 'CharacterClassRange') {
      if (el.max.value - el.min.value + 1 > MAX_RANGE) return undefined;
      for (let cp = el.min.value; cp <= el.max.value; cp++) {
        const v = variants(cp, mode);
        if (v === undefined) return undefined;
        for (const x of v) out.add(x);
      }
    } else return undefined;
  }
  // An empty class ([]) matches nothing: needing nothing at all, it is never run on any text.
  return out.size > MAX_SET ? undefined : out;
}

/** Any character with a meaning of its own in a pattern: a source without one is a plain word. */
const SYNTAX = /[\\^$.*+?()[\]{}|]/;

/**
 * A plain word (most keywords: 漏水, 物业费) read without the parser, exactly as the parser's reading would
 * come out (a sequence of characters: the rarest), which spares the first message most of the parsing.
 */
function ofWord(source: string, mode: Mode): Needs {
  let best: Needs;
  // Without u the pattern's characters are code units, as the parser reads them.
  const units = mode.unicode ? [...source] : source.split('');
  for (const c of units) {
    const v = variants(c.codePointAt(0) as number, mode);
    const s = v === undefined ? undefined : new Set(v);
    if (s !== undefined && (best === undefined || weight(s) < weight(best))) best = s;
  }
  return best;
}

let parser: RegExpParser | undefined;

/** Analyses a pattern (see the module comment). Exported for its tests; use {@link needsOf} for a RegExp. */
export function analyse(source: string, flags: string): Needs {
  const mode = { ignoreCase: flags.includes('i'), unicode: flags.includes('u') || flags.includes('v') };
  if (!SYNTAX.test(source)) return ofWord(source, mode);
  try {
    parser ??= new RegExpParser();
    const pattern = parser.parsePattern(source, 0, source.length, {
      unicode: flags.includes('u'),
      unicodeSets: flags.includes('v'),
    });
    return ofAlternatives(pattern.alternatives, mode);
  } catch {
    // A pattern the parser does not read (newer syntax than it knows): it always runs.
    return undefined;
  }
}

const cache = new WeakMap<RegExp, Needs | null>();

/** What {@link needsTable} worked out for patterns, by flags and source, read at the first pattern's use. */
let primed: (() => ReadonlyMap<string, readonly number[] | null>) | undefined;
let primedTable: ReadonlyMap<string, readonly number[] | null> | undefined;

const keyOf = (re: RegExp) => `${re.flags}/${re.source}`;

/** The necessary characters of a RegExp, analysed at its first use and kept. */
export function needsOf(re: RegExp): Needs {
  let n = cache.get(re);
  if (n === undefined) {
    if (primed) {
      primedTable = primed();
      primed = undefined;
    }
    const known = primedTable?.get(keyOf(re));
    n = known === undefined ? (analyse(re.source, re.flags) ?? null) : known === null ? null : new Set(known);
    cache.set(re, n);
  }
  return n ?? undefined;
}

/**
 * The analysis of every pattern in `rules` (RegExps found anywhere inside, compiled rules and keyword lists),
 * by flags and source: what the content snapshot keeps, so that the bot's first owner text after a start
 * does not parse some two thousand patterns (~140 ms on a 2-core machine).
 */
export function needsTable(...rules: unknown[]): [string, number[] | null][] {
  const table = new Map<string, number[] | null>();
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value instanceof RegExp) {
      const needs = analyse(value.source, value.flags);
      table.set(keyOf(value), needs === undefined ? null : [...needs]);
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    for (const v of value instanceof Map ? value.values() : Object.values(value)) walk(v);
  };
  for (const r of rules) walk(r);
  return [...table];
}

/** Gives the analysis worked out beforehand ({@link needsTable}), read when the first pattern is used. */
export function primeNeeds(table: () => Iterable<readonly [string, readonly number[] | null]>): void {
  primed = () => new Map(table());
  primedTable = undefined;
}

/** The characters (code points) of a text. */
function charsOf(text: string): Set<number> {
  const out = new Set<number>();
  for (const c of text) out.add(c.codePointAt(0) as number);
  return out;
}

/** The texts last asked about: a message is read as a few strings (normalised, folded, blanked). */
const recent: { text: string; chars: Set<number> }[] = [];
const RECENT = 4;

function charsOfRecent(text: string): Set<number> {
  for (const r of recent) if (r.text === text) return r.chars;
  const chars = charsOf(text);
  recent.unshift({ text, chars });
  if (recent.length > RECENT) recent.pop();
  return chars;
}

/**
 * Whether `re` may match somewhere in `text`: false only when the pattern needs one of a set of characters
 * and the text holds none of them. Pass the very string the pattern is then run on.
 */
export function mayMatch(re: RegExp, text: string): boolean {
  const needs = needsOf(re);
  if (needs === undefined) return true;
  const chars = charsOfRecent(text);
  for (const cp of needs) if (chars.has(cp)) return true;
  return false;
}

/** A list's patterns by the characters they need, so a text finds its candidates from its own characters. */
interface ListIndex {
  /** For each character, the items (by place) that need it. */
  byChar: Map<number, number[]>;
  /** The items (by place) that always run (no pattern, or none known). */
  always: number[];
  /** Per item: the stamp of the last call that found it a candidate. */
  seen: Uint32Array;
  stamp: number;
}

const indexes = new WeakMap<readonly unknown[], ListIndex>();

function indexOf<T>(list: readonly T[], patternOf: (item: T) => RegExp | undefined): ListIndex {
  let index = indexes.get(list);
  if (!index) {
    const byChar = new Map<number, number[]>();
    const always: number[] = [];
    list.forEach((item, i) => {
      const re = patternOf(item);
      const needs = re && needsOf(re);
      if (needs === undefined) always.push(i);
      else
        for (const cp of needs) {
          const at = byChar.get(cp);
          if (at) at.push(i);
          else byChar.set(cp, [i]);
        }
    });
    index = { byChar, always, seen: new Uint32Array(list.length), stamp: 0 };
    indexes.set(list, index);
  }
  return index;
}

/**
 * The items of a list whose pattern may match `text` (see {@link mayMatch}), in list order: for long lists
 * (a keyword list of hundreds of terms) this looks up the text's characters instead of every pattern, and
 * goes through the candidates only, never the whole list. Items without a pattern (`patternOf` gives
 * undefined) are always kept. The list is indexed at its first use, by identity: it must not change
 * afterwards (compiled rules and keyword lists never do).
 */
export function mayMatchAmong<T>(list: readonly T[], text: string, patternOf: (item: T) => RegExp | undefined): T[] {
  const index = indexOf(list, patternOf);
  // An item marked with this call's stamp is taken already: when the stamps come round, every mark is cleared.
  if (index.stamp === 0xffffffff) {
    index.seen.fill(0);
    index.stamp = 0;
  }
  index.stamp += 1;
  const { stamp, seen } = index;
  const places: number[] = [];
  const mark = (i: number) => {
    if (seen[i] === stamp) return;
    seen[i] = stamp;
    places.push(i);
  };
  for (const i of index.always) mark(i);
  for (const cp of charsOfRecent(text)) {
    const at = index.byChar.get(cp);
    if (at) for (const i of at) mark(i);
  }
  places.sort((a, b) => a - b);
  return places.map((i) => list[i] as T);
}
