/**
 * The offline classifier's vocabulary: keywords and patterns as data (`flows/keywords.yaml`), checked
 * with zod and compiled once. Pure: the caller reads the file (see `src/adapters/ai/keywords-file.ts`).
 *
 * A term is a word or phrase, in either language:
 * - Chinese (and any other non-ASCII) terms match anywhere in the text, except a one-character term
 *   (度, 电, 水) or a term written `=词`, which matches only a whole word as `Intl.Segmenter` splits the
 *   text (so 度 is not found in 态度 or 进度, 电 not in 电话);
 * - ASCII terms match whole words, case-insensitively (`gas` never matches `Vegas`); a trailing `*` lets
 *   the last word run on (`leak*` matches leak, leaks, leaking); spaces match any run of spaces;
 * - `patterns` are regular expressions (flags `iu`) for what words cannot say.
 * Every text is folded before matching: full-width digits and punctuation to ASCII, lower case.
 */

import { z } from 'zod';
import { toHalfWidth } from '../location.js';
import { CATEGORIES, type Category, LOCALES, type Locale, type TicketKind } from '../types.js';
import { parseYaml } from '../yaml.js';
import { INTENTS, type Intent } from './labels.js';
import { mayMatchAmong } from './needs.js';
import { words } from './segment.js';

/** One compiled term: what it is called in `matched`, how much it counts, and its matcher. */
export interface Term {
  /** The word or pattern as written in the file. */
  source: string;
  weight: number;
  re: RegExp;
  /** Set for a whole-word term: the folded word a segment must equal. */
  whole?: string;
}

export type Labels = Record<Locale, string>;

export interface CategoryVocabulary {
  label: Labels;
  /** The kind a message in this category is when it carries no kind cue (noise is a complaint). */
  kind: TicketKind;
  /** The urgency when no urgency cue says otherwise. */
  urgency: 'normal' | 'low';
  terms: Term[];
}

export interface ThemeVocabulary {
  label: Labels;
  terms: Term[];
}

/** The compiled vocabulary the classifier runs on. */
export interface Keywords {
  version: number;
  categories: Record<Category, CategoryVocabulary>;
  kinds: { complaint: Term[]; suggestion: Term[] };
  urgency: {
    emergency: Term[];
    /** Phrases removed from the text before emergency terms are looked for (燃气费, 打不着火, fire drill). */
    emergencyExcept: Term[];
    urgent: Term[];
    low: Term[];
  };
  /** Themes for grouping free-text survey and revisit answers, besides the categories. */
  themes: Record<string, ThemeVocabulary>;
  /** Cues that a text is trying to instruct a model rather than describe a problem. */
  injection: Term[];
  /** Answers that say nothing (无, 没有, no, n/a): left out of answer summaries. */
  empty: Term[];
  /** Cues of what a message is for (an enquiry, thanks, 转人工 …), weighed with the model's reading. */
  intents: Partial<Record<Intent, Term[]>>;
}

