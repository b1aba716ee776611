/**
 * Notices (issue 16) end to end, through App.handleInbound and the real scheduler, with the fake clock
 * and a recording outbox: staff draft in one line (or step by step), a supervisor publishes after the
 * preview, only the targeted owners get it (in their language, opted out of surveys or not), ✅ records who
 * read it, corrections and cancellations reach everyone who received it, quiet hours hold what is not
 * urgent, a restart never sends twice, and at its end a notice comes down: nothing expired is ever shown.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App } from '../../src/app/app.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { auditEntries, type Store, type StoreTx } from '../../src/core/ports.js';
import { encodeNoticeButton } from '../../src/core/protocol/notice-buttons.js';
import type { Button, InboundContent, Owner } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { makeOwner } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';
import { i18n, RecordingSender, registry } from '../support/harness.js';

const assistant = new OfflineAssistant(loadKeywords());
const params = { dutyPhone: '0571-88886666', estate: '阳光花园' };
const zh = (key: string, p?: Record<string, string | number>) => i18n.translate('zh-CN', key, { ...params, ...p });
const en = (key: string, p?: Record<string, string | number>) => i18n.translate('en', key, { ...params, ...p });

/** Monday 2026-12-07 10:00 in Shanghai. */
const MORNING = '2026-12-07T02:00:00Z';
const WATER =
  '/notice 停水 3,5 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for mains repairs; please store water.';

async function world(o: { store?: Store; clock?: FakeClock; worker?: string } = {}) {
  const store = o.store ?? (await openSqliteStore({ path: ':memory:' }));
  const clock = o.clock ?? new FakeClock(MORNING);
  const log = silentLogger();
  const sender = new RecordingSender('console');
  const app = new App({
    store,
    clock,
    registry,
    i18n,
    log,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '0571-88886666' },
    staffRooms: [{ channel: 'console', chatId: 'staff' }],
    policy: { ...DEFAULT_POLICY, supervisors: [{ userId: 'u-sup' }] },
    assistant,
    notices: { batchSize: { console: 2 }, batchIntervalMs: 60_000, statusDelayMs: 10 * 60_000 },
  });
  const dispatcher = new Dispatcher({ store, clock, senders: [sender], log, workerId: 'd' });
  const scheduler = new Scheduler({
    store,
    clock,
    log,
    workerId: o.worker ?? 'w1',
    leaseMs: 60_000,
    handlers: app.jobHandlers(),
  });
  let seq = 0;
  const run = Math.random().toString(36).slice(2, 8);
  const texts = (chatId: string, from = 0) =>
    sender.sent
      .slice(from)
      .flatMap((s) => (s.chatId === chatId && s.action.kind === 'send' ? [s.action.message.text] : []));
  async function send(
    content: InboundContent | string,
    chatId: string,
    kind: 'private' | 'staff' = 'private',
    userId?: string,
  ) {
    const before = sender.sent.length;
    seq += 1;
    const result = await app.handleInbound({
      channel: 'console',
      chatId,
      chatKind: kind,
      userId: userId ?? `u-${chatId}`,
      userName: userId === 'u-sup' ? '李主管' : userId === 'u-clerk' ? '小王' : undefined,
      messageId: `m-${run}-${seq}`,
      receivedAt: clock.now(),
      content: typeof content === 'string' ? { type: 'text', text: content } : content,
    });
    await dispatcher.drain();
    return { result, texts: texts(chatId, before) };
  }
  const staff = (content: InboundContent | string, who: 'sup' | 'clerk' = 'sup') =>
    send(content, 'staff', 'staff', `u-${who}`);
  const press = (data: string, chatId: string, kind: 'private' | 'staff' = 'private', userId?: string) =>
    send({ type: 'button', data }, chatId, kind, userId);
  async function runDue() {
    for (let i = 0; i < 50; i++) if ((await scheduler.tick()) === 0) break;
    await dispatcher.drain();
  }
  async function runUntil(until: string, stepMs = 60_000) {
    const end = new Date(until).getTime();
    await runDue();
    while (clock.now().getTime() < end) {
      clock.advance(Math.min(stepMs, end - clock.now().getTime()));
      await runDue();
    }
  }
  function lastButtons(chatId: string): Button[] {
    for (let i = sender.sent.length - 1; i >= 0; i--) {
      const s = sender.sent[i];
      if (s?.chatId === chatId && s.action.kind === 'send' && s.action.message.buttons)
        return s.action.message.buttons.flat();
    }
    return [];
  }
  return { store, clock, app, sender, scheduler, send, staff, press, runDue, runUntil, texts, lastButtons };
}

