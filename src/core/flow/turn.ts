/**
 * One step of one conversation in progress: the state being changed, what the step was given, the
 * ordered output so far, and the plumbing every part of the engine shares (translate in the owner's
 * language, send, name an effect, the running flow and its current step). It holds no behaviour of its
 * own: the engine's modules (prompts, menus, answers, transitions …) are functions that take a Turn, so
 * each can be read on its own and none needs the others' private fields.
 */
import { encodeOwnerButton } from '../protocol/buttons.js';
import type { Button, Locale, OutboundMessage } from '../types.js';
import type { Understanding } from '../understand/understanding.js';
import type { Effect, EngineContext, Output, TicketSummary, Translate } from './contract.js';
import { getStep } from './registry.js';
import type { FlowSpec, StepSpec } from './schema.js';
import type { ConversationState, FlowState } from './state.js';

/** A question as it is (or would be) sent: its text and the buttons that answer it. */
export interface Prompt {
  text: string;
  buttons: { label: string; value: string }[];
  columns: number;
}

/** Reads a message (again) as if the owner had just sent it; `checked`: they said it is no emergency. */
export type ReadText = (turn: Turn, raw: string, checked: boolean) => void;

export class Turn {
  readonly output: Output[] = [];
  ack?: string;
  /** The language this step answers in; a language chosen or read during the step changes it. */
  locale: Locale;

  constructor(
    readonly state: ConversationState,
    readonly ctx: EngineContext,
    private readonly readText: ReadText,
  ) {
    this.locale = state.locale ?? ctx.locale;
  }

  t: Translate = (key, params) => this.ctx.translate(this.locale, key, { ...this.ctx.params, ...params });

  send(message: OutboundMessage): void {
    this.output.push({ type: 'out', action: { kind: 'send', message } });
  }

  say(key: string, params?: Record<string, string | number>): void {
    this.send({ text: this.t(key, params) });
  }

  effect(effect: Effect): void {
    this.output.push({ type: 'effect', effect });
  }

  /** Sends a question with its buttons, each carrying the question's number (`state.seq`). */
  emitPrompt(prompt: Prompt): void {
    const buttons = prompt.buttons.map((b) => ({
      label: b.label,
      data: encodeOwnerButton({ seq: this.state.seq, value: b.value }),
    }));
    const message: OutboundMessage = { text: prompt.text, ref: `prompt:${this.state.seq}` };
    if (buttons.length > 0) message.buttons = rows(buttons, prompt.columns);
    // What an earlier question kept (state.opening) is of no use once another is asked.
    if (this.state.opening && this.state.opening.seq !== this.state.seq) this.state.opening = undefined;
    this.send(message);
  }

  /** Rewrites the question last sent (where the platform edits): its buttons off, the answer shown under it. */
  editPrompt(text: string): void {
    this.output.push({ type: 'out', action: { kind: 'edit', ref: `prompt:${this.state.seq}`, message: { text } } });
  }

  /** A message held back (typed at the language question, waiting for the emergency check) read now. */
  reread(raw: string, checked = false): void {
    this.readText(this, raw, checked);
  }

  get flow(): FlowState | undefined {
    return this.state.flow;
  }

  spec(): FlowSpec | undefined {
    return this.flow ? this.ctx.registry.flows.get(this.flow.flowId) : undefined;
  }

  currentStep(): StepSpec | undefined {
    const spec = this.spec();
    return spec && this.flow ? getStep(spec, this.flow.stepId) : undefined;
  }

  openTickets(): TicketSummary[] {
    return (this.ctx.tickets ?? []).filter((t) => t.open);
  }

  /** The understanding of this message, when a flow that understands free text exists. */
  usableUnderstanding(): Understanding | undefined {
    const u = this.ctx.understanding;
    return u && !u.emergency && this.understandingFlow() ? u : undefined;
  }

  understandingFlow(): FlowSpec | undefined {
    return [...this.ctx.registry.flows.values()].find((f) => f.understands);
  }

  emergencyFlowId(): string {
    return this.ctx.registry.menu.entries.find((e) => e.id === 'emergency')?.flow ?? 'emergency';
  }
}

function rows(buttons: Button[], columns: number): Button[][] {
  const out: Button[][] = [];
  for (let i = 0; i < buttons.length; i += columns) out.push(buttons.slice(i, i + columns));
  return out;
}