export class KeywordsError extends Error {
  readonly code = 'KEYWORDS_INVALID';
  constructor(readonly problems: string[]) {
    super(`the keyword file is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'KeywordsError';
  }
}

const word = z.string().trim().min(1, 'an empty word').max(60, 'a word longer than 60 characters');

const groupSchema = z.strictObject({
  weight: z.number().min(0.1).max(10).default(1),
  words: z.array(word).default([]),
  patterns: z.array(z.string().min(1)).default([]),
});
const groupsSchema = z.array(groupSchema).default([]);

const labelsSchema = z.strictObject(
  Object.fromEntries(LOCALES.map((l) => [l, z.string().trim().min(1)])) as Record<Locale, z.ZodString>,
);

const categorySchema = z.strictObject({
  label: labelsSchema,
  kind: z.enum(['repair', 'complaint', 'suggestion']).default('repair'),
  urgency: z.enum(['normal', 'low']).default('normal'),
  terms: groupsSchema,
});

const fileSchema = z.strictObject({
  version: z.literal(1),
  categories: z.strictObject(
    Object.fromEntries(CATEGORIES.map((c) => [c, categorySchema])) as Record<Category, typeof categorySchema>,
  ),
  kinds: z.strictObject({ complaint: groupsSchema, suggestion: groupsSchema }),
  urgency: z.strictObject({
    emergency: groupsSchema.refine((g) => g.some((x) => x.words.length + x.patterns.length > 0), 'no emergency words'),
    except: groupsSchema,
    urgent: groupsSchema,
    low: groupsSchema,
  }),
  themes: z
    .record(z.string().regex(/^[a-z_]+$/), z.strictObject({ label: labelsSchema, terms: groupsSchema }))
    .default({}),
  injection: groupsSchema,
  empty: groupsSchema,
  intents: z.partialRecord(z.enum(INTENTS), groupsSchema).default({}),
});

type Group = z.infer<typeof groupSchema>;

const ESCAPE = /[.*+?^${}()|[\]\\]/g;

/** Folds text the way every term is matched: half-width, lower case, single spaces. */
export function foldForMatch(text: string): string {
  return toHalfWidth(text)
    .replace(/[\u3000\s]+/g, ' ')
    .replace(/[’‘]/g, "'")
    .toLowerCase();
}

/** Compiles one word into a matcher (see the module comment for the rules). */
export function compileWord(raw: string): RegExp {
  const w = foldForMatch(raw.trim());
  const prefix = w.endsWith('*');
  const body = (prefix ? w.slice(0, -1) : w).replace(ESCAPE, '\\$&').replace(/ /g, '\\s+');
  const ascii = /^[\x20-\x7e]+$/.test(w);
  if (!ascii) return new RegExp(body, 'u');
  const start = /^[a-z0-9]/.test(w) ? '(?<![a-z0-9])' : '';
  const end = prefix ? "[a-z0-9'-]*" : /[a-z0-9]$/.test(w) ? '(?![a-z0-9])' : '';
  return new RegExp(`${start}${body}${end}`, 'u');
}

const HAN = /^\p{Script=Han}$/u;

/** One word as a term: whole-word when it is one Chinese character or written `=词`. */
export function compileTerm(raw: string, weight: number): Term {
  const w = raw.trim();
  if (w.startsWith('=') && w.length > 1) {
    const whole = foldForMatch(w.slice(1));
    return { source: w, weight, re: compileWord(w.slice(1)), whole };
  }
  const folded = foldForMatch(w);
  return { source: w, weight, re: compileWord(w), ...(HAN.test(folded) ? { whole: folded } : {}) };
}

function compileGroups(groups: Group[], where: string, problems: string[]): Term[] {
  const terms: Term[] = [];
  for (const g of groups) {
    for (const w of g.words) terms.push(compileTerm(w, g.weight));
    for (const p of g.patterns) {
      try {
        terms.push({ source: `/${p}/`, weight: g.weight, re: new RegExp(p, 'iu') });
      } catch (error) {
        problems.push(`${where}: pattern /${p}/ does not compile: ${(error as Error).message}`);
      }
    }
  }
  return terms;
}

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${where}: ${issue.message}`;
}

/** Checks and compiles a parsed keyword document. Throws KeywordsError naming every problem. */
export function compileKeywords(doc: unknown): Keywords {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw new KeywordsError(parsed.error.issues.map(describe));
  const d = parsed.data;
  const problems: string[] = [];
  const categories = {} as Record<Category, CategoryVocabulary>;
  for (const c of CATEGORIES) {
    const spec = d.categories[c];
    categories[c] = {
      label: spec.label,
      kind: spec.kind,
      urgency: spec.urgency,
      terms: compileGroups(spec.terms, `categories.${c}`, problems),
    };
    if (c !== 'other' && categories[c].terms.length === 0) problems.push(`categories.${c}: no words`);
  }
  const themes: Record<string, ThemeVocabulary> = {};
  for (const [id, spec] of Object.entries(d.themes)) {
    if ((CATEGORIES as readonly string[]).includes(id))
      problems.push(`themes.${id}: a theme may not share a category's name`);
    themes[id] = { label: spec.label, terms: compileGroups(spec.terms, `themes.${id}`, problems) };
  }
  const keywords: Keywords = {
    version: d.version,
    categories,
    kinds: {
      complaint: compileGroups(d.kinds.complaint, 'kinds.complaint', problems),
      suggestion: compileGroups(d.kinds.suggestion, 'kinds.suggestion', problems),
    },
    urgency: {
      emergency: compileGroups(d.urgency.emergency, 'urgency.emergency', problems),
      emergencyExcept: compileGroups(d.urgency.except, 'urgency.except', problems),
      urgent: compileGroups(d.urgency.urgent, 'urgency.urgent', problems),
      low: compileGroups(d.urgency.low, 'urgency.low', problems),
    },
    themes,
    injection: compileGroups(d.injection, 'injection', problems),
    empty: compileGroups(d.empty, 'empty', problems),
    intents: Object.fromEntries(
      Object.entries(d.intents).map(([intent, groups]) => [
        intent,
        compileGroups(groups ?? [], `intents.${intent}`, problems),
      ]),
    ),
  };
  if (problems.length > 0) throw new KeywordsError(problems);
  return keywords;
}

/** Parses and compiles the YAML text of a keyword file. Throws KeywordsError naming every problem. */
export function parseKeywords(yamlText: string): Keywords {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (error) {
    throw new KeywordsError([`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return compileKeywords(doc);
}

/**
 * The terms of a list that occur in already folded text. Of two words found where one is part of the
 * other (消防 inside 消防通道), only the one that weighs more counts (the longer one on a tie), unless the
 * shorter word also occurs on its own.
 */
export function matchTerms(folded: string, terms: readonly Term[]): Term[] {
  const hasWord = (w: string) => wordsOf(folded).has(w);
  // A pattern that needs characters the text does not hold is not run (needs.ts); whole words are looked up.
  const found = mayMatchAmong(terms, folded, (t) => (t.whole === undefined ? t.re : undefined)).filter((t) =>
    t.whole === undefined ? t.re.test(folded) : hasWord(t.whole),
  );
  if (found.length < 2) return found;
  return found.filter((t) => {
    const w = plain(t);
    if (w === undefined) return true;
    return !found.some((o) => {
      const ow = plain(o);
      if (o === t || ow === undefined || ow === w) return false;
      if (ow.includes(w) && !hasOtherOccurrence(folded, ow, w)) return o.weight >= t.weight;
      if (w.includes(ow) && !hasOtherOccurrence(folded, w, ow)) return o.weight > t.weight;
      return false;
    });
  });
}

const plainWords = new WeakMap<Term, string | null>();

/** A term's word as folded text (`=` and a trailing `*` left off), or undefined for a pattern; worked out once. */
function plain(t: Term): string | undefined {
  let w = plainWords.get(t);
  if (w === undefined) {
    w = t.source.startsWith('/') ? null : foldForMatch(t.source.replace(/^=/, '')).replace(/\*$/, '');
    plainWords.set(t, w);
  }
  return w ?? undefined;
}

let lastText: string | undefined;
let lastWords = new Set<string>();

/** The words of a folded text; the last text's are kept, since every list is matched against the same text. */
function wordsOf(folded: string): Set<string> {
  if (folded !== lastText) {
    lastText = folded;
    lastWords = new Set(words(folded));
  }
  return lastWords;
}

/** Whether `short` occurs in `text` somewhere other than inside an occurrence of `long`. */
function hasOtherOccurrence(text: string, long: string, short: string): boolean {
  return text.split(long).some((part) => part.includes(short));
}
