/**
 * Delivering one outbox action through the Bot API: a send (photos and generated files first, then the text split to
 * Telegram's limit, mentions dropped if refused) or an edit (a message gone is done). Every platform
 * error comes back as a Delivery value; a refusal of the staff group as a whole is 'misconfigured'
 * (the set-up's fault, not the message's). Extra messages a split or an album needs are charged to the
 * limiter. Owners' texts are never logged.
 */
import type { Opts } from 'telegraf/types';
import type { Delivery } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { OutboundAction, OutboundMessage } from '../../../core/types.js';
import { sortAttachments, withFileNames } from '../shared/attachments.js';
import type { ChannelContext } from './context.js';
import { sendDocuments, sendImages } from './files.js';
import {
  badButtons,
  classifyError,
  entitiesWithin,
  inlineKeyboard,
  isChatFault,
  MAX_MEDIA_GROUP,
  reasonOf,
  splitRanges,
  type TextMention,
  textMentions,
  truncateText,
} from './outbound.js';

/**
 * Delivers one outbox action; every Bot API failure comes back as a Delivery value. `target` is the
 * message to edit (edit), or the message to reply to (send with `replyToRef`).
 */
export async function deliver(
  ctx: ChannelContext,
  chatId: string,
  action: OutboundAction,
  target?: string,
  files?: ReadonlyMap<string, StoredFile>,
): Promise<Delivery> {
  let result: Delivery;
  try {
    result =
      action.kind === 'send'
        ? await send(ctx, chatId, action.message, target, files)
        : await edit(ctx, chatId, action.message, target);
  } catch (error) {
    result = classifyError(error, [ctx.o.config.token]);
  }
  // The staff group refusing us is the set-up's fault, not the message's: the dispatcher keeps the
  // card, retries it and alerts (once per period); a refusal of one message stays a rejection.
  if (chatId === ctx.staffChatId && isChatFault(result) && result.status !== 'sent') {
    return {
      status: 'misconfigured',
      reason: `${result.reason} (check TELEGRAM_STAFF_CHAT_ID and the bot's rights)`,
    };
  }
  if (result.status === 'rejected' && chatId === ctx.staffChatId) {
    ctx.o.log.error(
      { reason: result.reason },
      'Telegram refused a message to the staff group (check TELEGRAM_STAFF_CHAT_ID)',
    );
  }
  return result;
}

async function send(
  ctx: ChannelContext,
  chatId: string,
  original: OutboundMessage,
  replyTo: string | undefined,
  files?: ReadonlyMap<string, StoredFile>,
): Promise<Delivery> {
  const bad = badButtons(original.buttons);
  if (bad) return { status: 'rejected', reason: bad };
  if (original.photos && original.photos.length > 0) {
    const stop = await sendPhotos(ctx, chatId, original.photos);
    if (stop) return stop;
  }
  // Generated files before the text (files.ts): the images as one album, then the documents. A failure
  // that stops the delivery has sent no text, so trying the message again never shows the text twice.
  const sorted = sortAttachments(original, files, { images: true, documents: true, album: true });
  const album = await sendImages(ctx, chatId, sorted.images);
  const docs = album.stop ? album : await sendDocuments(ctx, chatId, sorted.documents);
  // Every file is a message of its own to Telegram's limits.
  if (album.sent + docs.sent > 0) ctx.limiter.charge(chatId, ctx.o.now().getTime(), album.sent + docs.sent);
  const stop = album.stop ?? docs.stop;
  if (stop) return stop;
  const message = {
    ...original,
    text: withFileNames(original.text, [...sorted.left, ...album.refused, ...(docs === album ? [] : docs.refused)]),
  };
  const ranges = splitRanges(message.text);
  const mentions = textMentions(message.text, message.mentions);
  const keyboard = message.buttons?.some((row) => row.length > 0) ? inlineKeyboard(message.buttons) : undefined;
  const replyId = replyTo !== undefined ? Number(replyTo) : Number.NaN;
  let last: number | undefined;
  for (const [i, [start, end]] of ranges.entries()) {
    const entities = entitiesWithin(mentions, start, end);
    const payload: Opts<'sendMessage'> = {
      chat_id: chatId,
      text: message.text.slice(start, end),
      link_preview_options: { is_disabled: true },
      ...(i === 0 && Number.isSafeInteger(replyId)
        ? { reply_parameters: { message_id: replyId, allow_sending_without_reply: true } }
        : {}),
      ...(i === ranges.length - 1 && keyboard ? { reply_markup: keyboard } : {}),
    };
    last = (await sendText(ctx, payload, entities)).message_id;
  }
  if (ranges.length > 1) ctx.limiter.charge(chatId, ctx.o.now().getTime(), ranges.length - 1);
  return { status: 'sent', ...(last !== undefined ? { platformMessageId: String(last) } : {}) };
}

