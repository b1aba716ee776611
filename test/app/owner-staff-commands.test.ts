/**
 * An owner who types a staff command (`/ticket T…`, `/accept T…`, a bare `/accept`) is told it is for
 * staff, in their language, and nothing of it reaches the staff room (issue 17: it used to be posted
 * there as a note on their ticket).
 */
import { describe, expect, it } from 'vitest';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string) => i18n.translate('zh-CN', key);
const en = (key: string) => i18n.translate('en', key);

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
const N1 = 'T261128-0001';

describe('staff commands typed by an owner', () => {
  it('are answered "this is for staff" and never reach the staff room', async () => {
    const h = await makeHarness();
    for (const line of REPAIR) await h.send(line);
    const before = await h.store.getTicketByNumber(N1);
    expect(before?.status).toBe('recorded');
    const staffBefore = h.staffMessages().length;

    for (const typed of [`/ticket ${N1}`, `/accept ${N1}`, `/note ${N1} 快点来`, '/accept']) {
      expect((await h.send(typed)).texts, typed).toEqual([zh('desk.refused.owner_command')]);
    }
    expect(h.staffMessages().length).toBe(staffBefore);
    expect(await h.store.getTicketByNumber(N1)).toEqual(before);
  });

  it('are answered in the owner’s language', async () => {
    const h = await makeHarness();
    expect((await h.send(`/ticket ${N1}`, { languageCode: 'en' })).texts).toEqual([en('desk.refused.owner_command')]);
    expect(h.staffMessages()).toEqual([]);
  });

  it('leave /help and /cancel with the owner’s conversation', async () => {
    const h = await makeHarness();
    expect((await h.send('/help')).texts).not.toContain(zh('desk.refused.owner_command'));
  });
});