/** Owners in buildings 1–5 on the console; o3 opted out of surveys, o6 (building 3) cannot be reached, o5 reads English. */
async function estate(store: Store): Promise<Record<string, Owner>> {
  const out: Record<string, Owner> = {};
  const add = async (key: string, unit: string, extra: Partial<Owner> = {}) => {
    const owner = makeOwner({
      id: `owner-${key}`,
      name: `业主${key}`,
      identities: [{ channel: 'console', userId: `u-${key}`, chatId: key }],
      units: [unit],
      ...extra,
    });
    await store.saveOwner(owner);
    out[key] = owner;
  };
  await add('o1', '1-1-101');
  await add('o2', '2-1-201');
  await add('o3', '3-2-301');
  await add('o4', '4-1-401');
  await add('o5', '5-1-501', { locale: 'en' });
  await add('o6', '3-1-302', { unreachable: true });
  await store.setSurveyOptOut('owner-o3', new Date(MORNING));
  return out;
}

const publishData = (id: string) => encodeNoticeButton({ type: 'staff', action: 'publish', noticeId: id });
const readData = (id: string) => encodeNoticeButton({ type: 'read', noticeId: id });

describe('notices end to end', () => {
  it('one line, preview, publish to 2 of 5 buildings: only their owners get it; who read it; correction; expiry', async () => {
    const w = await world();
    await estate(w.store);

    // One line drafts it and shows the preview exactly as owners will see it, with the publish button.
    const drafted = await w.staff(WATER);
    expect(drafted.texts).toHaveLength(2);
    const [asOwners, summary] = drafted.texts;
    expect(asOwners).toContain('📢 停水通知');
    expect(asOwners).toContain('范围：3号楼、5号楼');
    expect(asOwners).toContain('时间：12月8日（周二）上午9:00至下午5:00');
    expect(asOwners).toContain('因主管道检修停水，请提前储水。');
    expect(summary).toContain('【通知预览】N001 · 草稿');
    expect(summary).toContain('约 2 户');
    expect(summary).toContain('英文内容：Water off for mains repairs; please store water.');
    expect(w.lastButtons('staff').map((b) => b.data)).toEqual([
      publishData('N001'),
      encodeNoticeButton({ type: 'staff', action: 'discard', noticeId: 'N001' }),
    ]);

    const published = await w.press(publishData('N001'), 'staff', 'staff', 'u-sup');
    expect(published.texts.join('\n')).toContain('📢 通知 N001 · 停水通知');
    expect((await w.store.getNotice('N001'))?.status).toBe('published');

    await w.runDue();
    const got = (chat: string) => w.texts(chat).filter((t) => t.includes('N001'));
    expect(got('o3')).toHaveLength(1); // opted out of surveys: still gets service information
    expect(got('o3')[0]).toContain('因主管道检修停水');
    expect(got('o5')).toHaveLength(1);
    expect(got('o5')[0]).toContain('Water off for mains repairs');
    expect(got('o5')[0]).toContain('When: Tue 8 Dec, 9:00 am – 5:00 pm');
    for (const other of ['o1', 'o2', 'o4', 'o6']) expect(got(other)).toEqual([]);
    expect(w.lastButtons('o3').map((b) => b.label)).toEqual([zh('notice.owner.read_button')]);
    expect(w.lastButtons('o5').map((b) => b.label)).toEqual([en('notice.owner.read_button')]);
    expect(await w.store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 0 });
    // The group's message was brought up to date when sending finished.
    const edits = w.sender.sent.filter((s) => s.chatId === 'staff' && s.action.kind === 'edit');
    expect(edits.at(-1)?.action.kind === 'edit' && edits.at(-1)?.action.message.text).toContain(
      '已发送 2 户 · 已读 0 户',
    );

    // ✅ records the read; a second press is answered kindly; a forged or stale press is refused.
    expect((await w.press(readData('N001'), 'o3')).result.ack?.text).toBe(zh('notice.owner.read_thanks'));
    expect((await w.press(readData('N001'), 'o3')).result.ack?.text).toBe(zh('notice.owner.read_again'));
    expect((await w.press(readData('N001'), 'o1')).result.ack).toEqual({
      text: zh('notice.owner.read_unknown'),
      alert: true,
    });
    expect((await w.press(readData('N009'), 'o3')).result.ack?.text).toBe(zh('notice.owner.read_unknown'));
    expect((await w.press('n|r|T261128-0001', 'o3')).result.ack?.text).toBe(zh('notice.owner.read_unknown'));
    expect(await w.store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 1 });

    // Staff see who read it.
    const shown = (await w.staff('/notice N001', 'clerk')).texts.join('\n');
    expect(shown).toContain('已发送 2 户 · 已读 1 户 · 未读 1 户');
    expect(shown).toContain('已读：业主o3（3-2-301）');
    expect(shown).toContain('未读：业主o5（5-1-501）');
    // … and the group's counts are refreshed a while after the first read.
    w.clock.advance(10 * 60_000);
    await w.runDue();
    const refreshed = w.sender.sent.filter((s) => s.chatId === 'staff' && s.action.kind === 'edit').at(-1);
    expect(refreshed?.action.kind === 'edit' && refreshed.action.message.text).toContain('已读 1 户');

    // Owners ask: their building's notice; another building hears there is none, with a way to report.
    const asked = await w.send('明天停水吗', 'o3');
    expect(asked.texts[0]).toContain(zh('notice.owner.answer_title', { count: 1 }));
    expect(asked.texts[0]).toContain('因主管道检修停水');
    const none = await w.send('明天停水吗', 'o1');
    expect(none.texts).toEqual([zh('notice.owner.none')]);
    expect(w.lastButtons('o1').map((b) => b.data)).toEqual([encodeNoticeButton({ type: 'report' })]);
    const report = await w.press(encodeNoticeButton({ type: 'report' }), 'o1');
    expect((await w.store.getThread('console', 'o1'))?.state.flow?.flowId).toBe('complaint');
    expect(report.texts.length).toBeGreaterThan(0);
    expect((await w.send('通知', 'o5')).texts[0]).toContain(en('notice.owner.list_title', { count: 1 }));
    // The greeting mentions it, between the welcome and the menu, in one message; closing the menu keeps it.
    const line = '📢 目前有 1 条与您有关的通知：停水通知（12月8日（周二）上午9:00至下午5:00）';
    const hello = await w.send('你好', 'o3');
    expect(hello.texts).toHaveLength(1);
    expect(hello.texts[0]?.startsWith(zh('welcome', { estate: '阳光花园' }))).toBe(true);
    expect(hello.texts[0]).toContain(`\n\n${line}`);
    expect(hello.texts[0]?.endsWith(`\n\n${zh('menu.title')}`)).toBe(true);
    const before = w.sender.sent.length;
    await w.press(w.lastButtons('o3').find((b) => b.data.endsWith(':m.mytickets'))?.data ?? '', 'o3');
    const closed = w.sender.sent.slice(before).find((s) => s.chatId === 'o3' && s.action.kind === 'edit');
    expect(closed?.action.kind === 'edit' && closed.action.message.text).toContain(line);

    // A correction reaches everyone who received it, once.
    const corrected = await w.staff('/notice correct N001 恢复供水时间改为下午3点。 EN: Water back at 3 pm.');
    expect(corrected.texts).toEqual([zh('notice.staff.corrected', { id: 'N001', count: 2 })]);
    await w.runDue();
    expect(w.texts('o3').filter((t) => t.startsWith('📢 【更正】'))).toHaveLength(1);
    expect(w.texts('o5').filter((t) => t.includes('Water back at 3 pm'))).toHaveLength(1);
    await w.runDue();
    expect(w.texts('o3').filter((t) => t.startsWith('📢 【更正】'))).toHaveLength(1);
    expect(w.texts('o1').filter((t) => t.includes('更正'))).toEqual([]);

    // At its end the notice comes down by itself; the group is told; nothing expired is ever shown.
    await w.runUntil('2026-12-08T09:00:00Z', 30 * 60_000);
    expect((await w.store.getNotice('N001'))?.status).toBe('expired');
    expect(w.texts('staff').some((t) => t.startsWith('⌛ 通知 N001'))).toBe(true);
    expect((await w.send('明天停水吗', 'o3')).texts).toEqual([zh('notice.owner.none')]);
    expect((await w.send('/notices', 'o5')).texts).toEqual([en('notice.owner.none')]);
    expect((await w.staff('/notice list')).texts).toEqual([zh('notice.staff.list_empty')]);
    expect((await w.press(readData('N001'), 'o5')).result.ack?.text).toBe(
      en('notice.owner.read_expired', { id: 'N001' }),
    );
    const greeting = await w.send('你好', 'o3');
    expect(greeting.texts.join('\n')).not.toContain('📢 目前有');
  });

  it('ordinary staff may draft but not publish; a supervisor publishes', async () => {
    const w = await world();
    await estate(w.store);
    const drafted = await w.staff(WATER, 'clerk');
    expect(drafted.texts[1]).toContain(zh('notice.preview.needs_supervisor'));
    const pressed = await w.press(publishData('N001'), 'staff', 'staff', 'u-clerk');
    expect(pressed.result.ack).toEqual({ text: zh('notice.refused.not_supervisor'), alert: true });
    expect((await w.staff('/notice publish N001', 'clerk')).texts).toEqual([zh('notice.refused.not_supervisor')]);
    expect((await w.staff('/notice cancel N001', 'clerk')).texts).toEqual([
      zh('notice.staff.discarded', { id: 'N001' }),
    ]);
    await w.staff(WATER, 'clerk');
    expect((await w.store.getNotice('N002'))?.status).toBe('draft');
    expect(await w.store.listJobs({ type: 'notice.send' })).toEqual([]);
    // A change after the preview needs another preview.
    await w.store.transaction(async (tx: StoreTx) => {
      const n = await tx.getNotice('N002');
      if (n) await tx.saveNotice({ ...n, updatedAt: new Date(w.clock.now().getTime() + 1000) });
    });
    expect((await w.staff('/notice publish N002')).texts).toEqual([zh('notice.refused.not_previewed', { id: 'N002' })]);
    w.clock.advance(2000);
    await w.staff('/notice preview N002');
    await w.staff('/notice publish N002');
    expect((await w.store.getNotice('N002'))?.status).toBe('published');
    expect((await w.staff('/notice publish N002')).texts[0]).toContain('已发布');
  });

  it('quiet hours hold a notice that is not urgent until the morning and let a storm warning through', async () => {
    const w = await world({ clock: new FakeClock('2026-12-07T14:00:00Z') }); // 22:00 in Shanghai
    await estate(w.store);
    await w.staff('/notice 停水 3,5 12-09 9:00-17:00 管道检修停水。');
    await w.staff('/notice publish N001');
    await w.runDue();
    expect(await w.store.countNoticeDeliveries('N001')).toEqual({ sent: 0, read: 0 });
    expect(w.texts('o3')).toEqual([]);

    const storm = await w.staff('/notice 台风 全部 今天 22:30 ~ 明天 12:00 台风过境，请关好门窗，收好阳台物品。');
    expect(storm.texts[1]).toContain('紧急，夜间也发送');
    await w.staff('/notice publish N002');
    await w.runUntil('2026-12-07T14:03:00Z'); // three batches of two, a minute apart
    for (const chat of ['o1', 'o2', 'o3', 'o4', 'o5'])
      expect(w.texts(chat).filter((t) => t.includes('N002'))).toHaveLength(1);
    expect(w.texts('o6')).toEqual([]);
    expect(w.texts('o3').filter((t) => t.includes('N001'))).toEqual([]);

    await w.runUntil('2026-12-07T23:59:00Z', 30 * 60_000); // 07:59
    expect(w.texts('o3').filter((t) => t.includes('N001'))).toEqual([]);
    await w.runUntil('2026-12-08T00:05:00Z'); // 08:05
    expect(w.texts('o3').filter((t) => t.includes('N001'))).toHaveLength(1);
    expect(w.texts('o5').filter((t) => t.includes('N001'))).toHaveLength(1);
  });

  it('a restart mid-delivery sends nobody twice, and a job run again sends nothing', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const clock = new FakeClock(MORNING);
    const a = await world({ store, clock, worker: 'worker-a' });
    const owners: Owner[] = [];
    for (let i = 1; i <= 7; i++) {
      const owner = makeOwner({
        id: `owner-b${i}`,
        identities: [{ channel: 'console', userId: `u-b${i}`, chatId: `b${i}` }],
        units: [`3-1-${100 + i}`],
      });
      await store.saveOwner(owner);
      owners.push(owner);
    }
    await a.staff('/notice 停电 3 12-09 9:00-12:00 配电房检修停电。');
    await a.staff('/notice publish N001');
    await a.runDue(); // batch 1: b1, b2
    expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 0 });

    // The next batch dies after writing one owner's message: the whole batch rolls back.
    const original = store.transaction.bind(store);
    let enqueued = 0;
    store.transaction = (<T>(fn: (tx: StoreTx) => Promise<T>) =>
      original((tx) =>
        fn(
          new Proxy(tx, {
            get(target, prop, receiver) {
              if (prop !== 'enqueue') return Reflect.get(target, prop, receiver);
              return async (...args: Parameters<StoreTx['enqueue']>) => {
                enqueued += 1;
                if (enqueued === 2) throw new Error('the process died mid-batch');
                return target.enqueue(...args);
              };
            },
          }),
        ),
      )) as Store['transaction'];
    clock.advance(60_000);
    await a.runDue();
    expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 0 });
    store.transaction = original;
    await a.scheduler.stop();

    // A new process over the same store takes over once the retry falls due.
    const b = await world({ store, clock, worker: 'worker-b' });
    await b.runUntil(new Date(clock.now().getTime() + 10 * 60_000).toISOString());
    expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 7, read: 0 });
    const all = [...a.sender.sent, ...b.sender.sent];
    for (const owner of owners) {
      const chat = owner.identities[0]!.chatId;
      const mine = all.filter(
        (s) => s.chatId === chat && s.action.kind === 'send' && s.action.message.text.includes('N001'),
      );
      expect(mine).toHaveLength(1);
    }
    // A send job run again (a retry after everything was sent) writes nothing.
    const before = (await store.listOutbox({})).length;
    await store.scheduleJob(
      { id: 'again', type: 'notice.send', dueAt: clock.now(), payload: { noticeId: 'N001' } },
      clock.now(),
    );
    await b.runDue();
    expect((await store.listOutbox({})).length).toBe(before);
  });

  it('warns of pest control less than three days ahead, and drafts step by step with /notice', async () => {
    const w = await world();
    await estate(w.store);
    const soon = await w.staff('/notice 消杀 全部 12-08 全小区灭鼠消杀，请看管好宠物。');
    expect(soon.texts[1]).toContain('⚠️ 消杀通知应至少提前三天发出');
    const early = await w.staff('/notice 消杀 全部 12-11 全小区灭鼠消杀，请看管好宠物。');
    expect(early.texts[1]).not.toContain('⚠️');
    await w.staff('/notice publish N001');
    expect((await w.store.getNotice('N001'))?.status).toBe('published');

    // Guided: kind (a button), urgent? (typed), target, period, text, photo skipped, send now → the preview.
    expect((await w.staff('/notice')).texts[0]).toContain('起草通知（1/6）');
    await w.press(encodeNoticeButton({ type: 'kind', kind: 'outage_power' }), 'staff', 'staff', 'u-sup');
    expect((await w.staff('一般')).texts[0]).toContain('起草通知（2/6）');
    expect((await w.staff('三号楼')).texts[0]).toContain(zh('notice.problem.bad_target', { detail: '三号楼' }));
    await w.staff('3-2');
    await w.staff('12-10 13:00-15:00');
    await w.staff('电梯机房线路改造，临时停电。');
    await w.staff('跳过');
    expect((await w.staff('下周吧')).texts[0]).toContain(zh('notice.problem.bad_send', { detail: '下周吧' }));
    const done = await w.staff('1'); // 1. 现在
    expect(done.texts[0]).toContain('📢 停电通知');
    expect(done.texts[1]).toContain('【通知预览】N003');
    const n3 = await w.store.getNotice('N003');
    expect(n3).toMatchObject({ kind: 'outage_power', urgent: false, target: { kind: 'places', places: ['3-2'] } });
    // Outages remind unread owners the day before.
    expect(done.texts[1]).toContain('提醒：12月9日（周三）下午1:00');
    // Drafted in one line or step by step, each notice is on the audit log once.
    const drafted: string[] = [];
    for await (const e of auditEntries(w.store, { action: 'notice.create' })) drafted.push(e.actor.id);
    expect(drafted).toEqual(['console:u-sup', 'console:u-sup', 'console:u-sup']);
  });

  it('a cancellation reaches everyone who received it; a late ✅ says so; a typed number answers on WeChat and the console', async () => {
    const w = await world();
    await estate(w.store);
    await w.staff(WATER);
    await w.staff('/notice publish N001');
    await w.runDue();
    // No buttons on the console: the owner types the number of the choice, or its words.
    expect((await w.send('1', 'o3')).texts).toEqual([zh('notice.owner.read_thanks')]);
    expect((await w.send('got it', 'o5')).texts).toEqual([en('notice.owner.read_thanks')]);
    expect(await w.store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 2 });

    expect((await w.staff('/notice cancel N001 工程延期', 'clerk')).texts).toEqual([
      zh('notice.refused.not_supervisor'),
    ]);
    expect((await w.staff('/notice cancel N001 工程延期')).texts).toEqual([
      zh('notice.staff.cancelled', { id: 'N001', count: 2 }),
    ]);
    await w.runDue();
    expect(w.texts('o3').filter((t) => t.startsWith('📢 【撤回】'))).toEqual([
      zh('notice.owner.cancelled_reason', {
        id: 'N001',
        kind: zh('notice.kind.outage_water'),
        period: '12月8日（周二）上午9:00至下午5:00',
        reason: '工程延期',
      }),
    ]);
    expect(w.texts('o5').some((t) => t.startsWith('📢 [Withdrawn]'))).toBe(true);
    expect((await w.press(readData('N001'), 'o3')).result.ack?.text).toBe(
      zh('notice.owner.read_cancelled', { id: 'N001' }),
    );
    expect((await w.send('明天停水吗', 'o3')).texts).toEqual([zh('notice.owner.none')]);
  });

  it('an outage reminds the owners who have not read it, once, the day before', async () => {
    const w = await world();
    await estate(w.store);
    await w.staff('/notice 停电 3,5 12-10 9:00-17:00 配电房检修停电。 EN: Power off for maintenance.');
    await w.staff('/notice publish N001');
    await w.runDue();
    expect(await w.store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 0 });
    await w.send('知道了', 'o3'); // o3 read it; o5 did not
    const lead = (chatId: string) =>
      w
        .texts(chatId)
        .filter(
          (t) => t.startsWith(zh('notice.owner.reminder_lead')) || t.startsWith(en('notice.owner.reminder_lead')),
        );
    await w.runUntil('2026-12-08T12:00:00Z'); // Tuesday 20:00: not yet
    expect(lead('o5')).toEqual([]);
    await w.runUntil('2026-12-09T04:00:00Z', 10 * 60_000); // Wednesday noon, the day before
    expect(lead('o5')).toHaveLength(1);
    expect(lead('o5')[0]).toContain('Power off for maintenance.');
    expect(lead('o3')).toEqual([]);
    await w.runUntil('2026-12-10T02:00:00Z', 30 * 60_000); // the day itself: nobody reminded twice
    expect(lead('o5')).toHaveLength(1);
    expect((await w.store.getNotice('N001'))?.remindedAt).toBeDefined();
  });

  it('an owner with no flat gets the estate-wide notices and is asked kindly for their building', async () => {
    const w = await world();
    await estate(w.store);
    await w.staff(WATER);
    await w.staff('/notice publish N001');
    await w.staff('/notice 活动 全部 12-12 18:00-20:00 周六晚在中心花园举办冬季联欢会，欢迎参加。');
    await w.staff('/notice publish N002');
    await w.runDue();
    const first = await w.send('最近有什么通知', 'newcomer');
    expect(first.texts[0]).toContain('社区活动通知');
    expect(first.texts[0]).not.toContain('停水');
    expect(first.texts[1]).toBe(zh('notice.owner.ask_building'));
    const after = await w.send('3-2-808', 'newcomer');
    expect(after.texts[0]).toBe(zh('notice.owner.unit_kept', { unit: '3-2-808' }));
    expect(after.texts[1]).toContain('停水通知');
    const owner = await w.store.findOwnerByIdentity('console', 'u-newcomer');
    expect(owner?.units).toEqual(['3-2-808']);
  });
});
