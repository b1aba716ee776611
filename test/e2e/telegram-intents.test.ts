/**
 * Intent first (issue 14) on Telegram: the channel contract's table of the messages
 * (test/contracts/channel.contract.ts `INTENT_SCRIPT`) against the Bot API emulator in webhook mode,
 * with the offline assistant as production has it. The same table runs on the console harness
 * (test/app/channel-contract.test.ts) and on WeChat (test/e2e/wechat.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { waitFor } from '../adapters/channels/telegram/support.js';
import { type ChannelDriver, INTENT_SCRIPT, runChannelContract } from '../contracts/channel.contract.js';
import { startTelegramE2E, type TelegramE2E } from './support/telegram.js';

const TOKEN = '123456:e2e-intents-token';
const STAFF = -1001000000004;
const OWNER = 1301;
const ESTATE = '阳光花园';
const DUTY_PHONE = '0571-88886666';

const i18n = createI18n(readLocales('locales'));
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: ESTATE, dutyPhone: DUTY_PHONE, ...params });

let tg: TelegramE2E;

beforeAll(async () => {
  tg = await startTelegramE2E({
    token: TOKEN,
    staffChatId: STAFF,
    estateName: ESTATE,
    dutyPhone: DUTY_PHONE,
    workerId: 'e2e-intents',
    assistant: new OfflineAssistant(loadKeywords()),
  });
});

afterAll(async () => {
  await tg?.stop();
});

describe('intent first on Telegram (telegram-test-api, webhook mode)', () => {
  it("handles every message of the issue's table as what it is for", async () => {
    const { emulator, hook } = tg;
    const owner = emulator.getClient(TOKEN, { chatId: OWNER, userId: OWNER, firstName: '王阿姨', type: 'private' });
    const staff = emulator.getClient(TOKEN, {
      chatId: STAFF,
      userId: 2401,
      firstName: '李师傅',
      type: 'supergroup',
      chatTitle: '客服中心',
    });
    const from = { language_code: 'zh-hans' };
    const handled = async (send: () => Promise<unknown>) => {
      const count = hook.requests.length;
      await send();
      await waitFor(() => hook.requests.length > count, 'the webhook to handle the update');
    };
    const driver: ChannelDriver = {
      ownerSays: (text) => handled(() => owner.sendMessage(owner.makeMessage(text, { from }))),
      ownerPicks: async (label) => {
        const question = await waitFor(
          () => tg.botMessages(OWNER).findLast((m) => m.buttons.some((b) => b.text === label)),
          `a button "${label}" on the owner's messages`,
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
      ownerMessages: () => tg.botMessages(OWNER).map((m) => m.text),
      staffMessages: () => tg.botMessages(STAFF).map((m) => m.text),
    };
    const { number } = await runChannelContract(driver, { t: zh, script: INTENT_SCRIPT });
    const tickets = await tg.store.listTickets({});
    // One report and one emergency: the report is not one (how urgent a leak is, the classifier decides).
    expect(tickets.map((x) => x.urgency === 'emergency').sort()).toEqual([false, true]);
    expect(tickets.map((x) => x.number)).toContain(number);
    expect(hook.requests.every((r) => r.status === 200)).toBe(true);
  }, 60_000);
});
