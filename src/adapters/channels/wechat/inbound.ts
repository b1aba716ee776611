/**
 * WeChat messages → `Inbound`: the pure half of the WeChat channel's receiving side.
 *
 * The channel reads what it needs from a wechaty `Message` into a plain {@link WxMessage} and hands it
 * here. Owners write in one-to-one chats; staff write in the one staff room; every other room, the bot's
 * own messages, official accounts and system notices are ignored. WeChat's quote format (a quoted
 * message arrives as text, `「name：quoted」` over a dashed line over the reply) is read here too: an
 * owner's quote is dropped so that a typed number still answers the question, and a staff member's quote
 * of a ticket's card names that ticket (`Inbound.quotedTicket`, see {@link readStaffText}), of a 咨询
 * item that item (`Inbound.quotedItem`); what the text under a card's quote means (a command on the ticket or a reply to its owner) is the staff desk's decision.
 * Nothing here does I/O: saving an image is the channel's job; its path comes in as `photoRef`.
 */
import { extname, join } from 'node:path';
import type { ChatKind, Inbound, InboundContent, UnsupportedKind } from '../../../core/types.js';

/** Message types as wechaty-puppet 1.x numbers them (`types.Message`); a test checks they still match. */
export const WX_MESSAGE = {
  Unknown: 0,
  Attachment: 1,
  Audio: 2,
  Contact: 3,
  ChatHistory: 4,
  Emoticon: 5,
  Image: 6,
  Text: 7,
  Location: 8,
  MiniProgram: 9,
  GroupNote: 10,
  Transfer: 11,
  RedEnvelope: 12,
  Recalled: 13,
  Url: 14,
  Video: 15,
  Post: 16,
} as const;

/** Contact types as wechaty-puppet 1.x numbers them (`types.Contact`). */
export const WX_CONTACT = { Unknown: 0, Individual: 1, Official: 2, Corporation: 3 } as const;

/** Accounts WeChat itself talks through (web protocol): never owners. */
const SYSTEM_ACCOUNTS = new Set([
  'filehelper',
  'weixin',
  'fmessage',
  'newsapp',
  'medianote',
  'floatbottle',
  'qmessage',
]);

/** What the channel reads from one wechaty Message, as plain data. */
export interface WxMessage {
  id: string;
  /** Sent by the bot's own account (through the bot, or by a person on its phone). */
  self: boolean;
  /** One of {@link WX_MESSAGE}. */
  type: number;
  text: string;
  talkerId: string;
  talkerName?: string;
  /** One of {@link WX_CONTACT}, where the puppet knows it. */
  talkerType?: number;
  /** The room the message was said in; absent in a one-to-one chat. */
  roomId?: string;
}

export interface MapContext {
  /**
   * The staff room: `chatId` is the id the application knows it by (WECHAT_STAFF_ROOM as configured);
   * `roomId` is the platform's id of the room, once it has been found after login.
   */
  staffRoom: { chatId: string; roomId?: string };
  receivedAt: Date;
}

/** Where a message belongs: an owner's one-to-one chat or the staff room. */
export interface Route {
  chatKind: Extract<ChatKind, 'private' | 'staff'>;
  /** The application's chat id: the contact id, or the staff room's configured id. */
  chatId: string;
}

/** Message types that carry something we cannot use as an answer, and what to call them. */
const UNSUPPORTED: Partial<Record<number, UnsupportedKind>> = {
  [WX_MESSAGE.Audio]: 'voice',
  [WX_MESSAGE.Video]: 'video',
  [WX_MESSAGE.Attachment]: 'document',
  [WX_MESSAGE.Emoticon]: 'sticker',
  [WX_MESSAGE.Location]: 'location',
  [WX_MESSAGE.Contact]: 'contact',
  [WX_MESSAGE.Url]: 'other',
  [WX_MESSAGE.MiniProgram]: 'other',
  [WX_MESSAGE.ChatHistory]: 'other',
  [WX_MESSAGE.Post]: 'other',
  [WX_MESSAGE.Transfer]: 'other',
  [WX_MESSAGE.RedEnvelope]: 'other',
};

