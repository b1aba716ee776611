/**
 * What the application relies on to read an owner's tickets only for the steps that look at them
 * (app/owner/conversations.ts, engineStep): a step changes none of its inputs, the same inputs give the
 * same outcome, and a step that does not look at `ctx.tickets` comes out the same whatever the tickets
 * are. Checked over the states a walk through the menu, the forms, the list of tickets, a note, a cancel
 * and the emergency check reaches, with each kind of event and with and without the assistant's reading.
 */
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../../src/app/flows-loader.js';
import {
  type EngineContext,
  type EngineEvent,
  type StepOutcome,
  step,
  type TicketSummary,
} from '../../../src/core/flow/engine.js';
import { type ConversationState, initialState } from '../../../src/core/flow/state.js';
import type { EmergencyAssessment } from '../../../src/core/understand/emergency.js';
import type { Understanding } from '../../../src/core/understand/understanding.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { Conversation, NOW, REPORT_ANSWERS } from '../../support/engine.js';

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', i18n.has);

/** Two open tickets (one still cancellable, one with a visit booked) and a closed one. */
const TICKETS: TicketSummary[] = [
  {
    id: 'ticket-1',
    number: 'T261128-0001',
    status: 'recorded',
    category: 'water_power',
    open: true,
    cancellable: true,
  },
  {
    id: 'ticket-2',
    number: 'T261127-0003',
    status: 'scheduled',
    category: 'lift',
    assignee: '王师傅',
    open: true,
    cancellable: false,
    visit: '11月29日（周日）上午10:00',
  },
  { id: 'ticket-3', number: 'T261101-0002', status: 'closed', category: 'other', open: false, cancellable: false },
];

const REPORT: Understanding = {
  kind: 'repair',
  category: 'water_power',
  urgency: 'normal',
  location: { kind: 'unit', building: '3', unit: '2', room: '501' },
  summary: '卫生间漏水',
  emergency: false,
  confidence: 0.8,
  source: 'offline',
};

/** The readings a step may be given: none, a report, a follow-up, an unclear emergency, a plain one. */
const READINGS: { understanding?: Understanding; emergency?: EmergencyAssessment }[] = [
  {},
  { understanding: REPORT, emergency: { verdict: 'none', matched: [] } },
  { understanding: { ...REPORT, category: 'other', intent: 'followup', confidence: 0.3 } },
  { understanding: REPORT, emergency: { verdict: 'unclear', matched: ['gas:煤气'] } },
  { emergency: { verdict: 'present', kind: 'gas', matched: ['gas:煤气泄漏'] } },
];

const TEXTS = ['/start', '/mytickets', '/cancel', '/back', '1', '2', '报修', '你好', '卫生间一直漏水', '3栋2单元501'];

