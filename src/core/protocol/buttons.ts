/**
 * What a button carries, as small typed codecs: the desk's buttons under a card, the survey buttons under
 * a supervisor's message, and an owner's answer buttons. Telegram hands callback data back as it was sent
 * (at most 64 bytes); every other channel never shows it. Decoding is a claim check of the shape only:
 * whether the ticket exists, the person may act or the question is still open is decided by whoever reads it.
 *
 * Wire formats (stable: buttons already sent stay in chats for months; an incompatible change takes a new
 * prefix and keeps decoding the old one):
 * - staff (`s|` prefix): `s|<action>|<ticket>` (accept … timeline, draft), `s|ju|<ticket>|<urgency>`,
 *   `s|jr|<ticket>|<responsibility>`, `s|jc|<ticket>|<category>`, `s|jcat|<ticket>`, `s|jx|<ticket>`,
 *   `s|hto|<ticket>|<staff id>`, `s|svp|<campaign>`, `s|svs|<campaign>`, `s|svr|<campaign>`;
 * - owner (no prefix): `<question number>:<value>`, the value one the question offered.
 * - enquiries (`q|` prefix, owner and staff): see enquiry-buttons.ts.
 * - notices (`n|` prefix, owner and staff): see notice-buttons.ts.
 */
import { CATEGORIES, type Category, RESPONSIBILITIES, type Responsibility, URGENCIES, type Urgency } from '../types.js';

/** Telegram's limit on callback data, in bytes (UTF-8). */
export const CALLBACK_MAX_BYTES = 64;

/** The size of a button's data as Telegram counts it. */
export function callbackBytes(data: string): number {
  return new TextEncoder().encode(data).length;
}

/** Encoding a button whose data could not come back whole: a programming or content error, never an owner's. */
export class CallbackDataError extends Error {
  readonly code = 'CALLBACK_DATA_TOO_LONG';
  constructor(readonly bytes: number) {
    super(`button data of ${bytes} bytes is over Telegram's ${CALLBACK_MAX_BYTES}`);
    this.name = 'CallbackDataError';
  }
}

function fitted(data: string): string {
  const bytes = callbackBytes(data);
  if (bytes > CALLBACK_MAX_BYTES) throw new CallbackDataError(bytes);
  return data;
}

// ── staff ──────────────────────────────────────────────────────────────────

/** The card actions a staff button names (the desk's commands of the same name). */
export const DESK_BUTTON_ACTIONS = [
  'accept',
  'judge',
  'reject',
  'reply',
  'plan',
  'schedule',
  'resolve',
  'handover',
  'phone',
  'timeline',
  'draft',
] as const;
export type DeskButtonAction = (typeof DESK_BUTTON_ACTIONS)[number];

export const SURVEY_BUTTON_ACTIONS = ['preview', 'start', 'report'] as const;
export type SurveyButtonAction = (typeof SURVEY_BUTTON_ACTIONS)[number];

/** One judged field and its new value. */
export type JudgeChoice =
  | { field: 'urgency'; value: Urgency }
  | { field: 'responsibility'; value: Responsibility }
  | { field: 'category'; value: Category };

/** What a staff button asks for. */
export type StaffButton =
  | { type: 'action'; action: DeskButtonAction; number: string }
  | { type: 'judge'; number: string; choice: JudgeChoice }
  /** The judging keyboard: show the categories, or close it (back to the card's actions). */
  | { type: 'judge_menu'; number: string; menu: 'category' | 'done' }
  | { type: 'handover'; number: string; staffId: string }
  | { type: 'survey'; action: SurveyButtonAction; campaignId: string };

const STAFF_PREFIX = 's';
const TICKET = /^T\d{6}-\d{4,8}$/;
const CAMPAIGN = /^S\d{3,6}$/;
const STAFF_ID = /^[\w:.@-]{1,40}$/;
const JUDGE_CODES = { urgency: 'ju', responsibility: 'jr', category: 'jc' } as const;
const SURVEY_CODES = { preview: 'svp', start: 'svs', report: 'svr' } as const;

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T =>
  v !== undefined && (values as readonly string[]).includes(v);

