/**
 * A staff member's session with the desk (app/desk/session.ts): a button that needs words opens it, the
 * next message closes it; an expired or unreadable one is cleared and never acted on, and words that come
 * for a button the ticket has moved past are refused.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { SESSION_TTL_MS, StaffSessions } from '../../src/app/desk/session.js';
import { FakeClock } from '../support/clock.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

/** The settings port in memory. */
function settings() {
  const values = new Map<string, string>();
  return {
    values,
    async getSetting(key: string) {
      return values.get(key);
    },
    async setSetting(key: string, value: string) {
      values.set(key, value);
    },
  };
}

describe('StaffSessions', () => {
  it('opens a session that waits 15 minutes for its words, and ends it when they come', async () => {
    const clock = new FakeClock();
    const store = settings();
    const sessions = new StaffSessions(() => clock.now());
    await sessions.open(store, 'console:a', 'reply', 'T261128-0001');
    clock.advance(SESSION_TTL_MS);
    expect(await sessions.read(store, 'console:a')).toEqual({
      current: 'reply',
      expires: new Date(clock.now()),
      state: { number: 'T261128-0001' },
    });
    expect(await sessions.take(store, 'console:a')).toMatchObject({ current: 'reply' });
    expect(await sessions.read(store, 'console:a')).toBeUndefined();
  });

  it('ignores and clears an expired session', async () => {
    const clock = new FakeClock();
    const store = settings();
    const sessions = new StaffSessions(() => clock.now());
    await sessions.open(store, 'console:a', 'resolve', 'T261128-0001');
    clock.advance(SESSION_TTL_MS + 1);
    expect(await sessions.take(store, 'console:a')).toBeUndefined();
    expect(store.values.get('desk-input:console:a')).toBe('');
  });

  it('ignores and clears what it cannot read, and reads what the desk stored before sessions', async () => {
    const clock = new FakeClock();
    const store = settings();
    const sessions = new StaffSessions(() => clock.now());
    for (const raw of ['{', '{"current":"accept","expires":"2026-11-28T02:10:00Z","state":{"number":"T1"}}']) {
      store.values.set('desk-input:console:a', raw);
      expect(await sessions.read(store, 'console:a')).toBeUndefined();
      expect(store.values.get('desk-input:console:a')).toBe('');
    }
    const at = new Date(clock.now().getTime() - 60_000);
    store.values.set('desk-input:console:b', JSON.stringify({ action: 'plan', number: 'T2', at: at.toISOString() }));
    expect(await sessions.read(store, 'console:b')).toEqual({
      current: 'plan',
      expires: new Date(at.getTime() + SESSION_TTL_MS),
      state: { number: 'T2' },
    });
  });
});

describe('a session through the desk', () => {
  const N1 = 'T261128-0001';
  const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
  const A = { ...ROOM, userId: 'a', userName: '王师傅' };
  const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
  const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];

  async function accepted() {
    const h = await makeHarness({ policy: { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }] } });
    for (const line of REPAIR) await h.send(line);
    await h.send('大家好', A);
    await h.send('大家好', SUP);
    await h.send({ type: 'button', data: `s|accept|${N1}` }, A);
    const ownerTexts = () =>
      h.sender.sent.filter((s) => s.chatId === 'owner' && s.action.kind === 'send').map((s) => s.action);
    return { h, ownerTexts };
  }

  it('does not take words that come after the session expired, and clears it', async () => {
    const { h, ownerTexts } = await accepted();
    const { texts } = await h.send({ type: 'button', data: `s|reply|${N1}` }, A);
    expect(texts).toEqual([zh('desk.ask.reply', { name: '王师傅', number: N1 })]);
    const before = ownerTexts().length;
    h.clock.advance(SESSION_TTL_MS + 60_000);
    const late = await h.send('您好，我们下午上门', A);
    expect(late.texts).toEqual([]);
    expect(ownerTexts()).toHaveLength(before);
    expect(await h.store.getSetting('desk-input:console:a')).toBeFalsy();
    expect((await h.store.getTicketByNumber(N1))?.timeline.some((e) => e.action === 'staff_reply')).toBe(false);
  });

  it('refuses the words for a button the ticket has moved past', async () => {
    const { h, ownerTexts } = await accepted();
    await h.send({ type: 'button', data: `s|resolve|${N1}` }, A);
    // Meanwhile the supervisor resolves it by command.
    await h.send(`/resolve ${N1} 确认 已更换水管`, SUP);
    expect((await h.store.getTicketByNumber(N1))?.status).toBe('resolved');
    const before = ownerTexts().length;
    const stale = await h.send('已修好', A);
    expect(stale.texts).toEqual([zh('desk.refused.status', { number: N1, status: zh('ticket.status.resolved') })]);
    expect(ownerTexts()).toHaveLength(before);
    const resolutions = (await h.store.getTicketByNumber(N1))?.timeline.filter((e) => e.action === 'resolve');
    expect(resolutions).toHaveLength(1);
  });
});
