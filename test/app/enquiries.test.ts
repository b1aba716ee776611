/**
 * Enquiries (issue 16) through the whole app, with the repository's knowledge files and the fake clock:
 * a question is answered at once from the knowledge with [是 / 不是，转人工]; 是 is thanked; 不是 and a
 * question nothing answers go to the staff room as an item, answered from there under their own service
 * level (reminded when due, supervisors named at twice that, in and out of business hours); a supervisor
 * saves a staff answer to the knowledge and the next owner's same question is answered from it; buttons
 * are claims; a model's phrasing is used only when faithful; /summary counts them.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { loadKnowledge } from '../../src/adapters/content/knowledge-file.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App } from '../../src/app/app.js';
import { DEFAULT_POLICY, type DeskPolicy } from '../../src/app/context.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createKnowledgeIndex } from '../../src/core/knowledge/search.js';
import type { KnowledgeAnswerRequest, PhrasedAnswer } from '../../src/core/ports/assistant.js';
import type { Store } from '../../src/core/ports.js';
import { decodeEnquiryButton, encodeEnquiryButton } from '../../src/core/protocol/enquiry-buttons.js';
import type { Inbound, InboundContent, OutboundMessage } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { i18n, RecordingSender, registry } from '../support/harness.js';

const keywords = loadKeywords();
const knowledgeFiles = loadKnowledge('flows/knowledge');
const params = { dutyPhone: '0571-88886666', estate: '阳光花园' };
const zh = (key: string, p?: Record<string, string | number>) => i18n.translate('zh-CN', key, { ...params, ...p });
const POLICY: DeskPolicy = { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }], managers: [{ userId: 'mgr' }] };
const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
const STAFF = { ...ROOM, userId: 'a', userName: '王师傅' };
const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };
const MINUTE = 60_000;

/** An assistant whose phrasing the test scripts (the rest is the offline assistant). */
class ScriptedAssistant extends OfflineAssistant {
  override readonly rewordsAnswers = true;
  readonly asked: KnowledgeAnswerRequest[] = [];
  /** Whether the store could be read while phrasing (inside a message's transaction it refuses). */
  readonly storeFree: boolean[] = [];
  store?: Store;
  constructor(private readonly script: (r: KnowledgeAnswerRequest) => PhrasedAnswer | undefined) {
    super(keywords);
  }
  override async phraseAnswer(request: KnowledgeAnswerRequest): Promise<PhrasedAnswer | undefined> {
    this.asked.push(request);
    this.storeFree.push(
      await (this.store?.getSetting('probe') ?? Promise.reject(new Error('no store'))).then(
        () => true,
        () => false,
      ),
    );
    return this.script(request);
  }
}

interface Who {
  chatId?: string;
  chatKind?: Inbound['chatKind'];
  userId?: string;
  userName?: string;
  replyTo?: string;
}

