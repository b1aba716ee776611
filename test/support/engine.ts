/**
 * A small driver for the conversation engine in tests: it keeps the state between steps, applies
 * `owner.update` effects to a fake owner the way the application does, and reads the output back as plain
 * texts, buttons and effects. No mocks: the real engine, the real flows and the real locales.
 */
import {
  type Effect,
  type EngineContext,
  type EngineEvent,
  type Output,
  type StepOutcome,
  step,
} from '../../src/core/flow/engine.js';
import type { FlowRegistry } from '../../src/core/flow/registry.js';
import { type ConversationState, initialState } from '../../src/core/flow/state.js';
import type { Button, Locale, OutboundMessage } from '../../src/core/types.js';

export const NOW = new Date('2026-11-28T02:00:00.000Z');

export interface FakeOwner {
  name?: string;
  phone?: string;
  units: string[];
  privacyNoticeShown: boolean;
  locale: Locale;
}

export type TranslateFn = EngineContext['translate'];

/** The messages (sends and edits) in an output, in order. */
export function messagesOf(output: Output[]): OutboundMessage[] {
  return output.flatMap((o) => (o.type === 'out' ? [o.action.message] : []));
}

/** Only the sent messages (not the edits of earlier prompts). */
export function sentOf(output: Output[]): OutboundMessage[] {
  return output.flatMap((o) => (o.type === 'out' && o.action.kind === 'send' ? [o.action.message] : []));
}

export function effectsOf(output: Output[]): Effect[] {
  return output.flatMap((o) => (o.type === 'effect' ? [o.effect] : []));
}

/** Every button of a message, flattened. */
export function buttonsOf(message: OutboundMessage | undefined): Button[] {
  return message?.buttons?.flat() ?? [];
}

export class Conversation {
  state: ConversationState;
  owner: FakeOwner;
  /** Every outcome so far, oldest first. */
  readonly outcomes: StepOutcome[] = [];
  /** Every state the engine returned, in order. */
  readonly states: ConversationState[] = [];

  constructor(
    readonly registry: FlowRegistry,
    readonly translate: TranslateFn,
    opts: { owner?: Partial<FakeOwner>; state?: ConversationState; params?: Record<string, string>; now?: Date } = {},
  ) {
    this.owner = { units: [], privacyNoticeShown: false, locale: 'zh-CN', ...opts.owner };
    this.state = opts.state ?? initialState();
    this.params = opts.params ?? { estate: '幸福里', dutyPhone: '0571-88888888' };
    this.now = opts.now ?? NOW;
  }

  readonly params: Record<string, string>;
  readonly now: Date;

  context(): EngineContext {
    return {
      registry: this.registry,
      translate: this.translate,
      locale: this.owner.locale,
      owner: {
        ...(this.owner.name !== undefined ? { name: this.owner.name } : {}),
        ...(this.owner.phone !== undefined ? { phone: this.owner.phone } : {}),
        units: this.owner.units,
        privacyNoticeShown: this.owner.privacyNoticeShown,
      },
      params: this.params,
      now: this.now,
    };
  }

  /** Runs one event, keeps the new state, applies owner updates. */
  event(event: EngineEvent): StepOutcome {
    const outcome = step(this.state, event, this.context());
    this.state = outcome.state;
    this.outcomes.push(outcome);
    this.states.push(outcome.state);
    for (const e of effectsOf(outcome.output)) {
      if (e.type === 'owner.update') this.owner = { ...this.owner, ...e.patch };
    }
    return outcome;
  }

  text(text: string): StepOutcome {
    return this.event({ type: 'text', text });
  }

  photo(fileRef: string, caption?: string): StepOutcome {
    return this.event({ type: 'photo', fileRef, ...(caption !== undefined ? { caption } : {}) });
  }

  unsupported(
    what: 'sticker' | 'voice' | 'video' | 'document' | 'location' | 'contact' | 'other' = 'sticker',
  ): StepOutcome {
    return this.event({ type: 'unsupported', what });
  }

  start(flowId: string, extra: Omit<Extract<EngineEvent, { type: 'start' }>, 'type' | 'flowId'> = {}): StepOutcome {
    return this.event({ type: 'start', flowId, ...extra });
  }

  /** The last prompt sent (the last sent message carrying a `prompt:` ref). */
  lastPrompt(): OutboundMessage | undefined {
    for (let i = this.outcomes.length - 1; i >= 0; i--) {
      const sent = sentOf(this.outcomes[i]?.output ?? []).filter((m) => m.ref?.startsWith('prompt:'));
      const last = sent.at(-1);
      if (last) return last;
    }
    return undefined;
  }

  /** The data of the current prompt's button whose data ends with `:${value}`. Throws when none. */
  dataFor(value: string): string {
    const b = buttonsOf(this.lastPrompt()).find((x) => x.data.endsWith(`:${value}`));
    if (!b) throw new Error(`no button with value ${value} on the last prompt: ${JSON.stringify(this.lastPrompt())}`);
    return b.data;
  }

  /** Presses the current prompt's button with this value (o.repair, ok, done …). */
  press(value: string): StepOutcome {
    return this.event({ type: 'button', data: this.dataFor(value) });
  }

  /** All texts sent by the last event, joined. */
  lastText(): string {
    return messagesOf(this.outcomes.at(-1)?.output ?? [])
      .map((m) => m.text)
      .join('\n---\n');
  }

  /** Every effect emitted so far. */
  allEffects(): Effect[] {
    return this.outcomes.flatMap((o) => effectsOf(o.output));
  }
}

/** The happy-path answer at each step of the report form (a repair, or a complaint's extra subject step). */
export const REPORT_ANSWERS = {
  kind: (c: Conversation) => c.press('o.repair'),
  category: (c: Conversation) => c.press('o.water_power'),
  location: (c: Conversation) => c.text('3栋2单元501'),
  description: (c: Conversation) => c.text('厨房水管漏水，一直在滴'),
  photos: (c: Conversation) => c.press('done'),
  subject: (c: Conversation) => c.text('保安小王'),
  demand: (c: Conversation) => c.text('请尽快上门维修'),
  name: (c: Conversation) => c.text('张三'),
  phone: (c: Conversation) => c.text('13812345678'),
} satisfies Record<string, (c: Conversation) => unknown>;
