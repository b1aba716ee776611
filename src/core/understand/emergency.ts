/**
 * Whether an owner's message reports an emergency happening now: rules as data
 * (`flows/understand/emergency.yaml`), checked with zod and compiled once. Pure and synchronous, so the
 * emergency check never waits on a model and runs before anything else (any length limit, any state).
 *
 * Recall first: cues are patterns with short gaps on the normalised text (Traditional → Simplified, half
 * width, lower case), so word order, inserted words and Traditional characters do not hide an emergency.
 * Guards keep out the noise: past (上周…修好, last month), thanks, hypothetical (万一, what if, 演习),
 * negated (不是着火), questions (怎么办) and hedges (会不会出事了). When a guard and a cue disagree and
 * something says it may be happening now (an urgent marker, or the only guards are questions and hedges),
 * or when the cue alone is weak, the answer is `unclear`: the owner is asked, never guessed for.
 */

import { z } from 'zod';
import { parseYaml } from '../yaml.js';
import { normalise } from './normalise.js';
import { Around, allMatches, firstMatch, type Hit, matchesByRule, type Placed, replaced } from './rule-matching.js';

export const EMERGENCY_KINDS = ['fire', 'gas', 'trapped', 'water', 'injury', 'security', 'other'] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

/**
 * What a guard says about a cue: `past`, `thanks`, `hypothetical` and `negated` say it is not happening now;
 * so does `unreal` (a dream, a film, a game, a joke); a `question` (怎么办), a `hedge` (会不会出事了) or a
 * `routine` frame (经常, 每次下雨, 能不能管管, 安排师傅: a standing problem or a repair request) about
 * something that reads as happening leaves it open: the owner is asked, never paged for nor ignored.
 */
export const GUARD_TYPES = [
  'past',
  'thanks',
  'hypothetical',
  'negated',
  'unreal',
  'question',
  'hedge',
  'routine',
] as const;
export type GuardType = (typeof GUARD_TYPES)[number];

/** Guard types that leave a present cue open (`unclear`) rather than cancel it. */
const OPEN_GUARDS: ReadonlySet<GuardType> = new Set(['question', 'hedge', 'routine']);

/**
 * How far a guard reaches in the text: `message` (everywhere, the default), `clause` (the clause or
 * clauses it is in, split at 。！？，；!?,; and line ends), `onward` (from its clause on, until a sign that
 * it is happening now: 现在, 又, 这次, now, again …, so 上次漏水 … 现在又爆管了 is present) or `before`
 * (its clause and all before it: 电梯困人了，已经救出来了 is over, 已经修好了 … 现在又 is not).
 */
export const GUARD_SCOPES = ['message', 'clause', 'onward', 'before'] as const;
export type GuardScope = (typeof GUARD_SCOPES)[number];

export interface EmergencyAssessment {
  /** `present`: take the emergency path at once; `unclear`: ask the owner; `none`: not an emergency. */
  verdict: 'present' | 'unclear' | 'none';
  /** What kind, when a cue that names one decided it. */
  kind?: EmergencyKind;
  /** What matched, as `<rule id>:<text>` (cues, guards, urgent markers), for tests and debugging. */
  matched: string[];
}

interface Rule {
  id: string;
  patterns: RegExp[];
}

/** The compiled rules {@link assessEmergency} runs on. */
export interface EmergencyRules {
  version: number;
  ignore: Rule[];
  cues: (Rule & { kind: EmergencyKind; strength: 'present' | 'weak' })[];
  guards: (Rule & { type: GuardType; scope: GuardScope })[];
  urgent: RegExp[];
  /** Signs that what follows happens now (现在, 又, 这次, now, again): where an `onward` guard stops. */
  now: RegExp[];
}

