/**
 * The staff desk through the whole app (harness: real flows, locales, SQLite, dispatcher, recording
 * console sender): the eight steps of a complaint run from the staff group, the owner's side of each,
 * who may do what, and the command parsers.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type DeskPolicy } from '../../src/app/context.js';
import { parseJudgement } from '../../src/app/desk/judging.js';
import { summaryPeriod } from '../../src/app/desk/reports.js';
import { CARD_ACTIONS, timelineText } from '../../src/app/render.js';
import { parseStaffCommand } from '../../src/core/desk/vocabulary.js';
import type { PraiseTeam } from '../../src/core/ports.js';
import { type Ticket, TRANSITIONS } from '../../src/core/tickets/ticket.js';
import { LOCALES, type OutboundAction } from '../../src/core/types.js';
import { createLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

/** A first repair report, from /start to the confirmed read-back. */
const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
/** A second report by the same owner (name and phone are remembered). */
const REPAIR_AGAIN = ['报修', '1', '3-2-501', '厨房水龙头一直滴水', '1', '1', '1'];

const N1 = 'T261128-0001';
const N2 = 'T261128-0002';

const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
const A = { ...ROOM, userId: 'a', userName: '王师傅' };
const B = { ...ROOM, userId: 'b', userName: '李师傅' };
const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
const OWNER = { chatId: 'owner' };

const POLICY: DeskPolicy = { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }], managers: [{ userId: 'mgr' }] };

interface Who {
  chatId: string;
  chatKind?: 'staff' | 'private';
  userId?: string;
  userName?: string;
}

type Edit = Extract<OutboundAction, { kind: 'edit' }>;

async function desk(opts: Parameters<typeof makeHarness>[0] = {}) {
  const h = await makeHarness({ policy: POLICY, ...opts });
  /** Returns a reader of everything sent to a chat from now on. */
  const from = () => {
    const start = h.sender.sent.length;
    return (chatId: string): OutboundAction[] =>
      h.sender.sent
        .slice(start)
        .filter((s) => s.chatId === chatId)
        .map((s) => s.action);
  };
  const textsOf = (actions: OutboundAction[]) => actions.filter((a) => a.kind === 'send').map((a) => a.message.text);
  const press = (who: Who, action: string, number: string, arg?: string) =>
    h.send({ type: 'button', data: `s|${action}|${number}${arg ? `|${arg}` : ''}` }, who);
  const say = async (lines: string[], who: Who = OWNER) => {
    for (const line of lines) await h.send(line, who);
  };
  /** Staff become known to the desk by writing in the staff room. */
  const enrol = async (...who: Who[]) => {
    for (const w of who) await h.send('大家好', w);
  };
  const ticket = async (number: string): Promise<Ticket> => {
    const t = await h.store.getTicketByNumber(number);
    if (!t) throw new Error(`no ticket ${number}`);
    return t;
  };
  /** Presses the button labelled `label` on the last message with buttons a chat received. */
  const ownerPress = async (label: string, chatId = 'owner') => {
    const button = h.lastButtons(chatId).find((b) => b.label === label);
    if (!button)
      throw new Error(
        `no button ${label}: ${h
          .lastButtons(chatId)
          .map((b) => b.label)
          .join(', ')}`,
      );
    return h.send({ type: 'button', data: button.data }, { chatId });
  };
  /** The last edit of the ticket's card in the staff room. */
  const lastCard = (number: string) =>
    h
      .staffMessages()
      .map((s) => s.action)
      .filter((a): a is Edit => a.kind === 'edit' && a.ref === `card:${number}`)
      .at(-1)?.message;
  const cardActions = (number: string) => (lastCard(number)?.buttons ?? []).flat().map((b) => b.data.split('|')[1]);
  return { ...h, from, textsOf, press, say, enrol, ticket, ownerPress, lastCard, cardActions };
}

/** A desk with repair T261128-0001 recorded and staff A, B and the supervisor known to the desk. */
async function withTicket(opts: Parameters<typeof makeHarness>[0] = {}) {
  const d = await desk(opts);
  await d.say(REPAIR);
  await d.enrol(A, B, SUP);
  return d;
}

/** …and accepted by A. */
async function accepted(opts: Parameters<typeof makeHarness>[0] = {}) {
  const d = await withTicket(opts);
  await d.press(A, 'accept', N1);
  return d;
}

const HOUR = 3_600_000;

