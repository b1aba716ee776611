/**
 * What a notice button carries (prefix `n|`, beside the `s|` staff and the unprefixed owner formats of
 * buttons.ts). Decoding checks the shape only: whether the notice exists, this owner received it, or this
 * staff member may publish is decided by whoever reads it.
 *
 * Wire formats (stable: a notice's buttons stay in chats for its whole validity):
 * - owners: `n|r|<notice>` (✅ 知道了 / Got it), `n|rep` (report a problem instead);
 * - staff: `n|pv|<notice>` preview, `n|pub|<notice>` publish, `n|del|<notice>` discard a draft,
 *   `n|st|<notice>` sent / read counts;
 * - the guided `/notice` questions: `n|k|<kind>`, `n|c|<all|now|skip|urgent|normal|quit>`.
 */
import { NOTICE_KINDS, type NoticeKind } from '../ports/notices.js';
import { CALLBACK_MAX_BYTES, CallbackDataError, callbackBytes } from './buttons.js';

export const NOTICE_STAFF_ACTIONS = ['preview', 'publish', 'discard', 'status'] as const;
export type NoticeStaffAction = (typeof NOTICE_STAFF_ACTIONS)[number];

export const COMPOSE_CHOICES = ['all', 'now', 'skip', 'urgent', 'normal', 'quit'] as const;
export type ComposeChoice = (typeof COMPOSE_CHOICES)[number];

export type NoticeButton =
  | { type: 'read'; noticeId: string }
  | { type: 'report' }
  | { type: 'staff'; action: NoticeStaffAction; noticeId: string }
  | { type: 'kind'; kind: NoticeKind }
  | { type: 'choice'; choice: ComposeChoice };

const PREFIX = 'n';
const NOTICE = /^N\d{3,6}$/;
const STAFF_CODES: Record<NoticeStaffAction, string> = {
  preview: 'pv',
  publish: 'pub',
  discard: 'del',
  status: 'st',
};

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T =>
  v !== undefined && (values as readonly string[]).includes(v);

/** Whether a button's data is a notice button's (by its prefix; its contents still need decoding). */
export function isNoticeButtonData(data: string): boolean {
  return data.startsWith(`${PREFIX}|`);
}

/** The data of a notice button. Throws CallbackDataError when it would not fit (never, for these shapes). */
export function encodeNoticeButton(button: NoticeButton): string {
  let data: string;
  switch (button.type) {
    case 'read':
      data = `${PREFIX}|r|${button.noticeId}`;
      break;
    case 'report':
      data = `${PREFIX}|rep`;
      break;
    case 'staff':
      data = `${PREFIX}|${STAFF_CODES[button.action]}|${button.noticeId}`;
      break;
    case 'kind':
      data = `${PREFIX}|k|${button.kind}`;
      break;
    case 'choice':
      data = `${PREFIX}|c|${button.choice}`;
      break;
  }
  const bytes = callbackBytes(data);
  if (bytes > CALLBACK_MAX_BYTES) throw new CallbackDataError(bytes);
  return data;
}

/** A notice button's data read back; undefined for anything that is not exactly one of the shapes above. */
export function decodeNoticeButton(data: string): NoticeButton | undefined {
  if (callbackBytes(data) > CALLBACK_MAX_BYTES) return undefined;
  const [prefix, code, arg, ...extra] = data.split('|');
  if (prefix !== PREFIX || !code || extra.length > 0) return undefined;
  if (code === 'rep') return arg === undefined ? { type: 'report' } : undefined;
  if (code === 'r') return arg !== undefined && NOTICE.test(arg) ? { type: 'read', noticeId: arg } : undefined;
  if (code === 'k') return oneOf(NOTICE_KINDS, arg) ? { type: 'kind', kind: arg } : undefined;
  if (code === 'c') return oneOf(COMPOSE_CHOICES, arg) ? { type: 'choice', choice: arg } : undefined;
  const action = NOTICE_STAFF_ACTIONS.find((a) => STAFF_CODES[a] === code);
  return action && arg !== undefined && NOTICE.test(arg) ? { type: 'staff', action, noticeId: arg } : undefined;
}
