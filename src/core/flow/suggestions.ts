/**
 * The assistant's reading of a free-text message put to use in the report flow (the one flow that
 * `understands`): a report started from it goes straight to the read-back, and inside the report flow it
 * fills what is not answered yet. Apart from the front door and the step answers, which both use it.
 */
import type { Understanding } from '../understand/understanding.js';
import { suggestionContext, suggestionPreset } from '../understand/understanding.js';
import { cleanText } from './answers.js';
import { showMenu } from './asking.js';
import type { FlowContext } from './contract.js';
import type { AnswerValue, PhotoAnswer } from './state.js';
import { abandon, goTo, startFlow } from './transitions.js';
import type { Turn } from './turn.js';

/** Starts the report flow with the assistant's suggestions as answers: straight to the read-back. */
export function startSuggested(turn: Turn, preset: Record<string, AnswerValue>, context: FlowContext): void {
  const spec = turn.understandingFlow();
  if (!spec) return showMenu(turn);
  if (turn.flow) abandon(turn);
  const photoSteps = spec.steps.filter((s) => s.answer.kind === 'photos').map((s) => s.id);
  const photos = Object.fromEntries(photoSteps.map((id) => [id, [] as PhotoAnswer[]]));
  startFlow(turn, spec.id, context, { ...photos, ...preset });
}

/** Inside the report flow: the suggestions fill what is not answered yet, then on to the read-back. */
export function applySuggestions(turn: Turn, u: Understanding, raw: string): void {
  const flow = turn.flow;
  const spec = turn.spec();
  const step = turn.currentStep();
  if (!flow || !spec || !step) return;
  const preset = suggestionPreset(u, cleanText(raw));
  for (const s of spec.steps) {
    if (s.answer.kind === 'photos' && flow.answers[s.id] === undefined) preset[s.id] = [];
  }
  for (const [id, value] of Object.entries(preset)) {
    if (flow.answers[id] === undefined || id === step.id) {
      flow.answers[id] = value;
      flow.preset = [...new Set([...(flow.preset ?? []), id])];
    }
  }
  Object.assign(flow.context, suggestionContext(u));
  goTo(turn, step.id);
}
