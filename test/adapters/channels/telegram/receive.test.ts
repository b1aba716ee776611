/**
 * The Telegram channel's receiving side against a fake Bot API: updates → Inbound, button presses always
 * answered, start-up checks, long polling, and the webhook server's edges (the secret header itself is
 * covered end to end in test/e2e/telegram.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  staffMembershipChanges,
  type TgUpdate,
  toInbound,
} from '../../../../src/adapters/channels/telegram/inbound.js';
import {
  createTelegramChannel,
  TelegramChannel,
  type TelegramChannelOptions,
  type TelegramConfig,
  TelegramStartupError,
  UpdateNotRecordedError,
  WEBHOOK_SECRET_SETTING,
} from '../../../../src/adapters/channels/telegram/telegram.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import type { InboundResult } from '../../../../src/app/app.js';
import type { Store } from '../../../../src/core/ports.js';
import type { Inbound } from '../../../../src/core/types.js';
import { createI18n, readLocales } from '../../../../src/i18n.js';
import { createLogger } from '../../../../src/logger.js';
import { type ApiScript, type FakeBotApi, fail, freePort, ok, startFakeBotApi, waitFor } from './support.js';

const TOKEN = '987654:secret-TOKEN_value';
const STAFF = -1009876543210;
const AT = new Date('2026-11-28T02:00:00Z');
const RATES = { globalPerSecond: 30, privatePerSecond: 20, groupPerMinute: 20 };

const owner = { id: 31, is_bot: false, first_name: 'Li', last_name: 'Wei', language_code: 'en' };
const privateChat = { id: 31, type: 'private' };

describe('toInbound', () => {
  const map = (update: TgUpdate) => toInbound(update, { staffChatId: STAFF, receivedAt: AT });

  it('maps a private text message, with the update id as the message id', () => {
    expect(map({ update_id: 900, message: { message_id: 5, chat: privateChat, from: owner, text: '/start' } })).toEqual(
      {
        channel: 'telegram',
        chatId: '31',
        chatKind: 'private',
        userId: '31',
        userName: 'Li Wei',
        languageCode: 'en',
        messageId: '900',
        receivedAt: AT,
        content: { type: 'text', text: '/start' },
      },
    );
  });

  it('keys dedupe by bot and update when the bot is known', () => {
    const inbound = toInbound(
      { update_id: 77, message: { message_id: 5, chat: privateChat, from: owner, text: 'hi' } },
      { staffChatId: STAFF, botId: '4242', receivedAt: AT },
    );
    expect(inbound?.messageId).toBe('4242:77');
  });

  it('keeps the largest photo and its caption', () => {
    const inbound = map({
      update_id: 901,
      message: {
        message_id: 6,
        chat: privateChat,
        from: owner,
        caption: 'the leak',
        photo: [
          { file_id: 'small', width: 90, height: 67 },
          { file_id: 'large', width: 1280, height: 960 },
          { file_id: 'medium', width: 320, height: 240 },
        ],
      },
    });
    expect(inbound?.content).toEqual({ type: 'photo', fileRef: 'large', caption: 'the leak' });
  });

  it('names what it cannot use: voice, stickers, documents, video', () => {
    const kinds = ['voice', 'sticker', 'document', 'video', 'video_note', 'animation', 'location', 'contact'].map(
      (field, i) =>
        map({
          update_id: 910 + i,
          message: { message_id: i, chat: privateChat, from: owner, [field]: { file_id: 'f' } },
        })?.content,
    );
    expect(kinds).toEqual([
      { type: 'unsupported', what: 'voice' },
      { type: 'unsupported', what: 'sticker' },
      { type: 'unsupported', what: 'document' },
      { type: 'unsupported', what: 'video' },
      { type: 'unsupported', what: 'video' },
      { type: 'unsupported', what: 'video' },
      { type: 'unsupported', what: 'location' },
      { type: 'unsupported', what: 'contact' },
    ]);
  });

  it('maps a button press with the message that carried it', () => {
    const inbound = map({
      update_id: 920,
      callback_query: { id: 'cb1', from: owner, message: { message_id: 44, chat: privateChat }, data: '3:o.parking' },
    });
    expect(inbound).toMatchObject({
      chatKind: 'private',
      messageId: '920',
      sourceMessage: '44',
      content: { type: 'button', data: '3:o.parking' },
    });
  });

  it('tells the staff group from other groups, and keeps replies', () => {
    const staff = map({
      update_id: 930,
      message: {
        message_id: 7,
        chat: { id: STAFF, type: 'supergroup' },
        from: owner,
        text: 'on it',
        reply_to_message: { message_id: 3 },
      },
    });
    expect(staff).toMatchObject({ chatKind: 'staff', chatId: String(STAFF), replyTo: '3' });
    const other = map({
      update_id: 931,
      message: { message_id: 8, chat: { id: -55, type: 'group' }, from: owner, text: 'hi bot' },
    });
    expect(other?.chatKind).toBe('group');
  });

  it('turns being added to a group into one message for the application, and ignores the rest', () => {
    const added = map({
      update_id: 940,
      my_chat_member: {
        chat: { id: -66, type: 'group' },
        from: owner,
        old_chat_member: { status: 'left' },
        new_chat_member: { status: 'member' },
      },
    });
    expect(added).toMatchObject({ chatKind: 'group', chatId: '-66', content: { type: 'unsupported', what: 'other' } });
    // Service messages, other bots, channel posts and inline buttons are not for the application.
    expect(
      map({
        update_id: 941,
        message: { message_id: 1, chat: { id: -66, type: 'group' }, from: owner, new_chat_members: [] },
      }),
    ).toBeUndefined();
    expect(
      map({ update_id: 942, message: { message_id: 1, chat: privateChat, from: { id: 9, is_bot: true }, text: 'x' } }),
    ).toBeUndefined();
    expect(
      map({ update_id: 943, message: { message_id: 1, chat: { id: -77, type: 'channel' }, from: owner, text: 'x' } }),
    ).toBeUndefined();
    expect(map({ update_id: 944, callback_query: { id: 'cb', from: owner, data: '1:x' } })).toBeUndefined();
  });
});

const staffGroup = { id: STAFF, type: 'supergroup' };
const wang = { id: 51, is_bot: false, first_name: '王师傅' };
const admin = { id: 52, is_bot: false, first_name: '刘主管' };
const ourBot = { id: 987654, is_bot: true, first_name: 'Residesk' };
const service = (updateId: number, fields: Record<string, unknown>, chat = staffGroup): TgUpdate => ({
  update_id: updateId,
  message: { message_id: updateId, chat, from: admin, ...fields },
});
const memberChange = (
  updateId: number,
  user: typeof wang,
  status: string,
  kind: 'chat_member' | 'my_chat_member' = 'chat_member',
  extra: Record<string, unknown> = {},
): TgUpdate => ({
  update_id: updateId,
  [kind]: {
    chat: staffGroup,
    from: admin,
    old_chat_member: { status: 'member', user },
    new_chat_member: { status, user, ...extra },
  },
});

describe('staffMembershipChanges', () => {
  const changes = (update: TgUpdate) => staffMembershipChanges(update, STAFF);

  it('reads who left or joined the staff group from service messages', () => {
    expect(changes(service(1, { left_chat_member: wang }))).toEqual([{ userId: '51', member: false, bot: false }]);
    expect(changes(service(2, { new_chat_members: [wang, ourBot] }))).toEqual([
      { userId: '51', member: true, bot: false },
      { userId: '987654', member: true, bot: true },
    ]);
  });

  it('reads chat_member and my_chat_member updates of the staff group', () => {
    expect(changes(memberChange(3, wang, 'left'))).toEqual([{ userId: '51', member: false, bot: false }]);
    expect(changes(memberChange(4, wang, 'kicked'))).toEqual([{ userId: '51', member: false, bot: false }]);
    expect(changes(memberChange(5, wang, 'restricted', 'chat_member', { is_member: false }))).toEqual([
      { userId: '51', member: false, bot: false },
    ]);
    expect(changes(memberChange(6, wang, 'restricted', 'chat_member', { is_member: true }))).toEqual([
      { userId: '51', member: true, bot: false },
    ]);
    expect(changes(memberChange(7, wang, 'administrator'))).toEqual([{ userId: '51', member: true, bot: false }]);
    expect(changes(memberChange(8, ourBot, 'kicked', 'my_chat_member'))).toEqual([
      { userId: '987654', member: false, bot: true },
    ]);
  });

  it('says nothing about other chats, ordinary messages, or what it cannot read', () => {
    expect(changes(service(9, { left_chat_member: wang }, { id: -66, type: 'group' }))).toEqual([]);
    expect(changes(service(10, { text: '大家好' }))).toEqual([]);
    expect(changes(service(11, { left_chat_member: { first_name: 'no id' }, new_chat_members: 'x' }))).toEqual([]);
    expect(changes(memberChange(12, wang, 'something-new'))).toEqual([]);
    expect(changes({ update_id: 13, chat_member: { chat: { id: -66, type: 'group' }, from: admin } })).toEqual([]);
    expect(changes(callback(14))).toEqual([]);
  });
});

// ── the channel against a fake Bot API ───────────────────────────────────────

let api: FakeBotApi | undefined;
let store: Store | undefined;
let channels: TelegramChannel[] = [];

afterEach(async () => {
  for (const c of channels) await c.stop();
  channels = [];
  await api?.close();
  api = undefined;
  await store?.close();
  store = undefined;
});

function capture() {
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    format: 'json',
    destination: { write: (line: string) => lines.push(line) },
  });
  return {
    log,
    lines,
    at: (level: number) => lines.filter((l) => (JSON.parse(l) as { level: number }).level >= level),
  };
}

async function setUp(
  o: {
    script?: ApiScript;
    handle?: (i: Inbound) => Promise<InboundResult>;
    config?: Partial<TelegramConfig>;
    options?: Partial<TelegramChannelOptions>;
  } = {},
) {
  api = await startFakeBotApi({ ...(o.script ? { script: o.script } : {}), token: TOKEN });
  store = await openSqliteStore({ path: ':memory:' });
  const logs = capture();
  const handled: Inbound[] = [];
  let wakes = 0;
  const options: TelegramChannelOptions = {
    config: { token: TOKEN, staffChatId: STAFF, apiRoot: api.url, port: 0, rates: RATES, ...o.config },
    store,
    log: logs.log,
    handle:
      o.handle ??
      (async (i) => {
        handled.push(i);
        return {
          duplicate: false,
          ...(i.content.type === 'button' ? { ack: { text: 'That question has passed' } } : {}),
        };
      }),
    wake: () => {
      wakes += 1;
    },
    now: () => AT,
    translate: createI18n(readLocales('locales')).translate,
    ...o.options,
  };
  return { api, store, logs, handled, options, wakes: () => wakes };
}

const callback = (updateId: number, data = '1:o.a'): TgUpdate => ({
  update_id: updateId,
  callback_query: { id: `cb-${updateId}`, from: owner, message: { message_id: 10, chat: privateChat }, data },
});

/** An application that answers a press with `ack`, until `fail` makes every message fail to be recorded. */
function failingOnDemand(ack: { text: string; alert?: boolean }) {
  let broken = false;
  return {
    handle: async (i: Inbound) => {
      if (broken) throw new Error('store down');
      return { duplicate: false, ...(i.content.type === 'button' ? { ack } : {}) };
    },
    fail: () => {
      broken = true;
    },
  };
}

