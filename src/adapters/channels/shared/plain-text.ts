/**
 * Messages as plain text, for the channels that have no buttons (personal WeChat, the Service Account's
 * 客服消息): the text, then its choices — an owner's numbered (`1. 🔧 报修`, answered by typing the number
 * or the words, which the engine maps back to the button), staff actions as the lines staff type — and
 * long texts split to a channel's safe length. Pure: no platform, no I/O.
 *
 * Staff buttons become the lines staff type, never numbers: the staff room is shared, so "the latest
 * message's first choice" is whatever the bot said last to anyone (an enquiry item's number was read by
 * nobody; a notice's only while its summary was the room's latest message).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { commandWord, STAFF_VOCABULARY, type StaffCommand, staffCommandOf } from '../../../core/desk/vocabulary.js';
import { decodeStaffButton, isStaffButtonData } from '../../../core/protocol/buttons.js';
import { decodeEnquiryButton } from '../../../core/protocol/enquiry-buttons.js';
import { decodeNoticeButton, type NoticeStaffAction } from '../../../core/protocol/notice-buttons.js';
import type { Button, OutboundMessage } from '../../../core/types.js';

/** The longest text sent as one personal-WeChat message, in UTF-16 code units (WeChat's own limit is higher). */
export const MAX_TEXT = 2000;

const HAN = /\p{Script=Han}/u;

/** A label without its leading emoji, marks and spaces ("✓ 加急" → "加急", "✋ 受理" → "受理"). */
export function bareLabel(label: string): string {
  return label.replace(/^[^\p{L}\p{N}]+/u, '').trim();
}

/**
 * A staff button (`s|<action>|<ticket>[|<arg>]`) as the line a staff member types instead:
 * `✋ 受理：T261128-0007 接单`. The command words are the staff vocabulary's, in the label's language (the
 * staff room's). Undefined for buttons that have no typed equivalent (closing the judging menu).
 */
export function staffCommandLine(button: Button): string | undefined {
  const decoded = decodeStaffButton(button.data);
  if (!decoded || decoded.type === 'survey') return undefined;
  const number = decoded.number;
  const zh = HAN.test(button.label);
  const word = (command: StaffCommand) => commandWord(command, zh ? 'zh' : 'en');
  const colon = zh ? '：' : ': ';
  const more = ' …';
  let command: string;
  switch (decoded.type) {
    case 'judge':
      // The judging choices: the value's own label is what the desk reads (加急, 开发商 …).
      command = `${number} ${word('judge')} ${bareLabel(button.label)}`;
      break;
    case 'judge_menu':
      if (decoded.menu === 'done') return undefined;
      command = `${number} ${word('judge')}${more}`;
      break;
    case 'handover':
      command = `${number} ${word('handover')} ${bareLabel(button.label)}`;
      break;
    case 'action': {
      // A button's action is the command of the same name (s|accept|… → accept).
      const named = staffCommandOf(decoded.action);
      if (named !== decoded.action) return undefined;
      command = `${number} ${word(named)}${STAFF_VOCABULARY[named].text ? more : ''}`;
    }
  }
  return `${button.label}${colon}${command}`;
}

/**
 * An enquiry's staff button as the line typed in the staff room instead: `💬 回答：Q012 <您的回答>` (the
 * answer after the reference reaches the owner) and `📚 存入知识库：Q012 存入知识库`, in the label's language.
 * Undefined for the owner's buttons (是 / 不是, answered by number).
 */
export function enquiryCommandLine(button: Button): string | undefined {
  const decoded = decodeEnquiryButton(button.data);
  if (decoded?.audience !== 'staff') return undefined;
  const zh = HAN.test(button.label);
  const words = zh ? ENQUIRY_WORDS.zh : ENQUIRY_WORDS.en;
  return `${button.label}${zh ? '：' : ': '}${decoded.id} ${words[decoded.action]}`;
}

