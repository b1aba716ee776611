/**
 * The committed weights (flows/understand/model.json, `npm run train`): read only while their hash matches
 * the training data, the keywords and the emergency rules; a stale or broken file means training again.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import {
  DEFAULT_TRAINING_PATH,
  DEFAULT_WEIGHTS_PATH,
  loadTrainingData,
  loadUnderstandModel,
  trainingHash,
} from '../../../src/adapters/ai/model-file.js';
import { readSnapshot, writeSnapshot } from '../../../src/adapters/content/snapshot.js';
import {
  compactModel,
  inputOf,
  modelFromJson,
  modelToJson,
  trainUnderstandHeads,
  type UnderstandModel,
  understandText,
} from '../../../src/core/understand/intent.js';
import { predict } from '../../../src/core/understand/model.js';
import { type Vocabulary, vocabularySize } from '../../../src/core/understand/vocabulary.js';

const rules = loadEmergencyRules();

describe('the committed weights', () => {
  it('are in step with the training data, keywords and rules (run `npm run train` after changing them)', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync(DEFAULT_WEIGHTS_PATH, 'utf8')) as { hash: string };
    expect(file.hash).toBe(trainingHash(loadTrainingData().messages, loadKeywords(), rules));
  });

  it('change their hash with any labelled message', () => {
    const keywords = loadKeywords();
    const messages = loadTrainingData().messages.slice(0, 50);
    const edited = messages.map((m, i) => (i === 7 ? { ...m, text: `${m.text}!` } : m));
    expect(trainingHash(messages, keywords, rules)).not.toBe(trainingHash(edited, keywords, rules));
  });

  it('read back predict as the trained model does (to a few thousandths)', () => {
    const keywords = loadKeywords();
    const trained = trainUnderstandHeads(loadTrainingData().messages.slice(0, 300), keywords, rules);
    const model = compactModel(trained);
    const back = modelFromJson(JSON.parse(JSON.stringify(modelToJson(trained))));
    for (const text of ['电梯困人了', '请问物业费怎么交', 'my tap is leaking in 3-2-501']) {
      const x = inputOf(text, keywords, rules);
      const [a, b] = [predict(model.intent, x), predict(back.intent, x)];
      expect(b[0]?.label).toBe(a[0]?.label);
      expect(Math.abs((b[0]?.p ?? 0) - (a[0]?.p ?? 0))).toBeLessThan(0.01);
    }
  });

  it('are never read when stale: the model is trained again', () => {
    const stale = join(mkdtempSync(join(tmpdir(), 'weights-')), 'model.json');
    writeFileSync(stale, JSON.stringify({ hash: 'stale', trainedOn: 1, heads: {} }));
    const model = loadUnderstandModel(loadKeywords(), DEFAULT_TRAINING_PATH, rules, stale);
    expect(model.trainedOn).toBe(loadTrainingData().messages.length);
    expect(model.intent.weights.length / model.intent.labels.length).toBeGreaterThan(1000);
  }, 60_000);
});

describe('the loaded model', () => {
  const model = loadUnderstandModel(loadKeywords(), DEFAULT_TRAINING_PATH, rules);
  const heads = (m: UnderstandModel) => [m.intent, m.category, m.kind, m.urgency, m.emergency];

  it('holds each feature once: every head reads the one vocabulary, with single-precision weights', () => {
    const [first, ...others] = heads(model);
    for (const head of others) expect(head.vocabulary).toBe(first?.vocabulary);
    const size = vocabularySize(first?.vocabulary as Vocabulary);
    // Features are shared between heads (far fewer than their rows), and each is some head's.
    const rows = heads(model).reduce((n, h) => n + h.weights.length / h.labels.length, 0);
    expect(size).toBeLessThan(rows * 0.6);
    for (const id of [0, size >> 1, size - 1]) expect(heads(model).some((h) => (h.rows[id] ?? -1) >= 0)).toBe(true);
    for (const head of heads(model)) {
      expect(head.weights).toBeInstanceOf(Float32Array);
      expect(head.rows).toHaveLength(size);
    }
  });

  it('reads as before through the content snapshot: still one vocabulary, the same predictions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'model-snapshot-')), 'content.snapshot');
    writeSnapshot(file, 'ab'.repeat(32), { model });
    const back = readSnapshot<{ model: UnderstandModel }>(file, 'ab'.repeat(32))?.model;
    if (!back) throw new Error('the snapshot was not read back');
    const [first, ...others] = heads(back);
    for (const head of others) expect(head.vocabulary).toBe(first?.vocabulary);
    expect(first?.vocabulary).toEqual(model.intent.vocabulary);

    const keywords = loadKeywords();
    const dev = JSON.parse(readFileSync(new URL('../../fixtures/understand/dev.json', import.meta.url), 'utf8')) as {
      text: string;
    }[];
    for (const { text } of dev) {
      const x = inputOf(text, keywords, rules);
      const read = heads(back);
      heads(model).forEach((head, i) => {
        expect(predict(read[i] as typeof head, x)).toEqual(predict(head, x));
      });
      expect(understandText(text, { keywords, model: back, emergencyRules: rules })).toEqual(
        understandText(text, { keywords, model, emergencyRules: rules }),
      );
    }
  });
});
