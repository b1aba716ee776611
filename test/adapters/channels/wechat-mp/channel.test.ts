/**
 * The Service Account channel end to end over a local fake of WeChat's platform (test/support/
 * fake-wechat-mp.ts): callbacks posted as WeChat posts them (signed, AES safe mode), the real App on
 * SQLite, the dispatcher delivering through 客服消息 on the fake, and the fake clock.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import type { WechatMpChannel } from '../../../../src/adapters/channels/wechat-mp/wechat-mp.js';
import { ownerFromDoc, ownerToDoc } from '../../../../src/adapters/store/mongo/mapping.js';
import { ownerSchema } from '../../../../src/adapters/store/mongo/schemas.js';
import { openSqliteStore } from '../../../../src/adapters/store/sqlite/store.js';
import { Dispatcher } from '../../../../src/app/dispatcher.js';
import type { Store } from '../../../../src/core/ports.js';
import type { Owner } from '../../../../src/core/types.js';
import { FakeClock } from '../../../support/clock.js';
import type { FakeWechatMp } from '../../../support/fake-wechat-mp.js';
import { makeApp } from '../../../support/harness.js';
import { MP_ACCOUNT, startFakeMp, startMpChannel } from '../../../support/mp-channel.js';

const HOUR = 3_600_000;

interface World {
  clock: FakeClock;
  fake: FakeWechatMp;
  store: Store;
  channel: WechatMpChannel;
  dispatcher: Dispatcher;
  url: string;
  dataDir: string;
  /** Posts a callback as WeChat does, waits for its handling and the deliveries. */
  push: (xml: string, opts?: Parameters<FakeWechatMp['push']>[2]) => Promise<{ status: number; body: string }>;
  owner: (openId: string) => Promise<Owner | undefined>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(): Promise<World> {
  const clock = new FakeClock();
  const { fake, apiRoot } = await startFakeMp(clock);
  cleanups.push(() => fake.stop());
  const store = await openSqliteStore({ path: ':memory:' });
  cleanups.push(() => store.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'residesk-mp-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const app = makeApp({ store, clock });
  const channel = await startMpChannel({ app, apiRoot, dataDir });
  cleanups.push(() => channel.stop());
  const dispatcher = new Dispatcher({ store, clock, senders: [channel], log: app.ctx.log, workerId: 'test' });
  const url = `http://127.0.0.1:${channel.port}/wechat-mp`;
  return {
    clock,
    fake,
    store,
    channel,
    dispatcher,
    url,
    dataDir,
    async push(xml, opts) {
      const answer = await fake.push(url, xml, opts);
      await channel.settled();
      await dispatcher.drain();
      return answer;
    },
    owner: (openId) => store.findOwnerByIdentity('wechat_mp', openId),
  };
}

const OWNER = 'oia2TjjewbmiOUlr6X-1crbLOvLw';

function follow(w: World, scene?: string, openId = OWNER): string {
  return w.fake.xml(openId, {
    MsgType: 'event',
    Event: 'subscribe',
    ...(scene ? { EventKey: `qrscene_${scene}`, Ticket: 'TICKET' } : {}),
  });
}

function text(w: World, content: string, openId = OWNER, msgId = w.fake.nextMsgId()): string {
  return w.fake.xml(openId, { MsgType: 'text', Content: content, MsgId: msgId });
}

describe('the callback URL', () => {
  it('answers WeChat’s check with echostr only when the signature is right', async () => {
    const w = await world();
    const ok = await fetch(
      `${w.url}?signature=f21891de399b4e33a1a93c9a7b8a8fffb5a443ab&timestamp=1409659589&nonce=263014780&echostr=hello`,
    );
    // The signature above is for another token: refused.
    expect(ok.status).toBe(401);
    const { getSignature } = await import('@wecom/crypto');
    const signature = getSignature(MP_ACCOUNT.token, '1409659589', '263014780', '');
    const right = await fetch(`${w.url}?signature=${signature}&timestamp=1409659589&nonce=263014780&echostr=hello`);
    expect(right.status).toBe(200);
    expect(await right.text()).toBe('hello');
  });

  it('refuses a wrong signature, a message for another account and one sealed with another key — and handles none', async () => {
    const w = await world();
    expect((await w.push(text(w, '你好'), { signWith: 'otherToken' })).status).toBe(401);
    expect((await w.push(text(w, '你好'), { appId: 'wxb11529c136998cb6' })).status).toBe(400);
    expect((await w.push(text(w, '你好'), { aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' })).status).toBe(400);
    expect(w.fake.sent).toEqual([]);
    expect(await w.owner(OWNER)).toBeUndefined();
  });
});

describe('owners on the Service Account', () => {
  it('binds a follower to the building of the QR code and welcomes them within the short window', async () => {
    const w = await world();
    const answer = await w.push(follow(w, 'sunshine:3'));
    expect(answer).toEqual({ status: 200, body: 'success' });
    expect((await w.owner(OWNER))?.qrBuilding).toEqual({ estate: 'sunshine', building: '3' });
    const texts = w.fake.textsTo(OWNER);
    // A follow allows 3 messages within a minute: the greeting and the menu take two.
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.length).toBeLessThanOrEqual(3);
    expect(texts.at(-1)).toContain('\n1. 🔧 报修');
    expect(w.channel.replyWindow(OWNER)).toMatchObject({ lastEventAt: w.clock.now(), sentSinceEvent: texts.length });
    // Scanning another building's code later moves the follower there.
    await w.push(w.fake.xml(OWNER, { MsgType: 'event', Event: 'SCAN', EventKey: 'sunshine:5', Ticket: 'T' }));
    expect((await w.owner(OWNER))?.qrBuilding).toEqual({ estate: 'sunshine', building: '5' });
  });

  it('sends choices as numbered lines and reads a typed number back as the button', async () => {
    const w = await world();
    await w.push(follow(w));
    const before = w.fake.textsTo(OWNER).length;
    await w.push(text(w, '1'));
    const reply = w.fake.textsTo(OWNER).slice(before);
    // 1 is 🔧 报修: the repair form asks what kind of problem, its options numbered again.
    expect(reply.at(-1)).toMatch(/^请问是哪方面的问题？\n\n1\. 户内水电\n2\. /);
  });

  it('handles a message once however often WeChat retries it (same MsgId)', async () => {
    const w = await world();
    await w.push(follow(w));
    const xml = text(w, '你好');
    const before = w.fake.textsTo(OWNER).length;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await w.push(xml));
    expect(answers.every((a) => a.body === 'success')).toBe(true);
    const once = w.fake.textsTo(OWNER).length - before;
    expect(once).toBeGreaterThan(0);
    await w.push(text(w, '你好'));
    // A new MsgId is a new message: answered again, as many messages as the first time.
    expect(w.fake.textsTo(OWNER).length - before).toBe(2 * once);
  });

  it('keeps two events of one second apart (a follow and a menu click)', async () => {
    const w = await world();
    const second = w.fake.tick();
    await w.push(w.fake.xml(OWNER, { MsgType: 'event', Event: 'subscribe' }, second));
    const before = w.fake.textsTo(OWNER).length;
    await w.push(w.fake.xml(OWNER, { MsgType: 'event', Event: 'CLICK', EventKey: 'mytickets' }, second));
    expect(w.fake.textsTo(OWNER).length).toBeGreaterThan(before);
  });

  it('fetches the token again when it expires mid-run, once, and loses no message', async () => {
    const w = await world();
    await w.push(follow(w));
    const fetches = w.fake.tokenFetches;
    const before = w.fake.textsTo(OWNER).length;
    w.fake.expireTokens();
    await w.push(text(w, '你好'));
    expect(w.fake.textsTo(OWNER).length).toBeGreaterThan(before);
    expect(w.fake.tokenFetches).toBe(fetches + 1);
    // The cached token is used until five minutes before it expires, then fetched again.
    const cached = w.fake.tokenFetches;
    await w.push(text(w, '你好'));
    expect(w.fake.tokenFetches).toBe(cached);
    w.clock.advance(2 * HOUR - 4 * 60_000);
    await w.push(text(w, '你好'));
    expect(w.fake.tokenFetches).toBe(cached + 1);
  });

  it('marks an owner who unfollowed unreachable', async () => {
    const w = await world();
    await w.push(follow(w));
    await w.push(w.fake.xml(OWNER, { MsgType: 'event', Event: 'unsubscribe' }));
    expect((await w.owner(OWNER))?.unreachable).toBe(true);
    expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: '您好' } })).toMatchObject({
      status: 'unreachable',
    });
  });

  it('saves an owner’s photo from WeChat under the data directory', async () => {
    const w = await world();
    await w.push(follow(w));
    w.fake.addMedia('media-1', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg');
    const msgId = w.fake.nextMsgId();
    await w.push(w.fake.xml(OWNER, { MsgType: 'image', PicUrl: 'http://x/pic', MediaId: 'media-1', MsgId: msgId }));
    const saved = readdirSync(join(w.dataDir, 'attachments', 'wechat-mp'));
    expect(saved).toEqual([`${msgId}.jpg`]);
  });
});

