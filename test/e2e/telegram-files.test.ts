/**
 * Issue 19 on Telegram end to end (telegram-test-api behind a fake that answers the upload methods, webhook
 * mode): `/summary 2026-11` in the staff group uploads the review's charts as ONE media group whose
 * multipart body carries the PNG bytes, then the text; `/export 2026-11` from a supervisor uploads the
 * workbook with sendDocument to their private chat, and a staff member asking gets a refusal and no file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import type { FileSources } from '../../src/app/files/sources.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { waitFor } from '../adapters/channels/telegram/support.js';
import { startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-files-token';
const STAFF = -1001000000019;
const BOSS = 2901;
const LI = 2902;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const chart = (n: number) => new Uint8Array([...PNG_MAGIC, 0, 0, 0, 13, n, n, n]);
const XLSX_BYTES = Buffer.from('PK\u0003\u0004residesk-workbook', 'latin1');

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

const files: FileSources = {
  review: async (period) => ({
    text: `${period.label} 汇总（测试）`,
    charts: [1, 2, 3, 4].map((n) => ({ title: `图 ${n}`, fileName: `review-${n}.png`, png: chart(n) })),
  }),
  ticketWorkbook: async (period) => ({
    fileName: `工单-${period.label}.xlsx`,
    bytes: new Uint8Array(XLSX_BYTES),
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    tickets: 12,
  }),
};

let tg: TelegramE2E;

beforeAll(async () => {
  tg = await startTelegramE2E({
    token: TOKEN,
    staffChatId: STAFF,
    policy: { ...DEFAULT_POLICY, supervisors: [{ userId: String(BOSS) }] },
    files,
  });
});

afterAll(async () => {
  await tg?.stop();
});

const staffClient = (userId: number, firstName: string) =>
  tg.emulator.getClient(TOKEN, { chatId: STAFF, userId, firstName, type: 'supergroup', chatTitle: '客服中心' });

async function say(userId: number, name: string, text: string): Promise<void> {
  const client = staffClient(userId, name);
  const count = tg.hook.requests.length;
  await client.sendMessage(client.makeMessage(text));
  await waitFor(() => tg.hook.requests.length > count, 'the webhook to handle the update');
}

describe('files on Telegram', () => {
  it('/summary sends the charts as one album (multipart with the PNG bytes), then the text', async () => {
    await say(LI, '李师傅', '/summary 2026-11');
    const text = await waitFor(
      () => tg.botMessages(STAFF).find((m) => m.text.includes('2026-11 汇总（测试）')),
      'the summary text in the group',
    );
    expect(text).toBeDefined();
    const albums = tg.media.filter((m) => m.method === 'sendMediaGroup');
    expect(albums).toHaveLength(1);
    const album = albums[0];
    if (!album) throw new Error('no album');
    expect(album.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const body = album.body;
    expect(body.toString('latin1').split('attach://').length - 1).toBe(4);
    for (let n = 1; n <= 4; n++) expect(body.includes(Buffer.from(chart(n)))).toBe(true);
    expect(body.toString('utf8')).toContain(`"chat_id"`);
    expect(body.toString('utf8')).toContain(String(STAFF));
    // Nothing of the album went through the emulator (which would have answered 500).
    expect(tg.calls('sendMediaGroup')).toEqual([]);
  });

  it('/export from a staff member is refused, and no file is sent', async () => {
    const before = tg.media.length;
    await say(LI, '李师傅', '/export 2026-11');
    await waitFor(
      () => tg.botMessages(STAFF).find((m) => m.text === zh('files.export.refused')),
      'the refusal in the group',
    );
    await tg.dispatcher.drain();
    expect(tg.media.slice(before)).toEqual([]);
  });

  it('/export from a supervisor goes to their private chat as a document', async () => {
    await say(BOSS, '赵主管', '/export 2026-11');
    const doc = await waitFor(() => tg.media.find((m) => m.method === 'sendDocument'), 'the workbook upload');
    expect(doc.contentType).toMatch(/^multipart\/form-data/);
    expect(doc.body.includes(XLSX_BYTES)).toBe(true);
    expect(doc.body.toString('utf8')).toContain('工单-2026-11.xlsx');
    expect(doc.body.toString('utf8')).toContain(`${BOSS}`);
    expect(doc.body.toString('utf8')).not.toContain(String(STAFF));
    await waitFor(
      () => tg.botMessages(STAFF).find((m) => m.text === zh('files.export.sent_privately', { name: '赵主管' })),
      'the group told it went privately',
    );
  });
});
