/**
 * The Telegram channel (telegraf 4.16 as the Bot API client): owners in private chats, the staff group,
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
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { Telegraf } from 'telegraf';
import type { BotCommand, Opts, Telegram as TelegramMethods, UserFromGetMe } from 'telegraf/types';
import type { Config } from '../../../config.js';
import type { ChannelSender, Delivery, DeliveryFault, InboundResult } from '../../../core/ports/channels.js';
import type { Store } from '../../../core/ports.js';
import type { Inbound, Locale, OutboundAction, OutboundMessage } from '../../../core/types.js';
import type { TranslateFn } from '../../../i18n.js';
import { type Logger, RepeatedWarning } from '../../../logger.js';
import { ALLOWED_UPDATES, isUpdate, staffMembershipChanges, type TgUpdate, toInbound } from './inbound.js';
import { TelegramRateLimiter } from './limiter.js';
import {
  badButtons,
  classifyError,
  entitiesWithin,
  inlineKeyboard,
  isChatFault,
  MAX_MEDIA_GROUP,
  splitRanges,
  type TextMention,
  textMentions,
  truncateText,
} from './outbound.js';

export type TelegramConfig = NonNullable<Config['telegram']>;

/** The store setting a generated webhook secret is kept under (shared by every process on the store). */
export const WEBHOOK_SECRET_SETTING = 'telegram.webhookSecret';
/** The header Telegram sends the webhook secret in. */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * The commands shown in Telegram's menu (registered with setMyCommands in Chinese and English); their
 * descriptions are the locale texts `telegram.commands.<command>`.
 */
export const BOT_COMMANDS = [
  'start',
  'repair',
  'complain',
  'suggest',
  'emergency',
  'mytickets',
  'lang',
  'cancel',
  'help',
] as const;

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

/** Raised when an update could not be recorded, so that it is not acknowledged and Telegram sends it again. */
export class UpdateNotRecordedError extends Error {
  constructor(updateId: number, options?: { cause?: unknown }) {
    super(`update ${updateId} could not be recorded`, options);
    this.name = 'UpdateNotRecordedError';
  }
}

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

type Mode = 'polling' | 'webhook';

/** The Telegram channel: receives updates (polling or webhook) and delivers outbox actions. */
export class TelegramChannel implements ChannelSender {
  readonly channel = 'telegram' as const;
  readonly bot: Telegraf;
  readonly limiter: TelegramRateLimiter;
  private me?: UserFromGetMe;
  private server?: Server;
  private polling?: { abort: AbortController; loop: Promise<void> };
  private readonly staffChatId: string;
  private faults: readonly DeliveryFault[] = [];
  /** The number before the token's colon: the bot's user id. */
  private readonly botId: string;
  /** Webhook requests without the right secret: one line a minute with the count, however many come. */
  private readonly refusedSecret: RepeatedWarning;
  /** Webhook requests whose sender hung up before the body arrived, counted the same way. */
  private readonly abortedUploads: RepeatedWarning;

