import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { draftFromAnswers, localeFromLanguageCode } from '../../src/app/app.js';
import type { Store, StoreTx } from '../../src/core/ports.js';
import { FakeClock } from '../support/clock.js';
import { type Harness, i18n, makeHarness } from '../support/harness.js';

/** The owner's side of a repair report, up to the read-back. */
const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678'];

async function say(h: Harness, lines: string[], chatId = 'owner') {
  const texts: string[] = [];
  for (const line of lines) texts.push(...(await h.send(line, { chatId })).texts);
  return texts;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('filing a complaint through the app', () => {
  it('tells the owner the number above the menu that follows, in one message, kept when that menu is closed', async () => {
    const h = await makeHarness();
    await say(h, REPAIR);
    const { texts } = await h.send('1');
    const t = (key: string, p?: Record<string, string>) =>
      i18n.translate('zh-CN', key, { estate: '阳光花园', dutyPhone: '0571-88886666', ...p });
    const receipt = t('ticket.created', { number: 'T261128-0001' });
    expect(texts).toEqual([`${receipt}\n\n${t('menu.anything_else')}\n\n${t('menu.title')}`]);
    const mine = h.lastButtons().find((b) => b.data.endsWith(':m.mytickets'));
    const { replies } = await h.send({ type: 'button', data: mine?.data ?? '' });
    const closed = replies.find((r) => r.kind === 'edit');
    // The number stays in the chat; the question around the menu goes with its buttons.
    expect(closed?.message.text).toBe(`${receipt}\n\n${t('menu.title')}\n\n✓ ${t('menu.mytickets')}`);
  });

  it('creates a numbered ticket, tells the owner and posts a card to the staff room', async () => {
    const h = await makeHarness();
    await say(h, REPAIR);
    const { texts } = await h.send('1');
    expect(texts.join('\n')).toMatch(/工单号：T261128-0001/);
    const ticket = await h.store.getTicketByNumber('T261128-0001');
    expect(ticket).toMatchObject({
      kind: 'repair',
      category: 'water_power',
      urgency: 'normal',
      status: 'recorded',
      location: { kind: 'unit', building: '3', unit: '2', room: '501' },
      description: '卫生间天花板漏水，滴到地上了',
      contact: { name: '张三', phone: '+8613812345678' },
      origin: { channel: 'console', chatId: 'owner' },
    });
    expect(ticket?.timeline.map((e) => e.action)).toEqual(['create']);
    const card = h.staffMessages().at(-1)?.action;
    expect(card?.kind).toBe('send');
    const cardText = card?.kind === 'send' ? card.message.text : '';
    expect(cardText).toContain('T261128-0001');
    expect(cardText).toContain('138****5678');
    expect(cardText).not.toContain('13812345678');
    expect(cardText).toContain('11月28日（周六）上午10:00');
  });

  it('remembers the contact and the flat for next time', async () => {
    const h = await makeHarness();
    await say(h, [...REPAIR, '1']);
    const owner = (await h.store.listOwners())[0];
    expect(owner).toMatchObject({
      name: '张三',
      phone: '+8613812345678',
      units: ['3-2-501'],
      privacyNoticeShown: true,
    });
    // Second report: name and phone are not asked again, the read-back shows them.
    const texts = await say(h, ['报修', '1', '3-2-501', '厨房水龙头一直滴水', '1', '请尽快上门']);
    const readback = texts.at(-1) ?? '';
    expect(readback).toContain('张三');
    expect(readback).toContain('138 1234 5678');
    expect(readback).not.toContain('温馨提示');
  });

  it('numbers tickets by the business day in the configured time zone', async () => {
    const clock = new FakeClock('2026-11-28T16:30:00Z'); // 00:30 on the 29th in Shanghai
    const h = await makeHarness({ clock });
    await say(h, [...REPAIR, '1']);
    await say(h, ['报修', '1', '3-2-501', '又漏水了，楼上在装修', '1', '1', '1']);
    const numbers = (await h.store.listTickets({})).map((t) => t.number).sort();
    expect(numbers).toEqual(['T261129-0001', 'T261129-0002']);
  });

  it('files an emergency at once with urgency emergency and alerts the staff room', async () => {
    const h = await makeHarness();
    const first = await h.send('紧急');
    expect(first.texts[0]).toContain('119');
    expect(first.texts[0]).toContain('0571-88886666');
    const done = await h.send('地下车库B区');
    expect(done.texts.join('\n')).toMatch(/T261128-0001/);
    const ticket = await h.store.getTicketByNumber('T261128-0001');
    expect(ticket?.urgency).toBe('emergency');
    const card = h.staffMessages().at(-1)?.action;
    expect(card?.kind === 'send' && card.message.text).toContain('🚨');
  });
});

describe('greetings', () => {
  it('answers 你好 with the welcome and the menu even with a ticket open, adding nothing to the ticket', async () => {
    const h = await makeHarness();
    await say(h, [...REPAIR, '1']);
    const staffBefore = h.staffMessages().length;
    for (const greeting of ['你好', '您好，在吗？', 'Hello!']) {
      const { texts } = await h.send(greeting);
      expect(texts.join('\n')).toContain('阳光花园');
      expect(texts.join('\n')).toContain('请问有什么可以帮您');
      expect(texts.join('\n')).not.toContain('T261128-0001');
    }
    expect(h.staffMessages()).toHaveLength(staffBefore);
    const ticket = await h.store.getTicketByNumber('T261128-0001');
    expect(ticket?.timeline.map((e) => e.action)).toEqual(['create']);
  });
});

describe('delivery and durability', () => {
  it('ignores the second delivery of the same platform message', async () => {
    const h = await makeHarness();
    await say(h, REPAIR);
    const first = await h.send('1', { messageId: 'dup-1' });
    expect(first.result.duplicate).toBe(false);
    const outboxBefore = (await h.store.listOutbox({})).length;
    const logBefore = (await h.store.listMessages('console', 'owner', 1000)).length;
    const threadBefore = await h.store.getThread('console', 'owner');
    const again = await h.send('1', { messageId: 'dup-1' });
    expect(again.result.duplicate).toBe(true);
    expect(again.replies).toEqual([]);
    expect((await h.store.listOutbox({})).length).toBe(outboxBefore);
    expect((await h.store.listMessages('console', 'owner', 1000)).length).toBe(logBefore);
    expect(await h.store.getThread('console', 'owner')).toEqual(threadBefore);
    expect(await h.store.listTickets({})).toHaveLength(1);
  });

  it('keeps every answer across a restart and resumes at the same question', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residesk-restart-'));
    dirs.push(dir);
    const path = join(dir, 'residesk.db');
    const h1 = await makeHarness({ path });
    const texts = await say(h1, REPAIR.slice(0, 5));
    expect(texts.at(-1)).toContain('照片');
    await h1.store.close();

    const h2 = await makeHarness({ path });
    const resumed = await h2.send('1'); // "no photos" on the photo question asked before the restart
    expect(resumed.texts.at(-1)).toContain('怎么处理');
    await say(h2, ['1', '张三', '13812345678', '1']);
    const ticket = (await h2.store.listTickets({}))[0];
    expect(ticket).toMatchObject({ category: 'water_power', description: '卫生间天花板漏水，滴到地上了' });
    await h2.store.close();
  });

  it('logs every inbound and outbound message of the thread', async () => {
    const h = await makeHarness();
    await say(h, ['/start', '1']);
    const log = await h.store.listMessages('console', 'owner', 100);
    expect(log.filter((e) => e.direction === 'in').map((e) => e.body)).toEqual([
      { type: 'text', text: '/start' },
      { type: 'text', text: '1' },
    ]);
    expect(log.some((e) => e.direction === 'out')).toBe(true);
  });

  it('one chat failing does not affect another, and the failing owner gets an apology', async () => {
    const real = await openSqliteStore({ path: ':memory:' });
    const failing: Store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return <T>(fn: (tx: StoreTx) => Promise<T>) =>
            target.transaction((tx) =>
              fn(
                new Proxy(tx, {
                  get(t, p, r) {
                    const v = Reflect.get(t, p, r);
                    if (p === 'saveThread') {
                      return (thread: { chatId: string }) => {
                        if (thread.chatId === 'bad') throw new Error('disk on fire');
                        return (v as (x: unknown) => Promise<void>).call(t, thread);
                      };
                    }
                    return typeof v === 'function' ? v.bind(t) : v;
                  },
                }),
              ),
            );
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const h = await makeHarness({ store: failing });
    const bad = await h.send('/start', { chatId: 'bad' });
    expect(bad.texts.join('\n')).toContain('抱歉');
    const good = await h.send('/start', { chatId: 'good' });
    expect(good.texts.join('\n')).toContain('请问有什么可以帮您');
    // The failed message is still on record.
    expect((await real.listMessages('console', 'bad', 10)).filter((e) => e.direction === 'in')).toHaveLength(1);
  });

  it('says once in a stranger group that it works in private chat, then stays quiet', async () => {
    const h = await makeHarness();
    const first = await h.send('hello', { chatId: 'g1', chatKind: 'group' });
    expect(first.texts).toHaveLength(1);
    expect(first.texts[0]).toContain('私聊');
    const second = await h.send('anyone?', { chatId: 'g1', chatKind: 'group' });
    expect(second.texts).toHaveLength(0);
  });
});

describe('language', () => {
  it('follows the platform language on first contact', async () => {
    const h = await makeHarness();
    const { texts } = await h.send('/start', { languageCode: 'en-GB' });
    expect(texts.join('\n')).toContain('How can we help');
    expect(localeFromLanguageCode('zh-hans', 'en')).toBe('zh-CN');
    expect(localeFromLanguageCode(undefined, 'en')).toBe('en');
  });
});

describe('draftFromAnswers', () => {
  it('falls back safely on values outside the enums', () => {
    const draft = draftFromAnswers({ kind: 'hack', category: 'nope', description: 'x' }, {}, {}, 'console');
    expect(draft).toMatchObject({ kind: 'repair', category: 'other', urgency: 'normal' });
  });
});