describe('the reply window (45015, 45047)', () => {
  it('a 6th message after the owner’s message is refused for the quota, and any after 48 hours for the window', async () => {
    const w = await world();
    // The owner writes; what the bot answers stays in the outbox (not drained), so the count is ours.
    await w.fake.push(w.url, text(w, '你好'));
    await w.channel.settled();
    for (let i = 1; i <= 5; i++) {
      expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: `第${i}条` } })).toMatchObject({
        status: 'sent',
      });
    }
    expect(w.channel.replyWindow(OWNER)).toMatchObject({ sentSinceMessage: 5 });
    expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: '第6条' } })).toMatchObject({
      status: 'rejected',
      window: 'quota',
    });
    w.clock.advance(49 * HOUR);
    expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: '回访' } })).toMatchObject({
      status: 'rejected',
      window: 'closed',
    });
  });

  it('maps the platform being busy to a retry and a missing permission to a configuration fault', async () => {
    const w = await world();
    await w.fake.push(w.url, text(w, '你好'));
    await w.channel.settled();
    w.fake.failNext(-1, 48001);
    expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: 'a' } })).toMatchObject({
      status: 'transient',
    });
    expect(await w.channel.deliver(OWNER, { kind: 'send', message: { text: 'a' } })).toMatchObject({
      status: 'misconfigured',
    });
  });
});

