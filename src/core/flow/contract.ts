/**
 * The conversation engine's contract with the application: what a step is given (`EngineContext`, the
 * event), what it returns (`StepOutcome`: the new state and the ordered output) and the domain actions it
 * names (`Effect`). Types only, kept apart from the engine's modules so that the application's use cases
 * and every engine module share one vocabulary without importing the engine itself.
 */
import type { TicketStatus } from '../tickets/ticket.js';
import type { Category, InboundContent, Locale, OutboundAction } from '../types.js';
import type { EmergencyAssessment } from '../understand/emergency.js';
import type { Understanding } from '../understand/understanding.js';
import type { FlowRegistry } from './registry.js';
import type { EffectName } from './schema.js';
import type { AnswerValue, ConversationState, PhotoAnswer } from './state.js';

export type { Translate } from '../types.js';

export interface EngineContext {
  registry: FlowRegistry;
  /** Renders a locale key in the given language. */
  translate: (locale: Locale, key: string, params?: Record<string, string | number>) => string;
  /** The owner's language before this step (their profile's). */
  locale: Locale;
  owner: { name?: string; phone?: string; units: string[]; privacyNoticeShown: boolean };
  /** Values every text may use, e.g. dutyPhone and estate. */
  params: Record<string, string>;
  /** The owner's recent tickets, newest first. */
  tickets?: TicketSummary[];
  /** What the assistant read from this message's free text (computed before the step; never a filing). */
  understanding?: Understanding;
  /**
   * The emergency rules' verdict on this message's text, computed before the step in every state (never
   * by a model). Without it, `understanding.emergency` counts as present.
   */
  emergency?: EmergencyAssessment;
  /** The instant of this step (the engine never reads a clock). */
  now: Date;
}

export type FlowContext = Record<string, string | number | boolean>;

/** A flow's named domain action (the `effect:` of a step), with the answers it acts on. */
export interface FlowEffect {
  type: EffectName;
  flowId: string;
  stepId: string;
  /** The answers on the path the owner took (stale branches left out). */
  answers: Record<string, AnswerValue>;
  set: Record<string, string | number | boolean>;
  context: FlowContext;
}

/** Named domain actions for the application to carry out. */
export type Effect =
  | FlowEffect
  | { type: 'flow.cancelled'; flowId: string; answers: Record<string, AnswerValue>; context: FlowContext }
  | { type: 'owner.update'; patch: { locale?: Locale; privacyNoticeShown?: boolean } }
  /** The owner added a message or a photo to an open ticket. */
  | { type: 'ticket.note'; ticketId: string; note: { text: string } | { photo: PhotoAnswer } }
  /** The owner cancels a ticket nobody has accepted yet. */
  | { type: 'ticket.cancel'; ticketId: string }
  /** A question typed where a form wanted a value: for the service centre (咨询); the form goes on. */
  | { type: 'enquiry.forward'; text: string; flowId?: string; stepId?: string }
  /** Free text that is not a report (an enquiry, praise, 转人工, a follow-up): the application answers it. */
  | { type: 'owner.intent'; intent: FrontDoorIntent; text: string };

/** What owners write outside a form that the application answers itself (see app/owner/front-door.ts). */
export type FrontDoorIntent = 'enquiry' | 'notice' | 'praise' | 'human' | 'followup';

/** What the engine knows of the owner's tickets: enough to list them and to route a message to one. */
export interface TicketSummary {
  id: string;
  number: string;
  status: TicketStatus;
  category: Category;
  /** The accountable person's name, as owners see it. */
  assignee?: string;
  open: boolean;
  /** Nobody has accepted it yet, so the owner may cancel it. */
  cancellable: boolean;
  /** The next agreed visit, already written in the owner's words (12月8日（周二）上午10:00). */
  visit?: string;
}

export type Output = { type: 'out'; action: OutboundAction } | { type: 'effect'; effect: Effect };

/** Something that happens to a conversation: a message or button press, or the application starting a flow. */
export type EngineEvent =
  | InboundContent
  | {
      type: 'start';
      flowId: string;
      context?: FlowContext;
      preset?: Record<string, AnswerValue>;
      /** When another flow is running, wait until it ends instead of interrupting it. */
      queueIfBusy?: boolean;
    };

export interface StepOutcome {
  state: ConversationState;
  output: Output[];
  /** For a button press: the short text to answer it with (Telegram shows it as a toast). */
  ack?: string;
}
