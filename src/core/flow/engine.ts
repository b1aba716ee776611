/**
 * The conversation engine: `step(state, event, ctx) → { state, output }`, with no I/O and no clock reads.
 *
 * It runs flows defined as data (`flows/*.yaml`), asks one question at a time, checks every answer
 * against the current step (button data and typed numbers are claims, never trusted), keeps every answer
 * given so far through bad input, /back and edits, and names the domain actions (effects) that the
 * application carries out. Output is ordered: messages and effects interleave as they happen, so that a
 * message the application writes for an effect (the ticket number) lands in the right place.
 *
 * This module is the engine's public face (the application imports from here only); the work is done by
 * modules by job, each a set of functions over one step's `Turn` (turn.ts):
 * - input.ts: each kind of event read in its order of precedence;
 * - emergency.ts: the emergency check before anything else; language.ts: the owner's language;
 * - menus.ts (commands, the menu), tickets.ts (my tickets, notes, cancel?), front-door.ts (text outside a form);
 * - choices.ts (a button or the option it names), typed.ts (typed answers checked), editing.ts (the read-back's buttons);
 * - transitions.ts: a flow started, queued, moved on, finished, cancelled, migrated;
 * - asking.ts (putting a question), prompts.ts and readback.ts (what questions and answers look like);
 * - contract.ts (the types shared with the application), paths.ts (a flow's graph), words.ts (commands and words).
 */
import { cleanText, parseIndex } from './answers.js';
import { showMenu } from './asking.js';
import type { EngineContext, EngineEvent, StepOutcome } from './contract.js';
import { handle, text } from './input.js';
import { type FlowRegistry, getStep } from './registry.js';
import { type ConversationState, readState } from './state.js';
import { migrate } from './transitions.js';
import { Turn } from './turn.js';
import { parseCommand } from './words.js';

export type {
  Effect,
  EngineContext,
  EngineEvent,
  FlowContext,
  FlowEffect,
  Output,
  StepOutcome,
  TicketSummary,
} from './contract.js';
export { pathOf } from './paths.js';
export { parseCommand } from './words.js';

/**
 * Runs one event through the conversation. Never throws for anything an owner sends. A function of its
 * inputs alone, changing none of them but `ctx`'s own fields: the application runs a step a second time,
 * with the owner's tickets, only when the first run looked at `ctx.tickets` (app/owner/conversations.ts).
 */
export function step(state: ConversationState, event: EngineEvent, ctx: EngineContext): StepOutcome {
  // The saved state's envelope version is checked before anything reads it: migrated, or dropped politely.
  const read = readState(state);
  const turn = new Turn(read.state, ctx, text);
  // A saved state that could not be read (another version, no migration): the owner is told and shown the menu.
  if (read.status === 'dropped') showMenu(turn, turn.t('flow.state_dropped'));
  const restarted = read.status === 'dropped' || migrate(turn);
  // After a polite restart the owner has not seen the new question yet: what they sent answered the old one.
  if (!restarted || !answersAQuestion(event, ctx.registry)) handle(turn, event);
  return { state: turn.state, output: turn.output, ...(turn.ack !== undefined ? { ack: turn.ack } : {}) };
}

/** The message an owner typed at the language question, waiting to be handled once they choose. */
export function keptAtLanguage(state: ConversationState): string | undefined {
  return state.prompt === 'lang' ? state.promptData?.[0] : undefined;
}

/**
 * Whether free text in this state could be read as a report (at the menu, outside any question, or at a
 * choice in a flow that understands free text), so the application asks the assistant before the step.
 */
export function mayUnderstand(state: ConversationState, text: string, registry: FlowRegistry): boolean {
  const clean = cleanText(text);
  // Outside a flow short texts count too: 谢谢, 转人工 have an intent of their own.
  if ([...clean].length < (state.flow ? 4 : 2) || parseIndex(clean) !== undefined || parseCommand(clean, registry))
    return false;
  if (!state.flow) return state.prompt === undefined || state.prompt === 'menu' || state.prompt === 'mytickets';
  if (state.prompt) return false;
  const spec = registry.flows.get(state.flow.flowId);
  const kind = spec ? getStep(spec, state.flow.stepId)?.answer.kind : undefined;
  return Boolean(spec?.understands) && (kind === 'choice' || kind === 'yesno');
}

/** Whether an event is an answer to the question on screen (not a command, a menu alias or a flow start). */
function answersAQuestion(event: EngineEvent, registry: FlowRegistry): boolean {
  if (event.type === 'button' || event.type === 'unsupported') return true;
  return event.type === 'text' && parseCommand(event.text, registry) === undefined;
}
