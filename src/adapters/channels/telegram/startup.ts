/**
 * The Telegram channel's start-up checks: getMe (is the token right, does the API answer), getChat on
 * the staff group (can the bot reach it) and setMyCommands (the command menu). A check that must stop
 * start-up throws a TelegramStartupError whose message is one line that names what to fix and never
 * holds the token; the rest are warnings.
 */
import type { BotCommand, Opts, UserFromGetMe } from 'telegraf/types';
import { OWNER_MENU_COMMANDS } from '../../../core/flow/words.js';
import type { Locale } from '../../../core/types.js';
import type { ChannelContext } from './context.js';
import { classifyError, reasonOf } from './outbound.js';

/**
 * The commands shown in Telegram's menu (registered with setMyCommands in Chinese and English); their
 * descriptions are the locale texts `telegram.commands.<command>`.
 */
export const BOT_COMMANDS = OWNER_MENU_COMMANDS;

/** A start-up failure, as one line that names what to fix and never holds the token. */
export class TelegramStartupError extends Error {
  constructor(
    readonly code:
      | 'TELEGRAM_TOKEN_REJECTED'
      | 'TELEGRAM_UNREACHABLE'
      | 'TELEGRAM_STAFF_CHAT_UNREACHABLE'
      | 'TELEGRAM_WEBHOOK_FAILED'
      | 'TELEGRAM_POLLING_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TelegramStartupError';
  }
}

/** Checks the token with getMe; throws a TelegramStartupError whose message is one clear line. */
export async function checkToken(ctx: ChannelContext): Promise<UserFromGetMe> {
  const { o } = ctx;
  try {
    const me = await ctx.call('getMe', {}, 15_000);
    return me;
  } catch (error) {
    const failure = classifyError(error, [o.config.token]);
    const rejected =
      failure.status === 'unreachable' || failure.status === 'rejected' || /^40[14]\b/.test(reasonOf(failure));
    if (rejected) {
      throw new TelegramStartupError(
        'TELEGRAM_TOKEN_REJECTED',
        `TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API (${reasonOf(failure)}); check the token with @BotFather`,
      );
    }
    throw new TelegramStartupError(
      'TELEGRAM_UNREACHABLE',
      `could not check TELEGRAM_BOT_TOKEN: the Telegram Bot API${o.config.apiRoot ? ' at TELEGRAM_API_ROOT' : ''} did not answer (${reasonOf(failure)})`,
    );
  }
}

/**
 * Checks with getChat that the bot can reach the staff group, so that a wrong TELEGRAM_STAFF_CHAT_ID, a
 * bot not added to the group, or a group that became a supergroup (with a new id) stops start-up with
 * one clear line instead of every card being refused later. A private chat or a channel is a warning;
 * an API that does not answer is a warning too (cards wait in the outbox).
 */
export async function checkStaffChat(ctx: ChannelContext): Promise<void> {
  const { o } = ctx;
  const id = o.config.staffChatId;
  let chat: unknown;
  try {
    chat = await ctx.call('getChat', { chat_id: id }, 15_000);
  } catch (error) {
    const failure = classifyError(error, [o.config.token]);
    if (failure.status === 'rejected' || failure.status === 'unreachable') {
      throw new TelegramStartupError(
        'TELEGRAM_STAFF_CHAT_UNREACHABLE',
        `TELEGRAM_STAFF_CHAT_ID ${id}: the bot cannot reach this chat (${reasonOf(failure)}); add the bot to the staff group and check the id`,
      );
    }
    o.log.warn({ reason: reasonOf(failure) }, 'could not check TELEGRAM_STAFF_CHAT_ID with getChat; carrying on');
    return;
  }
  const type = typeof chat === 'object' && chat !== null ? (chat as { type?: unknown }).type : undefined;
  if (type === 'private' || type === 'channel') {
    o.log.warn(
      { type },
      'TELEGRAM_STAFF_CHAT_ID is not a group: staff cards and staff commands expect the staff group',
    );
  }
}

/** Registers the command menu in Chinese and English. A failure is a warning: the bot works without it. */
export async function registerCommands(ctx: ChannelContext): Promise<void> {
  const { o } = ctx;
  const scope = { type: 'all_private_chats' as const };
  const commands = (locale: Locale): BotCommand[] =>
    BOT_COMMANDS.map((command) => ({
      command,
      description: o.translate(locale, `telegram.commands.${command}`),
    }));
  const calls: [string, Opts<'setMyCommands'>][] = [
    ['zh', { commands: commands('zh-CN'), scope, language_code: 'zh' }],
    ['default', { commands: commands('en'), scope }],
  ];
  // Both at once: each is a round trip of the start-up.
  await Promise.all(
    calls.map(async ([language, payload]) => {
      try {
        await ctx.call('setMyCommands', payload, 15_000);
      } catch (error) {
        const failure = classifyError(error, [o.config.token]);
        o.log.warn(
          { language, reason: reasonOf(failure) },
          'could not register the bot commands with Telegram; carrying on',
        );
      }
    }),
  );
}
