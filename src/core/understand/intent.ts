/**
 * What an owner's text is for, and, for a report, what it reports: the one reading the app routes on.
 *
 *   const model = trainUnderstandModel(labelledMessages, keywords);      // once, at start-up
 *   const u = understandText(text, { keywords, model });                  // pure, synchronous
 *   u.intent            // emergency | report | enquiry | notice | praise | thanks | greeting | human | followup | other
 *   u.confidence        // how sure the intent is, 0–1
 *   u.emergency.verdict // present | unclear | none (the emergency rules' own verdict, never the model's)
 *   u.report            // kind, category, urgency, location, summary, with their confidences
 *   u.askCategory       // the category is unsure: offer u.report.categories as buttons instead of guessing
 *
 * The intent is `emergency` exactly when the emergency rules say `present`; an `unclear` verdict is
 * passed on for the app to ask (是，正在发生 / 不是) while the intent is read as for any other text.
 * A second line of defence ({@link assessText}): when the rules say `none` but the model, trained on
 * emergencies against everything else, is fairly sure of an emergency, the verdict is `unclear`. The
 * model can never make one `present`: only the rules page the duty staff.
 * Everything else is a small logistic regression (model.ts) over words and character n-grams
 * (segment.ts) whose inputs include the keyword scores (flows/keywords.yaml), trained on labelled
 * messages shipped in the repository (flows/understand/training.json).
 */
import {
  CATEGORIES,
  type Category,
  type EstateLocation,
  TICKET_KINDS,
  type TicketKind,
  type Urgency,
} from '../types.js';
import { isEmergency, scoreCategories, summarise } from './classify.js';
import { type EmergencyAssessment, type EmergencyReading, type EmergencyRules, emergencyReading } from './emergency.js';
import { foldForMatch, type Keywords, matchTerms, type Term } from './keywords.js';
import { INTENTS, type Intent, intentOf, type LabelledMessage, REPORT_INTENTS } from './labels.js';
import { findLocation } from './location.js';
import {
  compactHeads,
  type Head,
  type HeadJson,
  headFromJson,
  headToJson,
  type Input,
  predict,
  type Scored,
  type TrainedHead,
  trainHead,
} from './model.js';
import { normalise } from './normalise.js';
import { features, mostFeatures } from './segment.js';
import { vocabularyOf } from './vocabulary.js';

/** The intents the model chooses among: an emergency is the rules' verdict, never the model's guess. */
export const MODEL_INTENTS = INTENTS.filter((i) => i !== 'emergency') as Exclude<Intent, 'emergency'>[];
/** The urgencies the model chooses among (an emergency is the rules' verdict). */
export const MODEL_URGENCIES = ['urgent', 'normal', 'low'] as const;
type ModelUrgency = (typeof MODEL_URGENCIES)[number];

/** Below this category probability a report's category is confirmed with the owner (buttons), not guessed. */
export const CATEGORY_SURE = 0.45;
/** Below this intent probability the intent is unsure: the app may ask what the owner wants. */
export const INTENT_SURE = 0.5;
/** At or above this emergency probability a text the rules call `none` is `unclear` (the owner is asked). */
export const EMERGENCY_ASK = 0.2;
/** The second line speaks only on texts with at least this many word and n-gram features. */
export const EMERGENCY_MODEL_MIN_FEATURES = 12;

const EMERGENCY_LABELS = ['emergency', 'not'] as const;

/** A head as scored (`compact`: the shared vocabulary, single precision) or as training leaves it (`trained`). */
type HeadOf<K extends 'compact' | 'trained', L extends string> = K extends 'trained' ? TrainedHead<L> : Head<L>;

/** The model's heads, in one of the two forms of {@link HeadOf}. */
interface ModelOf<K extends 'compact' | 'trained'> {
  intent: HeadOf<K, Exclude<Intent, 'emergency'>>;
  category: HeadOf<K, Category>;
  kind: HeadOf<K, TicketKind>;
  urgency: HeadOf<K, ModelUrgency>;
  /** Emergency or not: the second line of defence behind the emergency rules (never decides `present`). */
  emergency: HeadOf<K, (typeof EMERGENCY_LABELS)[number]>;
  /** How many labelled messages it learnt from. */
  trainedOn: number;
}

