import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadTrainingData, loadUnderstandModel, TrainingDataError } from '../../../src/adapters/ai/model-file.js';
import { scoreCategories } from '../../../src/core/understand/classify.js';
import { assessEmergency } from '../../../src/core/understand/emergency.js';
import {
  assessText,
  EMERGENCY_ASK,
  trainUnderstandModel,
  understandText,
} from '../../../src/core/understand/intent.js';
import { foldForMatch } from '../../../src/core/understand/keywords.js';
import { compactHeads, predict, trainHead } from '../../../src/core/understand/model.js';
import { features, stem, words } from '../../../src/core/understand/segment.js';
import { keywords } from './support.js';

const model = loadUnderstandModel(keywords);
const read = (text: string) => understandText(text, { keywords, model });

describe('segment', () => {
  it('splits Chinese into words and gives words, character n-grams and English stems as features', () => {
    expect(words('态度太差了')).toContain('态度');
    const f = features('電話打不通 leaking pipes');
    expect(f).toEqual(
      expect.arrayContaining(['w:电话', 'c:电', 'c:电话', 'c:打不通', 'e:leak', 'e:pipe', 'b:leak_pipe']),
    );
    expect(stem('leaking')).toBe('leak');
    expect(stem('batteries')).toBe('battery');
  });
});

describe('keywords by whole word', () => {
  const top = (text: string) => scoreCategories(foldForMatch(text), keywords).find((c) => c.score > 0)?.category;
  it('no longer lets one character decide inside another word (度 in 态度, 电 in 电话)', () => {
    expect(top('客服态度太差')).not.toBe('heating');
    expect(top('维修进度怎么样')).not.toBe('heating');
    expect(top('电话打不通')).not.toBe('water_power');
    expect(top('家里只有十五度')).toBe('heating');
  });
});

describe('the model', () => {
  it('trains the same weights from the same data', () => {
    const data = [
      { input: { features: ['a', 'b'] }, label: 'x' as const },
      { input: { features: ['c'] }, label: 'y' as const },
    ];
    const one = predict(compactHeads({ h: trainHead(['x', 'y'], data) }).h, { features: ['a'] });
    const two = predict(compactHeads({ h: trainHead(['x', 'y'], data) }).h, { features: ['a'] });
    expect(one).toEqual(two);
    expect(one[0]?.label).toBe('x');
  });
});

describe('understandText', () => {
  it.each([
    ['转人工', 'human'],
    ['您好', 'greeting'],
    ['谢谢你们', 'thanks'],
    ['物业办公室周六开门吗', 'enquiry'],
    ['厨房水龙头一直滴水，麻烦派个师傅', 'report'],
    ['the kitchen tap drips all night, please send a plumber', 'report'],
    ['厨房着火了！', 'emergency'],
  ])('reads %j as %s', (text, intent) => {
    expect(read(text).intent).toBe(intent);
  });

  it('gives a report its kind, category, place and summary, with confidences and category choices', () => {
    const u = read('3栋2单元501 卫生间插座没电了');
    expect(u.report).toMatchObject({
      category: 'water_power',
      location: { kind: 'unit', building: '3', unit: '2', room: '501' },
    });
    expect(u.report.categories).toHaveLength(3);
    expect(u.report.categoryConfidence).toBeGreaterThan(0);
    // No emergency rule matches; the model's second line may only ever ask (unclear), never page.
    expect(u.emergency.verdict).not.toBe('present');
    expect(u.intent).toBe('report');
  });

  it('asks for the category instead of guessing when it is unsure', () => {
    const u = read('那个东西又不行了');
    expect(u.report.categoryConfidence).toBeLessThan(0.45);
    expect(u.askCategory).toBe(u.intent === 'report');
  });

  it('learns from the data: a new example moves the reading', () => {
    const base = trainUnderstandModel([], keywords);
    const taught = trainUnderstandModel(
      [
        { text: '喵喵喵什么时候开', locale: 'zh-CN', intent: 'enquiry' },
        { text: '啊', locale: 'zh-CN', intent: 'other' },
      ],
      keywords,
    );
    const p = (m: typeof base) =>
      understandText('喵喵喵什么时候开', { keywords, model: m }).intents.find((i) => i.label === 'enquiry')?.p ?? 0;
    expect(p(taught)).toBeGreaterThan(p(base));
  });
});

describe('the training data', () => {
  it('never includes the frozen test set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'training-'));
    const path = join(dir, 'training.json');
    writeFileSync(path, JSON.stringify({ include: ['../fixtures/understand/test.json'], examples: [] }));
    expect(() => loadTrainingData(path)).toThrow(TrainingDataError);
  });

  it('holds the repository examples, the old set and the dev set when there', () => {
    const { files, messages } = loadTrainingData();
    expect(files.some((f) => f.endsWith('eval-messages.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('test.json'))).toBe(false);
    expect(messages.length).toBeGreaterThan(400);
  });
});

describe('the emergency second line (the model behind the rules)', () => {
  const emergencyRules = loadEmergencyRules();
  const u = { keywords, model, emergencyRules };

  it('asks (unclear) where the rules say none and the model finds an emergency likely; never present', () => {
    // Written so that no emergency cue of the rules matches it.
    const text = '我爸突然站不起来也说不出话了 嘴歪了 在3栋2单元501 快来人';
    expect(assessEmergency(text, emergencyRules).verdict).toBe('none');
    const a = assessText(text, u);
    expect(a.verdict).toBe('unclear');
    expect(a.matched.some((m) => m.startsWith('model:'))).toBe(true);
    const quiet = assessText('物业费在哪里交', u);
    expect(quiet.verdict).toBe('none');
    expect(EMERGENCY_ASK).toBeGreaterThan(0);
  });

  it('turns none into unclear exactly at the threshold, and leaves the rules present or unclear alone', () => {
    const always = { ...model, emergency: { ...model.emergency, bias: Float64Array.from([50, -50]) } };
    const never = { ...model, emergency: { ...model.emergency, bias: Float64Array.from([-50, 50]) } };
    expect(assessText('物业费在哪里交', { ...u, model: always })).toMatchObject({ verdict: 'unclear' });
    expect(assessText('物业费在哪里交', { ...u, model: never }).verdict).toBe('none');
    expect(assessText('厨房着火了！', { ...u, model: never }).verdict).toBe('present');
    expect(assessText('我老婆摔倒了', { ...u, model: never }).verdict).toBe('unclear');
    expect(understandText('物业费在哪里交', { ...u, model: always }).intent).not.toBe('emergency');
  });
});