export class EmergencyRulesError extends Error {
  readonly code = 'EMERGENCY_RULES_INVALID';
  constructor(readonly problems: string[]) {
    super(`the emergency rules are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EmergencyRulesError';
  }
}

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'an id is lower-case letters, digits and _');
const patterns = z.array(z.string().min(1)).min(1, 'no patterns');

const fileSchema = z.strictObject({
  version: z.literal(1),
  ignore: z.array(z.strictObject({ id, patterns })).default([]),
  cues: z
    .array(z.strictObject({ id, kind: z.enum(EMERGENCY_KINDS), strength: z.enum(['present', 'weak']), patterns }))
    .refine((c) => c.some((x) => x.strength === 'present'), 'no present cue'),
  guards: z
    .array(z.strictObject({ id, type: z.enum(GUARD_TYPES), scope: z.enum(GUARD_SCOPES).default('message'), patterns }))
    .default([]),
  urgent: z.array(z.string().min(1)).default([]),
  now: z.array(z.string().min(1)).default([]),
});

function describe(issue: z.core.$ZodIssue, doc: unknown): string {
  const [section, index] = issue.path;
  const entry =
    typeof index === 'number' && typeof section === 'string'
      ? ((doc as Record<string, { id?: unknown }[] | undefined>)[section]?.[index]?.id ?? undefined)
      : undefined;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${where}${typeof entry === 'string' ? ` (entry ${entry})` : ''}: ${issue.message}`;
}

/** Checks and compiles parsed rules. Throws EmergencyRulesError naming every problem and its entry. */
export function compileEmergencyRules(doc: unknown): EmergencyRules {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw new EmergencyRulesError(parsed.error.issues.map((i) => describe(i, doc)));
  const d = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  const compile = (where: string, list: readonly string[], flags = 'iu'): RegExp[] =>
    list.flatMap((p) => {
      try {
        return [new RegExp(p, flags)];
      } catch (error) {
        problems.push(`${where}: pattern /${p}/ does not compile: ${(error as Error).message}`);
        return [];
      }
    });
  const rule = (section: string, r: { id: string; patterns: string[] }, flags?: string): Rule => {
    if (seen.has(r.id)) problems.push(`${section} (entry ${r.id}): the id is used twice`);
    seen.add(r.id);
    return { id: r.id, patterns: compile(`${section} (entry ${r.id})`, r.patterns, flags) };
  };
  const rules: EmergencyRules = {
    version: d.version,
    // Ignored phrases are blanked wherever they occur: compiled global once, not at every message.
    ignore: d.ignore.map((r) => rule('ignore', r, 'giu')),
    // Cues and guards are found everywhere in the text (global), so each is placed in its clause.
    cues: d.cues.map((r) => ({ ...rule('cues', r, 'giu'), kind: r.kind, strength: r.strength })),
    guards: d.guards.map((r) => ({ ...rule('guards', r, 'giu'), type: r.type, scope: r.scope })),
    urgent: compile('urgent', d.urgent),
    now: compile('now', d.now, 'giu'),
  };
  if (problems.length > 0) throw new EmergencyRulesError(problems);
  return rules;
}

/** Parses and compiles the YAML text of an emergency rules file. Throws EmergencyRulesError. */
export function parseEmergencyRules(yamlText: string): EmergencyRules {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (error) {
    throw new EmergencyRulesError([`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return compileEmergencyRules(doc ?? {});
}

// Every pattern is first asked of the prefilter (needs.ts, through rule-matching.ts) with the very string it
// then runs on. The very string matters: the cues run on the blanked text, which may hold spaces the whole
// text does not (a blanked phrase is spaces), so its own characters are asked about, never the whole text's.

/**
 * The rules' patterns laid out once per rules object: a section's patterns in one list (rule by rule, each
 * rule's in order), which the prefilter indexes by the characters they need, so a text finds its few
 * candidates from its own characters instead of each of some two hundred patterns being asked about.
 */
interface Layout {
  ignore: RegExp[];
  cues: Placed[];
  guards: Placed[];
  /** The signs of now, then the urgent markers: where an `onward` guard stops. */
  stops: RegExp[];
}

const layouts = new WeakMap<EmergencyRules, Layout>();

function layoutOf(rules: EmergencyRules): Layout {
  let layout = layouts.get(rules);
  if (!layout) {
    const placed = (list: readonly Rule[]) => list.flatMap((r, at) => r.patterns.map((re) => ({ at, re })));
    layout = {
      ignore: rules.ignore.flatMap((r) => r.patterns),
      cues: placed(rules.cues),
      guards: placed(rules.guards),
      stops: [...rules.now, ...rules.urgent],
    };
    layouts.set(rules, layout);
  }
  return layout;
}

/** The stretch of the text a guard found at `hit` reaches (see {@link GuardScope}). */
function reach(scope: GuardScope, hit: Hit, around: Around): { start: number; end: number } {
  if (scope === 'message') return { start: 0, end: Number.POSITIVE_INFINITY };
  const { text, clauses } = around;
  const first = clauses.find((c) => hit.start < c.end) ?? { start: 0, end: text.length };
  const last = clauses.find((c) => hit.end <= c.end) ?? { start: 0, end: text.length };
  if (scope === 'clause') return { start: first.start, end: last.end };
  if (scope === 'before') return { start: 0, end: last.end };
  const next = around.stops
    .filter((n) => n.start >= hit.end)
    .reduce((min, n) => Math.min(min, n.start), Number.POSITIVE_INFINITY);
  return { start: first.start, end: next };
}

/**
 * Cantonese words read as the Mandarin the rules are written in (升降機困咗人 → 困了人, 爆水喉 → 爆水管,
 * 暈低咗 → 晕倒了, 而家 → 现在), each replaced by as many characters as it has, so a match keeps its place.
 * Only words with one Mandarin reading: 唔 (唔郁, 唔对路) and 晒 stay as the rules name them.
 */
const CANTONESE: readonly (readonly [RegExp, string])[] = [
  [/咗/g, '了'],
  [/喺/g, '在'],
  [/嚟/g, '来'],
  [/冇/g, '没'],
  [/佢/g, '他'],
  [/嘅/g, '的'],
  [/水喉/g, '水管'],
  [/晕低/g, '晕倒'],
  [/而家/g, '现在'],
  [/啱啱/g, '刚刚'],
  [/屋企/g, '家里'],
  [/入面/g, '里面'],
  [/跟住/g, '跟着'],
  // 然气 is a common slip for 燃气 (gas), typed by sound; not the end of 虽然, 突然 … before 气温, 气味.
  [/(?<![燃天虽自当果居显既仍依固忽突竟偶俨全宛必诚])然气(?=味|管|灶|表|阀|罐|瓶|泄|漏)/g, '燃气'],
  [/(倒|流|冲|滴|漏|掉|跌)落(来|去)/g, '$1下$2'],
  // 𨋢 (lift), which the Traditional-to-Simplified step turns into 䢂.
  [/[𨋢䢂]/gu, '电梯'],
  [/打(紧|緊)?交/g, '打架'],
];

/** The text the rules read: normalised (normalise.ts), Cantonese words as Mandarin. */
function ruleText(text: string): string {
  return replaced(
    normalise(text),
    CANTONESE,
    ([re]) => re,
    (s, [re, to]) => s.replace(re, to),
  );
}

/**
 * Reads whether the text reports an emergency happening now. Never throws, never waits; any length of
 * text is read (the check runs before length limits).
 */
export function assessEmergency(text: string, rules: EmergencyRules): EmergencyAssessment {
  return readRules(text, rules).assessment;
}

/**
 * The rules' verdict on a text ({@link assessEmergency}) and the guards it holds ({@link guardsOf}), from
 * one reading: what the model's input takes from the rules.
 */
export function readEmergency(
  text: string,
  rules: EmergencyRules,
): { assessment: EmergencyAssessment; guards: readonly GuardType[] } {
  const reading = emergencyReading(text, rules);
  return { assessment: reading.assessment, guards: reading.guards() };
}

/**
 * One reading of a text by the rules, kept: their verdict ({@link assessEmergency}) at once, and the guards the
 * text holds ({@link guardsOf}) when first asked for, each pattern run at most once for both. For a caller that
 * needs the verdict first and the rest later: the assistant gives the verdict before anything else, and the
 * model's input for the same text, which takes the verdict and the guards (intent.ts), is made afterwards.
 */
export interface EmergencyReading {
  /** The text read, and the rules it was read with. */
  readonly text: string;
  readonly rules: EmergencyRules;
  readonly assessment: EmergencyAssessment;
  /**
   * The types of the guards the text holds, each once, in the order of the rules: matched at the first call
   * unless the verdict matched them already (it does when a cue matched), then kept.
   */
  guards(): readonly GuardType[];
}

/** Reads a text with the rules once, keeping what the reading found (see {@link EmergencyReading}). */
export function emergencyReading(text: string, rules: EmergencyRules): EmergencyReading {
  const { assessment, whole, guardHits } = readRules(text, rules);
  let guards: readonly GuardType[] | undefined;
  return {
    text,
    rules,
    assessment,
    guards: () => {
      guards ??= typesOf(guardHits ?? matchesByRule(whole, layoutOf(rules).guards), rules);
      return guards;
    },
  };
}

/** The types of the guards that matched, each once, in the order of the rules. */
function typesOf(found: ReadonlyMap<number, readonly Hit[]>, rules: EmergencyRules): GuardType[] {
  const types: GuardType[] = [];
  for (const [at, hits] of found) {
    const type = rules.guards[at]?.type;
    if (hits.length > 0 && type !== undefined && !types.includes(type)) types.push(type);
  }
  return types;
}

/**
 * The rules' verdict on a text, with what was read on the way: the text as the rules read it and, when a cue
 * matched (only then do the guards decide anything), every guard's matches.
 */
function readRules(
  text: string,
  rules: EmergencyRules,
): { assessment: EmergencyAssessment; whole: string; guardHits?: Map<number, Hit[]> } {
  const layout = layoutOf(rules);
  const whole = ruleText(text);
  // Ignored phrases are blanked character for character, so a cue's place is its place in the whole text.
  const s = replaced(
    whole,
    layout.ignore,
    (re) => re,
    (t, re) => t.replace(re, (m) => ' '.repeat(m.length)),
  );
  const matched: string[] = [];
  const hits: (Hit & { strength: 'present' | 'weak'; kind: EmergencyKind })[] = [];
  let present: EmergencyKind | undefined;
  for (const [at, found] of matchesByRule(s, layout.cues)) {
    const cue = rules.cues[at];
    if (!cue || found.length === 0) continue;
    matched.push(`${cue.id}:${found[0]?.text}`);
    for (const h of found) hits.push({ ...h, strength: cue.strength, kind: cue.kind });
    // The first present cue names the kind; a call for help says less than fire or gas.
    if (cue.strength === 'present' && (present === undefined || present === 'other')) present = cue.kind;
  }
  if (hits.length === 0) return { assessment: { verdict: 'none', matched }, whole };
  // Guards read the whole text: a phrase blanked for the cues (消防演习) still says it is a drill.
  const guardHits = matchesByRule(whole, layout.guards);
  const reading = (assessment: EmergencyAssessment) => ({ assessment, whole, guardHits });
  // Each guard reaches as far as its scope: a past clause does not cancel a present one (上次漏水，现在又爆管了).
  const around = new Around(whole, layout.stops);
  const guards: { type: GuardType; start: number; end: number }[] = [];
  for (const [at, found] of guardHits) {
    const g = rules.guards[at];
    if (!g || found.length === 0) continue;
    matched.push(`${g.id}:${found[0]?.text}`);
    for (const h of found) guards.push({ type: g.type, ...reach(g.scope, h, around) });
  }
  const urgent = firstMatch(whole, rules.urgent);
  if (urgent !== undefined) matched.push(`urgent:${urgent}`);
  const guardsOn = (h: Hit) => new Set(guards.filter((g) => g.start < h.end && h.start < g.end).map((g) => g.type));
  const read = hits.map((h) => ({ h, guards: guardsOn(h) }));
  const presentHits = read.filter((r) => r.h.strength === 'present');
  const kindOf = (list: typeof read) => {
    const k = list.find((r) => r.h.kind !== 'other')?.h.kind;
    return k ? { kind: k } : present && present !== 'other' ? { kind: present } : {};
  };
  const free = presentHits.filter((r) => r.guards.size === 0);
  if (free.length > 0) return reading({ verdict: 'present', kind: kindOf(free).kind ?? 'other', matched });
  if (presentHits.length > 0) {
    // A guard and a cue disagree: only a question, a hedge or a routine frame (怎么办, 会不会出事了, 经常)
    // about something that reads as happening, or a sign that it is happening now (快, 现在, !!), leaves
    // it open: ask back.
    const open = presentHits.filter((r) => [...r.guards].every((g) => OPEN_GUARDS.has(g)));
    // Asked about while it is happening to the writer (怎么办 … 我们在18楼下不去, still inside): present.
    // The sign must be more than the cue itself: 救命 over a standing nuisance (救命 楼上天天跳绳) is asked.
    const urgentHits = allMatches(whole, rules.urgent);
    const beyondCues = urgentHits.some((u) => !hits.some((h) => h.start <= u.start && u.end <= h.end));
    if (open.length > 0 && beyondCues)
      return reading({ verdict: 'present', kind: kindOf(open).kind ?? 'other', matched });
    if (open.length > 0 || urgent !== undefined) return reading({ verdict: 'unclear', ...kindOf(open), matched });
    return reading({ verdict: 'none', matched });
  }
  // A weak cue alone is asked about; with a sign that it is happening now (快来人, !!, 救命) it is present.
  // The sign must be more than the cue itself: 喘不过气 is both a weak cue and a sign of now, and a stuffy
  // corridor (楼道里好闷 喘不过气来) is asked about, not paged.
  const weakFree = read.filter((r) => r.guards.size === 0);
  const urgentBeyond = allMatches(whole, rules.urgent).some(
    (u) => !weakFree.some((r) => r.h.start <= u.start && u.end <= r.h.end),
  );
  // Made present by a sign of now, it keeps the kind its cue names (a burning smell growing stronger is a fire).
  if (weakFree.length > 0)
    return reading(
      urgentBeyond
        ? { verdict: 'present', kind: kindOf(weakFree).kind ?? 'other', matched }
        : { verdict: 'unclear', matched },
    );
  return reading({ verdict: 'none', matched });
}

/**
 * The guards a text holds (past, thanks, hypothetical, negated, unreal, question, hedge), whether or not a
 * cue matched: what the model reads as inputs (a past mention of a danger is a follow-up, a dream is other).
 * Read guard by guard, apart from {@link readEmergency}, which the model's input takes them from.
 */
export function guardsOf(text: string, rules: EmergencyRules): GuardType[] {
  const whole = ruleText(text);
  return [...new Set(rules.guards.filter((g) => firstMatch(whole, g.patterns) !== undefined).map((g) => g.type))];
}

/**
 * The rules' verdict with a model's emergency reading added: where the rules say `none` and a model reads
 * an emergency, `unclear` (the owner sees the emergency numbers and is asked); never `present`, which only
 * the rules decide. `present` and `unclear` are kept as they are.
 */
export function withModelEmergency(rules: EmergencyAssessment, modelSaysEmergency: boolean): EmergencyAssessment {
  if (rules.verdict !== 'none' || !modelSaysEmergency) return rules;
  return { verdict: 'unclear', matched: [...rules.matched, 'model:emergency'] };
}
