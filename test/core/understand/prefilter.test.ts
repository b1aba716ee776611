import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadUnderstandModel } from '../../../src/adapters/ai/model-file.js';
import * as classify from '../../../src/core/understand/classify.js';
import * as emergency from '../../../src/core/understand/emergency.js';
import * as intent from '../../../src/core/understand/intent.js';
import * as kw from '../../../src/core/understand/keywords.js';
import { normalise } from '../../../src/core/understand/normalise.js';
import { emergencyPatterns, fragments, ownerTexts, termLists } from './corpus.js';
import { keywords } from './support.js';

/**
 * The prefilter (needs.ts) changes no reading: the understanding modules as they are, and a second copy of
 * them loaded with a prefilter that skips nothing, give the same answer for every text.
 */
type Modules = {
  classify: typeof classify;
  emergency: typeof emergency;
  intent: typeof intent;
  kw: typeof kw;
};
const filtered: Modules = { classify, emergency, intent, kw };
let plain: Modules;

beforeAll(async () => {
  vi.resetModules();
  vi.doMock('../../../src/core/understand/needs.js', () => ({
    mayMatch: () => true,
    mayMatchAmong: <T>(list: readonly T[]) => [...list],
    needsOf: () => undefined,
    analyse: () => undefined,
  }));
  plain = {
    classify: await import('../../../src/core/understand/classify.js'),
    emergency: await import('../../../src/core/understand/emergency.js'),
    intent: await import('../../../src/core/understand/intent.js'),
    kw: await import('../../../src/core/understand/keywords.js'),
  };
  vi.doUnmock('../../../src/core/understand/needs.js');
});

const rules = loadEmergencyRules();
const model = loadUnderstandModel(keywords, undefined, rules);
const texts = ownerTexts();
const pool = [
  ...new Set(
    [...emergencyPatterns(rules), ...termLists(keywords).flatMap(([, terms]) => terms.map((t) => t.re))].flatMap(
      (p) => [...p.source.replace(/\\[a-z]|[\\^$.*+?()[\]{}|]/gi, '')],
    ),
  ),
];
const random = fragments(texts, pool, 3000, 29);

/** The texts on which `read` gives a different answer with the prefilter than without (at most five shown). */
function differences(list: readonly string[], read: (m: Modules, text: string) => unknown): string[] {
  const out: string[] = [];
  for (const t of list) {
    const a = JSON.stringify(read(filtered, t));
    const b = JSON.stringify(read(plain, t));
    if (a !== b && out.push(`${t}\n  with: ${a}\n  without: ${b}`) >= 5) break;
  }
  return out;
}

describe('the prefilter changes no reading', () => {
  it('the copy without it is a copy: it runs every pattern', () => {
    expect(plain.emergency).not.toBe(filtered.emergency);
    expect(plain.kw.matchTerms).not.toBe(filtered.kw.matchTerms);
    expect(plain.emergency.assessEmergency('电梯里困人了快来', rules).verdict).toBe('present');
  });

  it.each([
    ['owner texts', texts],
    ['random fragments', random],
  ])('emergency rules: assessEmergency and guardsOf on the %s', (_, list) => {
    expect(list.length).toBeGreaterThan(2000);
    expect(differences(list, (m, t) => m.emergency.assessEmergency(t, rules))).toEqual([]);
    expect(differences(list, (m, t) => m.emergency.guardsOf(t, rules))).toEqual([]);
  });

  it.each([
    ['owner texts', texts],
    ['random fragments', random],
  ])('keywords: matchTerms on every list, scoreCategories and isEmergency on the %s', (_, list) => {
    const lists = termLists(keywords);
    const read = (m: Modules, t: string) => {
      const folded = m.kw.foldForMatch(normalise(t));
      return [
        lists.flatMap(([name, terms]) => m.kw.matchTerms(folded, terms).map((x) => `${name}:${x.source}`)),
        m.classify.scoreCategories(folded, keywords).map((c) => [c.category, c.score]),
        m.classify.isEmergency(t, keywords),
      ];
    };
    expect(differences(list, read)).toEqual([]);
  });

  // The model reads what the tests above compare; one owner text in ten is enough to see it read the same.
  it('inputOf and understandText on one owner text in ten', () => {
    const u = { keywords, model, emergencyRules: rules };
    const some = texts.filter((_, i) => i % 10 === 0);
    expect(differences(some, (m, t) => m.intent.inputOf(t, keywords, rules).values)).toEqual([]);
    expect(differences(some, (m, t) => m.intent.understandText(t, u))).toEqual([]);
  });
});
