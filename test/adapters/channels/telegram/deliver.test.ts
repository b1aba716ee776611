/**
 * The dispatcher delivering through the Telegram channel to a fake Bot API, with a fake clock: Telegram's
 * limits, 429 per chat, order per chat, 403, backoff on 5xx and network errors, edits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramChannel, type TelegramConfig } from '../../../../src/adapters/channels/telegram/telegram.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import { Dispatcher } from '../../../../src/app/dispatcher.js';
import type { Store } from '../../../../src/core/ports.js';
import type { OutboundAction } from '../../../../src/core/types.js';
import { createI18n, readLocales } from '../../../../src/i18n.js';
import { silentLogger } from '../../../../src/logger.js';
import { makeOwner } from '../../../fixtures.js';
import { FakeClock } from '../../../support/clock.js';
import { type ApiScript, type FakeBotApi, fail, startFakeBotApi } from './support.js';

const TOKEN = '123456:TEST-token_for-the-fake';
const STAFF = '-1001234567890';

let clock: FakeClock;
let api: FakeBotApi;
let store: Store;
let channel: TelegramChannel;
let dispatcher: Dispatcher;
let unreachable: string[];
let seq = 0;

async function setUp(rates = { globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, script?: ApiScript) {
  clock = new FakeClock('2026-11-28T02:00:00Z');
  api = await startFakeBotApi({ now: () => clock.now().getTime(), ...(script ? { script } : {}), token: TOKEN });
  store = await openSqliteStore({ path: ':memory:' });
  const log = silentLogger();
  const config: TelegramConfig = { token: TOKEN, staffChatId: Number(STAFF), apiRoot: api.url, port: 0, rates };
  channel = new TelegramChannel({
    config,
    store,
    log,
    handle: async () => ({ duplicate: false }),
    wake: () => {},
    now: () => clock.now(),
    translate: createI18n(readLocales('locales')).translate,
  });
  unreachable = [];
  dispatcher = new Dispatcher({
    store,
    clock,
    senders: [channel],
    log,
    workerId: 'test',
    maxAttempts: 4,
    baseBackoffMs: 1000,
    random: () => 0.5,
    onUnreachable: async (ch, chatId) => {
      unreachable.push(`${ch}:${chatId}`);
    },
  });
}

beforeEach(() => {
  seq = 0;
});

afterEach(async () => {
  await api?.close();
  await store?.close();
});

function send(text: string, extra: Partial<Extract<OutboundAction, { kind: 'send' }>['message']> = {}): OutboundAction {
  return { kind: 'send', message: { text, ...extra } };
}

async function enqueue(chatId: string, ...actions: OutboundAction[]) {
  for (const action of actions) {
    seq += 1;
    await store.enqueue([{ id: `item-${seq}`, channel: 'telegram', chatId, action }], clock.now());
  }
}

/** Runs the dispatcher, moving the fake clock to the next moment anything is due, until nothing is left. */
async function runUntilSettled(maxMs = 10 * 60_000) {
  const end = clock.now().getTime() + maxMs;
  while (clock.now().getTime() <= end) {
    if ((await dispatcher.runOnce()) > 0) continue;
    const pending = await store.listOutbox({ status: 'pending' });
    if (pending.length === 0) return;
    // Only each chat's oldest item can go next.
    const heads = new Map<string, number>();
    for (const item of pending) {
      if (!heads.has(item.chatId)) heads.set(item.chatId, item.notBefore.getTime());
    }
    const next = Math.min(...heads.values());
    clock.set(new Date(Math.max(next, clock.now().getTime() + 1)));
  }
  throw new Error('the outbox did not settle');
}

function busiestWindow(times: number[], length: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= length) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const texts = (chatId: string) => api.callsOf('sendMessage', chatId).map((c) => c.body.text);

