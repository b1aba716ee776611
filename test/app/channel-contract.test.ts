/**
 * The channel contract script (test/contracts/channel.contract.ts) on the console channel's harness.
 * The same script runs on WeChat (test/e2e/wechat.test.ts) and Telegram (test/e2e/telegram-contract.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { type ChannelDriver, INTENT_SCRIPT, runChannelContract } from '../contracts/channel.contract.js';
import { type Harness, i18n, makeHarness } from '../support/harness.js';

const t = (k: string, p?: Record<string, string | number>) =>
  i18n.translate('zh-CN', k, { estate: '阳光花园', dutyPhone: '0571-88886666', ...p });

function consoleDriver(h: Harness): ChannelDriver {
  const staffChat = { chatId: 'staff', chatKind: 'staff' as const, userId: 'staff-1', userName: '李师傅' };
  const texts = (chatId: string) =>
    h.sender.sent.flatMap((s) => (s.chatId === chatId && s.action.kind === 'send' ? [s.action.message.text] : []));
  return {
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
}

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

  it('handles every message of issue 14 as what it is for (intent first), with the offline assistant', async () => {
    const h = await makeHarness({ assistant: new OfflineAssistant(loadKeywords()) });
    const { number } = await runChannelContract(consoleDriver(h), { t, script: INTENT_SCRIPT });
    // One report and one emergency filed; the enquiries, praise and 转人工 never became tickets.
    const tickets = await h.store.listTickets({});
    // One report and one emergency: the report is not one (how urgent a leak is, the classifier decides).
    expect(tickets.map((x) => x.urgency === 'emergency').sort()).toEqual([false, true]);
    expect(tickets.map((x) => x.number)).toContain(number);
    expect((await h.store.countPraise({ from: new Date(0), to: new Date('2100-01-01') })).total).toBe(1);
  }, 60_000);
});
