import { afterEach, describe, expect, it } from 'vitest';
import { loadFlows } from '../../../src/app/flows-loader.js';
import {
  type Effect,
  type EngineContext,
  type EngineEvent,
  type FlowEffect,
  parseCommand,
  pathOf,
  step,
} from '../../../src/core/flow/engine.js';
import type { FlowRegistry } from '../../../src/core/flow/registry.js';
import { type FlowSpec, flowSchema } from '../../../src/core/flow/schema.js';
import { type ConversationState, initialState } from '../../../src/core/flow/state.js';
import type { Locale } from '../../../src/core/types.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import {
  buttonsOf,
  Conversation,
  effectsOf,
  type FakeOwner,
  messagesOf,
  NOW,
  REPORT_ANSWERS,
  sentOf,
  type TranslateFn,
} from '../../support/engine.js';

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', i18n.has);
const PARAMS = { estate: '幸福里', dutyPhone: '0571-88888888' };

/** A shipped text as the owner reads it. */
function t(key: string, params: Record<string, string | number> = {}, locale: Locale = 'zh-CN'): string {
  return i18n.translate(locale, key, { ...PARAMS, ...params });
}

const en = (key: string, params: Record<string, string | number> = {}) => t(key, params, 'en');

// Every conversation a test creates; after each test every state the engine returned is checked.
const conversations: Conversation[] = [];

function conv(
  opts: {
    owner?: Partial<FakeOwner>;
    state?: ConversationState;
    registry?: FlowRegistry;
    translate?: TranslateFn;
    params?: Record<string, string>;
  } = {},
): Conversation {
  const c = new Conversation(opts.registry ?? registry, opts.translate ?? i18n.translate, {
    params: opts.params ?? PARAMS,
    ...(opts.owner ? { owner: opts.owner } : {}),
    ...(opts.state ? { state: opts.state } : {}),
  });
  conversations.push(c);
  return c;
}

afterEach(() => {
  for (const c of conversations.splice(0)) {
    for (const state of c.states) {
      expect(structuredClone(state)).toStrictEqual(state);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
  }
});

const SAVED = { name: '王芳', phone: '+8613912345678', privacyNoticeShown: true } as const;

type StepId =
  | 'kind'
  | 'category'
  | 'location'
  | 'description'
  | 'photos'
  | 'subject'
  | 'demand'
  | 'name'
  | 'phone'
  | 'confirm';

/** The happy-path answer of each complaint step. */
const ANSWER: Record<Exclude<StepId, 'confirm'>, (c: Conversation) => unknown> = REPORT_ANSWERS;

/** Opens the complaint flow from the menu (报修 / 投诉) and answers along the happy path up to `target`. */
function driveTo(c: Conversation, target: StepId, opening: '报修' | '投诉' | '建议' = '报修'): void {
  c.text(opening);
  for (let guard = 0; c.state.flow?.stepId !== target; guard++) {
    const at = c.state.flow?.stepId as Exclude<StepId, 'confirm'> | undefined;
    if (!at || guard > 20) throw new Error(`could not reach ${target}; at ${at}`);
    ANSWER[at](c);
  }
  expect(c.state.prompt).toBeUndefined();
}

function ticketsOf(effects: Effect[]): FlowEffect[] {
  return effects.filter((e): e is FlowEffect => e.type === 'ticket.create');
}

function promptText(c: Conversation): string {
  return c.lastPrompt()?.text ?? '';
}

const READBACK_REPAIR = {
  kind: 'repair',
  category: 'water_power',
  location: { kind: 'unit', building: '3', unit: '2', room: '501' },
  description: '厨房水管漏水，一直在滴',
  photos: [],
  demand: '请尽快上门维修',
  name: '张三',
  phone: '+8613812345678',
};

describe('the main menu', () => {
  const menuLabels = () => registry.menu.entries.map((e) => t(e.label));

  it('greets on first contact and shows the menu', () => {
    const c = conv();
    const out = c.text('你好');
    const sent = sentOf(out.output);
    // One message: the welcome above the menu (each message is an owner's wait under Telegram's limits).
    expect(sent.map((m) => m.text)).toEqual([`${t('welcome')}\n\n${t('menu.title')}`]);
    expect(sent[0]?.text).toContain('幸福里');
    expect(buttonsOf(sent[0]).map((b) => b.label)).toEqual(menuLabels());
    expect(buttonsOf(sent[0]).map((b) => b.data)).toEqual(registry.menu.entries.map((e) => `1:m.${e.id}`));
    expect(sent[0]?.ref).toBe('prompt:1');
    expect(c.state.prompt).toBe('menu');
    expect(c.state.flow).toBeUndefined();
  });

  it.each(['/start', '/start@residesk_bot ref123', '/menu', '菜单', '主菜单', 'MENU'])(
    'shows the menu on %j',
    (text) => {
      const c = conv();
      c.text('随便说点什么');
      const out = c.text(text);
      const sent = sentOf(out.output);
      expect(sent.map((m) => m.text)).toEqual([t('menu.title')]);
      expect(buttonsOf(sent[0]).map((b) => b.label)).toEqual(menuLabels());
    },
  );

  it('greets on a first /start too', () => {
    const c = conv();
    const sent = sentOf(c.text('/start').output);
    expect(sent.map((m) => m.text)).toEqual([`${t('welcome')}\n\n${t('menu.title')}`]);
  });

  it('opens an entry by button, typed number (also full-width) or typed label', () => {
    for (const open of [
      (c: Conversation) => c.press('m.repair'),
      (c: Conversation) => c.text('1'),
      (c: Conversation) => c.text('１'),
      (c: Conversation) => c.text('报修'),
      (c: Conversation) => c.text('🔧 报修'),
      (c: Conversation) => c.text('/repair'),
    ]) {
      const c = conv();
      c.text('/start');
      open(c);
      expect(c.state.flow).toMatchObject({ flowId: 'complaint', stepId: 'category', answers: { kind: 'repair' } });
      expect(promptText(c)).toBe(t('complaint.ask.category'));
    }
  });

  it('refuses a number that is not on the menu and shows it again', () => {
    const c = conv();
    c.text('/start');
    const out = c.text('9');
    expect(messagesOf(out.output)[0]?.text).toContain(t('input.number_out_of_range', { count: 6 }));
    expect(c.state.prompt).toBe('menu');
    expect(buttonsOf(c.lastPrompt())).toHaveLength(6);
  });

  it('says it did not understand text that is not an entry, and shows the menu again', () => {
    const c = conv();
    c.text('/start');
    c.text('今天天气不错');
    expect(c.lastText()).toContain(t('input.not_understood'));
    expect(c.state.prompt).toBe('menu');
  });

  it('says it did not understand when nothing was asked', () => {
    const c = conv({ state: { ...initialState(), seq: 5 } });
    c.text('嗯');
    expect(sentOf(c.outcomes[0]?.output ?? []).map((m) => m.text)).toEqual([
      `${t('input.not_understood')}\n\n${t('menu.title')}`,
    ]);
    // Closing that menu drops the apology: it answered what was said then, it is no part of the menu.
    const seq = c.state.seq;
    expect(c.press('m.repair').output[0]).toEqual({
      type: 'out',
      action: { kind: 'edit', ref: `prompt:${seq}`, message: { text: `${t('menu.title')}\n\n✓ ${t('menu.repair')}` } },
    });
  });

  it('offers to resume a flow in progress, keeping its answers', () => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow?.answers);
    c.text('/menu');
    expect(promptText(c)).toBe(t('menu.title_resume'));
    expect(buttonsOf(c.lastPrompt())[0]?.label).toBe(t('menu.resume'));
    c.press('resume');
    expect(promptText(c)).toBe(t('complaint.ask.description'));
    expect(c.state.flow?.answers).toEqual(before);
    ANSWER.description(c);
    expect(c.state.flow?.stepId).toBe('photos');
  });

  it('lists no tickets on /mytickets for a new owner, with the way back to the menu', () => {
    const c = conv();
    c.text('/start');
    const out = c.press('m.mytickets');
    expect(effectsOf(out.output)).toEqual([]);
    expect(c.lastText()).toContain(t('mytickets.none'));
    expect(c.state.prompt).toBe('mytickets');
    c.text('我的工单');
    expect(c.lastText()).toContain(t('mytickets.none'));
  });
});

