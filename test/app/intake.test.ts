/**
 * Tickets taken elsewhere (代客登记) and contact records, driven as staff and owners would through the
 * whole app (harness: real flows, locales, SQLite, dispatcher, fake clock): a phone complaint reaching
 * the owner's chat and /summary, a phone revisit recorded with buttons, bad answers in the guided
 * questions, who may use the commands, and contact records listed by owner and by month.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { DEFAULT_POLICY, type DeskPolicy } from '../../src/app/context.js';
import { CARD_SUMMARY_FROM } from '../../src/core/ports/assistant.js';
import { type AuditEntry, auditEntries } from '../../src/core/ports.js';
import type { OutboundAction } from '../../src/core/types.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);
const HOUR = 3_600_000;
const POLICY: DeskPolicy = { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }] };
const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
const A = { ...ROOM, userId: 'a', userName: '王师傅' };
const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
/** An owner's first report, which gives the bot their name and phone. */
const REPAIR = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];

async function intake() {
  const h = await makeHarness({ policy: POLICY, assistant: new OfflineAssistant(loadKeywords()) });
  const texts = (actions: OutboundAction[]) => actions.filter((a) => a.kind === 'send').map((a) => a.message.text);
  /** A staff member's message in the staff room; what the room received in answer. */
  const staff = async (text: string, who = A) => texts((await h.send(text, who)).replies);
  const press = (data: string, who = A) => h.send({ type: 'button', data }, who);
  /** The data of the button labelled `label` on the last message with buttons in the staff room. */
  const button = (label: string) => {
    const found = h.lastButtons('staff').find((b) => b.label === label);
    if (!found)
      throw new Error(
        `no button ${label}: ${h
          .lastButtons('staff')
          .map((b) => b.label)
          .join(', ')}`,
      );
    return found.data;
  };
  return { ...h, staff, press, button, texts };
}

type Intake = Awaited<ReturnType<typeof intake>>;

/** `/new` answered through to the read-back: by phone, 李四 or the given owner, 3-2-501, a leak. */
async function throughReadBack(d: Intake, phone: string, name = '李四') {
  await d.staff('/new');
  await d.press(d.button('电话'));
  await d.staff(name);
  await d.staff(phone);
  await d.staff('3-2-501');
  await d.staff('厨房水管漏水，水流到楼下了');
  await d.staff('1'); // kind: the suggested one is offered, staff pick 报修
  return d.staff('1'); // category: the suggestion first
}

/** A ticket taken by phone for an owner not in the chat, resolved; its phone revisit opened two days later. */
async function toPhoneRevisit(d: Intake, phone: string) {
  await throughReadBack(d, phone);
  await d.staff('1');
  await d.staff('/accept T261128-0001');
  await d.staff('/judge T261128-0001 物业公司');
  await d.staff('/resolve T261128-0001 已处理');
  d.clock.advance(48 * HOUR);
  await d.tick();
  await d.press('i|rv|T261128-0001');
}

