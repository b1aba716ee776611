/**
 * End to end with wechaty-puppet-mock: the real flows, locales, SQLite store, app, dispatcher, scheduler
 * and WeChat channel, wired as main.ts does, with a fake clock (so the revisit a day later is a tick,
 * not a wait). Owners write one-to-one; staff act by text in the staff room.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App } from '../../src/app/app.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import { Scheduler } from '../../src/app/scheduler.js';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import {
  type BotSaid,
  describeWithWechaty,
  type MockWorld,
  mockWorld,
  settle,
  WECHATY_SKIPPED,
  waitFor,
} from '../adapters/channels/wechat/support.js';
import { type ChannelDriver, INTENT_SCRIPT, runChannelContract } from '../contracts/channel.contract.js';
import { FakeClock } from '../support/clock.js';

const ESTATE = '阳光花园';
const DUTY_PHONE = '0571-88886666';
const QUOTE_LINE = '- - - - - - - - - - - - - - -';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: ESTATE, dutyPhone: DUTY_PHONE, ...params });

let world: MockWorld;
let store: Store;
let app: App;
let channel: WechatChannel;
let dispatcher: Dispatcher;
let scheduler: Scheduler;
let dataDir: string;
const clock = new FakeClock('2026-11-28T02:00:00Z'); // 10:00 in Shanghai

beforeAll(async () => {
  if (WECHATY_SKIPPED) return;
  world = mockWorld();
  dataDir = mkdtempSync(join(tmpdir(), 'residesk-wechat-e2e-'));
  const log = silentLogger();
  store = await openSqliteStore({ path: ':memory:' });
  const config = {
    puppet: 'wechaty-puppet-mock',
    staffRoom: world.staffRoom.id,
    acceptFriends: true,
    sendIntervalMs: 0,
  };
  app = new App({
    store,
    clock,
    registry: loadFlows('flows', (key) => i18n.has(key)),
    i18n,
    log,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: ESTATE, dutyPhone: DUTY_PHONE },
    staffRooms: [wechatStaffAddress(config)],
    // As in production: the offline assistant reads owners' free text (intent first, issue 14).
    assistant: new OfflineAssistant(loadKeywords()),
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
  dispatcher = new Dispatcher({
    store,
    clock,
    senders: [channel],
    log,
    workerId: 'e2e',
    pollMs: 20,
    onUnreachable: (c, chatId) => app.markUnreachable(c, chatId),
  });
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

/** Waits for the next text to `id` that contains `fragment`, after the ones already seen. */
function reader(id: string) {
  let seen = 0;
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

/** The number the bot put before `label` in its latest numbered list to `id`. */
function numberOf(id: string, label: string): string {
  const latest = [...texts(id)].reverse().find((t) => /^\d+\. /m.test(t)) ?? '';
  const line = latest.split('\n').find((l) => l.replace(/^\d+\. /, '') === label);
  if (!line) throw new Error(`no choice "${label}" in: ${latest}`);
  return line.split('.')[0] ?? '';
}

describeWithWechaty('WeChat end to end (wechaty-puppet-mock)', () => {
  let number = '';

  it('lets an owner file a repair by numbers and words; the staff room gets the card with the photo', async () => {
    const { owner, me } = world;
    const reply = reader(owner.id);
    const say = (text: string) => owner.say(text).to(me);

    say('报修');
    const category = await reply(zh('complaint.ask.category'));
    // Choices are a numbered list; the engine takes the number.
    expect(category).toContain(`1. ${zh('ticket.category.water_power')}`);
    expect(category).toContain(`2. ${zh('ticket.category.leaks_fabric')}`);
    say('99');
    const again = await reply(zh('input.number_out_of_range', { count: 17 }));
    expect(again).toContain(`17. ${zh('ticket.category.other')}`);
    say('１'); // full-width digit
    await reply(zh('complaint.ask.location'));
    say('3栋2单元501');
    await reply(zh('complaint.ask.description'));

    // A voice message is not an answer: a polite re-prompt and the same question.
    world.raw(owner, world.types.Message.Audio, undefined);
    const reprompt = await reply(zh('input.unsupported', { what: zh('input.kind.voice') }));
    expect(reprompt).toContain(zh('complaint.ask.description'));

    say('卫生间天花板漏水，滴到楼下了');
    await reply(zh('complaint.ask.photos'));
    world.image(owner);
    const received = await reply(zh('photos.received', { count: 1 }));
    expect(received).toContain(`1. ${zh('photos.done')}`);
    say(zh('photos.done').replace(/^\S+\s/, '')); // the option's words, without the emoji
    await reply(zh('complaint.ask.demand'));
    say('希望尽快上门查看');
    await reply(zh('complaint.ask.name'));
    say('王阿姨');
    await reply(zh('complaint.ask.phone'));
    say('13812345678');
    const readback = await reply(zh('complaint.readback'));
    say(numberOf(owner.id, zh('confirm.ok')));
    const done = await reply(/T\d{6}-0001/);
    number = done.match(/T\d{6}-0001/)?.[0] ?? '';
    expect(done).toContain(zh('ticket.created', { number }).split('\n')[0]);
    expect(readback).toContain('王阿姨');

    // The owner's image was saved under the data directory, on the ticket.
    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.category).toBe('water_power');
    expect(ticket?.attachments).toHaveLength(1);
    const photo = ticket?.attachments[0]?.ref ?? '';
    expect(photo.startsWith(join(dataDir, 'attachments', 'wechat'))).toBe(true);
    expect(readFileSync(photo).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    // The staff room: the card (masked phone, photo count, the commands to type), then the photo.
    const card = await reader(world.staffRoom.id)(zh('card.title_new', { number }));
    expect(card).toContain('138****5678');
    expect(card).not.toContain('13812345678');
    expect(card).toContain(`${zh('card.photos')}：1`);
    expect(card).toContain(`${number} 接单`);
    const image = await waitFor(
      () => world.to(world.staffRoom.id).find((m: BotSaid) => m.type === world.types.Message.Image),
      'the photo in the staff room',
    );
    expect(image.fileName).toMatch(/\.jpg$/);
  });

  it('ignores other rooms, and a stranger’s staff command changes nothing', async () => {
    const { owner, stranger, me, otherRoom } = world;
    owner.say('报修').to(otherRoom);
    stranger.say(`${number} 接单`).to(otherRoom);
    stranger.say(`${number} 办结 搞定了`).to(me);
    await settle(200);
    await dispatcher.drain();
    expect(world.to(otherRoom.id)).toEqual([]);
    expect(await store.listMessages('wechat', otherRoom.id)).toEqual([]);
    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.status).toBe('recorded');
    expect(ticket?.assignee).toBeUndefined();
    expect(
      texts(owner.id).some((t) => t.includes(zh('owner.resolved', { number, note: '搞定了' }).split('\n')[0] ?? '?')),
    ).toBe(false);
  });

  it('keeps a note typed under a quoted card among staff, and accepts a card quoted with 接单', async () => {
    const { owner, staff, staffRoom } = world;
    const roomReads = reader(staffRoom.id);
    const card = texts(staffRoom.id).find((t) => t.includes(number)) ?? '';
    const ownerHad = texts(owner.id).length;
    // The privacy defect of issue 15: this once reached the owner as 【T…】李师傅：备注 …
    staff.say(`「物业助手：${card}」\n${QUOTE_LINE}\n备注 业主家里有老人，下午再去`).to(staffRoom);
    await roomReads(zh('desk.note_added', { number }));
    const noted = await store.getTicketByNumber(number);
    expect(noted?.timeline.some((e) => e.action === 'note' && e.note === '业主家里有老人，下午再去')).toBe(true);
    expect(noted?.status).toBe('recorded');

    staff.say(`「物业助手：${card}」\n${QUOTE_LINE}\n接单`).to(staffRoom);
    await reader(owner.id)(zh('owner.accepted', { number, name: '李师傅' }));
    expect((await store.getTicketByNumber(number))?.assignee?.name).toBe('李师傅');
    await dispatcher.drain();
    const toOwner = texts(owner.id).slice(ownerHad);
    expect(toOwner).toEqual([zh('owner.accepted', { number, name: '李师傅' })]);
  });

  it('answers a 咨询 item quoted in the room to its owner, not on the open ticket the item lists', async () => {
    const { owner, staff, staffRoom, me } = world;
    const ownerReads = reader(owner.id);
    const roomReads = reader(staffRoom.id);
    owner.say('你们办公时间是几点').to(me);
    const item = await roomReads('你们办公时间是几点');
    const ref = item.match(/Q\d{3,}/)?.[0] ?? '';
    expect(ref).not.toBe('');
    expect(item).toContain(number); // the owner's open ticket, listed as context
    const ticketBefore = (await store.getTicketByNumber(number))?.timeline.length;
    staff.say(`「物业助手：${item}」\n${QUOTE_LINE}\n工作日早上8点到晚上6点`).to(staffRoom);
    await ownerReads(zh('frontdoor.staff_answer', { question: '你们办公时间是几点', text: '工作日早上8点到晚上6点' }));
    await roomReads(zh('desk.frontdoor.answered', { ref }));
    await dispatcher.drain();
    expect((await store.getTicketByNumber(number))?.timeline.length).toBe(ticketBefore);
    expect(texts(owner.id).some((t) => t.startsWith(`【${number}】`))).toBe(false);
  });

  it('lets a room member reply by command and by quoting the card, and resolve', async () => {
    const { owner, staff, staffRoom } = world;
    const ownerReads = reader(owner.id);
    staff.say(`${number} 回复 师傅下午两点上门`).to(staffRoom);
    const answered = await ownerReads('师傅下午两点上门');
    expect(answered).toBe(zh('owner.reply', { number, name: '李师傅', text: '师傅下午两点上门' }));
    expect(answered.startsWith(`【${number}】`)).toBe(true);

    // Quoting the card (as WeChat sends a quote) is a reply to its owner.
    const card = texts(staffRoom.id).find((t) => t.includes(number)) ?? '';
    staff.say(`「物业助手：${card}」\n${QUOTE_LINE}\n请问家里下午有人吗？`).to(staffRoom);
    await ownerReads(zh('owner.reply', { number, name: '李师傅', text: '请问家里下午有人吗？' }));

    staff.say(`${number} 办结 确认 已更换防水层`).to(staffRoom);
    await ownerReads(zh('owner.resolved', { number, note: '已更换防水层' }).split('\n')[0] ?? '');
    expect((await store.getTicketByNumber(number))?.status).toBe('resolved');
  });

  it('asks the revisit a day later, answered by numbers', async () => {
    const { owner, me } = world;
    const ownerReads = reader(owner.id);
    clock.advance(24 * 3_600_000 + 60_000);
    await scheduler.tick();
    dispatcher.wake();
    await ownerReads(zh('revisit.ask.good_time'));
    const say = (text: string) => owner.say(text).to(me);
    say(numberOf(owner.id, zh('revisit.option.good_time.now')));
    await ownerReads(zh('revisit.ask.solved'));
    say(numberOf(owner.id, zh('common.yes')));
    await ownerReads(zh('revisit.ask.attitude'));
    say(numberOf(owner.id, zh('revisit.option.attitude.satisfied')));
    await ownerReads(zh('revisit.ask.charged'));
    say(numberOf(owner.id, zh('common.no')));
    await ownerReads(zh('revisit.ask.score'));
    say('９');
    await ownerReads(zh('revisit.ask.comment'));
    say(numberOf(owner.id, zh('common.skip')));
    await ownerReads(zh('revisit.thanks', { number }));
    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisit).toMatchObject({
      solved: true,
      attitude: 'satisfied',
      charged: false,
      score: 9,
      by: 'chat',
    });
  });

  it('greets a new friend with the menu', async () => {
    const newcomer = world.mocker.createContact({ name: '新业主' });
    const puppet = world.puppet as unknown as { friendshipRawPayload: (id: string) => Promise<unknown> };
    puppet.friendshipRawPayload = async (id) => ({
      id,
      contactId: newcomer.id,
      type: world.types.Friendship.Receive,
      timestamp: Date.now(),
    });
    world.puppet.emit('friendship', { friendshipId: 'fr-e2e' });
    const menu = await reader(newcomer.id)(zh('menu.title'));
    expect(menu).toContain(`1. ${zh('menu.repair')}`);
    expect(texts(newcomer.id)[0]).toContain(zh('welcome'));
  });
});

