/**
 * A satisfaction survey as owners live it: the real App (with the offline assistant), engine, questionnaire
 * flow, scheduler and dispatcher on SQLite :memory:, a supervisor in the console staff room and owners in
 * their chats.
 */
import { describe, expect, it } from 'vitest';
import { createAssistant } from '../../src/adapters/ai/create.js';
import { renderText } from '../../src/adapters/channels/wechat/outbound.js';
import { loadQuestionnaires } from '../../src/adapters/content/questionnaires-file.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import type { FlowRegistry } from '../../src/core/flow/registry.js';
import { compileQuestionnaire, mergeResources } from '../../src/core/surveys/questionnaire.js';
import type { InboundContent } from '../../src/core/types.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { makeHarness } from '../support/harness.js';

const questionnaires = loadQuestionnaires('flows/surveys');
const compiled = compileQuestionnaire(questionnaires.get('residential')!);
const i18n = createI18n(mergeResources(readLocales('locales'), compiled.resources));
const base = loadFlows('flows', (k) => i18n.has(k));
const registry: FlowRegistry = { flows: new Map([...base.flows, [compiled.flow.id, compiled.flow]]), menu: base.menu };

async function estate() {
  const clock = new FakeClock('2026-12-01T02:00:00Z'); // 10:00 in Shanghai
  const log = silentLogger();
  const h = await makeHarness({
    clock,
    registry,
    i18n,
    log,
    policy: { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }] },
    surveys: { questionnaires, batchSize: { console: 50 } },
    assistant: await createAssistant(null, log, clock),
  });
  const { store, app, sender, lastButtons } = h;
  async function send(chatId: string, content: InboundContent | string, staff = false) {
    const out = await h.send(content, {
      chatId,
      chatKind: staff ? 'staff' : 'private',
      userId: staff ? 'sup' : `u-${chatId}`,
    });
    return out.texts;
  }
  /** A button pressed in the staff room by `userId` ('sup' is the supervisor). */
  async function press(data: string, userId = 'sup') {
    const out = await h.send({ type: 'button', data }, { chatId: 'staff', chatKind: 'staff', userId });
    return out.result;
  }
  function received(chatId: string) {
    return sender.sent
      .filter((s) => s.chatId === chatId)
      .flatMap((s) => (s.action.kind === 'send' ? [s.action.message.text] : []));
  }
  return { store, clock, app, sender, send, press, tick: h.tick, received, lastButtons };
}