describe('choice answers', () => {
  it('takes a button, a typed number, a full-width number and a typed label', () => {
    const cases: [(c: Conversation) => unknown, string][] = [
      [(c) => c.press('o.lift'), 'lift'],
      [(c) => c.text('2'), 'leaks_fabric'],
      [(c) => c.text('２'), 'leaks_fabric'],
      [(c) => c.text('1.'), 'water_power'],
      [(c) => c.text('17'), 'other'],
      [(c) => c.text('电梯'), 'lift'],
      [(c) => c.text(' 电梯！'), 'lift'],
    ];
    for (const [answer, value] of cases) {
      const c = conv();
      driveTo(c, 'category');
      answer(c);
      expect(c.state.flow?.answers.category).toBe(value);
      expect(c.state.flow?.stepId).toBe('location');
    }
  });

  it('closes the menu and the language list once chosen, by button or typed number, so they cannot be tapped again', () => {
    const closed = (seq: number, text: string) => ({
      type: 'out',
      action: { kind: 'edit', ref: `prompt:${seq}`, message: { text } },
    });
    const c = conv();
    c.text('/start');
    let seq = c.state.seq;
    // The welcome came with this menu and stays when it is closed; a later menu has none.
    expect(c.press('m.repair').output[0]).toEqual(
      closed(seq, `${t('welcome')}\n\n${t('menu.title')}\n\n✓ ${t('menu.repair')}`),
    );
    expect(c.state.opening).toBeUndefined(); // the next question asked, the welcome is not kept in the state
    c.text('/cancel');
    seq = c.state.seq;
    expect(c.text('2').output[0]).toEqual(closed(seq, `${t('menu.title')}\n\n✓ ${t('menu.complaint')}`));
    c.text('/lang');
    seq = c.state.seq;
    expect(c.press('l.en').output[0]).toEqual(closed(seq, `${t('lang.choose')}\n\n✓ English`));
  });

  it('closes the answered question showing the answer', () => {
    const c = conv();
    driveTo(c, 'category');
    const seq = c.state.seq;
    const out = c.press('o.lift');
    expect(out.output[0]).toEqual({
      type: 'out',
      action: {
        kind: 'edit',
        ref: `prompt:${seq}`,
        message: { text: `${t('complaint.ask.category')}\n\n✓ ${t('ticket.category.lift')}` },
      },
    });
  });

  it.each(['18', '0', '99'])('refuses the out-of-range number %s naming the range', (text) => {
    const c = conv();
    driveTo(c, 'category');
    const before = structuredClone(c.state.flow);
    c.text(text);
    expect(c.lastText()).toContain(t('input.number_out_of_range', { count: 17 }));
    expect(promptText(c)).toContain(t('complaint.ask.category'));
    expect(buttonsOf(c.lastPrompt())).toHaveLength(17);
    expect(c.state.flow).toEqual(before);
  });

  it('refuses text that names no option', () => {
    const c = conv();
    driveTo(c, 'category');
    const before = structuredClone(c.state.flow);
    c.text('厨房的水管');
    expect(promptText(c)).toBe(`${t('input.choose')}\n\n${t('complaint.ask.category')}`);
    expect(c.state.flow).toEqual(before);
  });

  it.each(['sticker', 'voice'] as const)('refuses a %s and asks again', (what) => {
    const c = conv();
    driveTo(c, 'category');
    const before = structuredClone(c.state.flow);
    c.unsupported(what);
    const lead = t('input.unsupported', { what: t(`input.kind.${what}`) });
    expect(promptText(c)).toBe(`${lead}\n\n${t('complaint.ask.category')}`);
    expect(c.state.flow).toEqual(before);
  });

  it('takes a typed option label even when it is also a menu alias (投诉 at the kind question)', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    c.press('edit');
    c.press('f.kind');
    const before = structuredClone(c.state.flow?.answers);
    const out = c.text('投诉');
    expect(effectsOf(out.output)).toEqual([]);
    expect(c.state.flow?.answers).toEqual({ ...before, kind: 'complaint' });
    expect(c.state.flow?.stepId).toBe('subject');
  });
});

describe('text answers', () => {
  it('takes a description', () => {
    const c = conv();
    driveTo(c, 'description');
    c.text('  厨房水管漏水\u200b，一直在滴  ');
    expect(c.state.flow?.answers.description).toBe('厨房水管漏水，一直在滴');
    expect(c.state.flow?.stepId).toBe('photos');
  });

  it('refuses a too-short description naming the minimum', () => {
    const c = conv();
    driveTo(c, 'description');
    c.text('漏水');
    expect(promptText(c)).toBe(`${t('input.too_short', { min: 4 })}\n\n${t('complaint.ask.description')}`);
    expect(c.state.flow?.answers.description).toBeUndefined();
    expect(c.state.flow?.stepId).toBe('description');
  });

  it('refuses empty text', () => {
    const c = conv();
    driveTo(c, 'description');
    c.text('   ');
    expect(promptText(c)).toContain(t('input.empty'));
    expect(c.state.flow?.stepId).toBe('description');
  });

  it('refuses 10,000 characters naming the limit, keeping the answers so far', () => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    c.text('水'.repeat(10_000));
    expect(promptText(c)).toBe(
      `${t('input.too_long', { max: 1000, length: 10_000 })}\n\n${t('complaint.ask.description')}`,
    );
    expect(promptText(c)).toContain('1000');
    expect(c.state.flow).toEqual(before);
    ANSWER.description(c);
    expect(c.state.flow?.answers).toMatchObject({
      kind: 'repair',
      category: 'water_power',
      description: '厨房水管漏水，一直在滴',
    });
  });

  it('refuses text just over the step limit', () => {
    const c = conv();
    driveTo(c, 'description');
    c.text('水'.repeat(1001));
    expect(promptText(c)).toContain(t('input.too_long', { max: 1000, length: 1001 }));
    c.text('水'.repeat(1000));
    expect(c.state.flow?.stepId).toBe('photos');
  });

  it('names the location limit for a very long location', () => {
    const c = conv();
    driveTo(c, 'location');
    c.text('东'.repeat(10_000));
    expect(promptText(c)).toContain(t('input.too_long', { max: 200, length: 10_000 }));
    expect(c.state.flow?.stepId).toBe('location');
  });

  it.each(['sticker', 'voice'] as const)('refuses a %s where text is wanted', (what) => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    c.unsupported(what);
    expect(promptText(c)).toBe(
      `${t('input.unsupported', { what: t(`input.kind.${what}`) })}\n\n${t('complaint.ask.description')}`,
    );
    expect(c.state.flow).toEqual(before);
  });

  it('refuses a sticker in the menu, showing the menu', () => {
    const c = conv();
    c.text('/start');
    c.unsupported('sticker');
    expect(c.lastText()).toContain(t('input.unsupported', { what: t('input.kind.sticker') }));
    expect(c.state.prompt).toBe('menu');
  });
});

describe('phone answers', () => {
  it.each([
    ['13812345678', '+8613812345678', '138 1234 5678'],
    ['+86 138 1234 5678', '+8613812345678', '138 1234 5678'],
    ['008613812345678', '+8613812345678', '138 1234 5678'],
    ['１３８１２３４５６７８', '+8613812345678', '138 1234 5678'],
    ['+44 20 7946 0958', '+442079460958', '+44 20 7946 0958'],
  ])('takes %j and reads it back', (text, e164, shown) => {
    const c = conv({ owner: { name: '张三', privacyNoticeShown: true } });
    driveTo(c, 'phone');
    c.text(text);
    expect(c.state.flow?.answers.phone).toBe(e164);
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(promptText(c)).toContain(`${t('complaint.field.phone')}：${shown}`);
  });

  it.each(['12345', '2345678901', '138123', 'my phone'])('refuses %j and asks again', (text) => {
    const c = conv({ owner: { name: '张三', privacyNoticeShown: true } });
    driveTo(c, 'phone');
    c.text(text);
    expect(promptText(c)).toBe(`${t('input.phone_invalid')}\n\n${t('complaint.ask.phone')}`);
    expect(c.state.flow?.answers.phone).toBeUndefined();
    expect(c.state.flow?.stepId).toBe('phone');
  });
});

