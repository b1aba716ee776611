import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  attachmentPath,
  contentOf,
  imageExtension,
  type MapContext,
  ownerText,
  parseQuote,
  readStaffText,
  routeOf,
  toInbound,
  WX_CONTACT,
  WX_MESSAGE,
  type WxMessage,
} from '../../../../src/adapters/channels/wechat/inbound.js';
import { LOCALES } from '../../../../src/core/types.js';
import { createI18n, readLocales } from '../../../../src/i18n.js';
import { describeWithWechaty, wechatyTypes } from './support.js';

const AT = new Date('2026-11-28T02:00:00Z');
const ROOM = 'r1@chatroom';
const ctx: MapContext = { staffRoom: { chatId: ROOM, roomId: ROOM }, receivedAt: AT };

let n = 0;
function msg(over: Partial<WxMessage> = {}): WxMessage {
  n += 1;
  return {
    id: `m${n}`,
    self: false,
    type: WX_MESSAGE.Text,
    text: '你好',
    talkerId: 'wxid_owner',
    talkerName: '王阿姨',
    talkerType: WX_CONTACT.Individual,
    ...over,
  };
}

const QUOTE_LINE = '- - - - - - - - - - - - - - -';

describeWithWechaty('WeChat message types', () => {
  it('match the numbers wechaty-puppet uses', () => {
    const types = wechatyTypes();
    for (const [name, value] of Object.entries(WX_MESSAGE)) {
      expect(types.Message[name as keyof typeof WX_MESSAGE], name).toBe(value);
    }
    for (const [name, value] of Object.entries(WX_CONTACT)) {
      expect(types.Contact[name as keyof typeof WX_CONTACT], name).toBe(value);
    }
  });
});

describe('toInbound', () => {
  it('maps a one-to-one text to a private message of that contact', () => {
    const m = msg({ text: '报修' });
    expect(toInbound(m, ctx)).toEqual({
      channel: 'wechat',
      chatId: 'wxid_owner',
      chatKind: 'private',
      userId: 'wxid_owner',
      userName: '王阿姨',
      messageId: m.id,
      receivedAt: AT,
      content: { type: 'text', text: '报修' },
    });
  });

  it('maps the staff room to a staff message under the configured id, with the talker as user', () => {
    const configured: MapContext = { staffRoom: { chatId: '物业员工群', roomId: ROOM }, receivedAt: AT };
    const m = msg({ roomId: ROOM, talkerId: 'wxid_staff', talkerName: '李师傅', text: 'T261128-0007 接单' });
    expect(toInbound(m, configured)).toMatchObject({
      chatId: '物业员工群',
      chatKind: 'staff',
      userId: 'wxid_staff',
      userName: '李师傅',
      content: { type: 'text', text: 'T261128-0007 接单' },
    });
  });

  it('ignores other rooms, every room before the staff room is found, and the bot itself', () => {
    expect(toInbound(msg({ roomId: 'other@chatroom' }), ctx)).toBeUndefined();
    expect(toInbound(msg({ roomId: ROOM }), { staffRoom: { chatId: ROOM }, receivedAt: AT })).toBeUndefined();
    expect(toInbound(msg({ self: true }), ctx)).toBeUndefined();
    expect(toInbound(msg({ self: true, roomId: ROOM }), ctx)).toBeUndefined();
  });

  it('ignores official accounts, WeChat system accounts, recalls, notices and unknown types', () => {
    expect(toInbound(msg({ talkerType: WX_CONTACT.Official }), ctx)).toBeUndefined();
    expect(toInbound(msg({ talkerId: 'gh_051c89260e5d', talkerType: undefined }), ctx)).toBeUndefined();
    expect(toInbound(msg({ talkerId: 'filehelper' }), ctx)).toBeUndefined();
    for (const type of [WX_MESSAGE.Recalled, WX_MESSAGE.GroupNote, WX_MESSAGE.Unknown]) {
      expect(toInbound(msg({ type }), ctx), String(type)).toBeUndefined();
    }
  });

  it('turns a saved image into a photo, and one that could not be saved into a re-prompt', () => {
    const m = msg({ type: WX_MESSAGE.Image, text: '' });
    expect(toInbound(m, ctx, '/data/attachments/wechat/x.jpg')?.content).toEqual({
      type: 'photo',
      fileRef: '/data/attachments/wechat/x.jpg',
    });
    expect(toInbound(m, ctx)?.content).toEqual({ type: 'unsupported', what: 'other' });
  });

  it('answers voice, video, files, stickers, locations and cards as unsupported', () => {
    const cases: [number, string][] = [
      [WX_MESSAGE.Audio, 'voice'],
      [WX_MESSAGE.Video, 'video'],
      [WX_MESSAGE.Attachment, 'document'],
      [WX_MESSAGE.Emoticon, 'sticker'],
      [WX_MESSAGE.Location, 'location'],
      [WX_MESSAGE.Contact, 'contact'],
      [WX_MESSAGE.Url, 'other'],
      [WX_MESSAGE.MiniProgram, 'other'],
    ];
    for (const [type, what] of cases) {
      expect(toInbound(msg({ type, text: '' }), ctx)?.content, what).toEqual({ type: 'unsupported', what });
    }
  });

  it('reads only text in the staff room', () => {
    const route = routeOf(msg({ roomId: ROOM }), ctx);
    expect(route).toEqual({ chatKind: 'staff', chatId: ROOM });
    if (!route) return;
    expect(contentOf(msg({ roomId: ROOM, type: WX_MESSAGE.Image }), route, '/x.jpg')).toBeUndefined();
    expect(contentOf(msg({ roomId: ROOM, type: WX_MESSAGE.Audio }), route)).toBeUndefined();
  });

  it('leaves the name out when the puppet gives none', () => {
    const inbound = toInbound(msg({ talkerName: '  ' }), ctx);
    expect(inbound).toBeDefined();
    expect(inbound && 'userName' in inbound).toBe(false);
  });
});

