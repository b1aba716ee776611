/**
 * The WeCom (企业微信) channel: staff in a WeCom internal group with WeCom's smart bot (智能机器人), over the
 * official SDK `@wecom/aibot-node-sdk` and its long connection (智能机器人长连接). The connection is
 * opened from here (no public URL, no callback to decrypt: WeCom authenticates the bot by BotID and its
 * long-connection Secret over TLS) and the SDK keeps it alive (heartbeat, reconnection).
 *
 * Receiving: every message callback (a group pushes only messages that @mention the bot) and every click
 * on a card's button becomes an `Inbound`; the callback's msgid is the dedupe key, so a callback pushed
 * twice is handled once. Anyone in the staff group is staff, as in the Telegram group (StaffDesk.enrol).
 *
 * Sending: a message with buttons is a template card (outbound.ts), one without is markdown. A card can
 * be changed in place only in answer to a click on it, within 5 s of the click, with that click's req_id
 * (`aibot_respond_update_msg`). So an `edit` of a card that was clicked moments ago updates it in place;
 * any other edit of a card (a typed command, a job) posts the card again as it is now and points its ref
 * at the new card, so staff always find a current card at the bottom of the group. A refusal meant for
 * the clicker alone (`ack.alert`) is said in the group to them by name: WeCom has no private answer.
 *
 * WeCom lets a bot push to a chat only after someone there has written to it: until someone @mentions
 * the bot in the staff group once, WeCom refuses the group, which is a configuration fault
 * ('misconfigured': the cards wait and are retried, never dropped). Secrets and texts never reach the
 * logs above debug.
 */