describe('name answers', () => {
  it.each(['1', '13812345678', '😀'])('refuses %j for a name, asking for a name again', (text) => {
    const c = conv({ owner: { privacyNoticeShown: true } });
    driveTo(c, 'name');
    c.text(text);
    expect(promptText(c)).toBe(`${t('input.name_letters')}\n\n${t('complaint.ask.name')}`);
    expect(c.state.flow?.answers.name).toBeUndefined();
    expect(c.state.flow?.stepId).toBe('name');
  });

  it.each(['张三', 'Li Wei', '3号楼王阿姨'])('takes %j', (text) => {
    const c = conv({ owner: { privacyNoticeShown: true } });
    driveTo(c, 'name');
    c.text(text);
    expect(c.state.flow?.answers.name).toBe(text);
    expect(c.state.flow?.stepId).toBe('phone');
  });
});

describe('location answers', () => {
  it.each([
    ['3栋2单元501', { kind: 'unit', building: '3', unit: '2', room: '501' }],
    ['3-2-501', { kind: 'unit', building: '3', unit: '2', room: '501' }],
    ['Bldg 3 Unit 2 Rm 501', { kind: 'unit', building: '3', unit: '2', room: '501' }],
    ['３栋２单元５０１', { kind: 'unit', building: '3', unit: '2', room: '501' }],
    ['东门停车场', { kind: 'public', description: '东门停车场' }],
  ])('reads %j', (text, location) => {
    const c = conv();
    driveTo(c, 'location');
    c.text(text);
    expect(c.state.flow?.answers.location).toEqual(location);
    expect(c.state.flow?.stepId).toBe('description');
  });

  it('reads a flat back in words', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    expect(promptText(c)).toContain(
      `${t('complaint.field.location')}：${t('location.unit_shown', { building: 3, unit: 2, room: 501 })}`,
    );
  });

  it('asks for a description after the public-area button', () => {
    const c = conv();
    driveTo(c, 'location');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('location.public')]);
    c.press('pub');
    expect(promptText(c)).toBe(t('location.public_ask'));
    expect(c.state.flow?.stage).toBe('public');
    c.text('a');
    expect(promptText(c)).toBe(`${t('input.too_short', { min: 2 })}\n\n${t('location.public_ask')}`);
    c.text('3-2-501 楼下的花园');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'public', description: '3-2-501 楼下的花园' });
    expect(c.state.flow?.stage).toBeUndefined();
    expect(c.state.flow?.stepId).toBe('description');
  });

  it('offers the owner’s own flats as buttons', () => {
    const c = conv({ owner: { units: ['3-2-501', '5-1-1203'] } });
    driveTo(c, 'location');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([
      t('location.my_unit', { unit: '3-2-501' }),
      t('location.my_unit', { unit: '5-1-1203' }),
      t('location.public'),
    ]);
    c.press('u.1');
    expect(c.state.flow?.answers.location).toEqual({ kind: 'unit', building: '5', unit: '1', room: '1203' });
  });

  it('refuses a sticker where a location is wanted', () => {
    const c = conv();
    driveTo(c, 'location');
    c.unsupported('sticker');
    expect(promptText(c)).toContain(t('input.unsupported', { what: t('input.kind.sticker') }));
    expect(c.state.flow?.stepId).toBe('location');
  });
});

describe('photo answers', () => {
  it('takes several photos then Done', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'photos');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('photos.none')]);
    c.photo('file-1');
    expect(promptText(c)).toBe(`${t('photos.received', { count: 1 })}\n\n${t('complaint.ask.photos')}`);
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('photos.done')]);
    c.photo('file-2', '  漏水的地方 ');
    c.photo('file-3');
    expect(promptText(c)).toContain(t('photos.received', { count: 3 }));
    c.press('done');
    expect(c.state.flow?.answers.photos).toEqual([
      { ref: 'file-1' },
      { ref: 'file-2', caption: '漏水的地方' },
      { ref: 'file-3' },
    ]);
    expect(c.state.flow?.stepId).toBe('demand');
  });

  it('takes no photos', () => {
    const c = conv();
    driveTo(c, 'photos');
    c.press('done');
    expect(c.state.flow?.answers.photos).toEqual([]);
  });

  it('asks for photos, not text, at the photo step', () => {
    const c = conv();
    driveTo(c, 'photos');
    c.text('没有拍');
    expect(promptText(c)).toBe(`${t('photos.waiting')}\n\n${t('complaint.ask.photos')}`);
    expect(c.state.flow?.stepId).toBe('photos');
  });

  it('refuses more than the max, keeping the ones sent', () => {
    const c = conv();
    driveTo(c, 'photos');
    for (let i = 1; i <= 6; i++) c.photo(`file-${i}`);
    c.photo('file-7');
    expect(promptText(c)).toBe(`${t('photos.too_many', { max: 6 })}\n\n${t('complaint.ask.photos')}`);
    expect(c.state.flow?.answers.photos).toHaveLength(6);
    c.press('done');
    expect(((c.state.flow?.answers.photos ?? []) as { ref: string }[]).map((p) => p.ref)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `file-${i}`),
    );
  });

  it('keeps a photo sent at the description step for the photo step', () => {
    const c = conv();
    driveTo(c, 'description');
    c.photo('early-1');
    expect(promptText(c)).toBe(`${t('photos.kept')}\n\n${t('complaint.ask.description')}`);
    expect(c.state.flow?.stepId).toBe('description');
    expect(c.state.flow?.answers.description).toBeUndefined();
    ANSWER.description(c);
    expect(c.state.flow?.stepId).toBe('photos');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('photos.done')]);
    c.photo('later-2');
    expect(promptText(c)).toContain(t('photos.received', { count: 2 }));
    c.press('done');
    expect(c.state.flow?.answers.photos).toEqual([{ ref: 'early-1' }, { ref: 'later-2' }]);
  });

  it('takes a photo’s caption as the description', () => {
    const c = conv();
    driveTo(c, 'description');
    c.photo('early-1', '卫生间天花板在滴水');
    expect(c.state.flow?.answers.description).toBe('卫生间天花板在滴水');
    expect(c.state.flow?.answers.photos).toEqual([{ ref: 'early-1', caption: '卫生间天花板在滴水' }]);
    expect(c.state.flow?.stepId).toBe('photos');
  });

  it('does not let early photos exceed the max', () => {
    const c = conv();
    driveTo(c, 'description');
    for (let i = 1; i <= 8; i++) c.photo(`early-${i}`);
    expect(c.state.flow?.answers.photos).toHaveLength(6);
    expect(promptText(c)).toBe(`${t('photos.too_many', { max: 6 })}\n\n${t('complaint.ask.description')}`);
  });

  it('keeps a photo sent before any report and starts a report around it, still asking for more photos', () => {
    const c = conv({ owner: { privacyNoticeShown: true } });
    c.text('/start');
    c.photo('file-1', '卫生间漏水');
    expect(c.lastText()).toContain(t('photos.kept'));
    expect(c.lastText()).toContain(t('complaint.ask.kind'));
    expect(c.state.prompt).toBeUndefined();
    expect(c.state.flow).toMatchObject({
      flowId: 'complaint',
      stepId: 'kind',
      answers: { photos: [{ ref: 'file-1', caption: '卫生间漏水' }] },
    });
    for (const answer of ['1', '1', '3-2-501', '卫生间天花板漏水']) c.text(answer);
    expect(c.state.flow?.stepId).toBe('photos');
    c.photo('file-2');
    expect(promptText(c)).toContain(t('photos.received', { count: 2 }));
  });

  it('greets a new owner whose first message is a photo before starting the report', () => {
    const c = conv();
    c.photo('file-1');
    expect(c.lastText().indexOf(t('welcome', PARAMS))).toBe(0);
    expect(c.state.flow?.answers.photos).toEqual([{ ref: 'file-1' }]);
  });

  it('does not take a photo for an answer to the language question', () => {
    const c = conv();
    c.text('/start');
    c.text('/lang');
    c.photo('file-1');
    expect(c.lastText()).toContain(t('input.unsupported', { what: t('input.kind.other') }));
    expect(c.state.flow).toBeUndefined();
  });
});

