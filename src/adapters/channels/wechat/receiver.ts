/**
 * The WeChat channel's receiving side: every message becomes an `Inbound` (the WeChat message id is the
 * dedupe key; the mapping itself is inbound.ts) and goes to the application, one at a time per chat so
 * that order holds. WeChat never delivers a message twice, so one the application could not record is
 * tried again a few times before it is given up (and logged). Images from owners are saved under
 * `<DATA_DIR>/attachments/wechat/`. Friend requests are accepted (WECHAT_ACCEPT_FRIENDS) and greeted.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Inbound } from '../../../core/types.js';
import { type Libraries, type WechatChannelOptions, WechatPart } from './context.js';
import {
  attachmentPath,
  imageExtension,
  type MapContext,
  routeOf,
  toInbound,
  WX_MESSAGE,
  type WxMessage,
} from './inbound.js';
import type { WechatSession } from './session.js';
import type { WxBot, WxFriendship, WxLibMessage } from './wechaty-types.js';

/** Images larger than this are not saved (WeChat itself sends photos well under it). */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

/** Hands WeChat messages and friend requests to the application, in order per chat. */
export class WechatReceiver extends WechatPart {
  /** Inbound handling, one promise chain per chat. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    o: WechatChannelOptions,
    lib: Libraries,
    bot: WxBot,
    private readonly session: WechatSession,
  ) {
    super(o, lib, bot);
  }

  /** Waits for the messages being handled. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  onMessage(message: WxLibMessage): void {
    let facts: WxMessage;
    try {
      facts = factsOf(message);
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'could not read a WeChat message; skipped');
      return;
    }
    if (facts.self) return;
    this.inOrder(facts.roomId ?? facts.talkerId, () => this.receive(message, facts));
  }

  /** Runs `task` after every earlier task for the same chat; never rejects. */
  private inOrder(key: string, task: () => Promise<void>): void {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      this.o.log.error({ reason: this.reason(error) }, 'a WeChat message could not be handled');
    });
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async receive(message: WxLibMessage, facts: WxMessage): Promise<void> {
    if (facts.roomId !== undefined && this.session.staffRoom === undefined) await this.session.findStaffRoom();
    const ctx: MapContext = {
      staffRoom: { chatId: this.staffKey, roomId: this.session.staffRoom },
      receivedAt: this.o.now(),
    };
    const route = routeOf(facts, ctx);
    if (!route) {
      this.o.log.debug({ type: facts.type, room: facts.roomId !== undefined }, 'WeChat message ignored');
      return;
    }
    let photoRef: string | undefined;
    if (route.chatKind === 'private' && facts.type === WX_MESSAGE.Image)
      photoRef = await this.saveImage(message, facts.id);
    const inbound = toInbound(facts, ctx, photoRef);
    if (!inbound) {
      this.o.log.debug({ type: facts.type, chatKind: route.chatKind }, 'WeChat message ignored');
      return;
    }
    await this.handOver(inbound);
  }

  /** Saves an owner's image under DATA_DIR; undefined (and a warning) when it cannot. */
  private async saveImage(message: WxLibMessage, id: string): Promise<string | undefined> {
    try {
      const box = await message.toFileBox();
      const buffer = await box.toBuffer();
      if (buffer.length === 0 || buffer.length > MAX_IMAGE_BYTES) {
        this.o.log.warn({ bytes: buffer.length }, 'an image from WeChat was empty or too large; not saved');
        return undefined;
      }
      const path = attachmentPath(this.o.dataDir, id, imageExtension(box.name, box.mediaType));
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${process.pid}.part`;
      await writeFile(partial, buffer);
      await rename(partial, path);
      return path;
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'could not save an image from WeChat');
      return undefined;
    }
  }

  /**
   * Hands a message to the application. WeChat does not deliver a message again, so one that could not
   * be recorded (the store is down) is tried again after 1 s, 2 s … before it is given up and logged.
   */
  private async handOver(inbound: Inbound): Promise<void> {
    const attempts = Math.max(1, this.o.recordAttempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.o.handle(inbound);
        if (!result.duplicate) this.wake();
        return;
      } catch (error) {
        if (attempt >= attempts || this.session.isStopping) {
          this.o.log.error(
            { err: error, messageId: inbound.messageId, chatKind: inbound.chatKind },
            'a WeChat message could not be recorded and is lost (WeChat does not send it again)',
          );
          return;
        }
        await delay(1000 * 2 ** (attempt - 1));
      }
    }
  }

  async onFriendship(friendship: WxFriendship): Promise<void> {
    const T = this.lib.FriendshipType;
    try {
      const type = friendship.type();
      if (type === T.Receive) {
        if (!this.o.config.acceptFriends) {
          this.o.log.info('WeChat friend request received; not accepted (WECHAT_ACCEPT_FRIENDS is off)');
          return;
        }
        await friendship.accept();
        this.o.log.info('WeChat friend request accepted');
      } else if (type !== T.Confirm || this.o.config.acceptFriends) {
        // Confirm follows our own accept on some puppets: greet only when someone accepted by hand.
        return;
      }
      const contact = friendship.contact();
      const name = contact.name().trim();
      const inbound: Inbound = {
        channel: 'wechat',
        chatId: contact.id,
        chatKind: 'private',
        userId: contact.id,
        ...(name ? { userName: name } : {}),
        messageId: `friend:${friendship.id}`,
        receivedAt: this.o.now(),
        content: { type: 'text', text: '/start' },
      };
      this.inOrder(contact.id, () => this.handOver(inbound));
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'could not handle a WeChat friend request');
    }
  }
}

/** What the channel reads from a wechaty Message (payload getters only; no puppet calls). */
function factsOf(message: WxLibMessage): WxMessage {
  const talker = message.talker();
  const room = message.room();
  const name = talker.name();
  return {
    id: message.id,
    self: message.self(),
    type: message.type(),
    text: message.text() ?? '',
    talkerId: talker.id,
    ...(name ? { talkerName: name } : {}),
    talkerType: talker.type(),
    ...(room ? { roomId: room.id } : {}),
  };
}
