/**
 * The Telegram channel (its own Bot API client, bot-api.ts): owners in private chats, the staff group,
 * updates by long polling or by webhook, and the outbound side the dispatcher sends through.
 *
 * Receiving: every update becomes an `Inbound` (the update id is the dedupe key) and goes to the
 * application; only after that resolved is the update acknowledged (the webhook answers 200, polling
 * moves its offset), so an update is never lost, and a redelivered one is a no-op. Every button press is
 * answered, also when it was refused or handling failed. One update's failure never stops the others.
 * Who leaves or joins the staff group (service messages, `chat_member` updates) goes to `onStaffLeft` /
 * `onStaffJoined`, so that people no longer in the group stop being staff.
 *
 * Sending: `deliver` turns one outbox action into Bot API calls and every platform error into a Delivery
 * value; `reserve` keeps within Telegram's limits (see limiter.ts). The token never appears in logs or
 * errors; owners' texts are never logged.
 *
 * This file holds the channel object and its life cycle; the work is in its neighbours: startup.ts (the
 * start-up checks), updates.ts (one update through the application), webhook.ts and polling.ts (the two
 * ways updates arrive), delivery.ts (sending and editing), inbound.ts / outbound.ts (the pure mappings),
 * limiter.ts (the send limits) and bot-api.ts (the calls).
 */
import type { UserFromGetMe } from 'telegraf/types';
import type { ChannelSender, Delivery, DeliveryFault } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { OutboundAction } from '../../../core/types.js';
import { type BotApi, createBotApi } from './bot-api.js';
import type { ChannelContext, TelegramChannelOptions } from './context.js';
import { deliver } from './delivery.js';
import type { TgUpdate } from './inbound.js';
import { TelegramRateLimiter } from './limiter.js';
import { type Polling, startPolling } from './polling.js';
import { checkStaffChat, checkToken, registerCommands } from './startup.js';
import { handleUpdate } from './updates.js';
import { WebhookServer } from './webhook.js';

export type { TelegramChannelOptions, TelegramConfig } from './context.js';
export { TelegramStartupError } from './startup.js';
export { UpdateNotRecordedError } from './updates.js';
export { WEBHOOK_SECRET_SETTING } from './webhook.js';

type Mode = 'polling' | 'webhook';

/** The Telegram channel: receives updates (polling or webhook) and delivers outbox actions. */
export class TelegramChannel implements ChannelSender {
  readonly channel = 'telegram' as const;
  private readonly api: BotApi;
  readonly limiter: TelegramRateLimiter;
  private me?: UserFromGetMe;
  private webhook?: WebhookServer;
  private polling?: Polling;
  private faults: readonly DeliveryFault[] = [];
  /** What the channel's parts (start-up checks, receiving, delivery) work with. */
  private readonly ctx: ChannelContext;

  constructor(private readonly o: TelegramChannelOptions) {
    const api = createBotApi({ token: o.config.token, ...(o.config.apiRoot ? { apiRoot: o.config.apiRoot } : {}) });
    this.api = api;
    this.limiter = o.limiter ?? new TelegramRateLimiter(o.config.rates);
    this.ctx = {
      o,
      api,
      limiter: this.limiter,
      botId: o.config.token.split(':')[0] ?? '',
      staffChatId: String(o.config.staffChatId),
      call: (method, payload, timeoutMs = o.requestTimeoutMs ?? 30_000) =>
        api.call(method, payload as Record<string, unknown>, { timeoutMs }) as never,
    };
  }

  /** The bot's own account, once `checkToken` has run. */
  get botInfo(): UserFromGetMe | undefined {
    return this.me;
  }

  /** How updates arrive: a webhook when TELEGRAM_WEBHOOK_URL is set, long polling otherwise. */
  get mode(): Mode {
    return this.o.config.webhookUrl ? 'webhook' : 'polling';
  }

  // ── start-up ────────────────────────────────────────────────────────────

  /** Checks the token with getMe; throws a TelegramStartupError whose message is one clear line. */
  async checkToken(): Promise<UserFromGetMe> {
    this.me = await checkToken(this.ctx);
    return this.me;
  }

  /** Checks with getChat that the bot can reach the staff group (see startup.ts). */
  checkStaffChat(): Promise<void> {
    return checkStaffChat(this.ctx);
  }

  /** Registers the command menu in Chinese and English. A failure is a warning: the bot works without it. */
  registerCommands(): Promise<void> {
    return registerCommands(this.ctx);
  }

  /** Starts receiving updates: the webhook server and setWebhook, or deleteWebhook and long polling. */
  async start(): Promise<void> {
    if (this.webhook?.listening || this.polling) return;
    if (this.mode === 'webhook') {
      this.webhook = new WebhookServer(this.ctx, {
        handle: (update) => handleUpdate(this.ctx, update, { answerInReply: true }),
        faults: () => this.faults,
      });
      await this.webhook.start();
    } else {
      this.polling = await startPolling(this.ctx, (update) => this.handleUpdate(update));
    }
    this.o.log.info(
      { mode: this.mode, bot: this.me?.username, ...(this.webhook?.listening ? { port: this.port } : {}) },
      'Telegram channel receiving updates',
    );
  }

  /** Stops receiving: closes the webhook server or ends long polling (confirming what was handled). */
  async stop(): Promise<void> {
    const polling = this.polling;
    this.polling = undefined;
    if (polling) await polling.stop();
    await this.webhook?.close();
    this.api.close();
  }

  /** The port the webhook server listens on (useful when configured as 0). */
  get port(): number | undefined {
    return this.webhook?.port;
  }

  // ── receiving ───────────────────────────────────────────────────────────

  /**
   * Runs one update through the application and answers its button press. Resolves once the update is
   * recorded (or was a duplicate, or is nothing residesk handles); rejects with UpdateNotRecordedError
   * only when the application could not record it, so that the caller does not acknowledge it.
   */
  async handleUpdate(update: TgUpdate): Promise<void> {
    await handleUpdate(this.ctx, update);
  }

  // ── sending ─────────────────────────────────────────────────────────────

  /** Milliseconds until `chatId` may be sent to; 0 takes the slot (see TelegramRateLimiter). */
  reserve(chatId: string, now: number, opts?: { cosmetic?: boolean }): number {
    return this.limiter.reserve(chatId, now, opts);
  }

  /** Room in the bot-wide limit (see TelegramRateLimiter.capacity). */
  capacity(now: number): { free: number; waitMs: number } {
    return this.limiter.capacity(now);
  }

  /**
   * Delivers one outbox action; every Bot API failure comes back as a Delivery value. `target` is the
   * message to edit (edit), or the message to reply to (send with `replyToRef`).
   */
  deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    return deliver(this.ctx, chatId, action, target, files);
  }

  /** The dispatcher's current faults on this channel, shown on /healthz. */
  reportFaults(faults: readonly DeliveryFault[]): void {
    this.faults = faults;
  }
}

/**
 * Builds the Telegram channel and runs the start-up checks: getMe (fatal with one clear line when the
 * token is wrong or the API cannot be reached), getChat on the staff group (fatal when the bot cannot
 * reach it) and setMyCommands (a warning when it fails). Call
 * `start()` to begin receiving updates.
 */
export async function createTelegramChannel(opts: TelegramChannelOptions): Promise<TelegramChannel> {
  const channel = new TelegramChannel(opts);
  const me = await channel.checkToken();
  opts.log.info({ bot: me.username, mode: channel.mode }, 'Telegram bot token checked');
  // The staff group's check and the command menu together (the menu's failure is only a warning).
  await Promise.all([channel.checkStaffChat(), channel.registerCommands()]);
  return channel;
}