describeWithWechaty('channel contract on WeChat', () => {
  it('runs the repair script: file, accept, reply, resolve', async () => {
    const owner = world.mocker.createContact({ name: '合同业主' });
    const ownerTexts = () => texts(owner.id);
    const driver: ChannelDriver = {
      ownerSays: async (text) => owner.say(text).to(world.me),
      ownerPicks: async (label) => owner.say(numberOf(owner.id, label)).to(world.me),
      staffSays: async (text) => world.staff2.say(text).to(world.staffRoom),
      ownerMessages: ownerTexts,
      staffMessages: () => texts(world.staffRoom.id),
    };
    const { number } = await runChannelContract(driver, { t: zh });
    expect((await store.getTicketByNumber(number))?.status).toBe('resolved');
  });
});

describeWithWechaty('intent first on WeChat (issue 14)', () => {
  it("handles every message of the issue's table as what it is for", async () => {
    const owner = world.mocker.createContact({ name: '王阿姨' });
    const driver: ChannelDriver = {
      ownerSays: async (text) => owner.say(text).to(world.me),
      ownerPicks: async (label) => owner.say(numberOf(owner.id, label)).to(world.me),
      staffSays: async (text) => world.staff2.say(text).to(world.staffRoom),
      ownerMessages: () => texts(owner.id),
      staffMessages: () => texts(world.staffRoom.id),
    };
    const before = (await store.listTickets({})).length;
    const { number } = await runChannelContract(driver, { t: zh, script: INTENT_SCRIPT });
    const tickets = (await store.listTickets({})).slice(0, (await store.listTickets({})).length - before);
    // One report and one emergency: the report is not one (how urgent a leak is, the classifier decides).
    expect(tickets.map((x) => x.urgency === 'emergency').sort()).toEqual([false, true]);
    expect(tickets.map((x) => x.number)).toContain(number);
  }, 60_000);
});
