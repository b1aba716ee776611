/**
 * Intent first (issue 14, part 1), through the whole app: outside a form question every owner text is
 * handled as what it is for: an enquiry or a notice question goes to the staff room as 咨询 (and a staff
 * answer reaches the owner), praise is thanked, recorded and shown to the staff room, 转人工 gives the
 * phone and reaches the staff room at once, a follow-up shows the open tickets, thanks is thanked and
 * starts nothing, an owner's staff command is refused; a report still starts the report flow.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { FakeClock } from '../support/clock.js';
import { type Harness, i18n, makeHarness } from '../support/harness.js';

const assistant = new OfflineAssistant(loadKeywords());
const params = { dutyPhone: '0571-88886666', estate: '阳光花园' };
const zh = (key: string, p?: Record<string, string | number>) => i18n.translate('zh-CN', key, { ...params, ...p });
const en = (key: string, p?: Record<string, string | number>) => i18n.translate('en', key, { ...params, ...p });

function staffTexts(h: Harness, from = 0): string[] {
  return h
    .staffMessages()
    .slice(from)
    .flatMap((s) => (s.action.kind === 'send' ? [s.action.message.text] : []));
}

async function nothingFiled(h: Harness) {
  expect(await h.store.listTickets({})).toHaveLength(0);
  const thread = await h.store.getThread('console', 'owner');
  expect(thread?.state.flow).toBeUndefined();
}

/** Files a repair through the menu, so the owner has an open ticket. */
async function fileRepair(h: Harness) {
  for (const line of ['/start', '1', '1', '3-2-501', '卫生间天花板漏水', '1', '1', '张三', '13812345678', '1'])
    await h.send(line);
  const [ticket] = await h.store.listTickets({});
  if (!ticket) throw new Error('no ticket filed');
  return ticket;
}

describe('intent first: enquiries and notice questions', () => {
  it('你们办公时间是几点 goes to the staff room as 咨询 with a reference; never a form', async () => {
    const h = await makeHarness({ assistant });
    const { texts } = await h.send('你们办公时间是几点');
    expect(texts).toContain(zh('enquiry.forwarded_now', { text: '你们办公时间是几点' }));
    const [item] = staffTexts(h);
    expect(item).toContain('Q001');
    expect(item).toContain('你们办公时间是几点');
    await nothingFiled(h);
  });

  it('what are the office hours: answered in English, and after hours says when the office opens', async () => {
    const h = await makeHarness({ assistant, clock: new FakeClock('2026-11-28T14:30:00Z') }); // 22:30 Shanghai
    const { texts } = await h.send('what are the office hours', { languageCode: 'en' });
    expect(texts).toContain(
      en('enquiry.forwarded_later', { text: 'what are the office hours', time: 'Sun 29 Nov, 08:00' }),
    );
    await nothingFiled(h);
  });

  it('a staff answer (Q001 …, or a reply to the item) reaches the owner', async () => {
    const h = await makeHarness({ assistant });
    await h.send('小区的樱花什么时候开？');
    expect(staffTexts(h)[0]).toContain('Q001');
    const answer = await h.send('Q001 中心花园的樱花一般3月下旬开', { chatId: 'staff', chatKind: 'staff' });
    // Confirmed in the room, with the offer to save it to the knowledge (app/enquiries).
    expect(answer.texts).toEqual([zh('enquiry_kb.staff.answered', { ref: 'Q001' })]);
    const owner = h.sender.sent.filter((s) => s.chatId === 'owner').at(-1);
    expect(owner?.action.kind === 'send' && owner.action.message.text).toBe(
      zh('frontdoor.staff_answer', { question: '小区的樱花什么时候开？', text: '中心花园的樱花一般3月下旬开' }),
    );
    // A reply to the item on a platform that threads replies (Telegram, the console's `>` line).
    const itemId = await h.store.getMessageRef('console', 'staff', 'ask:Q001');
    expect(itemId).toBeDefined();
    await h.send('另外下午会恢复', { chatId: 'staff', chatKind: 'staff', replyTo: itemId ?? '' });
    const last = h.sender.sent.filter((s) => s.chatId === 'owner').at(-1);
    expect(last?.action.kind === 'send' && last.action.message.text).toContain('另外下午会恢复');
    // An unknown reference is said so, never sent anywhere.
    const unknown = await h.send('Q999 hello', { chatId: 'staff', chatKind: 'staff' });
    expect(unknown.texts).toEqual([zh('desk.frontdoor.no_item', { ref: 'Q999' })]);
  });
});

