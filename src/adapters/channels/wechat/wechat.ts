/**
 * The WeChat channel (wechaty 1.20, any puppet): owners in one-to-one chats, staff in one room, choices
 * as numbered lists, and the outbound side the dispatcher sends through.
 *
 * wechaty is imported only by {@link createWechatChannel} (it costs over a second and ~150 MB), so this
 * module is cheap to import. It is an optional extra that `npm ci` does not install (README, "WeChat personal
 * account"): this module knows it only through the types in wechaty-types.ts. The puppet is the one WECHATY_PUPPET names; its own settings
 * (WECHATY_PUPPET_SERVICE_TOKEN …) it reads itself. The login session is kept in
 * `<DATA_DIR>/wechaty.memory-card.json` where the puppet supports that.
 *
 * Receiving: every message becomes an `Inbound` (the WeChat message id is the dedupe key) and goes to
 * the application, one at a time per chat so that order holds. WeChat never delivers a message twice, so
 * one the application could not record is tried again a few times before it is given up (and logged).
 * Images from owners are saved under `<DATA_DIR>/attachments/wechat/`.
 *
 * Sending: `deliver` turns one outbox action into WeChat messages and every puppet error into a Delivery
 * value; `reserve` keeps a personal account's conservative pace (see limiter.ts) and holds messages back
 * while logged out. WeChat cannot edit: an answered question stays as it is, and a ticket's card that
 * changed is posted again.
 *
 * Login: the QR code is drawn in the terminal and its link logged; login, logout and errors are logged
 * (names only at debug); a stopped puppet, or a logout that no new login or QR code follows, restarts
 * the bot with exponential backoff (1 s … 5 min). Owners' texts and names never reach logs above debug.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../../../config.js';
import type { ChannelSender, Delivery, InboundResult } from '../../../core/ports/channels.js';
import type { Address, Inbound, OutboundAction, OutboundMessage } from '../../../core/types.js';
import type { Logger } from '../../../logger.js';
import {
  attachmentPath,
  imageExtension,
  type MapContext,
  routeOf,
  toInbound,
  WX_MESSAGE,
  type WxMessage,
} from './inbound.js';
import { WechatPacer } from './limiter.js';
import { classifyError, clean, localPhotoPath, renderText, splitText } from './outbound.js';
import type {
  FileBoxModule,
  WechatyModule,
  WxBot,
  WxContact,
  WxFriendship,
  WxLibMessage,
  WxRoom,
} from './wechaty-types.js';

export type WechatConfig = NonNullable<Config['wechat']>;

/** Images larger than this are not saved (WeChat itself sends photos well under it). */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

/** A start-up failure, as one line that names what to fix and holds no secret. */
export class WechatStartupError extends Error {
  constructor(
    readonly code: 'WECHAT_LIBRARY_MISSING' | 'WECHAT_PUPPET_MISSING' | 'WECHAT_START_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WechatStartupError';
  }
}

export interface WechatChannelOptions {
  config: WechatConfig;
  /** DATA_DIR: images and the login session are kept under it. */
  dataDir: string;
  log: Logger;
  /** The application's handler: records the message and enqueues the replies. */
  handle: (inbound: Inbound) => Promise<InboundResult>;
  /** Tells the dispatcher there is something to deliver. */
  wake: () => void;
  now: () => Date;
  /** A puppet instance to use instead of the one `config.puppet` names (tests: wechaty-puppet-mock). */
  puppet?: unknown;
  /** Where the login QR code is drawn; standard error by default, null for nowhere (the link is logged anyway). */
  qrOutput?: Writable | null;
  /** Values that must never reach logs (the puppet service token, …). */
  secrets?: readonly string[];
  /** Called when someone leaves the staff room, so the application can stop treating them as staff. */
  onStaffLeft?: (userId: string) => Promise<void>;
  /** Called when someone is added to the staff room, so a staff member who had left is staff again. */
  onStaffJoined?: (userId: string) => Promise<void>;
  /** For the send pacing jitter; Math.random by default. */
  random?: () => number;
  /** Restart backoff after the puppet stopped; 1 s doubling up to 5 min by default. */
  restartMinMs?: number;
  restartMaxMs?: number;
  /** How long a logout may go without a new login or QR code before the bot is restarted; default 2 min. */
  reloginGraceMs?: number;
  /** Tries at recording one message before it is given up (WeChat does not send it again); default 3. */
  recordAttempts?: number;
  /** How wechaty and file-box are imported; `import()` by default (tests: one that finds neither). */
  importLibrary?: (name: string) => Promise<unknown>;
}

