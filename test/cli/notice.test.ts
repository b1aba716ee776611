/**
 * `npm run notice`: the one-line form, the preview, publishing and the counts on the configured store
 * (SQLite under DATA_DIR here), with what the staff group should see queued for its rooms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { runNoticeCli, USAGE } from '../../src/cli/notice.js';
import { makeOwner } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';

let dir: string;
let env: Record<string, string>;
const clock = new FakeClock('2026-12-07T02:00:00Z'); // Monday 10:00 in Shanghai

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-notice-cli-'));
  env = { DATA_DIR: dir, TZ: 'Asia/Shanghai', DEFAULT_LOCALE: 'zh-CN' };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runNoticeCli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, { env, clock });
  return { code, out, err };
}

describe('npm run notice', () => {
  it('drafts in one line, previews, publishes (sending is the bot’s), lists and counts', async () => {
    const seed = await openSqliteStore({ path: join(dir, 'residesk.db') });
    await seed.saveOwner(makeOwner({ units: ['3-2-501'] }));
    await seed.saveOwner(makeOwner({ units: ['4-1-101'] }));
    await seed.close();

    const created = await run('停水', '3,5,7', '12-08', '9:00-17:00', '因主管道检修停水，请提前储水。');
    expect(created.code).toBe(0);
    expect(created.out).toContain('📢 停水通知');
    expect(created.out).toContain('【通知预览】N001 · 草稿');
    expect(created.out).toContain('范围：3号楼、5号楼、7号楼（约 1 户）');
    const published = await run('publish', 'n1');
    expect(published.code).toBe(0);
    expect(published.out).toContain('✅ 通知 N001 已发布');
    expect((await run('list')).out).toContain('N001 · 停水通知 · 3号楼、5号楼、7号楼');
    expect((await run('N001')).out).toContain('已发送 0 户 · 已读 0 户');

    const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
    expect((await store.getNotice('N001'))?.status).toBe('published');
    expect((await store.listJobs({ type: 'notice.send' })).map((j) => j.status)).toEqual(['pending']);
    expect((await store.listJobs({ type: 'notice.expire' }))[0]?.dueAt).toEqual(new Date('2026-12-08T09:00:00Z'));
    await store.close();
  });

  it('queues the preview and the publishing for the WeChat staff room', async () => {
    env.WECHATY_PUPPET = 'wechaty-puppet-mock';
    env.WECHAT_STAFF_ROOM = '阳光花园客服群';
    expect((await run('台风', 'all', '今天', '18:00', '~', '明天', '12:00', '台风过境，请关好门窗。')).err).toContain(
      'also queued for the staff group',
    );
    expect((await run('publish', 'N001')).code).toBe(0);
    const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
    const staff = (await store.listOutbox({ chatId: '阳光花园客服群' })).flatMap((i) =>
      i.action.kind === 'send' ? [i.action.message.text] : [],
    );
    expect(staff.some((t) => t.startsWith('【通知预览 · 业主将看到】'))).toBe(true);
    expect(staff.some((t) => t.startsWith('📢 通知 N001 · 天气预警'))).toBe(true);
    await store.close();
  });

  it('explains its usage and refuses what it cannot do', async () => {
    expect(await run()).toMatchObject({ code: 2, out: `${USAGE}\n` });
    expect((await run('frobnicate', '3')).code).toBe(1);
    expect((await run('frobnicate', '3')).out).toContain('没有「frobnicate」这类通知');
    expect((await run('publish', 'N404')).out).toContain('没有找到通知 N404');
    expect((await run('停水', '3', '12-01', 'x')).out).toContain('这个时间已经过去了');
    env.TZ = 'Mars/Olympus';
    const bad = await run('list');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('TZ');
  });
});