  constructor(private readonly o: TelegramChannelOptions) {
    this.botId = o.config.token.split(':')[0] ?? '';
    this.bot = new Telegraf(o.config.token, {
      telegram: { ...(o.config.apiRoot ? { apiRoot: o.config.apiRoot } : {}), webhookReply: false },
    });
    this.limiter = o.limiter ?? new TelegramRateLimiter(o.config.rates);
    this.staffChatId = String(o.config.staffChatId);
    this.refusedSecret = new RepeatedWarning(o.log, 'webhook request without the right secret refused');
    this.abortedUploads = new RepeatedWarning(o.log, 'webhook request cut off before its body arrived');
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
    try {
      this.me = await this.call('getMe', {}, 15_000);
      this.bot.botInfo = this.me;
      return this.me;
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
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
        `could not check TELEGRAM_BOT_TOKEN: the Telegram Bot API${this.o.config.apiRoot ? ' at TELEGRAM_API_ROOT' : ''} did not answer (${reasonOf(failure)})`,
      );
    }
  }

  /**
   * Checks with getChat that the bot can reach the staff group, so that a wrong TELEGRAM_STAFF_CHAT_ID, a
   * bot not added to the group, or a group that became a supergroup (with a new id) stops start-up with
   * one clear line instead of every card being refused later. A private chat or a channel is a warning;
   * an API that does not answer is a warning too (cards wait in the outbox).
   */
  async checkStaffChat(): Promise<void> {
    const id = this.o.config.staffChatId;
    let chat: unknown;
    try {
      chat = await this.call('getChat', { chat_id: id }, 15_000);
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
      if (failure.status === 'rejected' || failure.status === 'unreachable') {
        throw new TelegramStartupError(
          'TELEGRAM_STAFF_CHAT_UNREACHABLE',
          `TELEGRAM_STAFF_CHAT_ID ${id}: the bot cannot reach this chat (${reasonOf(failure)}); add the bot to the staff group and check the id`,
        );
      }
      this.o.log.warn(
        { reason: reasonOf(failure) },
        'could not check TELEGRAM_STAFF_CHAT_ID with getChat; carrying on',
      );
      return;
    }
    const type = typeof chat === 'object' && chat !== null ? (chat as { type?: unknown }).type : undefined;
    if (type === 'private' || type === 'channel') {
      this.o.log.warn(
        { type },
        'TELEGRAM_STAFF_CHAT_ID is not a group: staff cards and staff commands expect the staff group',
      );
    }
  }

  /** Registers the command menu in Chinese and English. A failure is a warning: the bot works without it. */
  async registerCommands(): Promise<void> {
    const scope = { type: 'all_private_chats' as const };
    const commands = (locale: Locale): BotCommand[] =>
      BOT_COMMANDS.map((command) => ({
        command,
        description: this.o.translate(locale, `telegram.commands.${command}`),
      }));
    const calls: [string, Opts<'setMyCommands'>][] = [
      ['zh', { commands: commands('zh-CN'), scope, language_code: 'zh' }],
      ['default', { commands: commands('en'), scope }],
    ];
    for (const [language, payload] of calls) {
      try {
        await this.call('setMyCommands', payload, 15_000);
      } catch (error) {
        const failure = classifyError(error, [this.o.config.token]);
        this.o.log.warn(
          { language, reason: reasonOf(failure) },
          'could not register the bot commands with Telegram; carrying on',
        );
      }
    }
  }

  /** Starts receiving updates: the webhook server and setWebhook, or deleteWebhook and long polling. */
  async start(): Promise<void> {
    if (this.server || this.polling) return;
    if (this.mode === 'webhook') await this.startWebhook();
    else await this.startPolling();
    this.o.log.info(
      { mode: this.mode, bot: this.me?.username, ...(this.server ? { port: this.port } : {}) },
      'Telegram channel receiving updates',
    );
  }

  /** Stops receiving: closes the webhook server or ends long polling (confirming what was handled). */
  async stop(): Promise<void> {
    const polling = this.polling;
    this.polling = undefined;
    if (polling) {
      polling.abort.abort();
      await polling.loop;
    }
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    this.refusedSecret.flush();
    this.abortedUploads.flush();
  }

  /** The port the webhook server listens on (useful when configured as 0). */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  // ── receiving ───────────────────────────────────────────────────────────

  /**
   * Runs one update through the application and answers its button press. Resolves once the update is
   * recorded (or was a duplicate, or is nothing residesk handles); rejects with UpdateNotRecordedError
   * only when the application could not record it, so that the caller does not acknowledge it.
   */
  async handleUpdate(update: TgUpdate): Promise<void> {
    await this.staffMembership(update);
    let inbound: Inbound | undefined;
    try {
      inbound = toInbound(update, {
        staffChatId: this.o.config.staffChatId,
        botId: this.botId,
        receivedAt: this.o.now(),
      });
    } catch (error) {
      this.o.log.error({ err: error, updateId: update.update_id }, 'could not read a Telegram update; skipped');
    }
    const migrated = update.message?.migrate_to_chat_id;
    if (update.message?.chat?.id === this.o.config.staffChatId && typeof migrated === 'number') {
      this.o.log.error(
        { newChatId: migrated },
        'the staff group became a supergroup with a new id: set TELEGRAM_STAFF_CHAT_ID to it and restart',
      );
    }
    const query = update.callback_query;
    if (!inbound) {
      this.o.log.debug({ updateId: update.update_id }, 'Telegram update ignored');
      if (query && typeof query.id === 'string') await this.answerCallback(query.id);
      return;
    }
    let result: InboundResult | undefined;
    let failure: unknown;
    try {
      result = await this.o.handle(inbound);
    } catch (error) {
      failure = error;
      this.o.log.error({ err: error, updateId: update.update_id }, 'a Telegram update could not be handled');
    }
    if (result && !result.duplicate) {
      try {
        this.o.wake();
      } catch (error) {
        this.o.log.warn({ err: error }, 'waking the dispatcher failed');
      }
    }
    if (query && typeof query.id === 'string') await this.answerCallback(query.id, result?.ack);
    if (failure !== undefined) throw new UpdateNotRecordedError(update.update_id, { cause: failure });
  }

  /**
   * Tells the application who left or joined the staff group. The bot's own removal is only logged (the
   * staff group gets no cards until it is added back). Rejects with UpdateNotRecordedError when the
   * application could not record a change, so that the update comes again (recording one is idempotent).
   */
  private async staffMembership(update: TgUpdate): Promise<void> {
    let changes: ReturnType<typeof staffMembershipChanges> = [];
    try {
      changes = staffMembershipChanges(update, this.o.config.staffChatId);
    } catch (error) {
      this.o.log.error({ err: error, updateId: update.update_id }, 'could not read a Telegram membership change');
    }
    for (const change of changes) {
      if (change.userId === this.botId) {
        if (!change.member) {
          this.o.log.error('the bot was removed from the staff group (TELEGRAM_STAFF_CHAT_ID): add it again');
        }
        continue;
      }
      if (change.bot) continue;
      const staff = `telegram:${change.userId}`;
      try {
        if (change.member) await this.o.onStaffJoined?.(change.userId);
        else await this.o.onStaffLeft?.(change.userId);
      } catch (error) {
        this.o.log.error(
          { err: error, updateId: update.update_id, staff },
          'could not record that someone joined or left the staff group',
        );
        throw new UpdateNotRecordedError(update.update_id, { cause: error });
      }
      this.o.log.info({ staff }, change.member ? 'someone joined the staff group' : 'someone left the staff group');
    }
  }

  /** Answers a button press (Telegram shows a spinner until then). Never throws. */
  private async answerCallback(id: string, ack?: { text: string; alert?: boolean }): Promise<void> {
    try {
      const text = ack?.text ? truncateText(ack.text, 200) : undefined;
      await this.call(
        'answerCallbackQuery',
        { callback_query_id: id, ...(text ? { text } : {}), ...(text && ack?.alert ? { show_alert: true } : {}) },
        10_000,
      );
    } catch (error) {
      // A redelivered update's query is too old to answer: nothing to do.
      const failure = classifyError(error, [this.o.config.token]);
      this.o.log.debug({ reason: reasonOf(failure) }, 'could not answer a button press');
    }
  }

  private async startPolling(): Promise<void> {
    try {
      await this.call('deleteWebhook', { drop_pending_updates: false }, 15_000);
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
      throw new TelegramStartupError(
        'TELEGRAM_POLLING_FAILED',
        `could not switch Telegram to long polling: deleteWebhook failed (${reasonOf(failure)})`,
      );
    }
    const abort = new AbortController();
    this.polling = { abort, loop: this.pollLoop(abort.signal) };
  }

  /** getUpdates in a loop; the offset moves past an update only once it has been recorded. */
  private async pollLoop(signal: AbortSignal): Promise<void> {
    const timeout = this.o.pollTimeoutSec ?? 50;
    let offset = 0;
    let failures = 0;
    while (!signal.aborted) {
      let updates: unknown[];
      const asked = Date.now();
      try {
        const result = await this.bot.telegram.callApi(
          'getUpdates',
          { offset, timeout, allowed_updates: ALLOWED_UPDATES },
          { signal: AbortSignal.any([signal, AbortSignal.timeout((timeout + 20) * 1000)]) as never },
        );
        updates = Array.isArray(result) ? result : [];
        failures = 0;
        // A server that answers an empty long poll at once (an emulator, a proxy) must not make this spin.
        if (updates.length === 0 && timeout > 0 && Date.now() - asked < 200) await sleep(500, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const failure = classifyError(error, [this.o.config.token]);
        const waitMs =
          failure.status === 'rate_limited' ? failure.retryAfterMs : Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        const reason = reasonOf(failure);
        if (/^(401|404)\b/.test(reason))
          this.o.log.error({ reason }, 'Telegram refused getUpdates: is TELEGRAM_BOT_TOKEN still valid?');
        else if (/^409\b/.test(reason))
          this.o.log.error({ reason }, "another process is receiving this bot's updates (webhook or polling)");
        else this.o.log.warn({ reason, waitMs }, 'getUpdates failed; trying again');
        await sleep(waitMs, signal);
        continue;
      }
      for (const update of updates) {
        if (!isUpdate(update)) continue;
        try {
          await this.handleUpdate(update);
        } catch {
          // Not recorded: do not move the offset past it; it comes again with the next getUpdates.
          await sleep(this.o.pollRetryMs ?? 1000, signal);
          break;
        }
        offset = update.update_id + 1;
      }
    }
    // Confirm what was handled, so a restart does not receive it again (dedupe would skip it anyway).
    if (offset > 0) {
      await this.call('getUpdates', { offset, limit: 1, timeout: 0 }, 5000).catch(() => undefined);
    }
  }

  private async startWebhook(): Promise<void> {
    const url = new URL(this.o.config.webhookUrl ?? '');
    const path = url.pathname || '/';
    if (path === '/healthz') {
      throw new TelegramStartupError('TELEGRAM_WEBHOOK_FAILED', 'TELEGRAM_WEBHOOK_URL must not use the path /healthz');
    }
    const secret = await webhookSecret(this.o.config, this.o.store);
    const expected = digest(secret);
    const server = createServer((req, res) => {
      void this.onRequest(req, res, path, expected);
    });
    server.headersTimeout = 15_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.config.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new TelegramStartupError(
        'TELEGRAM_WEBHOOK_FAILED',
        `could not listen on PORT ${this.o.config.port} for the Telegram webhook (${error instanceof Error ? error.message : String(error)})`,
      );
    });
    server.on('error', (error) => this.o.log.error({ err: error }, 'webhook server error'));
    this.server = server;
    try {
      await this.call(
        'setWebhook',
        { url: url.toString(), secret_token: secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
        15_000,
      );
    } catch (error) {
      await this.stop();
      const failure = classifyError(error, [this.o.config.token, secret]);
      throw new TelegramStartupError(
        'TELEGRAM_WEBHOOK_FAILED',
        `Telegram did not accept TELEGRAM_WEBHOOK_URL as the webhook (${reasonOf(failure)})`,
      );
    }
  }

  /**
   * The webhook server: /healthz, and the webhook path, which checks the secret header before reading
   * anything else and answers 200 only once the update is recorded (500 makes Telegram send it again).
   */
  private async onRequest(req: IncomingMessage, res: ServerResponse, path: string, expected: Buffer): Promise<void> {
    try {
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        if (this.faults.length === 0) return reply(res, 200, 'ok');
        // Degraded, not down: owners are served, but staff cards wait until the group is fixed.
        const faults = this.faults.map((f) => ({
          chat: f.chatId === this.staffChatId ? 'staff group' : 'chat',
          reason: f.reason,
          since: f.since.toISOString(),
          failures: f.failures,
        }));
        return reply(res, 503, JSON.stringify({ status: 'degraded', faults }));
      }
      if (pathname !== path) return reply(res, 404, 'not found', true);
      if (req.method !== 'POST') return reply(res, 405, 'method not allowed', true);
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
        this.refusedSecret.note({ header: given === undefined ? 'missing' : 'wrong' });
        return reply(res, 401, 'unauthorized', true);
      }
      const limit = this.o.maxBodyBytes ?? 1024 * 1024;
      if (Number(req.headers['content-length'] ?? 0) > limit) return reply(res, 413, 'too large', true);
      let body: Buffer;
      try {
        body = await readBody(req, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge) return reply(res, 413, 'too large', true);
        if (req.destroyed || req.readableAborted) {
          // The sender hung up half way: nobody is left to answer, and nothing was received.
          this.abortedUploads.note();
          res.destroy();
          return;
        }
        throw error;
      }
      let update: unknown;
      try {
        update = JSON.parse(body.toString('utf8'));
      } catch {
        return reply(res, 400, 'bad json');
      }
      if (!isUpdate(update)) return reply(res, 400, 'not an update');
      try {
        await this.handleUpdate(update);
      } catch {
        return reply(res, 500, 'not recorded');
      }
      return reply(res, 200, '');
    } catch (error) {
      this.o.log.error({ err: error }, 'webhook request failed');
      if (!res.headersSent) reply(res, 500, 'error', true);
      else res.destroy();
    }
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
  async deliver(chatId: string, action: OutboundAction, target?: string): Promise<Delivery> {
    let result: Delivery;
    try {
      result =
        action.kind === 'send'
          ? await this.send(chatId, action.message, target)
          : await this.edit(chatId, action.message, target);
    } catch (error) {
      result = classifyError(error, [this.o.config.token]);
    }
    // The staff group refusing us is the set-up's fault, not the message's: the dispatcher keeps the
    // card, retries it and alerts (once per period); a refusal of one message stays a rejection.
    if (chatId === this.staffChatId && isChatFault(result) && result.status !== 'sent') {
      return {
        status: 'misconfigured',
        reason: `${result.reason} (check TELEGRAM_STAFF_CHAT_ID and the bot's rights)`,
      };
    }
    if (result.status === 'rejected' && chatId === this.staffChatId) {
      this.o.log.error(
        { reason: result.reason },
        'Telegram refused a message to the staff group (check TELEGRAM_STAFF_CHAT_ID)',
      );
    }
    return result;
  }

  /** The dispatcher's current faults on this channel, shown on /healthz. */
  reportFaults(faults: readonly DeliveryFault[]): void {
    this.faults = faults;
  }

  private async send(chatId: string, message: OutboundMessage, replyTo: string | undefined): Promise<Delivery> {
    const bad = badButtons(message.buttons);
    if (bad) return { status: 'rejected', reason: bad };
    if (message.photos && message.photos.length > 0) {
      const stop = await this.sendPhotos(chatId, message.photos);
      if (stop) return stop;
    }
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
      last = (await this.sendText(payload, entities)).message_id;
    }
    if (ranges.length > 1) this.limiter.charge(chatId, this.o.now().getTime(), ranges.length - 1);
    return { status: 'sent', ...(last !== undefined ? { platformMessageId: String(last) } : {}) };
  }

  /** sendMessage with mentions; if Telegram refuses the mentions (400), the text goes without them. */
  private async sendText(payload: Opts<'sendMessage'>, entities: TextMention[]) {
    if (entities.length === 0) return this.call('sendMessage', payload);
    try {
      return await this.call('sendMessage', { ...payload, entities });
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
      if (failure.status !== 'rejected') throw error;
      this.o.log.warn(
        { reason: failure.reason },
        'Telegram refused the mentions in a message; sending it without them',
      );
      return this.call('sendMessage', payload);
    }
  }

  /**
   * Sends a message's photos ahead of its text. A 429 or 403 stops the delivery (returned); any other
   * failure (a stale file id, a server error) drops the photos with a warning so that the text, which
   * matters more, still goes (the photos stay with the ticket).
   */
  private async sendPhotos(chatId: string, photos: readonly string[]): Promise<Delivery | undefined> {
    let sent = 0;
    try {
      for (let i = 0; i < photos.length; i += MAX_MEDIA_GROUP) {
        const chunk = photos.slice(i, i + MAX_MEDIA_GROUP);
        const [only] = chunk;
        if (chunk.length === 1 && only !== undefined) await this.call('sendPhoto', { chat_id: chatId, photo: only });
        else
          await this.call('sendMediaGroup', {
            chat_id: chatId,
            media: chunk.map((id) => ({ type: 'photo' as const, media: id })),
          });
        sent += chunk.length;
      }
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
      if (failure.status === 'rate_limited' || failure.status === 'unreachable') return failure;
      this.o.log.warn(
        { photos: photos.length, sent, reason: reasonOf(failure), staff: chatId === this.staffChatId },
        'photos could not be sent; sending the text without them',
      );
    }
    // The first photo took the reserved slot; the rest count against the limits too.
    if (sent > 1) this.limiter.charge(chatId, this.o.now().getTime(), sent - 1);
    return undefined;
  }

  private async edit(chatId: string, message: OutboundMessage, target: string | undefined): Promise<Delivery> {
    const messageId = Number(target);
    if (!Number.isSafeInteger(messageId)) return { status: 'rejected', reason: 'no Telegram message to edit' };
    const bad = badButtons(message.buttons);
    if (bad) return { status: 'rejected', reason: bad };
    const text = truncateText(message.text);
    const entities = entitiesWithin(textMentions(text, message.mentions), 0, text.length);
    try {
      await this.call('editMessageText', {
        chat_id: chatId,
        message_id: messageId,
        text,
        ...(entities.length > 0 ? { entities } : {}),
        link_preview_options: { is_disabled: true },
        // An empty keyboard takes the buttons off (a question that has been answered).
        reply_markup: inlineKeyboard(message.buttons),
      });
    } catch (error) {
      const failure = classifyError(error, [this.o.config.token]);
      if (failure.status === 'rejected' && /message to edit not found|message can't be edited/i.test(failure.reason)) {
        this.o.log.debug({ reason: failure.reason }, 'the message to edit is gone; nothing to do');
        return { status: 'sent', platformMessageId: String(messageId) };
      }
      return failure.status === 'sent' ? { status: 'sent', platformMessageId: String(messageId) } : failure;
    }
    return { status: 'sent', platformMessageId: String(messageId) };
  }

  /** One Bot API call with a timeout (the token stays inside telegraf; errors are redacted by callers). */
  private call<M extends keyof TelegramMethods>(
    method: M,
    payload: Opts<M>,
    timeoutMs = this.o.requestTimeoutMs ?? 30_000,
  ) {
    return this.bot.telegram.callApi(method, payload, { signal: AbortSignal.timeout(timeoutMs) as never });
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
  await channel.checkStaffChat();
  await channel.registerCommands();
  return channel;
}

/**
 * The webhook secret: TELEGRAM_WEBHOOK_SECRET, else the one kept in the store, else a new random one
 * (kept in the store, so a restart and every other process use the same).
 */
export async function webhookSecret(
  config: Pick<TelegramConfig, 'webhookSecret'>,
  store: Pick<Store, 'getSetting' | 'setSetting' | 'transaction'>,
): Promise<string> {
  if (config.webhookSecret) return config.webhookSecret;
  return store.transaction(async (tx) => {
    const kept = await tx.getSetting(WEBHOOK_SECRET_SETTING);
    if (kept) return kept;
    const secret = randomBytes(32).toString('base64url');
    await tx.setSetting(WEBHOOK_SECRET_SETTING, secret);
    return secret;
  });
}

// ── helpers ─────────────────────────────────────────────────────────────────

function reasonOf(d: Delivery): string {
  return d.status === 'sent' ? 'ok' : d.reason;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function reply(res: ServerResponse, status: number, body: string, close = false): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
