/**
 * How the emergency rules' patterns run on a text (emergency.ts): each first asked of the prefilter
 * (needs.ts), which skips a pattern that needs characters the string it would run on does not hold, and every
 * match found from the start of the text. Pure; what is made here once (a pattern's global form) is kept.
 */
import { mayMatch, mayMatchAmong } from './needs.js';

/** A pattern of a rule, with the rule's place in its section (cues, guards). */
export interface Placed {
  at: number;
  re: RegExp;
}

const globals = new WeakMap<RegExp, RegExp>();

/** A pattern's global form (the urgent markers are compiled without `g`): itself when global, else made once. */
function globalOf(re: RegExp): RegExp {
  if (re.global) return re;
  let g = globals.get(re);
  if (!g) {
    g = new RegExp(re.source, `${re.flags}g`);
    globals.set(re, g);
  }
  return g;
}

/**
 * `text` with each item of `list` applied in turn (`apply`), skipping the patterns that cannot match the text
 * as it is at that step: the candidates are found once from the text's characters, and once an item has
 * changed the text (a replacement may bring characters it did not hold), each later one is asked of it anew.
 */
export function replaced<T>(
  text: string,
  list: readonly T[],
  patternOf: (item: T) => RegExp,
  apply: (s: string, item: T) => string,
): string {
  const candidates = mayMatchAmong(list, text, patternOf);
  let s = text;
  for (const item of list) {
    if (s === text ? !candidates.includes(item) : !mayMatch(patternOf(item), s)) continue;
    s = apply(s, item);
  }
  return s;
}

export function firstMatch(text: string, list: readonly RegExp[]): string | undefined {
  for (const re of list) {
    if (!mayMatch(re, text)) continue;
    re.lastIndex = 0;
    const m = re.exec(text);
    re.lastIndex = 0;
    if (m) return m[0];
  }
  return undefined;
}

export interface Hit {
  start: number;
  end: number;
  text: string;
}

/** Every match of one pattern, added to `out`. */
function matchesOf(text: string, re: RegExp, out: Hit[]): void {
  const g = globalOf(re);
  // matchAll starts where the last search left off: always from the start.
  g.lastIndex = 0;
  for (const m of text.matchAll(g)) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
}

export function allMatches(text: string, list: readonly RegExp[]): Hit[] {
  const out: Hit[] = [];
  for (const re of list) if (mayMatch(re, text)) matchesOf(text, re, out);
  return out;
}

/** Each rule's matches, by its place in its section, in rule order: only rules with a pattern worth running. */
export function matchesByRule(text: string, placed: readonly Placed[]): Map<number, Hit[]> {
  const out = new Map<number, Hit[]>();
  for (const { at, re } of mayMatchAmong(placed, text, (p) => p.re)) {
    let hits = out.get(at);
    if (!hits) {
      hits = [];
      out.set(at, hits);
    }
    matchesOf(text, re, hits);
  }
  return out;
}

const CLAUSE_END = /[。！？!?，,；;\n]|\.(?=\s)|…/gu;

/** Where each clause of a text starts and ends. */
function clausesOf(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (const m of text.matchAll(CLAUSE_END)) {
    out.push({ start, end: m.index + m[0].length });
    start = m.index + m[0].length;
  }
  out.push({ start, end: text.length });
  return out;
}

/** What a guard's reach is measured by in one text: its clauses and its signs of now, each found once, when first needed. */
export class Around {
  private clauseList?: { start: number; end: number }[];
  private stopList?: Hit[];
  constructor(
    readonly text: string,
    private readonly stopPatterns: readonly RegExp[],
  ) {}
  get clauses(): { start: number; end: number }[] {
    this.clauseList ??= clausesOf(this.text);
    return this.clauseList;
  }
  get stops(): Hit[] {
    this.stopList ??= allMatches(this.text, this.stopPatterns);
    return this.stopList;
  }
}
