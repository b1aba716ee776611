/**
 * Telegram updates → `Inbound`: the pure half of the Telegram channel's receiving side.
 *
 * Maps the updates residesk asks for (`message`, `callback_query`, `my_chat_member`) and ignores the rest;
 * reads who joined or left the staff group from service messages and `chat_member` updates.
 * The update id (with the bot's id) is the message id, so a redelivered update is a duplicate the
 * application skips.
 * Nothing here trusts the update: every field is checked before it is used.
 */
import type { ChatKind, Inbound, InboundContent, UnsupportedKind } from '../../../core/types.js';

/**
 * The update kinds residesk receives (setWebhook and getUpdates `allowed_updates`). `chat_member` (who
 * joined or left the staff group) must be asked for by name, and Telegram sends it only when the bot is an
 * administrator of the group; the `left_chat_member` / `new_chat_members` service messages come regardless.
 */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member', 'chat_member'] as const;

/** The parts of a Telegram user residesk reads. */
export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: string;
}

export interface TgPhotoSize {
  file_id: string;
  width?: number;
  height?: number;
  file_size?: number;
}

/** The parts of a Telegram message residesk reads. */
export interface TgMessage {
  message_id: number;
  chat: TgChat;
  from?: TgUser;
  text?: string;
  caption?: string;
  photo?: TgPhotoSize[];
  reply_to_message?: { message_id: number };
  [field: string]: unknown;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: { message_id: number; chat: TgChat };
  data?: string;
}

/** Someone's membership of a chat: `creator`, `administrator`, `member`, `restricted`, `left` or `kicked`. */
export interface TgChatMember {
  status?: string;
  user?: TgUser;
  /** For `restricted`: whether they are in the chat. */
  is_member?: boolean;
}

export interface TgChatMemberUpdated {
  chat: TgChat;
  from: TgUser;
  old_chat_member?: TgChatMember;
  new_chat_member?: TgChatMember;
}

/** A Telegram update as residesk reads it (the Bot API sends more; the rest is ignored). */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  callback_query?: TgCallbackQuery;
  my_chat_member?: TgChatMemberUpdated;
  /** Someone else's membership changed (only in groups where the bot is an administrator). */
  chat_member?: TgChatMemberUpdated;
}

/** Whether a parsed JSON body looks like an update at all. */
export function isUpdate(value: unknown): value is TgUpdate {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as { update_id?: unknown }).update_id) &&
    (value as { update_id: number }).update_id >= 0
  );
}

export interface MapContext {
  /** TELEGRAM_STAFF_CHAT_ID: messages from this chat are staff messages. */
  staffChatId: number;
  /**
   * The bot's id (the token's number). Update ids count per bot, so the dedupe key is `<bot>:<update>`:
   * a new bot on the same store cannot have its updates taken for another bot's.
   */
  botId?: string;
  receivedAt: Date;
}

/** The dedupe key of an update (Inbound.messageId). */
export function updateKey(updateId: number, botId?: string): string {
  return botId ? `${botId}:${updateId}` : String(updateId);
}

/** Message fields that carry something we cannot use as an answer, and what to call them. */
const UNSUPPORTED: [field: string, what: UnsupportedKind][] = [
  ['sticker', 'sticker'],
  ['voice', 'voice'],
  ['audio', 'voice'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['animation', 'video'],
  ['document', 'document'],
  ['location', 'location'],
  ['venue', 'location'],
  ['contact', 'contact'],
  ['poll', 'other'],
  ['dice', 'other'],
  ['game', 'other'],
  ['story', 'other'],
];

function isChat(value: unknown): value is TgChat {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as TgChat).id) &&
    typeof (value as TgChat).type === 'string'
  );
}

function isUser(value: unknown): value is TgUser {
  return typeof value === 'object' && value !== null && Number.isSafeInteger((value as TgUser).id);
}

/** The biggest picture of a photo (Telegram sends several sizes, smallest first). */
export function largestPhoto(sizes: readonly TgPhotoSize[]): TgPhotoSize | undefined {
  let best: TgPhotoSize | undefined;
  let bestScore = -1;
  for (const size of sizes) {
    if (typeof size?.file_id !== 'string' || size.file_id === '') continue;
    const area = (size.width ?? 0) * (size.height ?? 0);
    const score = area > 0 ? area : (size.file_size ?? 0);
    if (score >= bestScore) {
      best = size;
      bestScore = score;
    }
  }
  return best;
}

/** What a message says, or undefined for service messages (members joining, pins, title changes …). */
export function messageContent(message: TgMessage): InboundContent | undefined {
  if (Array.isArray(message.photo) && message.photo.length > 0) {
    const photo = largestPhoto(message.photo);
    if (photo) {
      const caption =
        typeof message.caption === 'string' && message.caption.trim() !== '' ? message.caption : undefined;
      return { type: 'photo', fileRef: photo.file_id, ...(caption ? { caption } : {}) };
    }
  }
  if (typeof message.text === 'string') return { type: 'text', text: message.text };
  for (const [field, what] of UNSUPPORTED) {
    if (message[field] !== undefined && message[field] !== null) return { type: 'unsupported', what };
  }
  return undefined;
}

