/**
 * The WeCom staff desk through the real `@wecom/aibot-node-sdk` against a local fake of WeCom's long
 * connection (test/support/fake-wecom.ts), wired to the real App and dispatcher: an owner (console) files
 * a repair, its card reaches the WeCom staff group as a template card with the staff buttons, a staff
 * member's click accepts it and the card is updated in place, a quoted reply reaches the owner, a callback
 * pushed twice is handled once, and WeCom's refusals become Delivery outcomes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWecomChannel,
  type WecomChannel,
  WecomStartupError,
} from '../../../../src/adapters/channels/wecom/wecom.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import type { App } from '../../../../src/app/app.js';
import { Dispatcher } from '../../../../src/app/dispatcher.js';
import type { Store } from '../../../../src/core/ports.js';
import { silentLogger } from '../../../../src/logger.js';
import { FakeClock } from '../../../support/clock.js';
import { CHAT_NOT_OPEN, FakeWecom } from '../../../support/fake-wecom.js';
import { i18n, makeApp, RecordingSender } from '../../../support/harness.js';
import { connectWecom, type WecomOnFake } from '../../../support/wecom-channel.js';

const BOT = { botId: 'aibTESTBOT', secret: 'long-connection-secret' };
const STAFF = 'wrSTAFFGROUP01';
const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

let fake: FakeWecom;
let store: Store;
let clock: FakeClock;
let owners: RecordingSender;
let dispatcher: Dispatcher;
let channel: WecomChannel;
let app: App;
let settled: WecomOnFake['settled'];
let waitFor: WecomOnFake['waitFor'];
let seq = 0;

/** What the owner (console chat `owner`) was sent, as texts. */
const ownerTexts = () =>
  owners.sent.filter((s) => s.chatId === 'owner' && s.action.kind === 'send').map((s) => s.action.message.text);

/** The owner files a repair by typing, as in the Telegram desk test; returns its number. */
async function fileRepair(): Promise<string> {
  for (const line of [
    '/start',
    '1',
    '1',
    '3-2-501',
    '卫生间天花板漏水，滴到地上了',
    '1',
    '1',
    '张三',
    '13812345678',
    '1',
  ]) {
    seq += 1;
    await app.handleInbound({
      channel: 'console',
      chatId: 'owner',
      chatKind: 'private',
      userId: 'u-owner',
      messageId: `owner-${seq}`,
      receivedAt: clock.now(),
      content: { type: 'text', text: line },
    });
    await dispatcher.drain();
  }
  const number = ownerTexts()
    .join('\n')
    .match(/T\d{6}-\d{4}/)?.[0];
  if (!number) throw new Error('no ticket number told to the owner');
  return number;
}

/** Someone @mentions the bot in the staff group (which lets the bot push there, as WeCom requires). */
function staffSays(userid: string, text: string, o: { quote?: string; msgid?: string } = {}): string {
  return fake.pushText({ chatid: STAFF, userid, text: `@物业助手 ${text}`, ...o });
}

async function cardOf(number: string) {
  return waitFor(
    () => fake.cardsIn(STAFF).find((c) => String((c.card.main_title as { title?: string }).title).includes(number)),
    `the card of ${number}`,
  );
}

const keys = (card: Record<string, unknown>) => (card.button_list as { key: string }[]).map((b) => b.key);

beforeEach(async () => {
  fake = await FakeWecom.start(BOT);
  store = await openSqliteStore({ path: ':memory:' });
  clock = new FakeClock();
  owners = new RecordingSender('console');
  app = makeApp({ store, clock, staffRooms: [{ channel: 'wecom', chatId: STAFF }] });
  ({ channel, settled, waitFor } = await connectWecom({
    fake,
    bot: BOT,
    staffChatId: STAFF,
    staffNames: new Map([['wangshifu', '王师傅']]),
    app,
    dispatcher: () => dispatcher,
    // Only the drains WeCom's pushes wake: a test drains the owner's side itself.
    drainEachPoll: false,
    timeoutMs: 4000,
  }));
  dispatcher = new Dispatcher({ store, clock, senders: [owners, channel], log: app.ctx.log, workerId: 'wecom-test' });
});

afterEach(async () => {
  channel?.stop();
  await fake?.stop();
});

