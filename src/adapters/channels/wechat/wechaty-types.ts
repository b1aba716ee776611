/**
 * The part of wechaty 1.x (and of file-box, which it sends files with) that the WeChat channel uses, written
 * out here so that the project type-checks and builds without them: wechaty is an optional extra (README,
 * "WeChat personal account"), not installed by `npm ci`. Only what the channel (wechat.ts and its parts) calls is listed; each member
 * has the name and shape it has in wechaty 1.20 (`Wechaty`, `Message`, `Contact`, `Room`, `Friendship`,
 * `ScanStatus`, `types.Friendship`) and in file-box 1.5 (`FileBox`). The wechat tests run against the real
 * library (CI installs it) and fail when a member here no longer matches what it does.
 */

/** A WeChat contact (wechaty `Contact`); the bot's own account (`ContactSelf`) has the same members here. */
export interface WxContact {
  readonly id: string;
  name(): string;
  /** wechaty-puppet `types.Contact` (see WX_CONTACT in inbound.ts). */
  type(): number;
}

/** A group chat (wechaty `Room`). */
export interface WxRoom {
  readonly id: string;
  topic(): Promise<string>;
  memberAll(): Promise<WxContact[]>;
}

/** A file as file-box holds it: what a received image is read through. */
export interface WxFileBox {
  readonly name: string;
  readonly mediaType: string;
  toBuffer(): Promise<Buffer>;
}

/** One received message (wechaty `Message`); payload getters, and the file of an image. */
export interface WxLibMessage {
  readonly id: string;
  talker(): WxContact;
  room(): WxRoom | undefined;
  self(): boolean;
  /** wechaty-puppet `types.Message` (see WX_MESSAGE in inbound.ts). */
  type(): number;
  text(): string;
  toFileBox(): Promise<WxFileBox>;
}

/** A friend request or its confirmation (wechaty `Friendship`). */
export interface WxFriendship {
  readonly id: string;
  /** wechaty-puppet `types.Friendship`. */
  type(): number;
  accept(): Promise<void>;
  contact(): WxContact;
}

/** The puppet calls the channel sends with: they give the sent message's id (a string) where the puppet has one. */
export interface WxPuppet {
  messageSendText(conversationId: string, text: string, mentionIdList?: string[]): Promise<unknown>;
  messageSendFile(conversationId: string, file: unknown): Promise<unknown>;
}

/** The bot (wechaty `Wechaty`, built by `WechatyBuilder.build`): its life cycle, events, rooms and puppet. */
export interface WxBot {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly puppet: WxPuppet;
  readonly Room: {
    findAll(): Promise<WxRoom[]>;
    find(query: { id: string }): Promise<WxRoom | undefined>;
  };
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'puppet', listener: (puppet: unknown) => void): unknown;
  on(event: 'scan', listener: (qrcode: string, status: number) => void): unknown;
  on(event: 'login', listener: (user: WxContact) => void): unknown;
  on(event: 'logout', listener: (user: WxContact, reason?: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'message', listener: (message: WxLibMessage) => void): unknown;
  on(event: 'friendship', listener: (friendship: WxFriendship) => void): unknown;
  on(event: 'room-join' | 'room-leave', listener: (room: WxRoom, contacts: WxContact[]) => void): unknown;
  on(event: 'room-topic', listener: (room: WxRoom) => void): unknown;
}

/** What `import('wechaty')` gives that the channel uses. */
export interface WechatyModule {
  WechatyBuilder: { build(options: { name: string; puppet: never }): WxBot };
  /** The login QR code's status, as wechaty numbers it. */
  ScanStatus: { Waiting: number; Scanned: number; Timeout: number };
  types: { Friendship: { Receive: number; Confirm: number } };
  log: { level(level: 'silent' | 'info' | 'verbose'): unknown };
}

/** What `import('file-box')` gives that the channel uses: a file to send from its bytes. */
export interface FileBoxModule {
  FileBox: { fromBase64(base64: string, name: string): unknown; fromBuffer(buffer: Buffer, name?: string): unknown };
}