describe('代客登记: a ticket taken by phone', () => {
  it('reaches the linked owner in their chat with its number, and /summary counts it under 电话', async () => {
    const d = await intake();
    for (const line of REPAIR) await d.send(line);
    const ownerBefore = d.sender.sent.filter((s) => s.chatId === 'owner').length;
    const tellQuestion = await throughReadBack(d, '13812345678', '张三');
    expect(tellQuestion.join('\n')).toContain(zh('intake.new.ask.tell'));
    const readBack = await d.staff('1'); // yes, tell them in the chat
    expect(readBack.join('\n')).toContain(zh('intake.new.readback_title'));
    expect(readBack.join('\n')).toContain('138****5678');
    expect(readBack.join('\n')).toContain(zh('intake.new.followed_chat'));
    const done = await d.staff('1');
    expect(done).toContain(zh('intake.new.done_chat', { number: 'T261128-0002' }));
    const ticket = await d.store.getTicketByNumber('T261128-0002');
    expect(ticket).toMatchObject({ source: 'phone', category: 'water_power', status: 'recorded' });
    const owner = (await d.store.findOwnersByPhone('+8613812345678'))[0];
    expect(ticket?.ownerId).toBe(owner?.id);
    const toOwner = d.sender.sent.slice(ownerBefore).filter((s) => s.chatId === 'owner');
    const told = toOwner.map((s) => (s.action.kind === 'send' ? s.action.message.text : '')).join('\n');
    expect(told).toContain('T261128-0002');
    expect(told).toContain('通过电话反映');
    const card = d
      .staffMessages()
      .find((s) => s.action.kind === 'send' && s.action.message.ref === 'card:T261128-0002');
    expect(card?.action.kind === 'send' && card.action.message.text).toContain('来源：电话');
    const summary = (await d.staff('/summary')).join('\n');
    expect(summary).toContain('来源：线上留言 1 · 电话 1');
    // Taken by staff: on the audit log under who took it, as their other changes of a ticket are.
    const audit: AuditEntry[] = [];
    for await (const e of auditEntries(d.store, { action: 'ticket.create' })) audit.push(e);
    expect(audit).toMatchObject([
      { actor: { kind: 'staff', id: 'console:a', name: '王师傅' }, subject: { kind: 'ticket', id: 'T261128-0002' } },
    ]);
  });

  it('follows an owner not in the chat by phone: a phone-revisit task whose recorded answers close the ticket', async () => {
    const d = await intake();
    const question = await throughReadBack(d, '13900001111');
    // Nobody uses the bot with this number: no question about the chat, straight to the read-back.
    expect(question.join('\n')).toContain(zh('intake.new.followed_phone'));
    expect(await d.staff('1')).toContain(zh('intake.new.done_phone', { number: 'T261128-0001', phone: '139****1111' }));
    const ticket = await d.store.getTicketByNumber('T261128-0001');
    const owner = ticket ? await d.store.getOwner(ticket.ownerId) : undefined;
    expect(owner).toMatchObject({ identities: [], unreachable: true, name: '李四', phone: '+8613900001111' });
    await d.staff('/accept T261128-0001');
    await d.staff('/judge T261128-0001 物业公司');
    await d.staff('/resolve T261128-0001 已更换水管，试水正常');
    expect((await d.store.getTicketByNumber('T261128-0001'))?.status).toBe('resolved');
    d.clock.advance(48 * HOUR);
    await d.tick();
    const task = d.staffMessages().at(-1);
    expect(task?.action.kind === 'send' && task.action.message.text).toContain('请电话回访业主');
    expect(task?.action.kind === 'send' && task.action.message.text).toContain('139****1111');
    expect(d.button('📞 记录电话回访')).toBe('i|rv|T261128-0001');
    await d.press('i|rv|T261128-0001');
    await d.press(d.button('是'));
    await d.press(d.button('满意'));
    await d.press(d.button('否'));
    await d.staff('9');
    await d.staff('师傅很耐心');
    const closed = await d.store.getTicketByNumber('T261128-0001');
    expect(closed).toMatchObject({
      status: 'closed',
      revisit: { by: 'phone', score: 9, solved: true, comment: '师傅很耐心' },
    });
  });

  it('keeps the comment of a phone revisit as typed, line breaks and all (the answers go as data, not as words read back)', async () => {
    const d = await intake();
    await toPhoneRevisit(d, '13900003333');
    for (const answer of ['是', '满意', '否']) await d.press(d.button(answer));
    await d.staff('8');
    await d.staff('师傅很耐心\n下次 不满意 的话再找你们');
    expect(await d.store.getTicketByNumber('T261128-0001')).toMatchObject({
      status: 'closed',
      revisit: {
        by: 'phone',
        score: 8,
        solved: true,
        attitude: 'satisfied',
        charged: false,
        comment: '师傅很耐心\n下次 不满意 的话再找你们',
      },
    });
  });

  it('reopens the ticket when the owner on the phone says it is not solved', async () => {
    const d = await intake();
    await toPhoneRevisit(d, '13900002222');
    for (const answer of ['否', '不满意', '否']) await d.press(d.button(answer));
    await d.staff('3');
    await d.press(d.button('跳过'));
    expect((await d.store.getTicketByNumber('T261128-0001'))?.status).toBe('reopened');
  });

  it('refuses a phone revisit for a ticket that is not resolved, to the presser alone', async () => {
    const d = await intake();
    await throughReadBack(d, '13900003333');
    await d.staff('1');
    const { result } = await d.press('i|rv|T261128-0001', SUP);
    expect(result.ack).toEqual({
      text: zh('intake.revisit.not_due', { number: 'T261128-0001', status: zh('ticket.status.recorded') }),
      alert: true,
    });
  });
});

