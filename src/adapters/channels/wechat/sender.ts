/**
 * The WeChat channel's sending side: `deliver` turns one outbox action into WeChat messages (the text as
 * outbound.ts renders and splits it, @mentions in the staff room, saved photos) and every puppet error
 * into a Delivery value; `reserve` keeps a personal account's conservative pace (see limiter.ts) and holds
 * messages back while logged out. WeChat cannot edit: an answered question stays as it is, and a
 * ticket's card that changed is posted again.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Delivery, FileCapabilities } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { OutboundAction, OutboundMessage } from '../../../core/types.js';
import { bufferOf, sortAttachments, withFileNames } from '../shared/attachments.js';
import { type Libraries, type WechatChannelOptions, WechatPart } from './context.js';
import { WechatPacer } from './limiter.js';
import { classifyError, localPhotoPath, renderText, splitText } from './outbound.js';
import type { WechatSession } from './session.js';
import type { WxBot } from './wechaty-types.js';

/** Generated files: images and documents, each a file message of its own (WeChat has no albums). */
export const WECHAT_FILES: FileCapabilities = Object.freeze({ images: true, documents: true, album: false });

/** Delivers outbox actions through the bot at the account's pace. */
export class WechatSender extends WechatPart {
  readonly pacer: WechatPacer;
  /** The slot the last `reserve` took, so that a delivery that sends nothing can give it back. */
  private reserved?: { before: number; after: number };

  constructor(
    o: WechatChannelOptions,
    lib: Libraries,
    bot: WxBot,
    private readonly session: WechatSession,
  ) {
    super(o, lib, bot);
    this.pacer = new WechatPacer({ intervalMs: o.config.sendIntervalMs, ...(o.random ? { random: o.random } : {}) });
  }

  /**
   * Milliseconds until `chatId` may be sent to; 0 takes the account's next slot. While logged out, or
   * before the staff room is found, messages wait (without counting as failed attempts).
   */
  reserve(chatId: string, now: number): number {
    if (!this.session.loggedIn) return 5_000;
    if (chatId === this.staffKey && this.session.staffRoom === undefined) return 30_000;
    const before = this.pacer.nextSlotAt;
    const wait = this.pacer.reserve(now);
    this.reserved = wait === 0 ? { before, after: this.pacer.nextSlotAt } : this.reserved;
    return wait;
  }

