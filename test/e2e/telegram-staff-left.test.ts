/**
 * Staff who leave the Telegram staff group stop being staff, end to end against the Bot API emulator
 * (telegram-test-api) in webhook mode (set-up: test/e2e/support/telegram.ts). The emulator cannot send
 * service messages or `chat_member` updates, so those are posted to the bot's webhook as Telegram would
 * post them (with the secret header).
 *
 * 王师傅 accepts a ticket in the staff group and asks for the owner's phone in his private chat with the
 * bot; once he has left the group (a `left_chat_member` service message, or a `chat_member` update saying
 * he was removed) the same command is refused with a short message and the phone is not shown. Added to
 * the group again, or writing in it again, he is staff again.
 */
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { type RecordingProxy, waitFor } from '../adapters/channels/telegram/support.js';
import { startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-staff-left-token';
const STAFF = -1001000000004;
const OWNER = 1301;
const WANG = 2401;
const ADMIN = 2402;
const PHONE = '13812345678';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

let tg: TelegramE2E;
let emulator: TelegramServer;
let hook: RecordingProxy;
let store: Store;

beforeAll(async () => {
  tg = await startTelegramE2E({ token: TOKEN, staffChatId: STAFF });
  ({ emulator, hook, store } = tg);
});

afterAll(async () => {
  await tg?.stop();
});

const staffGroup = { id: STAFF, type: 'supergroup', title: '客服中心' };
const wangUser = { id: WANG, is_bot: false, first_name: '王师傅' };
const adminUser = { id: ADMIN, is_bot: false, first_name: '刘主管' };
let nextUpdate = 700_000;
let nextMessage = 90_000;

/** A service message in the staff group (Telegram sends these to bots whatever their privacy mode). */
const serviceMessage = (fields: Record<string, unknown>, from = wangUser) => ({
  update_id: nextUpdate++,
  message: { message_id: nextMessage++, date: Math.floor(Date.now() / 1000), chat: staffGroup, from, ...fields },
});

/** A `chat_member` update: someone's membership of the staff group changed (sent to admin bots). */
const memberUpdate = (oldStatus: string, newStatus: string) => ({
  update_id: nextUpdate++,
  chat_member: {
    chat: staffGroup,
    from: adminUser,
    date: Math.floor(Date.now() / 1000),
    old_chat_member: { status: oldStatus, user: wangUser },
    new_chat_member: { status: newStatus, user: wangUser, ...(newStatus === 'kicked' ? { until_date: 0 } : {}) },
  },
});

describe('staff who leave the Telegram staff group (telegram-test-api, webhook mode)', () => {
  it('refuses their private-chat staff commands until they are back in the group', async () => {
    const owner = emulator.getClient(TOKEN, { chatId: OWNER, userId: OWNER, firstName: '张三', type: 'private' });
    const inGroup = emulator.getClient(TOKEN, {
      chatId: STAFF,
      userId: WANG,
      firstName: '王师傅',
      type: 'supergroup',
      chatTitle: '客服中心',
    });
    const inPrivate = emulator.getClient(TOKEN, { chatId: WANG, userId: WANG, firstName: '王师傅', type: 'private' });
    /** Sends an update and waits until the webhook has handled it, so that updates arrive in order. */
    const handled = async (send: () => Promise<unknown>) => {
      const count = hook.requests.length;
      await send();
      await waitFor(() => hook.requests.length > count, 'the webhook to handle the update');
    };
    const posted = async (update: unknown) => expect(await tg.postUpdate(update)).toBe(200);
    const active = async () => (await store.findStaff('telegram', String(WANG)))?.active;

    // An owner files a repair; 王师傅 takes it on in the staff group (which registers him as staff).
    await handled(() => owner.sendCommand(owner.makeCommand('/start')));
    for (const line of ['1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', PHONE, '1']) {
      await handled(() => owner.sendMessage(owner.makeMessage(line)));
    }
    const filed = await waitFor(
      () => tg.botMessages(OWNER).find((m) => /T\d{6}-0001/.test(m.text)),
      'the ticket number for the owner',
    );
    const number = filed.text.match(/T\d{6}-0001/)?.[0] ?? '';
    await handled(() => inGroup.sendMessage(inGroup.makeMessage(`/accept ${number}`)));
    expect((await store.getTicketByNumber(number))?.status).toBe('accepted');
    expect(await active()).toBe(true);

    /** 王师傅 asks for the phone in his private chat; resolves to what the bot answered him there. */
    let seen = 0;
    const askPhone = async () => {
      await handled(() => inPrivate.sendMessage(inPrivate.makeMessage(`/phone ${number}`)));
      await tg.dispatcher.drain();
      const answer = await waitFor(() => tg.botMessages(WANG)[seen], 'an answer in the private chat');
      seen = tg.botMessages(WANG).length;
      return answer.text;
    };
    expect(await askPhone()).toContain(PHONE);

    // He leaves the group: a left_chat_member service message. The same command is refused.
    await posted(serviceMessage({ left_chat_member: wangUser }));
    expect(await active()).toBe(false);
    const refused = await askPhone();
    expect(refused).toBe(zh('desk.refused.left_staff'));
    expect(refused).not.toContain(PHONE);

    // Added back (a new_chat_members service message): staff again.
    await posted(serviceMessage({ new_chat_members: [wangUser] }, adminUser));
    expect(await active()).toBe(true);
    expect(await askPhone()).toContain(PHONE);

    // Removed by an admin (a chat_member update, which admin bots receive): refused again.
    await posted(memberUpdate('member', 'kicked'));
    expect(await active()).toBe(false);
    expect(await askPhone()).not.toContain(PHONE);

    // Unbanned and back, he writes in the group: that registers him again, as it always did.
    await posted(memberUpdate('kicked', 'left'));
    expect(await active()).toBe(false);
    await handled(() => inGroup.sendMessage(inGroup.makeMessage('我回来了')));
    expect(await active()).toBe(true);
    expect(await askPhone()).toContain(PHONE);

    // Other groups' members are none of the staff's business.
    await posted({
      update_id: nextUpdate++,
      message: {
        message_id: nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: -5005, type: 'group', title: 'Neighbours' },
        from: wangUser,
        left_chat_member: wangUser,
      },
    });
    expect(await active()).toBe(true);
  }, 30_000);
});
