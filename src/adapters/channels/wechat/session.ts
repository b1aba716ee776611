/**
 * The WeChat channel's session: login and the QR code, logout, and restarting a bot whose puppet stopped
 * (exponential backoff, 1 s … 5 min), and the staff room — found after login by id or by topic, with its
 * members kept up to date from room-join and room-leave (which the application hears about through
 * `onStaffJoined` / `onStaffLeft`). Login, logout and errors are logged; names only at debug.
 */
import { WechatPart } from './context.js';
import { WechatStartupError } from './libraries.js';
import { clean } from './outbound.js';
import type { WxContact, WxRoom } from './wechaty-types.js';

/** The web page that shows a login QR code as an image (for a terminal that cannot draw it). */
export function qrLink(qrcode: string): string {
  return `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
}

/** The wait before restart number `attempt` (1-based): `minMs` doubling up to `maxMs`. */
export function restartDelay(attempt: number, minMs = 1000, maxMs = 5 * 60_000): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** What the session listens to on the puppet (its start and stop). */
export type Emitter = { on(event: string, listener: (...args: unknown[]) => void): unknown };

/** Login, restarts and the staff room; the state the receiving and sending sides read. */
export class WechatSession extends WechatPart {
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

  /** Whether the bot's account is logged in now. */
  get loggedIn(): boolean {
    return this.loggedInState;
  }

  /** The platform id of the staff room, once it has been found after login. */
  get staffRoom(): string | undefined {
    return this.staffRoomId;
  }

  /** Whether the channel is being stopped. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Whether `userId` is a member of the staff room (as last seen). */
  isStaffMember(userId: string): boolean {
    return this.staffMembers.has(userId);
  }

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

  /** Stops the bot (the channel then waits for the messages being handled). */
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
  }

  watchPuppet(puppet: Emitter): void {
    puppet.on('start', () => {
      this.puppetUp = true;
    });
    puppet.on('stop', () => {
      this.puppetUp = false;
      this.loggedInState = false;
      if (this.running && !this.stopping && !this.restartingNow) this.scheduleRestart('the puppet stopped');
    });
  }

  onScan(qrcode: string, status: number): void {
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

  async onLogin(user: WxContact): Promise<void> {
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

  onLogout(user: WxContact, reason?: string): void {
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
  async findStaffRoom(force = false): Promise<void> {
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

  async onRoomJoin(room: WxRoom, invitees: WxContact[]): Promise<void> {
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

  async onRoomLeave(room: WxRoom, leavers: WxContact[]): Promise<void> {
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

  onRoomTopic(room: WxRoom): void {
    if (room.id !== this.staffRoomId || room.id === this.o.config.staffRoom) return;
    this.o.log.warn(
      'the WeChat staff room was renamed: it is still used until the next login; set WECHAT_STAFF_ROOM to the new name or to the room id',
    );
  }
}

interface QrLib {
  toString(text: string, options: { type: 'terminal'; small?: boolean }): Promise<string>;
}

function safeName(contact: { name(): string }): string {
  try {
    return contact.name();
  } catch {
    return '';
  }
}
