/**
 * The audit log through the whole app (harness: real flows, locales, SQLite): each staff-desk action
 * lands on it with who, when, what, which ticket and from which channel; refused actions and staff
 * chatter do not; the full phone number's reveal, survey and notice commands and staff-list changes do.
 */
import { describe, expect, it } from 'vitest';
import { loadQuestionnaires } from '../../src/adapters/content/questionnaires-file.js';
import { DEFAULT_POLICY, type DeskPolicy } from '../../src/app/context.js';
import { markStaffLeft, markStaffRejoined } from '../../src/app/staff-membership.js';
import { type AuditEntry, type AuditQuery, auditEntries } from '../../src/core/ports.js';
import { makeHarness } from '../support/harness.js';

const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];
const N1 = 'T261128-0001';
const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
const A = { ...ROOM, userId: 'a', userName: '王师傅' };
const B = { ...ROOM, userId: 'b', userName: '李师傅' };
const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
const POLICY: DeskPolicy = { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }] };

async function desk() {
  const h = await makeHarness({
    policy: POLICY,
    surveys: { questionnaires: loadQuestionnaires('flows/surveys') },
  });
  for (const line of REPAIR) await h.send(line);
  // A second between messages: entries of one instant are ordered by id, not by when they were made.
  const send: typeof h.send = (content, o) => {
    h.clock.advance(1000);
    return h.send(content, o);
  };
  const press = (who: typeof A, action: string, arg?: string) =>
    send({ type: 'button', data: `s|${action}|${N1}${arg ? `|${arg}` : ''}` }, who);
  const audit = async (query: AuditQuery = {}): Promise<AuditEntry[]> => {
    const out: AuditEntry[] = [];
    for await (const e of auditEntries(h.store, query)) out.push(e);
    return out;
  };
  const actions = async (query: AuditQuery = {}) =>
    (await audit(query)).map((e) => [e.actor.id, e.action, e.subject?.id ?? '']);
  return { ...h, send, press, audit, actions };
}

describe('the audit log of the staff desk', () => {
  it('records each action of the procedure once, with who, when, what, the ticket and the channel', async () => {
    const d = await desk();
    for (const who of [A, B, SUP]) await d.send('大家好', who);
    await d.send('大家好', A); // known already: the staff list did not change
    expect(await d.actions()).toEqual([
      ['system', 'staff.added', 'console:a'],
      ['system', 'staff.added', 'console:b'],
      ['system', 'staff.added', 'console:sup'],
    ]);
    const since = new Date(d.clock.now().getTime() + 1);
    await d.press(A, 'accept');
    const [accept] = await d.audit({ action: 'ticket' });
    expect(accept).toEqual({
      id: expect.any(String),
      at: d.clock.now(),
      actor: { kind: 'staff', id: 'console:a', name: '王师傅', role: 'staff' },
      action: 'ticket.accept',
      via: 'console',
      subject: { kind: 'ticket', id: N1 },
      detail: { from: 'recorded', to: 'accepted' },
    });

    await d.send(`/judge ${N1} 加急 开发商`, A);
    await d.send(`${N1} 回复 需要您在家开门`, A);
    await d.send(`/note ${N1} 现场查看：防水层破损`, B);
    // Refused (not the accountable person) and chatter: nothing on the log.
    await d.send(`/resolve ${N1} 已修好`, B);
    await d.send('中午吃什么', B);
    await d.press(A, 'phone');
    await d.send(`/plan ${N1} 先检查楼上防水层，再修补天花板`, A);
    await d.send(`/handover ${N1} 李师傅`, A);
    await d.send(`/resolve ${N1} 已修补天花板`, B);

    expect(await d.actions({ since })).toEqual([
      ['console:a', 'ticket.accept', N1],
      ['console:a', 'ticket.judge', N1],
      ['console:a', 'ticket.staff_reply', N1],
      ['console:b', 'ticket.note', N1],
      ['console:a', 'reveal.phone', N1],
      ['console:a', 'ticket.propose_plan', N1],
      ['console:a', 'ticket.hand_over', N1],
      ['console:b', 'ticket.resolve', N1],
    ]);
    // The timeline and the log agree: every staff event of the ticket is one entry.
    const staffEvents = (await d.store.getTicketByNumber(N1))?.timeline.filter((e) => e.actor.type === 'staff');
    expect((await d.audit({ subjectId: N1, action: 'ticket' })).map((e) => e.action)).toEqual(
      staffEvents?.map((e) => `ticket.${e.action}`),
    );
    // Queried by actor, by ticket and by action family; the handover names whom it went to.
    expect((await d.actions({ actorId: 'console:b' })).map(([, action]) => action)).toEqual([
      'ticket.note',
      'ticket.resolve',
    ]);
    expect((await d.audit({ action: 'ticket.hand_over' }))[0]?.detail).toMatchObject({ handedTo: 'console:b' });
    expect(await d.actions({ action: 'reveal' })).toEqual([['console:a', 'reveal.phone', N1]]);
    // Nothing an owner said or their phone number is on the log.
    const text = JSON.stringify(await d.audit());
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('已修补天花板');
  });

  it('records survey and notice commands by who gave them; a refused or failed one is not on the log', async () => {
    const d = await desk();
    await d.send('大家好', A);
    await d.send('大家好', SUP);
    const since = new Date(d.clock.now().getTime() + 1);
    await d.send('/survey create residential 2026 年度调查', SUP);
    // Fails inside its transaction (this harness has no questionnaire texts): rolled back with its entry.
    await d.send('/survey preview S001', SUP);
    await d.send('/survey start S001', A); // staff may not: refused, not on the log
    await d.send('/notice 停水 3,5 12-08 9:00-17:00 因主管道检修停水，请提前储水。', A);
    await d.send('/notice publish N001', A); // refused: a supervisor publishes
    await d.send('/notice publish N001', SUP);
    expect(await d.actions({ since })).toEqual([
      ['console:sup', 'survey.create', ''],
      ['console:a', 'notice.create', 'N001'],
      ['console:sup', 'notice.publish', 'N001'],
    ]);
    const [created] = await d.audit({ action: 'survey.create' });
    expect(created).toMatchObject({
      actor: { kind: 'staff', id: 'console:sup', name: '赵主管', role: 'supervisor' },
      via: 'console',
      detail: { questionnaire: 'residential' },
    });
  });

  it('records staff who leave the staff room and come back, as changes of the staff list', async () => {
    const d = await desk();
    await d.send('大家好', B);
    const since = new Date(d.clock.now().getTime() + 1);
    d.clock.advance(1000);
    expect(await markStaffLeft(d.store, 'console', 'b', d.clock)).toBe(true);
    expect(await markStaffLeft(d.store, 'console', 'b', d.clock)).toBe(false); // no change, no entry
    d.clock.advance(1000);
    expect(await markStaffRejoined(d.store, 'console', 'b', d.clock)).toBe(true);
    expect(await d.actions({ since, subjectId: 'console:b' })).toEqual([
      ['system', 'staff.left', 'console:b'],
      ['system', 'staff.rejoined', 'console:b'],
    ]);
  });
});
