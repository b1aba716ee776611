/**
 * A satisfaction survey campaign end to end on SQLite :memory:, driven by a fake clock and the real
 * scheduler. The owners' side is a recording `startFlowFor` that writes one `flow:` message to the outbox
 * (with the `notBefore` it was given), as the App does when it starts the questionnaire in a chat.
 */
import { describe, expect, it } from 'vitest';
import { loadQuestionnaires } from '../../src/adapters/content/questionnaires-file.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { AppContext } from '../../src/app/context.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import type { StartFlowOptions } from '../../src/app/owner/conversations.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { normaliseCampaignId, parseSurveyCommand, type SurveyCommand } from '../../src/app/surveys/commands.js';
import { Surveys } from '../../src/app/surveys/surveys.js';
import type { FlowContext } from '../../src/core/flow/engine.js';
import type { FlowRegistry } from '../../src/core/flow/registry.js';
import type { AnswerValue } from '../../src/core/flow/state.js';
import type { Store, StoreTx } from '../../src/core/ports.js';
import { buildingFor } from '../../src/core/surveys/campaign.js';
import { compileQuestionnaire, mergeResources } from '../../src/core/surveys/questionnaire.js';
import type { Address, Owner } from '../../src/core/types.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { makeOwner } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';
import { countingStore } from '../support/counting-store.js';

const questionnaires = loadQuestionnaires('flows/surveys');
const compiled = compileQuestionnaire(questionnaires.get('residential')!);
const i18n = createI18n(mergeResources(readLocales('locales'), compiled.resources));
const base = loadFlows('flows', (k) => i18n.has(k));
const registry: FlowRegistry = { flows: new Map([...base.flows, [compiled.flow.id, compiled.flow]]), menu: base.menu };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STAFF: Address = { channel: 'console', chatId: 'staff' };
/** 2026-12-01 10:00 in Shanghai. */
const MORNING = '2026-12-01T02:00:00Z';

interface Started {
  ownerId: string;
  chatId: string;
  flowId: string;
  context: FlowContext;
  opts: StartFlowOptions;
}

interface World {
  store: Store;
  clock: FakeClock;
  ctx: AppContext;
  surveys: Surveys;
  scheduler: Scheduler;
  started: Started[];
}

async function world(
  o: {
    store?: Store;
    clock?: FakeClock;
    worker?: string;
    failOnCall?: number;
    batchSize?: Record<string, number>;
  } = {},
): Promise<World> {
  const store = o.store ?? (await openSqliteStore({ path: ':memory:' }));
  const clock = o.clock ?? new FakeClock(MORNING);
  const log = silentLogger();
  const ctx = new AppContext({
    store,
    clock,
    registry,
    i18n,
    log,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '0571-88886666' },
    staffRooms: [STAFF],
  });
  const started: Started[] = [];
  let calls = 0;
  const owners = {
    async startFlowFor(
      tx: StoreTx,
      owner: Owner,
      address: Address,
      flowId: string,
      context: FlowContext,
      opts: StartFlowOptions = {},
    ) {
      calls += 1;
      if (calls === o.failOnCall) throw new Error('the process died mid-batch');
      started.push({ ownerId: owner.id, chatId: address.chatId, flowId, context, opts });
      await ctx.sendTo(tx, address, { text: `flow:${flowId}` }, opts.notBefore);
    },
  };
  const surveys = new Surveys(ctx, owners, {
    questionnaires,
    batchSize: { telegram: 2, wechat: 1, console: 2, ...o.batchSize },
    batchIntervalMs: 60_000,
  });
  const scheduler = new Scheduler({
    store,
    clock,
    log,
    workerId: o.worker ?? 'worker-a',
    leaseMs: 60_000,
    handlers: surveys.jobHandlers(),
  });
  return { store, clock, ctx, surveys, scheduler, started };
}

async function cmd(w: World, text: string, by = 'telegram:sup') {
  const command = parseSurveyCommand(text);
  if (!command) throw new Error(`not a survey command: ${text}`);
  return w.store.transaction((tx) => w.surveys.command(tx, command, by));
}

/** Runs every job due now, again and again, until none is left. */
async function runDue(w: World): Promise<void> {
  for (let i = 0; i < 50; i++) if ((await w.scheduler.tick()) === 0) return;
}

/** Moves the clock forward in steps, running what falls due, until `until`. */
async function runUntil(w: World, until: Date | string, stepMs = 60_000): Promise<void> {
  const end = new Date(until).getTime();
  await runDue(w);
  while (w.clock.now().getTime() < end) {
    w.clock.advance(Math.min(stepMs, end - w.clock.now().getTime()));
    await runDue(w);
  }
}

async function addOwners(store: Store, list: Partial<Owner>[]): Promise<Owner[]> {
  const out: Owner[] = [];
  for (const overrides of list) {
    const owner = makeOwner(overrides);
    await store.saveOwner(owner);
    out.push(owner);
  }
  return out;
}

async function texts(store: Store, chatId: string): Promise<string[]> {
  return (await store.listOutbox({ chatId })).flatMap((i) => (i.action.kind === 'send' ? [i.action.message.text] : []));
}

