/**
 * The WeChat Service Account (服务号) channel, on the official HTTP interfaces only: owners follow the
 * account (one QR code per building, printed by the service centre) and write to it; residesk answers
 * through 客服消息. No library beyond `@wecom/crypto` and `fast-xml-parser`; HTTP is node's own.
 *
 * Receiving: the callback (callback.ts, on its own port WECHAT_MP_PORT) answers `success` at once — WeChat
 * allows 5 s — and the message is handled afterwards, one at a time per chat so that order holds. Since
 * WeChat does not send a message again once answered, one the application could not record is tried a
 * few times before it is given up (and logged). Dedupe: the MsgId, or an event's sender, time, kind and
 * key (inbound.ts), through the application's store like every channel. A follow or scan whose QR code
 * names `<estate>:<building>` keeps that building on the owner (Owner.qrBuilding); an unfollow is told to
 * `onUnfollowed`. Owners' photos are saved under `<DATA_DIR>/attachments/wechat-mp/`.
 *
 * Sending: `deliver` sends an outbox action as 客服消息 texts (choices as numbered lines, which the
 * engine maps back when a number is typed) and photos of ours as images; WeChat's errcodes become
 * Delivery values (api.ts). WeChat cannot edit: closing an answered question is skipped, any other edit
 * is sent as a new message. `capabilities`, `replyWindow`, `opensWindow` and `partsOf` tell the outbox
 * about the reply windows; `notify` sends the template message (模板消息) configured for a message's
 * kind (flows/wechat-mp/templates.yaml, read at start-up) when the window is closed.
 *
 * Start-up: the AppID and secret are checked by fetching a token (fatal with one line when refused), and
 * the menu file is read (fatal when it is wrong) and created (a warning when WeChat refuses it). Secrets,
 * owners' texts and OpenIDs never reach logs above debug.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../../../config.js';
import type {
  ChannelSender,
  Delivery,
  DeliveryFault,
  InboundResult,
  Notification,
  ReplyWindowState,
} from '../../../core/ports/channels.js';
import type { Store, StoredFile } from '../../../core/ports.js';
import { type Inbound, LOCALES, type Locale, type MessagePurpose, type OutboundAction } from '../../../core/types.js';
import type { TranslateFn } from '../../../i18n.js';
import type { Logger } from '../../../logger.js';
import { bufferOf, NO_FILES, sortAttachments, withFileNames } from '../shared/attachments.js';
import { localPhotoPath } from '../shared/plain-text.js';
import { imageExtension } from '../wechat/inbound.js';
import { ApiCallError, deliveryOf, MpApi } from './api.js';
import { callbackHandler } from './callback.js';
import { handlingOf, type QrBuilding, windowOpenedBy } from './inbound.js';
import { loadMenu, MENU_LANGUAGE, MenuFileError, menuJson } from './menu.js';
import { contentTypeOf, isClosingEdit, MP_CAPABILITIES, partsOf, ReplyWindows, textsOf } from './outbound.js';
import { loadTemplates, TemplateFileError, type Templates, templateData } from './templates.js';
import type { MpMessage } from './xml.js';

export type WechatMpConfig = NonNullable<Config['wechatMp']>;

/** Owners' images larger than this are not saved (WeChat's own limit for an image is 10 MB). */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** A start-up failure, as one line that names what to fix and holds no secret. */
export class WechatMpStartupError extends Error {
  constructor(
    readonly code:
      | 'WECHAT_MP_CREDENTIALS_REJECTED'
      | 'WECHAT_MP_UNREACHABLE'
      | 'WECHAT_MP_MENU_INVALID'
      | 'WECHAT_MP_TEMPLATES_INVALID'
      | 'WECHAT_MP_LISTEN_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WechatMpStartupError';
  }
}

export interface WechatMpChannelOptions {
  config: WechatMpConfig;
  /** The owners' records (a QR code's building is kept on the owner). */
  store: Pick<Store, 'transaction'>;
  /** DATA_DIR: owners' photos are saved under it, and only photos under it are sent. */
  dataDir: string;
  log: Logger;
  /** The application's handler: records the message and enqueues the replies. */
  handle: (inbound: Inbound) => Promise<InboundResult>;
  /** Tells the dispatcher there is something to deliver. */
  wake: () => void;
  now: () => Date;
  /** The locale texts (the menu's labels). */
  texts: { translate: TranslateFn; has: (key: string) => boolean };
  /** The default menu's language; the other locales get a conditional menu for followers whose WeChat speaks them. */
  defaultLocale: Locale;
  /** A follower unfollowed: nothing can reach them any more (App.markUnreachable). */
  onUnfollowed?: (openId: string) => Promise<unknown>;
  /** Interface the callback server listens on; default all. */
  host?: string;
  /** Tries at recording one message before it is given up; default 3, a second apart. */
  recordAttempts?: number;
  recordRetryMs?: number;
  fetch?: typeof fetch;
}

