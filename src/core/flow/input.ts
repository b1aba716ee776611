/**
 * What arrives in a conversation, each kind read in its order of precedence: a text (commands, then the
 * emergency check, the language, length, then an option the question offers, else typed text), a button
 * press (checked against the question it claims to answer), a photo (kept for the flow's photo step, a
 * note for an open ticket, or the start of a report), something unsupported, or a flow the application
 * starts. The doorway every message passes, apart from what each kind leads to.
 */
import { staffCommandOf } from '../desk/vocabulary.js';
import { decodeOwnerButton } from '../protocol/buttons.js';
import type { UnsupportedKind } from '../types.js';
import { cleanText, fold, HARD_TEXT_LIMIT, isSlashCommand, parseIndex } from './answers.js';
import { ask, askAgain, expectsChoice, maxTextHere, reprompt, showMenu } from './asking.js';
import { choose } from './choices.js';
import type { EngineEvent } from './contract.js';
import { emergencyTakesOver, mayRedirect } from './emergency.js';
import { freeText } from './front-door.js';
import { askLanguage, languageOfFirstMessage } from './language.js';
import { command, menuEntry, menuEntryFlow } from './menus.js';
import { currentPrompt } from './prompts.js';
import type { FlowState, PhotoAnswer } from './state.js';
import { routeNote } from './tickets.js';
import { requestFlow, startFlow } from './transitions.js';
import type { Turn } from './turn.js';
import { typed } from './typed.js';
import { optionByWords, parseCommand } from './words.js';

export function handle(turn: Turn, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
      return requestFlow(turn, event);
    case 'text':
      return text(turn, event.text);
    case 'button':
      return button(turn, event.data);
    case 'photo':
      return photo(turn, { ref: event.fileRef, ...(event.caption ? { caption: cleanText(event.caption) } : {}) });
    case 'unsupported':
      return unsupported(turn, event.what);
  }
}

/** `checked`: the owner has said this message is not an emergency (it does what it would have done). */
export function text(turn: Turn, raw: string, checked = false): void {
  const parsed = parseCommand(raw, turn.ctx.registry);
  if (parsed && 'command' in parsed) return command(turn, parsed.command);
  // The owner chose the emergency path themselves (/emergency, 紧急): no "is it happening now?" question.
  if (
    parsed &&
    'entry' in parsed &&
    menuEntryFlow(turn, parsed.entry) === turn.emergencyFlowId() &&
    mayRedirect(turn)
  ) {
    return menuEntry(turn, parsed.entry);
  }
  // The first message sets the language we answer in (the emergency text included); a mixed one is asked.
  const unsureOfLanguage = !checked && languageOfFirstMessage(turn, raw);
  // An emergency takes the emergency path at once, before any length limit; an unclear one is asked.
  if (!checked && emergencyTakesOver(turn, raw)) return;
  if ([...raw].length > HARD_TEXT_LIMIT) {
    return reprompt(turn, 'input.too_long', { max: maxTextHere(turn), length: [...raw].length });
  }
  if (unsureOfLanguage) return askLanguage(turn, raw);
  const prompt = currentPrompt(turn);
  const folded = fold(raw);
  const byLabel =
    folded && prompt ? prompt.buttons.find((b) => fold(b.label) === folded || fold(b.value) === folded) : undefined;
  // An option the question offers wins over a menu alias of the same name (投诉 at the kind question).
  if (parsed && 'entry' in parsed && !byLabel) return menuEntry(turn, parsed.entry);
  // A slash command this chat does not know (/accept T… typed by an owner) is never an answer.
  if (!parsed && isSlashCommand(raw)) {
    if (staffCommandOf(raw.trim().split(/\s/)[0])) return reprompt(turn, 'input.staff_only');
    return reprompt(turn, 'input.command_unavailable', { command: raw.trim().split(/\s/)[0] ?? '' });
  }

  if (!prompt) return freeText(turn, raw);
  // On a numeric rating (buttons showing 1…10) a typed number is the rating itself; on a labelled scale
  // (很满意 … 很不满意, listed best first and numbered by position) it is the n-th item, as the list shows.
  const answer = turn.state.prompt ? undefined : turn.currentStep()?.answer;
  const rating = answer?.kind === 'rating' && !answer.labels;
  const index = rating ? undefined : parseIndex(raw);
  if (index !== undefined && prompt.buttons.length > 0) {
    const picked = prompt.buttons[index - 1];
    if (picked) return choose(turn, picked.value, picked.label);
    if (expectsChoice(turn)) return reprompt(turn, 'input.number_out_of_range', { count: prompt.buttons.length });
  }
  if (byLabel) return choose(turn, byLabel.value, byLabel.label);
  // A few words naming one option (水电, 我要报修), unless the report flow reads a longer message itself.
  const understood = turn.usableUnderstanding() && turn.spec()?.understands;
  const byWords = answer?.kind === 'choice' && !understood ? optionByWords(prompt.buttons, folded) : undefined;
  if (byWords) return choose(turn, byWords.value, byWords.label);
  typed(turn, raw);
}

