/**
 * The pure half of the WeCom channel's sending side: a message as WeCom's smart bot sends it (a template
 * card when it has buttons, markdown otherwise), the card's task id, and WeCom's answers as Delivery
 * values.
 *
 * A button-interaction card holds at most six buttons (模板卡片类型: `button_list` 列表长度不超过6), with
 * keys up to 1,024 bytes: a message's buttons keep their data as keys, so the staff desk reads a click
 * exactly as it reads a Telegram button. Beyond six, the first five stay buttons and the rest (up to ten)
 * go in the card's drop-down (`button_selection`) with a ▶ button that submits the choice; up to three
 * more go in the card's top-right menu (`action_menu`). Nothing past eighteen fits: those are left off and
 * counted (a judging card, the longest, has eighteen).
 */
import { randomBytes } from 'node:crypto';
import type { TemplateCard, TemplateCardButton } from '@wecom/aibot-node-sdk';
import type { Delivery } from '../../../core/ports/channels.js';
import type { Button, OutboundMessage } from '../../../core/types.js';
import { MORE_KEY, MORE_QUESTION } from './inbound.js';

/** Buttons a card shows (WeCom's limit). */
export const MAX_BUTTONS = 6;
/** Options of a card's drop-down (WeCom's limit). */
export const MAX_OPTIONS = 10;
/** Items of a card's top-right menu (WeCom's limit). */
export const MAX_MENU = 3;
/** A markdown message's limit, in UTF-8 bytes (20,480); kept under it with room to spare. */
export const MAX_MARKDOWN_BYTES = 20_000;
/** The card's title: WeCom suggests 26 characters at most; the rest of a long first line goes below. */
const MAX_TITLE = 26;
/** A key or option id WeCom accepts (1,024 bytes for keys, 128 for option ids). */
const MAX_OPTION_ID_BYTES = 128;

/** A new card's task id: unique per bot, from digits, letters and `_-@`, at most 128 bytes. */
export function newTaskId(now: number): string {
  return `c${now.toString(36)}_${randomBytes(6).toString('hex')}`;
}

/** What a message becomes: a template card, or markdown messages (a long text in several). */
export type WecomBody =
  | { msgtype: 'template_card'; template_card: TemplateCard; dropped: number }
  | { msgtype: 'markdown'; parts: string[] };

/**
 * A message as WeCom sends it. `taskId` names a card (a new one's, or the card an update replaces:
 * WeCom keeps the id it was sent under). `mentions` become WeCom's `<@userid>` where the text names them.
 */
export function toBody(message: Pick<OutboundMessage, 'text' | 'buttons' | 'mentions'>, taskId: string): WecomBody {
  const buttons = message.buttons?.flat() ?? [];
  if (buttons.length === 0)
    return { msgtype: 'markdown', parts: splitBytes(withMentions(message), MAX_MARKDOWN_BYTES) };
  const { card, dropped } = buttonCard(message.text, buttons, taskId);
  return { msgtype: 'template_card', template_card: card, dropped };
}

/** A card for a message that has no buttons (an update must be a card): its text alone. */
export function textCard(text: string, taskId: string): TemplateCard {
  return buttonCard(text, [], taskId).card;
}

