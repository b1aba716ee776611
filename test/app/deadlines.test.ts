/**
 * Service levels through the whole app, driven by a fake clock and the real Scheduler with the app's job
 * handlers: reminders at 50% and 80% of a deadline, escalation to supervisors at 100% and managers at 200%,
 * business hours (08:00–20:00 in Asia/Shanghai), emergencies alerted again until someone accepts them.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type DeskPolicy } from '../../src/app/context.js';
import { markStaffLeft } from '../../src/app/staff-membership.js';
import type { Job } from '../../src/core/ports.js';
import type { Ticket } from '../../src/core/tickets/ticket.js';
import type { OutboundMessage } from '../../src/core/types.js';
import { FakeClock } from '../support/clock.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
const COMPLAINT = [
  '/start',
  '2',
  '11',
  '3-2-501',
  '车位被人长期占用，保安不管',
  '1',
  '1',
  '1',
  '张三',
  '13812345678',
  '1',
];
const EMERGENCY = ['紧急', '地下车库B区'];

const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
const A = { ...ROOM, userId: 'a', userName: '王师傅' };
const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
const MGR = { ...ROOM, userId: 'mgr', userName: '钱经理' };

const POLICY: DeskPolicy = { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }], managers: [{ userId: 'mgr' }] };
const MINUTE = 60_000;

async function setup(start: string) {
  const clock = new FakeClock(start);
  const h = await makeHarness({ clock, policy: POLICY });
  const say = async (lines: string[], who: Parameters<typeof h.send>[1] = { chatId: 'owner' }) => {
    for (const line of lines) await h.send(line, who);
  };
  /** Sets the clock, runs every job due, and returns what the staff room received meanwhile. */
  const at = async (instant: string | Date): Promise<OutboundMessage[]> => {
    const before = h.sender.sent.length;
    clock.set(instant);
    await h.tick();
    return h.sender.sent
      .slice(before)
      .filter((s) => s.chatId === 'staff')
      .flatMap((s) => (s.action.kind === 'send' ? [s.action.message] : []));
  };
  const only = async (): Promise<Ticket> => {
    const [t] = await h.store.listTickets({});
    if (!t) throw new Error('no ticket');
    return t;
  };
  const pending = async (phase?: string): Promise<Record<string, string>> => {
    const jobs: Job[] = await h.store.listJobs({ type: 'sla.check', status: 'pending' });
    return Object.fromEntries(
      jobs
        .filter((j) => !phase || j.payload.phase === phase)
        .map((j) => [`${String(j.payload.phase)} ${String(j.payload.percent)}`, j.dueAt.toISOString()]),
    );
  };
  return { h, clock, say, at, only, pending };
}

const phase = (p: string) => zh(`desk.phase.${p}`);

