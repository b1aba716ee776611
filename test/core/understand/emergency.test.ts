import { describe, expect, it } from 'vitest';
import { isEmergency } from '../../../src/core/understand/classify.js';
import { evalMessages, keywords } from './support.js';

describe('isEmergency (keyword rules only)', () => {
  const labelled = evalMessages.filter((m) => m.urgency === 'emergency');

  it('has at least a dozen labelled emergencies to check, in both languages', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(12);
    expect(labelled.some((m) => m.locale === 'en')).toBe(true);
    expect(labelled.some((m) => m.locale === 'zh-CN')).toBe(true);
  });

  it.each(labelled.map((m) => [m.text]))('catches the labelled emergency %j', (text) => {
    expect(isEmergency(text, keywords)).toBe(true);
  });

  it('raises no false alarm on the rest of the evaluation set', () => {
    const alarms = evalMessages
      .filter((m) => m.urgency !== 'emergency' && isEmergency(m.text, keywords))
      .map((m) => m.text);
    expect(alarms).toEqual([]);
  });

  it.each([
    '着火了',
    '厨房起火了！',
    '楼下有辆电动车在冒烟',
    '闻到一股煤气味',
    '家里燃气泄漏了',
    '好像有天然气的味道，很浓',
    '卫生间水管爆了',
    '暖气片爆裂了，水喷得到处都是',
    '地下室被淹了',
    '有人被困在电梯里',
    '我们被关在电梯里了',
    '电梯里关着人',
    '有人受伤了，在流血',
    '一个老人晕倒在花园里',
    '邻居家门被撬了',
    '插座冒火花',
    'There is a fire in the kitchen',
    'I can smell gas on our floor',
    'burst pipe in the bathroom',
    'The basement is flooding',
    'Two people are trapped in the lift',
    "we're stuck in the elevator",
    'someone is injured and bleeding',
    'my neighbour collapsed in the corridor, she is unresponsive',
    'Looks like a break-in at 3-2-501',
    'smoke is coming from the bin room',
  ])('catches %j', (text) => {
    expect(isEmergency(text, keywords)).toBe(true);
  });

  it.each([
    '燃气费在哪交？',
    '燃气灶打不着火了',
    '下周是不是有消防演习？',
    '消防通道堵了，万一着火怎么办',
    '烟感报警器一直响',
    '楼道里有人抽烟，烟味很大',
    '我的车胎漏气了，小区有打气的地方吗',
    '滑梯有尖角，小孩容易受伤',
    'When is the next fire drill?',
    'the smoke detector keeps beeping',
    'The fire extinguisher on our floor is expired',
    'cigarette smoke from next door comes into my flat',
    'Where do I pay the gas bill?',
    '电梯按钮没反应',
  ])('does not take %j for an emergency', (text) => {
    expect(isEmergency(text, keywords)).toBe(false);
  });
});
