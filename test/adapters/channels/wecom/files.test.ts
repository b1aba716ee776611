/**
 * Issue 19's files through WeCom, end to end over the local long-connection fake (test/support/fake-wecom.ts)
 * with the real `@wecom/aibot-node-sdk`: the App on SQLite, the dispatcher and the WeCom channel. Staff
 * @mention the bot in the WeCom group as a person would. `/summary 2026-11` uploads each chart as
 * temporary media (init → chunks → finish, the fake putting the bytes together and checking size and MD5)
 * and sends one image message per chart naming the media_id it got back, then the text; `/export 2026-11`
 * from a supervisor sends the workbook as a file message to their own chat with the bot, and a staff
 * member asking gets a refusal and no file.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WecomChannel } from '../../../../src/adapters/channels/wecom/wecom.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../../../src/app/context.js';
import { Dispatcher } from '../../../../src/app/dispatcher.js';
import type { FileSources } from '../../../../src/app/files/sources.js';
import type { Store } from '../../../../src/core/ports.js';
import { FakeClock } from '../../../support/clock.js';
import { FakeWecom } from '../../../support/fake-wecom.js';
import { i18n, makeApp } from '../../../support/harness.js';
import { connectWecom, type WecomOnFake } from '../../../support/wecom-channel.js';

const BOT = { botId: 'aibFILESBOT', secret: 'long-connection-secret' };
const STAFF = 'wrSTAFFGROUP19';
const LI = 'lishifu';
const BOSS = 'zhaozhuguan';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A chart's bytes; the third is over one 512 KB chunk, so its upload takes two. */
const chart = (n: number) =>
  Buffer.concat([PNG_MAGIC, Buffer.from([0, 0, 0, 13, n]), randomBytes(n === 3 ? 600 * 1024 : 2000 + n)]);
const CHARTS = [1, 2, 3, 4].map(chart);
/** A workbook of three chunks (uploaded two at a time by the SDK). */
const XLSX = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), randomBytes(1_200_000)]);

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

const files: FileSources = {
  review: async (period) => ({
    text: `${period.label} 汇总（测试）`,
    charts: CHARTS.map((png, i) => ({
      title: `图 ${i + 1}`,
      fileName: `review-${i + 1}.png`,
      png: new Uint8Array(png),
    })),
  }),
  ticketWorkbook: async (period) => ({
    fileName: `工单-${period.label}.xlsx`,
    bytes: new Uint8Array(XLSX),
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    tickets: 12,
  }),
};

let wecom: FakeWecom;
let store: Store;
let channel: WecomChannel;
let dispatcher: Dispatcher;
let waitFor: WecomOnFake['waitFor'];

beforeEach(async () => {
  wecom = await FakeWecom.start(BOT);
  const clock = new FakeClock('2026-12-02T02:00:00Z');
  store = await openSqliteStore({ path: ':memory:' });
  const app = makeApp({
    store,
    clock,
    staffRooms: [{ channel: 'wecom', chatId: STAFF }],
    policy: { ...DEFAULT_POLICY, supervisors: [{ channel: 'wecom', userId: BOSS }] },
    files,
  });
  const staffNames = new Map([
    [LI, '李师傅'],
    [BOSS, '赵主管'],
  ]);
  ({ channel, waitFor } = await connectWecom({
    fake: wecom,
    bot: BOT,
    staffChatId: STAFF,
    staffNames,
    app,
    dispatcher: () => dispatcher,
  }));
  dispatcher = new Dispatcher({ store, clock, senders: [channel], log: app.ctx.log, workerId: 'wecom-files' });
});

afterEach(async () => {
  channel.stop();
  await store.close();
  await wecom.stop();
});

/** Someone @mentions the bot in the staff group. */
function inGroup(userid: string, text: string): void {
  wecom.pushText({ chatid: STAFF, userid, text: `@物业助手 ${text}` });
}

const markdownIn = (chatid: string) =>
  wecom.sent
    .filter((m) => m.chatid === chatid && m.msgtype === 'markdown')
    .map((m) => String((m.body.markdown as { content?: unknown }).content));