describe('the menu and the owner record', () => {
  it('creates the menu from flows/wechat-mp/menu.yaml: Chinese by default, English for English WeChat', async () => {
    const w = await world();
    const [main, english] = w.fake.menus;
    const names = (menu: typeof main) => ((menu?.body.button ?? []) as { name: string }[]).map((b) => b.name);
    expect(main?.conditional).toBe(false);
    expect(names(main)).toEqual(['🔧 报修', '更多服务', '🚨 紧急']);
    expect(english?.body.matchrule).toEqual({ language: 'en' });
    expect(names(english)).toEqual(['🔧 Repair', 'Services', '🚨 Emergency']);
  });

  it('keeps the QR code’s building in MongoDB’s owner document', async () => {
    const owner: Owner = {
      id: 'o1',
      identities: [{ channel: 'wechat_mp', userId: OWNER, chatId: OWNER }],
      units: [],
      qrBuilding: { estate: 'sunshine', building: '3' },
      locale: 'zh-CN',
      privacyNoticeShown: false,
      unreachable: false,
      createdAt: new Date('2026-11-28T02:00:00Z'),
      updatedAt: new Date('2026-11-28T02:00:00Z'),
    };
    const doc = ownerToDoc(owner);
    expect(ownerFromDoc(doc)).toEqual(owner);
    const Model = mongoose.model('OwnerMpTest', ownerSchema);
    await expect(new Model(doc).validate()).resolves.toBeUndefined();
    await expect(new Model({ ...doc, qrBuilding: { estate: 'sunshine' } }).validate()).rejects.toThrow(/building/);
  });
});