/** The model scored with: the heads share one vocabulary ({@link compactModel} makes it). */
export type UnderstandModel = ModelOf<'compact'>;

/**
 * The model as training leaves it, each head with features and double-precision weights of its own: what
 * the weights file is written from ({@link modelToJson}); {@link compactModel} makes the model scored with.
 */
export type TrainedUnderstandModel = ModelOf<'trained'>;

/** What the emergency rules say about a text (see emergency.ts). */
export type EmergencyVerdict = EmergencyAssessment;

export interface Understander {
  keywords: Keywords;
  model: UnderstandModel;
  /** The emergency rules (flows/understand/emergency.yaml); without them, the older keyword list decides present or none. */
  emergencyRules?: EmergencyRules;
}

export interface ReportReading {
  kind: TicketKind;
  category: Category;
  urgency: Urgency;
  location?: EstateLocation;
  /** The first sentence, greetings dropped, at most 40 characters. */
  summary: string;
  categoryConfidence: number;
  kindConfidence: number;
  /** The three likeliest categories, best first: the buttons to offer when {@link TextUnderstanding.askCategory}. */
  categories: Scored<Category>[];
}

export interface TextUnderstanding {
  intent: Intent;
  /** How sure the intent is, 0–1 (1 for an emergency the rules found). */
  confidence: number;
  /** Every model intent with its probability, best first (for routing on a runner-up). */
  intents: Scored<Intent>[];
  emergency: EmergencyVerdict;
  /** What the text would be as a report; meaningful when the intent is report or emergency. */
  report: ReportReading;
  /** A report whose category is unsure: ask the owner (category buttons) rather than guess. */
  askCategory: boolean;
}

const cap = (n: number, max: number) => Math.min(n, max) / max;
const sum = (terms: readonly Term[]) => terms.reduce((n, t) => n + t.weight, 0);

/**
 * The model's input for a text: its features, the keyword scores as named values (matched on the
 * normalised text, so Traditional characters find the Simplified keywords), the kind of place it names
 * (`lk:unit`, `lk:public`, `lk:none`) and, with the emergency rules, the kind of emergency a cue names
 * (`ek:fire` …), alone and with the kind of place, which tells the category of an emergency's report: a gas
 * smell in a stairwell whose source nobody knows is filed under security, one in the writer's own
 * kitchen under water and power.
 */
export function inputOf(text: string, keywords: Keywords, rules?: EmergencyRules): Input {
  return readInput(text, keywords, rules).input;
}

/** A text's model input with what was read on the way: the rules' verdict (with rules) and the place. */
interface InputReading {
  input: Input;
  rules?: EmergencyAssessment;
  location?: EstateLocation;
}

/**
 * {@link inputOf}, keeping what it read on the way, so a caller reads each once: the rules' verdict, the
 * place, and the features when given (`words`: the text's features, already worked out). `place: false`
 * leaves out the kind of place (`lk:`), for an input whose place is dropped anyway ({@link apartFromRules}):
 * the other values keep their order. `reading`: the rules' reading of the text, already made (see
 * {@link readingOf}).
 */
