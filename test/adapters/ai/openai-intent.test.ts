import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { loadUnderstandModel } from '../../../src/adapters/ai/model-file.js';
import { OfflineAssistant } from '../../../src/adapters/ai/offline.js';
import { OpenAIAssistant } from '../../../src/adapters/ai/openai.js';
import { modelReader } from '../../../src/cli/eval.js';
import { evaluateReadings } from '../../../src/core/understand/evaluate.js';
import type { LabelledMessage } from '../../../src/core/understand/labels.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeClock } from '../../support/clock.js';
import { completion, FakeOpenAI } from './fake-openai.js';

const keywords = loadKeywords();
const form = (over: Record<string, unknown> = {}) => ({
  intent: 'enquiry',
  kind: 'repair',
  category: 'fees',
  urgency: 'normal',
  emergency: false,
  location: null,
  summary: '询问物业费缴纳地点',
  ...over,
});

describe('the OpenAI assistant reads intents with the same schema', () => {
  let server: FakeOpenAI;
  let ai: OpenAIAssistant;

  beforeEach(async () => {
    server = new FakeOpenAI();
    const baseUrl = await server.start();
    const config = {
      apiKey: 'sk-test',
      baseUrl,
      model: 'test-model',
      timeoutMs: 2000,
      callsPerMinute: 100,
      sendPersonalData: false,
    };
    ai = new OpenAIAssistant(config, new OfflineAssistant(keywords), silentLogger(), new FakeClock());
  });
  afterEach(async () => {
    await server.close();
  });

  it('asks for an intent from the enum, with worked examples and the past/hypothetical rule in the prompt', async () => {
    server.reply({ body: completion(form()) });
    const u = await ai.understand('请问物业费在哪里交', 'zh-CN');
    expect(u).toMatchObject({ intent: 'enquiry', category: 'fees', source: 'model' });
    const req = server.requests[0];
    const schema = req?.body.response_format?.json_schema?.schema as { properties: { intent: { enum: string[] } } };
    expect(schema.properties.intent.enum).toEqual(expect.arrayContaining(['enquiry', 'human', 'followup']));
    const system = req?.body.messages?.[0]?.content ?? '';
    expect(system).toContain('Worked examples');
    expect(system).toMatch(/Past, hypothetical, negated and praise mentions are never an emergency/);
  });

  it('cannot make an emergency from the intent alone, nor drop one the rules found', async () => {
    server.reply({ body: completion(form({ intent: 'emergency' })) });
    expect((await ai.understand('物业费怎么交', 'zh-CN')).intent).toBe('report');
    server.reply({ body: completion(form({ intent: 'thanks' })) });
    expect((await ai.understand('厨房着火了！', 'zh-CN')).intent).toBe('emergency');
  });

  it('is evaluated the same way as the offline reading (npm run eval -- --model)', async () => {
    server.reply({ body: completion(form({ intent: 'human', category: 'other' })) });
    server.reply({ body: completion(form({ intent: 'report', kind: 'repair', category: 'lift', urgency: 'urgent' })) });
    const messages: LabelledMessage[] = [
      { text: '帮我转人工', locale: 'zh-CN', intent: 'human' },
      { text: '2栋电梯不动了', locale: 'zh-CN', intent: 'report', kind: 'repair', category: 'lift', urgency: 'urgent' },
    ];
    const read = modelReader(ai, {
      keywords,
      model: loadUnderstandModel(keywords),
      emergencyRules: loadEmergencyRules(),
    });
    const r = evaluateReadings(messages, await read(messages));
    expect(r.accuracy).toMatchObject({ intent: 1, category: 1, kind: 1, urgency: 1 });
  });
});
