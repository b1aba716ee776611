/**
 * How the owner's answers are read back to them: under an answered question, in the read-back before a
 * form is sent (its fields and the "which one to change?" list) and a place read back before it is kept.
 * Rendering only, apart from the questions themselves so that every module shows an answer the same way.
 */
import { type EstateLocation, labelColon } from '../types.js';
import { formatPhone } from './answers.js';
import { pathOf } from './paths.js';
import { getStep } from './registry.js';
import type { StepSpec } from './schema.js';
import type { AnswerValue, PhotoAnswer } from './state.js';
import type { Prompt, Turn } from './turn.js';

/** How an answer is shown: an option's label, a phone number formatted, a long text cut at 300 characters. */
export function show(turn: Turn, s: StepSpec, value: AnswerValue): string {
  const a = s.answer;
  if (a.kind === 'choice') return turn.t(`${a.labels}.${String(value)}`);
  if (a.kind === 'multi') return (value as string[]).map((o) => turn.t(`${a.labels}.${o}`)).join('、');
  if (a.kind === 'yesno') return turn.t(value ? 'common.yes' : 'common.no');
  if (a.kind === 'rating') return a.labels ? `${turn.t(`${a.labels}.${String(value)}`)}` : String(value);
  if (a.kind === 'photos') {
    const count = (value as PhotoAnswer[]).length;
    // "0 张" / "0 photo(s)" reads as a fault: no photos is said as nothing given.
    return count > 0 ? turn.t('photos.count', { count }) : turn.t('common.none');
  }
  if (a.kind === 'phone') return formatPhone(String(value));
  if (a.kind === 'location') return showLocation(turn, value as EstateLocation);
  const text = String(value);
  return [...text].length > 300 ? `${[...text].slice(0, 300).join('')}…` : text;
}

export function showLocation(turn: Turn, loc: EstateLocation): string {
  if (loc.kind === 'public') return turn.t('location.public_shown', { description: loc.description });
  return loc.unit
    ? turn.t('location.unit_shown', { building: loc.building, unit: loc.unit, room: loc.room })
    : turn.t('location.room_shown', { building: loc.building, room: loc.room });
}

/** The confirm step's question: the read-back of the fields on the owner's path, or which field to change. */
export function readbackPrompt(turn: Turn, fieldIds: string[], question: string): Prompt {
  const flow = turn.flow;
  const spec = turn.spec();
  const fields = spec && flow ? fieldIds.filter((f) => pathOf(spec, flow.answers, turn.ctx.owner).includes(f)) : [];
  if (flow?.stage === 'pick_field') {
    return {
      text: turn.t('confirm.pick_field'),
      buttons: [
        ...fields.map((f) => ({ label: fieldLabel(turn, f), value: `f.${f}` })),
        { label: turn.t('confirm.back_to_readback'), value: 'rb' },
      ],
      columns: 2,
    };
  }
  const colon = labelColon(turn.locale);
  const lines = fields.map((f) => `${fieldLabel(turn, f)}${colon}${display(turn, f)}`);
  return {
    text: [question, '', ...lines, '', turn.t('confirm.question')].join('\n'),
    buttons: [
      { label: turn.t('confirm.ok'), value: 'ok' },
      { label: turn.t('confirm.edit'), value: 'edit' },
      { label: turn.t('confirm.cancel'), value: 'cancel' },
    ],
    columns: 3,
  };
}

function fieldLabel(turn: Turn, stepId: string): string {
  const spec = turn.spec();
  const s = spec ? getStep(spec, stepId) : undefined;
  return turn.t(s?.label ?? `${spec?.id}.field.${stepId}`);
}

/** How an answer is read back to the owner. */
function display(turn: Turn, stepId: string): string {
  const spec = turn.spec();
  const s = spec ? getStep(spec, stepId) : undefined;
  const value = turn.flow?.answers[stepId];
  if (!s || value === undefined) return turn.t('common.none');
  return show(turn, s, value);
}
