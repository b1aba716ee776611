/**
 * Typed text where no button matched: the answer itself at a text-like step (a name, a phone number, a
 * place, a rating, several numbers), checked by the step's answer kind (answers.ts) and kept, or a short
 * specific answer and the question again. A question typed where a value is wanted is passed on to the
 * service centre instead of being kept as the answer. Apart from the choices (choices.ts), which trust
 * only what the question offered, because here every word is checked.
 */
import { toHalfWidth } from '../location.js';
import type { EstateLocation } from '../types.js';
import {
  asksForInformation,
  type Checked,
  checkName,
  checkPhone,
  checkRating,
  checkText,
  checkYesNo,
  cleanText,
  isQuestionFor,
  LOCATION_MAX,
  readPlace,
  readsAsQuestion,
} from './answers.js';
import { ask, askAgain, reprompt } from './asking.js';
import { choose } from './choices.js';
import { freeText } from './front-door.js';
import { keepAtLanguage } from './language.js';
import { show } from './readback.js';
import type { StepSpec } from './schema.js';
import { applySuggestions } from './suggestions.js';
import { accept } from './transitions.js';
import type { Turn } from './turn.js';

/** Typed text where no button matched: the answer itself for text-like steps, else a re-prompt. */
export function typed(turn: Turn, raw: string, lead?: string): void {
  const step = turn.currentStep();
  const flow = turn.flow;
  if (turn.state.prompt === 'menu' || turn.state.prompt === 'mytickets') return freeText(turn, raw);
  if (turn.state.prompt === 'emergency_check') {
    // 是 / 对 / 不是 / 没有 … typed instead of tapped.
    const yes = checkYesNo(raw);
    if (yes.ok)
      return choose(turn, yes.value ? 'y' : 'n', turn.t(yes.value ? 'emergency.check.yes' : 'emergency.check.no'));
  }
  if (turn.state.prompt === 'lang') return keepAtLanguage(turn, raw);
  if (turn.state.prompt || !step || !flow) return reprompt(turn, 'input.choose');
  const a = step.answer;
  // A question typed where a value is wanted is passed on (咨询) and the same question asked again.
  if (questionInstead(turn, step, raw)) return enquiry(turn, raw);
  let checked: Checked;
  switch (a.kind) {
    case 'text':
      if ((a.reads ?? (a.letters ? 'name' : 'reply')) === 'name') {
        checked = checkName(raw);
        break;
      }
      checked = checkText(raw, a.min, a.max);
      if (checked.ok && a.letters && !/\p{L}/u.test(checked.value as string))
        checked = { ok: false, error: 'input.name_letters' };
      break;
    case 'phone':
      checked = checkPhone(raw);
      break;
    case 'location': {
      if (flow.stage === 'confirm_place') {
        // 是 / 对 typed instead of tapped keeps the place read back; anything else is a new place.
        const yes = checkYesNo(raw);
        if (yes.ok && yes.value && flow.pending !== undefined) return accept(turn, step, flow.pending, raw);
        flow.stage = undefined;
        flow.pending = undefined;
        if (yes.ok) return ask(turn, step);
      }
      const text = checkText(raw, 2, LOCATION_MAX);
      if (!text.ok || flow.stage === 'public') {
        checked = text.ok ? { ok: true, value: { kind: 'public', description: text.value as string } } : text;
        break;
      }
      // A place in no form we know (李先生) is read back before it is kept.
      // Not in an emergency: there the place is kept as written and nobody is kept waiting.
      const place = readPlace(raw);
      if (!place.known && flow.flowId !== turn.emergencyFlowId()) return confirmPlace(turn, step, place.value);
      checked = { ok: true, value: place.value };
      break;
    }
    case 'rating':
      checked = checkRating(raw, a.min, a.max);
      break;
    case 'yesno':
      checked = checkYesNo(raw);
      break;
    case 'photos':
      return askAgain(turn, turn.t('photos.waiting'));
    case 'confirm':
      return reprompt(turn, 'confirm.use_buttons');
    case 'choice': {
      const u = turn.usableUnderstanding();
      if (u && turn.spec()?.understands && (u.category !== 'other' || u.location))
        return applySuggestions(turn, u, raw);
      return reprompt(turn, 'input.choose');
    }
    case 'multi': {
      const numbers = toHalfWidth(raw)
        .split(/[\s,，、;；]+/)
        .filter(Boolean);
      const picked = numbers.map((n) => (/^\d{1,2}$/.test(n) ? a.options[Number(n) - 1] : undefined));
      if (picked.length === 0 || picked.some((p) => p === undefined)) return reprompt(turn, 'input.multi_hint');
      const unique = [...new Set(picked as string[])];
      if (unique.length < a.min) return reprompt(turn, 'input.pick_at_least', { min: a.min });
      if (a.max !== undefined && unique.length > a.max) return reprompt(turn, 'input.pick_at_most', { max: a.max });
      checked = { ok: true, value: unique };
      break;
    }
  }
  if (!checked.ok) return askAgain(turn, [lead, turn.t(checked.error, checked.params)].filter(Boolean).join('\n'));
  if (lead) turn.send({ text: lead });
  accept(turn, step, checked.value, show(turn, step, checked.value));
}

/**
 * Whether what was typed at this step is a question for us rather than its answer: any question where a
 * short value or a choice is wanted (a place, a name, a phone number, 1/2/3), only a request for
 * information where a description is wanted (为什么天天漏水？ is a complaint), never for a reply.
 */
function questionInstead(turn: Turn, step: StepSpec, raw: string): boolean {
  // In an emergency every word is the emergency's: nothing is held back as a question.
  if (turn.flow?.flowId === turn.emergencyFlowId()) return false;
  const a = step.answer;
  switch (a.kind) {
    case 'text':
      return isQuestionFor(raw, a.reads ?? (a.letters ? 'name' : 'reply'));
    case 'phone':
      return !checkPhone(raw).ok && readsAsQuestion(raw);
    case 'location':
      // 3栋电梯怎么又坏了 names a place: a complaint put as a question, still the answer here.
      return asksForInformation(raw) || (readsAsQuestion(raw) && !readPlace(raw).known);
    case 'yesno':
      return !checkYesNo(raw).ok && readsAsQuestion(raw);
    case 'rating':
      return !checkRating(raw, a.min, a.max).ok && readsAsQuestion(raw);
    case 'choice': {
      // In the report flow a problem put as a question (楼上漏水怎么办？) is read as the report.
      const u = turn.usableUnderstanding();
      if (u && turn.spec()?.understands && (u.category !== 'other' || u.location)) return asksForInformation(raw);
      return readsAsQuestion(raw);
    }
    case 'photos':
    case 'confirm':
    case 'multi':
      // 好了吗 / 怎么发照片？ are about this question itself: its own hint answers them.
      return asksForInformation(raw);
  }
}

/** Passes a question to the service centre (the application says when to expect an answer) and asks again. */
function enquiry(turn: Turn, raw: string): void {
  const flow = turn.flow;
  turn.effect({
    type: 'enquiry.forward',
    text: [...cleanText(raw)].slice(0, 1000).join(''),
    ...(flow ? { flowId: flow.flowId, stepId: flow.stepId } : {}),
  });
  askAgain(turn, turn.t('enquiry.meanwhile'));
}

/** Reads a place back before keeping it: 是「公共区域：李先生」吗？ [是 / 重新输入]. */
function confirmPlace(turn: Turn, step: StepSpec, place: EstateLocation): void {
  const flow = turn.flow;
  if (!flow) return;
  flow.stage = 'confirm_place';
  flow.pending = place;
  ask(turn, step);
}