describe('optional steps', () => {
  it('skips subject and demand, reading them back as not given and leaving them out of the ticket', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'subject', '投诉');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('common.skip')]);
    c.press('skip');
    expect(c.state.flow?.stepId).toBe('demand');
    c.press('skip');
    expect(c.state.flow?.stepId).toBe('confirm');
    const readback = promptText(c);
    expect(readback).toContain(`${t('complaint.field.subject')}：${t('common.none')}`);
    expect(readback).toContain(`${t('complaint.field.demand')}：${t('common.none')}`);
    const out = c.press('ok');
    const [ticket] = ticketsOf(effectsOf(out.output));
    expect(ticket?.answers).not.toHaveProperty('subject');
    expect(ticket?.answers).not.toHaveProperty('demand');
    expect(ticket?.answers.kind).toBe('complaint');
  });

  it('does not offer Skip on a required step', () => {
    const c = conv();
    driveTo(c, 'description');
    expect(buttonsOf(c.lastPrompt())).toEqual([]);
  });

  it('asks subject only for complaints', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm', '建议');
    expect(c.state.flow?.history).not.toContain('subject');
    expect(promptText(c)).not.toContain(t('complaint.field.subject'));
  });
});

describe('the read-back', () => {
  it('lists the answers on the path and files exactly one ticket on Confirm', () => {
    const c = conv();
    driveTo(c, 'confirm');
    const readback = promptText(c);
    expect(readback.startsWith(t('complaint.readback'))).toBe(true);
    expect(readback).toContain(`${t('complaint.field.kind')}：${t('ticket.kind.repair')}`);
    expect(readback).toContain(`${t('complaint.field.category')}：${t('ticket.category.water_power')}`);
    expect(readback).toContain(`${t('complaint.field.description')}：厨房水管漏水，一直在滴`);
    expect(readback).toContain(`${t('complaint.field.photos')}：${t('common.none')}`);
    expect(readback).toContain(`${t('complaint.field.name')}：张三`);
    expect(readback).toContain(`${t('complaint.field.phone')}：138 1234 5678`);
    expect(readback).not.toContain(t('complaint.field.subject'));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([
      t('confirm.ok'),
      t('confirm.edit'),
      t('confirm.cancel'),
    ]);

    const out = c.press('ok');
    const effects = effectsOf(out.output);
    expect(effects).toEqual([
      {
        type: 'ticket.create',
        flowId: 'complaint',
        stepId: 'confirm',
        answers: READBACK_REPAIR,
        set: {},
        context: expect.any(Object),
      },
    ]);
    expect(c.allEffects().filter((e) => e.type === 'ticket.create')).toHaveLength(1);
    expect(c.state.flow).toBeUndefined();
    const sent = sentOf(out.output);
    expect(sent.at(-1)?.text).toBe(`${t('menu.anything_else')}\n\n${t('menu.title')}`);
    // The effect comes after the read-back is closed and before the menu, so the ticket number lands between.
    expect(out.output.map((o) => (o.type === 'out' ? o.action.kind : o.effect.type))).toEqual([
      'edit',
      'ticket.create',
      'send',
    ]);
  });

  it('confirms on a typed 1 and asks for a button on other text', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    c.text('好了吗');
    expect(promptText(c)).toContain(t('confirm.use_buttons'));
    expect(c.allEffects().filter((e) => e.type === 'ticket.create')).toHaveLength(0);
    const out = c.text('1');
    expect(ticketsOf(effectsOf(out.output))).toHaveLength(1);
  });

  it('edits one field and comes back to the read-back keeping the others', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const before = structuredClone(c.state.flow?.answers) ?? {};
    c.press('edit');
    expect(promptText(c)).toBe(t('confirm.pick_field'));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.data.split(':')[1])).toEqual([
      'f.kind',
      'f.category',
      'f.location',
      'f.description',
      'f.photos',
      'f.demand',
      'f.name',
      'f.phone',
      'rb',
    ]);
    c.press('f.description');
    expect(promptText(c)).toBe(t('complaint.ask.description'));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([
      t('common.use', { value: '厨房水管漏水，一直在滴' }),
    ]);
    c.text('卫生间下水道堵了');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.editing).toBe(false);
    expect(promptText(c)).toContain(`${t('complaint.field.description')}：卫生间下水道堵了`);
    expect(c.state.flow?.answers).toEqual({ ...before, description: '卫生间下水道堵了' });
    const out = c.press('ok');
    expect(ticketsOf(effectsOf(out.output))[0]?.answers).toEqual({ ...before, description: '卫生间下水道堵了' });
  });

  it('picks the field by typed number and goes back to the read-back unchanged', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const before = structuredClone(c.state.flow?.answers);
    c.text('2');
    expect(c.state.flow?.stage).toBe('pick_field');
    c.press('rb');
    expect(promptText(c).startsWith(t('complaint.readback'))).toBe(true);
    c.text('2');
    c.text('3');
    expect(c.state.flow?.stepId).toBe('location');
    c.text('3-2-502');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.answers).toEqual({
      ...before,
      location: { kind: 'unit', building: '3', unit: '2', room: '502' },
    });
  });

  it('keeps an answer re-offered with its Use button', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const before = structuredClone(c.state.flow?.answers);
    c.press('edit');
    c.press('f.demand');
    c.press('keep');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.answers).toEqual(before);
  });

  it('comes straight back to the read-back after an edit when an optional step was skipped', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'demand');
    c.press('skip');
    expect(c.state.flow?.stepId).toBe('confirm');
    c.press('edit');
    c.press('f.category');
    c.press('o.lift');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.answers.category).toBe('lift');
    expect(c.state.flow?.answers.demand).toBeUndefined();
  });

  it('asks the subject when the kind changes to complaint, then comes back to the read-back', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    c.press('edit');
    c.press('f.kind');
    c.press('o.complaint');
    expect(c.state.flow?.stepId).toBe('subject');
    c.text('保安小王');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(promptText(c)).toContain(`${t('complaint.field.subject')}：保安小王`);
  });

  it('drops subject from the ticket when the kind changes from complaint to repair', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm', '投诉');
    expect(c.state.flow?.answers.subject).toBe('保安小王');
    expect(promptText(c)).toContain(`${t('complaint.field.subject')}：保安小王`);
    c.press('edit');
    c.press('f.kind');
    c.press('o.repair');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(promptText(c)).not.toContain(t('complaint.field.subject'));
    const out = c.press('ok');
    const tickets = ticketsOf(effectsOf(out.output));
    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.answers.kind).toBe('repair');
    expect(tickets[0]?.answers).not.toHaveProperty('subject');
    expect(Object.keys(tickets[0]?.answers ?? {})).toEqual([
      'kind',
      'category',
      'location',
      'description',
      'photos',
      'demand',
      'name',
      'phone',
    ]);
  });

  it('cancels from the read-back: flow.cancelled and no ticket', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const answers = structuredClone(c.state.flow?.answers);
    const out = c.press('cancel');
    const effects = effectsOf(out.output);
    expect(effects).toEqual([{ type: 'flow.cancelled', flowId: 'complaint', answers, context: expect.any(Object) }]);
    expect(c.allEffects().some((e) => e.type === 'ticket.create')).toBe(false);
    expect(sentOf(out.output).map((m) => m.text)).toEqual([t('complaint.cancelled'), t('menu.title')]);
    expect(c.state.flow).toBeUndefined();
  });
});

describe('buttons', () => {
  it('answers a press with the current seq, with an empty ack', () => {
    const c = conv();
    driveTo(c, 'category');
    const out = c.press('o.lift');
    expect(out.ack).toBe('');
    expect(c.state.flow?.answers.category).toBe('lift');
  });

  it('gives no ack for a typed message', () => {
    const c = conv();
    driveTo(c, 'category');
    expect(c.text('3').ack).toBeUndefined();
  });

  it('refuses a press from an earlier question: ack, the current question again, no answer changed', () => {
    const c = conv();
    driveTo(c, 'category');
    const oldData = c.dataFor('o.lift');
    c.press('o.water_power');
    const before = structuredClone(c.state.flow);
    const out = c.event({ type: 'button', data: oldData });
    expect(out.ack).toBe(t('input.stale'));
    expect(sentOf(out.output).map((m) => m.text)).toEqual([t('input.stale'), t('complaint.ask.location')]);
    expect(c.state.flow?.answers).toEqual(before?.answers);
    expect(c.state.flow?.stepId).toBe('location');
    expect(effectsOf(out.output)).toEqual([]);
  });

  it.each([
    ['an option the question does not offer', (seq: number) => `${seq}:o.teleport`],
    ['skip on a required question', (seq: number) => `${seq}:skip`],
    ['keep without anything to keep', (seq: number) => `${seq}:keep`],
    ['a menu entry', (seq: number) => `${seq}:m.emergency`],
    ['no seq', () => 'o.lift'],
    ['garbage', () => '💥'],
    ['an empty string', () => ''],
  ])('refuses forged data: %s', (_name, data) => {
    const c = conv();
    driveTo(c, 'category');
    const before = structuredClone(c.state.flow);
    const out = c.event({ type: 'button', data: data(c.state.seq) });
    expect(out.ack).toBe(t('input.stale'));
    expect(promptText(c)).toBe(t('complaint.ask.category'));
    expect(c.state.flow).toEqual(before);
    expect(effectsOf(out.output)).toEqual([]);
  });

  it('refuses a field button on the read-back before Edit was pressed', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const out = c.event({ type: 'button', data: `${c.state.seq}:f.kind` });
    expect(out.ack).toBe(t('input.stale'));
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.stage).toBeUndefined();
  });

  it('answers a double tap only once', () => {
    const c = conv();
    driveTo(c, 'category');
    const data = c.dataFor('o.lift');
    c.event({ type: 'button', data });
    const after = structuredClone(c.state.flow);
    const second = c.event({ type: 'button', data });
    expect(second.ack).toBe(t('input.stale'));
    expect(c.state.flow?.answers).toEqual(after?.answers);
    expect(c.state.flow?.history.filter((h) => h === 'category')).toHaveLength(1);
    expect(c.state.flow?.stepId).toBe('location');
  });

  it('files one ticket on a double tap of Confirm', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    const data = c.dataFor('ok');
    c.event({ type: 'button', data });
    const second = c.event({ type: 'button', data });
    expect(effectsOf(second.output)).toEqual([]);
    expect(c.allEffects().filter((e) => e.type === 'ticket.create')).toHaveLength(1);
  });
});

