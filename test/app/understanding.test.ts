/**
 * Owners who just write what happened: the offline assistant through the whole app (no key, no network).
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { makeHarness } from '../support/harness.js';

const assistant = new OfflineAssistant(loadKeywords());
const owner = { name: '张三', phone: '+8613812345678' };

async function harnessWithProfile() {
  const h = await makeHarness({ assistant });
  // A first report gives the bot the owner's contact, so the next ones go straight to the read-back.
  for (const line of ['/start', '1', '1', '3-2-501', '卫生间天花板漏水', '1', '1', owner.name, '13812345678', '1'])
    await h.send(line);
  return h;
}

describe('free text understood', () => {
  it('turns a message into a read-back with the fields filled, and files only on Confirm', async () => {
    const h = await makeHarness({ assistant });
    const first = await h.send('楼上漏水到我家卫生间了，3栋2单元501');
    // No contact on file yet: name and phone are asked, then the read-back.
    expect(first.texts.join('\n')).toContain('怎么称呼');
    await h.send('张三');
    const readback = await h.send('13812345678');
    const text = readback.texts.join('\n');
    expect(text).toContain('跟您核对一下登记内容');
    expect(text).toContain('渗漏与房屋本体');
    expect(text).toContain('3栋2单元501室');
    expect(await h.store.listTickets({})).toHaveLength(0);
    const done = await h.send('1');
    expect(done.texts.join('\n')).toMatch(/T261128-0001/);
    expect((await h.store.listTickets({}))[0]).toMatchObject({
      category: 'leaks_fabric',
      location: { building: '3', unit: '2', room: '501' },
    });
  });

  it('takes the emergency path at once on emergency words, even in the middle of a report', async () => {
    const h = await makeHarness({ assistant });
    await h.send('报修');
    const r = await h.send('电梯里有人被困了，快来人');
    expect(r.texts[0]).toContain('119');
    expect(r.texts.join('\n')).toContain('具体位置');
    await h.send('2号楼电梯');
    const ticket = (await h.store.listTickets({}))[0];
    expect(ticket).toMatchObject({ urgency: 'emergency', description: '电梯里有人被困了，快来人' });
  });

  it('takes the emergency path from a staff question too (a plan), and asks that question again afterwards', async () => {
    const h = await harnessWithProfile();
    const number = (await h.store.listTickets({}))[0]?.number ?? '';
    const staff = { chatId: 'staff', chatKind: 'staff' as const, userId: 'u-li', userName: '李师傅' };
    await h.send(`/accept ${number}`, staff);
    const asked = await h.send(`/plan ${number} 先检查楼上防水层`, staff);
    expect(asked.result.duplicate).toBe(false);
    expect(
      h
        .lastButtons()
        .map((b) => b.label)
        .join(),
    ).toContain('同意');

    const r = await h.send('厨房煤气泄漏了，味道很大');
    expect(r.texts[0]).toContain('119');
    expect(r.texts.join('\n')).toContain('具体位置');
    expect((await h.store.getTicketByNumber(number))?.status).toBe('awaiting_agreement');
    const filed = await h.send('3栋2单元501');
    const emergency = (await h.store.listTickets({})).find((t) => t.urgency === 'emergency');
    expect(emergency).toMatchObject({ description: '厨房煤气泄漏了，味道很大' });
    // Filed: then the plan is put to the owner again, and their answer counts.
    expect(filed.texts.join('\n')).toContain('先检查楼上防水层');
    await h.send('1');
    expect((await h.store.getTicketByNumber(number))?.status).toBe('in_progress');
  });

  it('asks whether a new problem is about an open ticket or something new', async () => {
    const h = await harnessWithProfile();
    const r = await h.send('小区东门的门禁坏了，刷卡没反应');
    expect(r.texts.join('\n')).toContain('哪一张工单');
    const buttons = h.lastButtons();
    expect(buttons.at(-1)?.label).toContain('新问题');
    const fresh = await h.send({ type: 'button', data: buttons.at(-1)?.data ?? '' });
    expect(fresh.texts.join('\n')).toContain('门禁');
    expect(fresh.texts.join('\n')).toContain('跟您核对一下登记内容');
  });

  it('adds a plain follow-up to the open ticket', async () => {
    const h = await harnessWithProfile();
    const r = await h.send('师傅大概几点能到？');
    expect(r.texts.join('\n')).toContain('已将您的补充内容加入工单');
  });

  it('never calls the model for a draft someone may not see: an owner forging the button, or staff not accountable', async () => {
    let calls = 0;
    const counting = Object.assign(Object.create(assistant) as OfflineAssistant, {
      suggestReply: async (...args: Parameters<OfflineAssistant['suggestReply']>) => {
        calls += 1;
        return assistant.suggestReply(...args);
      },
    });
    const h = await makeHarness({ assistant: counting });
    for (const line of ['/start', '1', '1', '3-2-501', '卫生间天花板漏水', '1', '1', owner.name, '13812345678', '1'])
      await h.send(line);
    const number = (await h.store.listTickets({}))[0]?.number ?? '';
    const li = { chatId: 'staff', chatKind: 'staff' as const, userId: 'u-li', userName: '李师傅' };
    const wang = { chatId: 'staff', chatKind: 'staff' as const, userId: 'u-wang', userName: '王师傅' };
    await h.send(`/accept ${number}`, li);
    await h.send({ type: 'button', data: `s|draft|${number}` }); // an owner, in their private chat
    await h.send(`/draft ${number}`); // typed by an owner
    await h.send(`/draft ${number}`, wang); // staff, but not the accountable person
    expect(calls).toBe(0);
    await h.send(`/draft ${number}`, li);
    expect(calls).toBe(1);
  });

  it('gives the accountable person a draft reply under the card', async () => {
    const h = await harnessWithProfile();
    const number = (await h.store.listTickets({}))[0]?.number ?? '';
    const staff = { chatId: 'staff', chatKind: 'staff' as const, userId: 'u-li', userName: '李师傅' };
    await h.send(`/accept ${number}`, staff);
    const before = h.staffMessages().length;
    await h.send(`/draft ${number}`, staff);
    const draft = h
      .staffMessages()
      .slice(before)
      .find((s) => s.action.kind === 'send');
    expect(draft?.action.kind === 'send' && draft.action.message.text).toContain('回复草稿');
  });
});
