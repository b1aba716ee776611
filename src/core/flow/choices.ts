/**
 * A button chosen (or a typed number or label naming one): the question it answers is closed, then the
 * choice goes to whoever owns that question — a built-in one (the emergency check, which ticket, my
 * tickets, cancel?, the menu, the language list) or the flow step waiting, where it is read by the
 * step's answer kind. The one router of choices, so that a typed "2" and a tapped button take one path.
 */
import { parseLocation } from '../location.js';
import { ask, askAgain, reprompt, showMenu } from './asking.js';
import { confirmChosen } from './editing.js';
import { emergencyChecked } from './emergency.js';
import { languageChosen } from './language.js';
import { menuChosen } from './menus.js';
import { closeBuiltInPrompt } from './prompts.js';
import { show } from './readback.js';
import type { PhotoAnswer } from './state.js';
import { cancelConfirmed, myTicketsChosen, ticketPicked } from './tickets.js';
import { accept } from './transitions.js';
import type { Turn } from './turn.js';

/** A button (or a typed number or label naming one) for the current prompt. */
export function choose(turn: Turn, value: string, label: string): void {
  closeBuiltInPrompt(turn, label);
  switch (turn.state.prompt) {
    case 'emergency_check':
      return emergencyChecked(turn, value === 'y');
    case 'pick_ticket':
      return ticketPicked(turn, value);
    case 'mytickets':
      return myTicketsChosen(turn, value);
    case 'confirm_cancel':
      return cancelConfirmed(turn, value);
    case 'menu':
      return menuChosen(turn, value);
    case 'lang':
      return languageChosen(turn, value);
  }
  stepChosen(turn, value, label);
}

/** A choice at the flow step waiting: skip, keep the saved value, or an option of its answer kind. */
function stepChosen(turn: Turn, value: string, label: string): void {
  const step = turn.currentStep();
  const flow = turn.flow;
  if (!step || !flow) return showMenu(turn);
  const a = step.answer;
  if (value === 'skip' && step.optional) return accept(turn, step, undefined, label);
  if (value === 'keep') {
    const kept = flow.answers[step.id] ?? (step.prefill ? turn.ctx.owner[step.prefill] : undefined);
    if (kept !== undefined) return accept(turn, step, kept, label);
  }
  switch (a.kind) {
    case 'choice':
      return accept(turn, step, value.slice(2), label);
    case 'multi': {
      const picked = flow.picked ?? [];
      if (value === 'done') {
        if (picked.length < a.min) return reprompt(turn, 'input.pick_at_least', { min: a.min });
        return accept(turn, step, picked, show(turn, step, picked));
      }
      const option = value.slice(2);
      if (picked.includes(option)) flow.picked = picked.filter((p) => p !== option);
      else if (a.max !== undefined && picked.length >= a.max)
        return reprompt(turn, 'input.pick_at_most', { max: a.max });
      else flow.picked = [...picked, option];
      return ask(turn, step);
    }
    case 'yesno':
      return accept(turn, step, value === 'y', label);
    case 'rating':
      return accept(turn, step, Number(value.slice(2)), label);
    case 'photos':
      return accept(turn, step, (flow.answers[step.id] as PhotoAnswer[] | undefined) ?? [], label);
    case 'location': {
      if (value === 'pub') {
        flow.stage = 'public';
        return ask(turn, step);
      }
      if (value === 'place_ok' && flow.stage === 'confirm_place' && flow.pending !== undefined) {
        return accept(turn, step, flow.pending, label);
      }
      if (value === 'place_retype') {
        flow.stage = undefined;
        flow.pending = undefined;
        return ask(turn, step);
      }
      const unit = turn.ctx.owner.units[Number(value.slice(2))];
      if (unit) return accept(turn, step, parseLocation(unit), label);
      return askAgain(turn);
    }
    case 'confirm':
      return confirmChosen(turn, step, value);
    default:
      return askAgain(turn);
  }
}
