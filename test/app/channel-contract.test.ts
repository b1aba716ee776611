/**
 * The channel contract script (test/contracts/channel.contract.ts) on the console channel's harness.
 * The same script runs on WeChat (test/e2e/wechat.test.ts) and Telegram (test/e2e/telegram-contract.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type ChannelDriver, runChannelContract } from '../contracts/channel.contract.js';
import { i18n, makeHarness } from '../support/harness.js';

describe('channel contract: console', () => {
  it('files a repair, the staff accept and reply, the owner sees the reply', async () => {
    const h = await makeHarness();
    const staffChat = { chatId: 'staff', chatKind: 'staff' as const, userId: 'staff-1', userName: '李师傅' };
    const texts = (chatId: string) =>
      h.sender.sent.flatMap((s) => (s.chatId === chatId && s.action.kind === 'send' ? [s.action.message.text] : []));
    const driver: ChannelDriver = {
      ownerSays: async (text) => void (await h.send(text)),
      ownerPicks: async (label) => {
        const index = h.lastButtons().findIndex((b) => b.label === label);
        expect(index).toBeGreaterThanOrEqual(0);
        await h.send(String(index + 1));
      },
      staffSays: async (text) => void (await h.send(text, staffChat)),
      ownerMessages: () => texts('owner'),
      staffMessages: () => texts('staff'),
    };
    const { number } = await runChannelContract(driver, {
      t: (k, p) => i18n.translate('zh-CN', k, { estate: '阳光花园', dutyPhone: '0571-88886666', ...p }),
    });
    expect((await h.store.getTicketByNumber(number))?.timeline.some((e) => e.action === 'staff_reply')).toBe(true);
  });
});