describe('service levels of a normal repair, in business hours', () => {
  it('counts the accept deadline in business hours from 19:00: 50% at closing, 80% and 100% next morning, 200% at 11:00', async () => {
    const s = await setup('2026-11-28T11:00:00Z'); // 19:00 in Shanghai
    await s.say([`大家好`], SUP);
    await s.say(REPAIR);
    const t = await s.only();
    expect(t.createdAt.toISOString()).toBe('2026-11-28T11:00:00.000Z');
    // 2 business hours: one left today (19:00–20:00), one from 08:00 tomorrow.
    expect(await s.pending()).toEqual({
      'accept 50': '2026-11-28T12:00:00.000Z', // 20:00, the hour left today
      'accept 80': '2026-11-29T00:36:00.000Z', // 08:36
      'accept 100': '2026-11-29T01:00:00.000Z', // 09:00
      'accept 200': '2026-11-29T03:00:00.000Z', // 11:00
    });
    const params = { number: t.number, phase: phase('accept'), due: '11月29日（周日）上午9:00' };

    expect(await s.at('2026-11-28T11:59:00Z')).toEqual([]);
    const half = await s.at('2026-11-28T12:00:00Z');
    expect(half).toEqual([
      {
        text: zh('desk.sla.reminder', { ...params, percent: 50, who: zh('desk.sla.anyone') }),
        replyToRef: `card:${t.number}`,
      },
    ]);
    // Nothing at all overnight.
    expect(await s.at('2026-11-29T00:35:00Z')).toEqual([]);
    const eighty = await s.at('2026-11-29T00:36:00Z');
    expect(eighty.map((m) => m.text)).toEqual([
      zh('desk.sla.reminder', { ...params, percent: 80, who: zh('desk.sla.anyone') }),
    ]);
    const due = await s.at('2026-11-29T01:00:00Z');
    expect(due).toEqual([
      {
        text: zh('desk.sla.supervisors', { ...params, who: '@赵主管' }),
        replyToRef: `card:${t.number}`,
        mentions: [{ userId: 'sup', name: '赵主管' }],
      },
    ]);
    expect(await s.at('2026-11-29T02:59:00Z')).toEqual([]);
    const twice = await s.at('2026-11-29T03:00:00Z');
    // The manager never wrote in the room: named by their configured id.
    expect(twice).toEqual([
      {
        text: zh('desk.sla.managers', { ...params, who: '@mgr' }),
        replyToRef: `card:${t.number}`,
        mentions: [{ userId: 'mgr', name: 'mgr' }],
      },
    ]);
    const events = (await s.only()).timeline.filter((e) => e.action === 'reminder' || e.action === 'escalation');
    // Recorded as codes with parameters (rendered through the locales), not sentences.
    expect(events.map((e) => [e.action, e.note, e.detail])).toEqual(
      [50, 80, 100, 200].map((percent) => [
        percent < 100 ? 'reminder' : 'escalation',
        undefined,
        { code: 'sla.checkpoint', phase: 'accept', percent },
      ]),
    );
    expect(await s.pending()).toEqual({});
  });

  it('moves a reminder that would fall after closing to the next morning (19:30 + 1 business hour = 08:30)', async () => {
    const s = await setup('2026-11-28T11:30:00Z'); // 19:30
    await s.say(REPAIR);
    expect((await s.pending())['accept 50']).toBe('2026-11-29T00:30:00.000Z');
    expect(await s.at('2026-11-28T12:30:00Z')).toEqual([]); // 20:30: closed, nothing
    expect((await s.at('2026-11-29T00:30:00Z')).map((m) => m.text)).toEqual([
      zh('desk.sla.reminder', {
        number: (await s.only()).number,
        phase: phase('accept'),
        percent: 50,
        due: '11月29日（周日）上午9:30',
        who: zh('desk.sla.anyone'),
      }),
    ]);
  });

  it('accepting cancels the accept checkpoints and times the resolution (3 business days), reminding the assignee', async () => {
    const s = await setup('2026-11-28T11:00:00Z'); // 19:00
    await s.say(['大家好'], SUP);
    await s.say(REPAIR);
    const t = await s.only();
    await s.at('2026-11-28T12:00:00Z'); // the 50% reminder
    await s.at('2026-11-29T00:36:00Z'); // the 80% reminder
    s.clock.set('2026-11-29T00:45:00Z'); // 08:45: A accepts
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    expect(await s.pending('accept')).toEqual({});
    const cancelled = await s.h.store.listJobs({ type: 'sla.check', status: 'cancelled' });
    expect(cancelled.map((j) => `${String(j.payload.phase)} ${String(j.payload.percent)}`).sort()).toEqual([
      'accept 100',
      'accept 200',
    ]);
    // 36 business hours from 08:45: 11¼ h on the 29th, 12 h on the 30th, 12 h on the 1st, ¾ h on the 2nd.
    expect(await s.pending()).toEqual({
      'resolve 50': '2026-11-30T06:45:00.000Z', // 14:45 on the 30th
      'resolve 80': '2026-12-01T05:33:00.000Z', // 13:33 on the 1st
      'resolve 100': '2026-12-02T00:45:00.000Z', // 08:45 on the 2nd
      'resolve 200': '2026-12-05T00:45:00.000Z', // 08:45 on the 5th
    });
    // The accept deadline passes without escalation.
    expect(await s.at('2026-11-29T03:00:00Z')).toEqual([]);
    const reminder = await s.at('2026-11-30T06:45:00Z');
    expect(reminder).toEqual([
      {
        text: zh('desk.sla.reminder', {
          number: t.number,
          phase: phase('resolve'),
          percent: 50,
          due: '12月2日（周三）上午8:45',
          who: '@王师傅',
        }),
        replyToRef: `card:${t.number}`,
        mentions: [{ userId: 'a', name: '王师傅' }],
      },
    ]);
  });

  it('re-times the resolution when the urgency is judged up (urgent: 24 h, i.e. one business day)', async () => {
    const s = await setup('2026-11-28T02:00:00Z'); // 10:00
    await s.say(REPAIR);
    const t = await s.only();
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    expect((await s.pending())['resolve 100']).toBe('2026-12-01T02:00:00.000Z'); // 3 business days
    await s.h.send(`/judge ${t.number} 加急`, A);
    expect(await s.pending()).toEqual({
      'resolve 50': '2026-11-28T08:00:00.000Z', // 16:00
      'resolve 80': '2026-11-28T11:36:00.000Z', // 19:36
      'resolve 100': '2026-11-29T02:00:00.000Z', // 10:00 the next day
      'resolve 200': '2026-11-30T02:00:00.000Z',
    });
  });
});

