/**
 * An owner who types a staff command (`/ticket T…`, `/accept T…`, a bare `/accept`) is told it is for
 * staff, in their language, then asked again what they need; nothing of it reaches the staff room and
 * their ticket is unchanged (issue 17 saw `/ticket <other>` posted to the staff group as a note). The flow
 * engine answers these (`input.staff_only`), with the offline assistant reading owners' messages too.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { i18n, makeHarness } from '../support/harness.js';

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
const N1 = 'T261128-0001';

describe('staff commands typed by an owner', () => {
  it('are answered "this is for staff" and never reach the staff room', async () => {
    const h = await makeHarness({ assistant: new OfflineAssistant(loadKeywords()) });
    for (const line of REPAIR) await h.send(line);
    const before = await h.store.getTicketByNumber(N1);
    expect(before?.status).toBe('recorded');
    const staffBefore = h.staffMessages().length;

    for (const typed of [`/ticket ${N1}`, `/ticket T261128-0009`, `/accept ${N1}`, `/note ${N1} 快点来`, '/accept']) {
      const [answer] = (await h.send(typed)).texts;
      expect(answer, typed).toContain(i18n.translate('zh-CN', 'input.staff_only'));
    }
    expect(h.staffMessages().length).toBe(staffBefore);
    expect(await h.store.getTicketByNumber(N1)).toEqual(before);
  });

  it('are answered in the owner’s language', async () => {
    const h = await makeHarness();
    const [answer] = (await h.send(`/ticket ${N1}`, { languageCode: 'en' })).texts;
    expect(answer).toContain(i18n.translate('en', 'input.staff_only'));
    expect(h.staffMessages()).toEqual([]);
  });
});
