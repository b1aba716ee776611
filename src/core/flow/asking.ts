/**
 * Putting a question to the owner: a flow step (with its intro and, before the first personal question,
 * the privacy notice), the menu, the language list, and the same question again after bad input or a
 * stale button. Each question asked counts (`state.seq`), so that buttons of an older one are recognised.
 * Apart from the rendering (prompts.ts) and from what an answer does, because every other module asks.
 */
import { HARD_TEXT_LIMIT, LOCATION_MAX } from './answers.js';
import { currentPrompt, langPrompt, menuPrompt, stepPrompt } from './prompts.js';
import type { StepSpec } from './schema.js';
import type { Turn } from './turn.js';

/**
 * Asks a flow step's question; `lead` is said first (an error, "photo received") in place of the step's
 * intro; `opening` (the flow's intro) heads the same message, and is kept when the question is closed.
 */
export function ask(turn: Turn, step: StepSpec, opts: { lead?: string; opening?: string } = {}): void {
  const flow = turn.flow;
  if (!flow) return;
  turn.state.prompt = undefined;
  turn.state.seq += 1;
  const parts: string[] = [];
  if (opts.lead) parts.push(opts.lead);
  if (step.intro && !flow.history.includes(step.id) && !opts.lead) parts.push(turn.t(step.intro));
  if (step.personal && !turn.ctx.owner.privacyNoticeShown && !flow.privacyShown) {
    // The privacy notice heads the first personal question's message, after the flow's intro, and both stay
    // when the question is closed (one message, not two: each is an owner's wait under Telegram's limits).
    flow.privacyShown = true;
    const kept = [opts.opening, turn.t('privacy.notice')].filter((x): x is string => Boolean(x)).join('\n\n');
    parts.unshift(kept);
    turn.state.opening = { seq: turn.state.seq, text: kept };
    turn.effect({ type: 'owner.update', patch: { privacyNoticeShown: true } });
  } else if (opts.opening) {
    parts.unshift(opts.opening);
    flow.introSeq = turn.state.seq;
  }
  const prompt = stepPrompt(turn, step);
  parts.push(prompt.text);
  turn.emitPrompt({ ...prompt, text: parts.join('\n\n') });
}

/** Asks the question now waiting again (as a new message), with `lead` said first. */
export function askAgain(turn: Turn, lead?: string): void {
  const waiting = turn.state.prompt;
  if (waiting === 'menu') return showMenu(turn, lead);
  if (
    waiting === 'pick_ticket' ||
    waiting === 'mytickets' ||
    waiting === 'confirm_cancel' ||
    waiting === 'emergency_check'
  ) {
    const prompt = currentPrompt(turn);
    if (prompt) {
      turn.state.seq += 1;
      return turn.emitPrompt({ ...prompt, text: [lead, prompt.text].filter(Boolean).join('\n\n') });
    }
  }
  if (waiting === 'lang') {
    if (lead) turn.send({ text: lead });
    return showLanguages(turn, true);
  }
  const step = turn.currentStep();
  if (step) return ask(turn, step, lead ? { lead } : {});
  showMenu(turn, lead);
}

/** A short answer to bad input (a locale key), then the same question again. */
export function reprompt(turn: Turn, error: string, params?: Record<string, string | number>): void {
  askAgain(turn, turn.t(error, params));
}

/**
 * The menu, with `lead` above it in the same message. `keep`: the lead stays when the menu is closed (the
 * welcome); otherwise it is dropped then (an answer to what the owner said, an error).
 */
export function showMenu(turn: Turn, lead?: string, opts: { keep?: boolean } = {}): void {
  turn.state.prompt = 'menu';
  turn.state.seq += 1;
  if (lead && opts.keep) turn.state.opening = { seq: turn.state.seq, text: lead };
  const text = [lead, turn.t(turn.flow ? 'menu.title_resume' : 'menu.title')].filter(Boolean).join('\n\n');
  turn.emitPrompt({ ...menuPrompt(turn), text });
}

/**
 * The welcome and the menu in one message (one message less per greeting: under Telegram's limit of 30 a
 * second, each is an owner's wait), the welcome kept when the menu is closed.
 */
export function welcomeWithMenu(turn: Turn): void {
  showMenu(turn, turn.t('welcome'), { keep: true });
}

/** The language list; `keep` keeps a message the owner typed at it (handled once a language is chosen). */
export function showLanguages(turn: Turn, keep = false): void {
  if (!keep) turn.state.promptData = undefined;
  turn.state.prompt = 'lang';
  turn.state.seq += 1;
  turn.emitPrompt(langPrompt(turn));
}

/** Whether the question waiting wants one of its options (so a number out of range is an error, not text). */
export function expectsChoice(turn: Turn): boolean {
  if (turn.state.prompt) return true;
  const kind = turn.currentStep()?.answer.kind;
  return kind === 'choice' || kind === 'yesno' || kind === 'confirm' || kind === 'rating' || kind === 'multi';
}

/** The longest text the question waiting takes (for the "too long" answer). */
export function maxTextHere(turn: Turn): number {
  const a = turn.currentStep()?.answer;
  if (a?.kind === 'location') return LOCATION_MAX;
  return a?.kind === 'text' ? a.max : HARD_TEXT_LIMIT;
}
