/**
 * The guided questions a staff member answers one at a time (a ticket taken by phone or at the counter, a
 * contact record, a revisit done by phone), in the read-back style of the owner's flow: each question
 * offers its choices as buttons (a typed number or word picks one where there are no buttons), checks
 * the answer and, when it is wrong, says why and asks again. The state is a session per staff member with
 * an expiry (telegraf scenes' `{ current, expires, state }`), versioned and checked on every read: an
 * expired or unreadable one is dropped, never acted on.
 */
import { z } from 'zod';
import { fold } from '../../core/flow/answers.js';
import type { SettingStore, StoreTx } from '../../core/ports.js';
import { encodeIntakeButton, INTAKE_FLOWS, type IntakeFlow } from '../../core/protocol/intake-buttons.js';
import type { Button, Inbound, OutboundMessage, Staff, Translate } from '../../core/types.js';
import { readStaffSession } from '../staff-sessions.js';

/** How long a question waits for its answer. */
export const GUIDED_TTL_MS = 30 * 60_000;

/** A choice a question offers: its button's value and label. */
export interface Choice {
  value: string;
  label: string;
}

/** An answer: a choice picked (a button, its number or its word typed), or text. */
export type Answer = { choice: string } | { text: string };

/** The choice an answer picked; undefined for typed text. */
export function choiceOf(a: Answer): string | undefined {
  return 'choice' in a ? a.choice : undefined;
}

/** The text an answer typed; empty for a choice. */
export function textOf(a: Answer): string {
  return 'text' in a ? a.text : '';
}

/** The choices of a yes-or-no question. */
export function yesNo(t: Translate): Choice[] {
  return [
    { value: 'yes', label: t('intake.yes') },
    { value: 'no', label: t('intake.no') },
  ];
}

/** Why typed text was refused (checkText and the checks built on it), in the staff's words. */
export function problemText(
  t: Translate,
  checked: { error: string; params?: Record<string, string | number> },
): string {
  const p = checked.params ?? {};
  if (checked.error === 'input.too_long')
    return t('intake.problem.too_long', { max: Number(p.max ?? 0), length: Number(p.length ?? 0) });
  if (checked.error === 'input.too_short') return t('intake.problem.too_short', { min: Number(p.min ?? 2) });
  return t('intake.problem.empty');
}

/** What reading an answer gives: the state with it, a problem to say before asking again, or the end. */
export type Read<S> = { state: S } | { problem: string } | { done: OutboundMessage[] };

/** One question of a guided conversation. */
export interface Step<S> {
  id: string;
  /** Not asked when it says so (e.g. whether to tell the owner, when the owner is not in the chat). */
  skip?(state: S): boolean;
  /** The question, and its choices. */
  ask(state: S): { text: string; choices?: Choice[] };
  read(tx: StoreTx, state: S, answer: Answer, who: { staff: Staff; inbound: Inbound }): Promise<Read<S>>;
}

/** A guided conversation: its button code, its questions in order, and how its stored state is checked. */
export interface GuidedFlow<S> {
  code: IntakeFlow;
  steps: readonly Step<S>[];
  /** The stored state, checked; undefined for one this release cannot read (the session is dropped). */
  parse(state: unknown): S | undefined;
}

const STORED = z.object({
  v: z.literal(1),
  flow: z.enum(INTAKE_FLOWS),
  step: z.string().min(1),
  expires: z.iso.datetime(),
  state: z.unknown(),
});
export type Session = z.infer<typeof STORED>;

const KEY = (staffId: string) => `intake:${staffId}`;

/** The sessions, kept in the caller's transaction, and the questions as messages. */
export class GuidedSessions {
  constructor(
    private readonly now: () => Date,
    private readonly t: Translate,
  ) {}

  /** The staff member's running session, left in place; an expired or unreadable one is cleared. */
  async read(tx: Pick<SettingStore, 'getSetting' | 'setSetting'>, staffId: string): Promise<Session | undefined> {
    return readStaffSession(tx, KEY(staffId), STORED, this.now());
  }

  async end(tx: Pick<SettingStore, 'getSetting' | 'setSetting'>, staffId: string): Promise<void> {
    if (await tx.getSetting(KEY(staffId))) await tx.setSetting(KEY(staffId), '');
  }

  /**
   * Asks the first question of `flow` from `step` on (skipping those that say so) and keeps the session;
   * `lead` goes before the question (why the last answer was refused, what was recorded).
   */
  async ask<S>(
    tx: StoreTx,
    staffId: string,
    flow: GuidedFlow<S>,
    state: S,
    step: string,
    lead?: string,
  ): Promise<OutboundMessage> {
    let index = flow.steps.findIndex((s) => s.id === step);
    while (index >= 0 && flow.steps[index]?.skip?.(state)) index += 1;
    const current = flow.steps[index];
    if (!current) throw new Error(`guided flow ${flow.code} has no question ${step}`);
    const session: Session = {
      v: 1,
      flow: flow.code,
      step: current.id,
      expires: new Date(this.now().getTime() + GUIDED_TTL_MS).toISOString(),
      state,
    };
    await tx.setSetting(KEY(staffId), JSON.stringify(session));
    const question = this.question(flow, current, state);
    return lead ? { ...question, text: `${lead}\n\n${question.text}` } : question;
  }

  /** The step after `step`, or undefined after the last (ask() passes over those that say to skip them). */
  next<S>(flow: GuidedFlow<S>, step: string): string | undefined {
    const index = flow.steps.findIndex((s) => s.id === step);
    return flow.steps[index + 1]?.id;
  }

  /** A question as a message: its text, its choices as buttons (three to a row), and 放弃. */
  question<S>(flow: GuidedFlow<S>, step: Step<S>, state: S): OutboundMessage {
    const { text, choices = [] } = step.ask(state);
    const buttons: Button[] = choices.map((c) => ({
      label: c.label,
      data: encodeIntakeButton({ type: 'answer', flow: flow.code, step: step.id, value: c.value }),
    }));
    const rows: Button[][] = [];
    for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
    rows.push([{ label: this.t('intake.quit_button'), data: encodeIntakeButton({ type: 'quit' }) }]);
    const numbered = choices.length > 0 ? `\n${this.t('intake.pick_hint')}` : '';
    return { text: `${text}${numbered}`, buttons: rows };
  }

  /** A typed answer to a question with choices: its number, its word, or the choice's value. */
  typedChoice(choices: readonly Choice[], typed: string): string | undefined {
    const n = typed.trim().match(/^([0-9]{1,2})[.。、]?$/)?.[1];
    if (n) return choices[Number(n) - 1]?.value;
    const folded = fold(typed);
    if (!folded) return undefined;
    return choices.find((c) => fold(c.label.replace(/（.*?）|\(.*?\)/g, '')) === folded || c.value === folded)?.value;
  }
}
