/**
 * Floods of refused webhook requests (a wrong secret, a sender hanging up half way) are logged once per
 * period with a count, not once per request (issue 17: 4,658 requests made 4,658 lines).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../../../src/adapters/channels/telegram/telegram.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import type { Store } from '../../../../src/core/ports.js';
import { createI18n, readLocales } from '../../../../src/i18n.js';
import { createLogger } from '../../../../src/logger.js';
import { type FakeBotApi, freePort, startFakeBotApi, waitFor } from './support.js';

const TOKEN = '987654:secret-TOKEN_value';
const SECRET = 'the_right_secret';
let api: FakeBotApi | undefined;
let store: Store | undefined;
let channel: TelegramChannel | undefined;

afterEach(async () => {
  await channel?.stop();
  await store?.close();
  await api?.close();
  channel = undefined;
});

async function webhook() {
  api = await startFakeBotApi({ token: TOKEN });
  store = await openSqliteStore({ path: ':memory:' });
  const lines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => lines.push(l) } });
  const port = await freePort();
  channel = await createTelegramChannel({
    config: {
      token: TOKEN,
      staffChatId: -100,
      apiRoot: api.url,
      port,
      webhookUrl: 'https://bot.example.com/hook',
      webhookSecret: SECRET,
      rates: { globalPerSecond: 30, privatePerSecond: 20, groupPerMinute: 20 },
    },
    store,
    log,
    handle: async () => ({ duplicate: false }),
    wake: () => {},
    now: () => new Date(),
    translate: createI18n(readLocales('locales')).translate,
  });
  await channel.start();
  const records = (msg: string) =>
    lines.map((l) => JSON.parse(l) as { msg: string; count?: number }).filter((r) => r.msg.startsWith(msg));
  return { url: `http://127.0.0.1:${port}/hook`, port, records };
}

describe('webhook warnings', () => {
  it('logs a wrong secret once per period, and the count of the rest when the period ends', async () => {
    const { url, records } = await webhook();
    for (let i = 0; i < 25; i += 1) {
      const res = await fetch(url, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': `wrong${i}` } });
      expect(res.status).toBe(401);
    }
    const refused = 'webhook request without the right secret refused';
    expect(records(refused).map((r) => r.count)).toEqual([1]);
    await channel?.stop();
    expect(records(refused).map((r) => r.count)).toEqual([1, 24]);
  });

  it('counts requests cut off before their body arrived instead of logging each as a failure', async () => {
    const { port, records } = await webhook();
    for (let i = 0; i < 3; i += 1) {
      const req = request({
        port,
        path: '/hook',
        method: 'POST',
        headers: { 'x-telegram-bot-api-secret-token': SECRET, 'content-length': '1000' },
      });
      req.on('error', () => {});
      req.write('{"update_id":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
    }
    const cutOff = 'webhook request cut off before its body arrived';
    await waitFor(() => records(cutOff).length === 1, 'the first cut-off upload logged');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await channel?.stop();
    expect(records(cutOff).map((r) => r.count)).toEqual([1, 2]);
    expect(records('webhook request failed')).toEqual([]);
  });
});