describe('files through the WeCom group', () => {
  it('/summary sends each chart as an uploaded image (the PNG bytes), then the text', async () => {
    inGroup(LI, '/summary 2026-11');
    await waitFor(() => markdownIn(STAFF).some((t) => t.includes('2026-11 汇总（测试）')), 'the summary text');

    const images = wecom.mediaIn(STAFF, 'image');
    expect(images.map((m) => m.filename)).toEqual(['review-1.png', 'review-2.png', 'review-3.png', 'review-4.png']);
    expect(images.map((m, i) => m.bytes.equals(CHARTS[i] as Buffer))).toEqual([true, true, true, true]);
    expect(wecom.refusedUploads).toEqual([]);
    // The pictures first, then the text; none named as missing.
    const inStaff = wecom.sent.filter((m) => m.chatid === STAFF).map((m) => m.msgtype);
    expect(inStaff.slice(-5)).toEqual(['image', 'image', 'image', 'image', 'markdown']);
    expect(markdownIn(STAFF).join('\n')).not.toContain('📎');
  });

  it('a chart WeCom refuses (40008) is named in the text; the others and the text still go', async () => {
    wecom.failNext('aibot_upload_media_init', 40008);
    inGroup(LI, '/summary 2026-11');
    await waitFor(() => markdownIn(STAFF).some((t) => t.includes('2026-11 汇总（测试）')), 'the summary text');

    expect(wecom.mediaIn(STAFF, 'image').map((m) => m.filename)).toEqual([
      'review-2.png',
      'review-3.png',
      'review-4.png',
    ]);
    const summary = markdownIn(STAFF).find((t) => t.includes('2026-11 汇总（测试）')) ?? '';
    expect(summary).toContain('📎 review-1.png');
    expect(summary).not.toContain('📎 review-2.png');
  });

  it('/export from a staff member is refused, and no file is uploaded or sent', async () => {
    inGroup(LI, '/export 2026-11');
    await waitFor(() => markdownIn(STAFF).includes(zh('files.export.refused')), 'the refusal in the group');
    expect(wecom.media.size).toBe(0);
    expect(wecom.sent.filter((m) => m.msgtype === 'file' || m.msgtype === 'image')).toEqual([]);
  });

  it('/export from a supervisor sends the workbook as a file to their own chat with the bot', async () => {
    // 赵主管 has written to the bot alone once: WeCom lets it write to him there from then on.
    wecom.pushText({ userid: BOSS, text: '你好' });
    await waitFor(() => wecom.sent.some((m) => m.chatid === BOSS), 'the answer in his own chat');

    inGroup(BOSS, '/export 2026-11');
    const [workbook, more] = await waitFor(() => {
      const sent = wecom.mediaIn(BOSS, 'file');
      return sent.length > 0 && sent;
    }, 'the workbook in his chat');
    expect(more).toBeUndefined();
    expect(workbook?.filename).toBe('工单-2026-11.xlsx');
    expect(workbook?.bytes.equals(XLSX)).toBe(true);
    await waitFor(
      () => markdownIn(STAFF).includes(zh('files.export.sent_privately', { name: '赵主管' })),
      'the group told it went privately',
    );
    expect(wecom.mediaIn(STAFF)).toEqual([]);
    expect(markdownIn(BOSS).some((t) => t.includes('2026-11'))).toBe(true);
  });

  it('a supervisor who never wrote to the bot alone is told how to get it, and the group never gets the file', async () => {
    inGroup(BOSS, '/export 2026-11');
    const told = zh('files.export.sent_privately', { name: '赵主管' });
    await waitFor(() => markdownIn(STAFF).includes(told), 'the group told it went privately');
    // WeCom refuses his chat (no one wrote to the bot there): the workbook goes nowhere else.
    await waitFor(
      async () => (await store.listOutbox({ chatId: BOSS })).some((i) => i.lastError?.includes('93006')),
      'the private message refused by WeCom',
    );
    expect(wecom.sent.filter((m) => m.msgtype === 'file' || m.msgtype === 'image')).toEqual([]);
    expect(wecom.sent.every((m) => m.chatid === STAFF)).toBe(true);
  });
});
