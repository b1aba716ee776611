/**
 * Form fields that cannot swallow the wrong thing (issue 14, part 4) and the owner's language from the
 * first message (part 5), through the engine with the shipped flows and texts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadFlows } from '../../../src/app/flows-loader.js';
import type { Effect } from '../../../src/core/flow/engine.js';
import type { Locale } from '../../../src/core/types.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { buttonsOf, Conversation, type FakeOwner } from '../../support/engine.js';

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', i18n.has);
const PARAMS = { estate: '幸福里', dutyPhone: '0571-88888888' };

function t(key: string, params: Record<string, string | number> = {}, locale: Locale = 'zh-CN'): string {
  return i18n.translate(locale, key, { ...PARAMS, ...params });
}
const en = (key: string, params: Record<string, string | number> = {}) => t(key, params, 'en');

const conversations: Conversation[] = [];
function conv(owner: Partial<FakeOwner> = {}): Conversation {
  const c = new Conversation(registry, i18n.translate, { params: PARAMS, owner });
  conversations.push(c);
  return c;
}
afterEach(() => {
  for (const c of conversations.splice(0)) {
    for (const state of c.states) expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  }
});

const enquiries = (effects: Effect[]) => effects.filter((e) => e.type === 'enquiry.forward');
const promptText = (c: Conversation) => c.lastPrompt()?.text ?? '';

/** 报修 → kind preset; answers category and, when asked, place and description. */
function toStep(c: Conversation, target: 'location' | 'description' | 'name' | 'phone'): void {
  c.text('报修');
  c.press('o.water_power');
  if (target === 'location') return;
  c.text('3栋2单元501');
  if (target === 'description') return;
  c.text('厨房水管漏水，一直在滴');
  c.press('done'); // no photos
  c.press('skip'); // no demand
  if (target === 'name') return;
  c.text('张三');
}

describe('a question typed into a form field is answered, never stored', () => {
  it('passes 你们办公时间是几点 at the place question to the service centre and asks the place again', () => {
    const c = conv();
    toStep(c, 'location');
    const out = c.text('你们办公时间是几点');
    expect(enquiries(c.allEffects())).toEqual([
      { type: 'enquiry.forward', text: '你们办公时间是几点', flowId: 'complaint', stepId: 'location' },
    ]);
    expect(c.state.flow?.stepId).toBe('location');
    expect(c.state.flow?.answers.location).toBeUndefined();
    expect(promptText(c)).toContain(t('enquiry.meanwhile'));
    expect(promptText(c)).toContain(t('complaint.ask.location'));
    expect(out.output.filter((o) => o.type === 'effect')).toHaveLength(1);
    // The place itself is then taken as before.
    c.text('3栋2单元501');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'unit', building: '3', unit: '2', room: '501' });
  });

  it('passes "what are the office hours" at the name question on, and then takes the name', () => {
    const c = conv();
    toStep(c, 'name');
    expect(c.state.flow?.stepId).toBe('name');
    c.text('what are the office hours');
    expect(enquiries(c.allEffects())).toHaveLength(1);
    expect(c.state.flow?.stepId).toBe('name');
    expect(c.state.flow?.answers.name).toBeUndefined();
    c.text('张三');
    expect(c.state.flow?.answers.name).toBe('张三');
  });

  it('passes a question at the phone question on', () => {
    const c = conv();
    toStep(c, 'phone');
    c.text('你们几点下班？');
    expect(enquiries(c.allEffects())).toHaveLength(1);
    expect(c.state.flow?.stepId).toBe('phone');
    c.text('13812345678');
    expect(c.state.flow?.answers.phone).toBe('+8613812345678');
  });

  it.each(['/accept T261128-0001', '/foo bar'])('never saves %j as the description, and asks again', (text) => {
    const c = conv();
    toStep(c, 'description');
    c.text(text);
    expect(c.state.flow?.stepId).toBe('description');
    expect(c.state.flow?.answers.description).toBeUndefined();
    expect(promptText(c)).toContain(t('complaint.ask.description'));
    expect(enquiries(c.allEffects())).toEqual([]);
  });

  it('says an unknown command is not available here', () => {
    const c = conv();
    toStep(c, 'description');
    c.text('/foo bar');
    expect(promptText(c)).toContain(t('input.command_unavailable', { command: '/foo' }));
  });

  it.each(['为什么天天漏水？', '楼上漏水怎么办？', 'why is my ceiling leaking again?', '水管漏了，能不能尽快来修？'])(
    'keeps %j as the description: a problem put as a question',
    (text) => {
      const c = conv();
      toStep(c, 'description');
      c.text(text);
      expect(c.state.flow?.answers.description).toBe(text);
      expect(enquiries(c.allEffects())).toEqual([]);
    },
  );

  it.each(['怎么交物业费？', '你们办公时间是几点', 'what are the office hours?', 'How do I pay the management fee?'])(
    'passes %j at the description on: a question about something else',
    (text) => {
      const c = conv();
      toStep(c, 'description');
      c.text(text);
      expect(c.state.flow?.stepId).toBe('description');
      expect(c.state.flow?.answers.description).toBeUndefined();
      expect(enquiries(c.allEffects())).toHaveLength(1);
    },
  );

  it('passes a question at a choice on, and still takes the choice', () => {
    const c = conv();
    c.text('报修');
    c.text('你们几点上班？');
    expect(enquiries(c.allEffects())).toHaveLength(1);
    expect(c.state.flow?.stepId).toBe('category');
  });
});