async function createAndStart(w: World, create: string): Promise<string> {
  const created = await cmd(w, create);
  expect(created.ok).toBe(true);
  const id = created.reply[0]?.text.match(/S\d{3}/)?.[0] ?? '';
  expect((await cmd(w, `/survey preview ${id}`)).ok).toBe(true);
  const started = await cmd(w, `/survey start ${id}`);
  expect(started.ok).toBe(true);
  return id;
}

function answer(w: World, owner: Owner, campaignId: string, answers: Record<string, AnswerValue>) {
  return w.store.transaction((tx) =>
    w.surveys.recordAnswer(tx, owner, {
      flowId: 'survey_residential',
      answers,
      context: { campaign: campaignId, deadline: '' },
    }),
  );
}

const HIGH: Record<string, AnswerValue> = {
  reception_attitude: 5,
  reception_response: 4,
  repairs_timeliness: 4,
  repairs_quality: 5,
  facilities: 4,
  security: 5,
  parking: 4,
  cleaning: 5,
  greening: 5,
  fees_transparency: 4,
  fees_value: 9,
  overall: 5,
  improve: ['parking'],
  recommend: 10,
};

const LOW: Record<string, AnswerValue> = {
  ...HIGH,
  repairs_timeliness: 1,
  repairs_quality: 2,
  overall: 2,
  overall_wrong: '报修三次都没人上门',
  recommend: 3,
  follow_up: true,
};

describe('staff commands', () => {
  it.each<[string, SurveyCommand | undefined]>([
    ['/survey', { action: 'help' }],
    ['/survey@residesk_bot list', { action: 'list' }],
    [
      '/survey create residential 2026 年度调查 buildings=3,5 start=2026-12-01 end=14d',
      {
        action: 'create',
        questionnaireId: 'residential',
        name: '2026 年度调查',
        buildings: ['3', '5'],
        start: '2026-12-01',
        end: '14d',
      },
    ],
    ['/survey preview s7', { action: 'preview', campaignId: 'S007' }],
    ['/survey start S001 start=2026-12-02T09:30', { action: 'start', campaignId: 'S001', start: '2026-12-02T09:30' }],
    ['/survey report S012', { action: 'report', campaignId: 'S012' }],
    ['/survey close S001', { action: 'close', campaignId: 'S001' }],
    ['/survey close', { action: 'help' }],
    ['/surveys export s1', { action: 'export', campaignId: 'S001' }],
    ['survey list', undefined],
    ['/accept T261128-0001', undefined],
  ])('reads %s', (text, expected) => {
    expect(parseSurveyCommand(text)).toEqual(expected);
  });

  it('names campaigns S001, S002 … and reads them back however they are typed', () => {
    expect(normaliseCampaignId('s1')).toBe('S001');
    expect(normaliseCampaignId('S0012')).toBe('S012');
    expect(buildingFor({ units: ['3-2-501', '5-1-101'] }, { kind: 'buildings', buildings: ['5'] })).toBe('5');
    expect(buildingFor({ units: ['3号楼2单元501'] }, { kind: 'all' })).toBe('3');
    expect(buildingFor({ units: [] }, { kind: 'buildings', buildings: ['3'] })).toBeUndefined();
  });

  it('creates a draft, refuses to start it before the review, and refuses what it cannot do', async () => {
    const w = await world();
    expect((await cmd(w, '/survey list')).reply[0]?.text).toContain('还没有满意度调查');
    const created = await cmd(w, '/survey create residential buildings=3,5 end=2026-12-15');
    expect(created.reply[0]?.text).toMatch(/已创建调查 S001.*3、5 栋/s);
    const campaign = await w.store.getSurveyCampaign('S001');
    expect(campaign).toMatchObject({
      status: 'draft',
      target: { kind: 'buildings', buildings: ['3', '5'] },
      createdBy: 'telegram:sup',
    });
    expect(campaign?.endAt?.toISOString()).toBe('2026-12-15T15:59:00.000Z');

    const early = await cmd(w, '/survey start S001');
    expect(early.ok).toBe(false);
    expect(early.reply[0]?.text).toContain('/survey preview S001');

    expect((await cmd(w, '/survey create parking')).reply[0]?.text).toMatch(
      /没有问卷「parking」。可用的问卷：residential/,
    );
    expect((await cmd(w, '/survey create residential start=tomorrow')).reply[0]?.text).toContain(
      '看不懂时间「tomorrow」',
    );
    expect((await cmd(w, '/survey create residential end=2026-11-01')).reply[0]?.text).toContain(
      '结束时间必须晚于开始时间',
    );
    expect((await cmd(w, '/survey create residential buildings=')).reply[0]?.text).toContain('buildings=3,5');
    expect((await cmd(w, '/survey report S404')).reply[0]?.text).toContain('没有找到调查 S404');
    expect((await cmd(w, '/survey close S001')).reply[0]?.text).toContain('当前为「草稿」');
    expect((await cmd(w, '/survey export S001')).reply[0]?.text).toContain('npm run survey -- export S001');
    expect((await cmd(w, '/survey')).reply[0]?.text).toContain('/survey create');
    const list = await cmd(w, '/survey list');
    expect(list.reply[0]?.text).toMatch(/S001 · .* · 草稿 · 已邀请 0 · 已回复 0/);
  });

  it('previews the questionnaire in the staff room as owners will see it', async () => {
    const w = await world();
    await cmd(w, '/survey create residential buildings=3');
    const preview = await cmd(w, '/survey preview S001');
    expect(preview.reply).toEqual([]);
    const staff = (await texts(w.store, 'staff')).join('\n');
    expect(staff).toBe(preview.posted.map((m) => m.text).join('\n'));
    expect(staff).toContain('【问卷预览】S001 · 住宅物业服务满意度调查');
    expect(staff).toContain('阳光花园物业服务中心');
    expect(staff).toContain('您对客服中心工作人员的服务态度');
    expect(staff).toMatch(/ {2}1\. 很满意\n {2}2\. 满意\n {2}3\. 一般\n {2}4\. 不满意\n {2}5\. 很不满意/);
    expect(staff).toMatch(/非常抱歉让您失望了[\s\S]*〔仅当第 12 题回答「很不满意 \/ 不满意」时提问〕/);
    expect(staff).toContain('[0] [1] [2] [3] [4] [5] [6] [7] [8] [9] [10]');
    expect(staff).toContain('✅ 选好了（已选 0 项）');
    expect(staff).toContain('〔仅当出现较低评分时，最后询问〕');
    expect(staff).toContain('共 17 题。确认无误后：/survey start S001');
    expect((await w.store.getSurveyCampaign('S001'))?.previewedAt).toEqual(w.clock.now());
  });
});

