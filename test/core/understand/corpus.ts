import { readdirSync, readFileSync } from 'node:fs';
import type { EmergencyRules } from '../../../src/core/understand/emergency.js';
import type { Keywords, Term } from '../../../src/core/understand/keywords.js';

/** Every pattern of the emergency rules: ignore, cues, guards, urgent and now. */
export function emergencyPatterns(rules: EmergencyRules): RegExp[] {
  return [...rules.ignore, ...rules.cues, ...rules.guards].flatMap((r) => r.patterns).concat(rules.urgent, rules.now);
}

/** Every term list of a keyword file, named by where it is (categories.lift, urgency.emergency …). */
export function termLists(keywords: Keywords): [string, Term[]][] {
  return [
    ...Object.entries(keywords.categories).map(([c, v]): [string, Term[]] => [`categories.${c}`, v.terms]),
    ['kinds.complaint', keywords.kinds.complaint],
    ['kinds.suggestion', keywords.kinds.suggestion],
    ...Object.entries(keywords.urgency).map(([u, v]): [string, Term[]] => [`urgency.${u}`, v]),
    ...Object.entries(keywords.themes).map(([t, v]): [string, Term[]] => [`themes.${t}`, v.terms]),
    ['injection', keywords.injection],
    ['empty', keywords.empty],
    ...Object.entries(keywords.intents).map(([i, v]): [string, Term[]] => [`intents.${i}`, v ?? []]),
  ];
}

/**
 * Every owner text the repository holds for understanding: the labelled sets (test/fixtures/understand, the
 * evaluation set, the enquiries), the training examples, and the string literals of the understanding tests
 * (emergency.test.ts and its neighbours name hundreds of look-alikes). Read as inputs only: no figure of the
 * frozen test set is computed from them.
 */
export function ownerTexts(): string[] {
  const texts = new Set<string>();
  const fromList = (file: string) => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const list = Array.isArray(doc) ? doc : ((doc as { items?: unknown[]; examples?: unknown[] }).items ?? []);
    const examples = (doc as { examples?: unknown[] }).examples ?? [];
    for (const m of [...list, ...examples]) {
      const text = (m as { text?: unknown }).text;
      if (typeof text === 'string') texts.add(text);
    }
  };
  for (const dir of ['test/fixtures/understand', 'test/fixtures/enquiries'])
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) fromList(`${dir}/${f}`);
  fromList('test/fixtures/eval-messages.json');
  fromList('flows/understand/training.json');
  const dir = 'test/core/understand';
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.test.ts')) continue;
    for (const m of readFileSync(`${dir}/${f}`, 'utf8').matchAll(/'((?:[^'\\\n]|\\.)+)'|`([^`$\\]+)`/g)) {
      const s = m[1] ?? m[2];
      if (s && s.length > 1) texts.add(s.replace(/\\(.)/g, '$1'));
    }
  }
  return [...texts];
}

/**
 * Random fragments (deterministic: a fixed seed): pieces of the given texts, joined and cut, with characters
 * from `pool` (the characters the patterns name) mixed in, so patterns meet texts that nearly match them.
 */
export function fragments(texts: readonly string[], pool: readonly string[], count: number, seed = 17): string[] {
  let x = seed;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const parts = 1 + rand(4);
    for (let p = 0; p < parts; p++) {
      if (rand(3) === 0) {
        for (let k = rand(6); k >= 0; k--) s += pool[rand(pool.length)];
      } else {
        const t = [...(texts[rand(texts.length)] ?? '')];
        const from = rand(t.length + 1);
        s += t.slice(from, from + 1 + rand(12)).join('');
      }
    }
    out.push(s);
  }
  return out;
}
