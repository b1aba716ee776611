/**
 * A repair in the order the work really happens (issue 20): accept → book a visit → the visit → name who
 * is responsible → propose a plan → the owner agrees → resolve, driven as the staff room and the owner
 * would, with no refusal on the way; the timeline and the owner's /mytickets carry the facts; resolving
 * with responsibility undecided or before the agreed time asks first and records why.
 */
import { describe, expect, it } from 'vitest';
import { A, deskDriver, isRefusal, N1, zh } from '../support/desk-driver.js';

const HOUR = 3_600_000;

async function scheduled() {
  const d = await deskDriver();
  await d.fileRepair();
  await d.asStaff({ type: 'button', data: `s|accept|${N1}` }, A);
  // Now 10:00 on Sat 28 Nov in Shanghai: the visit is booked for tomorrow morning.
  await d.asStaff(`/schedule ${N1} 明天10:00 维修工王师傅上门查看`, A);
  return d;
}

describe('a repair in the order the work happens', () => {
  it('accept → visit booked → visit → judge → plan → owner agrees → resolve, without a refusal', async () => {
    const d = await scheduled();
    let owner = d.from();
    // The owner is asked about the visit with its date, weekday and 上午/下午.
    expect((await d.ticket()).status).toBe('scheduled');
    await d.ownerPress(zh('appointment.option.ok'));

    // The visit: what was found goes on record.
    d.clock.set('2026-11-29T02:30:00Z');
    await d.asStaff(`/note ${N1} 现场查看：龙头阀芯老化，需更换整个龙头`, A);

    // Judged after the visit, while the ticket still reads 已约时间.
    await d.asStaff(`/judge ${N1} 业主自有`, A);
    let t = await d.ticket();
    expect(t).toMatchObject({ status: 'scheduled', responsibility: 'owner' });

    // The plan after the visit goes to the owner, who agrees.
    owner = d.from();
    await d.asStaff(`/plan ${N1} 现场查看后发现需更换整个龙头，材料费80元由业主承担`, A);
    expect((await d.ticket()).status).toBe('awaiting_agreement');
    expect(owner('owner').join('\n')).toContain('材料费80元由业主承担');
    await d.ownerPress(zh('plan.option.agree'));
    expect((await d.ticket()).status).toBe('in_progress');

    // Resolved after the visit, with the responsible party named: no question asked.
    await d.asStaff(`/resolve ${N1} 已更换龙头，试水正常`, A);
    t = await d.ticket();
    expect(t).toMatchObject({ status: 'resolved', resolution: '已更换龙头，试水正常' });

    expect(d.staffHeard.filter(isRefusal)).toEqual([]);
    expect(t.timeline.map((e) => e.action)).toEqual([
      'create',
      'accept',
      'schedule',
      'note',
      'note',
      'judge',
      'propose_plan',
      'agree_plan',
      'resolve',
    ]);
  });

  it('judges and revises the plan while work is in progress; a changed plan is put to the owner again', async () => {
    const d = await scheduled();
    // Judged by phone before the visit: the booked visit stays as it is.
    await d.asStaff(`/judge ${N1} 物业公司`, A);
    expect(await d.ticket()).toMatchObject({ status: 'scheduled', responsibility: 'property' });
    d.clock.set('2026-11-29T03:00:00Z');
    await d.asStaff(`/plan ${N1} 更换阀芯`, A);
    await d.ownerPress(zh('plan.option.agree'));
    expect((await d.ticket()).status).toBe('in_progress');
    // Work shows more is needed: judged again and a revised plan, asked again.
    await d.asStaff(`/judge ${N1} 业主自有`, A);
    const owner = d.from();
    await d.asStaff(`/plan ${N1} 阀芯无法单独更换，需更换整个龙头，材料费80元`, A);
    expect(await d.ticket()).toMatchObject({ status: 'awaiting_agreement', responsibility: 'owner' });
    expect(owner('owner')[0]).toContain('需更换整个龙头');
    expect(d.lastButtons('owner').map((b) => b.label)).toEqual([zh('plan.option.agree'), zh('plan.option.disagree')]);
    expect(d.staffHeard.filter(isRefusal)).toEqual([]);
  });

  it('shows the visit date and time on the timeline, who did each step and when, and on the card', async () => {
    const d = await scheduled();
    await d.asStaff(`/judge ${N1} 业主自有`, A);
    const read = d.from();
    await d.asStaff(`/ticket ${N1}`, A);
    const timeline = read('staff').join('\n');
    // 明天10:00 from Sat 28 Nov is Sunday 29 Nov.
    expect(timeline).toContain(
      `王师傅：${zh('desk.event.schedule')} → ${zh('ticket.status.scheduled')}「11月29日（周日）上午10:00，维修工王师傅上门查看」`,
    );
    expect(timeline).toContain(`11月28日（周六）上午10:00 王师傅：${zh('desk.event.accept')}`);
    expect(timeline).toContain(`${zh('card.responsibility')}：${zh('ticket.responsibility.owner')}`);
    expect(timeline).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const card = d.card()?.text ?? '';
    expect(card).toContain(`${zh('card.scheduled')}：11月29日（周日）上午10:00`);
    expect(card).not.toMatch(/console|来源|\d{4}-\d{2}-\d{2}/);
  });

  it("/mytickets shows the status, the accountable person's name and the next visit", async () => {
    const d = await scheduled();
    const { texts } = await d.send('/mytickets');
    const list = texts.join('\n');
    expect(list).toContain(N1);
    expect(list).toContain(zh('mytickets.next.scheduled'));
    expect(list).toContain(zh('mytickets.who', { name: '王师傅' }));
    expect(list).toContain(zh('mytickets.visit', { time: '11月29日（周日）上午10:00' }));
  });
});

