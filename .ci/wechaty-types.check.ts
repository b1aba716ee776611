/**
 * Checked by .ci/run once the optional WeChat personal-account packages are installed (never by
 * `npm run typecheck`, which runs without them): the channel's local copy of the wechaty and file-box types it
 * uses (src/adapters/channels/wechat/wechaty-types.ts) must be satisfied by the real ones. A member renamed,
 * removed or given another shape upstream fails this file's type check.
 */
import type * as FileBoxLib from 'file-box';
import type * as WechatyLib from 'wechaty';
import type {
  FileBoxModule,
  WechatyModule,
  WxBot,
  WxContact,
  WxFileBox,
  WxFriendship,
  WxLibMessage,
  WxRoom,
} from '../src/adapters/channels/wechat/wechaty-types.js';

type Satisfies<Local, Real extends Local> = [Local, Real];

export type Checks = [
  Satisfies<WechatyModule, typeof WechatyLib>,
  Satisfies<FileBoxModule, typeof FileBoxLib>,
  Satisfies<WxBot, WechatyLib.Wechaty>,
  Satisfies<WxLibMessage, WechatyLib.Message>,
  Satisfies<WxContact, WechatyLib.Contact>,
  Satisfies<WxContact, WechatyLib.ContactSelf>,
  Satisfies<WxRoom, WechatyLib.Room>,
  Satisfies<WxFriendship, WechatyLib.Friendship>,
  Satisfies<WxFileBox, FileBoxLib.FileBoxInterface>,
];