describe('Telegram delivery through the dispatcher', () => {
  it('never goes over the limits and keeps each chat in order', async () => {
    await setUp();
    const privates = Array.from({ length: 40 }, (_, i) => String(10_000 + i));
    for (const chatId of privates) {
      await enqueue(chatId, ...[1, 2, 3, 4, 5].map((n) => send(`${chatId} #${n}`)));
    }
    await enqueue(STAFF, ...Array.from({ length: 25 }, (_, n) => send(`card ${n + 1}`)));
    const start = clock.now().getTime();
    await runUntilSettled();

    const sends = api.callsOf('sendMessage');
    expect(sends).toHaveLength(40 * 5 + 25);
    expect(await store.listOutbox({ status: 'sent' })).toHaveLength(40 * 5 + 25);
    expect(
      busiestWindow(
        sends.map((c) => c.at),
        1000,
      ),
    ).toBeLessThanOrEqual(30);
    for (const chatId of privates) {
      expect(texts(chatId)).toEqual([1, 2, 3, 4, 5].map((n) => `${chatId} #${n}`));
      const times = api.callsOf('sendMessage', chatId).map((c) => c.at);
      expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(3);
      expect(busiestWindow(times, 5000)).toBeLessThanOrEqual(7);
    }
    expect(texts(STAFF)).toEqual(Array.from({ length: 25 }, (_, n) => `card ${n + 1}`));
    const staffTimes = api.callsOf('sendMessage', STAFF).map((c) => c.at);
    expect(busiestWindow(staffTimes, 60_000)).toBeLessThanOrEqual(20);
    // The 21st card had to wait for the minute to pass; it did not wait much longer.
    expect((staffTimes[20] ?? 0) - start).toBeGreaterThanOrEqual(60_000);
    expect((staffTimes[24] ?? 0) - start).toBeLessThan(75_000);
  });

  it('on a 429 waits retry_after for that chat only, while other chats go on, and keeps order', async () => {
    let limited = false;
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) => {
      if (call.method === 'sendMessage' && call.body.chat_id === '501' && !limited) {
        limited = true;
        return fail(429, 'Too Many Requests: retry after 7', { retry_after: 7 });
      }
      return undefined;
    });
    const start = clock.now().getTime();
    await enqueue('501', send('a1'), send('a2'), send('a3'));
    await enqueue('502', send('b1'), send('b2'), send('b3'));
    await runUntilSettled();

    const a = api.callsOf('sendMessage', '501');
    expect(a.map((c) => c.body.text)).toEqual(['a1', 'a1', 'a2', 'a3']);
    expect(a[0]?.at).toBe(start);
    expect((a[1]?.at ?? 0) - start).toBeGreaterThanOrEqual(7000);
    expect(texts('502')).toEqual(['b1', 'b2', 'b3']);
    for (const call of api.callsOf('sendMessage', '502')) expect(call.at - start).toBeLessThan(7000);
    // A rate-limit wait is not a failed attempt.
    const [first] = await store.listOutbox({ chatId: '501' });
    expect(first?.status).toBe('sent');
    expect(first?.attempts).toBe(0);
  });

  it('on a 403 stops at once and tells the dispatcher (the app marks the owner unreachable)', async () => {
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) =>
      call.body.chat_id === '601' ? fail(403, 'Forbidden: bot was blocked by the user') : undefined,
    );
    const owner = makeOwner({ identities: [{ channel: 'telegram', userId: '601', chatId: '601' }] });
    await store.saveOwner(owner);
    await enqueue('601', send('hello'));
    await enqueue('602', send('hi'));
    await runUntilSettled();

    expect(api.callsOf('sendMessage', '601')).toHaveLength(1);
    const [item] = await store.listOutbox({ chatId: '601' });
    expect(item?.status).toBe('dead');
    expect(item?.lastError).toContain('blocked');
    expect(unreachable).toEqual(['telegram:601']);
    expect(texts('602')).toEqual(['hi']);
  });

  it('backs off exponentially on 5xx and dead-letters after the last attempt', async () => {
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) =>
      call.body.chat_id === '701' ? { status: 502, body: 'Bad Gateway' } : undefined,
    );
    const start = clock.now().getTime();
    await enqueue('701', send('x1'), send('x2'));
    await enqueue('702', send('y1'));
    await runUntilSettled();

    const tries = api.callsOf('sendMessage', '701').filter((c) => c.body.text === 'x1');
    // maxAttempts 4; backoff 1000·2^(n-1)·0.75 with the fixed jitter: 750, 1500, 3000 ms.
    expect(tries.map((c) => c.at - start)).toEqual([0, 750, 2250, 5250]);
    const [dead, next] = await store.listOutbox({ chatId: '701' });
    expect(dead?.status).toBe('dead');
    expect(dead?.attempts).toBe(3);
    expect(dead?.lastError).toMatch(/502/);
    expect(await store.listOutbox({ status: 'dead' })).toHaveLength(2);
    expect(next?.status).toBe('dead');
    expect(texts('702')).toEqual(['y1']);
  });

  it('retries network errors and server errors, then delivers once they pass', async () => {
    let n = 0;
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) => {
      if (call.method !== 'sendMessage') return undefined;
      n += 1;
      if (n === 1) return 'drop';
      if (n === 2) return { status: 500, body: 'oops' };
      return undefined;
    });
    await enqueue('801', send('eventually'));
    await runUntilSettled();
    expect(texts('801')).toEqual(['eventually', 'eventually', 'eventually']);
    const [item] = await store.listOutbox({ chatId: '801' });
    expect(item?.status).toBe('sent');
    expect(item?.attempts).toBe(2);
  });

  it('counts "message is not modified" as done, and removes the keyboard with an empty one', async () => {
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) =>
      call.method === 'editMessageText'
        ? fail(
            400,
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same',
          )
        : undefined,
    );
    await store.setMessageRef('telegram', '901', 'prompt:3', '55');
    await enqueue('901', { kind: 'edit', ref: 'prompt:3', message: { text: 'What is it about?\n\n✓ Parking' } });
    await runUntilSettled();
    const [edit] = api.callsOf('editMessageText', '901');
    expect(edit?.body).toMatchObject({
      message_id: 55,
      text: 'What is it about?\n\n✓ Parking',
      reply_markup: { inline_keyboard: [] },
    });
    const [item] = await store.listOutbox({ chatId: '901' });
    expect(item?.status).toBe('sent');
  });

  it('dead-letters a message Telegram rejects (400) without retrying', async () => {
    await setUp({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }, (call) =>
      call.method === 'sendMessage' ? fail(400, 'Bad Request: chat not found') : undefined,
    );
    await enqueue('1001', send('nobody'));
    await runUntilSettled();
    expect(api.callsOf('sendMessage')).toHaveLength(1);
    const [item] = await store.listOutbox({ chatId: '1001' });
    expect(item?.status).toBe('dead');
    expect(item?.lastError).toContain('chat not found');
  });

  it('replies to the card named by replyToRef and notifies the staff it mentions', async () => {
    await setUp();
    await store.setMessageRef('telegram', STAFF, 'card:T261128-0001', '555');
    await enqueue(
      STAFF,
      send('⏰ T261128-0001 is overdue, @Wang Fang please accept it', {
        replyToRef: 'card:T261128-0001',
        mentions: [{ userId: '2002', name: 'Wang Fang' }],
      }),
    );
    await runUntilSettled();
    const [reminder] = api.callsOf('sendMessage', STAFF);
    expect(reminder?.body.reply_parameters).toEqual({ message_id: 555, allow_sending_without_reply: true });
    expect(reminder?.body.entities).toEqual([
      { type: 'text_mention', offset: 27, length: 10, user: { id: 2002, is_bot: false, first_name: 'Wang Fang' } },
    ]);
  });

  it('records the message id under the ref, so that a later edit reaches the right message', async () => {
    await setUp();
    await enqueue(
      '1101',
      send('Pick one', {
        ref: 'prompt:1',
        buttons: [
          [
            { label: 'A', data: '1:o.a' },
            { label: 'B', data: '1:o.b' },
          ],
          [],
        ],
      }),
      { kind: 'edit', ref: 'prompt:1', message: { text: 'Pick one\n\n✓ A' } },
    );
    await runUntilSettled();
    const [sent] = api.callsOf('sendMessage', '1101');
    expect(sent?.body.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'A', callback_data: '1:o.a' },
          { text: 'B', callback_data: '1:o.b' },
        ],
      ],
    });
    const id = await store.getMessageRef('telegram', '1101', 'prompt:1');
    expect(id).toBeDefined();
    expect(api.callsOf('editMessageText', '1101')[0]?.body.message_id).toBe(Number(id));
  });
});