describe('the lifecycle of a repair through the staff desk', () => {
  it('accept: the actor becomes accountable, the owner hears their name, the card is edited in place', async () => {
    const d = await withTicket();
    const posted = d.staffMessages().find((s) => s.action.kind === 'send' && s.action.message.ref === `card:${N1}`);
    // A new card is for anyone in the room: only ✋ accept (declining and the phone come with acceptance).
    expect(posted?.action.kind === 'send' && posted.action.message.buttons?.flat().map((b) => b.data)).toEqual([
      `s|accept|${N1}`,
    ]);
    const read = d.from();
    const { result } = await d.press(A, 'accept', N1);
    expect(result.ack).toEqual({ text: zh('desk.done.accepted', { number: N1 }) });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.accepted', { number: N1, name: '王师傅' })]);
    const t = await d.ticket(N1);
    expect(t.status).toBe('accepted');
    expect(t.assignee).toEqual({ id: 'console:a', name: '王师傅' });
    expect(t.firstResponseAt?.toISOString()).toBe(d.clock.now().toISOString());
    const edit = read('staff').find((a): a is Edit => a.kind === 'edit');
    expect(edit?.ref).toBe(`card:${N1}`);
    expect(edit?.message.text).toContain(`${zh('card.status')}：${zh('ticket.status.accepted')}`);
    expect(edit?.message.text).toContain(`${zh('card.assignee')}：王师傅`);
    // No longer new: the title says so.
    expect(posted?.action.kind === 'send' && posted.action.message.text.split('\n')[0]).toBe(
      zh('card.title_new', { number: N1 }),
    );
    expect(edit?.message.text.split('\n')[0]).toBe(zh('card.title', { number: N1 }));
    expect(edit?.message.text).toContain('138****5678');
    expect(edit?.message.text).not.toContain('13812345678');
    // No assistant here: no 🤖 draft button (it could only answer "unavailable").
    expect(d.cardActions(N1)).toEqual(CARD_ACTIONS.accepted?.filter((a) => a !== 'draft'));
    expect(d.cardActions(N1).slice(0, 3)).toEqual(['reply', 'judge', 'plan']);
    // Only one card per ticket: the accept edited it, it did not post a new one.
    expect(read('staff').filter((a) => a.kind === 'send' && a.message.ref === `card:${N1}`)).toEqual([]);
  });

  it('runs the whole procedure: judge, reply, owner notes, plan (disagree, agree), appointment, reminders, resolve, timeline', async () => {
    const d = await accepted();

    // Judge by command: urgency and responsibility; the owner is told about the developer's warranty.
    let read = d.from();
    await d.say([`/judge ${N1} 加急 开发商`], A);
    let t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'in_progress', urgency: 'urgent', responsibility: 'developer' });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.responsibility.developer', { number: N1 })]);
    expect(d.lastCard(N1)?.text).toContain(`${zh('card.responsibility')}：${zh('ticket.responsibility.developer')}`);

    // Reply by replying to the card: the owner gets it with the number and the staff member's name.
    const cardId = await d.store.getMessageRef('console', 'staff', `card:${N1}`);
    expect(cardId).toBeDefined();
    read = d.from();
    await d.send('您好，我们今天下午先上门查看', { ...A, replyTo: cardId });
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.reply', { number: N1, name: '王师傅', text: '您好，我们今天下午先上门查看' }),
    ]);
    // …and with the "T… 回复 …" form, keeping the line breaks.
    read = d.from();
    await d.send(`${N1} 回复 需要您在家开门\n大约半小时`, A);
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.reply', { number: N1, name: '王师傅', text: '需要您在家开门\n大约半小时' }),
    ]);

    // The owner adds a note by free text: it goes to the group, under the card, naming the accountable person.
    read = d.from();
    await d.send('楼上邻居说他们家也在漏');
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.note_added', { number: N1 })]);
    const note = read('staff').find((a) => a.kind === 'send');
    expect(note?.kind === 'send' && note.message).toMatchObject({
      text: zh('desk.owner_note', { number: N1, text: '楼上邻居说他们家也在漏' }),
      replyToRef: `card:${N1}`,
      mentions: [{ userId: 'a', name: '王师傅' }],
    });

    // A plan: the owner gets it with Agree / Disagree; Disagree with a comment goes back to A.
    read = d.from();
    await d.send(`/plan ${N1} 先检查楼上防水层，再修补天花板`, A);
    expect((await d.ticket(N1)).status).toBe('awaiting_agreement');
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('plan.intro', { number: N1, name: '王师傅', plan: '先检查楼上防水层，再修补天花板' })}\n\n${zh('plan.ask')}`,
    ]);
    expect(d.lastButtons('owner').map((b) => b.label)).toEqual([zh('plan.option.agree'), zh('plan.option.disagree')]);
    expect(d.cardActions(N1)).toEqual(CARD_ACTIONS.awaiting_agreement?.filter((a) => a !== 'draft'));
    await d.ownerPress(zh('plan.option.disagree'));
    read = d.from();
    await d.send('希望先把天花板修好，楼上我自己去沟通');
    expect((await d.ticket(N1)).status).toBe('in_progress');
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.plan_noted')]);
    expect(d.textsOf(read('staff'))).toEqual([
      zh('desk.plan_disagreed', { number: N1, comment: '希望先把天花板修好，楼上我自己去沟通', who: '@王师傅' }),
    ]);

    // A second plan, agreed: work goes ahead.
    read = d.from();
    await d.send(`/plan ${N1} 明天修补天花板并做防水`, A);
    await d.ownerPress(zh('plan.option.agree'));
    expect((await d.ticket(N1)).status).toBe('in_progress');
    expect(d.textsOf(read('staff'))).toContain(zh('desk.plan_agreed', { number: N1 }));

    // An agreed time: the owner confirms; both are reminded an hour before.
    read = d.from();
    await d.send(`/schedule ${N1} 明天14:00 带好防水材料`, A);
    t = await d.ticket(N1);
    expect(t.status).toBe('scheduled');
    expect(t.scheduledFor?.toISOString()).toBe('2026-11-29T06:00:00.000Z');
    expect(d.textsOf(read('owner'))[0]).toBe(
      `${zh('appointment.intro', { number: N1, name: '王师傅', time: '11月29日（周日）下午2:00', note: '带好防水材料' })}\n\n${zh('appointment.ask')}`,
    );
    await d.ownerPress(zh('appointment.option.ok'));
    expect(d.textsOf(read('staff'))).toContain(zh('desk.appointment_ok', { number: N1 }));
    const reminders = await d.store.listJobs({ type: 'appointment.remind', status: 'pending' });
    expect(reminders.map((j) => j.dueAt.toISOString()).sort()).toEqual([
      '2026-11-29T05:00:00.000Z',
      '2026-11-29T05:00:00.000Z',
    ]);
    d.clock.set('2026-11-29T04:59:00Z');
    await d.tick();
    read = d.from();
    d.clock.set('2026-11-29T05:00:00Z');
    await d.tick();
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.appointment_reminder', { number: N1, time: '11月29日（周日）下午2:00' }),
    ]);
    const staffReminder = read('staff').find(
      (a) =>
        a.kind === 'send' &&
        a.message.text.startsWith(
          zh('desk.appointment_reminder', { number: N1, time: '11月29日（周日）下午2:00', who: '' }),
        ),
    );
    expect(staffReminder?.kind === 'send' && staffReminder.message.mentions).toEqual([{ userId: 'a', name: '王师傅' }]);

    // Resolve with a note: the owner is told.
    d.clock.set('2026-11-29T07:30:00Z');
    read = d.from();
    await d.send(`/resolve ${N1} 已修补天花板并做好防水，试水无渗漏`, A);
    t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'resolved', resolution: '已修补天花板并做好防水，试水无渗漏' });
    expect(t.resolvedAt?.toISOString()).toBe('2026-11-29T07:30:00.000Z');
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.resolved', { number: N1, note: '已修补天花板并做好防水，试水无渗漏' }),
    ]);
    expect(d.cardActions(N1)).toEqual(['timeline']);
    expect(d.lastCard(N1)?.text).toContain(`${zh('card.resolution')}：已修补天花板并做好防水，试水无渗漏`);
    expect(await d.store.listJobs({ type: 'sla.check', status: 'pending' })).toEqual([]);
    expect(await d.store.listJobs({ type: 'appointment.remind', status: 'pending' })).toEqual([]);
    // The revisit is scheduled.
    expect(await d.store.listJobs({ type: 'revisit.start', status: 'pending' })).toHaveLength(1);

    // The timeline shows every step, in order.
    read = d.from();
    await d.send(`/ticket ${N1}`, A);
    const timeline = d.textsOf(read('staff')).join('\n');
    const steps = [
      'create',
      'accept',
      'judge',
      'staff_reply',
      'owner_message',
      'propose_plan',
      'disagree_plan',
      'agree_plan',
      'schedule',
      'note',
      'resolve',
    ];
    let at = 0;
    for (const step of steps) {
      const found = timeline.indexOf(`：${zh(`desk.event.${step}`)}`, at);
      expect(found, `timeline has ${step} after position ${at}:\n${timeline}`).toBeGreaterThan(-1);
      at = found;
    }
    expect(timeline).toContain('「希望先把天花板修好，楼上我自己去沟通」');
    // What the system recorded reads in the staff's language, not in its own codes.
    expect(timeline).toContain(
      `「${zh('card.urgency')}：${zh('ticket.urgency.urgent')}；${zh('card.responsibility')}：${zh('ticket.responsibility.developer')}」`,
    );
    expect(timeline).toContain(`「${zh('desk.note.appointment_ok')}」`);
    expect(timeline).not.toMatch(/responsibility:|urgency:|appointment confirmed/);
    expect(timeline).toContain('「已修补天花板并做好防水，试水无渗漏」');
    const actions = (await d.ticket(N1)).timeline.map((e) => e.action);
    expect(actions.filter((a) => a === 'staff_reply')).toHaveLength(2);
  });

  it('resolves with a photo of the work: captioned with the command, or sent after the ✅ button; the owner gets it', async () => {
    const d = await accepted();
    await d.say(REPAIR_AGAIN);
    await d.press(A, 'accept', N2);
    let read = d.from();
    // Responsibility was never judged: resolving says so and goes ahead once confirmed with the reason.
    await d.send({ type: 'photo', fileRef: 'photo-pipe', caption: `/resolve ${N1} 确认 已更换卫生间上方水管` }, A);
    let t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'resolved', resolution: '已更换卫生间上方水管' });
    expect(t.timeline.at(-1)).toMatchObject({ action: 'resolve', data: { photo: 'photo-pipe' } });
    let sent = read('owner').filter((a) => a.kind === 'send');
    expect(sent.map((a) => a.kind === 'send' && [a.message.text, a.message.photos])).toEqual([
      [zh('owner.resolved', { number: N1, note: '已更换卫生间上方水管' }), ['photo-pipe']],
    ]);

    await d.press(A, 'resolve', N2);
    read = d.from();
    await d.send({ type: 'photo', fileRef: 'photo-tap', caption: '确认 已更换水龙头阀芯' }, A);
    t = await d.ticket(N2);
    expect(t).toMatchObject({ status: 'resolved', resolution: '已更换水龙头阀芯' });
    sent = read('owner').filter((a) => a.kind === 'send');
    expect(sent.map((a) => a.kind === 'send' && [a.message.text, a.message.photos])).toEqual([
      [zh('owner.resolved', { number: N2, note: '已更换水龙头阀芯' }), ['photo-tap']],
    ]);
  });

  it('records what was found (step 3) as an internal note any colleague may add; the owner never sees it', async () => {
    const d = await accepted();
    const read = d.from();
    await d.send(`/note ${N1} 现场查看：楼上卫生间防水层破损，需楼上配合`, B);
    await d.send(`${N1} 备注 已电话联系楼上业主，明天上午可以进门`, A);
    await d.send(`/note ${N1}`, A);
    expect(read('owner')).toEqual([]);
    expect(d.textsOf(read('staff'))).toEqual([
      zh('desk.note_added', { number: N1 }),
      zh('desk.note_added', { number: N1 }),
      zh('desk.note_usage', { number: N1 }),
    ]);
    const notes = (await d.ticket(N1)).timeline.filter((e) => e.action === 'note');
    expect(notes.map((e) => [e.actor.type === 'staff' && e.actor.name, e.note])).toEqual([
      ['李师傅', '现场查看：楼上卫生间防水层破损，需楼上配合'],
      ['王师傅', '已电话联系楼上业主，明天上午可以进门'],
    ]);
    expect((await d.ticket(N1)).status).toBe('accepted');
    const timeline = d.textsOf((await d.send(`/ticket ${N1}`, A)).replies).join('\n');
    expect(timeline).toContain(`李师傅：${zh('desk.event.note')}「现场查看：楼上卫生间防水层破损，需楼上配合」`);
  });

  it('asks about a visit time in the small hours instead of inviting the owner at 03:00', async () => {
    const d = await accepted();
    const read = d.from();
    await d.send(`/schedule ${N1} 明天3点`, A);
    expect(d.textsOf(read('staff'))).toEqual([
      zh('desk.schedule_small_hours', { number: N1, time: '03:00', hour: 3, afternoon: 15 }),
    ]);
    expect(read('owner')).toEqual([]);
    expect((await d.ticket(N1)).status).toBe('accepted');
    await d.send(`/schedule ${N1} 明天下午3点`, A);
    expect((await d.ticket(N1)).scheduledFor?.toISOString()).toBe('2026-11-29T07:00:00.000Z');
  });

  it('agrees another time when the owner asks for one: the card offers 📅 again and only the new time is reminded', async () => {
    const d = await accepted();
    await d.send(`/schedule ${N1} 明天14:00`, A);
    await d.ownerPress(zh('appointment.option.other'));
    let read = d.from();
    await d.send('后天上午十点以后都在家');
    expect(d.textsOf(read('staff'))).toEqual([
      zh('desk.appointment_change', { number: N1, comment: '后天上午十点以后都在家', who: '@王师傅' }),
    ]);
    expect(d.cardActions(N1)).toContain('schedule');
    await d.press(A, 'schedule', N1);
    read = d.from();
    await d.send('后天10:30', A);
    const t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'scheduled' });
    expect(t.scheduledFor?.toISOString()).toBe('2026-11-30T02:30:00.000Z');
    expect(d.textsOf(read('owner'))[0]).toBe(
      `${zh('appointment.intro', { number: N1, name: '王师傅', time: '11月30日（周一）上午10:30', note: '' })}\n\n${zh('appointment.ask')}`,
    );
    const reminders = await d.store.listJobs({ type: 'appointment.remind', status: 'pending' });
    expect(reminders.map((j) => j.payload.at)).toEqual(['2026-11-30T02:30:00.000Z', '2026-11-30T02:30:00.000Z']);
  });

  it('asks the owner about a changed visit time at once, and takes back the question about the old one', async () => {
    const d = await accepted();
    await d.send(`/schedule ${N1} 明天14:00`, A);
    const oldOk = d.lastButtons('owner').find((b) => b.label === zh('appointment.option.ok'));
    // Changed before the owner answered: the new time is asked now, not after an answer to the old one.
    let read = d.from();
    await d.send(`/schedule ${N1} 后天10:00`, A);
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('appointment.intro', { number: N1, name: '王师傅', time: '11月30日（周一）上午10:00', note: '' })}\n\n${zh('appointment.ask')}`,
    ]);
    read = d.from();
    await d.ownerPress(zh('appointment.option.ok'));
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.appointment_ok', { number: N1 })]);
    // The old question's button confirms nothing.
    read = d.from();
    await d.send({ type: 'button', data: oldOk?.data ?? '' });
    expect(read('staff')).toEqual([]);
  });

  it('keeps a card with a very long plan or result short enough for one message, the accountable person still on it', async () => {
    const d = await accepted();
    const long = '先关闭总阀，再检查楼上卫生间的防水层和下水管接口。'.repeat(200);
    await d.send(`/plan ${N1} ${long}`, A);
    const card = d.lastCard(N1)?.text ?? '';
    expect(card.length).toBeLessThan(2000);
    expect(card).toContain(`${zh('card.assignee')}：王师傅`);
    expect((await d.ticket(N1)).plan).toBe(long);
  });

  it('a plan the owner leaves unanswered can be revised or overtaken; the question about it is taken back', async () => {
    const d = await accepted();
    await d.send(`/plan ${N1} 先检查楼上防水层`, A);
    // The owner walks away from the question: the accountable person is not stuck.
    await d.send('/cancel');
    expect(d.cardActions(N1)).toEqual(expect.arrayContaining(['plan', 'schedule', 'resolve']));
    let read = d.from();
    await d.send(`/plan ${N1} 直接修补天花板`, A);
    expect(await d.ticket(N1)).toMatchObject({ status: 'awaiting_agreement', plan: '直接修补天花板' });
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('plan.intro', { number: N1, name: '王师傅', plan: '直接修补天花板' })}\n\n${zh('plan.ask')}`,
    ]);

    // Revised while the owner still has the question: the revised plan is asked at once, and agreed.
    read = d.from();
    await d.send(`/plan ${N1} 修补天花板并做防水`, A);
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('plan.intro', { number: N1, name: '王师傅', plan: '修补天花板并做防水' })}\n\n${zh('plan.ask')}`,
    ]);
    read = d.from();
    await d.ownerPress(zh('plan.option.agree'));
    expect(await d.ticket(N1)).toMatchObject({ status: 'in_progress', plan: '修补天花板并做防水' });
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.plan_agreed', { number: N1 })]);

    // The owner agreed on the phone: resolved while the question is open, which is then taken back.
    await d.send(`/plan ${N1} 更换楼上防水层`, A);
    await d.send(`/resolve ${N1} 确认 已更换楼上防水层并修补天花板`, A);
    expect((await d.ticket(N1)).status).toBe('resolved');
    read = d.from();
    await d.send('你好');
    expect(d.textsOf(read('owner'))).not.toContain(zh('plan.ask'));
    expect(read('staff')).toEqual([]);
  });

  it('reminds an owner of an early appointment the evening before, not in quiet hours; staff an hour before', async () => {
    const d = await accepted();
    await d.send(`/schedule ${N1} 明天08:30`, A);
    const jobs = await d.store.listJobs({ type: 'appointment.remind', status: 'pending' });
    const due = Object.fromEntries(jobs.map((j) => [String(j.payload.who), j.dueAt.toISOString()]));
    expect(due).toEqual({
      staff: '2026-11-28T23:30:00.000Z', // 07:30 on the 29th
      owner: '2026-11-28T12:59:00.000Z', // 20:59 on the 28th, before quiet hours
    });
  });

  it('hands over from the button list: the new person is told, the owner too, and only they may act after', async () => {
    const d = await accepted();
    let read = d.from();
    const { result } = await d.press(A, 'handover', N1);
    expect(result.ack).toEqual({ text: '' });
    const pick = read('staff').find((a) => a.kind === 'send');
    expect(pick?.kind === 'send' && pick.message.text).toBe(zh('desk.handover_pick', { number: N1 }));
    const choices = d.lastButtons('staff');
    expect(choices.map((b) => b.label).sort()).toEqual(['李师傅', '赵主管'].sort());
    const toB = choices.find((b) => b.label === '李师傅');
    read = d.from();
    const done = await d.send({ type: 'button', data: toB?.data ?? '' }, A);
    expect(done.result.ack).toEqual({ text: zh('desk.done.handed_over', { name: '李师傅' }) });
    const t = await d.ticket(N1);
    expect(t.assignee).toEqual({ id: 'console:b', name: '李师傅' });
    expect(t.timeline.at(-1)).toMatchObject({
      action: 'hand_over',
      actor: { type: 'staff', id: 'console:a' },
      note: '李师傅',
      data: { from: 'console:a', to: 'console:b' },
    });
    // The timeline staff read names who took over, not only who handed it on.
    expect(timelineText(t, zh, 'Asia/Shanghai')).toMatch(/王师傅：转交「李师傅」$/);
    const told = read('staff').find((a) => a.kind === 'send');
    expect(told?.kind === 'send' && told.message).toMatchObject({
      text: zh('desk.handed_over', { number: N1, from: '王师傅', to: '李师傅' }),
      mentions: [{ userId: 'b', name: '李师傅' }],
    });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.handed_over', { number: N1, name: '李师傅' })]);
    expect(d.lastCard(N1)?.text).toContain(`${zh('card.assignee')}：李师傅`);

    // A is no longer accountable; B is.
    const refused = await d.press(A, 'reply', N1);
    expect(refused.result.ack).toEqual({
      text: zh('desk.refused.not_accountable', { number: N1, name: '李师傅' }),
      alert: true,
    });
    read = d.from();
    await d.send(`/reply ${N1} 我是李师傅，接下来由我跟进`, B);
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.reply', { number: N1, name: '李师傅', text: '我是李师傅，接下来由我跟进' }),
    ]);
  });

  it('hands over by command with a name; refuses an unknown name and the current assignee', async () => {
    const d = await accepted();
    let read = d.from();
    await d.send(`/handover ${N1} 张某`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.handover_unknown', { name: '张某' })]);
    read = d.from();
    await d.send(`/handover ${N1} 王师傅`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.handover_same', { name: '王师傅' })]);
    read = d.from();
    await d.send(`/handover ${N1} @李师傅`, A);
    expect((await d.ticket(N1)).assignee?.name).toBe('李师傅');
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.handed_over', { number: N1, name: '李师傅' })]);
  });

  it('asks for the text after a button: reply and resolve take the next message; /cancel drops it', async () => {
    const d = await accepted();
    let read = d.from();
    await d.press(A, 'reply', N1);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.ask.reply', { name: '王师傅', number: N1 })]);
    read = d.from();
    await d.send('师傅已在路上', A);
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.reply', { number: N1, name: '王师傅', text: '师傅已在路上' })]);

    await d.press(A, 'resolve', N1);
    await d.send('/cancel', A);
    read = d.from();
    await d.send('这句只是同事之间的聊天', A);
    expect(read('owner')).toEqual([]);
    expect((await d.ticket(N1)).status).toBe('accepted');
  });

  it("sends a reply quoting another card to that card's owner, not to the ticket a button was waiting on", async () => {
    const d = await accepted();
    await d.say(REPAIR, { chatId: 'owner2' });
    await d.press(A, 'accept', N2);
    const card2 = await d.store.getMessageRef('console', 'staff', `card:${N2}`);
    expect(card2).toBeDefined();
    await d.press(A, 'resolve', N1); // asks A for the resolution text of N1…
    const read = d.from();
    await d.send('明天上午来修水龙头', { ...A, replyTo: card2 }); // …but A quotes N2's card
    expect(read('owner')).toEqual([]);
    expect(d.textsOf(read('owner2'))).toEqual([
      zh('owner.reply', { number: N2, name: '王师傅', text: '明天上午来修水龙头' }),
    ]);
    expect((await d.ticket(N1)).status).toBe('accepted');
    // The quote replaced the waiting question: the next plain message is ordinary chat.
    await d.send('好的', A);
    expect((await d.ticket(N1)).status).toBe('accepted');
    expect(read('owner')).toEqual([]);
  });

  it('tells staff under the card to phone an owner who can no longer be reached in chat', async () => {
    const d = await accepted();
    await d.app.markUnreachable('console', 'owner');
    const read = d.from();
    await d.send(`${N1} 回复 明天上午上门`, A);
    expect(read('owner')).toEqual([]);
    const told = read('staff').find((a) => a.kind === 'send');
    expect(told?.kind === 'send' && told.message).toMatchObject({
      text: zh('desk.owner_unreachable', { number: N1 }),
      replyToRef: `card:${N1}`,
    });
    // The reply is still on the ticket's record.
    expect((await d.ticket(N1)).timeline.at(-1)).toMatchObject({ action: 'staff_reply', note: '明天上午上门' });
  });

  it('shows the full phone number to the accountable person alone (an alert), never in the group', async () => {
    const d = await accepted();
    const read = d.from();
    const { result } = await d.press(A, 'phone', N1);
    expect(result.ack).toEqual({
      text: zh('desk.phone', { number: N1, name: '张三', phone: '+8613812345678' }),
      alert: true,
    });
    expect(read('staff')).toEqual([]);
    const other = await d.press(B, 'phone', N1);
    expect(other.result.ack?.alert).toBe(true);
    expect(other.result.ack?.text).not.toContain('13812345678');
  });

  it('judges with the card buttons: urgency, responsibility and category, then back to the actions', async () => {
    const d = await accepted();
    await d.press(A, 'judge', N1);
    expect(
      d
        .lastCard(N1)
        ?.buttons?.flat()
        .map((b) => b.data),
    ).toContain(`s|ju|${N1}|urgent`);
    const read = d.from();
    const r1 = await d.press(A, 'jr', N1, 'owner');
    expect(r1.result.ack).toEqual({ text: zh('desk.done.judged') });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.responsibility.owner', { number: N1 })]);
    await d.press(A, 'jcat', N1);
    await d.press(A, 'jc', N1, 'leaks_fabric');
    const t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'in_progress', responsibility: 'owner', category: 'leaks_fabric' });
    // After each choice the judging keyboard stays, with the choices made ticked.
    const labels = d
      .lastCard(N1)
      ?.buttons?.flat()
      .map((b) => b.label);
    expect(labels).toContain(`✓ ${zh('ticket.responsibility.owner')}`);
    expect(labels).toContain(`✓ ${zh('ticket.urgency.normal')}`);
    await d.press(A, 'jx', N1);
    expect(d.cardActions(N1)).toEqual(CARD_ACTIONS.in_progress?.filter((a) => a !== 'draft'));
    // A value that is not one of ours is refused.
    const bad = await d.press(A, 'ju', N1, 'whenever');
    expect(bad.result.ack).toEqual({ text: zh('desk.refused.unknown'), alert: true });
  });

  it('refuses a judging button from an old message once the ticket is resolved, and leaves the card as it is', async () => {
    const d = await accepted();
    await d.send(`/resolve ${N1} 确认 已修好`, A);
    const { result } = await d.press(A, 'jcat', N1);
    expect(result.ack).toEqual({
      text: zh('desk.refused.status', { number: N1, status: zh('ticket.status.resolved') }),
      alert: true,
    });
    expect(d.cardActions(N1)).toEqual(['timeline']);
  });

  it('summarises a month or a quarter for review (step 8): by kind, category, responsibility, status, and service kept', async () => {
    const d = await accepted();
    await d.say(REPAIR_AGAIN);
    await d.send(`/judge ${N1} 开发商`, A);
    await d.send(`/resolve ${N1} 已修好`, A);
    const read = d.from();
    await d.send('/summary', B);
    await d.send('/summary 2026-10', B);
    await d.send('/summary 上个月', B);
    const [month, october, usage] = d.textsOf(read('staff'));
    expect(month?.split('\n')).toEqual([
      zh('desk.summary.title', { period: '2026-11', count: 2 }),
      `${zh('card.kind')}：${zh('ticket.kind.repair')} 2`,
      `${zh('card.category')}：${zh('ticket.category.water_power')} 2`,
      `${zh('card.responsibility')}：${zh('ticket.responsibility.developer')} 1 · ${zh('ticket.responsibility.unknown')} 1`,
      `${zh('card.status')}：${zh('ticket.status.recorded')} 1 · ${zh('ticket.status.resolved')} 1`,
      `${zh('ticket_source.label')}：${zh('ticket_source.chat')} 2`,
      zh('desk.summary.service', {
        minutes: 0,
        accepted: 1,
        acceptedOf: 1,
        resolved: 1,
        resolvedOf: 1,
        escalated: 0,
        reopened: 0,
      }),
      zh('desk.summary.revisit', { count: 0, score: '—', satisfied: 0 }),
      zh('desk.summary.praise', { count: 0 }),
    ]);
    expect(october).toBe(zh('desk.summary.title', { period: '2026-10', count: 0 }));
    expect(usage).toBe(zh('desk.summary.usage'));
  });

  it('counts the praise owners gave in the period, in total and per team, even in a period without tickets', async () => {
    const d = await accepted();
    const praise = (id: string, team: PraiseTeam, at: string) =>
      d.store.addPraise({ id, ownerId: 'o1', channel: 'console', text: '表扬一下', team, at: new Date(at) });
    await praise('p1', 'all', '2026-11-02T02:00:00Z');
    await praise('p2', 'cleaning', '2026-11-20T02:00:00Z');
    await praise('p3', 'cleaning', '2026-11-27T17:00:00Z'); // 28 Nov, 01:00 in Shanghai
    await praise('p4', 'security', '2026-10-31T15:59:00Z'); // still October in Shanghai
    await praise('p5', 'security', '2026-11-30T16:00:00Z'); // 1 December in Shanghai
    const read = d.from();
    await d.send('/summary', B);
    await d.send('/summary 2026-10', B);
    const [month, october] = d.textsOf(read('staff'));
    const lines = month?.split('\n') ?? [];
    expect(lines.at(-1)).toBe(
      zh('desk.summary.praise_by_team', {
        count: 3,
        teams: `${zh('desk.summary.praise_team.cleaning')} 2 · ${zh('desk.summary.praise_team.all')} 1`,
      }),
    );
    expect(october?.split('\n')).toEqual([
      zh('desk.summary.title', { period: '2026-10', count: 0 }),
      zh('desk.summary.praise_by_team', { count: 1, teams: `${zh('desk.summary.praise_team.security')} 1` }),
    ]);
  });

  it('reads the period of a summary in the business time zone', () => {
    const now = new Date('2026-11-28T02:00:00Z');
    expect(summaryPeriod('', now, 'Asia/Shanghai')).toEqual({
      from: new Date('2026-10-31T16:00:00Z'),
      to: new Date('2026-11-30T16:00:00Z'),
      label: '2026-11',
    });
    expect(summaryPeriod('2026-Q4', now, 'Asia/Shanghai')).toEqual({
      from: new Date('2026-09-30T16:00:00Z'),
      to: new Date('2026-12-31T16:00:00Z'),
      label: '2026-Q4',
    });
    expect(summaryPeriod('2026-13', now, 'Asia/Shanghai')).toBeUndefined();
    expect(summaryPeriod('last month', now, 'Asia/Shanghai')).toBeUndefined();
  });

  it('lists open tickets as mine / unassigned / overdue', async () => {
    const d = await desk();
    await d.say(REPAIR);
    await d.say(REPAIR_AGAIN);
    await d.press(A, 'accept', N1);
    d.clock.advance(2 * HOUR + 60_000); // past the 2-hour accept deadline of the second one
    const read = d.from();
    await d.send('/tickets', A);
    const [list] = d.textsOf(read('staff'));
    const sections = (list ?? '').split('\n\n');
    expect(sections).toHaveLength(3);
    expect(sections[0]).toMatch(new RegExp(`^${zh('desk.list.mine')} \\(1\\)\\n${N1} · `));
    expect(sections[1]).toMatch(new RegExp(`^${zh('desk.list.unassigned')} \\(1\\)\\n${N2} · `));
    expect(sections[2]).toMatch(new RegExp(`^${zh('desk.list.overdue')} \\(1\\)\\n${N2} · `));
    expect(sections[0]).toContain('王师傅');
  });
});

