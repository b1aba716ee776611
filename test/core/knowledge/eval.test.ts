import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/adapters/content/knowledge-file.js';
import { runEval } from '../../../src/cli/eval.js';
import { contentPaths } from '../../../src/content.js';
import {
  answerEnquiries,
  ENQUIRY_TARGETS,
  enquiryFigures,
  enquirySetSchema,
} from '../../../src/core/knowledge/evaluate.js';
import { createKnowledgeIndex } from '../../../src/core/knowledge/search.js';

/**
 * The frozen test set (test/fixtures/enquiries/test.json, by a writer who never saw the knowledge files),
 * answered by the shipped knowledge. Only the figures are checked; its items are never printed.
 *
 * First read, once, after tuning on dev.json only: correct 0.800 (128/160), wrong 0.019 (3/160).
 * Second read, once, after tuning on dev.json and dev-2.json (Cantonese, English synonym forms, fuller
 * questions, unknown terms weighing more): correct 0.844 (135/160), wrong 0.019 (3/160).
 * Third read, once, after the classifier's second opinion (chosen writer by writer on dev, dev-2, dev-3):
 * correct 0.919 (147/160), wrong 0 (0/160). Both targets of issue 16 are met and held.
 */
const CORRECT_FLOOR = ENQUIRY_TARGETS.correctRate;
const WRONG_CEILING = ENQUIRY_TARGETS.wrongRate;

describe('enquiries on the frozen test set', () => {
  it('answers correctly and wrongly within the targets', () => {
    const items = enquirySetSchema.parse(
      JSON.parse(readFileSync(new URL('../../fixtures/enquiries/test.json', import.meta.url), 'utf8')),
    );
    const knowledge = loadKnowledge(contentPaths().knowledge);
    const index = createKnowledgeIndex(knowledge.entries, knowledge.synonyms, knowledge.examples);
    const f = enquiryFigures(answerEnquiries(items, index));
    expect(f.items).toBe(160);
    expect(f.correctRate).toBeGreaterThanOrEqual(CORRECT_FLOOR);
    expect(f.wrongRate).toBeLessThanOrEqual(WRONG_CEILING);
  });
});

describe('enquiries, writer by writer', () => {
  // Each dev set answered with the examples taken from it left out (as `npm run eval -- --enquiries --hold-out`
  // measures): the classifier has never seen that writer. Held out: dev 0.956 / 0.006, dev-2 0.900 / 0.015,
  // dev-3 0.870 / 0.015 (BM25 alone: 0.900 / 0.013, 0.880 / 0.030, 0.785 / 0.025).
  const knowledge = loadKnowledge(contentPaths().knowledge);
  it.each(['dev', 'dev-2', 'dev-3'])('%s, its own examples held out, meets the targets', (name) => {
    const items = enquirySetSchema.parse(
      JSON.parse(readFileSync(new URL(`../../fixtures/enquiries/${name}.json`, import.meta.url), 'utf8')),
    );
    const examples = knowledge.examples.filter((e) => e.from !== name);
    expect(examples.length).toBeLessThan(knowledge.examples.length);
    const index = createKnowledgeIndex(knowledge.entries, knowledge.synonyms, examples);
    const f = enquiryFigures(answerEnquiries(items, index));
    expect(f.correctRate).toBeGreaterThanOrEqual(ENQUIRY_TARGETS.correctRate);
    expect(f.wrongRate).toBeLessThanOrEqual(ENQUIRY_TARGETS.wrongRate);
  });
});

describe('npm run eval -- --enquiries', () => {
  it('counts correct, wrong and honestly unanswered items, per locale', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'enquiries-')), 'set.json');
    const items = [
      { text: '物业费在哪里交', locale: 'zh-CN', expect: ['fees.pay'] }, // correct
      { text: '物业费在哪里交', locale: 'zh-CN', expect: ['fees.invoice'] }, // wrong: answered another entry
      { text: '业委会什么时候换届选举', locale: 'zh-CN', expect: ['office.hours'] }, // unanswered
      { text: "What's the wifi password in the lobby?", locale: 'en', expect: [] }, // correct: nothing answered
    ];
    writeFileSync(file, JSON.stringify({ items }));
    let out = '';
    const code = await runEval(['--enquiries', file, '--summary'], { out: (s) => (out += s), err: () => {} });
    const f = JSON.parse(out);
    expect(f).toMatchObject({ items: 4, correct: 2, wrong: 1, unanswered: 1, correctRate: 0.5, wrongRate: 0.25 });
    expect(f.byLocale['zh-CN']).toMatchObject({ items: 3, correct: 1, wrong: 1, unanswered: 1 });
    expect(f.byLocale.en).toMatchObject({ items: 1, correct: 1 });
    expect(code).toBe(1); // short of the targets
  });
});
