/**
 * The emergency check, run on every text in every state before anything else reads it: a present
 * emergency takes the emergency path at once (the owner's words kept, a report in progress waiting with
 * its answers); an unclear one is asked about ("is it happening now?") while the message waits with where
 * the conversation was. Apart from the rest because it may interrupt any of it, and must stay easy to audit.
 */
import type { EmergencyAssessment } from '../understand/emergency.js';
import { findLocation } from '../understand/location.js';
import type { Understanding } from '../understand/understanding.js';
import { cleanText } from './answers.js';
import { emergencyCheckPrompt } from './prompts.js';
import type { AnswerValue, ConversationState } from './state.js';
import { abandon, askAgainOrMenu, startFlow } from './transitions.js';
import type { Turn } from './turn.js';

/** A message waiting for the owner's answer to the emergency check, with where the conversation was. */
interface CheckedMessage {
  text: string;
  prompt?: ConversationState['prompt'];
  promptData?: string[];
  understanding?: Understanding;
  kind?: EmergencyAssessment['kind'];
}

/**
 * Whether an emergency may take over: anywhere (a report, a plan, a revisit, a survey …) but in the
 * emergency flow itself and at the two questions whose answer is not free text (language, cancel?).
 */
export function mayRedirect(turn: Turn): boolean {
  if (turn.state.prompt === 'lang' || turn.state.prompt === 'confirm_cancel') return false;
  return turn.flow?.flowId !== turn.emergencyFlowId();
}

/**
 * The emergency check, run on every text in every state before anything else: `present` takes the
 * emergency path at once; `unclear` asks the owner (yes / no), except inside a revisit or a survey,
 * where only a present emergency interrupts and anything else is just an answer. True when it took over.
 */
export function emergencyTakesOver(turn: Turn, raw: string): boolean {
  const verdict = turn.ctx.emergency?.verdict ?? (turn.ctx.understanding?.emergency ? 'present' : 'none');
  if (verdict === 'none' || !mayRedirect(turn)) return false;
  if (verdict === 'present') {
    // Typed while the check waits: both messages are the emergency's words.
    const waiting = turn.state.prompt === 'emergency_check' ? checkedMessage(turn) : undefined;
    emergencyFrom(turn, waiting ? `${waiting.text}\n${raw}` : raw, turn.ctx.emergency?.kind);
    return true;
  }
  if (turn.state.prompt === 'emergency_check' || answersOnly(turn)) return false;
  askEmergencyCheck(turn, raw);
  return true;
}

/**
 * The owner answered the emergency check: yes starts the emergency path with their words; no puts the
 * conversation back where it was and the message does what it would have done (a report, a form answer …).
 */
export function emergencyChecked(turn: Turn, yes: boolean): void {
  const waiting = checkedMessage(turn);
  turn.state.prompt = undefined;
  turn.state.promptData = undefined;
  if (!waiting) return askAgainOrMenu(turn);
  if (yes) return emergencyFrom(turn, waiting.text, waiting.kind);
  if (waiting.prompt) turn.state.prompt = waiting.prompt;
  if (waiting.promptData) turn.state.promptData = waiting.promptData;
  if (waiting.understanding) turn.ctx.understanding = waiting.understanding;
  else delete turn.ctx.understanding;
  delete turn.ctx.emergency;
  turn.reread(waiting.text, true);
}

/** A revisit or a survey: what the owner writes there is an answer unless it is plainly an emergency. */
function answersOnly(turn: Turn): boolean {
  const spec = turn.spec();
  if (!spec) return false;
  const effects = [spec.done, ...spec.steps.map((s) => s.effect)];
  return effects.includes('revisit.record') || effects.includes('survey.answer');
}

/** Shows the emergency numbers and asks one question: is it happening now? The message waits for the answer. */
function askEmergencyCheck(turn: Turn, raw: string): void {
  const waiting: CheckedMessage = {
    text: raw,
    ...(turn.state.prompt ? { prompt: turn.state.prompt } : {}),
    ...(turn.state.promptData ? { promptData: turn.state.promptData } : {}),
    ...(turn.ctx.understanding ? { understanding: turn.ctx.understanding } : {}),
    ...(turn.ctx.emergency?.kind ? { kind: turn.ctx.emergency.kind } : {}),
  };
  turn.state.prompt = 'emergency_check';
  turn.state.promptData = [JSON.stringify(waiting)];
  turn.state.seq += 1;
  turn.emitPrompt(emergencyCheckPrompt(turn));
}

function checkedMessage(turn: Turn): CheckedMessage | undefined {
  const raw = turn.state.promptData?.[0];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as CheckedMessage;
  } catch {
    return undefined;
  }
}

/**
 * Starts the emergency flow with the owner's words kept as the description, the place reused when the
 * message names one and what is happening pre-selected when the rules know it. A report in progress
 * waits with its answers and is offered back once the emergency is filed; any other flow (a plan, a
 * revisit, a survey) is asked again then.
 */
function emergencyFrom(turn: Turn, raw: string, kind?: EmergencyAssessment['kind']): void {
  const flow = turn.flow;
  if (flow && turn.spec()?.understands && Object.keys(flow.answers).length === 0) abandon(turn);
  else if (flow) {
    const report = turn.spec()?.understands === true;
    turn.state.queue.unshift({
      flowId: flow.flowId,
      context: flow.context,
      ...(report ? { answers: flow.answers } : {}),
      queuedAt: turn.ctx.now.toISOString(),
    });
    turn.state.flow = undefined;
  }
  turn.state.prompt = undefined;
  turn.state.promptData = undefined;
  const text = [...cleanText(raw)].slice(0, 1000).join('');
  const location = findLocation(text);
  const preset: Record<string, AnswerValue> = {
    ...(location ? { location } : {}),
    ...(kind && kind !== 'other' ? { what: kind } : {}),
  };
  // The category the understanding read (a lift for 电梯困人了), unless it read none.
  const category = turn.ctx.understanding?.category;
  const context = { description: text, ...(category && category !== 'other' ? { category } : {}) };
  startFlow(turn, turn.emergencyFlowId(), context, preset);
}
