/**
 * `npm run survey`: campaigns and the CSV export on the configured store: the SQLite file under DATA_DIR,
 * or MongoDB when MONGODB_URI is set (against a real server only when the suite runs with MONGODB_URI).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDatabase } from '../../src/adapters/store/mongo/connection.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { runSurveyCli, USAGE } from '../../src/cli/survey.js';
import { makeOwner } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';

let dir: string;
let env: Record<string, string>;
const clock = new FakeClock('2026-12-01T02:00:00Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-survey-cli-'));
  env = { DATA_DIR: dir, TZ: 'Asia/Shanghai', DEFAULT_LOCALE: 'zh-CN' };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSurveyCli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, { env, clock });
  return { code, out, err };
}

describe('npm run survey', () => {
  it('creates, previews, starts and lists campaigns', async () => {
    const created = await run('create', 'residential', '年度调查', 'buildings=3');
    expect(created.code).toBe(0);
    expect(created.out).toContain('已创建调查 S001：年度调查');
    expect((await run('start', 'S001')).out).toContain('请先用 /survey preview S001 审阅问卷');
    const preview = await run('preview', 's1');
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('【问卷预览】S001');
    const started = await run('start', 'S001', 'end=2026-12-20');
    expect(started.code).toBe(0);
    expect(started.out).toContain('调查 S001 已开始');
    expect((await run('list')).out).toMatch(/S001 · 年度调查 · 进行中/);
    expect((await run('report', 'S001')).out).toContain('邀请 0 户，回复 0 户');
    const closed = await run('close', 'S001');
    expect(closed.out).toContain('调查 S001 已结束');
    expect(closed.out).toContain('📊 满意度调查结果 · 年度调查（S001）');
  });

  it('exports the answers as CSV, to a file or to standard output, without owners’ identities', async () => {
    expect((await run('create', 'residential')).code).toBe(0);
    const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
    await store.addSurveyResponse({
      id: 'resp-1',
      campaignId: 'S001',
      ownerId: 'owner-secret-1',
      questionnaireVersion: 1,
      answers: { overall: 4, improve: ['parking', 'fees'], comments: '希望增加停车位', recommend: 8 },
      building: '3',
      channel: 'telegram',
      submittedAt: new Date('2026-12-03T12:00:00Z'),
    });
    await store.addSurveyResponse({
      id: 'resp-2',
      campaignId: 'S001',
      ownerId: 'owner-secret-2',
      questionnaireVersion: 1,
      answers: { overall: 2, overall_wrong: '电梯常坏', follow_up: false },
      channel: 'wechat',
      submittedAt: new Date('2026-12-04T01:00:00Z'),
    });
    await store.close();

    const file = join(dir, 'S001.csv');
    const exported = await run('export', 'S001', '--out', file);
    expect(exported.code).toBe(0);
    expect(exported.err).toContain('wrote 2 responses of S001');
    const csv = await readFile(file, 'utf8');
    const lines = csv.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe(
      'campaign,response,building,submitted_at,reception_attitude,reception_response,repairs_timeliness,repairs_quality,facilities,security,parking,cleaning,greening,fees_transparency,fees_value,overall,overall_wrong,improve,recommend,comments,follow_up',
    );
    expect(lines[1]).toBe('S001,resp-1,3,2026-12-03 20:00,,,,,,,,,,,,4,,停车秩序; 收费与账目公开,8,希望增加停车位,');
    expect(lines[2]).toBe('S001,resp-2,,2026-12-04 09:00,,,,,,,,,,,,2,电梯常坏,,,,否');
    expect(csv).not.toContain('owner-secret');

    const stdout = await run('export', 'S001', '--locale', 'en');
    expect(stdout.out.startsWith('campaign,')).toBe(true);
    expect(stdout.out).toContain('Parking; Fees and open accounts');
    expect(stdout.out).toContain(',no\r\n');
  });

  it('posts to the WeChat staff room too, and closes a campaign an owner is half-way through', async () => {
    env.WECHATY_PUPPET = 'wechaty-puppet-mock';
    env.WECHAT_STAFF_ROOM = '阳光花园客服群';
    expect((await run('create', 'residential')).code).toBe(0);
    expect((await run('preview', 'S001')).err).toContain('also queued for the staff group');
    expect((await run('start', 'S001')).code).toBe(0);
    const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
    const owner = makeOwner({ identities: [{ channel: 'wechat', userId: 'wx-1', chatId: 'wx-chat-1' }] });
    await store.saveOwner(owner);
    await store.addSurveyInvitation({
      campaignId: 'S001',
      ownerId: owner.id,
      status: 'invited',
      channel: 'wechat',
      chatId: 'wx-chat-1',
      invitedAt: clock.now(),
    });
    const flow = (flowId: string, context: Record<string, string>) => ({
      flowId,
      flowVersion: 1,
      stepId: 'security',
      answers: {},
      history: [],
      context,
      startedAt: clock.now().toISOString(),
    });
    await store.saveThread({
      channel: 'wechat',
      chatId: 'wx-chat-1',
      ownerId: owner.id,
      state: {
        v: 1,
        seq: 3,
        flow: flow('survey_residential', { campaign: 'S001' }),
        queue: [{ flowId: 'complaint', context: {}, queuedAt: clock.now().toISOString() }],
      },
      updatedAt: clock.now(),
    });
    await store.close();

    const closed = await run('close', 'S001');
    expect(closed).toMatchObject({ code: 0, err: expect.stringContaining('also queued for the staff group') });
    const after = await openSqliteStore({ path: join(dir, 'residesk.db') });
    const staff = (await after.listOutbox({ chatId: '阳光花园客服群' })).flatMap((i) =>
      i.action.kind === 'send' ? [i.action.message.text] : [],
    );
    expect(staff.some((t) => t.startsWith('【问卷预览】S001'))).toBe(true);
    expect(staff.some((t) => t.startsWith('📊 满意度调查结果'))).toBe(true);
    expect((await after.getThread('wechat', 'wx-chat-1'))?.state.flow?.flowId).toBe('complaint');
    const owners = (await after.listOutbox({ chatId: 'wx-chat-1' })).flatMap((i) =>
      i.action.kind === 'send' ? [i.action.message.text] : [],
    );
    expect(owners[0]).toContain('这次调查已经结束');
    await after.close();
  });

  it('gives the themes of owners\u2019 comments in the report and the closing summary, as the staff group does', async () => {
    expect((await run('create', 'residential')).code).toBe(0);
    expect((await run('preview', 'S001')).code).toBe(0);
    expect((await run('start', 'S001')).code).toBe(0);
    const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
    const comments = ['电梯经常坏，希望尽快修好', '电梯太旧了，老是停', '垃圾桶周围很脏，保洁要加强'];
    for (const [n, comments_] of comments.entries()) {
      await store.addSurveyResponse({
        id: `r${n}`,
        campaignId: 'S001',
        ownerId: `o${n}`,
        questionnaireVersion: 1,
        answers: { overall: 4, comments: comments_ },
        channel: 'telegram',
        submittedAt: clock.now(),
      });
    }
    await store.close();
    expect((await run('report', 'S001')).out).toContain('业主意见主题：');
    // With a staff group configured, the closing summary is queued for it with the campaign's charts, as a
    // close in the chat is (the bot delivers them; nothing is sent from here).
    env.TELEGRAM_BOT_TOKEN = '123456:test-token';
    env.TELEGRAM_STAFF_CHAT_ID = '-100777';
    expect((await run('close', 'S001')).out).toContain('业主意见主题：');
    const after = await openSqliteStore({ path: join(dir, 'residesk.db') });
    const summary = (await after.listOutbox({ chatId: '-100777' })).find(
      (i) => i.action.kind === 'send' && i.action.message.text.startsWith('📊 满意度调查结果'),
    );
    const attachments = summary?.action.kind === 'send' ? (summary.action.message.attachments ?? []) : [];
    expect(attachments.length).toBeGreaterThan(0);
    const files = await after.getFiles(attachments.map((a) => a.fileId));
    expect(files.map((f) => Buffer.from(f.bytes).subarray(1, 4).toString('latin1'))).toEqual(files.map(() => 'PNG'));
    expect(files).toHaveLength(attachments.length);
    await after.close();
  });

  it('explains its usage and refuses what it cannot do', async () => {
    expect(await run()).toMatchObject({ code: 2, out: `${USAGE}\n` });
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('export')).code).toBe(2);
    expect((await run('export', 'S001', '--out')).code).toBe(2);
    expect((await run('export', 'S001', '--locale', 'fr')).code).toBe(2);
    const missing = await run('export', 'S009');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('there is no campaign S009');
    expect((await run('preview')).code).toBe(2);
    const unknown = await run('create', 'parking');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('没有问卷「parking」');
    env.DATA_DIR = '';
    env.TZ = 'Mars/Olympus';
    const bad = await run('list');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('TZ');
  });

  it('works on MongoDB when MONGODB_URI is set: an unreachable server is one line and exit 1, and no SQLite file is written', async () => {
    env.MONGODB_URI = `mongodb://survey:hunter2@127.0.0.1:${await closedPort()}/residesk`;
    env.MONGODB_SERVER_SELECTION_TIMEOUT = '300ms';
    const created = await run('create', 'residential');
    expect(created.code).toBe(1);
    expect(created.out).toBe('');
    expect(created.err).toMatch(/^survey: MongoDB cannot be used: cannot reach MongoDB at 127\.0\.0\.1:\d+/);
    expect(created.err.trimEnd().split('\n')).toHaveLength(1);
    expect(created.err).not.toContain('hunter2');
    expect(await readdir(dir)).toEqual([]);
  });
});

/** A local port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe.skipIf(!process.env.MONGODB_URI)('npm run survey (on MONGODB_URI)', () => {
  it('creates and lists a campaign in MongoDB, where the bot reads it, and writes no SQLite file', async () => {
    const uri = withDatabase(process.env.MONGODB_URI ?? '', `residesk_survey_${randomUUID().slice(0, 8)}`);
    env.MONGODB_URI = uri;
    const { openMongoStore } = await import('../../src/adapters/store/mongo/store.js');
    try {
      expect((await run('create', 'residential', '年度调查')).code).toBe(0);
      expect((await run('list')).out).toMatch(/S001 · 年度调查/);
      const store = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000 });
      try {
        expect((await store.getSurveyCampaign('S001'))?.name).toBe('年度调查');
      } finally {
        await store.close();
      }
      expect(await readdir(dir)).toEqual([]);
    } finally {
      const mongoose = (await import('mongoose')).default;
      const connection = await mongoose.createConnection(uri).asPromise();
      await connection.dropDatabase();
      await connection.destroy();
    }
  }, 60_000);
});
