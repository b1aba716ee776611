/**
 * Through the whole app: a question typed into a form goes to the staff room as 咨询 and the same question
 * is asked again (issue 14, part 4); an owner who writes English is answered in English (part 5).
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { FakeClock } from '../support/clock.js';
import { type Harness, i18n, makeHarness } from '../support/harness.js';

const params = { dutyPhone: '0571-88886666', estate: '阳光花园' };
const zh = (key: string, p?: Record<string, string | number>) => i18n.translate('zh-CN', key, { ...params, ...p });
const en = (key: string, p?: Record<string, string | number>) => i18n.translate('en', key, { ...params, ...p });

/** The owner's messages up to the place question of a repair. */
async function toPlace(h: Harness) {
  for (const line of ['/start', '1', '1']) await h.send(line);
}

async function thread(h: Harness) {
  return h.store.getThread('console', 'owner');
}

describe('a question typed into a form', () => {
  it('goes to the staff room as 咨询, the owner is told when to expect an answer, and the place is asked again', async () => {
    const h = await makeHarness();
    await toPlace(h);
    const staffBefore = h.staffMessages().length;
    const { texts } = await h.send('你们办公时间是几点');
    const staff = h.staffMessages().slice(staffBefore);
    expect(staff).toHaveLength(1);
    const posted = staff[0]?.action.kind === 'send' ? staff[0].action.message.text : '';
    expect(posted).toContain('咨询');
    expect(posted).toContain('你们办公时间是几点');
    // 10:00 in Shanghai: within business hours.
    // One message: what happens to the question, then the place asked again.
    expect(texts).toHaveLength(1);
    expect(texts[0]?.startsWith(`${zh('enquiry.forwarded_now', { text: '你们办公时间是几点' })}\n\n`)).toBe(true);
    expect(texts[0]?.endsWith(zh('complaint.ask.location'))).toBe(true);
    expect((await thread(h))?.state.flow).toMatchObject({ stepId: 'location', answers: { kind: 'repair' } });
    expect((await thread(h))?.state.flow?.answers.location).toBeUndefined();
    expect(await h.store.listTickets({})).toHaveLength(0);
  });

  it('outside business hours says when the office opens', async () => {
    const h = await makeHarness({ clock: new FakeClock('2026-11-28T14:30:00Z') }); // 22:30 in Shanghai
    await toPlace(h);
    const { texts } = await h.send('物业费怎么交？');
    const told = zh('enquiry.forwarded_later', { text: '物业费怎么交？', time: '11月29日（周日）上午8:00' });
    expect(texts[0]?.slice(0, told.length)).toBe(told);
  });

  it('never stores a slash command typed by an owner, and posts nothing to the staff room', async () => {
    const h = await makeHarness();
    await toPlace(h);
    await h.send('3-2-501');
    const staffBefore = h.staffMessages().length;
    const { texts } = await h.send('/accept T261128-0001');
    expect(texts.at(-1)).toContain(zh('complaint.ask.description'));
    expect((await thread(h))?.state.flow).toMatchObject({ stepId: 'description' });
    expect(h.staffMessages().length).toBe(staffBefore);
  });
});

describe('the language of the first message', () => {
  it('answers an English first message in English, the emergency safety text included', async () => {
    const h = await makeHarness({ assistant: new OfflineAssistant(loadKeywords()) });
    const { texts } = await h.send('fire in building 7');
    // The safety text first, at the head of the first question's message.
    expect(texts[0]?.slice(0, en('emergency.intro').length)).toBe(en('emergency.intro'));
    const owner = await h.store.findOwnerByIdentity('console', 'u-owner');
    expect(owner?.locale).toBe('en');
  });

  it('asks once in both languages when unsure, then handles the message kept at the question', async () => {
    const h = await makeHarness({ assistant: new OfflineAssistant(loadKeywords()) });
    const first = await h.send('kitchen 水管漏水 leaking');
    expect(first.texts.at(-1)).toBe(zh('lang.choose'));
    const b = h.lastButtons().find((x) => x.data.endsWith(':l.en'));
    expect(b).toBeDefined();
    const chosen = await h.send({ type: 'button', data: b?.data ?? '' });
    expect(chosen.texts.join('\n')).toContain(en('lang.set'));
    // The kept message became a report, in English.
    expect((await thread(h))?.state.flow?.flowId).toBe('complaint');
    expect(chosen.texts.at(-1)).toContain(en('complaint.ask.location'));
    expect((await thread(h))?.state.flow?.answers.description).toBe('kitchen 水管漏水 leaking');
  });
});
