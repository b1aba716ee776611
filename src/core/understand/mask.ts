/**
 * Masks personal data out of an owner's text before it leaves the building (AI_SEND_PERSONAL_DATA off):
 * ID-card numbers, e-mail addresses, phone numbers (mainland mobiles, landlines, +international), names
 * introduced as names (我叫…, 我是…, 我姓…, my name is …, I'm …), and flat numbers unless allowed.
 * Pure. What is masked is replaced by a placeholder a model understands ({@link MASK}).
 */
import { toHalfWidth } from '../location.js';
import { replaceFlats } from './location.js';

export const MASK = {
  id: '[ID]',
  email: '[EMAIL]',
  phone: '[PHONE]',
  name: '[NAME]',
  flat: '[FLAT]',
} as const;

export interface MaskOptions {
  /** Leave flat numbers (3-2-501) in the text. Default false. */
  keepFlats?: boolean;
}

const ID_CARD = /(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15})(?![\dA-Za-z])/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** +44 20 7946 0958, +1 (415) 555-0100, +86 138 1234 5678. */
const INTL = /\+\d{1,3}[\s-]?(?:\(\d{1,4}\)[\s-]?)?\d{1,4}(?:[\s-]?\d{2,4}){1,4}(?!\d)/g;
/** 13812345678, 138 1234 5678, 138-1234-5678, 8613812345678. */
const CN_MOBILE = /(?<!\d)(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;
/** 010-12345678, 0755 1234 5678, (021)12345678, 01012345678. */
const LANDLINE = /(?<!\d)(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s-]?)\d{3,4}[\s-]?\d{4}(?!\d)/g;

/** Words that follow 我是/我叫 without being a name (我是业主, 我是楼上的). */
const NOT_A_NAME =
  /^(?:业主|住户|租户|租客|房东|房主|楼上|楼下|隔壁|对门|新|这|那|本|老人|一个|一名|一位|你们|物业|小区|刚|第|想|说|要|在|不|觉|真|很|太|来|问|家|孩子|老公|老婆|他|她|它|住|有|也|就|的)/u;
const ZH_NAME =
  /(我叫|我是|我姓|本人|联系人|姓名|名字是|名字叫)([:：]?\s*)([\u4e00-\u9fff·]{1,3}?)(?=先生|女士|小姐|老师|阿姨|师傅|[，,。.!！?？；;\s\d、]|$)/gu;
const EN_NAME =
  /\b([Mm]y name is|[Nn]ame:|I am|I'm|I’m|[Tt]his is|[Cc]ontact:)(\s+)((?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?([A-Z][a-z]+(?:[\s-][A-Z][a-z]+){0,2})\b/g;
const EN_NOT_A_NAME =
  /^(?:The|A|An|Not|So|Very|Really|Still|Stuck|Trapped|In|At|On|From|Here|Calling|Writing|Sorry|Building|Block|Bldg|Unit|Room|Flat|Owner|Tenant)\b/;

/** Masks names, phone numbers, ID-card numbers, e-mail addresses and (unless kept) flat numbers. */
export function mask(text: string, opts: MaskOptions = {}): string {
  let s = toHalfWidth(text)
    .replace(ID_CARD, MASK.id)
    .replace(EMAIL, MASK.email)
    .replace(INTL, MASK.phone)
    .replace(CN_MOBILE, MASK.phone)
    .replace(LANDLINE, MASK.phone)
    .replace(ZH_NAME, (whole, cue: string, gap: string, name: string) =>
      NOT_A_NAME.test(name) ? whole : `${cue}${gap}${MASK.name}`,
    )
    .replace(EN_NAME, (whole, cue: string, gap: string, title: string | undefined, name: string) =>
      EN_NOT_A_NAME.test(name) ? whole : `${cue}${gap}${title ?? ''}${MASK.name}`,
    );
  if (!opts.keepFlats) s = replaceFlats(s, MASK.flat);
  return s;
}

/** Whether a text holds a phone number, an ID-card number or an e-mail address (names and flats aside). */
export function containsContactData(text: string): boolean {
  const s = toHalfWidth(text);
  return [ID_CARD, EMAIL, INTL, CN_MOBILE, LANDLINE].some((re) =>
    new RegExp(re.source, re.flags.replace('g', '')).test(s),
  );
}
