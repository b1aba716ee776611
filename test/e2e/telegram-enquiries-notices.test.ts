/**
 * Enquiries and notices (issue 16) against the Telegram Bot API emulator (telegram-test-api), in webhook
 * mode, with the repository's knowledge, the offline assistant and a clock set to a Monday morning (jobs
 * run by a Scheduler when the test says, as main.ts's cron would):
 *
 * - an owner asks 物业费怎么交 and is answered at once with [是 / 不是，转人工]; 不是 hands it to the staff
 *   group as a 咨询 item, a staff member replies to the item, and the owner gets the answer;
 * - a supervisor drafts a water cut for buildings 3 and 5 in one line, presses 📢 publish, the scheduler
 *   sends it: the owner in building 3 gets it with ✅ 知道了 and presses it, the owner in building 1 gets
 *   nothing, and the group's status message is edited to 1 read.
 *
 * Set-up: test/e2e/support/telegram.ts.
 */

import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { Scheduler } from '../../src/app/scheduler.js';
import type { Clock } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { type RecordingProxy, waitFor } from '../adapters/channels/telegram/support.js';
import { type BotMessage, startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-enquiries-notices';
const STAFF = -1001000000016;
const OWNER = 1601; // building 3
const ELSEWHERE = 1602; // building 1
const WANG = 2601;
const ZHAO = 2602; // a supervisor
const ESTATE = '阳光花园';
const DUTY_PHONE = '0571-88886666';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: ESTATE, dutyPhone: DUTY_PHONE, ...params });

/**
 * Real time moved to a chosen instant, which the test can jump ahead. Time must pass while the bot sends:
 * the channel's rate limiter lets a chat have three messages at once and then one a second by this clock,
 * so a clock that stood still would hold every later message to a chat for ever.
 */
