import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../../src/app/flows-loader.js';
import {
  type ConversationState,
  type FlowState,
  initialState,
  readState,
  STATE_VERSION,
} from '../../../src/core/flow/state.js';
import {
  decodeSuggestedReport,
  decodeWaitingNote,
  encodeSuggestedReport,
  encodeWaitingNote,
} from '../../../src/core/protocol/prompt-data.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { Conversation } from '../../support/engine.js';

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', i18n.has);
const zh = (key: string) => i18n.translate('zh-CN', key);

const FLOW: FlowState = {
  flowId: 'complaint',
  flowVersion: 1,
  stepId: 'location',
  answers: {
    kind: 'repair',
    score: 7,
    solved: true,
    picked: ['a', 'b'],
    where: { kind: 'unit', building: '3', unit: '2', room: '501' },
    photos: [{ ref: 'p1', caption: '漏水' }, { ref: 'p2' }],
  },
  preset: ['kind'],
  history: ['kind', 'category'],
  editing: true,
  stage: 'confirm_place',
  pending: { kind: 'public', description: '地下车库B区' },
  picked: ['x'],
  privacyShown: true,
  context: { number: 'T261128-0007', round: 2, urgent: false },
  startedAt: '2026-11-28T02:00:00.000Z',
};

/** Every shape a saved state takes: each prompt with its data, a flow with every optional field, a queue. */
const SHAPES: Record<string, ConversationState> = {
  initial: initialState(),
  english: { ...initialState(), locale: 'en' },
  menu: { v: 1, seq: 3, prompt: 'menu', queue: [] },
  lang: { v: 1, seq: 1, prompt: 'lang', promptData: ['楼上漏水'], queue: [] },
  pick_ticket: {
    v: 1,
    seq: 4,
    prompt: 'pick_ticket',
    promptData: [
      encodeWaitingNote({ photo: { ref: 'f1', caption: '又漏了' } }),
      encodeSuggestedReport({ preset: { category: 'repair' }, context: { suggested: true } }),
    ],
    queue: [],
  },
  mytickets: { v: 1, seq: 5, prompt: 'mytickets', queue: [] },
  confirm_cancel: { v: 1, seq: 6, prompt: 'confirm_cancel', promptData: ['ticket-1'], queue: [] },
  emergency_check: { v: 1, seq: 7, prompt: 'emergency_check', promptData: ['{"text":"着火了"}'], queue: [] },
  flow: { v: 1, seq: 8, flow: FLOW, queue: [] },
  queued: {
    v: 1,
    seq: 9,
    flow: FLOW,
    queue: [
      { flowId: 'revisit', context: { number: 'T261128-0001' }, queuedAt: '2026-11-28T03:00:00.000Z' },
      { flowId: 'complaint', context: {}, answers: FLOW.answers, queuedAt: '2026-11-28T04:00:00.000Z' },
    ],
  },
};

describe('conversation state', () => {
  it('every shape survives structuredClone and JSON, and reads back as current', () => {
    for (const [name, state] of Object.entries(SHAPES)) {
      expect(structuredClone(state), name).toStrictEqual(state);
      expect(JSON.parse(JSON.stringify(state)), name).toEqual(state);
      const read = readState(JSON.parse(JSON.stringify(state)));
      expect(read, name).toEqual({ status: 'current', state });
    }
  });

  it('reading never changes the saved value', () => {
    const saved = structuredClone(SHAPES.queued);
    const read = readState(saved);
    read.state.queue.pop();
    expect(saved).toEqual(SHAPES.queued);
  });

  it('drops a state of another version, no version, or no state shape at all', () => {
    for (const raw of [
      { ...SHAPES.flow, v: STATE_VERSION + 1 },
      { seq: 3, queue: [] },
      { v: '1', seq: 3, queue: [] },
      { v: 1, seq: 'x', queue: [] },
      { v: 1, seq: 3 },
      null,
      'state',
      [],
    ]) {
      expect(readState(raw), JSON.stringify(raw)).toEqual({
        status: 'dropped',
        state: initialState(),
        found: (raw as { v?: unknown } | null)?.v,
      });
    }
  });

  it('migrates an older version step by step when a migration exists', () => {
    const v0 = { version: 0, counter: 4, waiting: [] };
    const migrations = { 0: (old: Record<string, unknown>) => ({ v: 1, seq: old.counter, queue: old.waiting }) };
    expect(readState({ ...v0, v: 0 }, migrations)).toEqual({
      status: 'migrated',
      state: { v: 1, seq: 4, queue: [] },
      from: 0,
    });
    // No migration from that version: dropped.
    expect(readState({ v: 0, seq: 4, queue: [] }).status).toBe('dropped');
  });

  it('a dropped state: the owner is told and shown the menu; a stale button is not read as an answer', () => {
    const newer = { ...SHAPES.flow, v: STATE_VERSION + 1 } as unknown as ConversationState;
    const c = new Conversation(registry, i18n.translate, { state: newer });
    c.event({ type: 'button', data: '8:o.repair' });
    expect(c.lastText()).toContain(zh('flow.state_dropped'));
    expect(c.state.v).toBe(STATE_VERSION);
    expect(c.state.flow).toBeUndefined();
    expect(c.state.prompt).toBe('menu');
    expect(c.allEffects()).toEqual([]);
  });

  it('an application-started flow still starts after a dropped state', () => {
    const c = new Conversation(registry, i18n.translate, { state: { v: 0 } as unknown as ConversationState });
    c.start('complaint');
    expect(c.lastText()).toContain(zh('flow.state_dropped'));
    expect(c.state.flow?.flowId).toBe('complaint');
  });
});

describe('prompt data codecs', () => {
  it('round-trip and read anything malformed as nothing', () => {
    for (const note of [{ text: '还有阳台' }, { photo: { ref: 'f1' } }, { photo: { ref: 'f2', caption: '看' } }]) {
      expect(decodeWaitingNote(encodeWaitingNote(note))).toEqual(note);
    }
    const report = { preset: { category: 'repair', where: { kind: 'public', description: 'B区' } }, context: { a: 1 } };
    expect(decodeSuggestedReport(encodeSuggestedReport(report as never))).toEqual(report);
    for (const raw of [
      undefined,
      '',
      '{',
      'null',
      '"text"',
      '{"text":1}',
      '{"photo":{}}',
      '{"text":"a","photo":{"ref":"x"}}',
    ]) {
      expect(decodeWaitingNote(raw), raw).toBeUndefined();
    }
    for (const raw of [
      undefined,
      '[]',
      '{"preset":{}}',
      '{"preset":{},"context":{"a":{}}}',
      '{"preset":[],"context":{}}',
    ]) {
      expect(decodeSuggestedReport(raw), raw).toBeUndefined();
    }
  });
});
