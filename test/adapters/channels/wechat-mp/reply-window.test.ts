/**
 * The Service Account's reply window (issue 18, item 1) over the local fake of WeChat's platform, which
 * refuses 客服消息 outside the window (45015) or past its count (45047) and checks template messages (a
 * template id the account added, fields within their lengths): a message the window does not let go is
 * sent as the template configured for its kind, or — with none — becomes a task in the staff group to
 * phone the owner; nothing is dropped, and nothing is tried forever. The window survives a restart: it is
 * read from the chat's log and the outbox, not from memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WINDOW_NOTE } from '../../../../src/app/reply-window.js';
import { HOUR, type MpEstate, mpEstate, OWNER, REPAIR, TEMPLATE_IDS } from '../../../support/mp-estate.js';

const estates: MpEstate[] = [];
afterEach(async () => {
  for (const e of estates.splice(0)) await e.close();
});

async function estate(o: Parameters<typeof mpEstate>[0] = {}): Promise<MpEstate> {
  const e = await mpEstate(o);
  estates.push(e);
  return e;
}

/** 客服消息 the owner received. */
const kf = (e: MpEstate) => e.fake.sent.filter((m) => m.touser === OWNER).length;

/**
 * The owner follows and reports a leak by typing; returns the ticket number and how many 客服消息 the
 * owner had before their last message (the window's count starts there).
 */
async function fileRepair(e: MpEstate): Promise<{ number: string; beforeLast: number }> {
  await e.follow();
  for (const line of REPAIR.slice(0, -1)) await e.say(line);
  const beforeLast = kf(e);
  await e.say(REPAIR.at(-1) ?? '');
  const number = await e.ticketNumber();
  expect(e.fake.textsTo(OWNER).join('\n')).toContain(number);
  return { number, beforeLast };
}

/** Calls to the 客服消息 API: a refused one would be counted here but not in `kf`. */
const customSendCalls = (e: MpEstate) => e.fake.calls.filter((c) => c === '/cgi-bin/message/custom/send').length;

/** The notes of the owner's outbox items this module settled, as `status: note`. */
async function windowNotes(e: MpEstate): Promise<string[]> {
  const items = await e.store.listOutbox({ channel: 'wechat_mp', chatId: OWNER });
  return items.flatMap((i) => (i.lastError?.startsWith(WINDOW_NOTE) ? [`${i.status}: ${i.lastError}`] : []));
}

/** The staff room's tasks to phone the owner. */
const phoneTasks = (e: MpEstate) => e.staffTexts().filter((t) => t.startsWith('📞 请电话联系业主'));

describe('inside the window', () => {
  it('sends five messages after the owner’s last one as 客服消息 and the 6th as the template for its kind', async () => {
    const e = await estate({ templates: ['ticket_progress'] });
    const { number, beforeLast } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    // The receipt (with the menu after it, one message), accepted, and four replies: the 6th is the 4th reply.
    for (let n = 1; n <= 4; n++) await e.staffSays(`/reply ${number} 第${n}次进展：师傅已在路上`);
    expect(kf(e) - beforeLast).toBe(5);
    const templates = e.fake.templatesTo(OWNER);
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({
      templateId: TEMPLATE_IDS.ticket_progress,
      data: { character_string1: number, thing2: '户内水电' },
    });
    expect(templates[0]?.data.thing3).toMatch(new RegExp(`^【${number}】王师傅：第…`));
    // The outbox knew: WeChat was never asked to send what it would have refused.
    expect(customSendCalls(e)).toBe(e.fake.sent.length);
    expect(await windowNotes(e)).toEqual([`sent: ${WINDOW_NOTE} quota: sent as the ticket_progress notification`]);
    expect(phoneTasks(e)).toEqual([]);

    // The owner writes again: a new window, and the next reply goes as 客服消息.
    await e.say('好的，谢谢');
    await e.staffSays(`/reply ${number} 师傅十分钟后到`);
    expect(e.fake.textsTo(OWNER).at(-1)).toContain('师傅十分钟后到');
    expect(e.fake.templatesTo(OWNER)).toHaveLength(1);
  });
});