class ShiftedClock implements Clock {
  private offset: number;
  constructor(start: string) {
    this.offset = new Date(start).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Monday 2026-12-07, 10:00 in Shanghai: business hours, outside quiet hours. */
const clock = new ShiftedClock('2026-12-07T02:00:00Z');

let tg: TelegramE2E;
let emulator: TelegramServer;
let hook: RecordingProxy;
let scheduler: Scheduler;

const botMessages = (chatId: number) => tg.botMessages(chatId);
const calls = (method: string) => tg.calls(method);

const ownerClient = (id: number, firstName: string) =>
  emulator.getClient(TOKEN, { chatId: id, userId: id, firstName, type: 'private' });
const staffClient = (userId: number, firstName: string) =>
  emulator.getClient(TOKEN, { chatId: STAFF, userId, firstName, type: 'supergroup', chatTitle: '客服中心' });

/** Sends an update and waits until the webhook has handled it, so that updates arrive in order. */
const handled = async (send: () => Promise<unknown>) => {
  const count = hook.requests.length;
  await send();
  await waitFor(() => hook.requests.length > count, 'the webhook to handle the update');
};

/** The first message the bot sent to `chatId` (after the first `after`) that satisfies `test`. */
const sent = (chatId: number, test: (m: BotMessage) => boolean, what: string, after = 0) =>
  waitFor(() => botMessages(chatId).slice(after).find(test), what);

/** Runs every job due now, and waits for what they queued to be sent. */
async function runDue(): Promise<void> {
  while ((await scheduler.tick()) > 0) {
    /* everything due now */
  }
  await tg.dispatcher.drain();
}

/** An owner gives their flat the way the product asks for it: 通知, then the flat. */
async function giveFlat(id: number, name: string, flat: string): Promise<void> {
  const owner = ownerClient(id, name);
  await handled(() => owner.sendMessage(owner.makeMessage('通知')));
  await sent(id, (m) => m.text.includes(zh('notice.owner.ask_building')), 'the question for the building');
  await handled(() => owner.sendMessage(owner.makeMessage(flat)));
  await sent(id, (m) => m.text === zh('notice.owner.unit_kept', { unit: flat }), 'the flat to be kept');
  // Then their notices: none for the building yet.
  await sent(id, (m) => m.text === zh('notice.owner.none'), 'no notice for the building yet');
}

beforeAll(async () => {
  tg = await startTelegramE2E({
    token: TOKEN,
    staffChatId: STAFF,
    estateName: ESTATE,
    dutyPhone: DUTY_PHONE,
    workerId: 'e2e-enquiries-notices',
    assistant: new OfflineAssistant(loadKeywords()),
    knowledge: true,
    clock,
    policy: { ...DEFAULT_POLICY, supervisors: [{ channel: 'telegram', userId: String(ZHAO) }] },
  });
  ({ emulator, hook } = tg);
  scheduler = new Scheduler({
    store: tg.store,
    clock,
    log: silentLogger(),
    workerId: 'e2e-scheduler',
    handlers: tg.app.jobHandlers(),
  });
});

afterAll(async () => {
  await tg?.stop();
});

describe('enquiries and notices on Telegram (telegram-test-api, webhook mode)', () => {
  it('answers 物业费怎么交 at once; 不是，转人工 reaches the group, and a reply to the item reaches the owner', async () => {
    const owner = ownerClient(OWNER, '张三');
    const wang = staffClient(WANG, '王师傅');
    await handled(() => owner.sendMessage(owner.makeMessage('物业费怎么交')));

    // Answered at once from the knowledge, with the two buttons; nothing in the group yet.
    const answer = await sent(OWNER, (m) => m.buttons.length > 0, 'the automatic answer');
    expect(answer.text).toContain('物业费');
    expect(answer.text).not.toContain('{{');
    expect(answer.buttons).toEqual([
      { text: zh('enquiry_kb.yes'), callback_data: 'q|y|Q001' },
      { text: zh('enquiry_kb.no'), callback_data: 'q|n|Q001' },
    ]);
    expect((await tg.store.getEnquiry('Q001'))?.status).toBe('answered');
    await tg.dispatcher.drain();
    expect(botMessages(STAFF)).toEqual([]);

    // 不是，转人工: the owner is told when to expect an answer; the group gets the 咨询 item.
    const pressed = calls('answerCallbackQuery').length;
    await handled(() =>
      owner.sendCallback(owner.makeCallbackQuery('q|n|Q001', { message: { message_id: answer.messageId } })),
    );
    const [before] = zh('enquiry_kb.handed_now', { due: '\u0000' }).split('\u0000');
    const handedOver = await sent(OWNER, (m) => m.text.startsWith(before ?? '?'), 'the owner to be told');
    expect(handedOver.text).toContain('12月7日（周一）上午10:30');
    await waitFor(() => calls('answerCallbackQuery').length > pressed, 'the press to be answered');
    const item = await sent(STAFF, (m) => m.text.includes('Q001'), 'the 咨询 item in the group');
    expect(item.text).toContain('「物业费怎么交」');
    expect(item.text).toContain(zh('enquiry_kb.staff.auto_answer', { answer: '' }).trim());
    expect(item.buttons.map((b) => b.callback_data)).toEqual(['q|a|Q001', 'q|k|Q001']);
    expect((await tg.store.getEnquiry('Q001'))?.status).toBe('waiting');

    // 王师傅 replies to the item in the group: the owner gets his answer under the question.
    const reply = '您好，也可以到服务中心前台刷卡缴纳，工作日8:30到18:00。';
    await handled(() =>
      wang.sendMessage(wang.makeMessage(reply, { reply_to_message: { message_id: item.messageId } })),
    );
    const answered = await sent(
      OWNER,
      (m) => m.text === zh('frontdoor.staff_answer', { question: '物业费怎么交', text: reply }),
      'the staff answer to reach the owner',
    );
    expect(answered.buttons).toEqual([]);
    await sent(STAFF, (m) => m.text.startsWith(zh('enquiry_kb.staff.answered', { ref: 'Q001' })), 'the confirmation');
    expect(await tg.store.getEnquiry('Q001')).toMatchObject({
      status: 'staff',
      answer: reply,
      answeredBy: { name: '王师傅' },
    });
  });

  it('publishes a water cut for buildings 3 and 5: only building 3’s owner gets it, presses ✅, the group counts 1 read', async () => {
    await giveFlat(OWNER, '张三', '3-2-501');
    await giveFlat(ELSEWHERE, '李四', '1-1-101');
    const zhao = staffClient(ZHAO, '赵主管');
    const owner = ownerClient(OWNER, '张三');
    const groupBefore = botMessages(STAFF).length;
    const elsewhereBefore = botMessages(ELSEWHERE).length;

    // The one-line form in the group: the notice as owners will see it, then the summary with 📢 publish.
    await handled(() =>
      zhao.sendCommand(
        zhao.makeCommand(
          '/notice 停水 3,5 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for mains repairs; please store water.',
        ),
      ),
    );
    const summary = await sent(
      STAFF,
      (m) => m.text.startsWith('【通知预览】N001'),
      'the summary of the draft',
      groupBefore,
    );
    expect(summary.text).toContain('约 1 户'); // the building-3 owner; building 1 is not reached
    expect(summary.buttons).toEqual([
      { text: zh('notice.button.publish'), callback_data: 'n|pub|N001' },
      { text: zh('notice.button.discard'), callback_data: 'n|del|N001' },
    ]);
    const asOwners = botMessages(STAFF)
      .slice(groupBefore)
      .find((m) => m.text.startsWith(zh('notice.preview.as_owners')));
    expect(asOwners?.text).toContain('因主管道检修停水，请提前储水。');

    // 📢 publish: the group's status message (sending, 0 sent); owners get nothing until the job runs.
    await handled(() =>
      zhao.sendCallback(zhao.makeCallbackQuery('n|pub|N001', { message: { message_id: summary.messageId } })),
    );
    const status = await sent(STAFF, (m) => m.text.startsWith('📢 通知 N001'), 'the status message', groupBefore);
    expect(status.text).toContain('已发送 0 户 · 已读 0 户');
    expect((await tg.store.getNotice('N001'))?.status).toBe('published');
    const ownerBefore = botMessages(OWNER).length;

    await runDue();
    const notice = await sent(OWNER, (m) => m.text.includes('N001'), 'the notice to reach building 3', ownerBefore);
    expect(notice.text.split('\n')[0]).toBe(zh('notice.owner.title', { kind: zh('notice.kind.outage_water') }));
    expect(notice.text).toContain('因主管道检修停水，请提前储水。');
    expect(notice.text).not.toContain('Water off');
    expect(notice.buttons).toEqual([{ text: zh('notice.owner.read_button'), callback_data: 'n|r|N001' }]);

    // ✅ 知道了: thanked in the press's answer.
    const pressed = calls('answerCallbackQuery').length;
    await handled(() =>
      owner.sendCallback(owner.makeCallbackQuery('n|r|N001', { message: { message_id: notice.messageId } })),
    );
    const thanks = await waitFor(
      () =>
        calls('answerCallbackQuery')
          .slice(pressed)
          .find((c) => c.body.text === zh('notice.owner.read_thanks')),
      'the press to be thanked',
    );
    expect(thanks.body.show_alert).toBeUndefined();

    // Building 1 got nothing.
    await tg.dispatcher.drain();
    expect(botMessages(ELSEWHERE).slice(elsewhereBefore)).toEqual([]);
    expect(await tg.store.countNoticeDeliveries('N001')).toEqual({ sent: 1, read: 1 });

    // The group's counts are refreshed once owners have been reading a while: the same message, edited.
    clock.advance(30 * 60_000 + 1000);
    await runDue();
    const counted = await sent(
      STAFF,
      (m) => m.messageId === status.messageId && m.text.includes('已发送 1 户 · 已读 1 户 · 未读 0 户'),
      'the status message to show 1 read',
    );
    expect(counted.buttons.map((b) => b.callback_data)).toEqual(['n|st|N001']);
  });
});
