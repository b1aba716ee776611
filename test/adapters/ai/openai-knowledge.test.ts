/**
 * Phrasing an answer from knowledge entries (Assistant.phraseAnswer) against a local OpenAI-compatible
 * server: a strict JSON schema, the owner's question masked and the entries sent as they are, the model's
 * answer taken when it cites only given entries in the owner's language, and the entries' own text (the
 * offline answer) on any failure or bad answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../../src/adapters/ai/offline.js';
import { type AiConfig, OpenAIAssistant } from '../../../src/adapters/ai/openai.js';
import type { KnowledgeAnswerRequest } from '../../../src/core/ports/assistant.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeClock } from '../../support/clock.js';
import { completion, FakeOpenAI } from './fake-openai.js';

const offline = new OfflineAssistant(loadKeywords());
const REQUEST: KnowledgeAnswerRequest = {
  question: '我是3-2-501的王小明，电话13812345678，物业几点上班？',
  locale: 'zh-CN',
  sources: [
    { id: 'office.hours', answer: '阳光花园服务中心每天 8:30–18:00 对外办公。急事请拨值班电话 0571-88886666。' },
  ],
};

describe('OpenAIAssistant.phraseAnswer', () => {
  let server: FakeOpenAI;
  let baseUrl: string;

  beforeEach(async () => {
    server = new FakeOpenAI();
    baseUrl = await server.start();
  });
  afterEach(async () => {
    await server.close();
  });

  const make = () => {
    const config: AiConfig = {
      apiKey: 'sk-test-key',
      baseUrl,
      model: 'test-model',
      timeoutMs: 2000,
      callsPerMinute: 30,
      sendPersonalData: false,
    };
    return new OpenAIAssistant(config, offline, silentLogger(), new FakeClock());
  };

  it('asks under a strict schema with the question masked and the entries as they are, and takes a good answer', async () => {
    const text = '您好！服务中心每天 8:30–18:00 办公，急事请拨 0571-88886666。';
    server.reply({ body: completion({ text, cites: ['office.hours'] }) });
    expect(await make().phraseAnswer(REQUEST)).toEqual({ text, cites: ['office.hours'] });
    const request = server.requests[0]?.body;
    expect(request?.response_format?.json_schema).toMatchObject({ name: 'knowledge_answer', strict: true });
    const user = request?.messages?.find((m) => m.role === 'user')?.content ?? '';
    expect(user).not.toContain('13812345678');
    expect(user).not.toContain('3-2-501');
    expect(user).toContain('0571-88886666'); // the estate's own number is what the answer must quote
  });

  it("falls back to the entries' own text on an unknown cite, no cite, the wrong language, or a server failure", async () => {
    server.reply(
      { body: completion({ text: '您好！每天 8:30–18:00 办公。', cites: ['fees.pay'] }) },
      { body: completion({ text: '您好！每天 8:30–18:00 办公。', cites: [] }) },
      { body: completion({ text: 'Hello, we open at 8:30.', cites: ['office.hours'] }) },
      { status: 400, body: { error: { message: 'bad', type: 'invalid_request_error' } } },
    );
    const ai = make();
    const own = offline.answerNow(REQUEST);
    for (let i = 0; i < 4; i++) expect(await ai.phraseAnswer(REQUEST)).toEqual(own);
    expect(ai.usage().fallbacks).toBe(4);
  });

  it('spends no call without sources', async () => {
    expect(await make().phraseAnswer({ ...REQUEST, sources: [] })).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });
});