describe('intent first: praise, 转人工, follow-up, thanks', () => {
  it('表扬一下3栋的保洁阿姨 is thanked, recorded against the cleaning team, shown to the staff room, never revisited', async () => {
    const h = await makeHarness({ assistant });
    const { texts } = await h.send('表扬一下3栋的保洁阿姨');
    expect(texts).toContain(zh('frontdoor.praise_thanks', { target: '3栋保洁同事' }));
    expect(staffTexts(h)[0]).toContain('表扬一下3栋的保洁阿姨');
    const praise = await h.store.listPraise({ from: new Date(0), to: new Date('2100-01-01') });
    expect(praise).toMatchObject([{ team: 'cleaning', place: '3栋', text: '表扬一下3栋的保洁阿姨' }]);
    await nothingFiled(h);
    expect(await h.store.listJobs({})).toHaveLength(0);
  });

  it.each(['转人工', '我要找人工客服', 'a real person please'])(
    '%s gives the phone and reaches the staff room',
    async (text) => {
      const h = await makeHarness({ assistant });
      const { texts } = await h.send(text);
      expect(texts.join('\n')).toContain('0571-88886666');
      expect(staffTexts(h)[0]).toContain(text);
      expect(staffTexts(h)[0]).toContain('Q001');
      await nothingFiled(h);
    },
  );

  it('进度怎么样了 shows the open ticket: status, accountable person, next visit', async () => {
    const h = await makeHarness({ assistant });
    const ticket = await fileRepair(h);
    const { texts } = await h.send('进度怎么样了');
    const shown = texts.join('\n');
    expect(shown).toContain(ticket.number);
    expect(shown).toContain(zh('ticket.status.recorded'));
    expect(shown).toContain(zh('frontdoor.followup_nobody'));
    // Put under the one open ticket too, so the accountable person sees the owner is asking.
    expect(shown).toContain(zh('owner.note_added', { number: ticket.number }));
    const after = await h.store.getTicket(ticket.id);
    expect(after?.timeline.filter((e) => e.note === '进度怎么样了')).toHaveLength(1);
  });

  it('a follow-up with no open ticket says so and offers the menu', async () => {
    const h = await makeHarness({ assistant });
    const { texts } = await h.send('我报的修怎么还没人来');
    expect(texts.join('\n')).toContain(zh('frontdoor.followup_none'));
    expect(h.lastButtons().length).toBeGreaterThan(0);
    await nothingFiled(h);
  });

  it('谢谢 gets a short courteous reply and starts nothing', async () => {
    const h = await makeHarness({ assistant });
    const { texts } = await h.send('谢谢');
    expect(texts).toEqual([zh('frontdoor.thanks')]);
    expect(staffTexts(h)).toEqual([]);
    await nothingFiled(h);
  });

  it('/accept T… typed by an owner is for staff: never forwarded nor stored', async () => {
    const h = await makeHarness({ assistant });
    const ticket = await fileRepair(h);
    const staffBefore = h.staffMessages().length;
    const { texts } = await h.send(`/accept ${ticket.number}`);
    expect(texts.join('\n')).toContain(zh('input.staff_only'));
    expect(h.staffMessages().length).toBe(staffBefore);
    const after = await h.store.getTicket(ticket.id);
    expect(after?.status).toBe('recorded');
    expect(after?.timeline.some((e) => e.note?.includes('/accept'))).toBe(false);
  });
});

describe('intent first: reports', () => {
  it('a report still starts the report flow with suggestions and a read-back', async () => {
    const h = await makeHarness({ assistant });
    const { texts } = await h.send('卫生间天花板漏水，3栋2单元501');
    const flow = (await h.store.getThread('console', 'owner'))?.state.flow;
    expect(flow?.flowId).toBe('complaint');
    expect(flow?.answers.category).toBe('leaks_fabric');
    expect(texts.length).toBeGreaterThan(0);
  });

  it('an unsure category is asked with the likeliest three and 其他, not guessed', async () => {
    const h = await makeHarness({ assistant });
    const u = assistant.understandNow('门口那个东西坏了好几天了，麻烦看看');
    if (!u.askCategory) return; // the model is sure of this one: nothing to ask
    await h.send('门口那个东西坏了好几天了，麻烦看看');
    const flow = (await h.store.getThread('console', 'owner'))?.state.flow;
    expect(flow?.stepId).toBe('category');
    const labels = h.lastButtons().map((b) => b.label);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(labels.length).toBeLessThanOrEqual(4);
    expect(labels.at(-1)).toBe(zh('ticket.category.other'));
  });
});
