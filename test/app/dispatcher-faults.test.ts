/**
 * A staff group that refuses the bot (403: it was removed) is a configuration fault, not an owner who
 * blocked the bot: the dispatcher keeps the cards and retries them until the group works again, alerts
 * once per period rather than per message, and the Telegram channel's /healthz shows the fault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramConfig,
} from '../../src/adapters/channels/telegram/telegram.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { type FakeBotApi, fail, freePort, startFakeBotApi } from '../adapters/channels/telegram/support.js';
import { FakeClock } from '../support/clock.js';

const TOKEN = '123456:TEST-token_for-the-fake';
const STAFF = '-1001234567890';

let api: FakeBotApi | undefined;
let store: Store | undefined;
let channel: TelegramChannel | undefined;

afterEach(async () => {
  await channel?.stop();
  await api?.close();
  await store?.close();
});

describe('Staff group faults', () => {
  it('keeps the cards while the group refuses the bot, retries until it works, and shows it on /healthz', async () => {
    const clock = new FakeClock('2026-11-28T02:00:00Z');
    let removed = false;
    api = await startFakeBotApi({
      now: () => clock.now().getTime(),
      token: TOKEN,
      script: (call) =>
        removed && call.method === 'sendMessage' && call.body.chat_id === STAFF
          ? fail(403, 'Forbidden: bot was kicked from the supergroup chat')
          : undefined,
    });
    store = await openSqliteStore({ path: ':memory:' });
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: { write: (line: string) => lines.push(line) },
    });
    const port = await freePort();
    const config: TelegramConfig = {
      token: TOKEN,
      staffChatId: Number(STAFF),
      apiRoot: api.url,
      port,
      webhookUrl: 'https://bot.example.com/tg/hook',
      rates: { globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 },
    };
    channel = await createTelegramChannel({
      config,
      store,
      log,
      handle: async () => ({ duplicate: false }),
      wake: () => {},
      now: () => clock.now(),
      translate: createI18n(readLocales('locales')).translate,
    });
    await channel.start();
    const unreachable: string[] = [];
    const dispatcher = new Dispatcher({
      store,
      clock,
      senders: [channel],
      log,
      workerId: 'test',
      random: () => 0.5,
      onUnreachable: async (_channel, chatId) => {
        unreachable.push(chatId);
      },
    });
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, body: await response.text() };
    };
    expect(await health()).toEqual({ status: 200, body: 'ok' });

    removed = true;
    for (const n of [1, 2, 3]) {
      await store.enqueue(
        [
          {
            id: `card-${n}`,
            channel: 'telegram',
            chatId: STAFF,
            action: { kind: 'send', message: { text: `card ${n}` } },
          },
        ],
        clock.now(),
      );
    }
    // Ten minutes of retries, while the group refuses the bot.
    const end = clock.now().getTime() + 10 * 60_000;
    while (clock.now().getTime() < end) {
      await dispatcher.drain();
      const [head] = await store.listOutbox({ status: 'pending' });
      clock.set(new Date(Math.max(head?.notBefore.getTime() ?? 0, clock.now().getTime() + 1)));
    }
    const tries = api.callsOf('sendMessage', STAFF);
    expect(tries.length).toBeGreaterThan(5);
    expect(new Set(tries.map((c) => c.body.text))).toEqual(new Set(['card 1']));
    expect((await store.listOutbox({ chatId: STAFF })).map((i) => i.status)).toEqual(['pending', 'pending', 'pending']);
    expect(unreachable).toEqual([]);
    const alerts = lines.filter((l) => l.includes('staff group') && l.includes('"level":50'));
    expect(alerts).toHaveLength(1);
    const down = await health();
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({
      status: 'degraded',
      faults: [{ chat: 'staff group', reason: expect.stringContaining('403') }],
    });
    expect(dispatcher.faults()).toHaveLength(1);

    // The bot is added back: the kept cards go, in order, and the health check is clear again.
    removed = false;
    for (let i = 0; i < 10; i++) {
      clock.advance(60_000);
      await dispatcher.drain();
    }
    const delivered = api
      .callsOf('sendMessage', STAFF)
      .slice(tries.length)
      .map((c) => c.body.text);
    expect(delivered).toEqual(['card 1', 'card 2', 'card 3']);
    expect((await store.listOutbox({ chatId: STAFF })).map((i) => i.status)).toEqual(['sent', 'sent', 'sent']);
    expect(await health()).toEqual({ status: 200, body: 'ok' });
    expect(lines.some((l) => l.includes('works again'))).toBe(true);
  });
});