describe('outside the window', () => {
  it('a progress update 49 hours after the owner’s last message goes by template', async () => {
    const e = await estate({ templates: ['ticket_progress'] });
    const { number } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    e.clock.advance(49 * HOUR);
    const calls = customSendCalls(e);
    await e.staffSays(`/reply ${number} 配件已到，明天上午上门更换`);
    expect(customSendCalls(e)).toBe(calls);
    expect(e.fake.templatesTo(OWNER)).toHaveLength(1);
    expect(e.fake.templatesTo(OWNER)[0]?.data.thing3).toMatch(/王师傅：配…$/);
    expect(await windowNotes(e)).toEqual([`sent: ${WINDOW_NOTE} closed: sent as the ticket_progress notification`]);
  });

  it('with no template for its kind, the staff group gets a task to phone the owner (masked number, ticket, what was not sent)', async () => {
    const e = await estate({ templates: ['notice'] });
    const { number } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    e.clock.advance(49 * HOUR);
    await e.staffSays(`/reply ${number} 配件已到，明天上午上门更换`);
    expect(e.fake.templatesSent).toHaveLength(0);
    const [task, more] = phoneTasks(e);
    expect(more).toBeUndefined();
    expect(task).toContain('张三');
    expect(task).toContain('138****5678');
    expect(task).not.toContain('13812345678');
    expect(task).toContain(`工单进展（${number}）`);
    expect(task).toContain('配件已到');
    expect(task).toContain('超过48小时');
    // Settled, not retried: the item is dead with the note, and the next round sends nothing more.
    expect(await windowNotes(e)).toEqual([
      `dead: ${WINDOW_NOTE} closed: no notification form for ticket_progress; staff asked to phone the owner`,
    ]);
    e.clock.advance(HOUR);
    await e.dispatcher.drain();
    expect(phoneTasks(e)).toHaveLength(1);
  });

  it('a template the account never added (WeChat 40037) ends in a task to phone the owner', async () => {
    const e = await estate({ templates: ['ticket_progress'], notOnAccount: ['ticket_progress'] });
    const { number } = await fileRepair(e);
    e.clock.advance(49 * HOUR);
    await e.staffSays(`/reply ${number} 配件已到`);
    expect(e.fake.templatesSent).toHaveLength(0);
    expect(e.fake.calls).toContain('/cgi-bin/message/template/send');
    expect(phoneTasks(e)).toHaveLength(1);
  });

  it('when WeChat refuses all the same (45015: window closed; 45047: count spent) → template, or phone task', async () => {
    const e = await estate({ templates: ['ticket_progress'] });
    const { number } = await fileRepair(e);
    e.fake.failNext(45015);
    await e.staffSays(`/reply ${number} 师傅下午两点上门`);
    expect(e.fake.templatesTo(OWNER)).toHaveLength(1);
    expect(await windowNotes(e)).toEqual([`sent: ${WINDOW_NOTE} closed: sent as the ticket_progress notification`]);

    const bare = await estate();
    const repair = await fileRepair(bare);
    bare.fake.failNext(45047);
    await bare.staffSays(`/reply ${repair.number} 师傅下午两点上门`);
    expect(phoneTasks(bare)).toHaveLength(1);
    expect(phoneTasks(bare)[0]).toContain('师傅下午两点上门');
    expect(phoneTasks(bare)[0]).toContain('再次来信');
    expect(await windowNotes(bare)).toEqual([
      `dead: ${WINDOW_NOTE} quota: no notification form for ticket_progress; staff asked to phone the owner`,
    ]);
  });

  it('a revisit days after the resolution goes as one revisit template (its greeting and first question together)', async () => {
    const e = await estate({ templates: ['revisit_invitation'] });
    const { number } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    await e.staffSays(`/judge ${number} 物业公司`);
    await e.staffSays(`/resolve ${number} 已更换破损水管，试水正常`);
    e.clock.advance(49 * HOUR);
    await e.tick();
    const templates = e.fake.templatesTo(OWNER);
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({
      templateId: TEMPLATE_IDS.revisit_invitation,
      data: { character_string1: number },
    });
    expect(await windowNotes(e)).toContain(`sent: ${WINDOW_NOTE} closed: sent as the revisit_invitation notification`);
    expect(phoneTasks(e)).toEqual([]);
  });

  it('a revisit with no template asks staff to phone, once', async () => {
    const e = await estate();
    const { number } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    await e.staffSays(`/judge ${number} 物业公司`);
    await e.staffSays(`/resolve ${number} 已更换破损水管，试水正常`);
    e.clock.advance(49 * HOUR);
    await e.tick();
    expect(phoneTasks(e)).toHaveLength(1);
    expect(phoneTasks(e)[0]).toContain(`服务回访（${number}）`);
  });

  it('a survey invitation to an owner who last wrote days ago goes by the survey template', async () => {
    const e = await estate({ templates: ['survey_invitation'] });
    await e.follow('阳光花园:3');
    await e.say('你好');
    e.clock.advance(3 * 24 * HOUR);
    await e.staffSays('/survey create residential');
    await e.staffSays('/survey preview S001');
    await e.staffSays('/survey start S001');
    await e.tick();
    const templates = e.fake.templatesTo(OWNER);
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({
      templateId: TEMPLATE_IDS.survey_invitation,
      data: { character_string1: 'S001' },
    });
    expect(customSendCalls(e)).toBe(e.fake.sent.length);
  });
});

describe('after a restart', () => {
  it('the window comes from the chat’s log and the outbox, not from memory', async () => {
    const e = await estate({ templates: ['ticket_progress'] });
    const { number, beforeLast } = await fileRepair(e);
    await e.staffSays(`/accept ${number}`);
    // The receipt and the menu after it are one message: receipt, accepted, two replies.
    await e.staffSays(`/reply ${number} 第1次进展`);
    await e.staffSays(`/reply ${number} 第2次进展`);
    expect(kf(e) - beforeLast).toBe(4);
    await e.restart();
    expect(e.channel.replyWindow(OWNER)).toBeUndefined();
    // The 5th since the owner's last message still goes as 客服消息, the 6th by template.
    await e.staffSays(`/reply ${number} 第3次进展`);
    expect(kf(e) - beforeLast).toBe(5);
    expect(e.fake.templatesTo(OWNER)).toHaveLength(0);
    await e.staffSays(`/reply ${number} 第4次进展`);
    expect(e.fake.templatesTo(OWNER)).toHaveLength(1);
    expect(customSendCalls(e)).toBe(e.fake.sent.length);

    // Two days on, another restart: closed, by the log alone.
    e.clock.advance(49 * HOUR);
    await e.restart();
    await e.staffSays(`/reply ${number} 第5次进展`);
    expect(e.fake.templatesTo(OWNER)).toHaveLength(2);
    expect(customSendCalls(e)).toBe(e.fake.sent.length);
  });
});