describe('resolving with care', () => {
  it('asks "resolve anyway?" before the agreed visit with responsibility undecided, and records the reason', async () => {
    const d = await scheduled();
    let read = d.from();
    await d.asStaff(`/resolve ${N1} 已修好`, A);
    expect((await d.ticket()).status).toBe('scheduled');
    const question = read('staff').join('\n');
    expect(question).toBe(
      zh('worksteps.resolve.confirm', {
        number: N1,
        reasons: [
          zh('worksteps.resolve.concern_responsibility'),
          zh('worksteps.resolve.concern_before_visit', { time: '11月29日（周日）上午10:00' }),
        ].join('\n'),
      }),
    );
    expect(read('owner')).toEqual([]);
    // "确认" alone is not a reason.
    read = d.from();
    await d.asStaff('确认', A);
    expect(read('staff')).toEqual([zh('worksteps.resolve.reason_needed', { number: N1 })]);
    // The answer with a reason resolves it, and the timeline says what was confirmed over.
    read = d.from();
    await d.asStaff('确认 业主来电说已自行修好，不需要上门了', A);
    const t = await d.ticket();
    expect(t).toMatchObject({ status: 'resolved', resolution: '业主来电说已自行修好，不需要上门了' });
    expect(t.timeline.at(-1)?.data).toMatchObject({ confirmedOver: ['responsibility', 'before_visit'] });
    expect(read('owner')).toEqual([zh('owner.resolved', { number: N1, note: '业主来电说已自行修好，不需要上门了' })]);
    read = d.from();
    await d.asStaff(`/ticket ${N1}`, A);
    expect(read('staff').join('\n')).toContain(
      zh('worksteps.timeline.resolved_anyway', {
        note: '业主来电说已自行修好，不需要上门了',
        concerns: [zh('worksteps.concern.responsibility'), zh('worksteps.concern.before_visit')].join(
          zh('worksteps.list_separator'),
        ),
      }),
    );
  });

  it('the ✅ button asks the same; 取消 leaves the ticket open', async () => {
    const d = await scheduled();
    await d.asStaff(`/judge ${N1} 物业公司`, A);
    await d.asStaff({ type: 'button', data: `s|resolve|${N1}` }, A);
    const read = d.from();
    await d.asStaff('已修好', A);
    expect(read('staff').join('\n')).toContain(
      zh('worksteps.resolve.concern_before_visit', { time: '11月29日（周日）上午10:00' }),
    );
    await d.asStaff('取消', A);
    await d.asStaff('确认 这句不再是办结', A);
    expect((await d.ticket()).status).toBe('scheduled');
    // After the visit, with responsibility named, it resolves at once.
    d.clock.advance(24 * HOUR);
    await d.asStaff(`/resolve ${N1} 已修好`, A);
    expect((await d.ticket()).status).toBe('resolved');
    expect((await d.ticket()).timeline.at(-1)?.data).toBeUndefined();
  });
});

describe("an owner's command in the staff room", () => {
  it('/mytickets typed by staff gets an answer saying what staff use instead', async () => {
    const d = await deskDriver();
    await d.fileRepair();
    const read = d.from();
    await d.asStaff('/mytickets', A);
    await d.asStaff('我的工单', A);
    expect(read('staff')).toEqual([
      zh('worksteps.owner_command_console', { command: '/mytickets' }),
      zh('worksteps.owner_command_console', { command: '我的工单' }),
    ]);
    // Staff talking among themselves is still left alone.
    const talk = d.from();
    await d.asStaff('菜单上的价格改了吗', A);
    expect(talk('staff')).toEqual([]);
  });
});