/** The events tried in a state: texts, photos, a stale button, the buttons of the question on screen, starts. */
function eventsFor(state: ConversationState, buttons: string[]): EngineEvent[] {
  return [
    ...TEXTS.map((text): EngineEvent => ({ type: 'text', text })),
    { type: 'photo', fileRef: 'file-1', caption: '照片' },
    { type: 'unsupported', what: 'voice' },
    { type: 'button', data: `${state.seq - 1}:ok` },
    ...buttons.map((data): EngineEvent => ({ type: 'button', data })),
    { type: 'start', flowId: 'revisit', context: { ticket: 'ticket-1', number: 'T261128-0001' }, queueIfBusy: true },
    { type: 'start', flowId: 'complaint', context: { from: 'test' }, preset: { kind: 'repair' } },
  ];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A context of its own for one run, every value in it frozen (the engine may only swap its own fields). */
function context(reading: (typeof READINGS)[number], tickets?: TicketSummary[]): EngineContext {
  return {
    registry,
    translate: i18n.translate,
    locale: 'zh-CN',
    owner: deepFreeze({ units: ['3-2-501'], privacyNoticeShown: true, name: '王芳', phone: '+8613912345678' }),
    params: deepFreeze({ estate: '幸福里', dutyPhone: '0571-88888888' }),
    ...(reading.understanding ? { understanding: deepFreeze(structuredClone(reading.understanding)) } : {}),
    ...(reading.emergency ? { emergency: deepFreeze(structuredClone(reading.emergency)) } : {}),
    ...(tickets ? { tickets: deepFreeze(structuredClone(tickets)) } : {}),
    now: NOW,
  };
}

const ANSWER: Record<string, (c: Conversation) => unknown> = REPORT_ANSWERS;

/** The states along a repair and a complaint walked to the read-back, each with the buttons on screen. */
function walks(): { state: ConversationState; buttons: string[]; depth: number }[] {
  return ['报修', '投诉'].flatMap((opening) => {
    const c = new Conversation(registry, i18n.translate, { owner: { units: ['3-2-501'] } });
    c.text(opening);
    for (let guard = 0; c.state.flow && c.state.flow.stepId !== 'confirm' && guard < 20; guard++) {
      ANSWER[c.state.flow.stepId]?.(c);
    }
    return c.outcomes.map((o) => ({ state: o.state, buttons: buttonsOf(o), depth: 1 }));
  });
}

/** The buttons' data in an outcome's last question. */
function buttonsOf(outcome: StepOutcome): string[] {
  const sent = outcome.output.flatMap((o) => (o.type === 'out' && o.action.kind === 'send' ? [o.action.message] : []));
  return (sent.at(-1)?.buttons ?? []).flat().map((b) => b.data);
}

describe("a step and the owner's tickets", () => {
  it('changes no input, is the same twice, and does not depend on tickets it did not look at', () => {
    const seen = new Set<string>();
    // A fresh chat is followed two events deep; each state along the forms, one event deep.
    let frontier = [{ state: initialState(), buttons: [] as string[], depth: 2 }, ...walks()];
    let looked = 0;
    let notLooked = 0;
    while (frontier.length > 0) {
      const next: typeof frontier = [];
      for (const { state, buttons, depth } of frontier) {
        const frozen = deepFreeze(structuredClone(state));
        for (const event of eventsFor(state, buttons)) {
          deepFreeze(event);
          for (const reading of READINGS) {
            const what = `${JSON.stringify(state)} ← ${JSON.stringify(event)} with ${JSON.stringify(reading)}`;
            const withTickets = step(frozen, event, context(reading, TICKETS));
            expect(step(frozen, event, context(reading, TICKETS)), what).toEqual(withTickets);
            let read = false;
            const trial = step(
              frozen,
              event,
              Object.defineProperty(context(reading), 'tickets', {
                enumerable: true,
                get: () => {
                  read = true;
                  return undefined;
                },
              }),
            );
            if (read) looked += 1;
            else {
              notLooked += 1;
              expect(trial, what).toEqual(withTickets);
            }
            const key = JSON.stringify(withTickets.state);
            if (!seen.has(key)) {
              seen.add(key);
              if (depth > 1) next.push({ state: withTickets.state, buttons: buttonsOf(withTickets), depth: depth - 1 });
            }
          }
        }
      }
      frontier = next;
    }
    // The walk reached the questions about tickets, and most steps never looked at them.
    const prompts = new Set([...seen].map((s) => (JSON.parse(s) as ConversationState).prompt));
    const steps = new Set([...seen].map((s) => (JSON.parse(s) as ConversationState).flow?.stepId));
    expect([...steps]).toEqual(expect.arrayContaining(['location', 'description', 'photos', 'phone', 'confirm']));
    expect([...prompts]).toEqual(
      expect.arrayContaining(['menu', 'mytickets', 'pick_ticket', 'confirm_cancel', 'emergency_check']),
    );
    expect(looked).toBeGreaterThan(0);
    expect(notLooked).toBeGreaterThan(looked);
  });
});