/**
 * Where a message belongs, or undefined when residesk ignores it: the bot's own messages, other rooms,
 * official accounts and WeChat's system accounts, and messages that are not something a person sent
 * (recalls, group notices, unknown types).
 */
export function routeOf(msg: WxMessage, ctx: Pick<MapContext, 'staffRoom'>): Route | undefined {
  if (msg.self || !msg.id || !msg.talkerId) return undefined;
  if (msg.type === WX_MESSAGE.Recalled || msg.type === WX_MESSAGE.GroupNote || msg.type === WX_MESSAGE.Unknown)
    return undefined;
  if (msg.roomId !== undefined) {
    const { roomId, chatId } = ctx.staffRoom;
    return roomId !== undefined && msg.roomId === roomId ? { chatKind: 'staff', chatId } : undefined;
  }
  if (msg.talkerType === WX_CONTACT.Official || msg.talkerType === WX_CONTACT.Corporation) return undefined;
  if (SYSTEM_ACCOUNTS.has(msg.talkerId) || msg.talkerId.startsWith('gh_')) return undefined;
  return { chatKind: 'private', chatId: msg.talkerId };
}

/**
 * What a routed message says. In the staff room only text counts (staff act by typing; a photo cannot
 * quote a card there). `photoRef` is where the channel saved an owner's image; without it an image is
 * answered as something we could not read.
 */
export function contentOf(msg: WxMessage, route: Route, photoRef?: string): InboundContent | undefined {
  if (route.chatKind === 'staff') {
    return msg.type === WX_MESSAGE.Text ? { type: 'text', text: readStaffText(msg.text).text } : undefined;
  }
  if (msg.type === WX_MESSAGE.Text) return { type: 'text', text: ownerText(msg.text) };
  if (msg.type === WX_MESSAGE.Image)
    return photoRef ? { type: 'photo', fileRef: photoRef } : { type: 'unsupported', what: 'other' };
  const what = UNSUPPORTED[msg.type];
  return what ? { type: 'unsupported', what } : undefined;
}

/** The Inbound for a message, or undefined when residesk has nothing to do with it. */
export function toInbound(msg: WxMessage, ctx: MapContext, photoRef?: string): Inbound | undefined {
  const route = routeOf(msg, ctx);
  if (!route) return undefined;
  const content = contentOf(msg, route, photoRef);
  if (!content) return undefined;
  const name = msg.talkerName?.trim();
  const quoted = route.chatKind === 'staff' ? readStaffText(msg.text) : undefined;
  return {
    channel: 'wechat',
    chatId: route.chatId,
    chatKind: route.chatKind,
    userId: msg.talkerId,
    ...(name ? { userName: name } : {}),
    messageId: msg.id,
    receivedAt: ctx.receivedAt,
    content,
    ...(quoted?.quotedTicket ? { quotedTicket: quoted.quotedTicket } : {}),
    ...(quoted?.quotedItem ? { quotedItem: quoted.quotedItem } : {}),
  };
}

// ── quotes and mentions ─────────────────────────────────────────────────────

/**
 * WeChat's quote, as puppets deliver it in the text: `「name：quoted」`, a line of spaced dashes, the
 * reply. The quoted part may itself hold 「」 (a card's timeline does), so it runs to the last 」 before
 * the dashed line.
 */
const QUOTE = /^「([\s\S]*)」[ \t]*\r?\n[ \t]*(?:-[ \t]*){6,}\r?\n([\s\S]*)$/;

/** A quoted message and the reply under it, or undefined when the text is not a quote. */
export function parseQuote(text: string): { quoted: string; reply: string } | undefined {
  const m = QUOTE.exec(text);
  if (!m) return undefined;
  const inner = m[1] ?? '';
  // "name：quoted": WeChat puts the quoted sender's name first, with a full-width colon.
  const colon = inner.indexOf('：');
  return { quoted: colon >= 0 ? inner.slice(colon + 1) : inner, reply: (m[2] ?? '').trim() };
}

