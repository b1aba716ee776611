/**
 * Issue 19's generated files through the Service Account, over the local fake of WeChat's platform
 * (test/support/fake-wechat-mp.ts) with the real App, outbox and reply-window gate (test/support/
 * mp-estate.ts): an image attachment goes up as temporary media (multipart, the PNG's bytes under its
 * name) and then as an image 客服消息 naming the media_id WeChat gave back; a document, which 客服消息
 * cannot carry, is named in the text. Each picture is a 客服消息 of its own and counts against the reply
 * window like a text: a message that needs more than the window has left is not sent in part.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NewFile, PNG, sendWithFiles } from '../../../../src/app/files/outbox.js';
import type { OutboundMessage } from '../../../../src/core/types.js';
import { type MpEstate, mpEstate, OWNER } from '../../../support/mp-estate.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const chart = (n: number) => Buffer.concat([PNG_MAGIC, Buffer.from([0, 0, 0, 13, n]), randomBytes(3000)]);
const image = (n: number, png = chart(n)): NewFile => ({
  kind: 'image',
  name: `满意度-${n}.png`,
  mime: PNG,
  bytes: new Uint8Array(png),
  caption: `图 ${n}`,
});
const WORKBOOK: NewFile = {
  kind: 'document',
  name: '工单-2026-11.xlsx',
  mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  bytes: new Uint8Array(Buffer.from('PK\u0003\u0004workbook', 'latin1')),
};

let e: MpEstate;

beforeEach(async () => {
  e = await mpEstate();
});

afterEach(async () => {
  await e.close();
});

/** Queues a message with files to the owner, as a use case does, and delivers it. */
async function toOwner(message: OutboundMessage, files: NewFile[]): Promise<void> {
  await e.store.transaction((tx) =>
    sendWithFiles(e.app.ctx, tx, { channel: 'wechat_mp', chatId: OWNER }, message, files),
  );
  await e.dispatcher.drain();
}

describe('generated files through the Service Account', () => {
  it('sends an image as an upload then an image message naming its media_id, and names a document in the text', async () => {
    await e.follow();
    await e.say('你好');
    const before = e.fake.sent.length;
    const png = chart(1);
    await toOwner({ text: '您好，这是阳光花园11月的服务情况。' }, [image(1, png), WORKBOOK]);

    expect(e.fake.refusals).toEqual([]);
    const [upload, more] = e.fake.uploads;
    expect(more).toBeUndefined();
    expect(upload).toMatchObject({ fileName: '满意度-1.png', contentType: 'image/png' });
    expect(upload?.bytes.equals(png)).toBe(true);
    // The picture first (naming what the upload returned), then the text with the document named.
    const sent = e.fake.sent.slice(before);
    expect(sent.map((m) => m.msgtype)).toEqual(['image', 'text']);
    expect(sent[0]?.mediaId).toBe(upload?.mediaId);
    expect(e.fake.imagesTo(OWNER)).toEqual([upload]);
    expect(sent[1]?.text).toBe('您好，这是阳光花园11月的服务情况。\n📎 工单-2026-11.xlsx');
  });

  it('counts each picture against the reply window: a message that does not fit is not sent in part', async () => {
    // A follow opens the short window: three 客服消息 within a minute, some taken by the welcome.
    await e.follow();
    const before = e.fake.sent.length;
    const left = 3 - before;
    expect(left).toBeGreaterThan(0);
    // As many pictures as the window has left, and the text: one message more than it allows.
    const pictures = Array.from({ length: left }, (_, i) => image(i + 1));
    await toOwner({ text: '您好，这是本月的服务情况。' }, pictures);
    expect(e.fake.refusals).toEqual([]);
    expect(e.fake.sent.slice(before)).toEqual([]);
    // Once the owner writes, the long window (five in 48 hours) has room for all of it.
    await e.say('你好');
    const more = e.fake.sent.length;
    await toOwner({ text: '您好，这是本月的服务情况。' }, [image(3), image(4)]);
    expect(e.fake.refusals).toEqual([]);
    expect(e.fake.sent.slice(more).map((m) => m.msgtype)).toEqual(['image', 'image', 'text']);
  });
});
