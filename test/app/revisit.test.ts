import { describe, expect, it } from 'vitest';
import { parsePhoneRevisit } from '../../src/app/revisits.js';
import { FakeClock } from '../support/clock.js';
import { type Harness, makeHarness } from '../support/harness.js';

const HOUR = 3_600_000;
const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];

async function setup(start = '2026-11-28T02:00:00Z') {
  const clock = new FakeClock(start); // 10:00 in Shanghai
  const h = await makeHarness({ clock });
  return { h, clock };
}

async function say(h: Harness, lines: string[]) {
  const texts: string[] = [];
  for (const line of lines) texts.push(...(await h.send(line)).texts);
  return texts;
}

const staff = (h: Harness, text: string, userId = 'u-wang', userName = '王师傅') =>
  h.send(text, { chatId: 'staff', chatKind: 'staff', userId, userName } as Parameters<Harness['send']>[1]);

/** Files a repair, has staff accept and resolve it; returns the ticket number. */
async function resolvedTicket(h: Harness): Promise<string> {
  await say(h, REPAIR);
  const number = (await h.store.listTickets({}))[0]?.number ?? '';
  await staff(h, `/accept ${number}`);
  await staff(h, `/judge ${number} 物业公司`);
  await staff(h, `/resolve ${number} 已更换破损水管，试水正常`);
  return number;
}

function revisitJobs(h: Harness) {
  return h.store.listJobs({ status: 'pending', type: 'revisit.start' });
}