describe('an accountable person who has left the staff group', () => {
  it('is not reminded; supervisors are asked to hand the ticket over', async () => {
    const s = await setup('2026-11-28T02:00:00Z'); // 10:00
    await s.say(['大家好'], SUP);
    await s.say(REPAIR);
    const t = await s.only();
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    expect(await markStaffLeft(s.h.store, 'console', 'a')).toBe(true);
    // 50% of 36 business hours from 10:00: 10 h on the 28th, 8 h on the 29th.
    expect(await s.at('2026-11-29T08:00:00Z')).toEqual([
      {
        text: zh('desk.sla.reminder', {
          number: t.number,
          phase: phase('resolve'),
          percent: 50,
          due: '12月1日（周二）上午10:00',
          who: zh('desk.sla.assignee_gone', { name: '王师傅', who: '@赵主管' }),
        }),
        replyToRef: `card:${t.number}`,
        mentions: [{ userId: 'sup', name: '赵主管' }],
      },
    ]);
  });
});

describe('a visit agreed with the owner', () => {
  it('times the resolution from the agreed time, so nobody is reminded or escalated while the owner is away', async () => {
    const s = await setup('2026-11-28T02:00:00Z'); // 10:00
    await s.say(['大家好'], SUP);
    await s.say(REPAIR);
    const t = await s.only();
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    expect((await s.pending())['resolve 100']).toBe('2026-12-01T02:00:00.000Z'); // 3 business days
    // The owner is away until the 3rd: the visit is agreed for 10:00 that day.
    await s.h.send(`/schedule ${t.number} 2026-12-03 10:00`, A);
    expect(await s.pending()).toEqual({
      'resolve 50': '2026-12-04T08:00:00.000Z', // 16:00 on the 4th (18 business hours)
      'resolve 80': '2026-12-05T06:48:00.000Z', // 14:48 on the 5th
      'resolve 100': '2026-12-06T02:00:00.000Z', // 10:00 on the 6th (36 business hours)
      'resolve 200': '2026-12-09T02:00:00.000Z',
    });
    expect(await s.at('2026-12-02T12:00:00Z')).toEqual([]); // past the deadline counted from acceptance
    await s.at('2026-12-03T01:00:00Z'); // the appointment reminders
    expect((await s.at('2026-12-04T08:00:00Z')).map((m) => m.text)).toEqual([
      zh('desk.sla.reminder', {
        number: t.number,
        phase: phase('resolve'),
        percent: 50,
        due: '12月6日（周日）上午10:00',
        who: '@王师傅',
      }),
    ]);
  });
});