/** The Service Account channel: receives callbacks and delivers outbox actions as 客服消息. */
export class WechatMpChannel implements ChannelSender {
  readonly channel = 'wechat_mp' as const;
  readonly capabilities = MP_CAPABILITIES;
  readonly api: MpApi;
  private readonly windows = new ReplyWindows();
  /** Message handling, one promise chain per chat. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Keys handled lately, so that a retried delivery does not reopen a window it already opened. */
  private readonly recent = new Set<string>();
  private server?: Server;
  private faults: readonly DeliveryFault[] = [];
  /** The template messages per kind of message (none until `loadTemplates`). */
  private templates: Templates = new Map();

  constructor(private readonly o: WechatMpChannelOptions) {
    this.api = new MpApi({
      appId: o.config.appId,
      appSecret: o.config.appSecret,
      ...(o.config.apiRoot ? { apiRoot: o.config.apiRoot } : {}),
      now: o.now,
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
  }

  /** The port the callback server listens on, once started (the configured one, or the one given for 0). */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  // ── start-up ────────────────────────────────────────────────────────────

  /** Fetches a token: the AppID and secret are right and the API answers, or a WechatMpStartupError says which. */
  async checkCredentials(): Promise<void> {
    try {
      await this.api.token();
    } catch (error) {
      if (error instanceof ApiCallError) {
        const hint =
          error.errcode === 40164 || error.errcode === 61004
            ? "add this server's public IP address to the account's IP allow-list (IP白名单)"
            : 'check WECHAT_MP_APP_ID and WECHAT_MP_APP_SECRET';
        throw new WechatMpStartupError(
          'WECHAT_MP_CREDENTIALS_REJECTED',
          `the WeChat API refused the Service Account's credentials (${error.errcode}): ${hint}`,
          { cause: error },
        );
      }
      throw new WechatMpStartupError(
        'WECHAT_MP_UNREACHABLE',
        `the WeChat API cannot be reached (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  }

  /**
   * Reads the menu file and creates the menu: the default one in the default locale, a conditional one
   * per other locale. A wrong file is fatal; WeChat refusing the menu (an unverified account has no menu
   * API) is a warning — owners can still write.
   */
  async setUpMenu(): Promise<void> {
    const file = this.o.config.menuFile;
    if (file === null) return;
    let spec: ReturnType<typeof loadMenu>;
    try {
      spec = loadMenu(file, { ...this.o.texts, locales: LOCALES });
    } catch (error) {
      if (error instanceof MenuFileError) {
        throw new WechatMpStartupError('WECHAT_MP_MENU_INVALID', `the menu file ${error.message}`, { cause: error });
      }
      throw error;
    }
    try {
      await this.api.createMenu(menuJson(spec, this.o.defaultLocale, this.o.texts.translate));
      for (const locale of LOCALES) {
        if (locale === this.o.defaultLocale) continue;
        await this.api.addConditionalMenu({
          ...menuJson(spec, locale, this.o.texts.translate),
          matchrule: { language: MENU_LANGUAGE[locale] },
        });
      }
      this.o.log.info({ file }, 'WeChat Service Account menu created');
    } catch (error) {
      this.o.log.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'WeChat refused the Service Account menu; owners can still write to the account',
      );
    }
  }

  /** Reads the template file (WECHAT_MP_TEMPLATES): a wrong one is fatal, naming each mistake. */
  loadTemplates(): void {
    const file = this.o.config.templatesFile;
    if (!file) return;
    try {
      this.templates = loadTemplates(file);
    } catch (error) {
      if (error instanceof TemplateFileError) {
        throw new WechatMpStartupError('WECHAT_MP_TEMPLATES_INVALID', `the template file ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
    this.o.log.info({ file, kinds: [...this.templates.keys()] }, 'Service Account template messages read');
  }

  /** Starts the callback server on WECHAT_MP_PORT (0 picks a free port). */
  async start(port = this.o.config.port): Promise<void> {
    const handler = callbackHandler({
      token: this.o.config.token,
      appId: this.o.config.appId,
      ...(this.o.config.aesKey ? { aesKey: this.o.config.aesKey } : {}),
      path: this.o.config.path,
      log: this.o.log,
      accept: (message) => this.accept(message),
      health: () =>
        this.faults.length === 0
          ? { status: 200, body: 'ok' }
          : {
              status: 503,
              body: JSON.stringify({
                status: 'degraded',
                faults: this.faults.map((f) => ({ reason: f.reason, since: f.since.toISOString() })),
              }),
            },
    });
    const server = createServer((req, res) => void handler(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new WechatMpStartupError(
        'WECHAT_MP_LISTEN_FAILED',
        `could not listen on WECHAT_MP_PORT ${port} for the Service Account callback (${error instanceof Error ? error.message : String(error)})`,
      );
    });
    server.on('error', (error) => this.o.log.error({ err: error }, 'Service Account callback server error'));
    this.server = server;
    this.o.log.info({ port: this.port, path: this.o.config.path }, 'WeChat Service Account callback listening');
  }

  /** Stops the server and waits for the messages being handled. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.settled();
  }

  /** Resolves once every message received so far has been handled. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  // ── receiving ───────────────────────────────────────────────────────────

  /** Queues one answered message behind the chat's earlier ones. */
  private accept(message: MpMessage): void {
    const chatId = message.fromUser;
    const previous = this.chains.get(chatId) ?? Promise.resolve();
    const next = previous
      .then(() => this.receive(message))
      .catch((error: unknown) => this.o.log.error({ err: error }, 'Service Account message handling failed'))
      .finally(() => {
        if (this.chains.get(chatId) === next) this.chains.delete(chatId);
      });
    this.chains.set(chatId, next);
  }

  private async receive(message: MpMessage): Promise<void> {
    const receivedAt = this.o.now();
    const photoRef = message.kind === 'image' ? await this.savePhoto(message.msgId, message.mediaId) : undefined;
    const handling = handlingOf(message, receivedAt, photoRef);
    const repeated = this.recent.has(handling.key);
    this.remember(handling.key);
    const chatId = message.fromUser;
    if (handling.opens && !repeated) this.windows.opened(chatId, handling.opens, receivedAt);
    if (handling.unfollowed) {
      this.o.log.info('a follower unfollowed the Service Account');
      await this.o.onUnfollowed?.(chatId);
      return;
    }
    if (handling.inbound) {
      const result = await this.record(handling.inbound);
      if (result && !result.duplicate && handling.bind) await this.bind(chatId, handling.bind);
    } else if (handling.bind) {
      await this.bind(chatId, handling.bind);
    }
    this.o.wake();
  }

  /** Hands a message to the application, trying again a few times: WeChat will not send it again. */
  private async record(inbound: Inbound): Promise<InboundResult | undefined> {
    const attempts = this.o.recordAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.o.handle(inbound);
      } catch (error) {
        if (attempt >= attempts) {
          this.o.log.error(
            { err: error, attempts, kind: inbound.content.type },
            'a Service Account message could not be recorded and is given up',
          );
          return undefined;
        }
        await delay(this.o.recordRetryMs ?? 1000);
      }
    }
  }

  /** Keeps the QR code's estate and building on the follower's owner record (created by the handling). */
  private async bind(openId: string, building: QrBuilding): Promise<void> {
    const changed = await this.o.store.transaction(async (tx) => {
      const owner = await tx.findOwnerByIdentity('wechat_mp', openId);
      if (!owner) return false;
      const same = owner.qrBuilding?.estate === building.estate && owner.qrBuilding.building === building.building;
      if (same) return false;
      await tx.saveOwner({ ...owner, qrBuilding: { ...building }, updatedAt: this.o.now() });
      return true;
    });
    if (changed) this.o.log.info({ building: building.building }, 'a follower was bound to a building by its QR code');
  }

  /** Fetches an owner's image and saves it; undefined (answered as something unreadable) when that fails. */
  private async savePhoto(msgId: string, mediaId: string): Promise<string | undefined> {
    try {
      const media = await this.api.downloadMedia(mediaId, MAX_IMAGE_BYTES);
      const safeId = msgId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120) || 'image';
      const dir = join(this.o.dataDir, 'attachments', 'wechat-mp');
      const path = join(dir, `${safeId}.${imageExtension(undefined, media.contentType)}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path, media.bytes);
      return path;
    } catch (error) {
      this.o.log.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        "an owner's image could not be fetched from WeChat",
      );
      return undefined;
    }
  }

  private remember(key: string): void {
    this.recent.add(key);
    if (this.recent.size > 1000) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  // ── sending ─────────────────────────────────────────────────────────────

  /** The chat's reply windows as this process saw them. */
  replyWindow(chatId: string): ReplyWindowState | undefined {
    return this.windows.state(chatId);
  }

  /** Which reply window an inbound message opened, by the key it was logged under. */
  opensWindow(messageId: string): 'message' | 'event' | undefined {
    return windowOpenedBy(messageId);
  }

  /** How many 客服消息 an action takes (each counts against the reply window). */
  partsOf(action: OutboundAction): number {
    return partsOf(action, this.o.dataDir);
  }

  /** Whether a template message is configured for this kind of message. */
  canNotify(kind: MessagePurpose['kind']): boolean {
    return this.templates.has(kind);
  }

  /** Sends the template configured for the notification's kind (模板消息, whatever the reply window). */
  async notify(chatId: string, notification: Notification): Promise<Delivery> {
    const spec = this.templates.get(notification.purpose.kind);
    if (!spec) return { status: 'rejected', reason: `no template for ${notification.purpose.kind}` };
    try {
      const msgId = await this.api.sendTemplate(chatId, spec.template_id, templateData(spec, notification), spec.url);
      return { status: 'sent', platformMessageId: `mp-template:${msgId || randomUUID()}` };
    } catch (error) {
      return deliveryOf(error);
    }
  }

  /** The dispatcher's current faults on this channel, shown on /healthz. */
  reportFaults(faults: readonly DeliveryFault[]): void {
    this.faults = faults;
  }

  /**
   * Delivers one outbox action as 客服消息: photos of ours first, then the text in as many parts as it
   * needs. Every part delivered counts against the chat's reply window. A failure before anything went
   * is the Delivery of its errcode; after some parts went, the rest are given up (sending them again
   * would repeat what the owner already has) and the failure is logged.
   */
  async deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    // Closing an answered question: nothing to close in a chat without buttons.
    if (isClosingEdit(action)) {
      return { status: 'sent', ...(target ? { platformMessageId: target } : {}) };
    }
    // Generated images go as image messages, one each (no albums); documents are named in the text.
    const sorted = sortAttachments(action.message, files, MP_CAPABILITIES.files ?? NO_FILES);
    const message = { ...action.message, text: withFileNames(action.message.text, sorted.left) };
    let delivered = 0;
    try {
      for (const photo of message.photos ?? []) {
        const path = localPhotoPath(photo, this.o.dataDir);
        if (!path) continue;
        const bytes = await readFile(path);
        const mediaId = await this.api.uploadImage(bytes, basename(path), contentTypeOf(path));
        await this.api.sendImage(chatId, mediaId);
        delivered += 1;
        this.windows.sent(chatId, 1);
      }
      for (const { attachment, file } of sorted.images) {
        const mediaId = await this.api.uploadImage(bufferOf(file), attachment.name, file.mime);
        await this.api.sendImage(chatId, mediaId);
        delivered += 1;
        this.windows.sent(chatId, 1);
      }
      for (const text of textsOf(message)) {
        await this.api.sendText(chatId, text);
        delivered += 1;
        this.windows.sent(chatId, 1);
      }
    } catch (error) {
      const outcome = deliveryOf(error);
      if (delivered === 0) return outcome;
      this.o.log.warn(
        { delivered, reason: outcome.status === 'sent' ? '' : outcome.reason },
        'a Service Account message went only in part; the rest is given up',
      );
    }
    return { status: 'sent', platformMessageId: `mp:${randomUUID()}` };
  }
}

/**
 * Builds the Service Account channel and runs the start-up checks: a token (fatal with one clear line
 * when the AppID or secret is refused or the API cannot be reached) and the menu (fatal when its file is
 * wrong, a warning when WeChat refuses it). Call `start()` to open the callback.
 */
export async function createWechatMpChannel(opts: WechatMpChannelOptions): Promise<WechatMpChannel> {
  const channel = new WechatMpChannel(opts);
  channel.loadTemplates();
  await channel.checkCredentials();
  opts.log.info({ appId: opts.config.appId }, 'WeChat Service Account credentials checked');
  await channel.setUpMenu();
  return channel;
}