  /**
   * Delivers one outbox action; every puppet failure comes back as a Delivery value. An edit of an
   * answered question does nothing (WeChat cannot edit); an edit of anything else (a ticket's card) is
   * sent as a new message. `target` is not used: WeChat bots cannot quote.
   */
  async deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    if (action.kind === 'edit' && action.ref.startsWith('prompt:')) {
      this.giveBackSlot();
      return { status: 'sent', ...(target ? { platformMessageId: target } : {}) };
    }
    if (!this.session.loggedIn)
      return { status: 'rate_limited', retryAfterMs: 15_000, reason: 'WeChat is not logged in', scope: 'channel' };
    const staff = chatId === this.staffKey;
    const to = staff ? this.session.staffRoom : chatId;
    if (to === undefined)
      return { status: 'rate_limited', retryAfterMs: 30_000, reason: 'the WeChat staff room has not been found' };
    this.reserved = undefined;
    let result: Delivery;
    try {
      result = await this.send(to, action.message, staff, files);
    } catch (error) {
      result = classifyError(error, this.secrets);
    }
    // The staff room refusing us is the set-up's fault: the dispatcher keeps the message, retries it
    // and alerts once per period.
    if (staff && result.status === 'unreachable') {
      return { status: 'misconfigured', reason: `${result.reason} (is the bot still a member of the staff room?)` };
    }
    if (staff && result.status === 'rejected') {
      this.o.log.error(
        { reason: result.reason },
        'WeChat refused a message to the staff room: is the bot still a member?',
      );
    }
    return result;
  }

  private async send(
    to: string,
    original: OutboundMessage,
    staff: boolean,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    // Generated files first, each in its own paced slot (FileBox.fromBuffer): a failure that stops the
    // delivery has sent no text, so the dispatcher's retry never repeats it.
    const sorted = sortAttachments(original, files, WECHAT_FILES);
    const refused: typeof sorted.left = [];
    let slots = 0;
    for (const { attachment, file } of [...sorted.images, ...sorted.documents]) {
      if (slots++ > 0) await this.nextSlot();
      try {
        await this.bot.puppet.messageSendFile(to, this.lib.FileBox.fromBuffer(bufferOf(file), attachment.name));
      } catch (error) {
        const failure = classifyError(error, this.secrets);
        if (failure.status !== 'rejected') return failure;
        this.o.log.warn({ reason: failure.reason, staff }, 'WeChat refused a generated file; naming it in the text');
        refused.push(attachment);
      }
    }
    const message = { ...original, text: withFileNames(original.text, [...sorted.left, ...refused]) };
    if (slots > 0) await this.nextSlot();
    const parts = splitText(renderText(message));
    const mentions = staff
      ? (message.mentions ?? []).map((m) => m.userId).filter((id) => this.session.isStaffMember(id))
      : [];
    let id: string | undefined;
    for (const [i, part] of parts.entries()) {
      if (i > 0) await this.nextSlot();
      id = (await this.sendText(to, part, i === 0 ? mentions : [])) ?? id;
    }
    if (message.photos && message.photos.length > 0) await this.sendPhotos(to, message.photos, staff);
    // Puppets often give no id for what they sent; refs (a ticket's card) still need one to be recorded.
    return { status: 'sent', platformMessageId: id ?? `wx-local:${randomUUID()}` };
  }

  /** Sends a text, with @mentions where given; if the mentions are refused, once more without them. */
  private async sendText(to: string, text: string, mentions: string[]): Promise<string | undefined> {
    if (mentions.length > 0) {
      try {
        return idOf(await this.bot.puppet.messageSendText(to, text, mentions));
      } catch (error) {
        this.o.log.warn(
          { reason: this.reason(error) },
          'WeChat refused the mentions in a message; sending it without them',
        );
      }
    }
    return idOf(await this.bot.puppet.messageSendText(to, text));
  }

  /**
   * Sends a message's photos after its text, each in its own paced slot. Only images this channel saved
   * are sent; a photo that fails is left out with a warning (it stays with the ticket), and the rest go on.
   */
  private async sendPhotos(to: string, refs: readonly string[], staff: boolean): Promise<void> {
    let sent = 0;
    let skipped = 0;
    for (const ref of refs) {
      const path = localPhotoPath(ref, this.o.dataDir);
      if (!path) {
        skipped += 1;
        continue;
      }
      try {
        const data = await readFile(path);
        await this.nextSlot();
        await this.bot.puppet.messageSendFile(to, this.lib.FileBox.fromBase64(data.toString('base64'), basename(path)));
        sent += 1;
      } catch (error) {
        const failure = classifyError(error, this.secrets);
        this.o.log.warn(
          { reason: failure.status === 'sent' ? '' : failure.reason, staff },
          'a photo could not be sent to WeChat',
        );
        if (failure.status === 'rate_limited' || failure.status === 'unreachable') break;
      }
    }
    if (skipped > 0) this.o.log.debug({ skipped, sent }, 'photos from another channel are not sent to WeChat');
  }

  /** Waits for the account's next slot (for the parts and photos after a message's first part). */
  private async nextSlot(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const wait = this.pacer.reserve(this.o.now().getTime());
      if (wait <= 0) return;
      await delay(wait);
    }
  }

  /** A delivery that sent nothing gives back the slot its `reserve` took, if no one has taken one since. */
  private giveBackSlot(): void {
    const taken = this.reserved;
    this.reserved = undefined;
    if (taken && this.pacer.nextSlotAt === taken.after) this.pacer.restore(taken.before);
  }
}

function idOf(result: unknown): string | undefined {
  return typeof result === 'string' && result !== '' ? result : undefined;
}
