/**
 * Enquiries and notices (issue 16) on WeChat with wechaty-puppet-mock: the real flows, locales, SQLite
 * store, app (with the repository's knowledge and the offline assistant), dispatcher, scheduler and WeChat
 * channel, wired as main.ts does, with a fake clock. WeChat has no buttons: owners answer by number or in
 * words, and staff type the lines the staff room shows under an item or a notice.
 *
 * - an owner asks 物业费怎么交, is answered at once, types 2 (不是，转人工); the item in the room shows
 *   `Q001 <您的回答>` and `Q001 存入知识库` to type; a staff member types `Q001 …` and the owner gets the
 *   answer, a supervisor types `Q001 存入知识库`; a second item is answered by quoting it;
 * - a supervisor drafts a water cut for buildings 3 and 5 in one line and publishes it by typing the line
 *   under its summary; the scheduler sends it; owners in buildings 3 and 5 confirm with `1` and `知道了`,
 *   the owner in building 1 gets nothing, and `/notice N001` counts 2 read.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import {
  createWechatChannel,
  type WechatChannel,
  wechatStaffAddress,
} from '../../src/adapters/channels/wechat/wechat.js';
import { loadKnowledge } from '../../src/adapters/content/knowledge-file.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App } from '../../src/app/app.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { contentPaths } from '../../src/content.js';
import { createKnowledgeIndex } from '../../src/core/knowledge/search.js';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import {
  describeWithWechaty,
  type MockWorld,
  mockWorld,
  settle,
  WECHATY_SKIPPED,
  waitFor,
} from '../adapters/channels/wechat/support.js';
import { FakeClock } from '../support/clock.js';

const ESTATE = '阳光花园';
const DUTY_PHONE = '0571-88886666';
const QUOTE_LINE = '- - - - - - - - - - - - - - -';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: ESTATE, dutyPhone: DUTY_PHONE, ...params });

let world: MockWorld;
let store: Store;
let channel: WechatChannel;
let dispatcher: Dispatcher;
let scheduler: Scheduler;
let dataDir: string;
/** Monday 2026-12-07, 10:00 in Shanghai: business hours, outside quiet hours. */
const clock = new FakeClock('2026-12-07T02:00:00Z');

beforeAll(async () => {
  if (WECHATY_SKIPPED) return;
  world = mockWorld();
  dataDir = mkdtempSync(join(tmpdir(), 'residesk-wechat-notices-e2e-'));
  const log = silentLogger();
  store = await openSqliteStore({ path: ':memory:' });
  const config = {
    puppet: 'wechaty-puppet-mock',
    staffRoom: world.staffRoom.id,
    acceptFriends: true,
    sendIntervalMs: 0,
  };
  const knowledge = loadKnowledge(contentPaths().knowledge);
  const app = new App({
    store,
    clock,
    registry: loadFlows('flows', (key) => i18n.has(key)),
    i18n,
    log,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: ESTATE, dutyPhone: DUTY_PHONE },
    staffRooms: [wechatStaffAddress(config)],
    // 赵主管 supervises: publishing a notice and saving knowledge are his.
    policy: { ...DEFAULT_POLICY, supervisors: [{ channel: 'wechat', userId: world.staff2.id }] },
    assistant: new OfflineAssistant(loadKeywords()),
    knowledge: createKnowledgeIndex(knowledge.entries, knowledge.synonyms),
  });
  channel = await createWechatChannel({
    config,
    dataDir,
    log,
    handle: (inbound) => app.handleInbound(inbound),
    wake: () => dispatcher.wake(),
    now: () => clock.now(),
    puppet: world.puppet,
    qrOutput: null,
  });
  dispatcher = new Dispatcher({ store, clock, senders: [channel], log, workerId: 'e2e', pollMs: 20 });
  scheduler = new Scheduler({ store, clock, log, workerId: 'e2e', handlers: app.jobHandlers() });
  dispatcher.start();
  await channel.start();
  world.mocker.login(world.me);
  await waitFor(() => channel.loggedIn && channel.staffRoom, 'the login');
});