describe('a report written in the middle of a questionnaire', () => {
  it('is worth asking the assistant about only when it names a place, so answers never wait on a model', async () => {
    const w = await world();
    const at = (stepId: string) => ({
      v: 1 as const,
      seq: 3,
      queue: [],
      flow: {
        flowId: 'survey_residential',
        flowVersion: 1,
        stepId,
        answers: {},
        history: [],
        context: { campaign: 'S001' },
        startedAt: MORNING,
      },
    });
    const rating = at('reception_attitude');
    for (const answer of ['非常满意', '不太满意', '1 3 5', '保安态度很差', '/cancel', '4']) {
      expect(w.surveys.mayHoldReport(rating, answer)).toBe(false);
    }
    expect(w.surveys.mayHoldReport(rating, '楼上漏水到我家卫生间了，3栋2单元501')).toBe(true);
    expect(w.surveys.mayHoldReport(rating, '5号楼电梯坏了，困了好几次')).toBe(true);
    expect(w.surveys.mayHoldReport(at('improve'), '垃圾没人清理，5栋楼下')).toBe(true);
    // A written answer is the answer, place and all.
    expect(w.surveys.mayHoldReport(at('comments'), '3栋门口的路灯坏了很久了')).toBe(false);
  });
});

describe('a campaign end to end', () => {
  it('reads owners page by page for invitations, never all of them, and invites each once', async () => {
    const w = await world({ clock: new FakeClock('2026-12-02T02:00:00Z'), batchSize: { telegram: 3 } });
    const owners = await addOwners(
      w.store,
      Array.from({ length: 20 }, (_, i) => ({
        units: [`3-1-${101 + i}`],
        ...(i % 4 === 0 ? { unreachable: true } : {}),
      })),
    );
    // What the invitation batches read inside their transactions.
    const pages: number[] = [];
    let listedAll = 0;
    const transaction = w.store.transaction.bind(w.store);
    w.store.transaction = <T>(fn: (tx: StoreTx) => Promise<T>) =>
      transaction((tx) =>
        fn({
          ...tx,
          listOwners: async () => {
            listedAll += 1;
            return tx.listOwners();
          },
          listOwnersAfter: async (afterId, limit) => {
            const page = await tx.listOwnersAfter(afterId, limit);
            pages.push(page.length);
            return page;
          },
        }),
      );
    await createAndStart(w, '/survey create residential');
    await runUntil(w, '2026-12-02T04:00:00Z');
    const reachable = owners.filter((o) => !o.unreachable).map((o) => o.id);
    expect(w.started.map((s) => s.ownerId).sort()).toEqual(reachable.sort());
    // Every page is small (about a batch), whatever the number of owners.
    expect(Math.max(...pages)).toBeLessThanOrEqual(3 + 2 + 2 + 1);
    expect(pages.length).toBeGreaterThan(3);
    expect(listedAll).toBe(0);
  });

  it('invites the target buildings in batches per platform, never in quiet hours, until everyone is invited', async () => {
    const w = await world({ clock: new FakeClock('2026-12-01T14:00:00Z') }); // 22:00 in Shanghai
    const owners = await addOwners(w.store, [
      { units: ['3-1-101'] },
      { units: ['3-1-102'] },
      { units: ['3-1-103'] },
      { units: ['3-1-104'], unreachable: true },
      { units: ['5-2-201'], identities: [{ channel: 'wechat', userId: 'wx-1', chatId: 'wx-chat-1' }] },
      { units: ['5-2-202'], identities: [{ channel: 'wechat', userId: 'wx-2', chatId: 'wx-chat-2' }] },
      { units: ['7-1-701'] },
      { units: [] },
      { units: ['7-1-702', '5-1-101'] },
    ]);
    const id = await createAndStart(w, '/survey create residential buildings=3,5');
    expect(id).toBe('S001');
    expect((await w.store.getSurveyCampaign(id))?.status).toBe('running');

    await runDue(w);
    // Started at 22:00: no questionnaire is opened in anyone's chat during the night.
    expect(w.started).toEqual([]);
    expect(await w.store.listSurveyInvitations(id)).toEqual([]);
    await runUntil(w, '2026-12-01T23:59:00Z', 10 * 60_000);
    expect(w.started).toEqual([]);

    // First batch at 08:00: two on Telegram, one on WeChat, spread over the minute to the next batch at each
    // platform's pace (Telegram's second half a minute later), not all due at once ahead of conversations.
    await runUntil(w, '2026-12-02T00:00:30Z', 30_000);
    expect(w.started.map((s) => s.ownerId)).toEqual([owners[0]!.id, owners[1]!.id, owners[4]!.id]);
    const first = await w.store.listOutbox({ status: 'pending' });
    const invitations = first.filter((i) => i.action.kind === 'send' && i.action.message.text.startsWith('flow:'));
    expect(invitations.map((i) => [i.chatId, i.notBefore.toISOString()]).sort()).toEqual(
      [
        [w.started[0]!.chatId, '2026-12-02T00:00:00.000Z'],
        [w.started[1]!.chatId, '2026-12-02T00:00:30.000Z'],
        [w.started[2]!.chatId, '2026-12-02T00:00:00.000Z'],
      ].sort(),
    );
    expect(w.started[0]?.context).toEqual({ campaign: 'S001', deadline: '12月15日（周二）晚上10:00' });

    // The next batch is due one interval later.
    await runUntil(w, '2026-12-02T00:10:00Z');
    const invited = w.started.map((s) => s.ownerId).sort();
    expect(invited).toEqual(
      [owners[0], owners[1], owners[2], owners[4], owners[5], owners[8]].map((o) => o!.id).sort(),
    );
    // Each Telegram batch: its first invitation at once, its second half the interval later.
    const spread = w.started.filter((s) => s.opts.notBefore !== undefined).map((s) => s.ownerId);
    expect(spread).toEqual([owners[1]!.id, owners[8]!.id]);

    const rows = await w.store.listSurveyInvitations(id);
    expect(rows.map((r) => [r.ownerId, r.building, r.channel])).toContainEqual([owners[8]!.id, '5', 'telegram']);
    expect(rows.find((r) => r.ownerId === owners[5]!.id)).toMatchObject({
      building: '5',
      channel: 'wechat',
      chatId: 'wx-chat-2',
    });
    const campaign = await w.store.getSurveyCampaign(id);
    expect(campaign?.invitedCount).toBe(6);
    expect(campaign?.invitationsDoneAt).toBeDefined();
    expect(await w.store.listJobs({ type: 'survey.invite', status: 'pending' })).toEqual([]);
  });

  it('keeps the batches one interval apart from when each was due, however late a batch runs', async () => {
    const w = await world({ clock: new FakeClock('2026-12-02T02:00:00Z') });
    await addOwners(
      w.store,
      Array.from({ length: 9 }, (_, i) => ({ units: [`3-1-${101 + i}`] })),
    );
    await createAndStart(w, '/survey create residential');
    const due = async () => (await w.store.listJobs({ type: 'survey.invite', status: 'pending' }))[0]?.dueAt;
    const first = await due();
    expect(first).toBeDefined();
    // The scheduler's tick comes 4 s after the batch was due: the next is still due one interval after it.
    w.clock.set(new Date(first!.getTime() + 4_000));
    await runDue(w);
    expect((await due())?.toISOString()).toBe(new Date(first!.getTime() + 60_000).toISOString());
    // Run late by most of an interval: the next waits at least half an interval, not due at once.
    w.clock.set(new Date(first!.getTime() + 60_000 + 50_000));
    await runDue(w);
    expect((await due())?.toISOString()).toBe(new Date(first!.getTime() + 60_000 + 50_000 + 30_000).toISOString());
  });

  it('reads no chat of an owner whose platforms have had their batch already', async () => {
    const { store, calls } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const w = await world({ store });
    await addOwners(
      w.store,
      Array.from({ length: 30 }, (_, i) => ({ units: [`3-1-${101 + i}`] })),
    );
    const id = await createAndStart(w, '/survey create residential');
    calls.inTx.length = 0; // what the batch reads, from here
    await runDue(w);
    expect((await w.store.listSurveyInvitations(id)).length).toBe(2);
    expect(calls.inTx.filter((name) => name === 'getThread').length).toBeLessThanOrEqual(4);
  });

  it('survives a restart mid-invitation without inviting anyone twice', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const clock = new FakeClock(MORNING);
    // The first process dies on its 4th invitation, inside its second batch.
    const a = await world({ store, clock, worker: 'worker-a', failOnCall: 4 });
    const owners = await addOwners(
      store,
      Array.from({ length: 7 }, (_, i) => ({ units: [`3-1-${101 + i}`] })),
    );
    const id = await createAndStart(a, '/survey create residential');

    await runDue(a); // batch 1: owners 1 and 2
    expect((await store.listSurveyInvitations(id)).map((i) => i.ownerId)).toEqual([owners[0]!.id, owners[1]!.id]);
    clock.advance(60_000);
    await runDue(a); // batch 2 fails after inviting owner 3 and is rolled back: no row, no message
    expect((await store.listSurveyInvitations(id)).map((i) => i.ownerId)).toEqual([owners[0]!.id, owners[1]!.id]);
    expect(await texts(store, owners[2]!.identities[0]!.chatId)).toEqual([]);
    await a.scheduler.stop();

    // Meanwhile the retried job is claimed by a third process that dies holding its lease.
    clock.advance(60_000);
    const claimed = await store.claimJobs(clock.now(), 'worker-dead', 60_000, 10);
    expect(claimed.map((j) => j.type)).toEqual(['survey.invite']);

    // A new process over the same store takes over once the lease has run out.
    const b = await world({ store, clock, worker: 'worker-b' });
    await runDue(b);
    expect(b.started).toEqual([]);
    await runUntil(b, new Date(clock.now().getTime() + 10 * 60_000));
    const rows = await store.listSurveyInvitations(id);
    expect(rows.map((r) => r.ownerId).sort()).toEqual(owners.map((o) => o.id).sort());
    for (const owner of owners) {
      const flows = (await texts(store, owner.identities[0]!.chatId)).filter((t) => t.startsWith('flow:'));
      expect(flows).toEqual(['flow:survey_residential']);
    }
    expect((await store.getSurveyCampaign(id))?.invitedCount).toBe(7);
  });

  it('reminds non-respondents at most twice, spaced, without interrupting another conversation', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const [answered, optedOut, silent, busy] = await addOwners(w.store, [
      { units: ['3-1-101'] },
      { units: ['3-1-102'] },
      { units: ['3-1-103'] },
      { units: ['3-1-104'] },
    ]);
    const id = await createAndStart(w, '/survey create residential');
    await runDue(w);
    expect(w.started).toHaveLength(4);

    await answer(w, answered!, id, HIGH);
    await w.store.transaction((tx) => w.surveys.ownerWord(tx, optedOut!, optedOut!.identities[0]!, 'optout'));
    // The busy owner is in the middle of a complaint when the reminders come.
    await w.store.saveThread({
      channel: 'telegram',
      chatId: busy!.identities[0]!.chatId,
      ownerId: busy!.id,
      state: {
        v: 1,
        seq: 4,
        queue: [],
        flow: {
          flowId: 'complaint',
          flowVersion: 1,
          stepId: 'description',
          answers: {},
          history: [],
          context: {},
          startedAt: MORNING,
        },
      },
      updatedAt: w.clock.now(),
    });

    await runUntil(w, new Date(w.clock.now().getTime() + 3 * DAY), HOUR);
    const statuses = async () =>
      Object.fromEntries((await w.store.listSurveyInvitations(id)).map((i) => [i.ownerId, i.status]));
    expect(await statuses()).toEqual({
      [answered!.id]: 'answered',
      [optedOut!.id]: 'declined',
      [silent!.id]: 'reminded1',
      [busy!.id]: 'reminded1',
    });
    const silentChat = silent!.identities[0]!.chatId;
    expect((await texts(w.store, silentChat)).at(-2)).toMatch(
      /^温馨提醒：「住宅物业服务满意度调查」还在等您的宝贵意见，截至 12月15日（周二）上午10:00/,
    );
    const busyTexts = await texts(w.store, busy!.identities[0]!.chatId);
    expect(busyTexts.some((t) => t.startsWith('温馨提醒'))).toBe(false);
    expect(w.started.filter((s) => s.ownerId === busy!.id)).toHaveLength(2);

    await runUntil(w, new Date(w.clock.now().getTime() + 4 * DAY), HOUR);
    expect((await statuses())[silent!.id]).toBe('reminded2');
    // A stray third round changes nothing.
    await w.store.scheduleJob(
      { id: 'extra', type: 'survey.remind', dueAt: w.clock.now(), payload: { campaignId: id, round: 2 } },
      w.clock.now(),
    );
    await runUntil(w, new Date(w.clock.now().getTime() + 7 * DAY), HOUR);
    const reminders = (await texts(w.store, silentChat)).filter((t) => t.startsWith('温馨提醒'));
    expect(reminders).toHaveLength(2);
    const invitedToo = w.started.filter((s) => s.ownerId === silent!.id);
    expect(invitedToo).toHaveLength(3);
    const sentAt = (await w.store.listOutbox({ chatId: silentChat }))
      .filter((i) => i.action.kind === 'send' && i.action.message.text.startsWith('温馨提醒'))
      .map((i) => i.createdAt.getTime());
    expect(sentAt).toEqual([Date.parse(MORNING) + 3 * DAY, Date.parse(MORNING) + 6 * DAY]);
    expect(await texts(w.store, answered!.identities[0]!.chatId)).toEqual(['flow:survey_residential']);
    expect(await texts(w.store, optedOut!.identities[0]!.chatId)).toEqual([
      'flow:survey_residential',
      expect.stringContaining('不再向您发送满意度调查'),
    ]);
    expect((await w.store.getSurveyCampaign(id))?.status).toBe('closed');
  });

  it('puts reminders due in quiet hours off until the morning', async () => {
    const w = await world({ clock: new FakeClock('2026-11-30T23:00:00Z') }); // 07:00 in Shanghai
    const [owner] = await addOwners(w.store, [{ units: ['3-1-101'] }]);
    const id = await createAndStart(w, '/survey create residential');
    await runUntil(w, '2026-12-01T00:05:00Z');
    expect(w.started.map((s) => s.ownerId)).toEqual([owner!.id]);
    const chat = owner!.identities[0]!.chatId;
    // Round 1 falls due three days after the start, at 07:00.
    await runUntil(w, '2026-12-03T23:59:00Z', 10 * 60_000);
    expect((await texts(w.store, chat)).filter((t) => t.startsWith('温馨提醒'))).toEqual([]);
    expect((await w.store.getSurveyInvitation(id, owner!.id))?.status).toBe('invited');
    await runUntil(w, '2026-12-04T00:01:00Z', 30_000);
    const reminders = (await w.store.listOutbox({ chatId: chat })).filter(
      (i) => i.action.kind === 'send' && i.action.message.text.startsWith('温馨提醒'),
    );
    expect(reminders.map((i) => i.createdAt.toISOString())).toEqual(['2026-12-04T00:00:00.000Z']);
    expect(w.started.filter((s) => s.opts.notBefore !== undefined)).toEqual([]);
  });

  it('records one answer per owner, opens a follow-up ticket on request, and refuses late answers', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const [happy, unhappy, late] = await addOwners(w.store, [
      { units: ['3-1-101'] },
      { units: ['5-2-502'] },
      { units: ['3-1-103'] },
    ]);
    const id = await createAndStart(w, '/survey create residential');
    await runDue(w);

    const first = await answer(w, happy!, id, { ...HIGH, unknown_question: 3 });
    expect(first.status).toBe('recorded');
    expect(first.reply.text).toContain('感谢您抽出宝贵时间填写问卷');
    expect(first.ticket).toBeUndefined();
    const again = await answer(w, happy!, id, LOW);
    expect(again).toEqual({
      status: 'duplicate',
      reply: { text: expect.stringContaining('您已经填写过这次的问卷了') },
    });

    const low = await answer(w, unhappy!, id, LOW);
    expect(low.status).toBe('recorded');
    expect(low.reply.text).toContain('已登记跟进事项');
    expect(low.ticket?.set).toEqual({ kind: 'complaint', category: 'public_facilities', urgency: 'normal' });
    expect(low.ticket?.answers.location).toEqual({ kind: 'unit', building: '5', unit: '2', room: '502' });
    expect(low.ticket?.answers.subject).toBe('满意度调查跟进：住宅物业服务满意度调查');
    const description = String(low.ticket?.answers.description);
    expect(description).toContain('满意度调查 S001');
    expect(description).toMatch(/报修后，维修人员.*：很不满意/);
    expect(description).toContain('报修三次都没人上门');

    const responses = (await w.store.listSurveyResponses(id)).sort((x, y) =>
      x.ownerId.localeCompare(y.ownerId, 'en', { numeric: true }),
    );
    expect(responses.map((r) => [r.ownerId, r.building])).toEqual([
      [happy!.id, '3'],
      [unhappy!.id, '5'],
    ]);
    expect(responses[0]?.answers).not.toHaveProperty('unknown_question');
    expect(responses[0]?.answers).toMatchObject({ overall: 5, improve: ['parking'] });
    expect((await w.store.getSurveyInvitation(id, unhappy!.id))?.status).toBe('answered');

    await runUntil(w, new Date(w.clock.now().getTime() + 15 * DAY), 6 * HOUR);
    expect((await answer(w, late!, id, HIGH)).status).toBe('closed');
  });

  it('keeps a stopped questionnaire’s answers and opens it again when the owner asks', async () => {
    const w = await world();
    const [owner, other] = await addOwners(w.store, [{ units: ['3-1-101'] }, { units: ['3-1-102'] }]);
    const id = await createAndStart(w, '/survey create residential');
    await runDue(w);
    const address = owner!.identities[0]!;
    await w.store.transaction((tx) =>
      w.surveys.flowCancelled(tx, owner!, {
        flowId: 'survey_residential',
        answers: { reception_attitude: 4 },
        context: { campaign: id },
      }),
    );
    await w.store.transaction((tx) => w.surveys.ownerWord(tx, owner!, address, 'resume'));
    expect(w.started.at(-1)).toMatchObject({ ownerId: owner!.id, opts: { preset: { reception_attitude: 4 } } });

    await answer(w, other!, id, HIGH);
    await w.store.transaction((tx) => w.surveys.ownerWord(tx, other!, other!.identities[0]!, 'resume'));
    expect((await texts(w.store, other!.identities[0]!.chatId)).at(-1)).toContain('目前没有需要您填写的问卷');

    await w.store.transaction((tx) => w.surveys.ownerWord(tx, other!, other!.identities[0]!, 'optin'));
    expect((await texts(w.store, other!.identities[0]!.chatId)).at(-1)).toContain('会再邀请您参加');
  });

  it('opting out drops the questionnaire from the chat and is respected by every later campaign', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const owners = await addOwners(w.store, [{ units: ['3-1-101'] }, { units: ['3-1-102'] }, { units: ['3-1-103'] }]);
    const quitter = owners[2]!;
    const first = await createAndStart(w, '/survey create residential');
    await runDue(w);
    const chat = quitter.identities[0]!;
    await w.store.saveThread({
      channel: 'telegram',
      chatId: chat.chatId,
      ownerId: quitter.id,
      state: {
        v: 1,
        seq: 3,
        queue: [{ flowId: 'revisit', context: { number: 'T261201-0001' }, queuedAt: MORNING }],
        flow: {
          flowId: 'survey_residential',
          flowVersion: 1,
          stepId: 'security',
          answers: { reception_attitude: 2 },
          history: [],
          context: { campaign: first },
          startedAt: MORNING,
        },
      },
      updatedAt: w.clock.now(),
    });
    await w.store.transaction((tx) => w.surveys.ownerWord(tx, quitter, chat, 'optout'));
    const thread = await w.store.getThread('telegram', chat.chatId);
    expect(thread?.state.flow).toBeUndefined();
    expect(thread?.state.queue).toEqual([]);
    // The revisit waiting behind the questionnaire starts now instead.
    expect(w.started.at(-1)).toMatchObject({
      ownerId: quitter.id,
      flowId: 'revisit',
      context: { number: 'T261201-0001' },
    });
    expect(await w.store.getSurveyOptOut(quitter.id)).toEqual(w.clock.now());
    expect((await w.store.getSurveyInvitation(first, quitter.id))?.status).toBe('declined');

    await cmd(w, `/survey close ${first}`);
    const before = w.started.length;
    const second = await createAndStart(w, '/survey create residential');
    await runDue(w);
    const invitedNow = w.started
      .slice(before)
      .filter((s) => s.context.campaign === second)
      .map((s) => s.ownerId);
    expect(invitedNow.sort()).toEqual([owners[0]!.id, owners[1]!.id].sort());
  });

  it('masks the phone numbers, names and flats owners typed in their comments before the staff group reads them', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const [owner] = await addOwners(w.store, [{ units: ['3-1-101'] }]);
    const id = await createAndStart(w, '/survey create residential');
    await runDue(w);
    await answer(w, owner!, id, { ...LOW, overall_wrong: '我叫王芳，住3栋2单元501，电话13812345678，保安态度差' });
    const report = (await cmd(w, `/survey report ${id}`)).reply.map((m) => m.text).join('\n');
    expect(report).toContain('我叫[NAME]，住[FLAT]，电话[PHONE]，保安态度差');
    expect(report).not.toMatch(/13812345678|王芳/);
  });

  it('withdraws the questionnaire from every chat when the campaign closes, so nobody answers in vain', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const [halfway, waiting, other] = await addOwners(w.store, [
      { units: ['3-1-101'] },
      { units: ['3-1-102'] },
      { units: ['3-1-103'] },
    ]);
    const id = await createAndStart(w, '/survey create residential');
    await runDue(w);
    const flow = (flowId: string, context: FlowContext) => ({
      flowId,
      flowVersion: 1,
      stepId: flowId === 'complaint' ? 'description' : 'security',
      answers: {},
      history: [],
      context,
      startedAt: MORNING,
    });
    const save = (owner: Owner, state: Record<string, unknown>) =>
      w.store.saveThread({
        channel: 'telegram',
        chatId: owner.identities[0]!.chatId,
        ownerId: owner.id,
        state: { v: 1, seq: 3, queue: [], ...state } as never,
        updatedAt: w.clock.now(),
      });
    // Half-way through, with a revisit waiting behind; in a complaint with the questionnaire queued behind it;
    // in a complaint with another campaign's questionnaire queued (left alone).
    await save(halfway!, {
      flow: flow('survey_residential', { campaign: id }),
      queue: [{ flowId: 'revisit', context: { number: 'T261201-0001' }, queuedAt: MORNING }],
    });
    await save(waiting!, {
      flow: flow('complaint', {}),
      queue: [{ flowId: 'survey_residential', context: { campaign: id }, queuedAt: MORNING }],
    });
    await save(other!, {
      flow: flow('complaint', {}),
      queue: [{ flowId: 'survey_residential', context: { campaign: 'S999' }, queuedAt: MORNING }],
    });
    const startedBefore = w.started.length;

    w.clock.set('2026-12-01T14:00:00Z'); // 22:00 in Shanghai: quiet hours
    expect((await cmd(w, `/survey close ${id}`)).ok).toBe(true);
    // Nothing changes in the chats during the night.
    await runUntil(w, '2026-12-01T23:59:00Z', 30 * 60_000);
    expect((await w.store.getThread('telegram', halfway!.identities[0]!.chatId))?.state.flow?.flowId).toBe(
      'survey_residential',
    );
    expect(w.started.length).toBe(startedBefore);
    await runUntil(w, '2026-12-02T00:00:00Z');

    const first = await w.store.getThread('telegram', halfway!.identities[0]!.chatId);
    expect(first?.state.flow).toBeUndefined();
    expect(first?.state.queue).toEqual([]);
    const told = (await w.store.listOutbox({ chatId: halfway!.identities[0]!.chatId })).at(-2);
    expect(told?.action.kind === 'send' && told.action.message.text).toContain('这次调查已经结束');
    expect(told?.notBefore.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(w.started.slice(startedBefore)).toEqual([
      expect.objectContaining({ ownerId: halfway!.id, flowId: 'revisit', opts: {} }),
    ]);

    const second = await w.store.getThread('telegram', waiting!.identities[0]!.chatId);
    expect(second?.state.flow?.flowId).toBe('complaint');
    expect(second?.state.queue).toEqual([]);
    expect(await texts(w.store, waiting!.identities[0]!.chatId)).toEqual(['flow:survey_residential']);

    const third = await w.store.getThread('telegram', other!.identities[0]!.chatId);
    expect(third?.state.queue.map((q) => q.context.campaign)).toEqual(['S999']);
  });

  it('closes at the end date, posts the analysis to the staff group and compares it with the previous campaign', async () => {
    const w = await world({ batchSize: { telegram: 10 } });
    const owners = await addOwners(w.store, [
      { units: ['3-1-101'] },
      { units: ['3-1-102'] },
      { units: ['5-1-101'] },
      { units: ['5-1-102'] },
    ]);
    const first = await createAndStart(w, '/survey create residential 第一次 end=7d');
    await runDue(w);
    await answer(w, owners[0]!, first, HIGH);
    await answer(w, owners[2]!, first, LOW);

    const staffBefore = (await texts(w.store, 'staff')).length;
    await runUntil(w, new Date(w.clock.now().getTime() + 7 * DAY + HOUR), 6 * HOUR);
    const closed = await w.store.getSurveyCampaign(first);
    expect(closed?.status).toBe('closed');
    const summary = (await texts(w.store, 'staff')).slice(staffBefore).join('\n');
    expect(summary).toContain(`📊 满意度调查结果 · 第一次（${first}）`);
    expect(summary).toContain('邀请 4 户，回复 2 户，回复率 50.0%');
    // HIGH: 11 labelled answers + fees_value 9 (1–10) + overall 5; LOW lowers repairs and overall.
    expect(summary).toMatch(/综合满意度指数 \d+\.\d（满分 100），满意率 \d+\.\d%/);
    expect(summary).toContain('· 维修养护：指数');
    expect(summary).toContain('净推荐值 NPS 0.0（推荐 1，中立 0，贬损 1）');
    expect(summary).toMatch(/· 3 栋：回复 1 \/ 邀请 2（50\.0%）/);
    expect(summary).toContain('〔5 栋〕报修三次都没人上门');
    expect(summary).toContain('这是该问卷的首次调查');
    expect(summary).toContain('请各部门对照得分较低的项目制定改进措施');

    const second = await createAndStart(w, '/survey create residential 第二次');
    await runDue(w);
    for (const o of owners.slice(0, 3)) await answer(w, o, second, HIGH);
    const report = await cmd(w, `/survey report ${second}`);
    expect(report.reply[0]?.text).toContain('（调查仍在进行，以下为截至目前的结果）');
    const close = await cmd(w, `/survey close ${second}`);
    expect(close.reply[0]?.text).toBe(`调查 ${second} 已结束，结果已发到员工群。`);
    const text = close.posted.map((m) => m.text).join('\n');
    expect(text).toContain('回复 3 户，回复率 75.0%');
    expect(text).toMatch(
      new RegExp(
        `与上次调查 ${first} 相比：综合指数 \\+\\d+\\.\\d，满意率 \\+\\d+\\.\\d%，NPS \\+100\\.0，回复率 \\+25\\.0%`,
      ),
    );
    expect(text).toMatch(/· 维修养护：指数 \d+\.\d，满意率 100\.0%（较上次 \+\d+\.\d）/);
    const analysed = await w.store.transaction(async (tx) =>
      w.surveys.analyseCampaign(tx, (await tx.getSurveyCampaign(second))!),
    );
    expect(analysed?.previous?.id).toBe(first);
    expect(analysed?.analysis.comparison?.responseRate).toBe(25);
    expect(analysed?.analysis.nps?.score).toBe(100);
    // No job of either campaign is left behind.
    expect((await w.store.listJobs({ status: 'pending' })).filter((j) => j.type.startsWith('survey.'))).toEqual([]);
  });
});