function readInput(
  text: string,
  keywords: Keywords,
  rules?: EmergencyRules,
  {
    words,
    place: withPlace = true,
    reading,
  }: { words?: readonly string[]; place?: boolean; reading?: EmergencyReading } = {},
): InputReading {
  const folded = foldForMatch(normalise(text));
  const location = withPlace ? findLocation(text) : undefined;
  const place = location?.kind ?? 'none';
  const values: Record<string, number> = withPlace ? { [`lk:${place}`]: 1 } : {};
  let verdict: EmergencyAssessment | undefined;
  if (rules) {
    const read = readingOf(text, rules, reading);
    const a = read.assessment;
    verdict = a;
    if (a.kind) {
      values[`ek:${a.kind}`] = 1;
      values[`ek:${a.kind}:${place}`] = 1;
    }
    // What the rules make of it (a danger read as present or asked about) and the guards the text holds:
    // a danger mentioned as over is a follow-up, one in a dream or a film is other, one asked about an enquiry.
    if (a.verdict !== 'none') values[`es:${a.verdict}`] = 1;
    for (const g of read.guards()) values[`eg:${g}`] = 1;
  }
  for (const { category, score } of scoreCategories(folded, keywords))
    if (score > 0) values[`kw:${category}`] = cap(score, 8);
  for (const [intent, terms] of Object.entries(keywords.intents)) {
    const s = sum(matchTerms(folded, terms ?? []));
    if (s > 0) values[`ki:${intent}`] = cap(s, 6);
  }
  const put = (name: string, terms: readonly Term[]) => {
    const s = sum(matchTerms(folded, terms));
    if (s > 0) values[name] = cap(s, 6);
  };
  put('kk:complaint', keywords.kinds.complaint);
  put('kk:suggestion', keywords.kinds.suggestion);
  put('ku:urgent', keywords.urgency.urgent);
  put('ku:low', keywords.urgency.low);
  return {
    input: { features: words ?? features(text), values },
    ...(verdict ? { rules: verdict } : {}),
    ...(location ? { location } : {}),
  };
}

/** Trains the model on labelled messages and makes it the one scored with (see {@link trainUnderstandHeads}). */
export function trainUnderstandModel(
  messages: readonly LabelledMessage[],
  keywords: Keywords,
  rules?: EmergencyRules,
): UnderstandModel {
  return compactModel(trainUnderstandHeads(messages, keywords, rules));
}

/** The trained heads sharing one vocabulary, single-precision weights (see Head in model.ts). */
export function compactModel({ trainedOn, ...heads }: TrainedUnderstandModel): UnderstandModel {
  return { ...compactHeads(heads), trainedOn };
}

/**
 * Trains the model on labelled messages (deterministic: the same messages in the same order give the
 * same model). Intent learns from messages labelled with an intent; kind, category and urgency from
 * reports and emergencies.
 */
export function trainUnderstandHeads(
  messages: readonly LabelledMessage[],
  keywords: Keywords,
  rules?: EmergencyRules,
): TrainedUnderstandModel {
  const rows = messages.map((m) => ({ m, input: inputOf(m.text, keywords, rules), intent: intentOf(m) }));
  const reports = rows.filter((r) => REPORT_INTENTS.includes(r.intent));
  return {
    // Intent learns only from messages labelled with one: a set of reports alone (the old set) would
    // teach that everything is a report.
    intent: trainHead(
      MODEL_INTENTS,
      rows
        .filter((r) => r.m.intent !== undefined)
        .map((r) => ({ input: apartFromPlace(r.input), label: r.intent === 'emergency' ? 'report' : r.intent })),
    ),
    category: trainHead(
      CATEGORIES,
      reports.flatMap((r) => (r.m.category ? [{ input: forCategory(r.input), label: r.m.category }] : [])),
    ),
    kind: trainHead(
      TICKET_KINDS,
      reports.flatMap((r) => (r.m.kind ? [{ input: r.input, label: r.m.kind }] : [])),
    ),
    urgency: trainHead(
      MODEL_URGENCIES,
      reports.flatMap((r) =>
        r.m.urgency && r.m.urgency !== 'emergency' ? [{ input: r.input, label: r.m.urgency as ModelUrgency }] : [],
      ),
    ),
    emergency: trainHead(
      EMERGENCY_LABELS,
      rows
        .filter((r) => r.m.intent !== undefined || r.m.urgency !== undefined)
        .map((r) => ({ input: apartFromRules(r.input), label: r.intent === 'emergency' ? 'emergency' : 'not' })),
    ),
    trainedOn: messages.length,
  };
}

/** The trained model as plain JSON (see {@link modelFromJson}). */
export interface UnderstandModelJson {
  trainedOn: number;
  heads: Record<'intent' | 'category' | 'kind' | 'urgency' | 'emergency', HeadJson>;
}

export function modelToJson(m: TrainedUnderstandModel): UnderstandModelJson {
  return {
    trainedOn: m.trainedOn,
    heads: {
      intent: headToJson(m.intent),
      category: headToJson(m.category, CATEGORY_KEEP_WEIGHT),
      kind: headToJson(m.kind),
      urgency: headToJson(m.urgency),
      emergency: headToJson(m.emergency),
    },
  };
}