/** What follows an item's reference: a placeholder for the answer, or the words that save it (app/enquiries/learning.ts). */
const ENQUIRY_WORDS = {
  zh: { answer: '<您的回答>', learn: '存入知识库' },
  en: { answer: '<your answer>', learn: 'save to knowledge' },
} as const;

/** The `/notice` command of each staff button (a draft's 作废 is `cancel`, as the button is). */
const NOTICE_COMMANDS: Record<NoticeStaffAction, (id: string) => string> = {
  preview: (id) => `/notice preview ${id}`,
  publish: (id) => `/notice publish ${id}`,
  discard: (id) => `/notice cancel ${id}`,
  status: (id) => `/notice ${id}`,
};

/**
 * A notice's staff button as its `/notice` command: `📢 发布：/notice publish N001`. The verbs are the
 * English ones the notices' own texts teach in both languages (`/notice publish {{id}}`). Undefined for
 * the owners' ✅ and the guided questions' choices (answered by number).
 */
export function noticeCommandLine(button: Button): string | undefined {
  const decoded = decodeNoticeButton(button.data);
  if (decoded?.type !== 'staff') return undefined;
  return `${button.label}${HAN.test(button.label) ? '：' : ': '}${NOTICE_COMMANDS[decoded.action](decoded.noticeId)}`;
}

/** Whether a button is a staff action (typed in the room) rather than a choice answered by its number. */
function isStaffAction(data: string): boolean {
  return (
    isStaffButtonData(data) ||
    decodeEnquiryButton(data)?.audience === 'staff' ||
    decodeNoticeButton(data)?.type === 'staff'
  );
}

/**
 * A message as WeChat text: the text, then its choices. An owner's choices are numbered (`1. 🔧 报修`),
 * answered by typing the number or the words; staff actions (a ticket card's, an enquiry item's, a
 * notice's) are the commands to type.
 */
export function renderText(message: Pick<OutboundMessage, 'text' | 'buttons'>): string {
  const buttons = message.buttons?.flat() ?? [];
  if (buttons.length === 0) return message.text;
  const lines: string[] = [];
  let n = 0;
  for (const button of buttons) {
    if (isStaffAction(button.data)) {
      const line = staffCommandLine(button) ?? enquiryCommandLine(button) ?? noticeCommandLine(button);
      if (line) lines.push(line);
      continue;
    }
    n += 1;
    lines.push(`${n}. ${button.label}`);
  }
  if (lines.length === 0) return message.text;
  return message.text.trim() === '' ? lines.join('\n') : `${message.text}\n\n${lines.join('\n')}`;
}

/** Sentence ends where a Chinese text may be cut when it has no line breaks or spaces. */
const SENTENCE_END = /[。！？；!?;]/g;

/**
 * A text split into parts of at most `max` UTF-16 code units: at a blank line or a line break in the
 * last third of a part if there is one, else after a sentence end, else at a space, else anywhere (never
 * inside a surrogate pair). Breaks at a cut are dropped; nothing else is lost.
 */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  const floor = Math.floor(max * (2 / 3));
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf('\n\n');
    let skip = 2;
    if (cut < floor) {
      cut = window.lastIndexOf('\n');
      skip = 1;
    }
    if (cut < floor) {
      cut = lastSentenceEnd(window);
      skip = 0;
    }
    if (cut < floor) {
      cut = window.lastIndexOf(' ');
      skip = 1;
    }
    if (cut < floor) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      skip = 0;
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip).replace(/^\n+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** The index just after the last sentence end in `text`, or -1. */
function lastSentenceEnd(text: string): number {
  let at = -1;
  for (const m of text.matchAll(SENTENCE_END)) at = (m.index ?? -1) + m[0].length;
  return at;
}

/**
 * The local file behind a photo reference, or undefined when it is not one of ours: only files under
 * `<dataDir>/attachments/` are sent (a ticket from another channel holds that platform's file ids).
 */
export function localPhotoPath(ref: string, dataDir: string): string | undefined {
  if (!isAbsolute(ref) && !ref.startsWith('.')) return undefined;
  const root = resolve(dataDir, 'attachments');
  const path = resolve(ref);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return path;
}