describe('代客登记: the card', () => {
  it("gets a summary from the same length of description as an owner's own report", async () => {
    const d = await intake();
    const problems = [
      '厨房水管接头处一直在漏水，水已经流到楼下邻居家的天花板上了，邻居家墙面也湿了一大片', // under 80
      `${'厨房水管接头处一直在漏水，水已经流到楼下邻居家的天花板上了。'.repeat(3)}请尽快派人来看看。`,
    ];
    expect(problems.map((p) => [...p].length < CARD_SUMMARY_FROM)).toEqual([true, false]);
    for (const problem of problems) {
      await d.staff('/new');
      await d.press(d.button('电话'));
      for (const answer of ['李四', '13900004444', '3-2-501', problem, '1', '1', '1']) await d.staff(answer);
    }
    const [short, long] = await Promise.all(['T261128-0001', 'T261128-0002'].map((n) => d.store.getTicketByNumber(n)));
    expect(short?.description).toBe(problems[0]);
    expect(short?.summary).toBeUndefined();
    expect(long?.summary).toBeTruthy();
  });
});

describe('代客登记: bad answers get a specific reply and the question again', () => {
  it('an invalid phone, 10,000 characters, a stale button and a command mid-way', async () => {
    const d = await intake();
    await d.staff('/new');
    await d.press(d.button('前台'));
    await d.staff('王阿姨');
    const badPhone = await d.staff('12345');
    expect(badPhone.join('\n')).toContain(zh('intake.problem.phone'));
    expect(badPhone.join('\n')).toContain(zh('intake.new.ask.phone'));
    await d.staff('13812345678');
    await d.staff('5栋1单元302');
    const long = await d.staff('漏'.repeat(10_000));
    expect(long.join('\n')).toContain(zh('intake.problem.too_long', { max: 1000, length: 10_000 }));
    expect(long.join('\n')).toContain(zh('intake.new.ask.problem'));
    // The source question's button, pressed again now: refused to the presser, the current question asked again.
    const stale = await d.press('i|n|source|phone');
    expect(stale.result.ack).toEqual({ text: zh('intake.stale'), alert: true });
    expect(d.texts(stale.replies).join('\n')).toContain(zh('intake.new.ask.problem'));
    const command = await d.staff('/tickets');
    expect(command.join('\n')).toContain(zh('intake.problem.mid_flow'));
    expect(command.join('\n')).toContain(zh('intake.new.ask.problem'));
    await d.staff('楼道灯不亮');
    expect(await d.staff('取消')).toEqual([zh('intake.quit')]);
    expect(await d.store.listTickets({})).toHaveLength(0);
  });
});

describe('who may use /new and /contact', () => {
  it('someone who is not staff is told these are for the service centre, and nothing is recorded', async () => {
    const d = await intake();
    const asOwner = await d.send('/new');
    expect(asOwner.texts).toEqual([zh('intake.refused_not_staff')]);
    const contact = await d.send('/contact list 2026-11');
    expect(contact.texts).toEqual([zh('intake.refused_not_staff')]);
    const pressed = await d.send({ type: 'button', data: 'i|rv|T261128-0001' });
    expect(pressed.result.ack).toEqual({ text: zh('intake.refused_not_staff'), alert: true });
    expect(await d.store.listContacts({})).toEqual([]);
  });
});

