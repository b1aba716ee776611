/**
 * The staff desk end to end against the Telegram Bot API emulator (telegram-test-api), in webhook mode,
 * wired as main.ts does: an owner files a repair in a private chat, the staff group accepts it with the
 * button on its card (the card is edited in place), replies to the card, and a colleague who is not
 * accountable is refused with an alert only they see. A recording proxy in front of the Bot API shows the
 * calls the bot made (editMessageText, answerCallbackQuery with show_alert). Set-up: test/e2e/support/telegram.ts.
 */

import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/app/dispatcher.js';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { type RecordingProxy, waitFor } from '../adapters/channels/telegram/support.js';
import { startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-desk-token';
const STAFF = -1001000000002;
const OWNER = 1101;
const OWNER2 = 1102;
const WANG = 2201;
const LI = 2202;

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

let tg: TelegramE2E;
let emulator: TelegramServer;
let hook: RecordingProxy;
let store: Store;
let dispatcher: Dispatcher;

const botMessages = (chatId: number) => tg.botMessages(chatId);
const calls = (method: string) => tg.calls(method);

/** The owner's private chat and a staff member's client in the staff group. */
const ownerClient = () =>
  emulator.getClient(TOKEN, { chatId: OWNER, userId: OWNER, firstName: '张三', type: 'private' });
const staffClient = (userId: number, firstName: string) =>
  emulator.getClient(TOKEN, { chatId: STAFF, userId, firstName, type: 'supergroup', chatTitle: '客服中心' });
/** Sends an update and waits until the webhook has handled it, so that updates arrive in order. */
const handled = async (send: () => Promise<unknown>) => {
  const count = hook.requests.length;
  await send();
  await waitFor(() => hook.requests.length > count, 'the webhook to handle the update');
};

beforeAll(async () => {
  tg = await startTelegramE2E({ token: TOKEN, staffChatId: STAFF });
  ({ emulator, hook, store, dispatcher } = tg);
});

afterAll(async () => {
  await tg?.stop();
});

describe('the staff desk on Telegram (telegram-test-api, webhook mode)', () => {
  it('accepts from the card, edits it in place, carries a reply to the card to the owner, refuses a colleague', async () => {
    const owner = ownerClient();
    const wang = staffClient(WANG, '王师傅');
    const li = staffClient(LI, '李师傅');
    const ownerSays = (text: string) => handled(() => owner.sendMessage(owner.makeMessage(text)));
    const toOwner = (fragment: string) =>
      waitFor(() => botMessages(OWNER).find((m) => m.text.includes(fragment)), `the owner to be told "${fragment}"`);

    // The owner files a repair, typing the answers (each update is handled before the next is sent).
    await handled(() => owner.sendCommand(owner.makeCommand('/start')));
    for (const line of ['1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1']) {
      await ownerSays(line);
    }
    const filed = await toOwner('工单号');
    const number = filed.text.match(/T\d{6}-0001/)?.[0] ?? '';
    expect(number).not.toBe('');

    // The card in the staff group: masked phone, only Accept (declining and the phone come with acceptance).
    const card = await waitFor(
      () => botMessages(STAFF).find((m) => m.text.includes(number) && m.buttons.length > 0),
      'the card in the staff group',
    );
    expect(card.text).toContain('138****5678');
    expect(card.text).not.toContain('13812345678');
    expect(card.buttons.map((b) => b.callback_data)).toEqual([`s|accept|${number}`]);

    // 王师傅 presses Accept on the card.
    const answered = calls('answerCallbackQuery').length;
    await handled(() =>
      wang.sendCallback(wang.makeCallbackQuery(`s|accept|${number}`, { message: { message_id: card.messageId } })),
    );
    expect(calls('answerCallbackQuery')[answered]?.body).toMatchObject({ text: zh('desk.done.accepted', { number }) });
    expect(calls('answerCallbackQuery')[answered]?.body.show_alert).toBeUndefined();

    // The same message is edited: new status, the accountable person, the actions of an accepted ticket.
    const edited = await waitFor(
      () =>
        botMessages(STAFF).find((m) => m.messageId === card.messageId && m.text.includes(zh('ticket.status.accepted'))),
      'the card to be edited',
    );
    expect(edited.text).toContain(`${zh('card.assignee')}：王师傅`);
    // No assistant here: no 🤖 draft button.
    expect(edited.buttons.map((b) => b.callback_data.split('|')[1])).toEqual([
      'reply',
      'judge',
      'plan',
      'schedule',
      'resolve',
      'handover',
      'reject',
      'phone',
      'timeline',
    ]);
    // The proxy records a call once its answer is back, which may be after the emulator shows the edit.
    const edit = await waitFor(
      () => calls('editMessageText').find((r) => String(r.body.chat_id) === String(STAFF)),
      'the editMessageText call to be recorded',
    );
    expect(edit.body.message_id).toBe(card.messageId);
    expect(botMessages(STAFF).filter((m) => m.text.includes(`${zh('card.status')}：`))).toHaveLength(1);
    await toOwner(zh('owner.accepted', { number, name: '王师傅' }));

    // 王师傅 replies to the card: the owner gets it with the number and his name.
    await handled(() =>
      wang.sendMessage(
        wang.makeMessage('您好，我下午两点上门查看，请留人在家', { reply_to_message: { message_id: card.messageId } }),
      ),
    );
    await toOwner(zh('owner.reply', { number, name: '王师傅', text: '您好，我下午两点上门查看，请留人在家' }));
    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.timeline.map((e) => e.action)).toEqual(['create', 'accept', 'staff_reply']);

    // 李师傅 is not accountable: his Resolve press gets an alert only he sees, and nothing changes.
    const before = calls('answerCallbackQuery').length;
    const sentBefore = botMessages(STAFF).length;
    await handled(() =>
      li.sendCallback(li.makeCallbackQuery(`s|resolve|${number}`, { message: { message_id: edited.messageId } })),
    );
    expect(calls('answerCallbackQuery')[before]?.body).toMatchObject({
      text: zh('desk.refused.not_accountable', { number, name: '王师傅' }),
      show_alert: true,
    });
    const after = await store.getTicketByNumber(number);
    expect(after?.status).toBe('accepted');
    expect(after?.timeline).toHaveLength(3);
    await dispatcher.drain();
    expect(botMessages(STAFF)).toHaveLength(sentBefore);

    // The owner forges a staff button in the private chat: refused with an alert, the ticket unchanged.
    const forged = calls('answerCallbackQuery').length;
    await handled(() =>
      owner.sendCallback(owner.makeCallbackQuery(`s|resolve|${number}`, { message: { message_id: filed.messageId } })),
    );
    expect(calls('answerCallbackQuery')[forged]?.body).toMatchObject({
      text: zh('desk.refused.not_staff'),
      show_alert: true,
    });
    expect((await store.getTicketByNumber(number))?.status).toBe('accepted');

    // Every update was acknowledged.
    expect(hook.requests.every((r) => r.status === 200)).toBe(true);
  }, 30_000);

  it('carries on to the end from the group: plan agreed, time confirmed, phone number in private, resolved with a photo', async () => {
    const owner = ownerClient();
    const wang = staffClient(WANG, '王师傅');
    const wangSays = (text: string, extra: Record<string, unknown> = {}) =>
      handled(() =>
        wang.sendMessage({ ...wang.makeMessage(text), ...extra } as Parameters<typeof wang.sendMessage>[0]),
      );
    const seen = (chatId: number, text: string) =>
      waitFor(() => botMessages(chatId).find((m) => m.text === text), `"${text}" in chat ${chatId}`);
    /** The owner presses the button labelled `label` on the message asking `question` (after its flow's intro). */
    const ownerPresses = async (question: string, label: string) => {
      const asked = await waitFor(
        () => botMessages(OWNER).find((m) => m.text.endsWith(`\n\n${question}`)),
        `"${question}" in chat ${OWNER}`,
      );
      const data = asked.buttons.find((b) => b.text === label)?.callback_data ?? '';
      await handled(() =>
        owner.sendCallback(owner.makeCallbackQuery(data, { message: { message_id: asked.messageId } })),
      );
    };
    const [ticket] = await store.listTickets({});
    const number = ticket?.number ?? '';

    await wangSays(`/plan ${number} 先检查楼上防水层，再修补天花板`);
    await ownerPresses(zh('plan.ask'), zh('plan.option.agree'));
    await seen(STAFF, zh('desk.plan_agreed', { number }));
    await seen(OWNER, zh('owner.plan_noted'));

    await wangSays(`/schedule ${number} 明天14:00 带好防水材料`);
    await ownerPresses(zh('appointment.ask'), zh('appointment.option.ok'));
    await seen(STAFF, zh('desk.appointment_ok', { number }));

    // The full number typed for in the group goes to 王师傅 alone; the group is told where it went.
    await wangSays(`/phone ${number}`);
    await seen(WANG, zh('desk.phone', { number, name: '张三', phone: '+8613812345678' }));
    await seen(STAFF, zh('desk.phone_sent_privately', { name: '王师傅' }));
    expect(botMessages(STAFF).some((m) => m.text.includes('13812345678'))).toBe(false);

    // Resolved with a photo of the work, captioned with the command: the owner gets both.
    await wangSays('', {
      text: undefined,
      // Before the agreed time and with responsibility undecided: confirmed with 确认 (issue 20).
      caption: `/resolve ${number} 确认 已修补天花板并做好防水，试水无渗漏`,
      photo: [{ file_id: 'photo-done', file_unique_id: 'pd', width: 1280, height: 960 }],
    });
    await seen(OWNER, zh('owner.resolved', { number, note: '已修补天花板并做好防水，试水无渗漏' }));
    expect(
      calls('sendPhoto').some((r) => String(r.body.chat_id) === String(OWNER) && r.body.photo === 'photo-done'),
    ).toBe(true);
    const done = await store.getTicketByNumber(number);
    expect(done?.status).toBe('resolved');
    expect(done?.timeline.map((e) => e.action)).toEqual([
      'create',
      'accept',
      'staff_reply',
      'propose_plan',
      'agree_plan',
      'schedule',
      'note',
      'resolve',
    ]);
    expect(hook.requests.every((r) => r.status === 200)).toBe(true);
  }, 30_000);

  it('reads a reply to a card that begins with a command word as that command: 接单 accepts, 备注 stays a note', async () => {
    const other = emulator.getClient(TOKEN, { chatId: OWNER2, userId: OWNER2, firstName: '赵敏', type: 'private' });
    const wang = staffClient(WANG, '王师傅');
    await handled(() => other.sendCommand(other.makeCommand('/start')));
    for (const line of ['1', '1', '5-1-302', '厨房水龙头一直滴水，关不紧', '1', '1', '赵敏', '13912345678', '1']) {
      await handled(() => other.sendMessage(other.makeMessage(line)));
    }
    const filed = await waitFor(() => botMessages(OWNER2).find((m) => m.text.includes('工单号')), 'the second ticket');
    const number = filed.text.match(/T\d{6}-\d{4}/)?.[0] ?? '';
    const card = await waitFor(
      () => botMessages(STAFF).find((m) => m.text.includes(number) && m.buttons.length > 0),
      'the second card',
    );
    const replyToCard = (text: string) =>
      handled(() => wang.sendMessage(wang.makeMessage(text, { reply_to_message: { message_id: card.messageId } })));

    // Replying 接单 to the card accepts it, as quoting it with 接单 does on WeChat.
    await replyToCard('接单');
    await waitFor(
      () => botMessages(OWNER2).find((m) => m.text === zh('owner.accepted', { number, name: '王师傅' })),
      'the owner to hear who accepted',
    );
    expect((await store.getTicketByNumber(number))?.status).toBe('accepted');

    // 备注 under the card is an internal note: on the timeline, never in the owner's chat.
    await replyToCard('备注 业主家里有老人，下午再去');
    await waitFor(
      () => botMessages(STAFF).find((m) => m.text === zh('desk.note_added', { number })),
      'the note to be confirmed in the group',
    );
    await dispatcher.drain();
    const noted = await store.getTicketByNumber(number);
    expect(noted?.timeline.map((e) => e.action)).toEqual(['create', 'accept', 'note']);
    expect(noted?.timeline.at(-1)?.note).toBe('业主家里有老人，下午再去');
    expect(botMessages(OWNER2).some((m) => m.text.includes('业主家里有老人'))).toBe(false);
    expect(hook.requests.every((r) => r.status === 200)).toBe(true);
  }, 30_000);
});
