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
 * This module builds the channel and wires the bot's events to its parts, each in its own file:
 * libraries.ts loads wechaty and file-box and names the start-up errors; session.ts keeps the login (QR
 * code, logout, restarts with backoff) and the staff room and its members; receiver.ts hands messages and
 * friend requests to the application, in order per chat; sender.ts delivers outbox actions at the
 * account's pace; context.ts holds the options and what the parts share. The pure halves are
 * inbound.ts, outbound.ts and limiter.ts. Owners' texts and names never reach logs above debug.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelSender, Delivery } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { Address, OutboundAction } from '../../../core/types.js';
import { describeError, type Libraries, type WechatChannelOptions, type WechatConfig } from './context.js';
import { libraryLogLevel, loadLibraries, WechatStartupError } from './libraries.js';
import type { WechatPacer } from './limiter.js';
import { clean } from './outbound.js';
import { WechatReceiver } from './receiver.js';
import { WechatSender } from './sender.js';
import { type Emitter, WechatSession } from './session.js';
import type { WxBot } from './wechaty-types.js';

export type { WechatChannelOptions, WechatConfig } from './context.js';
export { WECHATY_INSTALL, WechatStartupError } from './libraries.js';
export { qrLink, restartDelay } from './session.js';

/** The address of the staff room as the application knows it (App `staffRooms`): WECHAT_STAFF_ROOM as configured. */
export function wechatStaffAddress(config: Pick<WechatConfig, 'staffRoom'>): Address {
  return { channel: 'wechat', chatId: config.staffRoom };
}

/** The WeChat channel: receives through wechaty and delivers outbox actions (the work is the parts'). */
export class WechatChannel implements ChannelSender {
  readonly channel = 'wechat' as const;
  readonly pacer: WechatPacer;
  private readonly secrets: readonly string[];
  private readonly session: WechatSession;
  private readonly receiver: WechatReceiver;
  private readonly sender: WechatSender;

  constructor(
    private readonly o: WechatChannelOptions,
    lib: Libraries,
    readonly bot: WxBot,
  ) {
    this.secrets = (o.secrets ?? []).filter((s) => s.length > 0);
    this.session = new WechatSession(o, lib, bot);
    this.receiver = new WechatReceiver(o, lib, bot, this.session);
    this.sender = new WechatSender(o, lib, bot, this.session);
    this.pacer = this.sender.pacer;
    this.listen();
  }

  /** Whether the bot's account is logged in now. */
  get loggedIn(): boolean {
    return this.session.loggedIn;
  }

  /** The platform id of the staff room, once it has been found after login. */
  get staffRoom(): string | undefined {
    return this.session.staffRoom;
  }

  /** Starts the bot: the puppet connects, and the QR code is shown until someone logs in. */
  start(): Promise<void> {
    return this.session.start();
  }

  /** Stops the bot and waits for the messages being handled. */
  async stop(): Promise<void> {
    await this.session.stop();
    await this.receiver.idle();
  }

  /**
   * Milliseconds until `chatId` may be sent to; 0 takes the account's next slot. While logged out, or
   * before the staff room is found, messages wait (without counting as failed attempts).
   */
  reserve(chatId: string, now: number): number {
    return this.sender.reserve(chatId, now);
  }

  /** Delivers one outbox action; every puppet failure comes back as a Delivery value (see sender.ts). */
  deliver(
    chatId: string,
    action: OutboundAction,
    target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    return this.sender.deliver(chatId, action, target, files);
  }

  private listen(): void {
    const bot = this.bot;
    bot.on('error', (error) =>
      this.o.log.warn({ reason: describeError(error, this.secrets) }, 'wechaty reported an error'),
    );
    bot.on('puppet', (puppet) => this.session.watchPuppet(puppet as unknown as Emitter));
    bot.on('scan', (qrcode, status) => this.session.onScan(qrcode, status));
    bot.on('login', (user) => void this.session.onLogin(user));
    bot.on('logout', (user, reason) => this.session.onLogout(user, reason));
    bot.on('ready', () => void this.session.findStaffRoom(true));
    bot.on('message', (message) => this.receiver.onMessage(message));
    bot.on('friendship', (friendship) => void this.receiver.onFriendship(friendship));
    bot.on('room-join', (room, invitees) => void this.session.onRoomJoin(room, invitees));
    bot.on('room-leave', (room, leavers) => void this.session.onRoomLeave(room, leavers));
    bot.on('room-topic', (room) => this.session.onRoomTopic(room));
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
