/**
 * The dispatcher's defaults, as `npm start` runs it: a platform outage of a realistic length (Telegram
 * answering 502 or the network gone for the better part of an hour) must not cost anyone a message.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { type ChannelSender, type Delivery, Dispatcher } from '../../src/app/dispatcher.js';
import type { OutboundAction } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';

describe('Dispatcher defaults', () => {
  it('keeps retrying through a 45-minute outage and delivers once it is over', async () => {
    const clock = new FakeClock('2026-11-28T02:00:00Z');
    const start = clock.now().getTime();
    const store = await openSqliteStore({ path: ':memory:' });
    const delivered: string[] = [];
    const sender: ChannelSender = {
      channel: 'telegram',
      async deliver(_chatId: string, action: OutboundAction): Promise<Delivery> {
        if (clock.now().getTime() - start < 45 * 60_000) return { status: 'transient', reason: '502: Bad Gateway' };
        if (action.kind === 'send') delivered.push(action.message.text);
        return { status: 'sent', platformMessageId: String(delivered.length) };
      },
    };
    const dispatcher = new Dispatcher({
      store,
      clock,
      senders: [sender],
      log: silentLogger(),
      workerId: 'test',
      random: () => 0,
    });
    await store.enqueue(
      [
        {
          id: 'ticket-number',
          channel: 'telegram',
          chatId: '601',
          action: { kind: 'send', message: { text: 'T261128-0001' } },
        },
      ],
      clock.now(),
    );
    for (let i = 0; i < 500 && delivered.length === 0; i++) {
      await dispatcher.runOnce();
      const [item] = await store.listOutbox({ chatId: '601' });
      if (item?.status !== 'pending') break;
      clock.set(new Date(Math.max(item.notBefore.getTime(), clock.now().getTime() + 1)));
    }
    expect(delivered).toEqual(['T261128-0001']);
    const [item] = await store.listOutbox({ chatId: '601' });
    expect(item?.status).toBe('sent');
    await store.close();
  });
});
