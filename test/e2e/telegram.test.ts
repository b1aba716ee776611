/**
 * End to end against the Telegram Bot API emulator (telegram-test-api), in webhook mode over plain http:
 * the real flows, locales, SQLite store, app, dispatcher and Telegram channel, wired as main.ts does.
 *
 * The emulator posts updates to the webhook without Telegram's secret header, so a small proxy in front
 * of the webhook adds it (with the secret the bot registered through setWebhook), as Telegram would. A
 * recording proxy in front of the emulator's Bot API shows the calls the bot made (answerCallbackQuery,
 * sendPhoto, which the emulator does not implement and answers with HTTP 500). The set-up is shared with
 * the other Telegram end-to-end tests: test/e2e/support/telegram.ts.
 */

import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/app/dispatcher.js';
import type { Store } from '../../src/core/ports.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { type RecordingProxy, waitFor } from '../adapters/channels/telegram/support.js';
import { type BotMessage, startTelegramE2E, type TelegramE2E, WEBHOOK_PATH } from './support/telegram.js';

const TOKEN = '123456:e2e-test-token';
const STAFF = -1001000000001;
const OWNER = 1001;
const STRANGER_GROUP = -3003;

const i18n = createI18n(readLocales('locales'));
const en = (key: string, params?: Record<string, string | number>) => i18n.translate('en', key, params);

let tg: TelegramE2E;
let emulator: TelegramServer;
let api: RecordingProxy;
let hook: RecordingProxy;
let store: Store;
let dispatcher: Dispatcher;
let webhookPort: number;

const botMessages = (chatId: number) => tg.botMessages(chatId);
const secretRegistered = () => tg.secretRegistered();

/** The chat an update (as posted to the webhook) belongs to. */
function chatOf(update: Record<string, unknown>): number | undefined {
  const u = update as {
    message?: { chat?: { id?: number } };
    callback_query?: { message?: { chat?: { id?: number } } };
  };
  return u.message?.chat?.id ?? u.callback_query?.message?.chat?.id;
}

beforeAll(async () => {
  tg = await startTelegramE2E({
    token: TOKEN,
    staffChatId: STAFF,
    estateName: 'Sunny Gardens',
    dutyPhone: '0571-88886666',
    workerId: 'e2e',
    groupPerMinute: 20,
  });
  ({ emulator, api, hook, store, dispatcher, webhookPort } = tg);
});

afterAll(async () => {
  await tg?.stop();
});

