/**
 * What the parts of the WeChat channel share: the options createWechatChannel takes, the libraries it
 * loaded, and {@link WechatPart} — the bot, the options and two helpers (an error as one line with no
 * secret in it, waking the dispatcher) that the session (session.ts), the receiving side (receiver.ts)
 * and the sending side (sender.ts) are built on.
 */
import type { Writable } from 'node:stream';
import type { Config } from '../../../config.js';
import type { InboundResult } from '../../../core/ports/channels.js';
import type { Inbound } from '../../../core/types.js';
import type { Logger } from '../../../logger.js';
import { clean } from './outbound.js';
import type { FileBoxModule, WechatyModule, WxBot } from './wechaty-types.js';

export type WechatConfig = NonNullable<Config['wechat']>;

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

/** What the channel uses of wechaty and file-box, loaded when the channel is created. */
export interface Libraries {
  ScanStatus: WechatyModule['ScanStatus'];
  FriendshipType: WechatyModule['types']['Friendship'];
  FileBox: FileBoxModule['FileBox'];
}

/** The base of the channel's parts: the options, the libraries, the bot, and the helpers they all use. */
export abstract class WechatPart {
  /** WECHAT_STAFF_ROOM as configured: the staff room's chat id as the application knows it. */
  protected readonly staffKey: string;
  protected readonly secrets: readonly string[];

  constructor(
    protected readonly o: WechatChannelOptions,
    protected readonly lib: Libraries,
    protected readonly bot: WxBot,
  ) {
    this.staffKey = o.config.staffRoom;
    this.secrets = (o.secrets ?? []).filter((s) => s.length > 0);
  }

  protected wake(): void {
    try {
      this.o.wake();
    } catch (error) {
      this.o.log.warn({ reason: this.reason(error) }, 'waking the dispatcher failed');
    }
  }

  protected reason(error: unknown): string {
    return describeError(error, this.secrets);
  }
}

/** An error as one loggable line, with the secrets taken out. */
export function describeError(error: unknown, secrets: readonly string[]): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return clean(message, secrets);
}