describe('quotes', () => {
  const quoted = (who: string, what: string, reply: string) => `「${who}：${what}」\n${QUOTE_LINE}\n${reply}`;

  it('parses WeChat quote format', () => {
    expect(parseQuote(quoted('物业助手', '请问是哪方面的问题？', '2'))).toEqual({
      quoted: '请问是哪方面的问题？',
      reply: '2',
    });
    expect(parseQuote('「不是引用」')).toBeUndefined();
    expect(parseQuote('普通的一句话')).toBeUndefined();
  });

  it('keeps 「」 inside the quoted text', () => {
    const q = parseQuote(quoted('物业助手', '记录：李师傅「已上门」', '好的'));
    expect(q).toEqual({ quoted: '记录：李师傅「已上门」', reply: '好的' });
  });

  it('lets an owner answer a quoted question with the number alone', () => {
    expect(ownerText(quoted('物业助手', '请选择：\n1. 报修\n2. 投诉', '１'))).toBe('１');
    expect(ownerText('2')).toBe('2');
  });

  const card = '🆕 新工单 T261128-0007\n状态：待受理\n情况：卫生间漏水';

  it('reads the ticket a staff quote names and keeps what was typed under it as it is', () => {
    // What the text means (a reply, a command on the ticket) is the staff desk's decision, not the adapter's.
    expect(readStaffText(quoted('物业助手', card, '师傅下午两点上门'))).toEqual({
      text: '师傅下午两点上门',
      quotedTicket: 'T261128-0007',
    });
    expect(readStaffText(quoted('物业助手', card, '备注 业主家里有老人，下午再去'))).toEqual({
      text: '备注 业主家里有老人，下午再去',
      quotedTicket: 'T261128-0007',
    });
    expect(readStaffText(quoted('物业助手', card, '接单'))).toEqual({ text: '接单', quotedTicket: 'T261128-0007' });
  });

  it('gives no quoted ticket when the quote names none or several', () => {
    expect(readStaffText(quoted('张三', '今天谁值班？', '我'))).toEqual({ text: '我' });
    expect(readStaffText(quoted('物业助手', 'T261128-0007 · 已受理\nT261128-0008 · 待受理', '看一下'))).toEqual({
      text: '看一下',
    });
    expect(readStaffText('T261128-0007 接单')).toEqual({ text: 'T261128-0007 接单' });
  });

  it('puts the quoted ticket on the staff Inbound, and never on an owner’s', () => {
    const staff = msg({ roomId: ROOM, talkerId: 'wxid_staff', text: quoted('物业助手', card, '备注 家里有老人') });
    expect(toInbound(staff, ctx)).toMatchObject({
      chatKind: 'staff',
      quotedTicket: 'T261128-0007',
      content: { type: 'text', text: '备注 家里有老人' },
    });
    const owner = toInbound(msg({ text: quoted('物业助手', card, '1') }), ctx);
    expect(owner?.content).toEqual({ type: 'text', text: '1' });
    expect(owner && 'quotedTicket' in owner).toBe(false);
  });

  it('reads a quoted 咨询 or 转人工 item as that item, never as a ticket it lists', () => {
    const i18n = createI18n(readLocales('locales'));
    for (const locale of LOCALES) {
      for (const key of ['desk.frontdoor.enquiry', 'desk.frontdoor.notice', 'desk.frontdoor.human']) {
        // The item lists the owner's one open ticket: quoting it must still answer the item, not reply on the ticket.
        const item = i18n.translate(locale, key, {
          ref: 'Q007',
          who: '张先生（3-2-501）',
          text: '你们办公时间是几点？Q3 的物业费怎么交',
          tickets: 'T261128-0007',
        });
        expect(readStaffText(quoted('物业助手', item, '@物业助手\u2005工作日 8:30-17:30'))).toEqual({
          text: '工作日 8:30-17:30',
          quotedItem: 'Q007',
        });
      }
    }
    const q012 =
      '❓ 业主咨询 Q012\n业主：张先生\n「停车费多少」\n未结工单：T261128-0007\n回复业主：发送「Q012 回复内容」';
    const staff = msg({ roomId: ROOM, talkerId: 'wxid_staff', text: quoted('物业助手', q012, '您好') });
    const inbound = toInbound(staff, ctx);
    expect(inbound).toMatchObject({ chatKind: 'staff', quotedItem: 'Q012', content: { type: 'text', text: '您好' } });
    expect(inbound && 'quotedTicket' in inbound).toBe(false);
    // A colleague's words about an item are neither the item nor the ticket they name.
    expect(readStaffText(quoted('张三', '今天 Q012 谁在跟？', '我'))).toEqual({ text: '我' });
    expect(readStaffText(quoted('张三', 'Q012 和 T261128-0007 一起处理吧', '好'))).toEqual({ text: '好' });
    expect(readStaffText(quoted('物业助手', card, 'Q012 您好'))).toEqual({
      text: 'Q012 您好',
      quotedTicket: 'T261128-0007',
    });
  });

  it('drops leading @mentions of the bot from staff commands', () => {
    expect(readStaffText('@物业助手\u2005T261128-0007 接单').text).toBe('T261128-0007 接单');
    expect(readStaffText('@物业助手 T261128-0007 回复 好的').text).toBe('T261128-0007 回复 好的');
    expect(readStaffText('T261128-0007 回复 @王阿姨 您好').text).toBe('T261128-0007 回复 @王阿姨 您好');
    expect(readStaffText(quoted('物业助手', card, '@物业助手\u2005接单'))).toEqual({
      text: '接单',
      quotedTicket: 'T261128-0007',
    });
  });
});

describe('attachments', () => {
  it('saves under <dataDir>/attachments/wechat/<id>.<ext> with a safe file name', () => {
    expect(attachmentPath('/data', 'cm123', 'jpg')).toBe(join('/data', 'attachments', 'wechat', 'cm123.jpg'));
    expect(attachmentPath('/data', '../../etc/passwd', 'png')).toBe(
      join('/data', 'attachments', 'wechat', '______etc_passwd.png'),
    );
  });

  it('picks the extension from the name, the media type, or jpg', () => {
    expect(imageExtension('IMG_0001.PNG', 'application/octet-stream')).toBe('png');
    expect(imageExtension('img.jpeg', undefined)).toBe('jpg');
    expect(imageExtension('noext', 'image/webp')).toBe('webp');
    expect(imageExtension(undefined, undefined)).toBe('jpg');
    expect(imageExtension('evil.exe', 'text/html')).toBe('jpg');
  });
});