/** The model read back from {@link modelToJson}. Throws when a head's labels are not today's. */
export function modelFromJson(j: UnderstandModelJson): UnderstandModel {
  const { intent, category, kind, urgency, emergency } = j.heads;
  // One vocabulary for every head, numbered head by head in this order.
  const vocabulary = vocabularyOf([intent, category, kind, urgency, emergency].map((h) => Object.keys(h.weights)));
  return {
    intent: headFromJson(MODEL_INTENTS, intent, vocabulary),
    category: headFromJson(CATEGORIES, category, vocabulary),
    kind: headFromJson(TICKET_KINDS, kind, vocabulary),
    urgency: headFromJson(MODEL_URGENCIES, urgency, vocabulary),
    emergency: headFromJson(EMERGENCY_LABELS, emergency, vocabulary),
    trainedOn: j.trainedOn,
  };
}

/**
 * An input without what the emergency rules said (`ek:`, `es:` and `eg:` values) nor the kind of place: the
 * second line of defence must read the words, not echo the rules it stands behind, or it would miss exactly
 * what they miss (and a flat number says nothing about danger).
 */
function apartFromRules(input: Input): Input {
  const values = Object.fromEntries(Object.entries(input.values ?? {}).filter(([k]) => !/^(e[ksg]|lk):/.test(k)));
  return { features: input.features, values };
}

/**
 * An input without the kind of place, for the intent head: a place helps tell a report's category (held out
 * by writer, it did), but what a text is for does not depend on whether it names a flat.
 */
function apartFromPlace(input: Input): Input {
  const values = Object.fromEntries(Object.entries(input.values ?? {}).filter(([k]) => !k.startsWith('lk:')));
  return { features: input.features, values };
}

/**
 * How much a keyword score counts in the category head's input, against 1 for the other values. At full
 * strength one keyword outweighed the rest of the text ('fire' in "fire lane blocked by a car" read as fire
 * equipment, 'smoke' in "people keep smoking in the fire stairs" too); at 0.3 the head learns the words
 * around it as well. Held out by writer (seventh round, mean over dev … dev-7, dev-8 trained on), with the
 * guards below: category 0.870 → 0.899 (at 0.5: 0.885, at 0.2: 0.896; English stop words, English character
 * 4-grams, Chinese 4-grams or 2-grams only, no word pairs and a better stemmer changed it by ±0.3 or less).
 */
export const CATEGORY_KEYWORD_SCALE = 0.3;

/**
 * The smallest weight the category head keeps in the weights file (the other heads keep KEEP_WEIGHT, model.ts):
 * with keyword scores counting less its word weights are larger. Held out by writer, 0.12 gave the same readings
 * as keeping every weight and 0.15 one fewer in 1,700 (0.2: three), and with dev-8 trained on 0.15 keeps the file
 * near 4.8 MB (5.2 MB at 0.12).
 */
const CATEGORY_KEEP_WEIGHT = 0.15;

/**
 * The category head's input: keyword scores scaled by {@link CATEGORY_KEYWORD_SCALE}, and without the
 * emergency guards and verdict (`eg:`, `es:`): whether a danger is over, asked about or in a film tells what
 * a text is for, not what it is about. The kind of emergency (`ek:`) and of place stay: they tell the category.
 */
function forCategory(input: Input): Input {
  const values: Record<string, number> = {};
  for (const [k, x] of Object.entries(input.values ?? {})) {
    if (/^e[sg]:/.test(k)) continue;
    values[k] = k.startsWith('kw:') ? x * CATEGORY_KEYWORD_SCALE : x;
  }
  return { features: input.features, values };
}

/** How likely the model finds it that the text reports an emergency happening now, 0–1. */
export function emergencyProbability(
  text: string,
  u: Pick<Understander, 'keywords' | 'model' | 'emergencyRules'>,
  input?: Input,
): number {
  const p = predict(u.model.emergency, apartFromRules(input ?? inputOf(text, u.keywords)));
  return p.find((s) => s.label === 'emergency')?.p ?? 0;
}

