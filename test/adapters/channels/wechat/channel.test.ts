/**
 * The WeChat channel against wechaty-puppet-mock, with a recording application handler: receiving,
 * sending, login, friend requests, the staff room and restarts. The whole application runs in
 * test/e2e/wechat.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWechatChannel,
  qrLink,
  restartDelay,
  WECHATY_INSTALL,
  type WechatChannel,
  type WechatChannelOptions,
  wechatStaffAddress,
} from '../../../../src/adapters/channels/wechat/wechat.js';
import type { InboundResult } from '../../../../src/app/app.js';
import type { Inbound } from '../../../../src/core/types.js';
import { createLogger } from '../../../../src/logger.js';
import { describeWithWechaty, type MockWorld, mockWorld, settle, WECHATY_SKIPPED, waitFor } from './support.js';

interface Setup {
  world: MockWorld;
  channel: WechatChannel;
  inbounds: Inbound[];
  logs: Record<string, unknown>[];
  qr: string[];
  dataDir: string;
}

const running: Setup[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) {
    await s.channel.stop();
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

async function setup(
  o: {
    staffRoom?: 'id' | 'topic' | string;
    acceptFriends?: boolean;
    handle?: (inbound: Inbound) => Promise<InboundResult>;
    login?: boolean;
    intervalMs?: number;
    extra?: Partial<WechatChannelOptions>;
    world?: MockWorld;
  } = {},
): Promise<Setup> {
  const world = o.world ?? mockWorld();
  const dataDir = mkdtempSync(join(tmpdir(), 'residesk-wechat-'));
  const inbounds: Inbound[] = [];
  const logs: Record<string, unknown>[] = [];
  const qr: string[] = [];
  const staffRoom =
    o.staffRoom === undefined || o.staffRoom === 'id'
      ? world.staffRoom.id
      : o.staffRoom === 'topic'
        ? String(world.staffRoom.payload.topic)
        : o.staffRoom;
  const log = createLogger({
    level: 'info',
    format: 'json',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const channel = await createWechatChannel({
    config: {
      puppet: 'wechaty-puppet-mock',
      staffRoom,
      acceptFriends: o.acceptFriends ?? false,
      sendIntervalMs: o.intervalMs ?? 0,
    },
    dataDir,
    log,
    handle:
      o.handle ??
      (async (inbound) => {
        inbounds.push(inbound);
        return { duplicate: false };
      }),
    wake: () => undefined,
    now: () => new Date(),
    puppet: world.puppet,
    qrOutput: new Writable({
      write(chunk, _enc, done) {
        qr.push(String(chunk));
        done();
      },
    }),
    ...o.extra,
  });
  const s = { world, channel, inbounds, logs, qr, dataDir };
  running.push(s);
  await channel.start();
  if (o.login ?? true) {
    world.mocker.login(world.me);
    await waitFor(() => channel.loggedIn && channel.staffRoom, 'the login and the staff room');
  }
  return s;
}

describe('WeChat channel: wechaty is an optional extra', () => {
  const options = (extra: Partial<WechatChannelOptions> = {}): WechatChannelOptions => ({
    config: { puppet: 'wechaty-puppet-wechat4u', staffRoom: 'x', acceptFriends: false, sendIntervalMs: 1500 },
    dataDir: tmpdir(),
    log: createLogger({ level: 'silent', format: 'json' }),
    handle: async () => ({ duplicate: false }),
    wake: () => undefined,
    now: () => new Date(),
    secrets: ['puppet_token_123'],
    ...extra,
  });

  /** The error Node itself gives for `import(name)` where no such package is installed. */
  function nodeImportError(name: string): Error {
    const script = `import(${JSON.stringify(name)}).catch((e) => process.stdout.write(JSON.stringify({ code: e.code, message: e.message })))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      encoding: 'utf8',
    });
    const { code, message } = JSON.parse(out) as { code: string; message: string };
    return Object.assign(new Error(message), { code });
  }

  const MISSING = `WeChat personal account needs the optional package: ${WECHATY_INSTALL} (unofficial, the account may be banned; see README, "WeChat personal account")`;

  it('says in one line which package to install when wechaty is not installed', async () => {
    const error = nodeImportError('wechaty');
    expect(error).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    const attempt = createWechatChannel(
      options({ importLibrary: (name) => Promise.reject(name === 'wechaty' ? error : new Error('unused')) }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'WechatStartupError',
      code: 'WECHAT_LIBRARY_MISSING',
      message: MISSING,
    });
    expect(MISSING).not.toContain('\n');
    expect(WECHATY_INSTALL).toBe('npm install --no-save wechaty@1 file-box@1');
  });

  it('says the same when only file-box is missing', async () => {
    const error = nodeImportError('file-box');
    const attempt = createWechatChannel(
      options({ importLibrary: (name) => (name === 'file-box' ? Promise.reject(error) : Promise.resolve({})) }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'WECHAT_LIBRARY_MISSING', message: MISSING });
  });

  it('names the failure, without secrets, when wechaty is installed but cannot be loaded', async () => {
    const broken = Object.assign(
      new Error("Cannot find package 'gerror' imported from node_modules/wechaty (token puppet_token_123)"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    const attempt = createWechatChannel(options({ importLibrary: () => Promise.reject(broken) }));
    const error = (await attempt.catch((e: unknown) => e)) as Error & { code: string };
    expect(error).toMatchObject({ name: 'WechatStartupError', code: 'WECHAT_LIBRARY_MISSING' });
    expect(error.message).toContain("wechaty could not be loaded (Cannot find package 'gerror'");
    expect(error.message).toContain(`install it again: ${WECHATY_INSTALL}`);
    expect(error.message).not.toContain('puppet_token_123');
  });

  it.skipIf(!WECHATY_SKIPPED)('fails at start-up with that line here, where wechaty is not installed', async () => {
    await expect(createWechatChannel(options())).rejects.toMatchObject({
      code: 'WECHAT_LIBRARY_MISSING',
      message: MISSING,
    });
  });
});

describeWithWechaty('WeChat channel: login', () => {
  it('draws the QR code, logs its link, and logs login and logout without names', async () => {
    const s = await setup({ login: false });
    s.world.mocker.scan('https://login.weixin.qq.com/l/abc123', s.world.types.ScanStatus.Waiting);
    await waitFor(() => s.qr.length > 0, 'the QR code to be drawn');
    expect(s.qr.join('')).toMatch(/▄|█|▀/);
    expect(s.logs.find((l) => l.link)?.link).toBe(qrLink('https://login.weixin.qq.com/l/abc123'));
    expect(qrLink('https://login.weixin.qq.com/l/abc123')).toBe(
      'https://wechaty.js.org/qrcode/https%3A%2F%2Flogin.weixin.qq.com%2Fl%2Fabc123',
    );
    expect(s.channel.reserve('anyone', Date.now())).toBeGreaterThan(0);

    s.world.mocker.login(s.world.me);
    await waitFor(() => s.channel.staffRoom, 'the staff room');
    expect(s.channel.staffRoom).toBe(s.world.staffRoom.id);
    expect(s.logs.map((l) => l.msg)).toContain('WeChat logged in');
    expect(JSON.stringify(s.logs)).not.toContain('物业助手');
  });

  it('finds the staff room by its topic, and the app addresses it by the configured name', async () => {
    const s = await setup({ staffRoom: 'topic' });
    expect(s.channel.staffRoom).toBe(s.world.staffRoom.id);
    const topic = String(s.world.staffRoom.payload.topic);
    expect(wechatStaffAddress({ staffRoom: topic })).toEqual({ channel: 'wechat', chatId: topic });
    s.world.staff.say('T261128-0007 接单').to(s.world.staffRoom);
    const inbound = await waitFor(() => s.inbounds[0], 'the staff message');
    expect(inbound).toMatchObject({ chatKind: 'staff', chatId: topic, userId: s.world.staff.id, userName: '李师傅' });
    expect(await s.channel.deliver(topic, { kind: 'send', message: { text: '卡片' } })).toMatchObject({
      status: 'sent',
    });
    expect(s.world.to(s.world.staffRoom.id).map((m) => m.text)).toEqual(['卡片']);
  });

  it('fails at start-up with one clear line when the puppet is not installed', async () => {
    const attempt = createWechatChannel({
      config: { puppet: 'wechaty-puppet-not-installed', staffRoom: 'x', acceptFriends: false, sendIntervalMs: 1500 },
      dataDir: tmpdir(),
      log: createLogger({ level: 'silent', format: 'json' }),
      handle: async () => ({ duplicate: false }),
      wake: () => undefined,
      now: () => new Date(),
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'WechatStartupError',
      code: 'WECHAT_PUPPET_MISSING',
      message: expect.stringContaining('npm install wechaty-puppet-not-installed'),
    });
  });

  it('refuses a staff room name that several rooms share', async () => {
    const world = mockWorld({ staffTopic: '员工群（重名）' });
    world.mocker.createRoom({ topic: '员工群（重名）', memberIdList: [world.me.id, world.stranger.id] });
    const s = await setup({ world, staffRoom: '员工群（重名）', login: false });
    world.mocker.login(world.me);
    await waitFor(() => s.logs.some((l) => String(l.msg).startsWith('several rooms')), 'the refusal');
    expect(s.channel.staffRoom).toBeUndefined();
    world.staff.say('T261128-0007 接单').to(world.staffRoom);
    await settle(100);
    expect(s.inbounds).toEqual([]);
    expect(s.channel.reserve(world.staffRoom.payload.topic ?? '', Date.now())).toBeGreaterThan(0);
  });

  it('restarts the bot with backoff when the puppet stops', async () => {
    expect([1, 2, 3, 9, 10, 20].map((n) => restartDelay(n))).toEqual([1000, 2000, 4000, 256_000, 300_000, 300_000]);
    const s = await setup({ extra: { restartMinMs: 20, restartMaxMs: 100 } });
    await s.world.puppet.stop();
    expect(s.channel.loggedIn).toBe(false);
    await waitFor(() => s.logs.some((l) => l.msg === 'WeChat restarted'), 'the restart');
    expect(s.logs.find((l) => l.msg === 'WeChat connection lost; restarting')).toMatchObject({
      waitMs: 20,
      attempt: 1,
    });
    // A new login after the restart.
    s.world.mocker.login(s.world.me);
    await waitFor(() => s.channel.loggedIn && s.channel.staffRoom, 'the login after the restart');
  });
});

describeWithWechaty('WeChat channel: receiving', () => {
  it('hands one-to-one texts and staff-room texts to the app; other rooms and its own messages are ignored', async () => {
    const s = await setup();
    const { world } = s;
    world.owner.say('报修').to(world.me);
    world.stranger.say('T261128-0007 接单').to(world.otherRoom);
    world.owner.say('大家好').to(world.otherRoom);
    world.me.say('我是机器人').to(world.owner);
    world.staff.say('@物业助手\u2005T261128-0007 接单').to(world.staffRoom);
    await waitFor(() => s.inbounds.length >= 2, 'two messages');
    await settle(100);
    expect(s.inbounds).toHaveLength(2);
    expect(s.inbounds.find((i) => i.chatKind === 'private')).toMatchObject({
      channel: 'wechat',
      chatId: world.owner.id,
      userId: world.owner.id,
      userName: '王阿姨',
      content: { type: 'text', text: '报修' },
    });
    expect(s.inbounds.find((i) => i.chatKind === 'staff')).toMatchObject({
      chatId: world.staffRoom.id,
      userId: world.staff.id,
      content: { type: 'text', text: 'T261128-0007 接单' },
    });
    // Nothing an owner wrote reaches the logs at info.
    expect(JSON.stringify(s.logs)).not.toMatch(/报修|王阿姨|李师傅/);
  });

  it('keeps the order of one chat even when handling the first message is slow', async () => {
    const seen: string[] = [];
    const s = await setup({
      handle: async (inbound) => {
        const text = inbound.content.type === 'text' ? inbound.content.text : '';
        if (text === '1') await settle(80);
        seen.push(text);
        return { duplicate: false };
      },
    });
    s.world.owner.say('1').to(s.world.me);
    s.world.owner.say('2').to(s.world.me);
    s.world.owner.say('3').to(s.world.me);
    await waitFor(() => seen.length === 3, 'three messages');
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('saves an owner’s image under the data directory and hands over a photo', async () => {
    const s = await setup();
    s.world.image(s.world.owner);
    const inbound = await waitFor(() => s.inbounds[0], 'the photo');
    expect(inbound.content.type).toBe('photo');
    const ref = inbound.content.type === 'photo' ? inbound.content.fileRef : '';
    expect(ref).toBe(join(s.dataDir, 'attachments', 'wechat', `${inbound.messageId}.jpg`));
    expect(readFileSync(ref).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('hands voice, video and files over as unsupported, for a polite re-prompt', async () => {
    const s = await setup();
    const T = s.world.types.Message;
    s.world.raw(s.world.owner, T.Audio, undefined);
    s.world.raw(s.world.owner, T.Video, undefined);
    s.world.raw(s.world.owner, T.Attachment, undefined);
    await waitFor(() => s.inbounds.length === 3, 'three messages');
    expect(s.inbounds.map((i) => i.content)).toEqual([
      { type: 'unsupported', what: 'voice' },
      { type: 'unsupported', what: 'video' },
      { type: 'unsupported', what: 'document' },
    ]);
  });

  it('tries again to record a message when the store fails for a moment', async () => {
    let calls = 0;
    const s = await setup({
      extra: { recordAttempts: 2 },
      handle: async (inbound) => {
        calls += 1;
        if (calls === 1) throw new Error('database is locked');
        return { duplicate: false, ...(inbound ? {} : {}) };
      },
    });
    s.world.owner.say('你好').to(s.world.me);
    await waitFor(() => calls === 2, 'the second try', 4000);
  });

  it('accepts a friend request when configured, and greets with the menu', async () => {
    const s = await setup({ acceptFriends: true });
    const accepted: string[] = [];
    const puppet = s.world.puppet as unknown as {
      friendshipRawPayload: (id: string) => Promise<unknown>;
      friendshipAccept: (id: string) => Promise<void>;
    };
    puppet.friendshipRawPayload = async (id) => ({
      id,
      contactId: s.world.stranger.id,
      hello: '我是3栋的业主',
      type: s.world.types.Friendship.Receive,
      timestamp: Date.now(),
    });
    puppet.friendshipAccept = async (id) => void accepted.push(id);
    s.world.puppet.emit('friendship', { friendshipId: 'fr-1' });
    const inbound = await waitFor(() => s.inbounds[0], 'the greeting');
    expect(accepted).toEqual(['fr-1']);
    expect(inbound).toMatchObject({
      chatKind: 'private',
      chatId: s.world.stranger.id,
      userId: s.world.stranger.id,
      messageId: 'friend:fr-1',
      content: { type: 'text', text: '/start' },
    });
  });

  it('leaves friend requests alone when WECHAT_ACCEPT_FRIENDS is off', async () => {
    const s = await setup({ acceptFriends: false });
    const accepted: string[] = [];
    const puppet = s.world.puppet as unknown as {
      friendshipRawPayload: (id: string) => Promise<unknown>;
      friendshipAccept: (id: string) => Promise<void>;
    };
    puppet.friendshipRawPayload = async (id) => ({
      id,
      contactId: s.world.stranger.id,
      type: s.world.types.Friendship.Receive,
      timestamp: Date.now(),
    });
    puppet.friendshipAccept = async (id) => void accepted.push(id);
    s.world.puppet.emit('friendship', { friendshipId: 'fr-2' });
    await waitFor(() => s.logs.some((l) => String(l.msg).includes('not accepted')), 'the log line');
    expect(accepted).toEqual([]);
    expect(s.inbounds).toEqual([]);
  });

  it('tells the application when someone leaves the staff room', async () => {
    const left: string[] = [];
    const s = await setup({ extra: { onStaffLeft: async (id) => void left.push(id) } });
    s.world.staffRoom.remove(s.world.staff2).by(s.world.staff);
    await waitFor(() => left.length > 0, 'the leave');
    expect(left).toEqual([s.world.staff2.id]);
  });

  it('tells the application when someone is added back to the staff room', async () => {
    const left: string[] = [];
    const joined: string[] = [];
    const s = await setup({
      extra: { onStaffLeft: async (id) => void left.push(id), onStaffJoined: async (id) => void joined.push(id) },
    });
    s.world.staffRoom.remove(s.world.staff2).by(s.world.staff);
    await waitFor(() => left.length > 0, 'the leave');
    s.world.staffRoom.add(s.world.staff2).by(s.world.staff);
    await waitFor(() => joined.length > 0, 'the join');
    expect(joined).toEqual([s.world.staff2.id]);
  });
});

describeWithWechaty('WeChat channel: sending', () => {
  it('sends text with numbered choices and returns an id the dispatcher can keep', async () => {
    const s = await setup();
    const result = await s.channel.deliver(s.world.owner.id, {
      kind: 'send',
      message: {
        text: '请问是哪方面的问题？',
        ref: 'prompt:2',
        buttons: [[{ label: '水电', data: '2:o.water_power' }], [{ label: '电梯', data: '2:o.lift' }]],
      },
    });
    expect(result.status).toBe('sent');
    expect(result.status === 'sent' && result.platformMessageId).toBeTruthy();
    await waitFor(() => s.world.to(s.world.owner.id)[0], 'the message');
    expect(s.world.to(s.world.owner.id).map((m) => m.text)).toEqual(['请问是哪方面的问题？\n\n1. 水电\n2. 电梯']);
  });

  it('waits while logged out, and until the staff room is found', async () => {
    const s = await setup({ login: false });
    expect(await s.channel.deliver(s.world.owner.id, { kind: 'send', message: { text: 'x' } })).toMatchObject({
      status: 'rate_limited',
    });
    expect(s.channel.reserve(s.world.owner.id, Date.now())).toBe(5000);
  });

  it('does nothing for an answered question, and posts a changed card again', async () => {
    const s = await setup();
    const edit = await s.channel.deliver(
      s.world.owner.id,
      { kind: 'edit', ref: 'prompt:3', message: { text: '请问是哪方面的问题？\n\n✓ 电梯' } },
      'wx-local:1',
    );
    expect(edit).toEqual({ status: 'sent', platformMessageId: 'wx-local:1' });
    const card = await s.channel.deliver(
      s.world.staffRoom.id,
      {
        kind: 'edit',
        ref: 'card:T261128-0007',
        message: {
          text: '🆕 新工单 T261128-0007\n状态：已受理',
          buttons: [[{ label: '💬 回复', data: 's|reply|T261128-0007' }]],
        },
      },
      'wx-local:2',
    );
    expect(card.status).toBe('sent');
    await settle(50);
    expect(s.world.to(s.world.owner.id)).toEqual([]);
    expect(s.world.to(s.world.staffRoom.id).map((m) => m.text)).toEqual([
      '🆕 新工单 T261128-0007\n状态：已受理\n\n💬 回复：T261128-0007 回复 …',
    ]);
  });

  it('splits long texts at WeChat’s limit, in order', async () => {
    const s = await setup();
    const text = `${'一'.repeat(1500)}\n${'二'.repeat(1500)}`;
    expect((await s.channel.deliver(s.world.owner.id, { kind: 'send', message: { text } })).status).toBe('sent');
    await waitFor(() => s.world.to(s.world.owner.id).length === 2, 'two parts');
    expect(s.world.to(s.world.owner.id).map((m) => m.text)).toEqual(['一'.repeat(1500), '二'.repeat(1500)]);
  });

  it('sends the photos saved here after the text, and skips other channels’ file ids', async () => {
    const s = await setup();
    const dir = join(s.dataDir, 'attachments', 'wechat');
    mkdirSync(dir, { recursive: true });
    const photo = join(dir, 'm1.jpg');
    writeFileSync(photo, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const result = await s.channel.deliver(s.world.staffRoom.id, {
      kind: 'send',
      message: { text: '🆕 新工单 T261128-0007', photos: [photo, 'AgACAgIAAxkBAAIB-telegram-file-id'] },
    });
    expect(result.status).toBe('sent');
    await waitFor(() => s.world.to(s.world.staffRoom.id).length === 2, 'the card and its photo');
    const [text, image] = s.world.to(s.world.staffRoom.id);
    expect(text?.text).toBe('🆕 新工单 T261128-0007');
    expect(image).toMatchObject({ type: s.world.types.Message.Image, fileName: 'm1.jpg' });
    expect(existsSync(photo)).toBe(true);
  });

  it('reports a contact it cannot reach as unreachable', async () => {
    const s = await setup();
    const result = await s.channel.deliver('wxid_gone', { kind: 'send', message: { text: '您好' } });
    expect(result.status).toBe('unreachable');
  });

  it('paces the whole account, and gives the slot back for a question it did not need to edit', async () => {
    const s = await setup({ intervalMs: 1500, extra: { random: () => 0 } });
    const t = Date.now();
    expect(s.channel.reserve(s.world.owner.id, t)).toBe(0);
    // Another chat waits for the same account-wide slot.
    expect(s.channel.reserve(s.world.staff.id, t)).toBe(1500);
    // An answered question sends nothing on WeChat: its slot is given back.
    await s.channel.deliver(s.world.owner.id, { kind: 'edit', ref: 'prompt:1', message: { text: 'x' } }, 'wx-local:1');
    expect(s.channel.reserve(s.world.staff.id, t)).toBe(0);
    await s.channel.deliver(s.world.staff.id, { kind: 'send', message: { text: '您好' } });
    expect(s.channel.reserve(s.world.owner.id, t + 1000)).toBe(500);
    expect(s.channel.reserve(s.world.owner.id, t + 1500)).toBe(0);
  });
});
