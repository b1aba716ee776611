/**
 * The committed weights (flows/understand/model.json, `npm run train`): read only while their hash matches
 * the training data, the keywords and the emergency rules; a stale or broken file means training again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
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
import { inputOf, modelFromJson, modelToJson, trainUnderstandModel } from '../../../src/core/understand/intent.js';
import { predict } from '../../../src/core/understand/model.js';

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
    const model = trainUnderstandModel(loadTrainingData().messages.slice(0, 300), keywords, rules);
    const back = modelFromJson(JSON.parse(JSON.stringify(modelToJson(model))));
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
    expect(model.intent.rowOf.size).toBeGreaterThan(1000);
  }, 60_000);
});