/** sendMessage with mentions; if Telegram refuses the mentions (400), the text goes without them. */
async function sendText(ctx: ChannelContext, payload: Opts<'sendMessage'>, entities: TextMention[]) {
  if (entities.length === 0) return ctx.call('sendMessage', payload);
  try {
    return await ctx.call('sendMessage', { ...payload, entities });
  } catch (error) {
    const failure = classifyError(error, [ctx.o.config.token]);
    if (failure.status !== 'rejected') throw error;
    ctx.o.log.warn({ reason: failure.reason }, 'Telegram refused the mentions in a message; sending it without them');
    return ctx.call('sendMessage', payload);
  }
}

/**
 * Sends a message's photos ahead of its text. A 429 or 403 stops the delivery (returned); any other
 * failure (a stale file id, a server error) drops the photos with a warning so that the text, which
 * matters more, still goes (the photos stay with the ticket).
 */
async function sendPhotos(
  ctx: ChannelContext,
  chatId: string,
  photos: readonly string[],
): Promise<Delivery | undefined> {
  let sent = 0;
  try {
    for (let i = 0; i < photos.length; i += MAX_MEDIA_GROUP) {
      const chunk = photos.slice(i, i + MAX_MEDIA_GROUP);
      const [only] = chunk;
      if (chunk.length === 1 && only !== undefined) await ctx.call('sendPhoto', { chat_id: chatId, photo: only });
      else
        await ctx.call('sendMediaGroup', {
          chat_id: chatId,
          media: chunk.map((id) => ({ type: 'photo' as const, media: id })),
        });
      sent += chunk.length;
    }
  } catch (error) {
    const failure = classifyError(error, [ctx.o.config.token]);
    if (failure.status === 'rate_limited' || failure.status === 'unreachable') return failure;
    ctx.o.log.warn(
      { photos: photos.length, sent, reason: reasonOf(failure), staff: chatId === ctx.staffChatId },
      'photos could not be sent; sending the text without them',
    );
  }
  // The first photo took the reserved slot; the rest count against the limits too.
  if (sent > 1) ctx.limiter.charge(chatId, ctx.o.now().getTime(), sent - 1);
  return undefined;
}

async function edit(
  ctx: ChannelContext,
  chatId: string,
  message: OutboundMessage,
  target: string | undefined,
): Promise<Delivery> {
  const messageId = Number(target);
  if (!Number.isSafeInteger(messageId)) return { status: 'rejected', reason: 'no Telegram message to edit' };
  const bad = badButtons(message.buttons);
  if (bad) return { status: 'rejected', reason: bad };
  const text = truncateText(message.text);
  const entities = entitiesWithin(textMentions(text, message.mentions), 0, text.length);
  try {
    await ctx.call('editMessageText', {
      chat_id: chatId,
      message_id: messageId,
      text,
      ...(entities.length > 0 ? { entities } : {}),
      link_preview_options: { is_disabled: true },
      // An empty keyboard takes the buttons off (a question that has been answered).
      reply_markup: inlineKeyboard(message.buttons),
    });
  } catch (error) {
    const failure = classifyError(error, [ctx.o.config.token]);
    if (failure.status === 'rejected' && /message to edit not found|message can't be edited/i.test(failure.reason)) {
      ctx.o.log.debug({ reason: failure.reason }, 'the message to edit is gone; nothing to do');
      return { status: 'sent', platformMessageId: String(messageId) };
    }
    return failure.status === 'sent' ? { status: 'sent', platformMessageId: String(messageId) } : failure;
  }
  return { status: 'sent', platformMessageId: String(messageId) };
}