function chatKind(chat: TgChat, staffChatId: number): ChatKind {
  if (chat.id === staffChatId) return 'staff';
  return chat.type === 'private' ? 'private' : 'group';
}

function userName(user: TgUser): string | undefined {
  const name = [user.first_name, user.last_name]
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join(' ');
  return name || user.username || undefined;
}

function base(update: TgUpdate, chat: TgChat, user: TgUser, ctx: MapContext, content: InboundContent): Inbound {
  const name = userName(user);
  return {
    channel: 'telegram',
    chatId: String(chat.id),
    chatKind: chatKind(chat, ctx.staffChatId),
    userId: String(user.id),
    ...(name ? { userName: name } : {}),
    ...(typeof user.language_code === 'string' && user.language_code ? { languageCode: user.language_code } : {}),
    messageId: updateKey(update.update_id, ctx.botId),
    receivedAt: ctx.receivedAt,
    content,
  };
}

/**
 * The Inbound for an update, or undefined when residesk has nothing to do with it (a channel post, a
 * service message, a message from another bot, a button on an inline message).
 */
export function toInbound(update: TgUpdate, ctx: MapContext): Inbound | undefined {
  const message = update.message;
  if (message) {
    if (!isChat(message.chat) || message.chat.type === 'channel') return undefined;
    if (!isUser(message.from) || message.from.is_bot) return undefined;
    const content = messageContent(message);
    if (!content) return undefined;
    const inbound = base(update, message.chat, message.from, ctx, content);
    const replyTo = message.reply_to_message?.message_id;
    return Number.isSafeInteger(replyTo) ? { ...inbound, replyTo: String(replyTo) } : inbound;
  }
  const query = update.callback_query;
  if (query) {
    const source = query.message;
    if (!source || !isChat(source.chat) || !isUser(query.from) || typeof query.data !== 'string') return undefined;
    const inbound = base(update, source.chat, query.from, ctx, { type: 'button', data: query.data });
    return Number.isSafeInteger(source.message_id) ? { ...inbound, sourceMessage: String(source.message_id) } : inbound;
  }
  const member = update.my_chat_member;
  if (member && isChat(member.chat) && isUser(member.from)) {
    // The bot was added to a group: let the application say (once) that it works in private chats.
    const joined = ['member', 'administrator'].includes(member.new_chat_member?.status ?? '');
    const wasOut = ['left', 'kicked', undefined].includes(member.old_chat_member?.status);
    if ((member.chat.type === 'group' || member.chat.type === 'supergroup') && joined && wasOut) {
      return base(update, member.chat, member.from, ctx, { type: 'unsupported', what: 'other' });
    }
  }
  return undefined;
}

/** Someone joined (`member`) or left (not `member`) the staff group. `bot` for bot accounts, ours included. */
export interface StaffMembershipChange {
  userId: string;
  member: boolean;
  bot: boolean;
}

/** Whether a chat member is in the chat, or undefined when the status is not one residesk knows. */
function isInChat(member: TgChatMember | undefined): boolean | undefined {
  switch (member?.status) {
    case 'creator':
    case 'administrator':
    case 'member':
      return true;
    case 'restricted':
      return member.is_member === true;
    case 'left':
    case 'kicked':
      return false;
    default:
      return undefined;
  }
}

/**
 * Who joined or left the staff group in an update: the `left_chat_member` and `new_chat_members` service
 * messages, and `chat_member` / `my_chat_member` updates (the latter is about the bot itself). Nothing
 * for any other chat, or for an update that says nothing about membership.
 */
export function staffMembershipChanges(update: TgUpdate, staffChatId: number): StaffMembershipChange[] {
  const change = (user: TgUser, member: boolean): StaffMembershipChange => ({
    userId: String(user.id),
    member,
    bot: user.is_bot === true,
  });
  const changes: StaffMembershipChange[] = [];
  const message = update.message;
  if (message && isChat(message.chat) && message.chat.id === staffChatId) {
    const joined = message.new_chat_members;
    if (Array.isArray(joined)) for (const user of joined) if (isUser(user)) changes.push(change(user, true));
    if (isUser(message.left_chat_member)) changes.push(change(message.left_chat_member, false));
  }
  for (const updated of [update.chat_member, update.my_chat_member]) {
    if (!updated || !isChat(updated.chat) || updated.chat.id !== staffChatId) continue;
    const user = updated.new_chat_member?.user;
    const member = isInChat(updated.new_chat_member);
    if (isUser(user) && member !== undefined) changes.push(change(user, member));
  }
  return changes;
}