function buttonCard(text: string, buttons: readonly Button[], taskId: string): { card: TemplateCard; dropped: number } {
  const [first = '', ...rest] = text.split('\n');
  const chars = [...first];
  const title = chars.slice(0, MAX_TITLE).join('');
  const overflow = chars.length > MAX_TITLE ? [chars.slice(MAX_TITLE).join('')] : [];
  const body = [...overflow, ...rest].join('\n').trim();
  const fits = buttons.length <= MAX_BUTTONS;
  const shown = fits ? buttons : buttons.slice(0, MAX_BUTTONS - 1);
  const more = fits ? [] : buttons.slice(MAX_BUTTONS - 1).filter((b) => byteLength(b.data) <= MAX_OPTION_ID_BYTES);
  const options = more.slice(0, MAX_OPTIONS);
  const menu = more.slice(MAX_OPTIONS, MAX_OPTIONS + MAX_MENU);
  const button_list: TemplateCardButton[] = shown.map((b) => ({ text: b.label, style: 1, key: b.data }));
  if (options.length > 0) button_list.push({ text: '▶', style: 1, key: MORE_KEY });
  const card: TemplateCard = {
    card_type: 'button_interaction',
    main_title: { title },
    ...(body ? { sub_title_text: body } : {}),
    ...(options.length > 0
      ? {
          button_selection: {
            question_key: MORE_QUESTION,
            option_list: options.map((b) => ({ id: b.data, text: b.label })),
          },
        }
      : {}),
    ...(menu.length > 0
      ? { action_menu: { desc: '…', action_list: menu.map((b) => ({ text: b.label, key: b.data })) } }
      : {}),
    button_list,
    task_id: taskId,
  };
  return { card, dropped: buttons.length - shown.length - options.length - menu.length };
}

/** The text with each mentioned person's "@name" as WeCom's `<@userid>`, which notifies them. */
function withMentions(message: Pick<OutboundMessage, 'text' | 'mentions'>): string {
  let text = message.text;
  for (const m of message.mentions ?? []) {
    if (/^[\w.@-]{1,64}$/.test(m.userId)) text = text.replace(`@${m.name}`, `<@${m.userId}>`);
  }
  return text;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A text in pieces of at most `max` UTF-8 bytes, cut at a line break where there is one. */
export function splitBytes(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (byteLength(rest) > max) {
    let cut = 0;
    let bytes = 0;
    for (const ch of rest) {
      const size = byteLength(ch);
      if (bytes + size > max) break;
      bytes += size;
      cut += ch.length;
    }
    const newline = rest.lastIndexOf('\n', cut);
    const at = newline > cut / 2 ? newline + 1 : cut;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at);
  }
  if (rest.trim() !== '' || parts.length === 0) parts.push(rest);
  return parts;
}

// ── WeCom's answers ─────────────────────────────────────────────────────────

/** WeCom's own limit on one conversation (30 a minute, 1,000 an hour) or on calls: wait, do not count it. */
const RATE_LIMITED = new Set([45009, 45033, 45047]);
/** The message itself is wrong (an unsupported type, empty, too long): sending it again cannot help. */
const BAD_MESSAGE = new Set([40008, 44004, 45002]);

/** A failure the SDK reports: an answer frame with an errcode, or an Error (not connected, no answer). */
export function classifyFailure(error: unknown): Exclude<Delivery, { status: 'sent' }> {
  if (typeof error === 'object' && error !== null && typeof (error as { errcode?: unknown }).errcode === 'number') {
    const { errcode, errmsg } = error as { errcode: number; errmsg?: unknown };
    const reason = `WeCom errcode ${errcode}${typeof errmsg === 'string' && errmsg ? ` (${errmsg.slice(0, 120)})` : ''}`;
    if (RATE_LIMITED.has(errcode)) return { status: 'rate_limited', retryAfterMs: 60_000, reason, scope: 'chat' };
    if (BAD_MESSAGE.has(errcode)) return { status: 'rejected', reason };
    // Anything else is about the chat or the bot (not in the group, no one has @mentioned it there yet,
    // the bot disabled …): the adapter decides what that means for the chat it sent to.
    return { status: 'transient', reason };
  }
  const message = error instanceof Error ? error.message : String(error);
  // The SDK waits 5 s for WeCom's answer: after that the message may or may not have gone.
  if (/ack timeout/i.test(message)) return { status: 'unknown', reason: 'WeCom did not answer within 5 s' };
  return { status: 'transient', reason: message.slice(0, 200) };
}

/** Whether a failure is WeCom refusing the chat (an errcode, not one about the message or the rate). */
export function isChatRefusal(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && !RATE_LIMITED.has(errcode) && !BAD_MESSAGE.has(errcode);
}