/** The address of the staff room as the application knows it (App `staffRooms`): WECHAT_STAFF_ROOM as configured. */
export function wechatStaffAddress(config: Pick<WechatConfig, 'staffRoom'>): Address {
  return { channel: 'wechat', chatId: config.staffRoom };
}

/** The web page that shows a login QR code as an image (for a terminal that cannot draw it). */
export function qrLink(qrcode: string): string {
  return `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
}

/** The wait before restart number `attempt` (1-based): `minMs` doubling up to `maxMs`. */
export function restartDelay(attempt: number, minMs = 1000, maxMs = 5 * 60_000): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** wechaty's own logger (brolog, to stderr) is kept quiet unless residesk itself logs at debug or trace. */
function libraryLogLevel(level: string): 'silent' | 'info' | 'verbose' {
  if (level === 'trace') return 'verbose';
  if (level === 'debug') return 'info';
  return 'silent';
}

interface Libraries {
  ScanStatus: WechatyModule['ScanStatus'];
  FriendshipType: WechatyModule['types']['Friendship'];
  FileBox: FileBoxModule['FileBox'];
}

type Emitter = { on(event: string, listener: (...args: unknown[]) => void): unknown };

/** The WeChat channel: receives through wechaty and delivers outbox actions. */
export class WechatChannel implements ChannelSender {
  readonly channel = 'wechat' as const;
  readonly pacer: WechatPacer;
  private readonly staffKey: string;
  private readonly secrets: readonly string[];
  private loggedInState = false;
  private selfId?: string;
  private staffRoomId?: string;
  private staffMembers = new Set<string>();
  private lastResolveAt = 0;
  private resolving?: Promise<void>;
  private running = false;
  private stopping = false;
  private restartingNow = false;
  private puppetUp = false;
  private restartAttempts = 0;
  private restartTimer?: NodeJS.Timeout;
  private reloginTimer?: NodeJS.Timeout;
  private scanSinceLogout = false;
  private lastQr?: string;
  /** Inbound handling, one promise chain per chat. */
  private readonly chains = new Map<string, Promise<void>>();
  /** The slot the last `reserve` took, so that a delivery that sends nothing can give it back. */
  private reserved?: { before: number; after: number };

  constructor(
    private readonly o: WechatChannelOptions,
    private readonly lib: Libraries,
    readonly bot: WxBot,
  ) {
    this.staffKey = o.config.staffRoom;
    this.secrets = (o.secrets ?? []).filter((s) => s.length > 0);
    this.pacer = new WechatPacer({ intervalMs: o.config.sendIntervalMs, ...(o.random ? { random: o.random } : {}) });
    this.listen();
  }

  /** Whether the bot's account is logged in now. */
  get loggedIn(): boolean {
    return this.loggedInState;
  }

  /** The platform id of the staff room, once it has been found after login. */
  get staffRoom(): string | undefined {
    return this.staffRoomId;
  }

  // ── life cycle ──────────────────────────────────────────────────────────

  /** Starts the bot: the puppet connects, and the QR code is shown until someone logs in. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    try {
      await this.bot.start();
    } catch (error) {
      this.running = false;
      throw new WechatStartupError(
        'WECHAT_START_FAILED',
        `WeChat (${this.o.config.puppet}) could not start: ${this.reason(error)}`,
        { cause: error },
      );
    }
    this.o.log.info({ puppet: this.o.config.puppet }, 'WeChat channel started; waiting for the login');
    if (!this.puppetUp) this.scheduleRestart('the puppet did not start');
  }

  /** Stops the bot and waits for the messages being handled. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.reloginTimer);
    this.restartTimer = undefined;
    this.reloginTimer = undefined;
    try {
      await this.bot.stop();
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'WeChat did not stop cleanly');
    }
    this.loggedInState = false;
    await Promise.allSettled([...this.chains.values()]);
  }

  private listen(): void {
    const bot = this.bot;
    bot.on('error', (error) => this.o.log.warn({ reason: this.reason(error) }, 'wechaty reported an error'));
    bot.on('puppet', (puppet) => this.watchPuppet(puppet as unknown as Emitter));
    bot.on('scan', (qrcode, status) => this.onScan(qrcode, status));
    bot.on('login', (user) => void this.onLogin(user));
    bot.on('logout', (user, reason) => this.onLogout(user, reason));
    bot.on('ready', () => void this.findStaffRoom(true));
    bot.on('message', (message) => this.onMessage(message));
    bot.on('friendship', (friendship) => void this.onFriendship(friendship));
    bot.on('room-join', (room, invitees) => void this.onRoomJoin(room, invitees));
    bot.on('room-leave', (room, leavers) => void this.onRoomLeave(room, leavers));
    bot.on('room-topic', (room) => this.onRoomTopic(room));
  }

  private watchPuppet(puppet: Emitter): void {
    puppet.on('start', () => {
      this.puppetUp = true;
    });
    puppet.on('stop', () => {
      this.puppetUp = false;
      this.loggedInState = false;
      if (this.running && !this.stopping && !this.restartingNow) this.scheduleRestart('the puppet stopped');
    });
  }

  private onScan(qrcode: string, status: number): void {
    const S = this.lib.ScanStatus;
    this.scanSinceLogout = true;
    if ((status === S.Waiting || status === S.Timeout) && qrcode) {
      if (qrcode === this.lastQr) return;
      this.lastQr = qrcode;
      this.o.log.info({ link: qrLink(qrcode) }, 'scan the QR code with the WeChat app of the bot account to log in');
      void this.drawQr(qrcode);
      return;
    }
    if (status === S.Scanned) this.o.log.info('QR code scanned; confirm the login on the phone');
    else this.o.log.debug({ status }, 'WeChat login status');
  }

  /** Draws the QR code in the terminal with `qrcode` (a dependency of wechaty's file-box), if it can be loaded. */
  private async drawQr(qrcode: string): Promise<void> {
    const out = this.o.qrOutput === undefined ? process.stderr : this.o.qrOutput;
    if (!out) return;
    try {
      const name = 'qrcode';
      const mod = (await import(name)) as { default?: QrLib } & Partial<QrLib>;
      const lib: QrLib | undefined = mod.default ?? (mod.toString ? (mod as QrLib) : undefined);
      if (!lib) return;
      const drawing = await lib.toString(qrcode, { type: 'terminal', small: true });
      out.write(`${drawing}\n`);
    } catch (error) {
      this.o.log.debug({ reason: this.reason(error) }, 'could not draw the QR code; use the logged link');
    }
  }

  private async onLogin(user: WxContact): Promise<void> {
    this.loggedInState = true;
    this.selfId = user.id;
    this.restartAttempts = 0;
    this.lastQr = undefined;
    clearTimeout(this.reloginTimer);
    this.reloginTimer = undefined;
    this.o.log.info('WeChat logged in');
    this.o.log.debug({ account: safeName(user) }, 'WeChat account');
    await this.findStaffRoom(true);
    this.wake();
  }

  private onLogout(user: WxContact, reason?: string): void {
    this.loggedInState = false;
    this.staffRoomId = undefined;
    this.scanSinceLogout = false;
    this.o.log.warn(
      { reason: reason ? clean(reason, this.secrets) : undefined },
      'WeChat logged out; waiting for a new login',
    );
    this.o.log.debug({ account: safeName(user) }, 'WeChat account logged out');
    if (this.stopping || !this.running) return;
    clearTimeout(this.reloginTimer);
    this.reloginTimer = setTimeout(
      () => {
        this.reloginTimer = undefined;
        if (!this.loggedInState && !this.scanSinceLogout) this.scheduleRestart('no new login after a logout');
      },
      this.o.reloginGraceMs ?? 2 * 60_000,
    );
    this.reloginTimer.unref?.();
  }

  /** Restarts the bot after a wait that doubles with every attempt until a login succeeds. */
  private scheduleRestart(why: string): void {
    if (this.stopping || !this.running || this.restartTimer) return;
    this.restartAttempts += 1;
    const waitMs = restartDelay(this.restartAttempts, this.o.restartMinMs, this.o.restartMaxMs);
    this.o.log.warn({ why, attempt: this.restartAttempts, waitMs }, 'WeChat connection lost; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, waitMs);
    this.restartTimer.unref?.();
  }

  private async restart(): Promise<void> {
    if (this.stopping || !this.running) return;
    this.restartingNow = true;
    try {
      await this.bot
        .stop()
        .catch((error: unknown) =>
          this.o.log.debug({ reason: this.reason(error) }, 'stopping before a restart failed'),
        );
      if (this.stopping) return;
      await this.bot.start();
      this.o.log.info({ attempt: this.restartAttempts }, 'WeChat restarted');
    } catch (error) {
      this.o.log.error({ reason: this.reason(error), attempt: this.restartAttempts }, 'WeChat could not restart');
    } finally {
      this.restartingNow = false;
    }
    if (!this.puppetUp) this.scheduleRestart('the puppet did not start again');
  }

  // ── the staff room ──────────────────────────────────────────────────────

  /**
   * Finds the room WECHAT_STAFF_ROOM names, by id or by topic. A topic that several rooms share is
   * refused (anyone could name a room the same and invite the bot): use the room id then.
   */
  private async findStaffRoom(force = false): Promise<void> {
    if (this.resolving) return this.resolving;
    if (!force && Date.now() - this.lastResolveAt < 60_000) return;
    this.lastResolveAt = Date.now();
    this.resolving = this.resolveStaffRoom().finally(() => {
      this.resolving = undefined;
    });
    return this.resolving;
  }

  private async resolveStaffRoom(): Promise<void> {
    const wanted = this.o.config.staffRoom.trim();
    try {
      const rooms = await this.bot.Room.findAll();
      let room: WxRoom | undefined = rooms.find((r) => r.id === wanted);
      if (!room) {
        const named: WxRoom[] = [];
        for (const r of rooms) if ((await r.topic().catch(() => '')).trim() === wanted) named.push(r);
        if (named.length > 1) {
          this.o.log.error(
            { rooms: named.length },
            'several rooms have the name WECHAT_STAFF_ROOM gives; set it to the staff room id instead (logged at debug)',
          );
          this.o.log.debug({ roomIds: named.map((r) => r.id) }, 'rooms with the staff room name');
          return;
        }
        room = named[0];
      }
      if (!room && /@chatroom$|^R:/.test(wanted)) room = await this.bot.Room.find({ id: wanted });
      if (!room) {
        if (this.loggedInState) {
          this.o.log.error('the staff room (WECHAT_STAFF_ROOM) was not found: is the bot account a member of it?');
        }
        return;
      }
      const members = await room.memberAll().catch(() => [] as WxContact[]);
      this.staffRoomId = room.id;
      this.staffMembers = new Set(members.map((m) => m.id));
      this.o.log.info({ roomId: room.id, members: members.length }, 'WeChat staff room found');
      this.wake();
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'could not look up the WeChat staff room; trying again later');
    }
  }

  private async onRoomJoin(room: WxRoom, invitees: WxContact[]): Promise<void> {
    if (room.id !== this.staffRoomId) return;
    for (const c of invitees) this.staffMembers.add(c.id);
    this.o.log.info({ joined: invitees.length }, 'people joined the WeChat staff room');
    for (const c of invitees) {
      if (c.id === this.selfId) continue;
      try {
        await this.o.onStaffJoined?.(c.id);
      } catch (error) {
        this.o.log.warn({ reason: this.reason(error) }, 'could not record that someone joined the staff room');
      }
    }
  }

  private async onRoomLeave(room: WxRoom, leavers: WxContact[]): Promise<void> {
    if (room.id !== this.staffRoomId) return;
    for (const c of leavers) {
      this.staffMembers.delete(c.id);
      if (c.id === this.selfId) {
        this.staffRoomId = undefined;
        this.o.log.error('the bot account was removed from the WeChat staff room: add it again');
        continue;
      }
      this.o.log.info('someone left the WeChat staff room');
      try {
        await this.o.onStaffLeft?.(c.id);
      } catch (error) {
        this.o.log.warn({ reason: this.reason(error) }, 'could not record that someone left the staff room');
      }
    }
  }

  private onRoomTopic(room: WxRoom): void {
    if (room.id !== this.staffRoomId || room.id === this.o.config.staffRoom) return;
    this.o.log.warn(
      'the WeChat staff room was renamed: it is still used until the next login; set WECHAT_STAFF_ROOM to the new name or to the room id',
    );
  }

  // ── receiving ───────────────────────────────────────────────────────────

  private onMessage(message: WxLibMessage): void {
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
    if (facts.roomId !== undefined && this.staffRoomId === undefined) await this.findStaffRoom();
    const ctx: MapContext = {
      staffRoom: { chatId: this.staffKey, roomId: this.staffRoomId },
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
        if (attempt >= attempts || this.stopping) {
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

  private wake(): void {
    try {
      this.o.wake();
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'waking the dispatcher failed');
    }
  }

  /** A friend request: accepted when WECHAT_ACCEPT_FRIENDS is on, then greeted with the menu. */
  private async onFriendship(friendship: WxFriendship): Promise<void> {
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

  // ── sending ─────────────────────────────────────────────────────────────

  /**
   * Milliseconds until `chatId` may be sent to; 0 takes the account's next slot. While logged out, or
   * before the staff room is found, messages wait (without counting as failed attempts).
   */
  reserve(chatId: string, now: number): number {
    if (!this.loggedInState) return 5_000;
    if (chatId === this.staffKey && this.staffRoomId === undefined) return 30_000;
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
  async deliver(chatId: string, action: OutboundAction, target?: string): Promise<Delivery> {
    if (action.kind === 'edit' && action.ref.startsWith('prompt:')) {
      this.giveBackSlot();
      return { status: 'sent', ...(target ? { platformMessageId: target } : {}) };
    }
    if (!this.loggedInState)
      return { status: 'rate_limited', retryAfterMs: 15_000, reason: 'WeChat is not logged in', scope: 'channel' };
    const staff = chatId === this.staffKey;
    const to = staff ? this.staffRoomId : chatId;
    if (to === undefined)
      return { status: 'rate_limited', retryAfterMs: 30_000, reason: 'the WeChat staff room has not been found' };
    this.reserved = undefined;
    let result: Delivery;
    try {
      result = await this.send(to, action.message, staff);
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

  private async send(to: string, message: OutboundMessage, staff: boolean): Promise<Delivery> {
    const parts = splitText(renderText(message));
    const mentions = staff
      ? (message.mentions ?? []).map((m) => m.userId).filter((id) => this.staffMembers.has(id))
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

  private reason(error: unknown): string {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return clean(message, this.secrets);
  }
}

interface QrLib {
  toString(text: string, options: { type: 'terminal'; small?: boolean }): Promise<string>;
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

function idOf(result: unknown): string | undefined {
  return typeof result === 'string' && result !== '' ? result : undefined;
}

function safeName(contact: { name(): string }): string {
  try {
    return contact.name();
  } catch {
    return '';
  }
}

/**
 * The optional packages a personal account needs, as README's "WeChat personal account" installs them: `npm ci`
 * does not (they are optional peer dependencies in package.json).
 */
export const WECHATY_INSTALL = 'npm install --no-save wechaty@1 file-box@1';

/** Whether `error` is the import of `name` failing because the package is not installed. */
function isNotInstalled(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && !/Cannot find|Failed to load/.test(message))
    return false;
  return message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`url ${name} `);
}

/** Loads wechaty and file-box; a missing one is a WechatStartupError naming the command that installs them. */
async function loadLibraries(
  load: (name: string) => Promise<unknown>,
  secrets?: readonly string[],
): Promise<{ wechaty: WechatyModule; fileBox: FileBoxModule }> {
  try {
    const [wechaty, fileBox] = await Promise.all([load('wechaty'), load('file-box')]);
    return { wechaty: wechaty as WechatyModule, fileBox: fileBox as FileBoxModule };
  } catch (error) {
    if (isNotInstalled(error, 'wechaty') || isNotInstalled(error, 'file-box')) {
      throw new WechatStartupError(
        'WECHAT_LIBRARY_MISSING',
        `WeChat personal account needs the optional package: ${WECHATY_INSTALL} (unofficial, the account may be banned; see README, "WeChat personal account")`,
        { cause: error },
      );
    }
    throw new WechatStartupError(
      'WECHAT_LIBRARY_MISSING',
      `wechaty could not be loaded (${clean(error instanceof Error ? error.message : String(error), secrets)}); install it again: ${WECHATY_INSTALL}`,
      { cause: error },
    );
  }
}

/**
 * Loads wechaty (only now: it is heavy, and an optional extra that may not be installed), checks that the
 * puppet WECHATY_PUPPET names can be loaded, and builds the channel. Throws a WechatStartupError whose
 * message is one clear line. Call `start()` to connect and show the login QR code.
 */
export async function createWechatChannel(opts: WechatChannelOptions): Promise<WechatChannel> {
  // The names are not literals, so that neither tsc nor the build looks for packages that may be absent.
  const { wechaty, fileBox } = await loadLibraries(opts.importLibrary ?? ((name) => import(name)), opts.secrets);
  if (opts.puppet === undefined) {
    try {
      await import(opts.config.puppet);
    } catch (error) {
      throw new WechatStartupError(
        'WECHAT_PUPPET_MISSING',
        `WECHATY_PUPPET names ${opts.config.puppet}, which could not be loaded (${clean(error instanceof Error ? error.message : String(error), opts.secrets)}); install it with npm install ${opts.config.puppet}`,
        { cause: error },
      );
    }
  }
  wechaty.log.level(libraryLogLevel(String(opts.log.level)));
  await mkdir(opts.dataDir, { recursive: true });
  const bot = wechaty.WechatyBuilder.build({
    // The session (where the puppet keeps one) lives in <DATA_DIR>/wechaty.memory-card.json.
    name: join(opts.dataDir, 'wechaty'),
    puppet: (opts.puppet ?? opts.config.puppet) as never,
  });
  return new WechatChannel(
    opts,
    { ScanStatus: wechaty.ScanStatus, FriendshipType: wechaty.types.Friendship, FileBox: fileBox.FileBox },
    bot,
  );
}
