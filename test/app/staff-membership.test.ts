/**
 * Staff who leave the staff room (markStaffLeft, which the channels call when someone leaves) are refused
 * staff commands in their private chat with a short message; added back (markStaffRejoined) or writing in
 * the room again, they are staff again. Through the whole app (harness: real flows, locales, SQLite).
 */
import { describe, expect, it } from 'vitest';
import { markStaffLeft, markStaffRejoined } from '../../src/app/staff-membership.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);
const en = (key: string, params?: Record<string, string | number>) => i18n.translate('en', key, params);

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
const N1 = 'T261128-0001';
const A_ROOM = { chatId: 'staff', chatKind: 'staff' as const, userId: 'a', userName: '王师傅' };
const A_PRIVATE = { chatId: 'a-private', userId: 'a', userName: '王师傅' };

/** A repair T261128-0001 that 王师傅 has taken on in the staff room. */
async function accepted() {
  const h = await makeHarness();
  for (const line of REPAIR) await h.send(line);
  await h.send(`/accept ${N1}`, A_ROOM);
  expect((await h.store.getTicketByNumber(N1))?.status).toBe('accepted');
  return h;
}

describe('staff who leave the staff room', () => {
  it('are refused private-chat staff commands with a short message, and the phone stays hidden', async () => {
    const h = await accepted();
    expect((await h.send(`/phone ${N1}`, A_PRIVATE)).texts.join('\n')).toContain('13812345678');

    expect(await markStaffLeft(h.store, 'console', 'a')).toBe(true);
    expect(await markStaffLeft(h.store, 'console', 'a')).toBe(false);
    expect((await h.store.findStaff('console', 'a'))?.active).toBe(false);

    expect((await h.send(`/phone ${N1}`, A_PRIVATE)).texts).toEqual([zh('desk.refused.left_staff')]);
    expect((await h.send(`/phone ${N1}`, { ...A_PRIVATE, languageCode: 'en' })).texts).toEqual([
      en('desk.refused.left_staff'),
    ]);
    const before = await h.store.getTicketByNumber(N1);
    expect((await h.send(`/resolve ${N1} 已修好`, A_PRIVATE)).texts).toEqual([zh('desk.refused.left_staff')]);
    expect(await h.store.getTicketByNumber(N1)).toEqual(before);
    // A button is refused as it always was, with an alert.
    const pressed = await h.send({ type: 'button', data: `s|phone|${N1}` }, A_PRIVATE);
    expect(pressed.result.ack).toEqual({ text: zh('desk.refused.not_staff'), alert: true });
    // The private chat did not become an owner's conversation.
    expect(await h.store.findOwnerByIdentity('console', 'a')).toBeUndefined();
  });

  it('are staff again once added back to the room, or once they write in it', async () => {
    const h = await accepted();
    await markStaffLeft(h.store, 'console', 'a');
    expect(await markStaffRejoined(h.store, 'console', 'a')).toBe(true);
    expect((await h.send(`/phone ${N1}`, A_PRIVATE)).texts.join('\n')).toContain('13812345678');

    await markStaffLeft(h.store, 'console', 'a');
    await h.send('我回来了', A_ROOM);
    expect((await h.store.findStaff('console', 'a'))?.active).toBe(true);
    expect((await h.send(`/phone ${N1}`, A_PRIVATE)).texts.join('\n')).toContain('13812345678');
  });

  it('does not make staff of someone who was never registered', async () => {
    const h = await accepted();
    expect(await markStaffRejoined(h.store, 'console', 'stranger')).toBe(false);
    expect(await markStaffLeft(h.store, 'console', 'stranger')).toBe(false);
    expect(await h.store.findStaff('console', 'stranger')).toBeUndefined();
    // An owner typing a staff command is not told about the staff group.
    const typed = await h.send(`/phone ${N1}`, { chatId: 'stranger', userId: 'stranger' });
    expect(typed.texts).not.toContain(zh('desk.refused.left_staff'));
    expect(typed.texts.join('\n')).not.toContain('13812345678');
  });
});