describe('a survey in the owners’ chats', () => {
  async function invited() {
    const e = await estate();
    await e.send('a', '你好');
    await e.send('staff', '/survey create residential', true);
    await e.send('staff', '/survey preview S001', true);
    await e.send('staff', '/survey start S001', true);
    await e.tick();
    expect(e.received('a').at(-1)).toContain('您对客服中心工作人员的服务态度');
    return e;
  }

  it('an invitation is one message, the introduction heading the first question, and answering keeps the introduction', async () => {
    const e = await estate();
    await e.send('a', '你好');
    await e.send('staff', '/survey create residential', true);
    await e.send('staff', '/survey preview S001', true);
    await e.send('staff', '/survey start S001', true);
    const before = e.sender.sent.length;
    await e.tick();
    const invitation = e.sender.sent.slice(before).filter((s) => s.chatId === 'a');
    // One message, not the introduction on its own and then the question: half the broadcast's messages.
    expect(invitation).toHaveLength(1);
    const sent = invitation[0]?.action;
    const text = sent?.kind === 'send' ? sent.message.text : '';
    const intro = text.indexOf('诚邀您参加本次满意度调查');
    expect(intro).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('您对客服中心工作人员的服务态度')).toBeGreaterThan(intro);

    const answered = e.sender.sent.length;
    await e.send('a', '很满意');
    // The answered question is closed in place: who asks and why stay above it, the answer under it.
    const edit = e.sender.sent.slice(answered).find((s) => s.chatId === 'a' && s.action.kind === 'edit')?.action;
    const closed = edit?.kind === 'edit' ? edit.message.text : '';
    expect(closed).toContain('诚邀您参加本次满意度调查');
    expect(closed).toContain('您对客服中心工作人员的服务态度');
    expect(closed).toMatch(/✓ .+$/);
    // The next question comes without the introduction.
    expect(e.received('a').at(-1)).toContain('回应和答复的及时程度');
    expect(e.received('a').at(-1)).not.toContain('诚邀您参加本次满意度调查');
  });

  it('a report written in the middle of the questionnaire is taken; the questionnaire waits with its answers', async () => {
    const e = await invited();
    expect(await e.send('a', '很满意')).toEqual([expect.stringContaining('回应和答复的及时程度')]);
    const replies = await e.send('a', '楼上漏水到我家卫生间了，3栋2单元501');
    expect(replies[0]).toContain('问卷先为您停在这里，已填的答案都会保留');
    expect(replies.at(-1)).toMatch(/^温馨提示：您的姓名和电话仅用于.+\n\n请问怎么称呼您？$/s);
    await e.send('a', '张三');
    const readBack = (await e.send('a', '13812345678')).join('\n');
    expect(readBack).toContain('类别：渗漏与房屋本体');
    expect(readBack).toContain('位置：3栋2单元501室');
    expect((await e.send('a', '1')).join('\n')).toContain('工单号：T261201-0001');
    expect((await e.store.getSurveyInvitation('S001', (await e.store.listOwners())[0]!.id))?.draft).toEqual({
      reception_attitude: 5,
    });
    // 问卷 picks it up again at the next unanswered question.
    expect((await e.send('a', '问卷')).at(-1)).toContain('回应和答复的及时程度');
  });

  it('words that are no report, and written answers, stay with the questionnaire', async () => {
    const e = await invited();
    expect(await e.send('a', '保安态度很差')).toEqual([expect.stringContaining('请回复 1 到 5 之间的数字')]);
    for (let i = 0; i < 12; i++) await e.send('a', '1');
    expect(e.received('a').at(-1)).toContain('最希望我们优先改进哪些方面');
    for (const answer of ['1', '10', '10']) await e.send('a', answer);
    expect(e.received('a').at(-1)).toContain('还有什么意见或建议');
    // At a written question the text is the answer, place and all.
    const thanks = await e.send('a', '3栋门口的路灯坏了很久了');
    expect(thanks[0]).toContain('感谢您抽出宝贵时间');
    expect(await e.store.listTickets({ limit: 10 })).toEqual([]);
  });

  it('a plan staff propose for the owner’s ticket is not held up behind the questionnaire', async () => {
    const e = await estate();
    for (const t of ['你好', '1', '1', '3-2-501', '卫生间天花板漏水', '1', '跳过', '张三', '13812345678', '1'])
      await e.send('a', t);
    await e.send('staff', '/survey create residential', true);
    await e.send('staff', '/survey preview S001', true);
    await e.send('staff', '/survey start S001', true);
    await e.tick();
    expect(await e.send('a', '很满意')).toEqual([expect.stringContaining('回应和答复的及时程度')]);
    // The owner had looked at the menu in the middle of the questionnaire.
    expect((await e.send('a', '菜单'))[0]).toContain('您还有一项未填完的内容');
    await e.send('staff', '/accept T261201-0001', true);
    const before = e.received('a').length;
    await e.send('staff', '/plan T261201-0001 明天上午派师傅上门检查楼上管道', true);
    const got = e.received('a').slice(before);
    expect(got[0]).toContain('问卷先为您停在这里，已填的答案都会保留');
    expect(got.join('\n')).toContain('明天上午派师傅上门检查楼上管道');
    const thread = await e.store.getThread('console', 'a');
    expect(thread?.state.flow?.flowId).toBe('plan');
    expect(thread?.state.queue).toEqual([]);
    // After agreeing to the plan, 问卷 picks the questionnaire up where it was left.
    await e.send('a', '1');
    expect((await e.store.getThread('console', 'a'))?.state.flow).toBeUndefined();
    expect((await e.send('a', '问卷')).at(-1)).toContain('回应和答复的及时程度');
  });

  it('a supervisor runs the campaign with one tap at each step; other staff are refused privately', async () => {
    const e = await estate();
    await e.send('a', '你好');
    await e.send('staff', '/survey create residential', true);
    expect(e.lastButtons('staff')).toEqual([{ label: '👀 预览问卷', data: 's|svp|S001' }]);
    // WeChat has no buttons: the staff room reads the message, which names the command, without them.
    expect(renderText({ text: '…', buttons: [e.lastButtons('staff')] })).toBe('…');
    await e.press('s|svp|S001');
    expect(e.received('staff').some((t) => t.startsWith('【问卷预览】S001'))).toBe(true);
    expect(e.lastButtons('staff')).toEqual([{ label: '▶️ 开始调查', data: 's|svs|S001' }]);
    const staffBefore = e.received('staff').length;
    const refused = await e.press('s|svs|S001', 'clerk');
    expect(refused.ack).toEqual({ text: expect.stringContaining('只有主管'), alert: true });
    expect(e.received('staff').length).toBe(staffBefore);
    expect((await e.store.getSurveyCampaign('S001'))?.status).toBe('draft');
    expect((await e.press('s|svs|S001')).ack).toEqual({ text: '' });
    expect((await e.store.getSurveyCampaign('S001'))?.status).toBe('running');
    expect(e.lastButtons('staff')).toEqual([{ label: '📊 查看结果', data: 's|svr|S001' }]);
    await e.tick();
    expect(e.received('a').at(-1)).toContain('您对客服中心工作人员的服务态度');
    await e.press('s|svr|S001');
    expect(e.received('staff').at(-1)).toContain('📊 满意度调查结果');
    // Pressed again once started: a short answer, nothing started twice.
    await e.press('s|svs|S001');
    expect(e.received('staff').at(-1)).toContain('S001');
  });
});
