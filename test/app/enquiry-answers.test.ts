import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { renderEntryAnswer } from '../../src/app/enquiries/answers.js';
import type { KnowledgeEntry } from '../../src/core/knowledge/entry.js';

const entry = (zh: string, en: string): KnowledgeEntry => ({
  id: 'x.y',
  topic: 'phones',
  questions: { 'zh-CN': ['问'] },
  answer: { 'zh-CN': zh, en },
  source: 'test',
});
const ctx = (dutyPhone: string) => ({ settings: { estateName: '翠湖花园', dutyPhone } }) as unknown as AppContext;

describe('an entry’s answer as the owner reads it', () => {
  const hours = entry(
    '{{estate}}服务中心每天 8:30–18:00 办公。下班后急事请拨值班电话 {{dutyPhone}}，也可以留言。',
    'The office is open 8:30–18:00. After hours please ring {{dutyPhone}}. Or message us here.',
  );
  const duty = entry(
    '24 小时值班电话：{{dutyPhone}}。遇到火情请先拨 119。',
    'The duty line is {{dutyPhone}}. In a fire call 119.',
  );

  it('fills in the estate and the configured duty phone', () => {
    expect(renderEntryAnswer(ctx('0571-8888 0000'), hours, 'zh-CN')).toBe(
      '翠湖花园服务中心每天 8:30–18:00 办公。下班后急事请拨值班电话 0571-8888 0000，也可以留言。',
    );
    expect(renderEntryAnswer(ctx('0571-8888 0000'), duty, 'en')).toBe(
      'The duty line is 0571-8888 0000. In a fire call 119.',
    );
  });

  it('without a duty phone leaves out the sentences that name it, never a stand-in', () => {
    expect(renderEntryAnswer(ctx(''), hours, 'zh-CN')).toBe('翠湖花园服务中心每天 8:30–18:00 办公。');
    expect(renderEntryAnswer(ctx(''), hours, 'en')).toBe('The office is open 8:30–18:00. Or message us here.');
  });

  it('without a duty phone an answer that leads with it is no answer (the question goes to staff)', () => {
    expect(renderEntryAnswer(ctx(''), duty, 'zh-CN')).toBe('');
    expect(renderEntryAnswer(ctx(''), duty, 'en')).toBe('');
  });
});