describe('the WeCom staff desk (real SDK against a fake WeCom long connection)', () => {
  it('keeps the card while the group refuses the bot (misconfigured, retried), then posts it with the staff buttons', async () => {
    const number = await fileRepair();
    // Nobody has @mentioned the bot in the group yet: WeCom refuses to push there.
    expect(fake.cardsIn(STAFF)).toHaveLength(0);
    const pending = await store.listOutbox({ channel: 'wecom', status: 'pending' });
    expect(pending).toHaveLength(1);
    expect(await store.listOutbox({ channel: 'wecom', status: 'dead' })).toHaveLength(0);

    // 王师傅 @mentions the bot with a staff command, which opens the group to the bot; the card, kept and
    // retried, goes first, then the answer to the command.
    staffSays('wangshifu', '/tickets');
    await waitFor(async () => (await store.getStaff('wecom:wangshifu')) !== undefined, 'the message handled');
    clock.advance(120_000);
    await dispatcher.drain();
    const card = await cardOf(number);
    await waitFor(() => fake.sent.find((m) => m.chatid === STAFF && m.msgtype === 'markdown'), 'the /tickets answer');
    expect(fake.sent[0]?.msgtype).toBe('template_card');
    expect(card.card.card_type).toBe('button_interaction');
    // A new card offers only 接单: declining and the phone come with acceptance (issue 20).
    expect(keys(card.card)).toEqual([`s|accept|${number}`]);
    expect((card.card.button_list as { text: string }[]).map((b) => b.text)).toEqual([zh('desk.button.accept')]);
    expect(String(card.card.sub_title_text)).toContain('138****5678');
    expect(JSON.stringify(card.card)).not.toContain('13812345678');
    expect(await store.getMessageRef('wecom', STAFF, `card:${number}`)).toBe(card.taskId);
  });

  it('accepts from a click on 接单 by staff and updates the card in place; refuses a click from someone not on the staff list', async () => {
    staffSays('wangshifu', '/tickets');
    await waitFor(() => fake.sent.length > 0, 'the group to be open');
    const number = await fileRepair();
    const card = await cardOf(number);

    fake.pushClick({ chatid: STAFF, userid: 'wangshifu', taskId: card.taskId, key: `s|accept|${number}` });
    await waitFor(() => card.updates === 1, 'the card to be updated in place');
    expect(fake.cardsIn(STAFF)).toHaveLength(1);
    expect(card.card.task_id).toBe(card.taskId);
    expect(keys(card.card).slice(0, 5)).toEqual(
      ['reply', 'judge', 'plan', 'schedule', 'resolve'].map((a) => `s|${a}|${number}`),
    );
    // Nine actions (no 🤖 draft without an assistant): five buttons, the rest in the drop-down submitted by ▶.
    expect((card.card.button_selection as { option_list: { id: string }[] }).option_list.map((o) => o.id)).toEqual(
      ['handover', 'reject', 'phone', 'timeline'].map((a) => `s|${a}|${number}`),
    );
    expect(String(card.card.sub_title_text)).toContain(`${zh('card.assignee')}：王师傅`);
    const accepted = await store.getTicketByNumber(number);
    expect(accepted?.status).toBe('accepted');
    expect(accepted?.assignee?.id).toBe('wecom:wangshifu');
    await waitFor(() => ownerTexts().includes(zh('owner.accepted', { number, name: '王师傅' })), 'the owner told');

    // Someone outside the staff group forges the button in a single chat with the bot: refused, told so.
    fake.pushText({ userid: 'outsider', text: '你好' });
    await waitFor(() => fake.sent.some((m) => m.chatid === 'outsider'), 'the outsider answered');
    fake.pushClick({ userid: 'outsider', taskId: card.taskId, key: `s|resolve|${number}` });
    await waitFor(
      () =>
        fake.sent.find(
          (m) => m.chatid === 'outsider' && JSON.stringify(m.body).includes(zh('desk.refused.not_staff').slice(0, 8)),
        ),
      'the refusal',
    );
    const after = await store.getTicketByNumber(number);
    expect(after?.status).toBe('accepted');
    expect(after?.timeline.map((e) => e.action)).toEqual(['create', 'accept']);
    expect(card.updates).toBe(1);

    // A colleague who is not accountable is refused by name in the group; the card stays as it is.
    fake.pushClick({ chatid: STAFF, userid: 'lishifu', taskId: card.taskId, key: `s|resolve|${number}` });
    await waitFor(
      () => fake.sent.find((m) => m.chatid === STAFF && JSON.stringify(m.body).includes('<@lishifu>')),
      'the refusal to 李师傅',
    );
    expect((await store.getTicketByNumber(number))?.status).toBe('accepted');
    expect(card.updates).toBe(1);
  });

  it('carries a reply quoting the card to the owner once, though WeCom pushes the callback twice', async () => {
    staffSays('wangshifu', '/tickets');
    await waitFor(() => fake.sent.length > 0, 'the group to be open');
    const number = await fileRepair();
    const card = await cardOf(number);
    fake.pushClick({ chatid: STAFF, userid: 'wangshifu', taskId: card.taskId, key: `s|accept|${number}` });
    await waitFor(() => card.updates === 1, 'the card updated');

    const quote = `${String((card.card.main_title as { title: string }).title)}\n${String(card.card.sub_title_text)}`;
    const text = '您好，我下午两点上门查看，请留人在家';
    const msgid = staffSays('wangshifu', text, { quote });
    staffSays('wangshifu', text, { quote, msgid });
    const reply = zh('owner.reply', { number, name: '王师傅', text });
    await waitFor(() => ownerTexts().includes(reply), 'the reply to reach the owner');
    await new Promise((r) => setTimeout(r, 100));
    await settled();
    expect(ownerTexts().filter((t) => t === reply)).toHaveLength(1);
    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.timeline.map((e) => e.action)).toEqual(['create', 'accept', 'staff_reply']);
  });

  it('posts the card again when it changed without a click (a typed command), and its ref follows', async () => {
    staffSays('wangshifu', '/tickets');
    await waitFor(() => fake.sent.length > 0, 'the group to be open');
    const number = await fileRepair();
    const card = await cardOf(number);

    staffSays('wangshifu', `${number} 接单`);
    await waitFor(() => fake.cardsIn(STAFF).length === 2, 'the card posted again');
    const [, again] = fake.cardsIn(STAFF);
    expect(card.updates).toBe(0);
    expect(keys(again?.card ?? {})[0]).toBe(`s|reply|${number}`);
    expect(await store.getMessageRef('wecom', STAFF, `card:${number}`)).toBe(again?.taskId);
    expect((await store.getTicketByNumber(number))?.status).toBe('accepted');
  });
});