describe('Telegram end to end (telegram-test-api, webhook mode)', () => {
  it('registers the webhook with a secret and no token in its path', () => {
    const registered = api.requests.find((r) => r.path.endsWith('/setWebhook'));
    expect(registered?.body.url).toBe(`${hook.url}${WEBHOOK_PATH}`);
    expect(String(registered?.body.url)).not.toContain('e2e-test-token');
    expect(secretRegistered()).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // setMyCommands is not in the emulator: a warning, not a failure.
    expect(api.requests.filter((r) => r.path.endsWith('/setMyCommands')).map((r) => r.status)).toEqual([500, 500]);
  });

  it('lets an owner file a complaint with buttons and typing; the staff group gets the card', async () => {
    const client = emulator.getClient(TOKEN, {
      chatId: OWNER,
      userId: OWNER,
      firstName: 'Li',
      userName: 'liwei',
      type: 'private',
    });
    const from = { language_code: 'en' };
    let seen = 0;

    /** Waits for the bot's next message to the owner that contains `fragment`, and moves past it. */
    async function reply(fragment: string | RegExp): Promise<BotMessage> {
      const found = await waitFor(
        () => {
          const messages = botMessages(OWNER);
          const index = messages.findIndex(
            (m, i) => i >= seen && (typeof fragment === 'string' ? m.text.includes(fragment) : fragment.test(m.text)),
          );
          return index >= 0 ? { index, message: messages[index] as BotMessage } : undefined;
        },
        `the bot to say ${String(fragment)}`,
      );
      seen = found.index + 1;
      return found.message;
    }
    const say = (text: string) => client.sendMessage(client.makeMessage(text, { from }));
    const press = (message: BotMessage, value: string) => {
      const button = message.buttons.find((b) => b.callback_data.endsWith(`:${value}`));
      if (!button)
        throw new Error(
          `no button ${value} on the message (${message.buttons.map((b) => b.callback_data).join(', ')})`,
        );
      return client.sendCallback(
        client.makeCallbackQuery(button.callback_data, { from, message: { message_id: message.messageId } }),
      );
    };

    await client.sendCommand(client.makeCommand('/start', { from }));
    const menu = await reply(en('menu.title'));
    await press(menu, 'm.complaint');
    const category = await reply(en('complaint.ask.category'));
    await press(category, 'o.parking');
    await reply(en('complaint.ask.location'));
    // The answered question's keyboard is gone and the choice shown, so a second tap cannot answer twice.
    const answered = await waitFor(
      () => botMessages(OWNER).find((m) => m.messageId === category.messageId && m.buttons.length === 0),
      'the category question to lose its buttons',
    );
    expect(answered.text).toContain(`✓ ${en('ticket.category.parking')}`);

    await say('Bldg 3 Unit 2 Rm 501');
    await reply(en('complaint.ask.description'));
    await say('ab'); // too short
    await reply(en('input.too_short', { min: 4 }));
    await say('A car has blocked my parking space for three days');
    await reply(en('complaint.ask.photos'));

    // A sticker is not an answer: a polite re-prompt.
    await client.sendMessage({
      ...client.makeMessage('', { from }),
      text: undefined,
      sticker: {
        file_id: 'sticker-1',
        file_unique_id: 's1',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        type: 'regular',
      },
    } as unknown as Parameters<typeof client.sendMessage>[0]);
    await reply(en('input.unsupported', { what: en('input.kind.sticker') }));
    // A photo: the largest size is kept.
    await client.sendMessage({
      ...client.makeMessage('', { from }),
      text: undefined,
      photo: [
        { file_id: 'photo-small', file_unique_id: 'p1', width: 90, height: 68 },
        { file_id: 'photo-large', file_unique_id: 'p3', width: 1280, height: 960 },
        { file_id: 'photo-medium', file_unique_id: 'p2', width: 320, height: 240 },
      ],
    } as unknown as Parameters<typeof client.sendMessage>[0]);
    const photos = await reply(en('photos.received', { count: 1 }));
    await press(photos, 'done');
    await reply(en('complaint.ask.subject'));
    await say('the car park attendant');
    await reply(en('complaint.ask.demand'));
    await say('Please move the car and warn the driver');
    await reply(en('complaint.ask.name'));
    await say('Li Wei');
    await reply(en('complaint.ask.phone'));
    await say('12345'); // not a phone number
    await reply(en('input.phone_invalid'));
    await say('13812345678');
    const readback = await reply(en('complaint.readback'));
    expect(readback.text).toContain('Li Wei');

    // A button from an earlier question: refused with a short answer, and the current question again.
    const answersBefore = api.requests.filter((r) => r.path.endsWith('/answerCallbackQuery')).length;
    await client.sendCallback(
      client.makeCallbackQuery(`${category.buttons[0]?.callback_data}`, {
        from,
        message: { message_id: category.messageId },
      }),
    );
    await reply(en('input.stale'));
    const again = await reply(en('complaint.readback'));
    const stale = await waitFor(
      () => api.requests.filter((r) => r.path.endsWith('/answerCallbackQuery'))[answersBefore],
      'the stale press to be answered',
    );
    expect(stale.body.text).toBe(en('input.stale'));

    await press(again, 'ok');
    const done = await reply(/T\d{6}-0001/);
    expect(done.text).toContain(
      en('ticket.created', { number: done.text.match(/T\d{6}-0001/)?.[0] ?? '' }).split('\n')[0],
    );

    // The staff group gets the card: number, category, location, masked phone; the photo was tried.
    const card = await waitFor(() => botMessages(STAFF).find((m) => /T\d{6}-0001/.test(m.text)), 'the staff card');
    const zh = (key: string) => i18n.translate('zh-CN', key);
    expect(card.text).toContain(zh('ticket.kind.complaint'));
    expect(card.text).toContain(zh('ticket.category.parking'));
    expect(card.text).toContain('138****5678');
    expect(card.text).not.toContain('13812345678');
    expect(card.text).toContain('A car has blocked my parking space');
    expect(card.text).toContain('Please move the car');
    const photoCall = api.requests.find((r) => r.path.endsWith('/sendPhoto'));
    expect(photoCall?.body).toMatchObject({ chat_id: String(STAFF), photo: 'photo-large' });

    // Every button press was answered; every update was acknowledged (200) and recorded.
    const updates = hook.requests.filter((r) => chatOf(r.body) === OWNER);
    const presses = updates.filter((r) => r.body.callback_query).length;
    expect(presses).toBe(5);
    expect(api.requests.filter((r) => r.path.endsWith('/answerCallbackQuery'))).toHaveLength(presses);
    expect(updates.every((r) => r.status === 200)).toBe(true);
    const logged = await store.listMessages('telegram', String(OWNER), 500);
    expect(logged.filter((m) => m.direction === 'in')).toHaveLength(updates.length);
  });

  it('tells a group it was added to, once, that it works in private chats', async () => {
    const group = emulator.getClient(TOKEN, {
      chatId: STRANGER_GROUP,
      userId: 4004,
      type: 'group',
      chatTitle: 'Neighbours',
    });
    await group.sendCommand(group.makeCommand('/start'));
    const notice = await waitFor(() => botMessages(STRANGER_GROUP)[0], 'the group notice');
    expect(notice.text).toContain(i18n.translate('zh-CN', 'group.private_only', { estate: 'Sunny Gardens' }));
    await group.sendMessage(group.makeMessage('/help'));
    await waitFor(() => hook.requests.filter((r) => chatOf(r.body) === STRANGER_GROUP).length === 2, 'both updates');
    await dispatcher.drain();
    expect(botMessages(STRANGER_GROUP)).toHaveLength(1);
  });
});

