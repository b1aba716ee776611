/**
 * WeCom smart-bot callbacks → `Inbound`: the pure half of the WeCom channel's receiving side.
 *
 * Over the long connection WeCom pushes `aibot_msg_callback` (a message: in a group only those that
 * @mention the bot) and `aibot_event_callback` (a click on a template card's button, entering a chat …).
 * Messages in the staff group (WECOM_STAFF_CHAT_ID) are staff messages; another group is a group
 * residesk ignores after one notice; a single chat with the bot is a private chat (staff may type their
 * commands there, as in Telegram). The callback's `msgid` ("本次回调的唯一性标志 … 据此进行事件排重") is
 * the dedupe key, so a callback pushed twice is a duplicate the application skips.
 *
 * A quote carries the quoted message's text, not its id: a quote naming exactly one ticket gives that
 * ticket (`Inbound.quotedTicket`), a quote of a 咨询 item that item, as the WeChat room reads them.
 * Nothing here trusts the callback: every field is checked before it is used.
 */
import type { ChatKind, Inbound, InboundContent } from '../../../core/types.js';

/** The parts of a callback body residesk reads (WeCom sends more; the rest is ignored). */
export interface WecomBody {
  msgid?: unknown;
  aibotid?: unknown;
  chatid?: unknown;
  chattype?: unknown;
  from?: { userid?: unknown };
  msgtype?: unknown;
  text?: { content?: unknown };
  mixed?: { msg_item?: unknown };
  quote?: WecomQuote;
  event?: {
    eventtype?: unknown;
    template_card_event?: {
      event_key?: unknown;
      task_id?: unknown;
      selected_items?: { selected_item?: unknown };
    };
  };
}

interface WecomQuote {
  msgtype?: unknown;
  text?: { content?: unknown };
  mixed?: { msg_item?: unknown };
  voice?: { content?: unknown };
}

export interface MapContext {
  /** WECOM_STAFF_CHAT_ID: messages from this group are staff messages. */
  staffChatId: string;
  receivedAt: Date;
  /** WECOM_STAFF_NAMES: the sender's name where known (WeCom gives only the userid). */
  names?: ReadonlyMap<string, string>;
}

/** The sender's name from WECOM_STAFF_NAMES, as Inbound's `userName`. */
const nameOf = (ctx: MapContext, userId: string) => {
  const name = ctx.names?.get(userId);
  return name ? { userName: name } : {};
};

/**
 * The button key that submits the card's drop-down (the actions beyond the six buttons a card holds):
 * the chosen option's id is the button's data. See outbound.ts.
 */
export const MORE_KEY = 'more';
/** The question key of that drop-down. */
export const MORE_QUESTION = 'more_q';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Where a callback belongs, or undefined when it names no sender. */
export function routeOf(
  body: WecomBody,
  staffChatId: string,
): { chatKind: ChatKind; chatId: string; userId: string } | undefined {
  const userId = str(body.from?.userid);
  if (!userId) return undefined;
  const chatId = str(body.chatid);
  if (body.chattype === 'group') {
    if (!chatId) return undefined;
    return { chatKind: chatId === staffChatId ? 'staff' : 'group', chatId, userId };
  }
  return { chatKind: 'private', chatId: userId, userId };
}

/** Leading and trailing "@name" mentions (of the bot: a group only pushes messages that mention it). */
const LEADING_MENTIONS = /^(?:\s*@[^\s\u2005]+(?:[\u2005 ]+|$))+/;
const TRAILING_MENTIONS = /(?:[\u2005 ]+@[^\s\u2005]+)+\s*$/;

/** A group text as the desk should read it: the @mentions of the bot dropped. */
export function stripMentions(text: string): string {
  return text.replace(LEADING_MENTIONS, '').replace(TRAILING_MENTIONS, '').trim();
}