describe('commands during a flow', () => {
  it('goes back to the previous question keeping the answers', () => {
    const c = conv();
    driveTo(c, 'photos');
    const before = structuredClone(c.state.flow?.answers);
    c.text('/back');
    expect(c.state.flow?.stepId).toBe('description');
    expect(promptText(c)).toBe(t('complaint.ask.description'));
    expect(c.state.flow?.answers).toEqual(before);
    c.text('返回');
    expect(c.state.flow?.stepId).toBe('location');
    c.text('上一步');
    expect(c.state.flow?.stepId).toBe('category');
    expect(c.state.flow?.answers).toEqual(before);
    c.press('o.lift');
    expect(c.state.flow?.stepId).toBe('location');
    expect(c.state.flow?.answers.location).toEqual(before?.location);
  });

  it('says so on /back at the first question', () => {
    const c = conv();
    driveTo(c, 'category');
    c.text('/back');
    expect(promptText(c)).toBe(`${t('flow.at_first')}\n\n${t('complaint.ask.category')}`);
    expect(c.state.flow?.stepId).toBe('category');
  });

  it('goes back from the public-area description to the location question', () => {
    const c = conv();
    driveTo(c, 'location');
    c.press('pub');
    c.text('/back');
    expect(c.state.flow?.stage).toBeUndefined();
    expect(c.state.flow?.stepId).toBe('location');
    expect(promptText(c)).toBe(t('complaint.ask.location'));
  });

  it.each(['/cancel', '取消', 'cancel'])('cancels on %j', (text) => {
    const c = conv();
    driveTo(c, 'description');
    const answers = structuredClone(c.state.flow?.answers);
    const out = c.text(text);
    expect(effectsOf(out.output)).toEqual([{ type: 'flow.cancelled', flowId: 'complaint', answers, context: {} }]);
    expect(sentOf(out.output).map((m) => m.text)).toEqual([t('complaint.cancelled'), t('menu.title')]);
    expect(c.state.flow).toBeUndefined();
    expect(c.allEffects().some((e) => e.type === 'ticket.create')).toBe(false);
  });

  it('says there is nothing to cancel when no flow runs', () => {
    const c = conv();
    c.text('/start');
    const out = c.text('/cancel');
    expect(sentOf(out.output).map((m) => m.text)).toEqual([t('flow.nothing_to_cancel'), t('menu.title')]);
    expect(effectsOf(out.output)).toEqual([]);
  });

  it.each(['/help', '帮助'])('helps on %j and asks the same question again', (text) => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    const out = c.text(text);
    const sent = sentOf(out.output).map((m) => m.text);
    expect(sent).toEqual([t('help.text'), t('complaint.ask.description')]);
    expect(sent[0]).toContain('0571-88888888');
    expect(c.state.flow).toEqual(before);
  });

  it('switches the language mid-flow with /lang', () => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    c.text('/lang');
    expect(promptText(c)).toBe(t('lang.choose'));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual(['中文', 'English']);
    const out = c.press('l.en');
    expect(effectsOf(out.output)).toEqual([{ type: 'owner.update', patch: { locale: 'en' } }]);
    expect(sentOf(out.output).map((m) => m.text)).toEqual([en('lang.set'), en('complaint.ask.description')]);
    expect(c.state.locale).toBe('en');
    expect(c.state.flow).toEqual(before);
    c.text('hm');
    expect(promptText(c)).toBe(`${en('input.too_short', { min: 4 })}\n\n${en('complaint.ask.description')}`);
    ANSWER.description(c);
    expect(promptText(c)).toBe(en('complaint.ask.photos'));
  });

  it('chooses the language by typed name or number', () => {
    const c = conv();
    c.text('语言');
    c.text('English');
    expect(c.state.locale).toBe('en');
    c.text('/lang');
    c.text('1');
    expect(c.state.locale).toBe('zh-CN');
    expect(c.lastText()).toContain(t('lang.set'));
  });

  it('goes back from the language list to the question', () => {
    const c = conv();
    driveTo(c, 'description');
    c.text('/lang');
    c.text('/back');
    expect(c.state.prompt).toBeUndefined();
    expect(promptText(c)).toBe(t('complaint.ask.description'));
  });

  it('leaves the flow for an emergency typed mid-flow, reporting the abandoned one', () => {
    const c = conv();
    driveTo(c, 'description');
    const out = c.text('紧急');
    const effects = effectsOf(out.output);
    expect(effects.map((e) => e.type)).toEqual(['flow.cancelled']);
    expect(c.state.flow?.flowId).toBe('emergency');
  });
});

describe('privacy and saved contacts', () => {
  it('shows the privacy notice once, before the first personal question', () => {
    const c = conv();
    driveTo(c, 'demand');
    const out = c.text('请尽快上门维修');
    const kinds = out.output.map((o) => (o.type === 'out' ? o.action.message.text.slice(0, 8) : o.effect.type));
    expect(kinds).toEqual([t('complaint.ask.demand').slice(0, 8), 'owner.update', t('privacy.notice').slice(0, 8)]);
    // The notice heads the name question's message (one message, not two).
    expect(sentOf(out.output).map((m) => m.text)).toEqual([`${t('privacy.notice')}\n\n${t('complaint.ask.name')}`]);
    expect(effectsOf(out.output)).toEqual([{ type: 'owner.update', patch: { privacyNoticeShown: true } }]);
    expect(c.owner.privacyNoticeShown).toBe(true);
    c.text('   ');
    c.text('张三');
    c.text('12345');
    c.text('13812345678');
    c.press('ok');
    const notices = c.outcomes.flatMap((o) => sentOf(o.output)).filter((m) => m.text.includes(t('privacy.notice')));
    expect(notices).toHaveLength(1);
    expect(c.allEffects().filter((e) => e.type === 'owner.update')).toHaveLength(1);
  });

  it('does not show the notice when the owner has seen it', () => {
    const c = conv({ owner: { privacyNoticeShown: true } });
    driveTo(c, 'confirm');
    c.press('ok');
    expect(c.outcomes.flatMap((o) => sentOf(o.output)).some((m) => m.text.includes(t('privacy.notice')))).toBe(false);
    expect(c.allEffects().some((e) => e.type === 'owner.update')).toBe(false);
  });

  it('pre-fills a saved name and phone, not asking again, and reads them back', () => {
    const c = conv({ owner: { name: '王芳', phone: '+8613912345678', privacyNoticeShown: false } });
    driveTo(c, 'demand');
    c.text('请尽快上门维修');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(c.state.flow?.history).not.toContain('name');
    expect(c.state.flow?.history).not.toContain('phone');
    const readback = promptText(c);
    expect(readback).toContain(`${t('complaint.field.name')}：王芳`);
    expect(readback).toContain(`${t('complaint.field.phone')}：139 1234 5678`);
    const out = c.press('ok');
    expect(ticketsOf(effectsOf(out.output))[0]?.answers).toMatchObject({ name: '王芳', phone: '+8613912345678' });
  });

  it('asks only the phone when only the name is saved, with the notice before it', () => {
    const c = conv({ owner: { name: '王芳' } });
    driveTo(c, 'demand');
    const out = c.text('请尽快上门维修');
    expect(c.state.flow?.stepId).toBe('phone');
    expect(sentOf(out.output).map((m) => m.text)).toEqual([`${t('privacy.notice')}\n\n${t('complaint.ask.phone')}`]);
  });

  it('keeps the privacy notice when the question it headed is closed', () => {
    const c = conv({ owner: { ...SAVED, privacyNoticeShown: false } });
    driveTo(c, 'confirm');
    c.press('edit');
    c.press('f.name');
    expect(promptText(c)).toBe(`${t('privacy.notice')}\n\n${t('complaint.ask.name')}`);
    const seq = c.state.seq;
    const use = buttonsOf(c.lastPrompt())[0]?.data.split(':')[1] ?? '';
    expect(c.press(use).output[0]).toEqual({
      type: 'out',
      action: {
        kind: 'edit',
        ref: `prompt:${seq}`,
        message: {
          text: `${t('privacy.notice')}\n\n${t('complaint.ask.name')}\n\n✓ ${t('common.use', { value: '王芳' })}`,
        },
      },
    });
  });

  it('offers the saved name when it is edited from the read-back', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    c.press('edit');
    c.press('f.name');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('common.use', { value: '王芳' })]);
    c.text('王女士');
    expect(c.state.flow?.stepId).toBe('confirm');
    expect(promptText(c)).toContain(`${t('complaint.field.name')}：王女士`);
  });

  it('offers the saved phone in its national form', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    c.press('edit');
    c.press('f.phone');
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([t('common.use', { value: '139 1234 5678' })]);
    c.press('keep');
    expect(c.state.flow?.answers.phone).toBe('+8613912345678');
  });
});