describe('TelegramChannel.deliver', () => {
  it('splits long texts, with the keyboard on the last part and its id as the message id', async () => {
    await setUp();
    const line = `${'x'.repeat(99)}\n`;
    const text = line.repeat(90); // 9000 characters
    const result = await channel.deliver('1201', send(text, { buttons: [[{ label: 'OK', data: '2:ok' }]] }), '77');
    const parts = api.callsOf('sendMessage', '1201');
    expect(parts.length).toBe(3);
    for (const part of parts) expect(String(part.body.text).length).toBeLessThanOrEqual(4096);
    expect(
      parts
        .map((p) => String(p.body.text))
        .join('\n')
        .replace(/\n+/g, ''),
    ).toBe(text.replace(/\n+/g, ''));
    expect(parts[0]?.body.reply_parameters).toEqual({ message_id: 77, allow_sending_without_reply: true });
    expect(parts[1]?.body.reply_markup).toBeUndefined();
    expect(parts[2]?.body.reply_markup).toEqual({ inline_keyboard: [[{ text: 'OK', callback_data: '2:ok' }]] });
    expect(result).toEqual({ status: 'sent', platformMessageId: '103' });
  });

  it("sends a card's photos first (one as a photo, several as an album), then the text", async () => {
    await setUp();
    const one = await channel.deliver(STAFF, send('card 1', { photos: ['file-a'] }));
    const many = await channel.deliver(STAFF, send('card 2', { photos: ['file-b', 'file-c', 'file-d'] }));
    expect(api.calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage', 'sendMediaGroup', 'sendMessage']);
    expect(api.callsOf('sendPhoto')[0]?.body.photo).toBe('file-a');
    expect(api.callsOf('sendMediaGroup')[0]?.body.media).toEqual([
      { type: 'photo', media: 'file-b' },
      { type: 'photo', media: 'file-c' },
      { type: 'photo', media: 'file-d' },
    ]);
    expect(one.status).toBe('sent');
    // Ids 101 (photo), 102 (text), 103–105 (album), 106 (text).
    expect(many).toEqual({ status: 'sent', platformMessageId: '106' });
  });

  it('still sends the text when the photos fail, but waits when the photos hit a 429', async () => {
    let mode: 'broken' | 'limited' = 'broken';
    await setUp(undefined, (call) => {
      if (call.method !== 'sendPhoto') return undefined;
      return mode === 'broken' ? { status: 500, body: {} } : fail(429, 'Too Many Requests', { retry_after: 3 });
    });
    expect((await channel.deliver(STAFF, send('card', { photos: ['gone'] }))).status).toBe('sent');
    expect(api.callsOf('sendMessage', STAFF)).toHaveLength(1);
    mode = 'limited';
    const waited = await channel.deliver(STAFF, send('card', { photos: ['x'] }));
    expect(waited).toMatchObject({ status: 'rate_limited', retryAfterMs: 3000 });
    expect(api.callsOf('sendMessage', STAFF)).toHaveLength(1);
  });

  it('sends the text without its mentions when Telegram refuses them', async () => {
    await setUp(undefined, (call) =>
      call.method === 'sendMessage' && call.body.entities ? fail(400, 'Bad Request: USER_ID_INVALID') : undefined,
    );
    const result = await channel.deliver(
      STAFF,
      send('@Zhou please look', { mentions: [{ userId: '77', name: 'Zhou' }] }),
    );
    expect(result.status).toBe('sent');
    expect(api.callsOf('sendMessage').map((c) => c.body.entities)).toEqual([
      [{ type: 'text_mention', offset: 0, length: 5, user: { id: 77, is_bot: false, first_name: 'Zhou' } }],
      undefined,
    ]);
  });

  it('refuses callback data longer than Telegram takes, without calling it', async () => {
    await setUp();
    const result = await channel.deliver('1301', send('q', { buttons: [[{ label: 'A', data: 'x'.repeat(65) }]] }));
    expect(result).toMatchObject({ status: 'rejected' });
    expect(api.calls).toHaveLength(0);
  });

  it('never puts the token in a failure reason', async () => {
    await setUp();
    await api.close();
    const result = await channel.deliver('1401', send('hi'));
    expect(result.status).toBe('transient');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN.split(':')[1]);
  });
});