describe('contact records', () => {
  it('writes its lines with the staff language\'s colon (an English desk gets ": ", not the Chinese one)', async () => {
    const h = await makeHarness({ policy: POLICY, defaultLocale: 'en' });
    const staffTexts = async (text: string) =>
      (await h.send(text, A)).replies.flatMap((a) => (a.kind === 'send' ? [a.message.text] : []));
    await staffTexts('/contact visit|owner Zhang San|3-2-501|asked how the repair went|satisfied|today 9:00');
    const list = (await staffTexts('/contact list 2026-11')).join('\n');
    expect(list).toContain(': asked how the repair went');
    expect(list).not.toContain('：');
  });

  it("an English desk's /summary has no Chinese colon either", async () => {
    const h = await makeHarness({ policy: POLICY, defaultLocale: 'en' });
    for (const line of REPAIR) await h.send(line); // a ticket this month, so that its lines are counted
    const summary = (await h.send('/summary 2026-11', A)).replies
      .flatMap((a) => (a.kind === 'send' ? [a.message.text] : []))
      .join('\n');
    expect(summary).toContain(`${i18n.translate('en', 'card.kind')}: `);
    expect(summary).not.toContain('：');
  });

  it('refuses a one-line record whose place or result is too long, saying so, and saves nothing', async () => {
    const d = await intake();
    const place = '3'.repeat(101);
    const refused = (await d.staff(`/contact 走访|业主 张三|${place}|了解漏水维修后的情况|业主表示满意`)).join('\n');
    expect(refused).toContain(zh('intake.problem.too_long', { max: 100, length: 101 }));
    const result = '好'.repeat(1001);
    const again = (await d.staff(`/contact 走访|业主 张三|3-2-501|了解漏水维修后的情况|${result}`)).join('\n');
    expect(again).toContain(zh('intake.problem.too_long', { max: 1000, length: 1001 }));
    expect((await d.staff('/contact list 2026-11')).join('\n')).not.toContain('了解漏水维修后的情况');
  });

  it('records in one line and step by step, listed by owner and by month, masked for staff', async () => {
    const d = await intake();
    const saved = await d.staff(
      '/contact 走访|业主 张三 13812345678|3-2-501|了解漏水维修后的情况|业主表示满意|今天 9:00',
    );
    expect(saved).toEqual([zh('contact_record.saved', { when: '11月28日（周六）上午9:00' })]);
    // Step by step: a meeting with the committee.
    await d.staff('/contact');
    await d.press(d.button('座谈'));
    await d.press(d.button('业主委员会'));
    await d.staff('业主委员会');
    expect((await d.staff('明天 10:00')).join('\n')).toContain(zh('contact_record.problem.future'));
    await d.press(d.button('刚才'));
    await d.press(d.button('跳过'));
    await d.staff('讨论明年绿化改造计划');
    await d.staff('下月再议');
    expect((await d.staff('1')).join('\n')).toContain('联系记录已保存');

    const byPhone = (await d.staff('/contact list 13812345678')).join('\n');
    expect(byPhone).toContain('了解漏水维修后的情况');
    expect(byPhone).toContain('138****5678');
    expect(byPhone).toContain('张*');
    expect(byPhone).not.toContain('张三');
    const asSupervisor = (await d.staff('/contact list 13812345678', SUP)).join('\n');
    expect(asSupervisor).toContain('张三 +8613812345678');

    const month = (await d.staff('/contact list 2026-11')).join('\n');
    expect(month).toContain(zh('contact_record.month_title', { month: '2026-11', count: 2 }));
    expect(month).toContain('【业主】1');
    expect(month).toContain('【业主委员会】1');
    expect(month).toContain('讨论明年绿化改造计划 → 结果：下月再议');
    expect((await d.staff('/contact list 2026-10')).join('\n')).toBe(
      zh('contact_record.none_month', { month: '2026-10' }),
    );
    const bad = await d.staff('/contact 闲聊|业主 张三|-|随便聊聊');
    expect(bad.join('\n')).toContain(zh('contact_record.problem.kind', { word: '闲聊' }));
  });
});