describe('owners in their own language', () => {
  it('tells an English-speaking owner in English while the group works in Chinese', async () => {
    const d = await desk();
    for (const line of REPAIR) await d.send(line, { chatId: 'owner', languageCode: 'en' });
    const en = (key: string, params?: Record<string, string | number>) => i18n.translate('en', key, params);
    let read = d.from();
    await d.press(A, 'accept', N1);
    expect(d.textsOf(read('owner'))).toEqual([en('owner.accepted', { number: N1, name: '王师傅' })]);
    expect(d.lastCard(N1)?.text).toContain(zh('ticket.status.accepted'));
    read = d.from();
    await d.send(`/reply ${N1} 下午两点上门`, A);
    await d.send(`/resolve ${N1} 确认 已修好`, A);
    expect(d.textsOf(read('owner'))).toEqual([
      en('owner.reply', { number: N1, name: '王师傅', text: '下午两点上门' }),
      en('owner.resolved', { number: N1, note: '已修好' }),
    ]);
  });
});

describe('rejecting, and the owner asking for a review', () => {
  it('needs an explanation of at least 10 characters; the owner gets it and may ask a supervisor to review', async () => {
    const d = await accepted();
    let read = d.from();
    await d.send(`/reject ${N1} 不归我们管`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.reject_needs_reason', { number: N1 })]);
    expect((await d.ticket(N1)).status).toBe('accepted');
    expect(read('owner')).toEqual([]);

    const explanation = '经现场查看，漏水来自您家自装的热水器管道，属于户内自有设施，不在物业公共维修范围内';
    read = d.from();
    await d.send(`/reject ${N1} ${explanation}`, A);
    let t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'rejected', rejection: explanation });
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('rejection.intro', { number: N1, explanation })}\n\n${zh('rejection.ask')}`,
    ]);
    expect(d.cardActions(N1)).toEqual(['timeline']);
    expect(await d.store.listJobs({ type: 'sla.check', status: 'pending' })).toEqual([]);

    read = d.from();
    await d.ownerPress(zh('rejection.option.review'));
    t = await d.ticket(N1);
    expect(t).toMatchObject({ status: 'reopened', reopenCount: 1 });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.review_requested', { number: N1 })]);
    const told = read('staff').find((a) => a.kind === 'send');
    expect(told?.kind === 'send' && told.message).toMatchObject({
      text: zh('desk.review_requested', { number: N1, who: '@赵主管' }),
      mentions: [{ userId: 'sup', name: '赵主管' }],
      replyToRef: `card:${N1}`,
    });
    expect(d.lastCard(N1)?.text).toContain(zh('ticket.status.reopened'));
    // The reopened ticket is timed again for acceptance.
    const jobs = await d.store.listJobs({ type: 'sla.check', status: 'pending' });
    expect(jobs.map((j) => j.payload.phase)).toEqual(['accept', 'accept', 'accept', 'accept']);

    // It is still A's ticket: B cannot take it over by accepting it (that is a hand-over); A can take it up.
    const refused = await d.press(B, 'accept', N1);
    expect(refused.result.ack).toEqual({
      text: zh('desk.refused.not_accountable', { number: N1, name: '王师傅' }),
      alert: true,
    });
    expect((await d.ticket(N1)).assignee?.id).toBe('console:a');
    await d.press(A, 'accept', N1);
    expect((await d.ticket(N1)).status).toBe('accepted');

    // Declining it again is the supervisor's decision, not A's.
    const again = await d.press(A, 'reject', N1);
    expect(again.result.ack).toEqual({ text: zh('desk.refused.review_supervisor', { number: N1 }), alert: true });
    read = d.from();
    await d.send(`/reject ${N1} ${explanation}`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.refused.review_supervisor', { number: N1 })]);
    expect((await d.ticket(N1)).status).toBe('accepted');
    read = d.from();
    await d.send(`/reject ${N1} 经主管复核并与您电话沟通，热水器管道属户内设施，我们可提供有偿维修`, SUP);
    expect((await d.ticket(N1)).status).toBe('rejected');
    expect(d.textsOf(read('owner'))[0]).toContain('经主管复核');
  });

  it('a reject button asks for the explanation first, and a short one is refused', async () => {
    const d = await accepted();
    let read = d.from();
    await d.press(A, 'reject', N1);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.ask.reject', { name: '王师傅', number: N1 })]);
    read = d.from();
    await d.send('不行', A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.reject_needs_reason', { number: N1 })]);
    expect((await d.ticket(N1)).status).toBe('accepted');
  });

  it('an owner who accepts the explanation closes the ticket', async () => {
    const d = await accepted();
    await d.send(`/reject ${N1} 该问题属于市政道路管理范围，需由城管部门处理，我们已帮您反映`, A);
    const read = d.from();
    await d.ownerPress(zh('rejection.option.ok'));
    expect((await d.ticket(N1)).status).toBe('closed');
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.explanation_ok')]);
  });
});

describe("the owner's side", () => {
  it('holds staff messages in quiet hours until the owner writes, then sends them in order with the answer', async () => {
    const d = await accepted({ clock: new FakeClock('2026-11-28T11:00:00Z') }); // 19:00
    d.clock.set('2026-11-28T14:00:00Z'); // 22:00, the owner last wrote three hours ago
    let read = d.from();
    await d.send(`/plan ${N1} 明早检查楼上防水层`, A);
    // The plan flow now waits in the owner's chat; that is not the owner being awake.
    await d.send(`${N1} 回复 明早八点上门`, A);
    expect(read('owner')).toEqual([]);
    const held = await d.store.listOutbox({ chatId: 'owner', status: 'pending' });
    // The plan's intro with its question (one message), and the reply.
    expect(held.length).toBeGreaterThanOrEqual(2);
    for (const item of held) expect(item.notBefore.toISOString()).toBe('2026-11-29T00:00:00.000Z'); // 08:00

    // The owner writes at 22:30: the held messages go at once, in order, then the answer to what they wrote.
    d.clock.set('2026-11-28T14:30:00Z');
    read = d.from();
    await d.send('1'); // the plan's first choice, Agree
    expect((await d.ticket(N1)).status).toBe('in_progress');
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('plan.intro', { number: N1, name: '王师傅', plan: '明早检查楼上防水层' })}\n\n${zh('plan.ask')}`,
      zh('owner.reply', { number: N1, name: '王师傅', text: '明早八点上门' }),
      ...d.textsOf(read('owner')).slice(2),
    ]);
    expect(d.textsOf(read('owner')).length).toBeGreaterThan(2);
    expect(await d.store.listOutbox({ chatId: 'owner', status: 'pending' })).toEqual([]);
  });

  it('cancels a ticket nobody has accepted yet from /mytickets', async () => {
    const d = await desk();
    await d.say(REPAIR);
    let read = d.from();
    await d.send('/mytickets');
    const [list] = d.textsOf(read('owner'));
    expect(list).toContain(`${N1} · ${zh('ticket.category.water_power')} · ${zh('mytickets.next.recorded')}`);
    await d.ownerPress(zh('mytickets.cancel_button', { number: N1 }));
    read = d.from();
    await d.ownerPress(zh('common.yes'));
    const t = await d.ticket(N1);
    expect(t.status).toBe('cancelled');
    expect(t.closedAt).toBeDefined();
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.cancelled', { number: N1 })]);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.owner_cancelled', { number: N1 })]);
    expect(d.lastCard(N1)?.text).toContain(zh('ticket.status.cancelled'));
    expect(d.lastCard(N1)?.buttons).toEqual([]);
    expect(await d.store.listJobs({ type: 'sla.check', status: 'pending' })).toEqual([]);
  });

  it('cannot cancel a ticket once it is accepted; /mytickets shows who took it', async () => {
    const d = await desk();
    await d.say(REPAIR);
    await d.send('/mytickets');
    const cancel = d.lastButtons('owner').find((b) => b.label === zh('mytickets.cancel_button', { number: N1 }));
    expect(cancel).toBeDefined();
    await d.press(A, 'accept', N1);
    // The old cancel button is stale now.
    await d.send({ type: 'button', data: cancel?.data ?? '' }, OWNER);
    expect((await d.ticket(N1)).status).toBe('accepted');
    const read = d.from();
    await d.send('/mytickets');
    const [list] = d.textsOf(read('owner'));
    expect(list).toContain(
      `${N1} · ${zh('ticket.category.water_power')} · ${zh('mytickets.next.accepted', { name: '王师傅' })}`,
    );
    expect(d.lastButtons('owner').map((b) => b.label)).toEqual([zh('menu.back_to_menu')]);
  });

  it('adds a photo to the open ticket and shows it to the group under the card', async () => {
    const d = await accepted();
    const read = d.from();
    await d.send({ type: 'photo', fileRef: 'photo-ceiling', caption: '又滴了' });
    const t = await d.ticket(N1);
    expect(t.attachments.map((a) => a.ref)).toEqual(['photo-ceiling']);
    expect(t.timeline.at(-1)).toMatchObject({ action: 'owner_message', note: '又滴了' });
    const shown = read('staff').find((a) => a.kind === 'send');
    expect(shown?.kind === 'send' && shown.message).toMatchObject({
      photos: ['photo-ceiling'],
      replyToRef: `card:${N1}`,
    });
    expect(shown?.kind === 'send' && shown.message.text).toContain(zh('desk.owner_photo', { number: N1 }));
  });

  it('with several open tickets asks which one a note is for', async () => {
    const d = await desk();
    await d.say(REPAIR);
    await d.say(REPAIR_AGAIN);
    const read = d.from();
    await d.send('还有，阳台也有点渗水');
    expect(d.textsOf(read('owner')).at(-1)).toBe(zh('owner.note_pick'));
    const second = d.lastButtons('owner').find((b) => b.label.startsWith(N2));
    await d.send({ type: 'button', data: second?.data ?? '' }, OWNER);
    expect((await d.ticket(N2)).timeline.at(-1)).toMatchObject({
      action: 'owner_message',
      note: '还有，阳台也有点渗水',
    });
    expect((await d.ticket(N1)).timeline.some((e) => e.action === 'owner_message')).toBe(false);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.owner_note', { number: N2, text: '还有，阳台也有点渗水' })]);
  });

  it('keeps the question of which ticket a note is for when staff send a plan meanwhile, then asks about the plan', async () => {
    const d = await desk();
    await d.say(REPAIR);
    await d.say(REPAIR_AGAIN);
    await d.enrol(A);
    await d.press(A, 'accept', N1);
    await d.send('还有，阳台也有点渗水');
    const position = d.lastButtons('owner').findIndex((b) => b.label.startsWith(N2)) + 1;
    expect(position).toBeGreaterThan(0);
    let read = d.from();
    await d.send(`/plan ${N1} 先检查楼上防水层`, A);
    expect(read('owner')).toEqual([]); // the plan waits: the owner is answering another question
    read = d.from();
    await d.send(String(position)); // N2, typed as its number in the list
    expect((await d.ticket(N2)).timeline.at(-1)).toMatchObject({
      action: 'owner_message',
      note: '还有，阳台也有点渗水',
    });
    // One message: the note taken, then the plan that waited and its question.
    expect(d.textsOf(read('owner'))).toEqual([
      `${zh('owner.note_added', { number: N2 })}\n\n${zh('plan.intro', { number: N1, name: '王师傅', plan: '先检查楼上防水层' })}\n\n${zh('plan.ask')}`,
    ]);
    expect((await d.ticket(N1)).status).toBe('awaiting_agreement');
  });
});

