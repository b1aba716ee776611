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
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { normalise } from './normalise.js';

export const EMERGENCY_KINDS = ['fire', 'gas', 'trapped', 'water', 'injury', 'security', 'other'] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

/**
 * What a guard says about a cue: `past`, `thanks`, `hypothetical` and `negated` say it is not happening now;
 * so does `unreal` (a dream, a film, a game, a joke); a `question` (怎么办) or a `hedge` (会不会出事了) asked
 * about something that reads as happening leaves it open.
 */
export const GUARD_TYPES = ['past', 'thanks', 'hypothetical', 'negated', 'unreal', 'question', 'hedge'] as const;
export type GuardType = (typeof GUARD_TYPES)[number];

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
  guards: (Rule & { type: GuardType })[];
  urgent: RegExp[];
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
  guards: z.array(z.strictObject({ id, type: z.enum(GUARD_TYPES), patterns })).default([]),
  urgent: z.array(z.string().min(1)).default([]),
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
    cues: d.cues.map((r) => ({ ...rule('cues', r), kind: r.kind, strength: r.strength })),
    guards: d.guards.map((r) => ({ ...rule('guards', r), type: r.type })),
    urgent: compile('urgent', d.urgent),
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

function firstMatch(text: string, list: readonly RegExp[]): string | undefined {
  for (const re of list) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

/**
 * Reads whether the text reports an emergency happening now. Never throws, never waits; any length of
 * text is read (the check runs before length limits).
 */
export function assessEmergency(text: string, rules: EmergencyRules): EmergencyAssessment {
  const whole = normalise(text);
  let s = whole;
  for (const r of rules.ignore) {
    for (const re of r.patterns) s = s.replace(re, ' ');
  }
  const matched: string[] = [];
  let present: EmergencyKind | undefined;
  let weak = false;
  for (const cue of rules.cues) {
    const hit = firstMatch(s, cue.patterns);
    if (hit === undefined) continue;
    matched.push(`${cue.id}:${hit}`);
    if (cue.strength === 'present') {
      // The first present cue names the kind; a call for help says less than fire or gas.
      if (present === undefined || present === 'other') present = cue.kind;
    } else weak = true;
  }
  if (present === undefined && !weak) return { verdict: 'none', matched };
  const guards = new Set<GuardType>();
  // Guards read the whole text: a phrase blanked for the cues (消防演习) still says it is a drill.
  for (const g of rules.guards) {
    const hit = firstMatch(whole, g.patterns);
    if (hit === undefined) continue;
    matched.push(`${g.id}:${hit}`);
    guards.add(g.type);
  }
  const urgent = firstMatch(whole, rules.urgent);
  if (urgent !== undefined) matched.push(`urgent:${urgent}`);
  const kind = present && present !== 'other' ? { kind: present } : {};
  if (present !== undefined) {
    if (guards.size === 0) return { verdict: 'present', ...(present ? { kind: present } : {}), matched };
    // A guard and a cue disagree: only a question or a hedge (怎么办, 会不会出事了) about something that
    // reads as happening, or a sign that it is happening now (快, 现在, !!), leaves it open: ask back.
    const open = [...guards].every((g) => g === 'question' || g === 'hedge');
    if (open || urgent !== undefined) return { verdict: 'unclear', ...kind, matched };
    return { verdict: 'none', matched };
  }
  // A weak cue alone is asked about; with a sign that it is happening now (快来人, !!, 救命) it is present.
  if (guards.size === 0) return { verdict: urgent !== undefined ? 'present' : 'unclear', matched };
  return { verdict: 'none', matched };
}

/**
 * The guards a text holds (past, thanks, hypothetical, negated, unreal, question, hedge), whether or not a
 * cue matched: what the model reads as inputs (a past mention of a danger is a follow-up, a dream is other).
 */
export function guardsOf(text: string, rules: EmergencyRules): GuardType[] {
  const whole = normalise(text);
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
