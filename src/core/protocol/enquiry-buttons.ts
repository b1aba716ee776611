/**
 * The buttons of enquiries (咨询), as a small typed codec beside the desk's (buttons.ts): under an automatic
 * answer the owner's "did this answer your question?" [是 / 不是，转人工], under a 咨询 item in the staff room
 * [回答] and [存入知识库]. Decoding checks the shape only: whether the enquiry exists, is this owner's, is
 * still in the state the button was offered in, or whether this staff member may save knowledge, is for
 * the reader (app/enquiries) to decide.
 *
 * Wire format (stable; at most 64 bytes): `q|<code>|<enquiry id>`, the codes `y` (helpful), `n` (not
 * helpful: to a person) for owners and `a` (answer), `k` (save to knowledge) for staff.
 */
import { CALLBACK_MAX_BYTES, CallbackDataError, callbackBytes } from './buttons.js';

export type EnquiryButton =
  | { audience: 'owner'; action: 'helpful' | 'not_helpful'; id: string }
  | { audience: 'staff'; action: 'answer' | 'learn'; id: string };

const PREFIX = 'q';
const ENQUIRY_ID = /^Q\d{3,9}$/;
const CODES = { helpful: 'y', not_helpful: 'n', answer: 'a', learn: 'k' } as const;

/** The data of an enquiry button. Throws CallbackDataError when it would not fit (never for a real id). */
export function encodeEnquiryButton(button: EnquiryButton): string {
  const data = [PREFIX, CODES[button.action], button.id].join('|');
  const bytes = callbackBytes(data);
  if (bytes > CALLBACK_MAX_BYTES) throw new CallbackDataError(bytes);
  return data;
}

/** An enquiry button's data read back; undefined for anything that is not exactly one of the shapes above. */
export function decodeEnquiryButton(data: string): EnquiryButton | undefined {
  if (callbackBytes(data) > CALLBACK_MAX_BYTES) return undefined;
  const [prefix, code, id, ...extra] = data.split('|');
  if (prefix !== PREFIX || !code || !id || extra.length > 0 || !ENQUIRY_ID.test(id)) return undefined;
  switch (code) {
    case CODES.helpful:
      return { audience: 'owner', action: 'helpful', id };
    case CODES.not_helpful:
      return { audience: 'owner', action: 'not_helpful', id };
    case CODES.answer:
      return { audience: 'staff', action: 'answer', id };
    case CODES.learn:
      return { audience: 'staff', action: 'learn', id };
    default:
      return undefined;
  }
}
