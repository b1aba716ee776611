/**
 * Conversation state as it is persisted with each thread. JSON-safe (no Date, no class instances), so it
 * survives any store; it carries the flow's id and version so that a changed flow is never misread.
 */
import type { EstateLocation, Locale } from '../types.js';

/** A photo an owner sent, as a platform file reference. */
export interface PhotoAnswer {
  ref: string;
  caption?: string;
}

/** What one step's answer is stored as. */
export type AnswerValue = string | number | boolean | string[] | EstateLocation | PhotoAnswer[];

/** Where a running flow stands. */
export interface FlowState {
  flowId: string;
  flowVersion: number;
  stepId: string;
  answers: Record<string, AnswerValue>;
  /** Steps answered before the owner reached them (menu presets, the saved contact): passed over, still editable. */
  preset?: string[];
  /** Step ids already answered, in order, for /back. */
  history: string[];
  /** The step is being re-asked from the read-back: go back to the read-back after it. */
  editing?: boolean;
  /** A step's inner stage (e.g. the confirm step's "which field?" list, a location's public-area text). */
  stage?: string;
  /** Options picked so far on a multiple-choice step. */
  picked?: string[];
  /** The privacy notice was shown during this flow. */
  privacyShown?: boolean;
  /** Data the flow was started with (e.g. the ticket a revisit is about). */
  context: Record<string, string | number | boolean>;
  /** ISO instant. */
  startedAt: string;
}

/** A flow waiting for the current one to end (e.g. a revisit never interrupts a complaint). */
export interface QueuedFlow {
  flowId: string;
  context: Record<string, string | number | boolean>;
  /** Answers already given (a report an emergency interrupted): offered back with them. */
  answers?: Record<string, AnswerValue>;
  /** ISO instant. */
  queuedAt: string;
}

/** The whole per-chat conversation state. */
export interface ConversationState {
  v: 1;
  /** The owner's chosen language, if they chose one. */
  locale?: Locale;
  /** Counts every question asked; buttons carry it, so a button from an earlier question is recognised. */
  seq: number;
  /** What the last question was, when it was not a flow step (the menu, the language list …). */
  prompt?: 'menu' | 'lang' | 'pick_ticket' | 'mytickets' | 'confirm_cancel' | 'emergency_check';
  /** Extra data for that prompt: the owner's message waiting for a ticket to go to, the ticket to cancel. */
  promptData?: string[];
  flow?: FlowState;
  queue: QueuedFlow[];
}

export function initialState(): ConversationState {
  return { v: 1, seq: 0, queue: [] };
}
