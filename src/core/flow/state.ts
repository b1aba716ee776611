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
  /** An answer read back to the owner before it is kept (a place that matched no known form). */
  pending?: AnswerValue;
  /** Options picked so far on a multiple-choice step. */
  picked?: string[];
  /** The privacy notice was shown during this flow. */
  privacyShown?: boolean;
  /** The question (its `seq`) the flow's intro was sent with, so that closing that question keeps the intro. */
  introSeq?: number;
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
  /**
   * What the message of question `seq` said before the question itself when it is to stay (the welcome and
   * the notices line after it, the privacy notice, a receipt the application put above the question):
   * closing that question (its buttons off) keeps it. An error said before a question is not kept.
   */
  opening?: { seq: number; text: string };
  flow?: FlowState;
  queue: QueuedFlow[];
}

/** The version of the state's envelope (`v`): a change to its shape that old states cannot be read as bumps it. */
export const STATE_VERSION = 1;

export function initialState(): ConversationState {
  return { v: STATE_VERSION, seq: 0, queue: [] };
}

/**
 * How to carry a state of one envelope version to the next (`MIGRATIONS[1]` turns a v1 state into v2).
 * None yet: v1 is the first. A version with no way forward is dropped, never read as the current shape.
 */
const MIGRATIONS: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>> = {};

/** A saved state as read: current, migrated from an older version, or dropped (the owner starts again). */
export type StateRead =
  | { status: 'current'; state: ConversationState }
  | { status: 'migrated'; state: ConversationState; from: number }
  | { status: 'dropped'; state: ConversationState; found: unknown };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a saved state: its envelope version is checked first; an older one is migrated step by step when
 * every step exists, anything else (a newer version, no version, not a state at all) is dropped and a
 * fresh state returned in its place. The result is a copy: the saved value is never changed.
 */
export function readState(raw: unknown, migrations = MIGRATIONS): StateRead {
  const found = isRecord(raw) ? raw.v : undefined;
  let state: Record<string, unknown> | undefined = isRecord(raw) ? structuredClone(raw) : undefined;
  let v = typeof found === 'number' && Number.isInteger(found) ? found : undefined;
  while (state && v !== undefined && v < STATE_VERSION) {
    const migrate = migrations[v];
    state = migrate ? migrate(state) : undefined;
    v = state && typeof state.v === 'number' ? state.v : undefined;
  }
  const shaped =
    state && v === STATE_VERSION && Number.isInteger(state.seq) && Array.isArray(state.queue) ? state : undefined;
  if (!shaped) return { status: 'dropped', state: initialState(), found };
  const current = shaped as unknown as ConversationState;
  return found === STATE_VERSION
    ? { status: 'current', state: current }
    : { status: 'migrated', state: current, from: found as number };
}