describe('who may act', () => {
  it('refuses reply and resolve from a staff member who is not accountable, with an alert, changing nothing', async () => {
    const d = await accepted();
    const before = await d.ticket(N1);
    const read = d.from();
    for (const action of ['reply', 'resolve', 'plan', 'schedule', 'handover', 'reject', 'judge']) {
      const { result } = await d.press(B, action, N1);
      expect(result.ack, action).toEqual({
        text: zh('desk.refused.not_accountable', { number: N1, name: '王师傅' }),
        alert: true,
      });
    }
    // Nothing was asked of B, so B's next message is not taken as a reply.
    await d.send('我来看看', B);
    // A refused command is answered in the room.
    await d.send(`/resolve ${N1} 我顺手修好了`, B);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.refused.not_accountable', { number: N1, name: '王师傅' })]);
    expect(read('owner')).toEqual([]);
    expect(await d.ticket(N1)).toEqual(before);
  });

  it('lets a supervisor act on any ticket', async () => {
    const d = await accepted();
    await d.send(`/judge ${N1} 物业公司`, SUP);
    await d.press(SUP, 'resolve', N1);
    const read = d.from();
    await d.send('主管已协调，维修完成', SUP);
    const t = await d.ticket(N1);
    expect(t.status).toBe('resolved');
    expect(t.timeline.at(-1)?.actor).toEqual({ type: 'staff', id: 'console:sup', name: '赵主管' });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.resolved', { number: N1, note: '主管已协调，维修完成' })]);
  });

  it('refuses a staff button an owner forges in a private chat, and logs it', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const d = await withTicket({ log });
    const before = await d.ticket(N1);
    for (const data of [`s|accept|${N1}`, `s|resolve|${N1}`, `s|hto|${N1}|console:owner`]) {
      const { result, replies } = await d.send({ type: 'button', data }, OWNER);
      expect(result.ack).toEqual({ text: zh('desk.refused.not_staff'), alert: true });
      expect(replies).toEqual([]);
    }
    expect(await d.ticket(N1)).toEqual(before);
    const refusals = lines.filter((l) => l.msg === 'refused a staff action from someone who is not staff');
    expect(refusals).toHaveLength(3);
    expect(refusals[0]?.level).toBe(40); // warn
    // A typed command from an owner is no staff action either.
    await d.send(`/accept ${N1}`);
    expect((await d.ticket(N1)).status).toBe('recorded');
  });

  it("accepts a registered staff member's command from their private chat", async () => {
    const d = await withTicket();
    const read = d.from();
    await d.send(`/accept ${N1}`, { chatId: 'a-private', userId: 'a', userName: '王师傅' });
    const t = await d.ticket(N1);
    expect(t.status).toBe('accepted');
    expect(t.assignee).toEqual({ id: 'console:a', name: '王师傅' });
    expect(d.textsOf(read('owner'))).toEqual([zh('owner.accepted', { number: N1, name: '王师傅' })]);
    // The private chat did not become an owner's conversation.
    expect(await d.store.findOwnerByIdentity('console', 'a')).toBeUndefined();
    // …nor does a photo captioned with a command.
    await d.send(
      { type: 'photo', fileRef: 'photo-done', caption: `/resolve ${N1} 确认 已处理好` },
      { chatId: 'a-private', userId: 'a', userName: '王师傅' },
    );
    expect(await d.ticket(N1)).toMatchObject({ status: 'resolved', resolution: '已处理好' });
    expect(await d.store.findOwnerByIdentity('console', 'a')).toBeUndefined();
  });

  it('says why an action on a resolved or closed ticket is refused', async () => {
    const d = await accepted();
    await d.send(`/resolve ${N1} 确认 已修好`, A);
    const resolved = zh('ticket.status.resolved');
    let read = d.from();
    await d.send(`/reply ${N1} 还有问题吗`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.refused.status', { number: N1, status: resolved })]);
    const again = await d.press(A, 'resolve', N1);
    expect(again.result.ack).toEqual({
      text: zh('desk.refused.status', { number: N1, status: resolved }),
      alert: true,
    });
    read = d.from();
    await d.send(`/accept ${N1}`, B);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.refused.status', { number: N1, status: resolved })]);
    await d.send(`/plan ${N1} 再检查一次`, A);
    expect((await d.ticket(N1)).status).toBe('resolved');
    expect(read('owner')).toEqual([]);
  });

  it('says a cancelled ticket is cancelled, not that someone should accept it first', async () => {
    const d = await desk();
    await d.say(REPAIR);
    await d.send('/mytickets');
    await d.ownerPress(zh('mytickets.cancel_button', { number: N1 }));
    await d.ownerPress(zh('common.yes'));
    const cancelled = zh('desk.refused.status', { number: N1, status: zh('ticket.status.cancelled') });
    const read = d.from();
    await d.send(`/reply ${N1} 您好，请问还需要上门吗`, A);
    await d.send(`/accept ${N1}`, A);
    expect(d.textsOf(read('staff'))).toEqual([cancelled, cancelled]);
    expect(read('owner')).toEqual([]);
  });

  it('refuses a second accept and an unknown ticket', async () => {
    const d = await accepted();
    const second = await d.press(B, 'accept', N1);
    expect(second.result.ack).toEqual({
      text: zh('desk.refused.status', { number: N1, status: zh('ticket.status.accepted') }),
      alert: true,
    });
    expect((await d.ticket(N1)).assignee?.name).toBe('王师傅');
    const none = await d.press(A, 'accept', 'T261128-0099');
    expect(none.result.ack).toEqual({ text: zh('desk.refused.no_ticket', { number: 'T261128-0099' }), alert: true });
  });
});