import { type Logger as SdkLogger, type TemplateCard, WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import type { Config } from '../../../config.js';
import type {
  ChannelCapabilities,
  ChannelSender,
  Delivery,
  DeliveryFault,
  InboundResult,
} from '../../../core/ports/channels.js';
import type { Store, StoredFile } from '../../../core/ports.js';
import type { Inbound, OutboundAction, OutboundMessage } from '../../../core/types.js';
import type { Logger } from '../../../logger.js';
import { bufferOf, NO_FILES, sortAttachments, withFileNames } from '../shared/attachments.js';
import { eventToClick, messageToInbound, type WecomBody } from './inbound.js';
import { WecomLimiter } from './limiter.js';
import { classifyFailure, isChatRefusal, newTaskId, textCard, toBody } from './outbound.js';

export type WecomConfig = NonNullable<Config['wecom']>;

/** How long after a click its card may still be updated: WeCom allows 5 s; kept under it. */
const CLICK_WINDOW_MS = 4500;

/** A start-up failure, as one line that names what to fix and never holds the Secret. */
export class WecomStartupError extends Error {
  constructor(
    readonly code: 'WECOM_SECRET_REJECTED' | 'WECOM_UNREACHABLE',
    message: string,
  ) {
    super(message);
    this.name = 'WecomStartupError';
  }
}

export interface WecomChannelOptions {
  config: WecomConfig;
  /** Where a card posted again is named, so that its next edit finds it. */
  store: Pick<Store, 'setMessageRef'>;
  log: Logger;
  /** The application's handler: records the message and enqueues the replies. */
  handle: (inbound: Inbound) => Promise<InboundResult>;
  /** Tells the dispatcher there is something to deliver. */
  wake: () => void;
  now: () => Date;
  /** How long to wait for WeCom to accept the BotID and Secret at start-up; default 15 s. */
  startTimeoutMs?: number;
  /** Heartbeat interval of the connection; default the SDK's (30 s, as WeCom asks). */
  heartbeatMs?: number;
}

/** The WeCom channel: receives over the long connection and delivers outbox actions to the staff group. */
export class WecomChannel implements ChannelSender {
  readonly channel = 'wecom' as const;
  /**
   * Buttons on cards (up to eighteen, outbound.ts); edits are made (in place within 5 s of a click on the
   * card, else by posting it again); markdown up to 20,480 bytes, about 6,000 Chinese characters. No reply
   * window: once someone has written to the bot in a chat, it may push there at any time (30 a minute).
   */
  readonly capabilities: ChannelCapabilities = {
    buttons: true,
    edit: true,
    maxTextLength: 6000,
    // Generated files go up over the long connection (aibot_upload_media_*) and out as image or file
    // messages, one each (no albums).
    files: { images: true, documents: true, album: false },
  };
  private readonly client: WSClient;
  private readonly limiter = new WecomLimiter();
  /** The last click on each card (by task id) still inside WeCom's window for an update. */
  private readonly clicks = new Map<string, { reqId: string; at: number }>();
  private faults: readonly DeliveryFault[] = [];
  /** WeCom refused the BotID or Secret too often for the SDK to go on trying. */
  private refused = false;

  constructor(private readonly o: WecomChannelOptions) {
    this.client = new WSClient({
      botId: o.config.botId,
      secret: o.config.secret,
      ...(o.config.wsUrl ? { wsUrl: o.config.wsUrl } : {}),
      // A staff desk never gives up on its connection; the SDK backs off to 30 s between tries.
      maxReconnectAttempts: -1,
      ...(o.heartbeatMs ? { heartbeatInterval: o.heartbeatMs } : {}),
      logger: sdkLogger(o.log),
    });
    this.client.on('message', (frame) => void this.onMessage(frame));
    this.client.on('event', (frame) => void this.onEvent(frame));
    this.client.on('error', (error) => {
      if (error.name === 'WSAuthFailureError') {
        this.refused = true;
        o.log.error('WeCom keeps refusing WECOM_BOT_ID / WECOM_BOT_SECRET: staff cards wait until it is fixed');
      }
    });
  }

  /** The dispatcher's current faults on this channel (for a health check). */
  get deliveryFaults(): readonly DeliveryFault[] {
    return this.faults;
  }

  // ── start-up ────────────────────────────────────────────────────────────

  /**
   * Opens the long connection and waits until WeCom accepts the BotID and Secret; throws a
   * WecomStartupError (one clear line) when it refuses them or does not answer in time.
   */
  async start(): Promise<void> {
    const client = this.client;
    const timeoutMs = this.o.startTimeoutMs ?? 15_000;
    const where = this.o.config.wsUrl ? 'WECOM_WS_URL' : 'WeCom (wss://openws.work.weixin.qq.com)';
    await new Promise<void>((resolve, reject) => {
      const done = (error?: WecomStartupError) => {
        clearTimeout(timer);
        client.off('authenticated', onAuthenticated);
        client.off('error', onError);
        if (error) {
          client.disconnect();
          reject(error);
        } else resolve();
      };
      const onAuthenticated = () => done();
      const onError = (error: Error) => {
        const refused = /Authentication failed: (.*)/.exec(error.message);
        if (refused)
          done(
            new WecomStartupError(
              'WECOM_SECRET_REJECTED',
              `WeCom refused WECOM_BOT_ID / WECOM_BOT_SECRET (${refused[1]?.slice(0, 120)}); check the smart bot's API mode is "long connection" and copy its BotID and Secret again`,
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(
            new WecomStartupError(
              'WECOM_UNREACHABLE',
              `could not connect the WeCom smart bot: ${where} did not accept the connection within ${Math.round(timeoutMs / 1000)} s`,
            ),
          ),
        timeoutMs,
      );
      client.on('authenticated', onAuthenticated);
      client.on('error', onError);
      client.connect();
    });
    this.o.log.info('WeCom smart bot connected (long connection)');
  }

  /** Closes the long connection. */
  stop(): void {
    if (this.client.isConnected) this.client.disconnect();
  }

  // ── receiving ───────────────────────────────────────────────────────────

  private async onMessage(frame: WsFrame<WecomBody>): Promise<void> {
    const body = frame.body;
    if (!body) return;
    const inbound = messageToInbound(body, {
      staffChatId: this.o.config.staffChatId,
      receivedAt: this.o.now(),
      names: this.o.config.staffNames,
    });
    if (!inbound) {
      this.o.log.debug('WeCom message ignored');
      return;
    }
    if (inbound.chatKind === 'group') {
      // How an operator finds the staff group's chatid: @mention the bot there once.
      this.o.log.info({ chatid: inbound.chatId }, 'a WeCom group other than WECOM_STAFF_CHAT_ID mentioned the bot');
    }
    await this.run(inbound);
  }

  private async onEvent(frame: WsFrame<WecomBody>): Promise<void> {
    const body = frame.body;
    if (!body) return;
    if (body.event?.eventtype === 'disconnected_event') {
      this.o.log.error(
        'another connection for this WeCom bot took over (one per bot): is a second residesk running with WECOM_BOT_ID?',
      );
      return;
    }
    const click = eventToClick(body, {
      staffChatId: this.o.config.staffChatId,
      receivedAt: this.o.now(),
      names: this.o.config.staffNames,
    });
    if (!click) return;
    const now = this.o.now().getTime();
    this.forgetOldClicks(now);
    this.clicks.set(click.taskId, { reqId: frame.headers.req_id, at: now });
    const result = await this.run(click.inbound);
    const ack = result?.ack;
    if (ack?.alert && ack.text) await this.tell(click.inbound, ack.text);
  }

  /** Runs one message through the application; one failure never stops the others. */
  private async run(inbound: Inbound): Promise<InboundResult | undefined> {
    let result: InboundResult | undefined;
    try {
      result = await this.o.handle(inbound);
    } catch (error) {
      this.o.log.error({ err: error, messageId: inbound.messageId }, 'a WeCom message could not be handled');
      return undefined;
    }
    if (!result.duplicate) {
      try {
        this.o.wake();
      } catch (error) {
        this.o.log.warn({ err: error }, 'waking the dispatcher failed');
      }
    }
    return result;
  }

  /** Says a refusal to the person who clicked, by name in the chat the click came from. Never throws. */
  private async tell(inbound: Inbound, text: string): Promise<void> {
    try {
      await this.client.sendMessage(inbound.chatId, {
        msgtype: 'markdown',
        markdown: { content: inbound.chatKind === 'private' ? text : `<@${inbound.userId}> ${text}` },
      });
    } catch (error) {
      this.o.log.debug({ reason: classifyFailure(error).reason }, 'could not answer a WeCom click');
    }
  }

  private forgetOldClicks(now: number): void {
    for (const [taskId, click] of this.clicks) if (now - click.at > CLICK_WINDOW_MS) this.clicks.delete(taskId);
  }

  // ── sending ─────────────────────────────────────────────────────────────

  /** Milliseconds until `chatId` may be sent to (30 a minute, 1,000 an hour); 0 takes the slot. */
  reserve(chatId: string, now: number): number {
    return this.limiter.reserve(chatId, now);
  }

  /** The dispatcher's current faults on this channel. */
  reportFaults(faults: readonly DeliveryFault[]): void {
    this.faults = faults;
  }

  /** Delivers one outbox action; every WeCom failure comes back as a Delivery value. */
  async deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    const staff = chatId === this.o.config.staffChatId;
    if (this.refused) {
      return { status: 'misconfigured', reason: 'WeCom refuses WECOM_BOT_ID / WECOM_BOT_SECRET' };
    }
    try {
      return action.kind === 'send'
        ? await this.send(chatId, await this.sendFiles(chatId, action.message, files))
        : await this.edit(chatId, action.ref, action.message, target);
    } catch (error) {
      const failure = classifyFailure(error);
      if (!isChatRefusal(error)) return failure;
      // The staff group refusing us is the set-up's fault: kept, retried and alerted, never dropped.
      if (staff)
        return {
          status: 'misconfigured',
          reason: `${failure.reason} (check WECOM_STAFF_CHAT_ID, that the bot is in the group and that someone there has @mentioned it once)`,
        };
      return { status: 'rejected', reason: failure.reason };
    }
  }

  /**
   * Sends a message's generated files ahead of its text (uploaded as temporary media, then an image or
   * file message each) and returns the message with the files WeCom refused named in its text. Throws
   * any other failure, before the text went, so the dispatcher's retry never repeats the text.
   */
  private async sendFiles(
    chatId: string,
    message: OutboundMessage,
    files: ReadonlyMap<string, StoredFile> | undefined,
  ): Promise<OutboundMessage> {
    if (!message.attachments?.length) return message;
    const sorted = sortAttachments(message, files, this.capabilities.files ?? NO_FILES);
    const refused = [...sorted.left];
    for (const { attachment, file } of [...sorted.images, ...sorted.documents]) {
      const type = attachment.kind === 'image' ? 'image' : 'file';
      try {
        const media = await this.client.uploadMedia(bufferOf(file), { type, filename: attachment.name });
        await this.client.sendMediaMessage(chatId, type, media.media_id);
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.status !== 'rejected') throw error;
        this.o.log.warn({ reason: failure.reason }, 'WeCom refused a generated file; naming it in the text');
        refused.push(attachment);
      }
    }
    return { ...message, text: withFileNames(message.text, refused) };
  }

  /** A new message: a card (its task id is its platform id) or markdown. Throws the SDK's failures. */
  private async send(chatId: string, message: OutboundMessage, taskId?: string): Promise<Delivery> {
    if (message.photos?.length) this.o.log.debug({ photos: message.photos.length }, 'photos are not sent to WeCom');
    const id = taskId ?? newTaskId(this.o.now().getTime());
    const body = toBody(message, id);
    if (body.msgtype === 'template_card') {
      if (body.dropped > 0) this.o.log.warn({ dropped: body.dropped }, 'a WeCom card cannot hold all its buttons');
      await this.client.sendMessage(chatId, { msgtype: 'template_card', template_card: body.template_card });
      return { status: 'sent', platformMessageId: id };
    }
    let last: string | undefined;
    for (const content of body.parts) {
      const answer = await this.client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content } });
      last = answer.headers?.req_id;
    }
    return { status: 'sent', ...(last ? { platformMessageId: last } : {}) };
  }

  /**
   * An edit of the message sent under `ref` (`target`: its task id). In place when the card was clicked
   * within WeCom's window; otherwise a card is posted again as it is now, and `ref` names the new one.
   */
  private async edit(
    chatId: string,
    ref: string,
    message: OutboundMessage,
    target: string | undefined,
  ): Promise<Delivery> {
    const now = this.o.now().getTime();
    const click = target ? this.clicks.get(target) : undefined;
    if (target && click && now - click.at <= CLICK_WINDOW_MS) {
      this.clicks.delete(target);
      const body = toBody({ text: message.text, ...(message.buttons ? { buttons: message.buttons } : {}) }, target);
      const card: TemplateCard = body.msgtype === 'template_card' ? body.template_card : textCard(message.text, target);
      try {
        await this.client.updateTemplateCard({ headers: { req_id: click.reqId } }, card);
        return { status: 'sent', platformMessageId: target };
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.status === 'rate_limited') return failure;
        this.o.log.debug({ reason: failure.reason }, 'WeCom did not update the card in place; posting it again');
      }
    }
    const hasButtons = (message.buttons?.flat().length ?? 0) > 0;
    if (!ref.startsWith('card:') && !hasButtons) {
      // Only takes buttons off a question: a stale button is answered as such by the application.
      this.o.log.debug({ ref }, 'WeCom cannot change this message now; left as it is');
      return { status: 'sent', ...(target ? { platformMessageId: target } : {}) };
    }
    const sent = await this.send(chatId, message);
    if (sent.status === 'sent' && sent.platformMessageId) {
      await this.o.store.setMessageRef('wecom', chatId, ref, sent.platformMessageId);
    }
    return sent;
  }
}

/**
 * Builds the WeCom channel and opens its long connection: fatal with one clear line when WeCom refuses
 * the BotID and Secret or cannot be reached. Messages are handled from then on, so `handle` and `wake`
 * must be ready.
 */
export async function createWecomChannel(opts: WecomChannelOptions): Promise<WecomChannel> {
  const channel = new WecomChannel(opts);
  await channel.start();
  return channel;
}

/** The SDK's log lines at debug (they may hold message bodies), its errors as warnings without detail. */
function sdkLogger(log: Logger): SdkLogger {
  return {
    debug: (message: string) => log.debug({ sdk: 'wecom' }, message),
    info: (message: string) => log.debug({ sdk: 'wecom' }, message),
    warn: (message: string) => log.debug({ sdk: 'wecom' }, message),
    error: (message: string) => log.warn({ sdk: 'wecom' }, message.slice(0, 200)),
  };
}
