/**
 * Checking one typed answer against the kind of answer a step takes. Pure; each check returns the value
 * or a locale key that says, briefly and specifically, what was wrong.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parseLocation, parseUnit, toHalfWidth } from '../location.js';
import type { EstateLocation } from '../types.js';
import { chineseNumber, findFlat, findPublicArea } from '../understand/location.js';
import type { AnswerValue } from './state.js';

export type Checked =
  | { ok: true; value: AnswerValue }
  | { ok: false; error: string; params?: Record<string, string | number> };

/** The longest text any step accepts; longer messages are refused whole (the log keeps them). */
export const HARD_TEXT_LIMIT = 4000;

const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Trims, drops invisible characters and folds runs of blank lines. */
export function cleanText(text: string): string {
  return text
    .replace(INVISIBLE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Folds a label or an answer for comparison: lower case, no spaces, punctuation or emoji. */
export function fold(text: string): string {
  return toHalfWidth(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function checkText(text: string, min: number, max: number): Checked {
  const clean = cleanText(text);
  const length = [...clean].length;
  if (length === 0) return { ok: false, error: 'input.empty' };
  if (length > max) return { ok: false, error: 'input.too_long', params: { max, length } };
  if (length < min) return { ok: false, error: 'input.too_short', params: { min } };
  return { ok: true, value: clean };
}

/** Mainland numbers without a prefix, +86 and any valid international number; stored as E.164. */
export function checkPhone(text: string): Checked {
  const raw = toHalfWidth(cleanText(text)).replace(/[\s()（）-]/g, '');
  if (!/^\+?\d{5,17}$/.test(raw)) return { ok: false, error: 'input.phone_invalid' };
  // Without + or 00 it is a mainland number: a mobile (1…), a landline with its trunk 0, or 86 typed without +.
  // A landline without its 0 (2345678901) is too easily a mistyped mobile to be accepted.
  if (!raw.startsWith('+') && !raw.startsWith('00') && !/^(?:1|0|86)/.test(raw)) {
    return { ok: false, error: 'input.phone_invalid' };
  }
  const parsed = parsePhoneNumberFromString(raw.startsWith('00') ? `+${raw.slice(2)}` : raw, 'CN');
  if (!parsed?.isValid()) return { ok: false, error: 'input.phone_invalid' };
  return { ok: true, value: parsed.number };
}

/**
 * Numbers already formatted, by the text given: each owner's number is read back at every offer of it and
 * every readback. Formatting one costs 20–40 µs: libphonenumber parses it anew and, to choose the format,
 * tries the country's formats in turn, compiling each one's leading-digits pattern again at every call
 * (String#search with a string): China has eleven, some of their patterns 300 characters long. The work is
 * pure, so a number is formatted once while it stays here.
 */
const formatted = new Map<string, string>();
/** The most numbers kept; the one kept longest goes first when a new one would pass it. */
const FORMATTED_MAX = 1000;
/** Longer texts are formatted without being kept: a stored number (E.164) has at most 16 characters. */
const FORMATTED_KEY_MAX = 32;

/** How a stored phone number is read back to its owner: national form for China, international otherwise. */
export function formatPhone(e164: string): string {
  const known = formatted.get(e164);
  if (known !== undefined) return known;
  const text = formatPhoneNow(e164);
  if (e164.length <= FORMATTED_KEY_MAX) {
    if (formatted.size >= FORMATTED_MAX) formatted.delete(formatted.keys().next().value as string);
    formatted.set(e164, text);
  }
  return text;
}

/** {@link formatPhone} worked out. */
function formatPhoneNow(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.countryCallingCode === '86'
    ? parsed.formatNational().replace(/\s/g, ' ')
    : parsed.formatInternational();
}

/** The longest place description a location step accepts. */
export const LOCATION_MAX = 200;

export function checkLocation(text: string): Checked {
  const checked = checkText(text, 2, LOCATION_MAX);
  if (!checked.ok) return checked;
  return { ok: true, value: parseLocation(checked.value as string) };
}

export function checkRating(text: string, min: number, max: number): Checked {
  const s = toHalfWidth(cleanText(text))
    .replace(/分$|points?$/i, '')
    .trim();
  if (!/^\d{1,2}$/.test(s)) return { ok: false, error: 'input.rating_invalid', params: { min, max } };
  const n = Number(s);
  if (n < min || n > max) return { ok: false, error: 'input.rating_invalid', params: { min, max } };
  return { ok: true, value: n };
}

/** What owners type for yes and for no, folded (no spaces, punctuation or case). */
const YES = new Set([
  '是',
  '是的',
  '是啊',
  '对',
  '对的',
  '对啊',
  '没错',
  '好',
  '好的',
  '好吧',
  '好啊',
  '好滴',
  '行',
  '行的',
  '可以',
  '可以的',
  '嗯',
  '嗯嗯',
  '恩',
  '没问题',
  '有',
  '要',
  '需要',
  '解决了',
  '已解决',
  'yes',
  'y',
  'yeah',
  'yep',
  'ok',
  'okay',
  'sure',
  'yesplease',
  'ofcourse',
]);
const NO = new Set([
  '否',
  '不是',
  '不',
  '不用',
  '不用了',
  '不了',
  '不要',
  '不需要',
  '不行',
  '算了',
  '没有',
  '没',
  '未解决',
  '没解决',
  'no',
  'n',
  'nope',
  'nothanks',
  'nothankyou',
]);

export function checkYesNo(text: string): Checked {
  const s = fold(text);
  if (YES.has(s)) return { ok: true, value: true };
  if (NO.has(s)) return { ok: true, value: false };
  return { ok: false, error: 'input.choose' };
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩';
const EN_ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/**
 * A typed number picks the n-th button (1-based): 1, １, 2., ①, 一, 第一个, 第1个, first, the first one,
 * option 2, no. 2. Anything else, including a number with other words around it, is not an index.
 */
export function parseIndex(text: string): number | undefined {
  const s = toHalfWidth(cleanText(text))
    .toLowerCase()
    .replace(/[.。、)）!！]$/, '')
    .trim();
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const circled = [...s].length === 1 ? CIRCLED.indexOf(s) : -1;
  if (circled >= 0) return circled + 1;
  const zh = s.match(/^(?:第\s*)?([一二两三四五六七八九十]|\d{1,2})\s*(个|项|条|种)?$/);
  // 一, 一个, 第一, 第1个; digits need 第 (1个 is a count, not a pick).
  if (zh?.[1] && (s.startsWith('第') || !/\d/.test(zh[1]))) {
    return /\d/.test(zh[1]) ? Number(zh[1]) : chineseNumber(zh[1]);
  }
  const en = s.match(/^(?:the\s+)?([a-z]+)(?:\s+(?:one|option|choice))?$/);
  const ordinal = en?.[1] ? EN_ORDINAL.indexOf(en[1]) : -1;
  if (ordinal >= 0) return ordinal + 1;
  const numbered = s.match(/^(?:option|choice|number|no\.?|#)\s*(\d{1,2})$/);
  if (numbered?.[1]) return Number(numbered[1]);
  return undefined;
}

// ── what a free-text field must not swallow ──────────────────────────────────

/**
 * How a free-text step reads what is typed, which decides what it refuses to take as its value:
 * - `name`: a person's name; a question, a sentence or more than {@link NAME_MAX} characters is refused;
 * - `value`: a short value (a place, a phone number, a choice): any question is a question, not the value;
 * - `report`: a description of a problem; a question is kept (为什么天天漏水？ is a complaint) unless it
 *   asks us for information about something else (office hours, fees, how to …);
 * - `reply`: an answer to our own question (a reason, a comment, another time); everything is kept.
 */
export type FieldReading = 'name' | 'value' | 'report' | 'reply';

/** A slash command (/accept T…) typed where an answer is expected: never an answer. */
export function isSlashCommand(text: string): boolean {
  return /^\/[a-zA-Z_]{2,}/.test(toHalfWidth(cleanText(text)));
}

/** Words that make a message a question, wherever they stand. */
const QUESTION_WORDS_ZH =
  /几点|怎么|怎样|如何|哪里|哪儿|在哪|哪个|多少|多久|什么时候|什么|为什么|为啥|能不能|可不可以|可以不|是不是|有没有|请问/;
/** …and at the end of a sentence (吗 / 呢 before the final punctuation). */
const QUESTION_END_ZH = /[吗呢嘛么][\s?？!！。.~～]*$/;
const QUESTION_START_EN =
  /^(?:what|what's|how|when|where|where's|why|who|which|whose|can (?:i|you|we|someone|somebody|anyone)|could (?:i|you|we|someone)|may i|is there|are there|is it|are you|do you|does|did you|should i|will (?:you|someone|somebody)|would you|any(?:one|body) know)\b/i;
/** Not knowing is not asking (不知道是哪里 at the place question is an answer, however poor). */
const NOT_KNOWING = /不知道|不清楚|不确定|说不清|not sure|don'?t know|no idea/i;

/** Whether a message is put as a question (a question mark, 几点 / 怎么 / 吗？, what / how / can I …). */
export function readsAsQuestion(text: string): boolean {
  const s = toHalfWidth(cleanText(text));
  if (!s || NOT_KNOWING.test(s)) return false;
  return /[?？]/.test(s) || QUESTION_WORDS_ZH.test(s) || QUESTION_END_ZH.test(s) || QUESTION_START_EN.test(s);
}

/**
 * Questions that ask the service centre for information (opening hours, fees and how to pay, how to apply
 * or book, where something is done, a phone number), as opposed to a problem put as a question. Data: add
 * a topic here when owners ask something new.
 */
const ENQUIRY_TOPICS: RegExp[] = [
  /办公时间|上班时间|下班时间|营业时间|工作时间|开门时间|值班时间|几点(?:上班|下班|开门|关门|营业|办公)|你们几点|物业几点/,
  /(?:怎么|如何|怎样|在哪|哪里|去哪).{0,4}(?:交|缴|付|办理|申请|预约|登记|开通|领取|停车|注册|联系)/,
  /物业费|管理费|停车费|车位费|水电费|收费标准|多少钱|怎么收费|费用是多少/,
  /(?:电话|联系方式|手机号)(?:是)?多少|服务中心在哪|物业(?:办公室)?在哪|办公室在哪/,
  /\b(?:office|opening|business|working) hours\b|\bwhen (?:are|is) (?:you|the office|the management)\b.*\bopen\b/i,
  /\bhow (?:do|can|should) (?:i|we) (?:pay|apply|register|book|get|contact|reach|sign up|renew)\b|\bhow to (?:pay|apply|register|book)\b/i,
  /\b(?:management|service|property|parking) (?:fee|fees|charge|charges)\b|\bhow much (?:is|are|does|do)\b/i,
  /\bwhere (?:is|can i find) (?:the )?(?:management |property |service )?(?:office|centre|center)\b|\bphone number\b/i,
];
/** A question about a problem (why …?) is a complaint however it is put. */
const COMPLAINT_QUESTION = /为什么|为啥|怎么又|怎么还|凭什么|\bwhy\b/i;

/** Whether a question asks us for information rather than telling us of a problem. */
export function asksForInformation(text: string): boolean {
  const s = toHalfWidth(cleanText(text));
  return readsAsQuestion(s) && !COMPLAINT_QUESTION.test(s) && ENQUIRY_TOPICS.some((re) => re.test(s));
}

/**
 * Whether what was typed at a step that reads its answer this way is a question for us, to be answered
 * (passed to the service centre) while the same question is asked again, instead of being stored.
 */
export function isQuestionFor(text: string, reading: FieldReading): boolean {
  switch (reading) {
    case 'name':
    case 'value':
      return readsAsQuestion(text);
    case 'report':
      return asksForInformation(text);
    case 'reply':
      return false;
  }
}

/** The longest name the name step takes. */
export const NAME_MAX = 20;

/** 我叫李明 / my name is Li Ming / 姓名：李明 → 李明. */
const NAME_LEAD =
  /^(?:我叫|我的名字(?:是|叫)|名字(?:是|叫)|姓名[:：]?|本人|my name is|my name's|name[:：]|i am|i'm|this is)\s*/i;
/** Marks of a sentence, not a name: sentence punctuation, or words a name does not hold. */
const SENTENCE = /[，,。！!？?；;：:]|漏水|坏了|报修|投诉|问题|谢谢|你们|我们|我家|一下|[了吗呢吧]$/;

/**
 * A person's name: at most {@link NAME_MAX} characters, with a letter, not a sentence (我家漏水了), at most
 * four words; a leading 我叫 / my name is is dropped. Each refusal names what was wrong.
 */
export function checkName(text: string): Checked {
  const clean = cleanText(text).replace(NAME_LEAD, '').trim();
  const length = [...clean].length;
  if (length === 0) return { ok: false, error: 'input.empty' };
  if (!/\p{L}/u.test(clean)) return { ok: false, error: 'input.name_letters' };
  if (length > NAME_MAX) return { ok: false, error: 'input.name_too_long', params: { max: NAME_MAX } };
  if (SENTENCE.test(clean) || clean.split(/\s+/).length > 4) return { ok: false, error: 'input.name_sentence' };
  return { ok: true, value: clean };
}

/**
 * Reads a typed place: a flat written any of the usual ways, else a public area. `known` says whether the
 * text matched a form we know (a flat, or a public place such as 地下车库 or 2号楼电梯); an unknown place
 * is read back to the owner before it is kept (李先生 at the place question is not a place).
 */
export function readPlace(text: string): { value: EstateLocation; known: boolean } {
  const clean = cleanText(text);
  const flat = findFlat(clean) ?? parseUnit(clean);
  if (flat) return { value: flat, known: true };
  return { value: { kind: 'public', description: clean }, known: findPublicArea(clean) !== undefined };
}