describe('WeCom refusals as Delivery outcomes', () => {
  const send = { kind: 'send' as const, message: { text: '测试' } };
  const card = {
    kind: 'send' as const,
    message: { text: '卡片', buttons: [[{ label: '受理', data: 's|accept|T261128-0001' }]] },
  };

  it('a group that refuses the bot is misconfigured; a private chat that does is rejected', async () => {
    expect(await channel.deliver(STAFF, card)).toMatchObject({ status: 'misconfigured' });
    expect(await channel.deliver('someone', send)).toMatchObject({ status: 'rejected' });
    expect((await channel.deliver(STAFF, card)).status).toBe('misconfigured');
    expect(fake.sent).toHaveLength(0);
    void CHAT_NOT_OPEN;
  });

  it('maps WeCom rate limits, bad messages and silence; sends once the group is open', async () => {
    staffSays('wangshifu', 'hello');
    await waitFor(() => fake.openChats.has(STAFF), 'the group open');
    fake.failNext('aibot_send_msg', 45009);
    expect(await channel.deliver(STAFF, send)).toMatchObject({ status: 'rate_limited', retryAfterMs: 60_000 });
    fake.failNext('aibot_send_msg', 40008);
    expect(await channel.deliver(STAFF, send)).toMatchObject({ status: 'rejected' });
    fake.failNext('aibot_send_msg', null);
    expect(await channel.deliver(STAFF, send)).toMatchObject({ status: 'unknown' });
    expect(await channel.deliver(STAFF, card)).toMatchObject({ status: 'sent' });
    await fake.stop();
    await waitFor(async () => (await channel.deliver(STAFF, send)).status === 'transient', 'a closed connection');
  }, 15_000);

  it('stops start-up with one line when WeCom refuses the Secret', async () => {
    const wrong = createWecomChannel({
      config: { botId: BOT.botId, secret: 'wrong', staffChatId: STAFF, wsUrl: fake.url, staffNames: new Map() },
      store,
      log: silentLogger(),
      handle: (inbound) => app.handleInbound(inbound),
      wake: () => undefined,
      now: () => clock.now(),
    });
    await expect(wrong).rejects.toBeInstanceOf(WecomStartupError);
    await expect(wrong).rejects.toMatchObject({ code: 'WECOM_SECRET_REJECTED' });
    await expect(wrong).rejects.not.toThrow(/wrong/);
  });
});