function button(turn: Turn, data: string): void {
  const claim = decodeOwnerButton(data);
  const prompt = currentPrompt(turn);
  const picked = claim?.seq === turn.state.seq ? prompt?.buttons.find((b) => b.value === claim.value) : undefined;
  if (!picked) {
    turn.ack = turn.t('input.stale');
    turn.say('input.stale');
    return askAgain(turn);
  }
  turn.ack = '';
  choose(turn, picked.value, picked.label);
}

function photo(turn: Turn, photo: PhotoAnswer): void {
  const step = turn.currentStep();
  const spec = turn.spec();
  const flow = turn.flow;
  if (!step || !spec || !flow || turn.state.prompt) {
    const open = turn.openTickets();
    if (open.length > 0 && turn.state.prompt !== 'lang' && turn.state.prompt !== 'confirm_cancel') {
      return routeNote(turn, { photo }, open);
    }
    // A photo as the first word ("this is my problem"): kept, and a report starts around it.
    if (
      !flow &&
      (turn.state.prompt === undefined || turn.state.prompt === 'menu' || turn.state.prompt === 'mytickets')
    ) {
      const report = turn.understandingFlow();
      const photoStep = report?.steps.find((s) => s.answer.kind === 'photos');
      if (report && photoStep) {
        if (turn.state.seq === 0) turn.say('welcome');
        turn.say('photos.kept');
        startFlow(turn, report.id, {}, {});
        const started = turn.state.flow as FlowState | undefined; // set by startFlow
        if (started) started.answers[photoStep.id] = [photo];
        return;
      }
    }
    return unsupported(turn, 'other');
  }
  if (step.answer.kind === 'photos') {
    const list = (flow.answers[step.id] as PhotoAnswer[] | undefined) ?? [];
    if (list.length >= step.answer.max) return reprompt(turn, 'photos.too_many', { max: step.answer.max });
    flow.answers[step.id] = [...list, photo];
    return ask(turn, step, { lead: turn.t('photos.received', { count: list.length + 1 }) });
  }
  // A photo sent early is kept for the flow's photo step, never dropped.
  const photoStep = spec.steps.find((s) => s.answer.kind === 'photos');
  if (photoStep) {
    const list = (flow.answers[photoStep.id] as PhotoAnswer[] | undefined) ?? [];
    const max = photoStep.answer.kind === 'photos' ? photoStep.answer.max : 0;
    if (list.length >= max) return reprompt(turn, 'photos.too_many', { max });
    flow.answers[photoStep.id] = [...list, photo];
    if (photo.caption && (step.answer.kind === 'text' || step.answer.kind === 'location')) {
      return typed(turn, photo.caption, turn.t('photos.kept'));
    }
    return ask(turn, step, { lead: turn.t('photos.kept') });
  }
  unsupported(turn, 'other');
}

function unsupported(turn: Turn, what: UnsupportedKind): void {
  const lead = turn.t('input.unsupported', { what: turn.t(`input.kind.${what}`) });
  if (!currentPrompt(turn)) {
    turn.send({ text: lead });
    return showMenu(turn);
  }
  askAgain(turn, lead);
}