describe('the emergency flow', () => {
  it('shows what to do and the emergency numbers before asking where, then files one emergency ticket', () => {
    const c = conv();
    c.text('/start');
    const opened = c.press('m.emergency');
    const sent = sentOf(opened.output);
    // One message: what to do and the numbers first, then where.
    expect(sent.map((m) => m.text)).toEqual([`${t('emergency.intro')}\n\n${t('emergency.ask.location')}`]);
    for (const n of ['119', '120', '110', '0571-88888888']) expect(sent[0]?.text).toContain(n);
    expect(c.state.flow).toMatchObject({ flowId: 'emergency', stepId: 'location' });

    c.text('门');
    expect(promptText(c)).toContain(t('input.too_short', { min: 2 }));
    expect(c.allEffects().some((e) => e.type === 'ticket.create')).toBe(false);

    const out = c.text('3栋2单元501');
    expect(ticketsOf(effectsOf(out.output))).toEqual([
      {
        type: 'ticket.create',
        flowId: 'emergency',
        stepId: 'location',
        answers: { location: { kind: 'unit', building: '3', unit: '2', room: '501' } },
        set: { kind: 'repair', urgency: 'emergency' },
        context: {},
      },
    ]);
    expect(c.allEffects().filter((e) => e.type === 'ticket.create')).toHaveLength(1);
    // Filed first; only then, once, a call-back number (skippable) for an owner with none on file.
    expect(c.state.flow).toMatchObject({ flowId: 'emergency', stepId: 'phone' });
    expect(sentOf(out.output).at(-1)?.text).toContain(t('emergency.ask.phone'));
  });

  it.each(['紧急', '/emergency', 'SOS', '救命'])('opens on %j', (text) => {
    const c = conv();
    c.text(text);
    expect(c.state.flow).toMatchObject({ flowId: 'emergency', stepId: 'location' });
  });

  it('takes a public area by button then description', () => {
    const c = conv();
    c.text('紧急');
    c.press('pub');
    expect(promptText(c)).toBe(t('location.public_ask'));
    const out = c.text('地下车库B区');
    expect(ticketsOf(effectsOf(out.output))[0]?.answers).toEqual({
      location: { kind: 'public', description: '地下车库B区' },
    });
  });
});

describe('menu presets', () => {
  it.each([
    ['报修', 'repair'],
    ['投诉', 'complaint'],
    ['建议', 'suggestion'],
  ])('choosing %s skips the kind question', (text, kind) => {
    const c = conv({ owner: SAVED });
    c.text(text);
    expect(c.state.flow).toMatchObject({ flowId: 'complaint', stepId: 'category', answers: { kind } });
    expect(c.outcomes.flatMap((o) => sentOf(o.output)).some((m) => m.text.includes(t('complaint.ask.kind')))).toBe(
      false,
    );
    driveTo(c, 'confirm', text as '报修');
    const out = c.press('ok');
    expect(ticketsOf(effectsOf(out.output))[0]?.answers.kind).toBe(kind);
  });

  it('asks the kind when the flow starts without a preset', () => {
    const c = conv();
    c.start('complaint');
    expect(c.state.flow?.stepId).toBe('kind');
    expect(promptText(c)).toBe(t('complaint.ask.kind'));
  });
});

describe('queued flows', () => {
  it('queues a flow started while another runs, silently, and starts it after the running one ends', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    const queued = c.start('emergency', { queueIfBusy: true, context: { ticket: 'T1' } });
    expect(queued.output).toEqual([]);
    expect(c.state.flow).toEqual(before);
    expect(c.state.queue).toEqual([{ flowId: 'emergency', context: { ticket: 'T1' }, queuedAt: NOW.toISOString() }]);
    c.start('emergency', { queueIfBusy: true, context: { ticket: 'T1' } });
    expect(c.state.queue).toHaveLength(1);

    driveTo(c, 'confirm');
    const out = c.press('ok');
    expect(effectsOf(out.output).map((e) => e.type)).toEqual(['ticket.create']);
    expect(sentOf(out.output).map((m) => m.text)).toEqual([
      `${t('emergency.intro')}\n\n${t('emergency.ask.location')}`,
    ]);
    expect(c.state.flow).toMatchObject({ flowId: 'emergency', context: { ticket: 'T1' } });
    expect(c.state.queue).toEqual([]);
  });

  it('starts the queued flow after a cancel too', () => {
    const c = conv();
    driveTo(c, 'description');
    c.start('emergency', { queueIfBusy: true });
    c.text('/cancel');
    expect(c.state.flow?.flowId).toBe('emergency');
  });

  it('starts at once when nothing runs', () => {
    const c = conv();
    const out = c.start('emergency', { queueIfBusy: true });
    expect(sentOf(out.output).map((m) => m.text)).toEqual([
      `${t('emergency.intro')}\n\n${t('emergency.ask.location')}`,
    ]);
    expect(c.state.queue).toEqual([]);
  });

  it('never replaces a running flow with another run of the same flow', () => {
    const c = conv();
    driveTo(c, 'description');
    const before = structuredClone(c.state.flow);
    const out = c.start('complaint', { queueIfBusy: true, context: { ticket: 'T2' } });
    expect(out.output).toEqual([]);
    expect(c.state.flow).toEqual(before);
    expect(c.state.queue.map((q) => q.context)).toEqual([{ ticket: 'T2' }]);
    c.start('complaint', { queueIfBusy: true });
    expect(c.state.flow).toEqual(before);
    expect(c.state.queue).toHaveLength(1);
  });
});