/** An owner's text with a quote left out: what they typed is the answer ("1" under a quoted question). */
export function ownerText(text: string): string {
  return parseQuote(text)?.reply ?? text;
}

const TICKET_NUMBERS = /T\d{6}-\d{4,}/gi;
/** A 咨询 or 转人工 item's reference (Q001), as the front door heads its staff-room message with it. */
const ITEM_REFERENCE = /(?<![A-Za-z0-9])Q(\d{3,6})(?![\d-])/;
/** Leading "@name" mentions: WeChat ends each with a four-per-em space (U+2005), some clients a plain space. */
const LEADING_MENTIONS = /^(?:\s*@[^\s\u2005]+[\u2005 ])+/;
/**
 * A staff-room text as the staff desk should read it: leading @mentions (of the bot) dropped, and a quote
 * split off. A quote of a message that names exactly one ticket (its card, an owner's note) gives that
 * ticket as `quotedTicket`; a quote naming no ticket or several gives none (staff talking). The text is
 * what was typed under the quote, unchanged: whether it is a command on the ticket (`接单`, `备注 …`) or a
 * reply to its owner is decided by the staff desk, the same for every channel.
 *
 * A quote of a 咨询 or 转人工 item gives that item as `quotedItem` and no ticket, even when the item lists
 * the owner's open tickets: what is typed under it answers the owner, as `Q001 …` typed in the room does.
 * The item is known by its shape: its first line names `Q001` and its last tells how to answer with
 * `Q001` again. A quote whose first line names an item without that (a colleague's words about it) gives
 * neither an item nor a ticket.
 *
 * WeChat gives no id for the quoted message (wechaty 1.x has no quote API), so the ticket is found by
 * the number in the quoted text rather than through `Inbound.replyTo`.
 */
export function readStaffText(text: string): { text: string; quotedTicket?: string; quotedItem?: string } {
  const quote = parseQuote(text);
  const body = stripMentions(quote ? quote.reply : text);
  if (!quote) return { text: body };
  // A quote about an item names it on its first line; the owner's open tickets listed under it are context.
  const item = quote.quoted.trimStart().split('\n', 1)[0]?.match(ITEM_REFERENCE)?.[1];
  if (item) {
    // The item itself names it again where it says how to answer; words that only mention it are talk.
    const ref = `Q${item}`;
    return quote.quoted.split(ref).length > 2 ? { text: body, quotedItem: ref } : { text: body };
  }
  const numbers = [...new Set((quote.quoted.match(TICKET_NUMBERS) ?? []).map((n) => n.toUpperCase()))];
  const [number] = numbers;
  return numbers.length === 1 && number ? { text: body, quotedTicket: number } : { text: body };
}

function stripMentions(text: string): string {
  return text.replace(LEADING_MENTIONS, '').trim();
}

// ── attachments ─────────────────────────────────────────────────────────────

const IMAGE_EXTENSIONS: Record<string, string> = {
  jpg: 'jpg',
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  bmp: 'bmp',
  heic: 'heic',
};

const IMAGE_MEDIA_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/heic': 'heic',
};

/** The file extension to save an image under: from its name, else its media type, else jpg (WeChat's usual). */
export function imageExtension(name: string | undefined, mediaType: string | undefined): string {
  const fromName =
    IMAGE_EXTENSIONS[
      extname(name ?? '')
        .slice(1)
        .toLowerCase()
    ];
  return fromName ?? IMAGE_MEDIA_TYPES[(mediaType ?? '').toLowerCase()] ?? 'jpg';
}

/** `<dataDir>/attachments/wechat/<message id>.<ext>`, with the id made safe for a file name. */
export function attachmentPath(dataDir: string, messageId: string, ext: string): string {
  const safeId = messageId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120) || 'image';
  return join(dataDir, 'attachments', 'wechat', `${safeId}.${ext}`);
}