/** The text items of a mixed (图文混排) message, joined. */
function mixedText(items: unknown): string | undefined {
  if (!Array.isArray(items)) return undefined;
  const texts = items
    .map((item) => (item as { msgtype?: unknown; text?: { content?: unknown } } | null)?.text?.content)
    .filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** What a message says; staff act by typing, so only its text counts (a group pushes no pictures alone). */
export function contentOf(body: WecomBody): InboundContent | undefined {
  switch (body.msgtype) {
    case 'text': {
      const text = str(body.text?.content);
      return text === undefined ? undefined : { type: 'text', text: stripMentions(text) };
    }
    case 'mixed': {
      const text = mixedText(body.mixed?.msg_item);
      return text === undefined ? { type: 'unsupported', what: 'other' } : { type: 'text', text: stripMentions(text) };
    }
    case 'voice':
      return { type: 'unsupported', what: 'voice' };
    case 'image':
      return { type: 'unsupported', what: 'other' };
    case 'file':
      return { type: 'unsupported', what: 'document' };
    case 'video':
      return { type: 'unsupported', what: 'video' };
    default:
      return undefined;
  }
}

const TICKET_NUMBERS = /T\d{6}-\d{4,}/gi;
/** A 咨询 or 转人工 item's reference (Q001), as the front door heads its staff-room message with it. */
const ITEM_REFERENCE = /(?<![A-Za-z0-9])Q(\d{3,6})(?![\d-])/;

/** The quoted text, whatever kind of message was quoted. */
function quotedText(quote: WecomQuote | undefined): string | undefined {
  if (!quote) return undefined;
  return str(quote.text?.content) ?? mixedText(quote.mixed?.msg_item) ?? str(quote.voice?.content);
}

/**
 * What a quote names: a 咨询 item when its first line names one and it names it again (how the item tells
 * staff to answer it), else the one ticket it names; nothing for a quote naming none or several (staff
 * talking). The same reading as the WeChat room's, so the desk decides the same way on every channel.
 */
export function readQuote(quote: WecomQuote | undefined): { quotedTicket?: string; quotedItem?: string } {
  const quoted = quotedText(quote);
  if (!quoted) return {};
  const item = quoted.trimStart().split('\n', 1)[0]?.match(ITEM_REFERENCE)?.[1];
  if (item) {
    const ref = `Q${item}`;
    return quoted.split(ref).length > 2 ? { quotedItem: ref } : {};
  }
  const numbers = [...new Set((quoted.match(TICKET_NUMBERS) ?? []).map((n) => n.toUpperCase()))];
  const [number] = numbers;
  return numbers.length === 1 && number ? { quotedTicket: number } : {};
}

/** The Inbound for a message callback, or undefined when residesk has nothing to do with it. */
export function messageToInbound(body: WecomBody, ctx: MapContext): Inbound | undefined {
  const messageId = str(body.msgid);
  const route = routeOf(body, ctx.staffChatId);
  if (!messageId || !route) return undefined;
  const content = contentOf(body);
  if (!content) return undefined;
  return {
    channel: 'wecom',
    chatId: route.chatId,
    chatKind: route.chatKind,
    userId: route.userId,
    ...nameOf(ctx, route.userId),
    messageId,
    receivedAt: ctx.receivedAt,
    content,
    ...readQuote(body.quote),
  };
}

/** A click on a template card: the button's data, the card it was on and who clicked. */
export interface CardClick {
  inbound: Inbound;
  /** The card's task_id (what residesk sent it under: its platform message id). */
  taskId: string;
}

/** The drop-down's chosen option (the data of an action beyond the card's buttons), if any. */
function chosenOption(selected: unknown): string | undefined {
  const list = (selected as { selected_item?: unknown } | undefined)?.selected_item;
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    const { question_key, option_ids } = (item ?? {}) as {
      question_key?: unknown;
      option_ids?: { option_id?: unknown };
    };
    if (question_key !== MORE_QUESTION) continue;
    const ids = option_ids?.option_id;
    if (Array.isArray(ids) && typeof ids[0] === 'string' && ids[0] !== '') return ids[0];
  }
  return undefined;
}

/**
 * The Inbound for an event callback: a template card's button (or drop-down) click. Other events
 * (entering a single chat, feedback, the connection being taken over) are not messages: undefined.
 */
export function eventToClick(body: WecomBody, ctx: MapContext): CardClick | undefined {
  const event = body.event;
  if (event?.eventtype !== 'template_card_event') return undefined;
  const card = event.template_card_event;
  const messageId = str(body.msgid);
  const taskId = str(card?.task_id);
  const key = str(card?.event_key);
  const route = routeOf(body, ctx.staffChatId);
  if (!messageId || !taskId || !key || !route) return undefined;
  const data = key === MORE_KEY ? chosenOption(card?.selected_items) : key;
  if (!data) return undefined;
  return {
    taskId,
    inbound: {
      channel: 'wecom',
      chatId: route.chatId,
      chatKind: route.chatKind,
      userId: route.userId,
      ...nameOf(ctx, route.userId),
      messageId,
      sourceMessage: taskId,
      receivedAt: ctx.receivedAt,
      content: { type: 'button', data },
    },
  };
}
