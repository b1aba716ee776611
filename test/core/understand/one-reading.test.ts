/**
 * Reading a text once gives what reading each part gives: the model's input (inputOf), the emergency verdict
 * with the model behind it (assessText) and the whole reading (understandText) take the rules' verdict, the
 * guards, the place and the features from one reading each; here each is worked out again on its own, from
 * the exported parts, and compared for every owner text the repository holds.
 */
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadUnderstandModel } from '../../../src/adapters/ai/model-file.js';
import { scoreCategories } from '../../../src/core/understand/classify.js';
import { assessEmergency, emergencyReading, guardsOf, readEmergency } from '../../../src/core/understand/emergency.js';
import {
  assessText,
  EMERGENCY_ASK,
  EMERGENCY_MODEL_MIN_FEATURES,
  emergencyProbability,
  inputOf,
  understandText,
} from '../../../src/core/understand/intent.js';
import { foldForMatch, matchTerms, type Term } from '../../../src/core/understand/keywords.js';
import { findLocation } from '../../../src/core/understand/location.js';
import { normalise } from '../../../src/core/understand/normalise.js';
import { features, mostFeatures } from '../../../src/core/understand/segment.js';
import { fragments, ownerTexts } from './corpus.js';
import { keywords } from './support.js';

const rules = loadEmergencyRules();
const model = loadUnderstandModel(keywords, undefined, rules);
const u = { keywords, model, emergencyRules: rules };
const texts = ownerTexts();
const mixed = fragments(texts, [...'着火漏气困电梯救命了吗不是上次怎么办 !'], 800, 31);
const all = [...texts, ...mixed];

/** The texts (at most five shown) whose two readings differ. */
function differences(list: readonly string[], one: (t: string) => unknown, other: (t: string) => unknown): string[] {
  const out: string[] = [];
  for (const t of list) {
    const a = JSON.stringify(one(t));
    const b = JSON.stringify(other(t));
    if (a !== b && out.push(`${t}\n  once: ${a}\n  apart: ${b}`) >= 5) break;
  }
  return out;
}

const sum = (terms: readonly Term[]) => terms.reduce((n, t) => n + t.weight, 0);
const cap = (n: number, max: number) => Math.min(n, max) / max;

/** The model's input worked out part by part, each part read on its own (the values in inputOf's order). */
function inputApart(text: string) {
  const folded = foldForMatch(normalise(text));
  const place = findLocation(text)?.kind ?? 'none';
  const values: Record<string, number> = { [`lk:${place}`]: 1 };
  const a = assessEmergency(text, rules);
  if (a.kind) {
    values[`ek:${a.kind}`] = 1;
    values[`ek:${a.kind}:${place}`] = 1;
  }
  if (a.verdict !== 'none') values[`es:${a.verdict}`] = 1;
  for (const g of guardsOf(text, rules)) values[`eg:${g}`] = 1;
  for (const { category, score } of scoreCategories(folded, keywords))
    if (score > 0) values[`kw:${category}`] = cap(score, 8);
  for (const [intent, terms] of Object.entries(keywords.intents)) {
    const s = sum(matchTerms(folded, terms ?? []));
    if (s > 0) values[`ki:${intent}`] = cap(s, 6);
  }
  for (const [name, terms] of [
    ['kk:complaint', keywords.kinds.complaint],
    ['kk:suggestion', keywords.kinds.suggestion],
    ['ku:urgent', keywords.urgency.urgent],
    ['ku:low', keywords.urgency.low],
  ] as const) {
    const s = sum(matchTerms(folded, terms));
    if (s > 0) values[name] = cap(s, 6);
  }
  return { features: features(text), values };
}

/** The rules' verdict and then the model's, each worked out on its own (the model's input from scratch). */
function assessApart(text: string) {
  const verdict = assessEmergency(text, rules);
  if (verdict.verdict !== 'none') return verdict;
  if (features(text).filter((f) => f !== 'n' && f !== '?').length < EMERGENCY_MODEL_MIN_FEATURES) return verdict;
  const p = emergencyProbability(text, u);
  if (p < EMERGENCY_ASK) return verdict;
  return { verdict: 'unclear', matched: [...verdict.matched, `model:${Math.round(p * 100) / 100}`] };
}

