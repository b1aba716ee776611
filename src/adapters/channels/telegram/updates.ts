/**
 * One Telegram update through the application, whichever way it arrived (webhook or polling): who joined
 * or left the staff group goes to `onStaffJoined` / `onStaffLeft`, the update becomes an `Inbound` for the
 * application, the dispatcher is woken, and a button press is always answered, also when it was refused
 * or handling failed. The caller acknowledges the update only when this resolves.
 *
 * Through the webhook a press is answered in the webhook's own reply (Telegram makes a Bot API call given
 * as the answer to an update, though no one learns how it went): a call and its round trip fewer for
 * every button tapped, and the webhook answers without waiting on the Bot API. Nothing is lost by not
 * knowing: an answer that does not arrive only lets the button's spinner run out. An update that could
 * not be recorded is answered 500 (Telegram then ignores the reply's body), so its press is answered
 * with a call of its own, as through long polling.
 */
import type { InboundResult } from '../../../core/ports/channels.js';
import type { Inbound } from '../../../core/types.js';
import type { ChannelContext } from './context.js';
import { staffMembershipChanges, type TgUpdate, toInbound } from './inbound.js';
import { classifyError, reasonOf, truncateText } from './outbound.js';

/** Raised when an update could not be recorded, so that it is not acknowledged and Telegram sends it again. */
export class UpdateNotRecordedError extends Error {
  constructor(updateId: number, options?: { cause?: unknown }) {
    super(`update ${updateId} could not be recorded`, options);
    this.name = 'UpdateNotRecordedError';
  }
}

/** A Bot API call for the webhook's reply: Telegram makes it on the bot's behalf. */
export type WebhookCall = { method: 'answerCallbackQuery' } & CallbackAnswer;

/** The parameters of answerCallbackQuery. */
interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: true;
}

/**
 * Runs one update through the application and answers its button press: with a call, or, when
 * `answerInReply` (the webhook), by returning the call for the webhook's reply. Resolves once the update
 * is recorded (or was a duplicate, or is nothing residesk handles); rejects with UpdateNotRecordedError
 * only when the application could not record it, so that the caller does not acknowledge it.
 */
export async function handleUpdate(
  ctx: ChannelContext,
  update: TgUpdate,
  how: { answerInReply?: boolean } = {},
): Promise<WebhookCall | undefined> {
  const { o } = ctx;
  await staffMembership(ctx, update);
  let inbound: Inbound | undefined;
  try {
    inbound = toInbound(update, {
      staffChatId: o.config.staffChatId,
      botId: ctx.botId,
      receivedAt: o.now(),
    });
  } catch (error) {
    o.log.error({ err: error, updateId: update.update_id }, 'could not read a Telegram update; skipped');
  }
  const migrated = update.message?.migrate_to_chat_id;
  if (update.message?.chat?.id === o.config.staffChatId && typeof migrated === 'number') {
    o.log.error(
      { newChatId: migrated },
      'the staff group became a supergroup with a new id: set TELEGRAM_STAFF_CHAT_ID to it and restart',
    );
  }
  const query = update.callback_query;
  if (!inbound) {
    o.log.debug({ updateId: update.update_id }, 'Telegram update ignored');
    return query && typeof query.id === 'string' ? answer(ctx, callbackAnswer(query.id), how) : undefined;
  }
  let result: InboundResult | undefined;
  let failure: unknown;
  try {
    result = await o.handle(inbound);
  } catch (error) {
    failure = error;
    o.log.error({ err: error, updateId: update.update_id }, 'a Telegram update could not be handled');
  }
  if (result && !result.duplicate) {
    try {
      o.wake();
    } catch (error) {
      o.log.warn({ err: error }, 'waking the dispatcher failed');
    }
  }
  if (failure !== undefined) {
    if (query && typeof query.id === 'string') await answerCallback(ctx, callbackAnswer(query.id, result?.ack));
    throw new UpdateNotRecordedError(update.update_id, { cause: failure });
  }
  return query && typeof query.id === 'string' ? answer(ctx, callbackAnswer(query.id, result?.ack), how) : undefined;
}

/** A press's answer: returned for the webhook's reply, or made as a call. */
async function answer(
  ctx: ChannelContext,
  params: CallbackAnswer,
  how: { answerInReply?: boolean },
): Promise<WebhookCall | undefined> {
  if (how.answerInReply) return { method: 'answerCallbackQuery', ...params };
  await answerCallback(ctx, params);
  return undefined;
}

/** answerCallbackQuery's parameters for press `id`: silent, a note, or a dialog (`alert`). */
function callbackAnswer(id: string, ack?: { text: string; alert?: boolean }): CallbackAnswer {
  const text = ack?.text ? truncateText(ack.text, 200) : undefined;
  return { callback_query_id: id, ...(text ? { text } : {}), ...(text && ack?.alert ? { show_alert: true } : {}) };
}

/**
 * Tells the application who left or joined the staff group. The bot's own removal is only logged (the
 * staff group gets no cards until it is added back). Rejects with UpdateNotRecordedError when the
 * application could not record a change, so that the update comes again (recording one is idempotent).
 */
async function staffMembership(ctx: ChannelContext, update: TgUpdate): Promise<void> {
  const { o } = ctx;
  let changes: ReturnType<typeof staffMembershipChanges> = [];
  try {
    changes = staffMembershipChanges(update, o.config.staffChatId);
  } catch (error) {
    o.log.error({ err: error, updateId: update.update_id }, 'could not read a Telegram membership change');
  }
  for (const change of changes) {
    if (change.userId === ctx.botId) {
      if (!change.member) {
        o.log.error('the bot was removed from the staff group (TELEGRAM_STAFF_CHAT_ID): add it again');
      }
      continue;
    }
    if (change.bot) continue;
    const staff = `telegram:${change.userId}`;
    try {
      if (change.member) await o.onStaffJoined?.(change.userId);
      else await o.onStaffLeft?.(change.userId);
    } catch (error) {
      o.log.error(
        { err: error, updateId: update.update_id, staff },
        'could not record that someone joined or left the staff group',
      );
      throw new UpdateNotRecordedError(update.update_id, { cause: error });
    }
    o.log.info({ staff }, change.member ? 'someone joined the staff group' : 'someone left the staff group');
  }
}

/** Answers a button press (Telegram shows a spinner until then). Never throws. */
async function answerCallback(ctx: ChannelContext, params: CallbackAnswer): Promise<void> {
  try {
    await ctx.call('answerCallbackQuery', { ...params }, 10_000);
  } catch (error) {
    // A redelivered update's query is too old to answer: nothing to do.
    const failure = classifyError(error, [ctx.o.config.token]);
    ctx.o.log.debug({ reason: reasonOf(failure) }, 'could not answer a button press');
  }
}