afterAll(async () => {
  if (WECHATY_SKIPPED) return;
  await channel?.stop();
  await dispatcher?.stop();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Texts the bot sent to a contact or room. */
function texts(id: string): string[] {
  return world
    .to(id)
    .filter((m) => m.type === world.types.Message.Text)
    .map((m) => m.text);
}

/** Waits for the next text to `id` that contains `fragment`, after the ones this reader has seen. */
function reader(id: string) {
  let seen = texts(id).length;
  return async (fragment: string | RegExp): Promise<string> => {
    const found = await waitFor(
      () => {
        const all = texts(id);
        const index = all.findIndex(
          (m, i) => i >= seen && (typeof fragment === 'string' ? m.includes(fragment) : fragment.test(m)),
        );
        return index >= 0 ? { index, text: all[index] as string } : undefined;
      },
      `the bot to say ${String(fragment)} (latest: ${texts(id).slice(-2).join(' | ')})`,
    );
    seen = found.index + 1;
    return found.text;
  };
}

/** The command a staff line shows after its label (`📢 发布：/notice publish N001` → `/notice publish N001`). */
function lineCommand(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${label}：`));
  if (!line) throw new Error(`no line "${label}" in: ${text}`);
  return line.slice(label.length + 1);
}

/** Runs every job due now and lets the outbox send what they queued. */
async function runDue(): Promise<void> {
  while ((await scheduler.tick()) > 0) {
    /* everything due now */
  }
  dispatcher.wake();
  await dispatcher.drain();
}

describeWithWechaty('enquiries on WeChat (wechaty-puppet-mock)', () => {
  it('hands 物业费怎么交 to the room on 2; staff answer by typing the item’s line, a supervisor saves it', async () => {
    const { owner, me, staff, staff2, staffRoom } = world;
    const ownerReads = reader(owner.id);
    const roomReads = reader(staffRoom.id);

    owner.say('物业费怎么交').to(me);
    const answer = await ownerReads('物业费');
    expect(answer).toContain(`1. ${zh('enquiry_kb.yes')}\n2. ${zh('enquiry_kb.no')}`);
    expect(texts(staffRoom.id)).toEqual([]);

    // 2 = 不是，转人工: the owner is told when to expect an answer, the room gets the item.
    owner.say('2').to(me);
    const handed = await ownerReads(zh('enquiry_kb.handed_now', { due: '\u0000' }).split('\u0000')[0] ?? '?');
    expect(handed).toContain('12月7日（周一）上午10:30');
    const item = await roomReads('「物业费怎么交」');
    expect(item.split('\n')[0]).toContain('Q001');
    // What to type, not numbers nobody reads.
    expect(item).toContain(`${zh('enquiry_kb.staff.answer_button')}：Q001 <您的回答>`);
    expect(item).toContain(`${zh('enquiry_kb.staff.learn_button')}：Q001 存入知识库`);
    expect(item).not.toContain(`. ${zh('enquiry_kb.staff.answer_button')}`);

    // 李师傅 types the line with his answer in place of the placeholder.
    const reply = '您好，也可以到服务中心前台刷卡缴纳，工作日8:30到18:00。';
    staff.say(lineCommand(item, zh('enquiry_kb.staff.answer_button')).replace('<您的回答>', reply)).to(staffRoom);
    await ownerReads(zh('frontdoor.staff_answer', { question: '物业费怎么交', text: reply }));
    const confirmed = await roomReads(zh('enquiry_kb.staff.answered', { ref: 'Q001' }));
    expect(confirmed).toContain(`${zh('enquiry_kb.staff.learn_button')}：Q001 存入知识库`);
    expect(await store.getEnquiry('Q001')).toMatchObject({ status: 'staff', answer: reply });

    // 赵主管 types the 存入知识库 line: the answer is kept as knowledge.
    staff2.say(lineCommand(confirmed, zh('enquiry_kb.staff.learn_button'))).to(staffRoom);
    await roomReads('已存入知识库');
    expect((await store.getEnquiry('Q001'))?.savedAs).toBeDefined();
  });

  it('answers an item quoted in the room to the owner who asked', async () => {
    const { me, staff, staffRoom } = world;
    const neighbour = world.mocker.createContact({ name: '陈先生' });
    const ownerReads = reader(neighbour.id);
    const roomReads = reader(staffRoom.id);
    const question = '你们办公室能帮忙寄存包裹吗';
    neighbour.say(question).to(me);
    const item = await roomReads(`「${question}」`);
    const ref = item.match(/Q\d{3}/)?.[0] ?? '';
    expect(ref).toBe('Q002');
    await ownerReads(question); // nothing ready in the knowledge: passed on, and the owner is told so

    staff.say(`「物业助手：${item}」\n${QUOTE_LINE}\n可以的，请放在服务中心前台，凭房号领取。`).to(staffRoom);
    await ownerReads(zh('frontdoor.staff_answer', { question, text: '可以的，请放在服务中心前台，凭房号领取。' }));
    await roomReads(zh('enquiry_kb.staff.answered', { ref }));
    expect((await store.getEnquiry(ref))?.status).toBe('staff');
  });
});

describeWithWechaty('notices on WeChat (wechaty-puppet-mock)', () => {
  it('publishes by the typed line; buildings 3 and 5 confirm with 1 and 知道了, building 1 gets nothing', async () => {
    const { me, staff2, staffRoom } = world;
    const three = world.mocker.createContact({ name: '张阿姨' });
    const five = world.mocker.createContact({ name: '刘先生' });
    const one = world.mocker.createContact({ name: '孙女士' });
    // Each gives their flat as the product asks for it: 通知, then the flat.
    for (const [who, flat] of [
      [three, '3-2-501'],
      [five, '5-1-101'],
      [one, '1-1-101'],
    ] as const) {
      const reads = reader(who.id);
      who.say('通知').to(me);
      await reads(zh('notice.owner.ask_building'));
      who.say(flat).to(me);
      await reads(zh('notice.owner.unit_kept', { unit: flat }));
      await reads(zh('notice.owner.none'));
    }
    const threeReads = reader(three.id);
    const fiveReads = reader(five.id);
    const oneBefore = texts(one.id).length;
    const roomReads = reader(staffRoom.id);

    staff2
      .say(
        '/notice 停水 3,5 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for mains repairs; please store water.',
      )
      .to(staffRoom);
    const summary = await roomReads('【通知预览】N001');
    expect(summary).toContain('约 2 户');
    expect(summary).toContain(`${zh('notice.button.publish')}：/notice publish N001`);
    expect(summary).toContain(`${zh('notice.button.discard')}：/notice cancel N001`);
    expect(summary).not.toContain(`. ${zh('notice.button.publish')}`);

    // The bot says something else in the room before the supervisor gets to it: the typed line still publishes.
    world.staff.say('/notice list').to(staffRoom);
    await roomReads(zh('notice.staff.list_title'));
    staff2.say(lineCommand(summary, zh('notice.button.publish'))).to(staffRoom);
    await roomReads('📢 通知 N001');
    expect((await store.getNotice('N001'))?.status).toBe('published');

    await runDue();
    const notice = await threeReads('N001');
    expect(notice.split('\n')[0]).toBe(zh('notice.owner.title', { kind: zh('notice.kind.outage_water') }));
    expect(notice).toContain('因主管道检修停水，请提前储水。');
    expect(notice.endsWith(`\n\n1. ${zh('notice.owner.read_button')}`)).toBe(true);
    await fiveReads('N001');

    // 1 and 知道了 both confirm it.
    three.say('1').to(me);
    await threeReads(zh('notice.owner.read_thanks'));
    five.say('知道了').to(me);
    await fiveReads(zh('notice.owner.read_thanks'));
    await settle(100);
    await dispatcher.drain();
    expect(texts(one.id).slice(oneBefore)).toEqual([]);

    staff2.say('/notice N001').to(staffRoom);
    const counts = await roomReads('已发送 2 户 · 已读 2 户 · 未读 0 户');
    expect(counts).toContain(zh('notice.staff.who_read', { names: '' }).trim());
    expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 2 });
  });
});