/** Whether a button's data is a staff button's (by its prefix; its contents still need decoding). */
export function isStaffButtonData(data: string): boolean {
  return data.startsWith(`${STAFF_PREFIX}|`);
}

/** The data of a staff button. Throws CallbackDataError when it would not fit (a staff id too long). */
export function encodeStaffButton(button: StaffButton): string {
  const parts: string[] = [STAFF_PREFIX];
  switch (button.type) {
    case 'action':
      parts.push(button.action, button.number);
      break;
    case 'judge':
      parts.push(JUDGE_CODES[button.choice.field], button.number, button.choice.value);
      break;
    case 'judge_menu':
      parts.push(button.menu === 'category' ? 'jcat' : 'jx', button.number);
      break;
    case 'handover':
      parts.push('hto', button.number, button.staffId);
      break;
    case 'survey':
      parts.push(SURVEY_CODES[button.action], button.campaignId);
      break;
  }
  return fitted(parts.join('|'));
}

/** A staff button's data read back; undefined for anything that is not exactly one of the shapes above. */
export function decodeStaffButton(data: string): StaffButton | undefined {
  if (callbackBytes(data) > CALLBACK_MAX_BYTES) return undefined;
  const [prefix, code, target, arg, ...extra] = data.split('|');
  if (prefix !== STAFF_PREFIX || !code || !target || extra.length > 0) return undefined;
  const survey = SURVEY_BUTTON_ACTIONS.find((a) => SURVEY_CODES[a] === code);
  if (survey)
    return arg === undefined && CAMPAIGN.test(target)
      ? { type: 'survey', action: survey, campaignId: target }
      : undefined;
  if (!TICKET.test(target)) return undefined;
  const number = target;
  switch (code) {
    case 'ju':
      return oneOf(URGENCIES, arg) ? { type: 'judge', number, choice: { field: 'urgency', value: arg } } : undefined;
    case 'jr':
      return oneOf(RESPONSIBILITIES, arg)
        ? { type: 'judge', number, choice: { field: 'responsibility', value: arg } }
        : undefined;
    case 'jc':
      return oneOf(CATEGORIES, arg) ? { type: 'judge', number, choice: { field: 'category', value: arg } } : undefined;
    case 'jcat':
    case 'jx':
      return arg === undefined
        ? { type: 'judge_menu', number, menu: code === 'jcat' ? 'category' : 'done' }
        : undefined;
    case 'hto':
      return arg !== undefined && STAFF_ID.test(arg) ? { type: 'handover', number, staffId: arg } : undefined;
    default:
      return oneOf(DESK_BUTTON_ACTIONS, code) && arg === undefined
        ? { type: 'action', action: code, number }
        : undefined;
  }
}

// ── owners ─────────────────────────────────────────────────────────────────

/** An owner's answer button: which question it belongs to (the conversation's counter) and the value it offered. */
export interface OwnerButton {
  seq: number;
  value: string;
}

const OWNER_VALUE = /^[\w.:@-]{1,56}$/;

/** The data of an owner's answer button. Throws CallbackDataError when the value is too long to come back. */
export function encodeOwnerButton(button: OwnerButton): string {
  return fitted(`${button.seq}:${button.value}`);
}

/** An owner's button read back; undefined for anything else. The value still has to be one the question offers. */
export function decodeOwnerButton(data: string): OwnerButton | undefined {
  if (callbackBytes(data) > CALLBACK_MAX_BYTES) return undefined;
  const m = data.match(/^(\d{1,9}):(.+)$/);
  if (!m?.[1] || !m[2] || !OWNER_VALUE.test(m[2])) return undefined;
  return { seq: Number(m[1]), value: m[2] };
}
