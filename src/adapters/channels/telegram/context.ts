/**
 * What the Telegram channel's parts share: the channel's options, the Bot API client, the ids read from
 * the configuration, and one Bot API call with a timeout. Start-up checks, receiving (webhook or
 * polling) and delivery each take this context instead of reaching into the channel.
 */
import type { Opts, Telegram as TelegramMethods } from 'telegraf/types';
import type { Config } from '../../../config.js';
import type { InboundResult } from '../../../core/ports/channels.js';
import type { Store } from '../../../core/ports.js';
import type { Inbound } from '../../../core/types.js';
import type { TranslateFn } from '../../../i18n.js';
import type { Logger } from '../../../logger.js';
import type { BotApi } from './bot-api.js';
import type { TelegramRateLimiter } from './limiter.js';

export type TelegramConfig = NonNullable<Config['telegram']>;

export interface TelegramChannelOptions {
  config: TelegramConfig;
  store: Store;
  log: Logger;
  /** The application's handler: records the update and enqueues the replies. */
  handle: (inbound: Inbound) => Promise<InboundResult>;
  /** Tells the dispatcher there is something to deliver. */
  wake: () => void;
  /** The locale texts (the command menu's descriptions). */
  translate: TranslateFn;
  now: () => Date;
  /**
   * Someone left the staff group or was removed from it (a service message, or a `chat_member` update),
   * so that the application stops treating them as staff. A rejection leaves the update unacknowledged.
   */
  onStaffLeft?: (userId: string) => Promise<unknown>;
  /** Someone was added to the staff group (or came back). A rejection leaves the update unacknowledged. */
  onStaffJoined?: (userId: string) => Promise<unknown>;
  /** Defaults to one built from `config.rates`. */
  limiter?: TelegramRateLimiter;
  /** Per Bot API call when sending; default 30 s. */
  requestTimeoutMs?: number;
  /** Largest webhook body accepted; default 1 MB. */
  maxBodyBytes?: number;
  /** Interface the webhook server listens on; default all. */
  host?: string;
  /** Long-polling timeout in seconds; default 50. */
  pollTimeoutSec?: number;
  /** Pause before fetching an update again that could not be recorded; default 1 s. */
  pollRetryMs?: number;
}

/** One Bot API call with a timeout (the token stays inside the client; errors are redacted by callers). */
export type TelegramCall = <M extends keyof TelegramMethods>(
  method: M,
  payload: Opts<M>,
  timeoutMs?: number,
) => Promise<ReturnType<TelegramMethods[M]>>;

export interface ChannelContext {
  readonly o: TelegramChannelOptions;
  /** The Bot API client (for a call with a signal of its own: long polling). */
  readonly api: BotApi;
  readonly limiter: TelegramRateLimiter;
  readonly call: TelegramCall;
  /** The number before the token's colon: the bot's user id. */
  readonly botId: string;
  /** TELEGRAM_STAFF_CHAT_ID as the string chat ids are compared with. */
  readonly staffChatId: string;
}