describe('revisit (回访)', () => {
  it('asks the owner a day after resolution and closes the ticket on good answers', async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    const [job] = await revisitJobs(h);
    expect(job?.dueAt.toISOString()).toBe(new Date(clock.now().getTime() + 24 * HOUR).toISOString());

    clock.advance(24 * HOUR);
    const before = h.sender.sent.length;
    await h.tick();
    const asked = h.sender.sent.slice(before).filter((s) => s.chatId === 'owner');
    expect(asked.map((s) => (s.action.kind === 'send' ? s.action.message.text : '')).join('\n')).toContain('回访');

    const texts = await say(h, ['1', '1', '1', '2', '9', '1']);
    expect(texts.join('\n')).toContain('感谢您的回访反馈');
    const ticket = await h.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisit).toMatchObject({
      solved: true,
      attitude: 'satisfied',
      charged: false,
      score: 9,
      by: 'chat',
      outcome: 'closed',
    });
    expect(ticket?.timeline.some((e) => e.action === 'revisit')).toBe(true);
    expect(h.staffMessages().some((s) => s.action.kind === 'send' && s.action.message.text.includes('回访完成'))).toBe(
      true,
    );
  });

  it('moves a revisit that would fall in quiet hours to the morning', async () => {
    const { h } = await setup('2026-11-28T14:00:00Z'); // 22:00 in Shanghai
    await resolvedTicket(h);
    const [job] = await revisitJobs(h);
    // 22:00 next day is inside 21:00–08:00: moved to 08:00 the day after (00:00Z).
    expect(job?.dueAt.toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('comes back when the owner chooses Later', async () => {
    const { h, clock } = await setup();
    await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await h.tick();
    const texts = await say(h, ['2', '1']); // later → in an hour
    expect(texts.join('\n')).toContain('一小时后再联系您');
    const [job] = await revisitJobs(h);
    expect(job?.dueAt.getTime()).toBe(clock.now().getTime() + HOUR);
    clock.advance(HOUR);
    const before = h.sender.sent.length;
    await h.tick();
    const again = h.sender.sent.slice(before).filter((s) => s.chatId === 'owner' && s.action.kind === 'send');
    expect(again.length).toBeGreaterThan(0);
  });

  it('closes as "no response" without promising another call when the owner says Later once contacts run out', async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await h.tick(); // first contact
    await say(h, ['2', '1']);
    clock.advance(HOUR);
    await h.tick(); // second contact
    await say(h, ['2', '1']);
    clock.advance(HOUR);
    await h.tick(); // third and last contact
    const staffBefore = h.staffMessages().length;
    const texts = (await say(h, ['2', '1'])).join('\n');
    expect(texts).not.toContain('再联系您');
    expect(texts).toContain('不再打扰');
    expect(texts).toContain('0571-88886666');
    const ticket = await h.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisitOutcome).toBe('no_response');
    expect(
      await h.store.listJobs({ status: 'pending' }).then((jobs) => jobs.filter((j) => j.type.startsWith('revisit.'))),
    ).toEqual([]);
    const line = h
      .staffMessages()
      .slice(staffBefore)
      .find((s) => s.action.kind === 'send' && s.action.message.text.includes(number));
    expect(line?.action.kind === 'send' && line.action.message.text).toContain('按「未回复」关闭');
    expect(line?.action.kind === 'send' && line.action.message.replyToRef).toBe(`card:${number}`);
    const contacts = ticket?.timeline.filter((e) => e.action === 'revisit' && e.data?.contact === true) ?? [];
    expect(contacts).toHaveLength(3);
    // Nothing comes back later.
    clock.advance(48 * HOUR);
    const ownerBefore = h.sender.sent.filter((s) => s.chatId === 'owner').length;
    await h.tick();
    expect(h.sender.sent.filter((s) => s.chatId === 'owner')).toHaveLength(ownerBefore);
  });

  it("reopens the ticket on a bad answer and tells the team with the owner's answers", async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await h.tick();
    const texts = await say(h, ['1', '2', '3', '2', '3', '师傅没修好还把地弄脏了']);
    expect(texts.join('\n')).toContain('已重新处理');
    const ticket = await h.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('reopened');
    expect(ticket?.reopenCount).toBe(1);
    const notice = h
      .staffMessages()
      .find((s) => s.action.kind === 'send' && s.action.message.text.includes('回访不满意'));
    expect(notice?.action.kind === 'send' && notice.action.message.text).toContain('师傅没修好');
    expect(await h.store.listJobs({ status: 'pending', type: 'revisit.supervisor' })).toHaveLength(1);
  });

  it('flags "charged" on work that is not paid work to supervisors', async () => {
    const { h, clock } = await setup();
    await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await h.tick();
    await say(h, ['1', '1', '1', '1', '10', '1']);
    expect(h.staffMessages().some((s) => s.action.kind === 'send' && s.action.message.text.includes('被收了费'))).toBe(
      true,
    );
  });

  it('reminds once, then closes as "no response"', async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await h.tick();
    clock.advance(24 * HOUR);
    const before = h.sender.sent.length;
    await h.tick();
    const reminder = h.sender.sent.slice(before).find((s) => s.chatId === 'owner');
    expect(reminder?.action.kind === 'send' && reminder.action.message.text).toContain('回访还没有完成');
    clock.advance(24 * HOUR);
    await h.tick();
    const ticket = await h.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisitOutcome).toBe('no_response');
    const contacts = ticket?.timeline.filter((e) => e.action === 'revisit' && e.data?.contact === true) ?? [];
    expect(contacts.length).toBeLessThanOrEqual(3);
  });

  it('does not interrupt an owner in the middle of a complaint', async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    clock.advance(24 * HOUR);
    await say(h, ['报修', '1']); // mid-flow: at the location question
    const before = h.sender.sent.length;
    await h.tick();
    expect(h.sender.sent.slice(before).filter((s) => s.chatId === 'owner')).toHaveLength(0);
    const texts = await say(h, ['3-2-501', '厨房下水道堵了', '1', '1', '1']);
    expect(texts.join('\n')).toContain(number);
    expect(texts.join('\n')).toContain('回访');
  });

  it('asks staff to phone an owner who cannot be reached, and records the phone revisit', async () => {
    const { h, clock } = await setup();
    const number = await resolvedTicket(h);
    await h.app.markUnreachable('console', 'owner');
    clock.advance(24 * HOUR);
    await h.tick();
    expect(h.staffMessages().some((s) => s.action.kind === 'send' && s.action.message.text.includes('电话回访'))).toBe(
      true,
    );
    await staff(h, `/revisit ${number} 已解决 满意 未收费 9 业主很满意`);
    const ticket = await h.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisit).toMatchObject({ by: 'phone', score: 9, comment: '业主很满意' });
  });
});

describe('parsePhoneRevisit', () => {
  it('reads the four answers in any order, with a comment', () => {
    expect(parsePhoneRevisit('满意 已解决 9分 未收费 很好')).toEqual({
      solved: true,
      attitude: 'satisfied',
      charged: false,
      score: 9,
      comment: '很好',
    });
    expect(parsePhoneRevisit('unsolved unsatisfied charged 3')).toMatchObject({
      solved: false,
      attitude: 'unsatisfied',
      charged: true,
      score: 3,
    });
  });
  it('refuses an incomplete record', () => {
    expect(parsePhoneRevisit('已解决 满意')).toBeUndefined();
    expect(parsePhoneRevisit('已解决 满意 未收费 11')).toBeUndefined();
  });
});