describe('flow versions', () => {
  const complaint = registry.flows.get('complaint') as FlowSpec;

  function withFlows(...specs: FlowSpec[]): FlowRegistry {
    const flows = new Map(registry.flows);
    for (const s of specs) flows.set(s.id, s);
    return { flows, menu: registry.menu };
  }

  it('continues silently when the current step still exists', () => {
    const c = conv();
    driveTo(c, 'description');
    const v2 = { ...structuredClone(complaint), version: 2, steps: complaint.steps.filter((s) => s.id !== 'category') };
    const later = conv({ registry: withFlows(v2), state: c.state });
    const out = later.text('厨房水管漏水，一直在滴');
    expect(messagesOf(out.output).some((m) => m.text.includes(t('flow.changed')))).toBe(false);
    expect(later.state.flow).toMatchObject({ flowVersion: 2, stepId: 'photos' });
    expect(later.state.flow?.answers).toEqual({
      kind: 'repair',
      location: { kind: 'unit', building: '3', unit: '2', room: '501' },
      description: '厨房水管漏水，一直在滴',
    });
    expect(later.state.flow?.history).not.toContain('category');
  });

  it('restarts politely when the current step was removed, keeping the answers of steps that remain', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'subject', '投诉');
    const kept = structuredClone(c.state.flow?.answers);
    const v2 = { ...structuredClone(complaint), version: 2, steps: complaint.steps.filter((s) => s.id !== 'subject') };
    v2.steps = v2.steps.map((s) =>
      s.answer.kind === 'confirm'
        ? { ...s, answer: { ...s.answer, fields: s.answer.fields.filter((f) => f !== 'subject') } }
        : s,
    );
    const later = conv({ registry: withFlows(v2), state: c.state, owner: SAVED });
    const out = later.text('保安小王');
    expect(sentOf(out.output).map((m) => m.text)).toEqual([t('flow.changed'), t('complaint.ask.demand')]);
    expect(later.state.flow).toMatchObject({ flowVersion: 2, stepId: 'demand' });
    expect(later.state.flow?.answers).toEqual(kept);
    expect(later.state.flow?.answers.demand).toBeUndefined();
    expect(effectsOf(out.output)).toEqual([]);
    later.text('请批评教育');
    expect(later.state.flow?.stepId).toBe('confirm');
    const done = later.press('ok');
    expect(ticketsOf(effectsOf(done.output))[0]?.answers).toEqual({ ...kept, demand: '请批评教育' });
  });

  it('still obeys a command sent just as the flow changed', () => {
    const c = conv();
    driveTo(c, 'subject', '投诉');
    const v2 = { ...structuredClone(complaint), version: 2, steps: complaint.steps.filter((s) => s.id !== 'subject') };
    const later = conv({ registry: withFlows(v2), state: c.state });
    const out = later.text('/cancel');
    expect(effectsOf(out.output).map((e) => e.type)).toEqual(['flow.cancelled']);
    expect(later.state.flow).toBeUndefined();
  });

  it('says the flow is gone when it no longer exists', () => {
    const c = conv();
    driveTo(c, 'description');
    const flows = new Map(registry.flows);
    flows.delete('complaint');
    const later = conv({ registry: { flows, menu: registry.menu }, state: c.state });
    const out = later.text('厨房水管漏水');
    expect(sentOf(out.output)[0]?.text).toBe(t('flow.gone'));
    expect(later.state.flow).toBeUndefined();
    expect(later.state.prompt).toBe('menu');
    expect(effectsOf(out.output).some((e) => e.type === 'ticket.create')).toBe(false);
  });
});

// ── kinds the shipped flows do not use: yes/no and rating ──────────────────

const survey = flowSchema.parse({
  id: 'survey',
  version: 1,
  steps: [
    {
      id: 'now_ok',
      ask: 'survey.ask.now_ok',
      answer: { kind: 'yesno' },
      next: [{ when: { answer: 'now_ok', is: false }, go: 'later' }],
    },
    { id: 'solved', ask: 'survey.ask.solved', answer: { kind: 'yesno' } },
    {
      id: 'attitude',
      ask: 'survey.ask.attitude',
      answer: { kind: 'rating', min: 1, max: 3, labels: 'survey.attitude' },
    },
    { id: 'score', ask: 'survey.ask.score', answer: { kind: 'rating', min: 1, max: 10 }, optional: true },
    { id: 'nps', ask: 'survey.ask.nps', answer: { kind: 'rating', min: 0, max: 10 } },
    {
      id: 'comments',
      ask: 'survey.ask.comments',
      answer: { kind: 'text', min: 2, max: 50 },
      optional: true,
      effect: 'survey.answer',
      end: true,
    },
    { id: 'later', ask: 'survey.ask.later', answer: { kind: 'text' }, end: true },
  ],
});

