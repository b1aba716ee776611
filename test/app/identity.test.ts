import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import type { Inbound } from '../../src/core/types.js';
import { countingStore } from '../support/counting-store.js';
import { type Harness, makeHarness } from '../support/harness.js';

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水', '1', '1', '张三', '13812345678', '1'];

/** Sends messages as the same person on WeChat (chat `wx-1`). */
function wechatOf(h: Harness) {
  let n = 0;
  return (text: string) =>
    h.app.handleInbound({
      channel: 'wechat',
      chatId: 'wx-1',
      chatKind: 'private',
      userId: 'wx-1',
      messageId: `wx-${++n}`,
      receivedAt: h.clock.now(),
      content: { type: 'text', text },
    } satisfies Inbound);
}

async function codeMessages(h: Harness) {
  return (await h.store.listOutbox({ channel: 'wechat', chatId: 'wx-1' }))
    .map((i) => (i.action.kind === 'send' ? i.action.message.text : ''))
    .filter((t) => t.includes('验证码是'));
}

const codeText = async (h: Harness) => (await codeMessages(h))[0];
const codes = async (h: Harness) => (await codeMessages(h)).length;

describe('one owner, many channels', () => {
  it('links a Telegram chat to a WeChat owner with the same phone after a one-time code', async () => {
    const h = await makeHarness();
    let n = 0;
    const wechat = (text: string) =>
      h.app.handleInbound({
        channel: 'wechat',
        chatId: 'wx-1',
        chatKind: 'private',
        userId: 'wx-1',
        messageId: `wx-${++n}`,
        receivedAt: h.clock.now(),
        content: { type: 'text', text },
      } satisfies Inbound);
    for (const line of REPAIR) await wechat(line);
    // The same person on the console channel gives the same phone number.
    for (const line of REPAIR) await h.send(line);
    const codeMessage = (await h.store.listOutbox({ channel: 'wechat', chatId: 'wx-1' })).find(
      (i) => i.action.kind === 'send' && i.action.message.text.includes('验证码是'),
    );
    const code = codeMessage?.action.kind === 'send' ? codeMessage.action.message.text.match(/\d{6}/)?.[0] : undefined;
    expect(code).toMatch(/^\d{6}$/);
    expect((await h.store.listOwners()).length).toBe(2);

    const wrong = await h.send(code === '000000' ? '111111' : '000000');
    expect(wrong.texts.join('')).toContain('验证码不对');
    const done = await h.send(code ?? '');
    expect(done.texts.join('')).toContain('已合并');

    const owner = await h.store.findOwnerByIdentity('console', 'u-owner');
    expect(owner?.identities.map((i) => i.channel).sort()).toEqual(['console', 'wechat']);
    expect(await h.store.findOwnerByIdentity('wechat', 'wx-1')).toEqual(owner);
    const tickets = await h.store.listTickets({ ownerId: owner?.id ?? '' });
    expect(tickets).toHaveLength(2);
  });

  it('tells the owner never to share the code', async () => {
    const h = await makeHarness();
    const wechat = wechatOf(h);
    for (const line of REPAIR) await wechat(line);
    for (const line of REPAIR) await h.send(line);
    const text = await codeText(h);
    expect(text).toMatch(/\d{6}/);
    expect(text).toContain('请勿');
    expect(text).toContain('任何人');
  });

  it('says truthfully what an expired code means: no link now, and no promise of another try', async () => {
    const h = await makeHarness();
    const wechat = wechatOf(h);
    for (const line of REPAIR) await wechat(line);
    for (const line of REPAIR) await h.send(line);
    const code = (await codeText(h))?.match(/\d{6}/)?.[0] ?? '';
    h.clock.advance(31 * 60_000);
    const expired = (await h.send(code)).texts.join('');
    expect(expired).toContain('已失效');
    expect(expired).not.toContain('再试');
    expect(expired).toContain('0571-88886666');
    expect((await h.store.listOwners()).length).toBe(2);
    // Giving the same number again does not bring another code: the text must not suggest it would.
    const codesBefore = await codes(h);
    for (const line of REPAIR) await h.send(line);
    expect(await codes(h)).toBe(codesBefore);
  });

  it('finds the other chat by looking the number up, without reading every owner', async () => {
    const { store, calls } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const h = await makeHarness({ store });
    const wechat = wechatOf(h);
    for (const line of REPAIR) await wechat(line);
    for (const line of REPAIR) await h.send(line);
    expect(await codes(h)).toBe(1);
    expect([...calls.direct, ...calls.inTx].filter((c) => c === 'listOwners')).toEqual([]);
  });

  it('does not offer a link when nobody else has the number', async () => {
    const h = await makeHarness();
    for (const line of REPAIR) await h.send(line);
    expect(
      (await h.store.listOutbox({})).some((i) => i.action.kind === 'send' && i.action.message.text.includes('验证码')),
    ).toBe(false);
    // A six-digit message with no pending link is just a message.
    const r = await h.send('123456');
    expect(r.texts.join('')).not.toContain('验证码');
  });
});