describe('names are short and hold letters', () => {
  it.each([
    ['我家厨房漏水了，快来修', 'input.name_sentence'],
    ['谢谢你们', 'input.name_sentence'],
    ['张'.repeat(21), 'input.name_too_long'],
    ['12345', 'input.name_letters'],
  ])('refuses %j with its own message and asks again', (text, error) => {
    const c = conv();
    toStep(c, 'name');
    c.text(text);
    expect(c.state.flow?.stepId).toBe('name');
    expect(promptText(c)).toContain(t(error, { max: 20 }));
  });

  it.each([
    ['王阿姨', '王阿姨'],
    ['我叫李明', '李明'],
    ['Mary Smith', 'Mary Smith'],
    ['张'.repeat(20), '张'.repeat(20)],
  ])('takes %j as %j', (text, name) => {
    const c = conv();
    toStep(c, 'name');
    c.text(text);
    expect(c.state.flow?.answers.name).toBe(name);
  });
});

describe('a place in no known form is read back first', () => {
  it('asks 是「公共区域：李先生」吗？ and keeps it on 是', () => {
    const c = conv();
    toStep(c, 'location');
    c.text('李先生');
    expect(c.state.flow?.stepId).toBe('location');
    expect(c.state.flow?.answers.location).toBeUndefined();
    expect(promptText(c)).toBe(t('location.confirm_place', { place: '公共区域：李先生' }));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('common.yes'), t('location.retype')]);
    c.press('place_ok');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'public', description: '李先生' });
    expect(c.state.flow?.stepId).toBe('description');
  });

  it('asks for the place again on 重新输入, and takes a new place typed instead of 是', () => {
    const c = conv();
    toStep(c, 'location');
    c.text('李先生');
    c.press('place_retype');
    expect(promptText(c)).toContain(t('complaint.ask.location'));
    expect(c.state.flow?.answers.location).toBeUndefined();
    c.text('李先生');
    c.text('3-2-501');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'unit', building: '3', unit: '2', room: '501' });
  });

  it('takes a typed 是 / 对 as yes', () => {
    const c = conv();
    toStep(c, 'location');
    c.text('李先生');
    c.text('对');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'public', description: '李先生' });
  });

  it.each(['地下车库B区', '2号楼电梯', '东门', 'the stairwell in block 2', '三栋二单元501'])(
    'keeps %j at once: a place we know',
    (text) => {
      const c = conv();
      toStep(c, 'location');
      c.text(text);
      expect(c.state.flow?.stepId).toBe('description');
    },
  );

  it('never holds up an emergency with the read-back: the place is kept as written', () => {
    const c = conv();
    c.start('emergency');
    c.text('李先生家');
    const filed = c.allEffects().find((e) => e.type === 'ticket.create');
    expect(filed && 'answers' in filed ? filed.answers.location : undefined).toEqual({
      kind: 'public',
      description: '李先生家',
    });
    expect(c.state.flow?.stage).toBeUndefined();
  });
});

describe('choices by what people type', () => {
  it.each(['1', '一', '第一个', '第1个', '①', 'first', 'the first one', '报修', '我要报修'])(
    'takes %j as the first option',
    (text) => {
      const c = conv();
      c.start('complaint');
      c.text(text);
      expect(c.state.flow?.answers.kind).toBe('repair');
    },
  );

  it('takes a few words naming one option (水电 → 户内水电), not words naming two', () => {
    const c = conv();
    c.text('报修');
    c.text('水电');
    expect(c.state.flow?.answers.category).toBe('water_power');
  });
});

describe('the language of the first message', () => {
  it('answers a first message in English in English, and says so to the application', () => {
    const c = conv();
    c.text('hello, is anyone there');
    expect(c.allEffects()).toContainEqual({ type: 'owner.update', patch: { locale: 'en' } });
    expect(c.owner.locale).toBe('en');
    expect(c.lastText()).toContain(en('welcome'));
  });

  it('answers a first message in Chinese in Chinese, even for an owner whose phone is set to English', () => {
    const c = conv({ locale: 'en' });
    c.text('你好，请问有人吗');
    expect(c.owner.locale).toBe('zh-CN');
    expect(c.lastText()).toContain(t('welcome'));
  });

  it('changes nothing for a second message, nor for a number or a command', () => {
    const c = conv();
    c.text('1');
    c.text('hello there');
    expect(c.owner.locale).toBe('zh-CN');
    const d = conv();
    d.text('/start');
    expect(d.owner.locale).toBe('zh-CN');
  });

  it('asks once, in both languages, when the first message is mixed, and handles it after the choice', () => {
    const c = conv();
    c.text('hi 你好');
    expect(c.state.prompt).toBe('lang');
    expect(promptText(c)).toBe(t('lang.choose'));
    expect(t('lang.choose')).toMatch(/语言.*language/i);
    c.press('l.en');
    expect(c.owner.locale).toBe('en');
    expect(c.lastText()).toContain(en('lang.set'));
    expect(c.lastText()).toContain(en('welcome'));
  });

  it('keeps a problem typed at the language question and handles it once a language is chosen', () => {
    const c = conv();
    toStep(c, 'description');
    c.text('/lang');
    c.text('厨房水管漏水，一直在滴');
    expect(c.state.prompt).toBe('lang');
    expect(c.lastText()).toContain(t('lang.kept'));
    c.text('English');
    expect(c.owner.locale).toBe('en');
    expect(c.state.flow?.answers.description).toBe('厨房水管漏水，一直在滴');
    expect(promptText(c)).toBe(en('complaint.ask.photos'));
  });

  it('forgets nothing it should not: /lang then a choice with nothing typed goes back to the question', () => {
    const c = conv();
    toStep(c, 'description');
    c.text('/lang');
    c.press('l.zh-CN');
    expect(c.state.flow?.answers.description).toBeUndefined();
    expect(promptText(c)).toBe(t('complaint.ask.description'));
  });
});