describe('staff and owners in the same app', () => {
  // A reply to the owner's note under the card reaches the owner like a reply to the card.
  it("carries a staff reply to the owner's note (not the card) to the owner", async () => {
    const d = await accepted();
    await d.send('楼上邻居说他们家也在漏');
    const index = d.sender.sent.findIndex(
      (s) =>
        s.chatId === 'staff' &&
        s.action.kind === 'send' &&
        s.action.message.text.startsWith(zh('desk.owner_note', { number: N1, text: '' })),
    );
    expect(index).toBeGreaterThan(-1);
    const noteId = `m${index + 1}`; // the recording sender numbers every delivery m1, m2, …
    const read = d.from();
    await d.send('收到，我们一起看一下', { ...A, replyTo: noteId });
    expect(d.textsOf(read('owner'))).toEqual([
      zh('owner.reply', { number: N1, name: '王师傅', text: '收到，我们一起看一下' }),
    ]);
  });

  // Issue 15: the desk alone decides what a reply to a card says, the same on every channel.
  it('reads a reply to a card that begins with a command word as that command, never passing it to the owner', async () => {
    const d = await accepted();
    const cardId = await d.store.getMessageRef('console', 'staff', `card:${N1}`);
    const read = d.from();
    await d.send('备注 业主家里有老人，下午再去', { ...A, replyTo: cardId });
    await d.send('备注：楼上也在漏', { ...A, replyTo: cardId });
    await d.send('汇总 2026-11', { ...A, replyTo: cardId });
    await d.send('/nosuch 看一下', { ...A, replyTo: cardId });
    expect(d.textsOf(read('owner'))).toEqual([]);
    const notes = (await d.ticket(N1)).timeline.filter((e) => e.action === 'note').map((e) => e.note);
    expect(notes).toEqual(['业主家里有老人，下午再去', '楼上也在漏']);
    const staffSaw = d.textsOf(read('staff'));
    expect(staffSaw).toContain(zh('desk.note_added', { number: N1 }));
    expect(staffSaw).toContain(zh('desk.help'));
  });

  // A staff member is an owner too: 取消 without a ticket number is for their own conversation.
  it('lets a staff member who is also an owner cancel their own report with 取消', async () => {
    const d = await withTicket();
    const me = { chatId: 'a-private', userId: 'a', userName: '王师傅' };
    for (const line of ['/start', '1', '1', '5-1-302']) await d.send(line, me);
    const { texts } = await d.send('取消', me);
    expect(texts[0]?.startsWith(`${zh('complaint.cancelled')}\n\n`)).toBe(true);
  });
});

