/**
 * Staff's `/notice …` commands, read from the staff group, a staff member's private chat or
 * `npm run notice -- …`, and the one-line form that drafts a notice in one message:
 *
 *   /notice 停水 3,5,7 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for mains repairs.
 *   /notice <kind> <target> <period> [紧急|urgent] [发送=<time>|send=<time>] [不提醒|noremind] <text> [EN: <text>]
 *
 * and `/notice` (guided, one question at a time), `/notice list`, `/notice N001` (its sent / read counts),
 * `/notice preview|publish N001`, `/notice correct N001 <text>`, `/notice cancel N001 [reason]`, `/notice help`.
 * Chinese verbs work too (列表 预览 发布 更正 撤回). Expected mistakes are values naming what was wrong.
 */
import { toHalfWidth } from '../location.js';
import type { NoticeKind, NoticeTarget } from '../ports/notices.js';
import type { Locale } from '../types.js';
import { kindOf, mayBeUrgent, URGENT_WORDS } from './kinds.js';
import { NOTICE_ID, normaliseNoticeId } from './lifecycle.js';
import { parseTarget } from './target.js';
import { readInstant, readPeriod } from './when.js';

/** The longest text of one language, in characters (a notice is read on a phone). */
export const NOTICE_TEXT_MAX = 1000;

/** A notice as the one-line form (or the guided questions) describe it, checked and ready to draft. */
export interface NoticeDraft {
  kind: NoticeKind;
  urgent: boolean;
  target: NoticeTarget;
  validFrom: Date;
  validTo: Date;
  sendAt?: Date;
  text: Partial<Record<Locale, string>>;
  /** Outages: no reminder to unread owners the day before. */
  noReminder: boolean;
}

/** What was wrong with a notice as typed. */
export type NoticeProblem =
  | 'unknown_kind'
  | 'bad_target'
  | 'bad_period'
  | 'period_order'
  | 'period_past'
  | 'bad_send'
  | 'send_after_end'
  | 'no_text'
  | 'too_long'
  | 'urgent_not_allowed';

export type NoticeCommand =
  | { action: 'help' }
  | { action: 'compose' }
  | { action: 'list' }
  | { action: 'show' | 'preview' | 'publish'; id: string }
  | { action: 'cancel'; id: string; reason?: string }
  | { action: 'correct'; id: string; text: Partial<Record<Locale, string>> }
  | { action: 'create'; draft: NoticeDraft }
  | { action: 'invalid'; problem: NoticeProblem; detail?: string };

const VERBS: Record<string, 'help' | 'list' | 'preview' | 'publish' | 'cancel' | 'correct'> = {
  help: 'help',
  帮助: 'help',
  list: 'list',
  列表: 'list',
  preview: 'preview',
  预览: 'preview',
  publish: 'publish',
  发布: 'publish',
  cancel: 'cancel',
  撤回: 'cancel',
  取消: 'cancel',
  correct: 'correct',
  更正: 'correct',
};

const HAN = /\p{Script=Han}/u;
const EN_MARK = /\s*(?:^|\s)(?:EN|en|英文)\s*[:：]\s*/;
const SEND = /^(?:send|发送|发送时间)\s*[=＝:：]\s*/i;
const NO_REMINDER = new Set(['不提醒', 'noremind', 'no-remind']);

/** The command word of a `/notice` command (also `/notice@bot`, `/notices`, `/通知`); undefined for other text. */
function headOf(text: string): string | undefined {
  const head = (text.trim().split(/\s+/)[0] ?? '').toLowerCase().replace(/@\w+$/, '');
  return ['/notice', '/notices', '/通知', '/公告'].includes(head) ? head : undefined;
}

/**
 * Reads a `/notice …` command; undefined when the text is not one. Dates are read in `zone` relative to
 * `now`, and a draft is checked here (its period ahead, its send time before the end) so a mistake is
 * answered before anything is stored.
 */
export function parseNoticeCommand(text: string, now: Date, zone: string): NoticeCommand | undefined {
  const head = headOf(text);
  if (!head) return undefined;
  const body = text.trim().slice(text.trim().split(/\s+/)[0]!.length).trim();
  if (body === '') return head === '/notices' ? { action: 'list' } : { action: 'compose' };
  const [first = '', ...more] = body.split(/\s+/);
  const verb = VERBS[first.toLowerCase()];
  const afterFirst = body.slice(first.length).trim();
  if (NOTICE_ID.test(normaliseNoticeId(first)) && more.length === 0) {
    return { action: 'show', id: normaliseNoticeId(first) };
  }
  if (verb === 'help' || verb === 'list') return { action: verb };
  if (verb) {
    const [idWord = '', ...restWords] = afterFirst.split(/\s+/);
    const id = normaliseNoticeId(idWord);
    if (!NOTICE_ID.test(id)) return { action: 'help' };
    const rest = afterFirst.slice(idWord.length).trim();
    if (verb === 'preview' || verb === 'publish') return { action: verb, id };
    if (verb === 'cancel') return { action: 'cancel', id, ...(rest ? { reason: rest } : {}) };
    if (restWords.length === 0 || rest === '') return { action: 'invalid', problem: 'no_text' };
    const split = splitLanguages(rest);
    return split.ok ? { action: 'correct', id, text: split.text } : { action: 'invalid', problem: split.problem };
  }
  const result = parseDraftLine(body, now, zone);
  return result.ok ? { action: 'create', draft: result.draft } : { action: 'invalid', ...result.error };
}