describe('a reopened ticket', () => {
  it.each([
    ['judged', (n: string) => `/judge ${n} 开发商`, 'in_progress'],
    ['given a plan', (n: string) => `/plan ${n} 联系开发商派人检修管道`, 'awaiting_agreement'],
  ])('is timed for acceptance again, and for resolution from the reopening once %s', async (_, command, status) => {
    const s = await setup('2026-11-28T02:00:00Z'); // 10:00
    await s.say(REPAIR);
    const t = await s.only();
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    await s.h.send(`/reject ${t.number} 经现场查看，漏水来自您家自装的热水器管道，属于户内自有设施`, A);
    expect(await s.pending()).toEqual({});
    s.clock.set('2026-11-28T03:00:00Z'); // 11:00: the owner asks for a review
    const review = s.h.lastButtons('owner').find((b) => b.label === zh('rejection.option.review'));
    await s.h.send({ type: 'button', data: review?.data ?? '' }, { chatId: 'owner' });
    expect((await s.only()).status).toBe('reopened');
    expect(await s.pending()).toEqual({
      'accept 50': '2026-11-28T04:00:00.000Z',
      'accept 80': '2026-11-28T04:36:00.000Z',
      'accept 100': '2026-11-28T05:00:00.000Z',
      'accept 200': '2026-11-28T07:00:00.000Z',
    });
    s.clock.set('2026-11-28T03:30:00Z'); // 11:30: A works on it again, without accepting it anew
    await s.h.send(command(t.number), A);
    expect((await s.only()).status).toBe(status);
    // 36 business hours from 11:00: 9 h today, 12 h, 12 h, 3 h.
    expect(await s.pending()).toEqual({
      'resolve 50': '2026-11-29T09:00:00.000Z', // 17:00 on the 29th
      'resolve 80': '2026-11-30T07:48:00.000Z', // 15:48 on the 30th
      'resolve 100': '2026-12-01T03:00:00.000Z', // 11:00 on the 1st
      'resolve 200': '2026-12-04T03:00:00.000Z',
    });
  });
});

describe('a complaint: acknowledge, progress to the owner, answer', () => {
  it('times progress to the owner after acceptance; a reply to the owner meets it', async () => {
    const s = await setup('2026-11-28T02:00:00Z'); // 10:00
    await s.say(COMPLAINT);
    const t = await s.only();
    expect(t.kind).toBe('complaint');
    expect((await s.pending())['accept 100']).toBe('2026-11-28T03:00:00.000Z'); // acknowledge within 1 h
    s.clock.set('2026-11-28T02:30:00Z');
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    expect(await s.pending('progress')).toEqual({
      'progress 50': '2026-11-28T04:30:00.000Z',
      'progress 80': '2026-11-28T05:42:00.000Z',
      'progress 100': '2026-11-28T06:30:00.000Z', // 4 h
      'progress 200': '2026-11-28T10:30:00.000Z',
    });
    expect((await s.pending('resolve'))['resolve 100']).toBe('2026-11-29T02:30:00.000Z'); // 24 h = one business day
    await s.h.send(`/reply ${t.number} 已联系保安队长，今天内处理`, A);
    expect(await s.pending('progress')).toEqual({});
    expect(Object.keys(await s.pending('resolve'))).toHaveLength(4);
    expect(await s.at('2026-11-28T06:30:00Z')).toEqual([]);
  });
});

