/**
 * The read-back's buttons: send the form (its effect, then the end of the flow), cancel it, or change one
 * field — the owner picks it, answers it again, and comes back to the read-back with every other answer
 * kept (`flow.editing`, see goTo). Apart from the read-back's rendering (readback.ts) and the other
 * answers, because it is the one place a form goes backwards on purpose.
 */
import { ask, askAgain } from './asking.js';
import { closePrompt } from './prompts.js';
import { getStep } from './registry.js';
import type { StepSpec } from './schema.js';
import { cancel, finish, runEffect } from './transitions.js';
import type { Turn } from './turn.js';

/** A button of the confirm step: ok, cancel, edit (which field?), rb (back to the read-back), f.<field>. */
export function confirmChosen(turn: Turn, step: StepSpec, value: string): void {
  const flow = turn.flow;
  const spec = turn.spec();
  if (!flow || !spec) return;
  if (value === 'ok') {
    closePrompt(turn, step, turn.t('confirm.ok'));
    runEffect(turn, spec, step);
    return finish(turn);
  }
  if (value === 'cancel') {
    closePrompt(turn, step, turn.t('confirm.cancel'));
    return cancel(turn);
  }
  if (value === 'edit') {
    flow.stage = 'pick_field';
    return ask(turn, step);
  }
  if (value === 'rb') {
    flow.stage = undefined;
    return ask(turn, step);
  }
  const field = value.startsWith('f.') ? getStep(spec, value.slice(2)) : undefined;
  if (!field) return askAgain(turn);
  flow.stage = undefined;
  flow.editing = true;
  flow.stepId = field.id;
  ask(turn, field);
}