describe('parseStaffCommand', () => {
  it('reads slash commands, bare words with a number, and the number-first form', () => {
    expect(parseStaffCommand('/accept T261128-0007')).toEqual({ command: 'accept', number: 'T261128-0007', rest: '' });
    expect(parseStaffCommand('/accept@residesk_bot T261128-0007')).toMatchObject({
      command: 'accept',
      number: 'T261128-0007',
    });
    expect(parseStaffCommand('accept t261128-0007')).toMatchObject({ command: 'accept', number: 'T261128-0007' });
    expect(parseStaffCommand('T261128-0007 接单')).toEqual({ command: 'accept', number: 'T261128-0007', rest: '' });
    expect(parseStaffCommand('接单 T261128-0007')).toMatchObject({ command: 'accept', number: 'T261128-0007' });
    expect(parseStaffCommand('T261128－0007 办结 已修好')).toEqual({
      command: 'resolve',
      number: 'T261128-0007',
      rest: '已修好',
    });
    expect(parseStaffCommand('/ticket T261128-0007')).toMatchObject({ command: 'timeline' });
    expect(parseStaffCommand('/tickets')).toEqual({ command: 'tickets', rest: '' });
    expect(parseStaffCommand('工单列表')).toEqual({ command: 'tickets', rest: '' });
    expect(parseStaffCommand('/help')).toEqual({ command: 'help', rest: '' });
  });

  it('keeps the rest of the text as typed: line breaks, spacing and dashes', () => {
    expect(parseStaffCommand('/reply T261128-0007 第一行\n第二行  —— 王')).toEqual({
      command: 'reply',
      number: 'T261128-0007',
      rest: '第一行\n第二行  —— 王',
    });
    expect(parseStaffCommand('T261128-0007 回复  明天 上午 来')?.rest).toBe('明天 上午 来');
  });

  it('asks for a number when a command has none, and ignores ordinary chat', () => {
    expect(parseStaffCommand('/accept')).toEqual({ command: 'accept', rest: '' });
    expect(parseStaffCommand('回复一下业主吧')).toBeUndefined();
    expect(parseStaffCommand('accept it please')).toBeUndefined();
    expect(parseStaffCommand('T261128-0007 怎么样了')).toBeUndefined();
    expect(parseStaffCommand('大家好')).toBeUndefined();
    expect(parseStaffCommand('')).toBeUndefined();
  });

  it('answers /accept without a number in the room', async () => {
    const d = await desk();
    const read = d.from();
    await d.send('/accept', A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.need_number', { command: 'accept' })]);
  });
});

describe('parseJudgement', () => {
  const labelsOf = (key: string) => LOCALES.map((l) => i18n.translate(l, key));

  it('reads bare values in either language, including labels without their note in brackets', () => {
    expect(parseJudgement('加急 开发商', labelsOf)).toEqual({ urgency: 'urgent', responsibility: 'developer' });
    expect(parseJudgement('开发商（保修期内）', labelsOf)).toEqual({ responsibility: 'developer' });
    expect(parseJudgement('urgent developer lift', labelsOf)).toEqual({
      urgency: 'urgent',
      responsibility: 'developer',
      category: 'lift',
    });
    expect(parseJudgement('Developer', labelsOf)).toEqual({ responsibility: 'developer' });
    expect(parseJudgement('紧急 业主自有 渗漏与房屋本体', labelsOf)).toEqual({
      urgency: 'emergency',
      responsibility: 'owner',
      category: 'leaks_fabric',
    });
  });

  it('reads key=value pairs with the keys in either language', () => {
    expect(parseJudgement('urgency=urgent responsibility=utility category=heating', labelsOf)).toEqual({
      urgency: 'urgent',
      responsibility: 'utility',
      category: 'heating',
    });
    expect(parseJudgement('紧急程度：一般 责任方：政府部门 类别:停车', labelsOf)).toEqual({
      urgency: 'normal',
      responsibility: 'authority',
      category: 'parking',
    });
    expect(parseJudgement('u=low r=property c=other', labelsOf)).toEqual({
      urgency: 'low',
      responsibility: 'property',
      category: 'other',
    });
  });

  it('returns undefined when nothing is recognisable, and ignores a key with the wrong kind of value', () => {
    expect(parseJudgement('随便看看', labelsOf)).toBeUndefined();
    expect(parseJudgement('urgency=developer', labelsOf)).toBeUndefined();
    expect(parseJudgement('u=', labelsOf)).toBeUndefined();
  });

  it('tells staff how to judge when the text is not understood', async () => {
    const d = await accepted();
    const read = d.from();
    await d.send(`/judge ${N1} 看情况`, A);
    expect(d.textsOf(read('staff'))).toEqual([zh('desk.judge_usage', { number: N1 })]);
    expect((await d.ticket(N1)).status).toBe('accepted');
  });
});

describe('the card offers only actions its status allows', () => {
  it('every card action that moves a ticket is allowed from the status it is offered in', () => {
    const moves: Record<string, keyof typeof TRANSITIONS> = {
      accept: 'accept',
      judge: 'judge',
      reject: 'reject',
      plan: 'propose_plan',
      schedule: 'schedule',
      resolve: 'resolve',
      handover: 'hand_over',
    };
    for (const [status, actions] of Object.entries(CARD_ACTIONS)) {
      for (const action of actions ?? []) {
        const move = moves[action];
        if (move) expect(TRANSITIONS[move].from, `${action} on ${status}`).toContain(status);
      }
    }
  });
});
