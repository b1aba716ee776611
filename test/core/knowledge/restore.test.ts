/**
 * A knowledge index restored from its state (what the start-up snapshot keeps, so that a start segments
 * nothing) answers exactly as the one built from the same files: the same candidates with the same scores in
 * the same order, for every labelled question of the enquiry sets and the examples, and staff-saved
 * knowledge joins it (and leaves it) as it joins a built one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/adapters/content/knowledge-file.js';
import { contentPaths } from '../../../src/content.js';
import type { KnowledgeEntry } from '../../../src/core/knowledge/entry.js';
import { enquirySetSchema } from '../../../src/core/knowledge/evaluate.js';
import {
  createKnowledgeIndex,
  type KnowledgeIndexState,
  type RankedKnowledgeIndex,
  restoreKnowledgeIndex,
} from '../../../src/core/knowledge/search.js';
import type { Locale } from '../../../src/core/types.js';

const shipped = loadKnowledge(contentPaths().knowledge);
const sets = new URL('../../fixtures/enquiries/', import.meta.url);
const questions: { text: string; locale: Locale }[] = [
  ...readdirSync(sets)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => enquirySetSchema.parse(JSON.parse(readFileSync(new URL(name, sets), 'utf8')))),
  ...shipped.examples,
  { text: '', locale: 'zh-CN' },
  { text: 'wifi 密码是多少', locale: 'zh-CN' },
];

/** Through V8's serialisation, as the snapshot stores it. */
const roundTrip = (state: KnowledgeIndexState) => deserialize(serialize(state)) as KnowledgeIndexState;

const saved: KnowledgeEntry = {
  id: 'learned.K001',
  topic: 'other',
  questions: { 'zh-CN': ['小区的快递驿站能寄国际快递吗', '能寄国际包裹吗'] },
  answer: { 'zh-CN': '驿站可以寄国际快递，请带护照。' },
  source: 'staff:7',
};

/** Every question's ranking and answer. */
const answers = (index: RankedKnowledgeIndex) =>
  questions.map((q) => ({ rank: index.rank(q.text), answer: index.answer(q.text, q.locale) }));

describe('a restored knowledge index', () => {
  it('ranks and answers every labelled question as the built one, with and without examples', () => {
    expect(questions.length).toBeGreaterThan(500);
    for (const examples of [shipped.examples, []]) {
      const built = createKnowledgeIndex(shipped.entries, shipped.synonyms, examples);
      const restored = restoreKnowledgeIndex(roundTrip(built.toState()), shipped.synonyms, examples);
      expect(restored.entries()).toEqual(built.entries());
      expect(answers(restored)).toEqual(answers(built));
    }
  });

  it('takes staff-saved knowledge at once, and lets it go, as the built one does', () => {
    const built = createKnowledgeIndex(shipped.entries, shipped.synonyms, shipped.examples);
    const restored = restoreKnowledgeIndex(roundTrip(built.toState()), shipped.synonyms, shipped.examples);
    for (const index of [built, restored]) index.add([saved]);
    expect(restored.answer('能寄国际快递吗', 'zh-CN').map((m) => m.entry.id)).toEqual(['learned.K001']);
    expect(answers(restored)).toEqual(answers(built));
    for (const index of [built, restored]) index.remove('fees.pay');
    expect(restored.get('fees.pay')).toBeUndefined();
    expect(answers(restored)).toEqual(answers(built));
  });

  it('is not changed by what was added to the index it was taken from afterwards', () => {
    const built = createKnowledgeIndex(shipped.entries, shipped.synonyms, shipped.examples);
    const state = roundTrip(built.toState());
    built.add([saved]);
    const restored = restoreKnowledgeIndex(state, shipped.synonyms, shipped.examples);
    expect(restored.get('learned.K001')).toBeUndefined();
    expect(restored.entries()).toHaveLength(shipped.entries.length);
  });

  it('refuses a state of another format rather than misreading it', () => {
    const state = { ...createKnowledgeIndex(shipped.entries, shipped.synonyms).toState(), format: 'knowledge-index-0' };
    expect(() => restoreKnowledgeIndex(state, shipped.synonyms)).toThrow(/another format/);
  });
});