describe('one reading of a text gives what each part gives', () => {
  it('readEmergency: the verdict of assessEmergency and the guards of guardsOf', () => {
    expect(all.length).toBeGreaterThan(5000);
    const apart = (t: string) => ({ assessment: assessEmergency(t, rules), guards: guardsOf(t, rules) });
    expect(differences(all, (t) => readEmergency(t, rules), apart)).toEqual([]);
    // Texts that hold a guard and no cue are among them (the guards are read even when no cue matched).
    expect(texts.some((t) => assessEmergency(t, rules).matched.length === 0 && guardsOf(t, rules).length > 0)).toBe(
      true,
    );
  });

  it('inputOf: features, place, rules and keyword scores in the same order', () => {
    expect(differences(all, (t) => inputOf(t, keywords, rules), inputApart)).toEqual([]);
  });

  it('assessText: the rules, then the model on texts with enough words', () => {
    expect(differences(all, (t) => assessText(t, u), assessApart)).toEqual([]);
    // Some texts are asked about because of the model alone: the second line is exercised.
    expect(texts.some((t) => assessText(t, u).matched.some((m) => m.startsWith('model:')))).toBe(true);
  });

  it('understandText: its verdict is assessText on its input, its place findLocation', () => {
    const some = all.filter((_, i) => i % 3 === 0);
    expect(
      differences(
        some,
        (t) => {
          const r = understandText(t, u);
          return [r.emergency, r.report.location];
        },
        (t) => [assessText(t, u, inputOf(t, keywords, rules)), findLocation(t)],
      ),
    ).toEqual([]);
    expect(
      differences(
        some,
        (t) => understandText(t, u).emergency,
        (t) => assessText(t, u),
      ),
    ).toEqual([]);
  });

  it('a reading of the rules handed on gives what reading them again gives; one of another text is not used', () => {
    const some = all.filter((_, i) => i % 3 === 1);
    // The verdict first, as the assistant gives it, then the whole reading from the same reading of the rules.
    const handedOn = (t: string) => {
      const reading = emergencyReading(t, rules);
      return [assessText(t, u, undefined, reading), understandText(t, u, reading)];
    };
    expect(differences(some, handedOn, (t) => [assessText(t, u), understandText(t, u)])).toEqual([]);
    // Its guards are read only when asked for, and are guardsOf's.
    expect(
      differences(
        some,
        (t) => emergencyReading(t, rules).guards(),
        (t) => guardsOf(t, rules),
      ),
    ).toEqual([]);
    const other = emergencyReading('厨房着火了', rules);
    expect(
      differences(
        some,
        (t) => understandText(t, u, other),
        (t) => understandText(t, u),
      ),
    ).toEqual([]);
  });

  it('normalise and features read a text the same whatever was read before it', () => {
    const forward = new Map(all.map((t) => [t, JSON.stringify([normalise(t), features(t)])]));
    const backward = [...all].reverse();
    expect(
      differences(
        backward,
        (t) => [normalise(t), features(t)],
        (t) => JSON.parse(forward.get(t) ?? ''),
      ),
    ).toEqual([]);
  });

  it('mostFeatures: never fewer than the word and n-gram features a text has', () => {
    const over = all.filter((t) => features(t).filter((f) => f !== 'n' && f !== '?').length > mostFeatures(t));
    expect(over.slice(0, 5)).toEqual([]);
    // It tells the short texts typed in a report apart: a name, a flat, a command, a phone number.
    for (const t of ['张三', '3-2-501', '/start', '13800000001'])
      expect(mostFeatures(t)).toBeLessThan(EMERGENCY_MODEL_MIN_FEATURES);
  });

  it("features: a Chinese run's character 1-, 2- and 3-grams, in that order", () => {
    const f = features('天花板漏水');
    expect(f.filter((x) => x.startsWith('c:'))).toEqual(
      ['天', '花', '板', '漏', '水', '天花', '花板', '板漏', '漏水', '天花板', '花板漏', '板漏水'].map((c) => `c:${c}`),
    );
  });
});
