/**
 * What an intake button carries (prefix `i|`, beside the `s|` staff, `n|` notice and `q|` enquiry formats):
 * the answers of a staff member's guided questions — a ticket taken by phone or at the counter (代客登记),
 * a contact record, a revisit done by phone — and the button that starts recording a phone revisit.
 * Decoding checks the shape only: whether a question is open, the answer is the current question's, the
 * ticket exists and this staff member may act on it is decided by whoever reads it.
 *
 * Wire formats (stable: buttons stay in chats):
 * - `i|<flow>|<step>|<value>`: an answer; flow `n` (a new ticket), `c` (a contact record), `r` (a phone
 *   revisit); step and value are short words (a–z, 0–9, _).
 * - `i|rv|<ticket>`: record the phone revisit of this ticket.
 * - `i|q`: stop the questions.
 */
import { CALLBACK_MAX_BYTES, CallbackDataError, callbackBytes } from './buttons.js';

export const INTAKE_FLOWS = ['n', 'c', 'r'] as const;
export type IntakeFlow = (typeof INTAKE_FLOWS)[number];

export type IntakeButton =
  | { type: 'answer'; flow: IntakeFlow; step: string; value: string }
  | { type: 'revisit'; number: string }
  | { type: 'quit' };

const PREFIX = 'i';
const WORD = /^[a-z0-9_]{1,24}$/;
const TICKET = /^T\d{6}-\d{4,}$/;

/** Whether a button's data is an intake button's (by its prefix; its contents still need decoding). */
export function isIntakeButtonData(data: string): boolean {
  return data.startsWith(`${PREFIX}|`);
}

/** The data of an intake button. Throws CallbackDataError when it would not fit (never, for these shapes). */
export function encodeIntakeButton(button: IntakeButton): string {
  const data =
    button.type === 'answer'
      ? `${PREFIX}|${button.flow}|${button.step}|${button.value}`
      : button.type === 'revisit'
        ? `${PREFIX}|rv|${button.number}`
        : `${PREFIX}|q`;
  const bytes = callbackBytes(data);
  if (bytes > CALLBACK_MAX_BYTES) throw new CallbackDataError(bytes);
  return data;
}

/** An intake button's data read back; undefined for anything that is not exactly one of the shapes above. */
export function decodeIntakeButton(data: string): IntakeButton | undefined {
  if (callbackBytes(data) > CALLBACK_MAX_BYTES) return undefined;
  const [prefix, code, a, b, ...extra] = data.split('|');
  if (prefix !== PREFIX || !code || extra.length > 0) return undefined;
  if (code === 'q') return a === undefined ? { type: 'quit' } : undefined;
  if (code === 'rv')
    return a !== undefined && b === undefined && TICKET.test(a) ? { type: 'revisit', number: a } : undefined;
  const flow = INTAKE_FLOWS.find((f) => f === code);
  if (!flow || a === undefined || b === undefined || !WORD.test(a) || !WORD.test(b)) return undefined;
  return { type: 'answer', flow, step: a, value: b };
}