/** A channel of `env` in webhook mode (secret `configured_secret`), started; resolves with a poster of updates to it. */
async function startWebhook(env: Awaited<ReturnType<typeof setUp>>): Promise<(update: TgUpdate) => Promise<Response>> {
  const port = await freePort();
  const channel = await createTelegramChannel({
    ...env.options,
    config: {
      ...env.options.config,
      port,
      webhookUrl: 'https://bot.example.com/hook',
      webhookSecret: 'configured_secret',
    },
  });
  channels.push(channel);
  await channel.start();
  return (update) =>
    fetch(`http://127.0.0.1:${port}/hook`, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': 'configured_secret', 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
}

describe('TelegramChannel receiving', () => {
  it('answers every button press: with the ack text, and also when handling failed', async () => {
    const app = failingOnDemand({ text: 'That question has passed' });
    const env = await setUp({ handle: app.handle });
    const channel = new TelegramChannel(env.options);
    await channel.handleUpdate(callback(1));
    expect(env.api.callsOf('answerCallbackQuery')[0]?.body).toEqual({
      callback_query_id: 'cb-1',
      text: 'That question has passed',
    });
    expect(env.wakes()).toBe(1);

    app.fail();
    await expect(channel.handleUpdate(callback(2))).rejects.toBeInstanceOf(UpdateNotRecordedError);
    expect(env.api.callsOf('answerCallbackQuery')[1]?.body).toEqual({ callback_query_id: 'cb-2' });
    expect(env.wakes()).toBe(1);

    // A button on an inline message is not ours, but it is answered too.
    await channel.handleUpdate({ update_id: 3, callback_query: { id: 'cb-3', from: owner, data: 'x' } });
    expect(env.api.callsOf('answerCallbackQuery')[2]?.body).toEqual({ callback_query_id: 'cb-3' });
  });

  it('tells the application who left or joined the staff group; only logs the bot being removed', async () => {
    const events: string[] = [];
    const env = await setUp({
      options: {
        onStaffLeft: async (userId) => void events.push(`left ${userId}`),
        onStaffJoined: async (userId) => void events.push(`joined ${userId}`),
      },
    });
    const channel = new TelegramChannel(env.options);
    await channel.handleUpdate(service(20, { left_chat_member: wang }));
    await channel.handleUpdate(memberChange(21, wang, 'member'));
    await channel.handleUpdate(memberChange(22, wang, 'kicked'));
    // Other bots, other chats and the bot's own membership are no staff changes.
    await channel.handleUpdate(service(23, { new_chat_members: [{ id: 77, is_bot: true }] }));
    await channel.handleUpdate(service(24, { left_chat_member: wang }, { id: -66, type: 'group' }));
    await channel.handleUpdate(memberChange(25, ourBot, 'kicked', 'my_chat_member'));
    expect(events).toEqual(['left 51', 'joined 51', 'left 51']);
    // Service messages are not messages for the application.
    expect(env.handled).toEqual([]);
    expect(env.logs.at(50).some((l) => l.includes('the bot was removed from the staff group'))).toBe(true);
  });

  it('leaves a membership change unacknowledged when it could not be recorded', async () => {
    let broken = true;
    const left: string[] = [];
    const env = await setUp({
      options: {
        onStaffLeft: async (userId) => {
          if (broken) throw new Error('store busy');
          left.push(userId);
        },
      },
    });
    const channel = new TelegramChannel(env.options);
    await expect(channel.handleUpdate(service(30, { left_chat_member: wang }))).rejects.toBeInstanceOf(
      UpdateNotRecordedError,
    );
    expect(env.logs.at(50).some((l) => l.includes('could not record that someone joined or left'))).toBe(true);
    broken = false;
    await channel.handleUpdate(service(30, { left_chat_member: wang }));
    expect(left).toEqual(['51']);
  });

  it('does not wake the dispatcher for a duplicate, and survives a failing answerCallbackQuery', async () => {
    const env = await setUp({
      script: (call) =>
        call.method === 'answerCallbackQuery' ? fail(400, 'Bad Request: query is too old') : undefined,
      handle: async () => ({ duplicate: true }),
    });
    const channel = new TelegramChannel(env.options);
    await channel.handleUpdate(callback(5));
    expect(env.wakes()).toBe(0);
    expect(env.api.callsOf('answerCallbackQuery')).toHaveLength(1);
  });

  it('fails start-up with one clear line when the token is wrong, without the token in it', async () => {
    const env = await setUp({ script: (call) => (call.method === 'getMe' ? fail(401, 'Unauthorized') : undefined) });
    const error = await createTelegramChannel(env.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramStartupError);
    const message = (error as Error).message;
    expect(message).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain(TOKEN.split(':')[1]);
  });

  it('fails start-up with one clear line when the bot cannot reach the staff group', async () => {
    for (const [answer, says] of [
      [fail(400, 'Bad Request: chat not found'), /chat not found/],
      [fail(403, 'Forbidden: bot is not a member of the supergroup chat'), /not a member/],
      [
        fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1009876543210 }),
        /-1009876543210/,
      ],
    ] as const) {
      const env = await setUp({ script: (call) => (call.method === 'getChat' ? answer : undefined) });
      const error = await createTelegramChannel(env.options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TelegramStartupError);
      const message = (error as Error).message;
      expect(message).toMatch(/^TELEGRAM_STAFF_CHAT_ID -?\d+: /);
      expect(message).toMatch(says);
      expect(message).not.toContain('\n');
      expect(message).not.toContain(TOKEN.split(':')[1]);
      await env.api.close();
      await env.store.close();
    }
  });

  it('only warns when the staff group cannot be checked now, or is not a group', async () => {
    const down = await setUp({
      script: (call) => (call.method === 'getChat' ? { status: 502, body: 'Bad Gateway' } : undefined),
    });
    await expect(createTelegramChannel(down.options)).resolves.toBeDefined();
    expect(down.logs.at(40).some((l) => l.includes('could not check TELEGRAM_STAFF_CHAT_ID'))).toBe(true);
    await down.api.close();
    await down.store.close();
    const personal = await setUp({
      script: (call) => (call.method === 'getChat' ? ok({ id: 77, type: 'private' }) : undefined),
    });
    await expect(createTelegramChannel(personal.options)).resolves.toBeDefined();
    expect(personal.logs.at(40).some((l) => l.includes('is not a group'))).toBe(true);
  });

  it('fails start-up clearly when the Bot API cannot be reached', async () => {
    const env = await setUp();
    const port = await freePort();
    const error = await createTelegramChannel({
      ...env.options,
      config: { ...env.options.config, apiRoot: `http://127.0.0.1:${port}` },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramStartupError);
    expect((error as Error).message).toMatch(/could not check TELEGRAM_BOT_TOKEN/);
    expect((error as Error).message).not.toContain(TOKEN.split(':')[1]);
  });

  it('registers the commands in Chinese and English; a failure there is only a warning', async () => {
    const env = await setUp({
      script: (call) => (call.method === 'setMyCommands' ? { status: 500, body: {} } : undefined),
    });
    const channel = await createTelegramChannel(env.options);
    expect(channel.botInfo?.username).toBe('residesk_test_bot');
    const calls = env.api.callsOf('setMyCommands');
    expect(calls.map((c) => c.body.language_code)).toEqual(['zh', undefined]);
    expect(calls[0]?.body.scope).toEqual({ type: 'all_private_chats' });
    expect(JSON.stringify(calls[0]?.body.commands)).toContain('报修');
    expect(JSON.stringify(calls[1]?.body.commands)).toContain('Report a repair');
    expect(env.logs.at(40).some((l) => l.includes('could not register the bot commands'))).toBe(true);
    expect(env.logs.lines.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });

  it("takes the command menu's descriptions from the locale texts", async () => {
    const env = await setUp({ options: { translate: (locale, key) => `${locale}|${key}` } });
    await createTelegramChannel(env.options);
    const [zh, en] = env.api.callsOf('setMyCommands');
    expect(zh?.body.commands).toContainEqual({ command: 'repair', description: 'zh-CN|telegram.commands.repair' });
    expect(en?.body.commands).toContainEqual({ command: 'help', description: 'en|telegram.commands.help' });
    expect(en?.body.commands).toHaveLength(9);
  });

  it('long-polls after deleteWebhook, moves the offset only past recorded updates, and stops', async () => {
    const batches: TgUpdate[][] = [
      [
        { update_id: 70, message: { message_id: 1, chat: privateChat, from: owner, text: 'hello' } },
        { update_id: 71, message: { message_id: 2, chat: privateChat, from: owner, text: 'again' } },
      ],
      [{ update_id: 71, message: { message_id: 2, chat: privateChat, from: owner, text: 'again' } }],
    ];
    let failOnce = true;
    const handled: string[] = [];
    const env = await setUp({
      script: (call) => {
        if (call.method !== 'getUpdates' || call.body.timeout === 0) return undefined;
        const next = batches.shift();
        return next ? ok(next) : { ...(ok([]) as { status: number; body: unknown }), delayMs: 100 };
      },
      handle: async (i) => {
        if (i.messageId === '987654:71' && failOnce) {
          failOnce = false;
          throw new Error('store busy');
        }
        handled.push(i.messageId);
        return { duplicate: false };
      },
      options: { pollTimeoutSec: 1, pollRetryMs: 20 },
    });
    const channel = await createTelegramChannel(env.options);
    channels.push(channel);
    await channel.start();
    expect(env.api.calls.map((c) => c.method)).toContain('deleteWebhook');
    await waitFor(() => handled.length === 2, 'both updates handled');
    // The poll after the second update may come a moment after it was handled.
    await waitFor(() => env.api.callsOf('getUpdates').length >= 3, 'the poll after both updates');
    const offsets = env.api.callsOf('getUpdates').map((c) => c.body.offset);
    // 70 recorded → offset 71; 71 failed → asked for again from 71; then recorded → 72.
    expect(offsets.slice(0, 3)).toEqual([0, 71, 72]);
    // The dedupe key carries the bot's id: update ids count per bot.
    expect(handled).toEqual(['987654:70', '987654:71']);
    await channel.stop();
    const last = env.api.callsOf('getUpdates').at(-1);
    expect(last?.body).toMatchObject({ offset: 72, timeout: 0 });
  });

  it('keeps a generated webhook secret in the store and uses it again after a restart', async () => {
    const env = await setUp();
    const port = await freePort();
    const options = {
      ...env.options,
      config: { ...env.options.config, port, webhookUrl: `https://bot.example.com/tg/hook` },
    };
    const first = await createTelegramChannel(options);
    channels.push(first);
    await first.start();
    const [registered] = env.api.callsOf('setWebhook');
    expect(registered?.body).toMatchObject({
      url: 'https://bot.example.com/tg/hook',
      allowed_updates: ['message', 'callback_query', 'my_chat_member', 'chat_member'],
    });
    const secret = String(registered?.body.secret_token);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(await env.store.getSetting(WEBHOOK_SECRET_SETTING)).toBe(secret);
    await first.stop();

    const second = await createTelegramChannel(options);
    channels.push(second);
    await second.start();
    expect(env.api.callsOf('setWebhook')[1]?.body.secret_token).toBe(secret);

    // The server's edges: health, wrong path, wrong method, bad JSON, too large, not recorded.
    const base = `http://127.0.0.1:${port}`;
    const headers = { 'x-telegram-bot-api-secret-token': secret, 'content-type': 'application/json' };
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    expect((await fetch(`${base}/telegraf/hook`, { method: 'POST', headers, body: '{}' })).status).toBe(404);
    expect((await fetch(`${base}/tg/hook`, { headers })).status).toBe(405);
    expect((await fetch(`${base}/tg/hook`, { method: 'POST', headers, body: '{not json' })).status).toBe(400);
    expect((await fetch(`${base}/tg/hook`, { method: 'POST', headers, body: '{"hello":1}' })).status).toBe(400);
    const huge = JSON.stringify({ update_id: 1, message: { text: 'x'.repeat(1024 * 1024) } });
    expect((await fetch(`${base}/tg/hook`, { method: 'POST', headers, body: huge })).status).toBe(413);
    expect(env.handled).toHaveLength(0);
  });

  it('answers 500 when the update could not be recorded, so that Telegram sends it again', async () => {
    const env = await setUp({
      handle: async () => {
        throw new Error('disk full');
      },
    });
    const post = await startWebhook(env);
    expect(env.api.callsOf('setWebhook')[0]?.body.secret_token).toBe('configured_secret');
    const response = await post({
      update_id: 5,
      message: { message_id: 1, chat: privateChat, from: owner, text: 'my phone is 13812345678' },
    });
    expect(response.status).toBe(500);
    // Owners' texts never reach the logs.
    expect(env.logs.lines.join('\n')).not.toContain('13812345678');
  });

  it('answers a button press in the webhook reply, and with a call of its own when the update was not recorded', async () => {
    const app = failingOnDemand({ text: '这个问题已经过去了', alert: true });
    const env = await setUp({ handle: app.handle });
    const post = await startWebhook(env);

    const pressed = await post(callback(7));
    expect(pressed.status).toBe(200);
    expect(pressed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await pressed.json()).toEqual({
      method: 'answerCallbackQuery',
      callback_query_id: 'cb-7',
      text: '这个问题已经过去了',
      show_alert: true,
    });
    // A button on an inline message is not ours, but it is answered too; a typed message has nothing to answer.
    const inline = await post({ update_id: 8, callback_query: { id: 'cb-8', from: owner, data: 'x' } });
    expect(await inline.json()).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'cb-8' });
    const typed = await post({
      update_id: 9,
      message: { message_id: 2, chat: privateChat, from: owner, text: '你好' },
    });
    expect([typed.status, await typed.text()]).toEqual([200, '']);
    expect(env.api.callsOf('answerCallbackQuery')).toEqual([]);

    // Not recorded: 500, whose body Telegram does not act on, so the press is answered by a call.
    app.fail();
    const failed = await post(callback(10));
    expect(failed.status).toBe(500);
    expect(env.api.callsOf('answerCallbackQuery').map((c) => c.body)).toEqual([{ callback_query_id: 'cb-10' }]);
  });
});