/**
 * The emergency verdict the app acts on: the rules' (emergency.ts), with the model as a second line of
 * defence: a text the rules call `none` that the model finds likely an emergency ({@link EMERGENCY_ASK})
 * is `unclear`, so the owner sees the emergency numbers and is asked. Never `present` from the model.
 * `reading`: the rules' reading of the text, already made (see {@link readingOf}).
 */
export function assessText(text: string, u: Understander, input?: Input, reading?: EmergencyReading): EmergencyVerdict {
  const rules = u.emergencyRules
    ? readingOf(text, u.emergencyRules, reading).assessment
    : keywordEmergency(text, u.keywords);
  return withModel(text, u, rules, input);
}

/**
 * The rules' reading of a text: the one given when it is of this text with these rules (a caller that read
 * the rules first, for the verdict, hands its reading on), else a new one.
 */
function readingOf(text: string, rules: EmergencyRules, given?: EmergencyReading): EmergencyReading {
  return given && given.text === text && given.rules === rules ? given : emergencyReading(text, rules);
}

/** {@link assessText} from the rules' verdict, already read. */
function withModel(text: string, u: Understander, rules: EmergencyVerdict, input?: Input): EmergencyVerdict {
  if (rules.verdict !== 'none') return rules;
  // A few words say too little for the model (a flat number alone reads like the flats in emergencies): the
  // words are counted before the rest of the model's input (keyword scores, place) is worked out for it, and
  // a text too short to hold enough is not even split into words.
  if (!input && mostFeatures(text) < EMERGENCY_MODEL_MIN_FEATURES) return rules;
  const words = input?.features ?? features(text);
  if (words.filter((f) => f !== 'n' && f !== '?').length < EMERGENCY_MODEL_MIN_FEATURES) return rules;
  // The model's input without the rules and the place, which the emergency head leaves out (apartFromRules).
  const x = input ?? readInput(text, u.keywords, undefined, { words, place: false }).input;
  const p = emergencyProbability(text, u, x);
  if (p < EMERGENCY_ASK) return rules;
  return { verdict: 'unclear', matched: [...rules.matched, `model:${round2(p)}`] };
}

/** The keyword list's verdict: present when an emergency word matched, else none. */
export function keywordEmergency(text: string, keywords: Keywords): EmergencyVerdict {
  return isEmergency(text, keywords)
    ? { verdict: 'present', matched: ['urgency.emergency'] }
    : { verdict: 'none', matched: [] };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Reads one owner text: intent with confidence, the emergency verdict, and the report it would be.
 * `reading`: the rules' reading of the text, already made (see {@link readingOf}).
 */
export function understandText(text: string, u: Understander, reading?: EmergencyReading): TextUnderstanding {
  // The rules, the place and the features are read once, for the input and for the reading alike.
  const { input, rules, location } = readInput(text, u.keywords, u.emergencyRules, { reading });
  const emergency = withModel(text, u, rules ?? keywordEmergency(text, u.keywords), input);
  const intents = predict(u.model.intent, apartFromPlace(input)) as Scored<Intent>[];
  const categories = predict(u.model.category, forCategory(input));
  const kinds = predict(u.model.kind, input);
  const urgencies = predict(u.model.urgency, input);
  const top = intents[0] as Scored<Intent>;
  const category = categories[0] as Scored<Category>;
  const kind = kinds[0] as Scored<TicketKind>;
  const present = emergency.verdict === 'present';
  const report: ReportReading = {
    kind: kind.label,
    category: category.label,
    urgency: present ? 'emergency' : (urgencies[0]?.label ?? 'normal'),
    ...(location ? { location } : {}),
    summary: summarise(text),
    categoryConfidence: round2(category.p),
    kindConfidence: round2(kind.p),
    categories: categories.slice(0, 3).map((c) => ({ label: c.label, p: round2(c.p) })),
  };
  const intent: Intent = present ? 'emergency' : top.label;
  return {
    intent,
    confidence: present ? 1 : round2(top.p),
    intents: intents.map((i) => ({ label: i.label, p: round2(i.p) })),
    emergency,
    report,
    askCategory: intent === 'report' && category.p < CATEGORY_SURE,
  };
}
