import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_SUMMARY_FROM } from '../../../src/adapters/ai/assistant.js';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../../src/adapters/ai/offline.js';

const ai = new OfflineAssistant(loadKeywords());

describe('OfflineAssistant', () => {
  // The model trains at its first use (a few seconds on a busy machine): once, before the tests.
  beforeAll(() => {
    ai.understandNow('你好');
  }, 60_000);

  it('understands with the classifier and says so', async () => {
    const u = await ai.understand('3栋2单元501 卫生间插座没电了', 'zh-CN');
    expect(u).toMatchObject({
      kind: 'repair',
      category: 'water_power',
      location: { kind: 'unit', building: '3', unit: '2', room: '501' },
      emergency: false,
      source: 'offline',
    });
    expect(ai.understandNow('厨房着火了')).toMatchObject({ emergency: true, urgency: 'emergency' });
    expect(ai.assessEmergency('I smell gas').verdict).toBe('present');
    expect(ai.mode).toBe('offline');
  });

  it('reads a text the same when handed the verdict it gave for it, and ignores one it gave for another', async () => {
    for (const text of [
      '厨房着火了',
      '电梯里有人被困了，快来人',
      '3栋2单元501 卫生间插座没电了',
      'I smell gas',
      '你好',
    ]) {
      const alone = ai.understandNow(text);
      expect(ai.understandNow(text, ai.assessEmergency(text))).toEqual(alone);
      expect(await ai.understand(text, 'zh-CN', ai.assessEmergency(text))).toEqual(alone);
      expect(ai.understandNow(text, ai.assessEmergency('楼上漏水到我家卫生间了'))).toEqual(alone);
      // A verdict it did not give (a copy) is not used either.
      expect(ai.understandNow(text, { ...ai.assessEmergency(text) })).toEqual(alone);
    }
  });

  it('summarises a long description for the card by its first sentence, and not a short one', async () => {
    expect(await ai.summariseForCard('厨房水龙头坏了', 'zh-CN')).toBeUndefined();
    const long = `厨房水龙头坏了，一直在滴水。${'晚上滴答滴答的声音很吵，已经好几天了，'.repeat(5)}`;
    expect([...long].length).toBeGreaterThanOrEqual(CARD_SUMMARY_FROM);
    expect(await ai.summariseForCard(long, 'zh-CN')).toBe('厨房水龙头坏了，一直在滴水');
  });

  it('suggests a courteous reply per language that promises only the plan', async () => {
    const zh = await ai.suggestReply({ locale: 'zh-CN', ticketSummary: '楼道灯坏了。' });
    expect(zh).toContain('楼道灯坏了');
    expect(zh).toMatch(/^您好/);
    expect(zh).not.toMatch(/明天|今天|保证/);
    const withPlan = await ai.suggestReply({
      locale: 'zh-CN',
      ticketSummary: '楼道灯坏了',
      plan: '周三上午电工更换灯泡',
    });
    expect(withPlan).toContain('我们的处理安排是：周三上午电工更换灯泡。');
    const en = await ai.suggestReply({
      locale: 'en',
      ticketSummary: 'Stairwell light out',
      lastOwnerMessage: 'Still dark tonight',
    });
    expect(en).toMatch(/^Hello, and thank you for letting us know about "Stairwell light out"\./);
    expect(en).toContain('We have noted what you added as well.');
    expect(en).not.toMatch(/today|tomorrow|guarantee/i);
    expect(await ai.suggestReply({ locale: 'en', ticketSummary: '  ' })).toBeUndefined();
  });

  it('groups answers by keyword theme, most common first, with masked quotes, leaving out empty answers', async () => {
    const s = await ai.summariseAnswers(
      [
        '师傅很专业，非常满意',
        '态度很好，谢谢',
        '等了三天才有人来，太慢了',
        '无',
        '没有',
        '',
        '电梯还是经常坏，我叫王小明 13812345678',
        '很满意',
        '很满意',
      ],
      'zh-CN',
    );
    expect(s.themes[0]).toEqual({
      theme: '满意与表扬',
      count: 4,
      quotes: ['师傅很专业，非常满意', '态度很好，谢谢', '很满意'],
    });
    expect(s.themes.map((t) => t.theme)).toEqual(expect.arrayContaining(['响应与处理速度', '电梯']));
    const lift = s.themes.find((t) => t.theme === '电梯');
    expect(lift?.quotes).toEqual(['电梯还是经常坏，我叫[NAME] [PHONE]']);
    expect(s.themes.reduce((n, t) => n + t.count, 0)).toBe(6);
  });

  it('labels themes in English too', async () => {
    const s = await ai.summariseAnswers(['Great job, thanks', 'the lift broke again', 'n/a'], 'en');
    expect(s.themes.map((t) => t.theme).sort()).toEqual(['Lift', 'Praise']);
  });

  it('reports no calls', () => {
    expect(ai.usage()).toMatchObject({ calls: 0, promptTokens: 0, completionTokens: 0 });
  });
});
