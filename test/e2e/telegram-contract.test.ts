/**
 * The channel contract script (test/contracts/channel.contract.ts) on Telegram, against the Bot API
 * emulator (telegram-test-api) in webhook mode, wired as main.ts does: the real flows, locales, SQLite
 * store, app, dispatcher and Telegram channel. The same script runs on the console harness
 * (test/app/channel-contract.test.ts) and on WeChat (test/e2e/wechat.test.ts).
 *
 * The set-up (test/e2e/support/telegram.ts) is shared with test/e2e/telegram.test.ts: a proxy in front of the webhook adds the secret header the emulator
 * leaves out (the secret the bot registered through setWebhook), and a recording proxy in front of the
 * emulator's Bot API shows the calls the bot made. The owner picks a choice by pressing the inline button
 * with that label; staff type the desk's commands in the staff group.
 */

import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { type RecordingProxy, waitFor } from '../adapters/channels/telegram/support.js';
import { type ChannelDriver, runChannelContract } from '../contracts/channel.contract.js';
import { startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-contract-token';
const STAFF = -1001000000003;
const OWNER = 1201;
const STAFF_MEMBER = 2301;
const ESTATE = '阳光花园';
const DUTY_PHONE = '0571-88886666';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: ESTATE, dutyPhone: DUTY_PHONE, ...params });

let tg: TelegramE2E;
let emulator: TelegramServer;
let hook: RecordingProxy;
let store: Store;

const botMessages = (chatId: number) => tg.botMessages(chatId);
const calls = (method: string) => tg.calls(method);

beforeAll(async () => {
  tg = await startTelegramE2E({
    token: TOKEN,
    staffChatId: STAFF,
    estateName: ESTATE,
    dutyPhone: DUTY_PHONE,
    workerId: 'e2e-contract',
  });
  ({ emulator, hook, store } = tg);
});

afterAll(async () => {
  await tg?.stop();
});

describe('channel contract on Telegram (telegram-test-api, webhook mode)', () => {
  it('runs the repair script: file, accept, reply, resolve', async () => {
    const owner = emulator.getClient(TOKEN, { chatId: OWNER, userId: OWNER, firstName: '张三', type: 'private' });
    const staff = emulator.getClient(TOKEN, {
      chatId: STAFF,
      userId: STAFF_MEMBER,
      firstName: '李师傅',
      type: 'supergroup',
      chatTitle: '客服中心',
    });
    const from = { language_code: 'zh-hans' };

    /**
     * Sends an update and waits until the webhook has answered it (the emulator posts it to the webhook
     * after its own HTTP answer), so that one step's update is handled before the next is sent.
     */
    const handled = async (send: () => Promise<unknown>) => {
      const count = hook.requests.length;
      await send();
      await waitFor(() => hook.requests.length > count, 'the webhook to handle the update');
    };

    const driver: ChannelDriver = {
      ownerSays: (text) => handled(() => owner.sendMessage(owner.makeMessage(text, { from }))),
      ownerPicks: async (label) => {
        const question = await waitFor(
          () => botMessages(OWNER).findLast((m) => m.buttons.some((b) => b.text === label)),
          `a button "${label}" on the owner's messages (latest: ${botMessages(OWNER).at(-1)?.text ?? '(none)'})`,
        );
        const button = question.buttons.find((b) => b.text === label);
        if (!button) throw new Error(`no button "${label}"`);
        await handled(() =>
          owner.sendCallback(
            owner.makeCallbackQuery(button.callback_data, { from, message: { message_id: question.messageId } }),
          ),
        );
      },
      staffSays: (text) => handled(() => staff.sendMessage(staff.makeMessage(text))),
      ownerMessages: () => botMessages(OWNER).map((m) => m.text),
      staffMessages: () => botMessages(STAFF).map((m) => m.text),
    };

    const { number } = await runChannelContract(driver, { t: zh });

    const ticket = await store.getTicketByNumber(number);
    expect(ticket?.status).toBe('resolved');
    expect(ticket?.timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'accept', 'staff_reply']));
    // Every update was acknowledged, and every button press answered.
    expect(hook.requests.every((r) => r.status === 200)).toBe(true);
    const presses = hook.requests.filter((r) => r.body.callback_query).length;
    expect(presses).toBe(3);
    expect(calls('answerCallbackQuery')).toHaveLength(presses);
  }, 30_000);
});