async function setup(o: { start?: string; assistant?: OfflineAssistant; knowledge?: boolean } = {}) {
  const store = await openSqliteStore({ path: ':memory:' });
  if (o.assistant instanceof ScriptedAssistant) o.assistant.store = store;
  const clock = new FakeClock(o.start ?? '2026-11-28T02:00:00Z'); // 10:00 in Shanghai, a Saturday
  const sender = new RecordingSender('console');
  const log = silentLogger();
  const knowledge =
    o.knowledge === false ? undefined : createKnowledgeIndex(knowledgeFiles.entries, knowledgeFiles.synonyms);
  const options = {
    store,
    clock,
    registry,
    i18n,
    log,
    settings: { defaultLocale: 'zh-CN' as const, timeZone: 'Asia/Shanghai', ...params, estateName: params.estate },
    staffRooms: [{ channel: 'console' as const, chatId: 'staff' }],
    policy: POLICY,
    assistant: o.assistant ?? new OfflineAssistant(keywords),
    ...(knowledge ? { knowledge } : {}),
  };
  const app = new App(options);
  const dispatcher = new Dispatcher({ store, clock, senders: [sender], log, workerId: 'test' });
  const scheduler = new Scheduler({ store, clock, log, workerId: 'test-scheduler', handlers: app.jobHandlers() });
  let seq = 0;

  async function send(content: InboundContent | string, who: Who = {}) {
    const chatId = who.chatId ?? 'owner';
    const before = sender.sent.length;
    seq += 1;
    const result = await app.handleInbound({
      channel: 'console',
      chatId,
      chatKind: who.chatKind ?? 'private',
      userId: who.userId ?? `u-${chatId}`,
      messageId: `m-${seq}`,
      receivedAt: clock.now(),
      ...(who.userName ? { userName: who.userName } : {}),
      ...(who.replyTo ? { replyTo: who.replyTo } : {}),
      content: typeof content === 'string' ? { type: 'text', text: content } : content,
    });
    await dispatcher.drain();
    const sent = sender.sent.slice(before);
    const texts = (id: string) =>
      sent.flatMap((s) => (s.chatId === id && s.action.kind === 'send' ? [s.action.message.text] : []));
    return { result, texts: texts(chatId), staff: texts('staff'), sent };
  }

  const press = (data: string, who: Who = {}) => send({ type: 'button', data }, who);

  /** The last message with buttons a chat received. */
  function lastWithButtons(chatId = 'owner'): OutboundMessage | undefined {
    for (let i = sender.sent.length - 1; i >= 0; i--) {
      const s = sender.sent[i];
      if (s?.chatId === chatId && s.action.kind === 'send' && s.action.message.buttons) return s.action.message;
    }
    return undefined;
  }
  const button = (label: string, chatId = 'owner') => {
    const b = lastWithButtons(chatId)
      ?.buttons?.flat()
      .find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label}`);
    return b.data;
  };

  /** Sets the clock, runs every job due, and returns what the staff room received meanwhile. */
  async function at(instant: string | Date): Promise<OutboundMessage[]> {
    const before = sender.sent.length;
    clock.set(instant);
    while ((await scheduler.tick()) > 0) {
      /* everything due now */
    }
    await dispatcher.drain();
    return sender.sent
      .slice(before)
      .filter((s) => s.chatId === 'staff')
      .flatMap((s) => (s.action.kind === 'send' ? [s.action.message] : []));
  }

  return { store, clock, app, sender, send, press, button, lastWithButtons, at, options };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Enrols staff (they become known by writing in the room). */
async function enrol(s: Setup) {
  await s.send('大家好', STAFF);
  await s.send('大家好', SUP);
}

describe('an enquiry the knowledge answers', () => {
  it('is answered at once, with the estate values filled in and [是 / 不是，转人工], and recorded', async () => {
    const s = await setup();
    const { texts, staff } = await s.send('物业几点上班');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('8:30');
    expect(texts[0]).toContain('阳光花园');
    expect(texts[0]).toContain('0571-88886666');
    expect(texts[0]).not.toContain('{{');
    expect(
      s
        .lastWithButtons()
        ?.buttons?.flat()
        .map((b) => b.label),
    ).toEqual([zh('enquiry_kb.yes'), zh('enquiry_kb.no')]);
    expect(staff).toEqual([]);
    const [enquiry] = await s.store.listEnquiries();
    expect(enquiry).toMatchObject({
      id: 'Q001',
      kind: 'enquiry',
      status: 'answered',
      matched: ['office.hours'],
      topic: 'office',
      text: '物业几点上班',
    });
    expect(enquiry?.helpful).toBeUndefined();
  });

  it('是 is thanked and recorded as helpful; pressing it again is answered kindly', async () => {
    const s = await setup();
    await s.send('物业几点上班');
    const yes = s.button(zh('enquiry_kb.yes'));
    const first = await s.press(yes);
    expect(first.texts).toEqual([zh('enquiry_kb.helpful_thanks')]);
    expect((await s.store.getEnquiry('Q001'))?.helpful).toBe(true);
    const again = await s.press(yes);
    expect(again.texts).toEqual([]);
    expect(again.result.ack?.text).toBe(zh('enquiry_kb.stale_recorded'));
  });

  it('是 typed (as on WeChat, where the buttons are a numbered list) is the verdict too; later it is not', async () => {
    const s = await setup();
    await s.send('物业几点上班');
    expect((await s.send('1')).texts).toEqual([zh('enquiry_kb.helpful_thanks')]);
    await s.send('停车费多少钱一个月');
    s.clock.advance(31 * MINUTE);
    const late = await s.send('是');
    expect(late.texts).not.toContain(zh('enquiry_kb.helpful_thanks'));
    expect((await s.store.getEnquiry('Q002'))?.helpful).toBeUndefined();
  });

  it('不是，转人工 puts it in front of the staff room; a staff answer reaches the owner and stops the timers', async () => {
    const s = await setup();
    await enrol(s);
    await s.send('物业几点上班');
    const no = await s.press(s.button(zh('enquiry_kb.no')));
    // Handed over at 10:00 with 30 minutes to answer.
    expect(no.texts).toEqual([zh('enquiry_kb.handed_now', { due: '11月28日（周六）上午10:30' })]);
    expect(no.staff).toHaveLength(1);
    expect(no.staff[0]).toContain('Q001');
    expect(no.staff[0]).toContain('物业几点上班');
    expect(no.staff[0]).toContain('8:30'); // what the owner was told automatically
    expect(
      s
        .lastWithButtons('staff')
        ?.buttons?.flat()
        .map((b) => b.label),
    ).toEqual([zh('enquiry_kb.staff.answer_button'), zh('enquiry_kb.staff.learn_button')]);
    expect(await s.store.getEnquiry('Q001')).toMatchObject({ status: 'waiting', helpful: false });
    const answer = await s.send('Q001 您好，今天下午服务中心临时开会，14:00 以后有人', STAFF);
    expect(answer.staff).toEqual([zh('enquiry_kb.staff.answered', { ref: 'Q001' })]);
    const owner = answer.sent.filter((x) => x.chatId === 'owner');
    expect(owner.map((x) => x.action.kind === 'send' && x.action.message.text)).toEqual([
      zh('frontdoor.staff_answer', {
        question: '物业几点上班',
        text: '您好，今天下午服务中心临时开会，14:00 以后有人',
      }),
    ]);
    expect(await s.store.getEnquiry('Q001')).toMatchObject({
      status: 'staff',
      answeredBy: { id: 'console:a', name: '王师傅' },
    });
    // Answered: nothing is brought up when it would have been due.
    expect(await s.at('2026-11-28T03:30:00Z')).toEqual([]);
  });

  it('the 回答 button asks for the answer; the next message from that staff member goes to the owner', async () => {
    const s = await setup();
    await enrol(s);
    await s.send('小区的樱花什么时候开？');
    const press = await s.press(s.button(zh('enquiry_kb.staff.answer_button'), 'staff'), STAFF);
    expect(press.staff).toEqual([zh('enquiry_kb.staff.ask_answer', { name: '王师傅', ref: 'Q001' })]);
    // Someone else talking in the room meanwhile is not taken as the answer.
    const other = await s.send('收到', SUP);
    expect(other.sent.filter((x) => x.chatId === 'owner')).toEqual([]);
    const answered = await s.send('中心花园的樱花一般在3月下旬开，欢迎来赏花。', STAFF);
    expect(answered.sent.filter((x) => x.chatId === 'owner')).toHaveLength(1);
    expect((await s.store.getEnquiry('Q001'))?.answer).toBe('中心花园的樱花一般在3月下旬开，欢迎来赏花。');
  });
});

describe('an enquiry the knowledge cannot answer', () => {
  it('says so honestly, hands it to the staff room and records it as waiting', async () => {
    const s = await setup();
    const { texts, staff } = await s.send('小区的樱花什么时候开？');
    expect(texts).toEqual([
      zh('enquiry_kb.no_match_now', { text: '小区的樱花什么时候开？', due: '11月28日（周六）上午10:30' }),
    ]);
    expect(staff[0]).toContain('Q001');
    expect(await s.store.getEnquiry('Q001')).toMatchObject({ status: 'waiting', kind: 'enquiry' });
  });

  it('in business hours: the room is reminded when due, supervisors are named at twice that', async () => {
    const s = await setup();
    await enrol(s);
    await s.send('小区的樱花什么时候开？');
    expect(await s.at('2026-11-28T02:29:00Z')).toEqual([]);
    const due = await s.at('2026-11-28T02:30:00Z');
    expect(due.map((m) => m.text)).toEqual([
      zh('enquiry_kb.staff.remind', {
        ref: 'Q001',
        asked: '11月28日（周六）上午10:00',
        due: '11月28日（周六）上午10:30',
        text: '小区的樱花什么时候开？',
      }),
    ]);
    const late = await s.at('2026-11-28T03:00:00Z');
    expect(late).toHaveLength(1);
    expect(late[0]?.text).toContain('@赵主管');
    expect(late[0]?.mentions).toEqual([{ userId: 'sup', name: '赵主管' }]);
    expect(await s.store.getEnquiry('Q001')).toMatchObject({
      remindedAt: expect.any(Date),
      escalatedAt: expect.any(Date),
    });
  });

  it('out of hours: the owner is told it is answered after opening; the reminder comes 30 minutes after 08:00', async () => {
    const s = await setup({ start: '2026-11-28T14:30:00Z' }); // 22:30 in Shanghai
    await enrol(s);
    const { texts } = await s.send('小区的樱花什么时候开？');
    expect(texts).toEqual([
      zh('enquiry_kb.no_match_later', { text: '小区的樱花什么时候开？', due: '11月29日（周日）上午8:30' }),
    ]);
    expect(await s.at('2026-11-28T23:59:00Z')).toEqual([]); // 07:59
    expect(await s.at('2026-11-29T00:29:00Z')).toEqual([]); // 08:29
    const due = await s.at('2026-11-29T00:30:00Z'); // 08:30
    expect(due).toHaveLength(1);
    expect(due[0]?.text).toContain('Q001');
    const late = await s.at('2026-11-29T01:00:00Z'); // 09:00
    expect(late[0]?.text).toContain('@赵主管');
  });

  it('转人工 is an item at once, recorded as an enquiry of kind human', async () => {
    const s = await setup();
    const { texts, staff } = await s.send('转人工');
    expect(texts.join('\n')).toContain('0571-88886666');
    expect(staff[0]).toContain('Q001');
    expect(await s.store.getEnquiry('Q001')).toMatchObject({ kind: 'human', status: 'waiting' });
  });
});

describe('knowledge saved from a staff answer', () => {
  const QUESTION = '请问小区的樱花什么时候开？';
  const ANSWER = '中心花园的樱花一般在3月下旬开，欢迎来赏花。';

  it('a supervisor saves it in one step; the same question from another owner is answered automatically', async () => {
    const s = await setup();
    await enrol(s);
    await s.send(QUESTION);
    await s.send(`Q001 ${ANSWER}`, STAFF);
    const saved = await s.press(s.button(zh('enquiry_kb.staff.learn_button'), 'staff'), SUP);
    expect(saved.staff).toEqual([zh('enquiry_kb.staff.learned', { entry: 'learned.K001', question: QUESTION })]);
    expect(await s.store.listKnowledgeEntries()).toMatchObject([
      {
        id: 'learned.K001',
        questions: { 'zh-CN': [QUESTION] },
        answer: { 'zh-CN': ANSWER },
        source: 'staff:console:sup',
        fromEnquiry: 'Q001',
      },
    ]);
    expect((await s.store.getEnquiry('Q001'))?.savedAs).toBe('learned.K001');
    const other = await s.send(QUESTION, { chatId: 'neighbour' });
    expect(other.texts[0]).toContain(ANSWER);
    expect(other.staff).toEqual([]);
    expect(await s.store.getEnquiry('Q002')).toMatchObject({ status: 'answered', matched: ['learned.K001'] });
    // Saving twice says where it went.
    const again = await s.send('/learn Q001', SUP);
    expect(again.staff).toEqual([zh('enquiry_kb.staff.learn_already', { ref: 'Q001', entry: 'learned.K001' })]);
  });

  it('after a restart the saved entries are in the index again', async () => {
    const s = await setup();
    await enrol(s);
    await s.send(QUESTION);
    await s.send(`Q001 ${ANSWER}`, STAFF);
    await s.send('Q001 存入知识库', SUP);
    // A new process over the same store, with the files' index only.
    const knowledge = createKnowledgeIndex(knowledgeFiles.entries, knowledgeFiles.synonyms);
    const restarted = new App({ ...s.options, knowledge });
    expect(knowledge.get('learned.K001')).toBeUndefined();
    expect(await restarted.loadSavedKnowledge()).toBe(1);
    expect(knowledge.answer(QUESTION, 'zh-CN').map((m) => m.entry.id)).toEqual(['learned.K001']);
  });

  it('ordinary staff are refused politely, by button or typed; nothing is saved', async () => {
    const s = await setup();
    await enrol(s);
    await s.send(QUESTION);
    await s.send(`Q001 ${ANSWER}`, STAFF);
    const pressed = await s.press(s.button(zh('enquiry_kb.staff.learn_button'), 'staff'), STAFF);
    expect(pressed.result.ack).toEqual({ text: zh('enquiry_kb.staff.learn_refused'), alert: true });
    expect(pressed.staff).toEqual([]);
    const typed = await s.send('Q001 存入知识库', STAFF);
    expect(typed.staff).toEqual([zh('enquiry_kb.staff.learn_refused')]);
    expect(typed.sent.filter((x) => x.chatId === 'owner')).toEqual([]);
    expect(await s.store.listKnowledgeEntries()).toEqual([]);
  });

  it('an enquiry not answered by staff yet cannot be saved', async () => {
    const s = await setup();
    await enrol(s);
    await s.send(QUESTION);
    const typed = await s.send('/learn Q001', SUP);
    expect(typed.staff).toEqual([zh('enquiry_kb.staff.learn_not_answered', { ref: 'Q001' })]);
    expect(await s.store.listKnowledgeEntries()).toEqual([]);
  });
});

describe('buttons are claims', () => {
  it('forged, foreign and stale presses are answered kindly and change nothing', async () => {
    const s = await setup();
    await s.send('物业几点上班');
    // Nothing of that number.
    expect((await s.press('q|y|Q999')).result.ack?.text).toBe(zh('enquiry_kb.stale_unknown'));
    // Another owner's enquiry.
    const foreign = await s.press('q|n|Q001', { chatId: 'neighbour' });
    expect(foreign.result.ack?.text).toBe(zh('enquiry_kb.stale_unknown'));
    expect(foreign.staff).toEqual([]);
    // A staff button pressed by an owner.
    expect((await s.press('q|k|Q001')).result.ack).toEqual({ text: zh('enquiry_kb.staff_only'), alert: true });
    expect(await s.store.getEnquiry('Q001')).toMatchObject({ status: 'answered' });
    // 不是, then 是 on the same answer: already with staff.
    await s.press('q|n|Q001');
    expect((await s.press('q|y|Q001')).result.ack?.text).toBe(zh('enquiry_kb.stale_waiting'));
    expect(await s.store.getEnquiry('Q001')).toMatchObject({ status: 'waiting', helpful: false });
    // A second 不是 does not post a second item.
    const twice = await s.press('q|n|Q001');
    expect(twice.staff).toEqual([]);
  });
});

describe("a model's phrasing", () => {
  it('is used when every fact in it is in the entry it cites; the model is asked before the transaction', async () => {
    const assistant = new ScriptedAssistant((r) => ({
      text: '您好！阳光花园服务中心每天 8:30–18:00 办公，周末和节假日照常。',
      cites: [r.sources[0]?.id ?? ''],
    }));
    const s = await setup({ assistant });
    const { texts } = await s.send('物业几点上班');
    expect(assistant.asked).toHaveLength(1);
    expect(assistant.storeFree).toEqual([true]);
    expect(assistant.asked[0]?.sources.map((x) => x.id)).toEqual(['office.hours']);
    expect(assistant.asked[0]?.sources[0]?.answer).toContain('阳光花园'); // rendered before it is sent
    expect(texts[0]).toContain('您好！阳光花园服务中心每天 8:30–18:00 办公，周末和节假日照常。');
  });

  it('is dropped for the entry’s own text when it invents a number, or cites an entry not matched', async () => {
    const own = await setup();
    const ownText = (await own.send('物业几点上班')).texts[0];
    for (const phrased of [
      { text: '您好！服务中心每天 8:00–20:00 办公。', cites: ['office.hours'] },
      { text: '您好！服务中心每天 8:30–18:00 办公，物业费每月 2.5 元。', cites: ['office.hours'] },
      { text: '您好！服务中心每天 8:30–18:00 办公。', cites: ['fees.pay'] },
      { text: '', cites: ['office.hours'] },
    ]) {
      const s = await setup({ assistant: new ScriptedAssistant(() => phrased) });
      const { texts } = await s.send('物业几点上班');
      expect(texts[0], phrased.text).toBe(ownText);
    }
  });
});

describe('/summary', () => {
  it('counts the enquiries of the period: automatic, by staff, unanswered, top topics', async () => {
    const s = await setup();
    await enrol(s);
    await s.send('物业几点上班'); // Q001 answered automatically
    await s.send('停车费多少钱一个月', { chatId: 'o2' }); // Q002 answered automatically
    await s.send('小区的樱花什么时候开？', { chatId: 'o3' }); // Q003 waiting
    await s.send('转人工', { chatId: 'o4' }); // Q004 human, waiting
    await s.send('Q004 您好，我是客服小王，请问有什么可以帮您？', STAFF);
    const { staff } = await s.send('/summary', SUP);
    const summary = staff.join('\n');
    expect(summary).toContain(zh('enquiry_kb.summary', { total: 4, answered: 2, staff: 1, unanswered: 1 }));
    expect(summary).toContain(zh('enquiry_kb.topic.office'));
    expect(summary).toContain(zh('enquiry_kb.topic.parking'));
  });
});

describe('items posted before the upgrade', () => {
  it('a frontdoor.item record is still answerable, and becomes an enquiry', async () => {
    const s = await setup();
    await enrol(s);
    await s.send('你好'); // the owner exists
    const [owner] = await s.store.findOwnersByPhone('').catch(() => []);
    const ownerId = owner?.id ?? (await s.store.findOwnerByIdentity('console', 'u-owner'))?.id;
    await s.store.transaction(async (tx) => {
      await tx.setSetting(
        'frontdoor.item:Q007',
        JSON.stringify({ channel: 'console', chatId: 'owner', ownerId, text: '垃圾几点收' }),
      );
    });
    const answered = await s.send('Q007 每天早上7点和晚上7点收垃圾。', STAFF);
    const owners = answered.sent.filter((x) => x.chatId === 'owner');
    expect(owners.map((x) => x.action.kind === 'send' && x.action.message.text)).toEqual([
      zh('frontdoor.staff_answer', { question: '垃圾几点收', text: '每天早上7点和晚上7点收垃圾。' }),
    ]);
    expect(await s.store.getEnquiry('Q007')).toMatchObject({ status: 'staff', text: '垃圾几点收' });
  });
});

describe('SLA_ENQUIRY_ANSWER', () => {
  it('defaults to 30 minutes and a bad value is one clear line', () => {
    expect(loadConfig({}).enquiryAnswerMs).toBe(30 * MINUTE);
    expect(loadConfig({ SLA_ENQUIRY_ANSWER: '1h' }).enquiryAnswerMs).toBe(60 * MINUTE);
    try {
      loadConfig({ SLA_ENQUIRY_ANSWER: 'soon' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'SLA_ENQUIRY_ANSWER: not a duration (got "soon"); accepted: a duration such as 30s, 15m, 24h, 3d, 1h30m or 500ms, longer than zero, counted in business time',
      ]);
    }
  });
});

describe('the enquiry button codec', () => {
  it('round-trips every action within 64 bytes and reads nothing else', () => {
    for (const button of [
      { audience: 'owner', action: 'helpful', id: 'Q001' },
      { audience: 'owner', action: 'not_helpful', id: 'Q123456789' },
      { audience: 'staff', action: 'answer', id: 'Q012' },
      { audience: 'staff', action: 'learn', id: 'Q012' },
    ] as const) {
      const data = encodeEnquiryButton(button);
      expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64);
      expect(decodeEnquiryButton(data)).toEqual(button);
    }
    for (const forged of [
      'q|y|T261128-0001',
      'q|x|Q001',
      'q|y|Q001|extra',
      's|accept|Q001',
      'q|y|Q01',
      `q|y|Q${'1'.repeat(70)}`,
    ])
      expect(decodeEnquiryButton(forged), forged).toBeUndefined();
  });
});