export type DraftResult =
  | { ok: true; draft: NoticeDraft }
  | { ok: false; error: { problem: NoticeProblem; detail?: string } };

/** The one-line form without `/notice`: `<kind> <target> <period> [options] <text>`. */
export function parseDraftLine(line: string, now: Date, zone: string): DraftResult {
  const fail = (problem: NoticeProblem, detail?: string): DraftResult => ({
    ok: false,
    error: { problem, ...(detail !== undefined ? { detail } : {}) },
  });
  // Read on half-width digits and dashes (same length), the words kept as typed (——, ２０２６ in the text).
  const typed = line.trim();
  let s = toHalfWidth(typed);
  const [kindWord = ''] = s.split(/\s+/);
  const kind = kindOf(kindWord);
  if (!kind) return fail('unknown_kind', kindWord);
  s = s.slice(kindWord.length).trim();
  const [targetWord = ''] = s.split(/\s+/);
  const target = parseTarget(targetWord);
  if (!target) return fail('bad_target', targetWord);
  s = s.slice(targetWord.length).trim();
  const period = readPeriod(s, now, zone);
  if (!period) return fail('bad_period', s.split(/\s+/)[0] ?? '');
  s = period.rest;
  let urgent = kind === 'weather';
  let noReminder = false;
  let sendAt: Date | undefined;
  for (;;) {
    const [word = ''] = s.split(/\s+/);
    if (URGENT_WORDS.includes(word.toLowerCase())) {
      if (!mayBeUrgent(kind)) return fail('urgent_not_allowed');
      urgent = true;
    } else if (NO_REMINDER.has(word.toLowerCase())) noReminder = true;
    else if (SEND.test(s)) {
      const value = s.replace(SEND, '').replace(/^(\d{4}-\d{1,2}-\d{1,2})T(?=\d)/, '$1 ');
      const read = readInstant(value, now, zone);
      if (!read) return fail('bad_send', value.split(/\s+/)[0] ?? '');
      sendAt = read.at.getTime() > now.getTime() ? read.at : undefined;
      s = read.rest;
      continue;
    } else break;
    s = s.slice(word.length).trim();
  }
  const checked = checkTimes(period.from, period.to, sendAt, now);
  if (checked) return fail(checked);
  const split = splitLanguages(typed.slice(typed.length - s.length));
  if (!split.ok) return fail(split.problem);
  return {
    ok: true,
    draft: {
      kind,
      urgent,
      target,
      validFrom: period.from,
      validTo: period.to,
      ...(sendAt ? { sendAt } : {}),
      text: split.text,
      noReminder,
    },
  };
}

/** The checks every draft's times pass: an end after the start and after now, sent before it ends. */
export function checkTimes(from: Date, to: Date, sendAt: Date | undefined, now: Date): NoticeProblem | undefined {
  if (to.getTime() <= from.getTime()) return 'period_order';
  if (to.getTime() <= now.getTime()) return 'period_past';
  if (sendAt && sendAt.getTime() >= to.getTime()) return 'send_after_end';
  return undefined;
}

/**
 * A notice's words, once per language: `中文… EN: English…`. A text without Chinese characters and without
 * a second part is English only.
 */
export function splitLanguages(
  text: string,
): { ok: true; text: Partial<Record<Locale, string>> } | { ok: false; problem: 'no_text' | 'too_long' } {
  const [main = '', ...others] = text.trim().split(EN_MARK);
  const first = main.trim();
  const english = others.join(' ').trim();
  const out: Partial<Record<Locale, string>> = {};
  if (first) {
    if (english || HAN.test(first)) out['zh-CN'] = first;
    else out.en = first;
  }
  if (english) out.en = english;
  if (!out['zh-CN'] && !out.en) return { ok: false, problem: 'no_text' };
  if (Object.values(out).some((t) => [...t].length > NOTICE_TEXT_MAX)) return { ok: false, problem: 'too_long' };
  return { ok: true, text: out };
}