/** Renders a key with its params, so tests see exactly what the engine asked for. */
const fakeTranslate: TranslateFn = (locale, key, params = {}) =>
  [`${locale}:${key}`, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(' ');
const ft = (key: string, params: Record<string, string | number> = {}) => fakeTranslate('zh-CN', key, params);
const surveyRegistry: FlowRegistry = { flows: new Map([['survey', survey]]), menu: registry.menu };

function surveyConv(): Conversation {
  const c = conv({ registry: surveyRegistry, translate: fakeTranslate, params: {} });
  c.start('survey', { context: { ticket: 'T261128-0001' } });
  return c;
}

describe('yes/no answers', () => {
  it('offers Yes and No buttons and passes the flow context to the question', () => {
    const c = surveyConv();
    expect(promptText(c)).toBe(ft('survey.ask.now_ok', { ticket: 'T261128-0001' }));
    expect(buttonsOf(c.lastPrompt()).map((b) => b.label)).toEqual([ft('common.yes'), ft('common.no')]);
  });

  it.each([
    ['the Yes button', (c: Conversation) => c.press('y'), true],
    ['the No button', (c: Conversation) => c.press('n'), false],
    ['a typed 1', (c: Conversation) => c.text('1'), true],
    ['a typed ２', (c: Conversation) => c.text('２'), false],
    ['好的', (c: Conversation) => c.text('好的'), true],
    ['没有', (c: Conversation) => c.text('没有'), false],
    ['Yes!', (c: Conversation) => c.text('Yes!'), true],
  ])('takes %s', (_name, answer, value) => {
    const c = surveyConv();
    answer(c);
    expect(c.state.flow?.answers.now_ok).toBe(value);
    expect(c.state.flow?.stepId).toBe(value ? 'solved' : 'later');
  });

  it('refuses other text, a number out of range and a sticker', () => {
    const c = surveyConv();
    const question = ft('survey.ask.now_ok', { ticket: 'T261128-0001' });
    c.text('也许吧');
    expect(promptText(c)).toBe(`${ft('input.choose')}\n\n${question}`);
    c.text('3');
    expect(promptText(c)).toBe(`${ft('input.number_out_of_range', { count: 2 })}\n\n${question}`);
    c.unsupported('voice');
    expect(promptText(c)).toBe(`${ft('input.unsupported', { what: ft('input.kind.voice') })}\n\n${question}`);
    c.photo('file-1');
    expect(promptText(c)).toContain(ft('input.unsupported', { what: ft('input.kind.other') }));
    expect(c.state.flow?.answers).toEqual({});
  });
});

describe('rating answers', () => {
  function toAttitude(): Conversation {
    const c = surveyConv();
    c.press('y');
    c.press('y');
    expect(c.state.flow?.stepId).toBe('attitude');
    return c;
  }

  it('lists a labelled scale best first', () => {
    const c = toAttitude();
    expect(buttonsOf(c.lastPrompt()).map((b) => [b.label, b.data.split(':')[1]])).toEqual([
      [ft('survey.attitude.3'), 'r.3'],
      [ft('survey.attitude.2'), 'r.2'],
      [ft('survey.attitude.1'), 'r.1'],
    ]);
  });

  it('reads a typed number on a labelled scale as the n-th item of the list it sees (best first)', () => {
    const c = toAttitude();
    c.text('3');
    expect(c.state.flow?.answers.attitude).toBe(1);
    const d = toAttitude();
    d.text('1');
    expect(d.state.flow?.answers.attitude).toBe(3);
  });

  it('takes a labelled point by button and by typed label', () => {
    const c = toAttitude();
    c.press('r.1');
    expect(c.state.flow?.answers.attitude).toBe(1);
    const d = toAttitude();
    d.text(ft('survey.attitude.2'));
    expect(d.state.flow?.answers.attitude).toBe(2);
  });

  it('refuses a number off the scale naming the range', () => {
    const c = toAttitude();
    c.text('5');
    expect(promptText(c)).toBe(
      `${ft('input.number_out_of_range', { count: 3 })}\n\n${ft('survey.ask.attitude', { ticket: 'T261128-0001' })}`,
    );
    c.text('很好');
    expect(promptText(c)).toContain(ft('input.rating_invalid', { min: 1, max: 3 }));
    expect(c.state.flow?.answers.attitude).toBeUndefined();
  });

  it('takes a 1–10 score by button, typed number, full-width number and 分; skips it; refuses 11', () => {
    const answers: [(c: Conversation) => unknown, number | undefined][] = [
      [(c) => c.press('r.8'), 8],
      [(c) => c.text('10'), 10],
      [(c) => c.text('７'), 7],
      [(c) => c.text('9分'), 9],
      [(c) => c.press('skip'), undefined],
    ];
    for (const [answer, value] of answers) {
      const c = toAttitude();
      c.press('r.3');
      expect(buttonsOf(c.lastPrompt()).map((b) => b.data.split(':')[1])).toEqual([
        ...Array.from({ length: 10 }, (_, i) => `r.${i + 1}`),
        'skip',
      ]);
      answer(c);
      expect(c.state.flow?.answers.score).toBe(value);
      expect(c.state.flow?.stepId).toBe('nps');
    }
    const c = toAttitude();
    c.press('r.3');
    c.text('11');
    expect(promptText(c)).toContain(ft('input.rating_invalid', { min: 1, max: 10 }));
    expect(c.state.flow?.stepId).toBe('score');
  });

  it('takes 0 on a 0–10 scale, typed or pressed', () => {
    for (const answer of [(c: Conversation) => c.text('0'), (c: Conversation) => c.press('r.0')]) {
      const c = toAttitude();
      c.press('r.3');
      c.press('skip');
      answer(c);
      expect(c.state.flow?.answers.nps).toBe(0);
      expect(c.state.flow?.stepId).toBe('comments');
    }
  });

  it('runs the step effect with the answers on the path and ends the flow', () => {
    const c = toAttitude();
    c.press('r.3');
    c.text('9');
    c.text('10');
    const out = c.text('很好，谢谢');
    expect(effectsOf(out.output)).toEqual([
      {
        type: 'survey.answer',
        flowId: 'survey',
        stepId: 'comments',
        answers: { now_ok: true, solved: true, attitude: 3, score: 9, nps: 10, comments: '很好，谢谢' },
        set: {},
        context: { ticket: 'T261128-0001' },
      },
    ]);
    expect(c.state.flow).toBeUndefined();
  });

  it('follows a next rule to another branch, which ends without an effect', () => {
    const c = surveyConv();
    c.press('n');
    expect(c.state.flow?.stepId).toBe('later');
    const out = c.text('明天上午');
    expect(effectsOf(out.output)).toEqual([]);
    expect(c.state.flow).toBeUndefined();
    expect(pathOf(survey, { now_ok: false }, {})).toEqual(['now_ok', 'later']);
  });
});

describe('parseCommand', () => {
  it('reads slash commands, bot-addressed commands and bare words', () => {
    expect(parseCommand('/cancel', registry)).toEqual({ command: 'cancel' });
    expect(parseCommand('/start@residesk_bot hello', registry)).toEqual({ command: 'menu' });
    expect(parseCommand(' 取消 ', registry)).toEqual({ command: 'cancel' });
    expect(parseCommand('Back', registry)).toEqual({ command: 'back' });
    expect(parseCommand('/repair', registry)).toEqual({ entry: 'repair' });
    expect(parseCommand('repair', registry)).toEqual({ entry: 'repair' });
  });

  it('does not take a sentence for a command', () => {
    expect(parseCommand('取消一下我昨天的报修可以吗', registry)).toBeUndefined();
    expect(parseCommand('please cancel it', registry)).toBeUndefined();
  });
});

describe('robustness', () => {
  /** A message of each awkward kind, given the seq of the question on screen. */
  const AWKWARD: ((seq: number) => EngineEvent)[] = [
    () => ({ type: 'unsupported', what: 'sticker' }),
    () => ({ type: 'unsupported', what: 'voice' }),
    () => ({ type: 'unsupported', what: 'location' }),
    () => ({ type: 'text', text: '' }),
    () => ({ type: 'text', text: '   ' }),
    () => ({ type: 'text', text: '水'.repeat(10_000) }),
    () => ({ type: 'text', text: '１' }),
    () => ({ type: 'text', text: '99' }),
    () => ({ type: 'text', text: '0' }),
    () => ({ type: 'text', text: '🙂🙂' }),
    () => ({ type: 'text', text: '\u0000\u200b' }),
    () => ({ type: 'text', text: '/back' }),
    () => ({ type: 'text', text: '/cancel' }),
    () => ({ type: 'text', text: '/help' }),
    () => ({ type: 'text', text: '/lang' }),
    () => ({ type: 'text', text: '/menu' }),
    () => ({ type: 'text', text: '/mytickets' }),
    () => ({ type: 'text', text: '/unknown' }),
    () => ({ type: 'text', text: '12345' }),
    () => ({ type: 'text', text: '3-2-501' }),
    () => ({ type: 'photo', fileRef: 'file-x', caption: '照片说明' }),
    () => ({ type: 'photo', fileRef: '' }),
    (seq) => ({ type: 'button', data: `${seq}:o.teleport` }),
    (seq) => ({ type: 'button', data: `${seq}:f.nothing` }),
    (seq) => ({ type: 'button', data: `${seq}:u.99` }),
    (seq) => ({ type: 'button', data: `${seq - 1}:ok` }),
    () => ({ type: 'button', data: '' }),
    () => ({ type: 'start', flowId: 'no_such_flow' }),
    () => ({ type: 'start', flowId: 'emergency', queueIfBusy: true }),
  ];

  function context(owner: Partial<FakeOwner> = {}): EngineContext {
    return {
      registry,
      translate: i18n.translate,
      locale: 'zh-CN',
      owner: { units: ['3-2-501'], privacyNoticeShown: false, ...owner },
      params: PARAMS,
      now: NOW,
    };
  }

  function deepFreeze<T>(value: T): T {
    if (value && typeof value === 'object') {
      for (const v of Object.values(value)) deepFreeze(v);
      Object.freeze(value);
    }
    return value;
  }

  it('never throws, never changes the state it is given, and returns JSON-safe states, at every step', () => {
    const c = conv({ owner: { units: ['3-2-501'] } });
    c.text('/start');
    const visited = [structuredClone(c.state)];
    driveTo(c, 'confirm', '投诉');
    visited.push(...c.states.map((s) => structuredClone(s)));
    c.press('edit');
    visited.push(structuredClone(c.state));
    c.text('/lang');
    visited.push(structuredClone(c.state));
    expect(new Set(visited.map((s) => s.flow?.stepId ?? s.prompt)).size).toBeGreaterThanOrEqual(10);
    // The questions outside any flow, made by hand (they need open tickets to arise).
    visited.push(
      { ...initialState(), seq: 7, prompt: 'pick_ticket', promptData: [JSON.stringify({ text: '阳台也渗水' })] },
      { ...initialState(), seq: 7, prompt: 'confirm_cancel', promptData: ['ticket-1'] },
      { ...initialState(), seq: 7, prompt: 'lang' },
    );

    for (const state of [initialState(), ...visited]) {
      for (const make of AWKWARD) {
        const frozen = deepFreeze(structuredClone(state));
        const event = make(state.seq);
        const outcome = step(frozen, event, context());
        expect(structuredClone(outcome.state)).toStrictEqual(outcome.state);
        expect(JSON.parse(JSON.stringify(outcome.state))).toEqual(outcome.state);
        // Every message gets an answer; only a flow queued behind a running one is silent.
        const busy = state.flow !== undefined || ['pick_ticket', 'confirm_cancel', 'lang'].includes(state.prompt ?? '');
        const queued = event.type === 'start' && event.queueIfBusy && busy;
        expect(outcome.output.length > 0).toBe(!queued);
        if (event.type === 'button') expect(typeof outcome.ack).toBe('string');
      }
    }
  });

  it('never files a ticket or changes an answer on the read-back for an awkward message', () => {
    const c = conv({ owner: SAVED });
    driveTo(c, 'confirm');
    for (const make of AWKWARD) {
      const event = make(c.state.seq);
      // A typed 1 is the Confirm button's number: that one files, as it should.
      if (event.type === 'text' && event.text === '１') continue;
      const outcome = step(c.state, event, c.context());
      expect(effectsOf(outcome.output).some((e) => e.type === 'ticket.create')).toBe(false);
      const { photos: _photos, ...others } = c.state.flow?.answers ?? {};
      if (outcome.state.flow) expect(outcome.state.flow.answers).toMatchObject(others);
    }
    expect(ticketsOf(effectsOf(step(c.state, { type: 'text', text: '１' }, c.context()).output))).toHaveLength(1);
  });

  it('uses the state’s locale over the owner’s', () => {
    const c = conv({ state: { ...initialState(), locale: 'en' } });
    c.text('hello');
    expect(sentOf(c.outcomes[0]?.output ?? []).map((m) => m.text)).toEqual([`${en('welcome')}\n\n${en('menu.title')}`]);
  });
});