describe('Telegram webhook security', () => {
  const url = () => `http://127.0.0.1:${webhookPort}${WEBHOOK_PATH}`;
  const update = (updateId: number) => ({
    update_id: updateId,
    message: {
      message_id: 1,
      date: 0,
      chat: { id: 5005, type: 'private' },
      from: { id: 5005, is_bot: false, first_name: 'Mallory' },
      text: '/start',
    },
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('refuses a request without the secret header, or with a wrong one, and records nothing', async () => {
    const none = await post(update(900_001));
    expect(none.status).toBe(401);
    const wrong = await post(update(900_001), { 'x-telegram-bot-api-secret-token': 'not-the-secret' });
    expect(wrong.status).toBe(401);
    const almost = await post(update(900_001), { 'x-telegram-bot-api-secret-token': `${secretRegistered()}x` });
    expect(almost.status).toBe(401);
    expect(await store.listMessages('telegram', '5005')).toEqual([]);
    expect(await store.getThread('telegram', '5005')).toBeUndefined();
  });

  it('accepts the right secret, records the update once, and ignores a redelivery', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': secretRegistered() };
    // The same update id that was refused above: it was not recorded then, so it is new now.
    expect((await post(update(900_001), headers)).status).toBe(200);
    const after = await store.listMessages('telegram', '5005');
    expect(after.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect((await post(update(900_001), headers)).status).toBe(200);
    expect((await store.listMessages('telegram', '5005')).filter((m) => m.direction === 'in')).toHaveLength(1);
  });

  it('answers /healthz for load balancers', async () => {
    const response = await fetch(`http://127.0.0.1:${webhookPort}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });
});