describe('emergencies', () => {
  it('counts the minutes of a reopened emergency from its reopening', async () => {
    const s = await setup('2026-11-28T18:00:00Z');
    await s.say(['大家好'], SUP);
    await s.say(EMERGENCY);
    const t = await s.only();
    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    await s.h.send(`/reject ${t.number} 经现场查看，积水来自相邻小区的市政管道，需由水务部门处理`, A);
    s.clock.set('2026-11-28T20:00:00Z'); // two hours later the owner asks for a review
    const review = s.h.lastButtons('owner').find((b) => b.label === zh('rejection.option.review'));
    await s.h.send({ type: 'button', data: review?.data ?? '' }, { chatId: 'owner' });
    expect((await s.only()).status).toBe('reopened');
    const prefix = zh('desk.sla.emergency_repeat', { number: t.number, minutes: '#', who: '' }).split('#')[0] ?? '';
    const sent = [];
    for (let minute = 1; minute <= 5; minute++)
      sent.push(...(await s.at(new Date(Date.parse('2026-11-28T20:00:00Z') + minute * MINUTE))));
    expect(sent.filter((m) => m.text.startsWith(prefix)).map((m) => m.text)).toEqual([
      zh('worksteps.alert.emergency_supervisors', {
        number: t.number,
        minutes: 5,
        due: '11月29日（周日）凌晨4:05',
        who: '@赵主管',
      }),
    ]);
  });

  it('alert at once, again every 5 minutes (supervisors, then managers) until accepted, and stop after', async () => {
    const s = await setup('2026-11-28T18:00:00Z'); // 02:00 at night: emergencies do not wait for business hours
    await s.say(['大家好'], SUP);
    await s.say(['大家好'], MGR);
    const before = s.h.sender.sent.length;
    await s.say(EMERGENCY);
    const t = await s.only();
    expect(t.urgency).toBe('emergency');
    const card = s.h.sender.sent.slice(before).find((x) => x.chatId === 'staff');
    expect(card?.action.kind === 'send' && card.action.message.text).toContain(
      zh('card.title_emergency', { number: t.number }),
    );

    const start = s.clock.now().getTime();
    const repeats: { minute: number; message: OutboundMessage }[] = [];
    const escalations: { minute: number; text: string }[] = [];
    const repeatPrefix =
      zh('desk.sla.emergency_repeat', { number: t.number, minutes: '#', who: '' }).split('#')[0] ?? '';
    for (let minute = 1; minute <= 16; minute++) {
      for (const message of await s.at(new Date(start + minute * MINUTE))) {
        if (message.text.startsWith(repeatPrefix)) repeats.push({ minute, message });
        else escalations.push({ minute, text: message.text });
      }
    }
    // One message a moment: the repeats at 5 and 10 minutes carry the escalations of the same moment.
    expect(repeats.map((r) => r.minute)).toEqual([5, 10, 15]);
    const due = '11月29日（周日）凌晨2:05';
    expect(repeats[0]?.message).toEqual({
      text: zh('worksteps.alert.emergency_supervisors', { number: t.number, minutes: 5, due, who: '@赵主管' }),
      replyToRef: `card:${t.number}`,
      mentions: [{ userId: 'sup', name: '赵主管' }],
    });
    expect(repeats[1]?.message.text).toBe(
      zh('worksteps.alert.emergency_managers', { number: t.number, minutes: 10, due, who: '@钱经理' }),
    );
    expect(repeats[2]?.message.text).toBe(
      zh('desk.sla.emergency_repeat', { number: t.number, minutes: 15, who: '@钱经理' }),
    );
    expect(repeats[2]?.message.mentions).toEqual([{ userId: 'mgr', name: '钱经理' }]);
    // The reminders of the 5-minute accept deadline, in plain time: 2½ and 4 minutes.
    const params = { number: t.number, phase: phase('accept'), due };
    expect(escalations).toEqual([
      { minute: 3, text: zh('desk.sla.reminder', { ...params, percent: 50, who: zh('desk.sla.anyone') }) },
      { minute: 4, text: zh('desk.sla.reminder', { ...params, percent: 80, who: zh('desk.sla.anyone') }) },
    ]);
    // The escalations stay on the timeline (and in the summary's count).
    const checkpoints = (await s.only()).timeline
      .filter((e) => e.action === 'escalation' && e.detail?.code === 'sla.checkpoint')
      .map((e) => (e.detail as { percent: number }).percent);
    expect(checkpoints).toEqual([100, 200]);

    await s.h.send({ type: 'button', data: `s|accept|${t.number}` }, A);
    const after: string[] = [];
    for (let minute = 17; minute <= 40; minute++) {
      after.push(...(await s.at(new Date(start + minute * MINUTE))).map((m) => m.text));
    }
    expect(after).toEqual([]);
    expect(await s.h.store.listJobs({ type: 'sla.repeat', status: 'pending' })).toEqual([]);
    // The timeline says what happened in the staff's language.
    const sentBefore = s.h.sender.sent.length;
    await s.h.send(`/ticket ${t.number}`, A);
    await s.h.dispatcher.drain();
    const timeline = s.h.sender.sent
      .slice(sentBefore)
      .flatMap((x) => (x.action.kind === 'send' ? [x.action.message.text] : []))
      .join('\n');
    expect(timeline).toContain(`「${phase('accept')} 50%」`);
    expect(timeline).toContain(`「${zh('desk.note.emergency_round', { round: 1 })}」`);
    expect(timeline).not.toMatch(/accept 50%|emergency not accepted/);
    // Contain within 2 hours of acceptance, in plain time.
    expect((await s.pending())['resolve 100']).toBe(new Date(start + 16 * MINUTE + 2 * 3_600_000).toISOString());
  });
});
