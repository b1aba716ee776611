/**
 * Issue 19, getting pictures and files to people, through the App and the dispatcher with a fake clock:
 * /summary's charts as one message with image attachments (bytes from the file store, deleted once sent),
 * /export only for supervisors and managers (privately on Telegram), a crash between queueing and
 * sending losing no file, and the review sent by itself once on the first business morning (and not when
 * switched off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { nextReviewMorning, periodsEndingBefore, REVIEW_JOB } from '../../src/app/files/review-autosend.js';
import type { FileSources, ReviewPeriod } from '../../src/app/files/sources.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { loadConfig } from '../../src/config.js';
import type { Store, StoreTx } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { countingStore } from '../support/counting-store.js';
import { FileRecorder, i18n, makeApp } from '../support/harness.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (n: number) => new Uint8Array([...PNG_MAGIC, n, n, n]);
const GROUP = '-100200';
const BOSS = '42';
const WORKER = '43';

function sources(calls: { review: ReviewPeriod[]; export: ReviewPeriod[] }): FileSources {
  return {
    review: async (period) => {
      calls.review.push(period);
      return {
        text: `汇总 ${period.label}`,
        charts: [1, 2, 3].map((n) => ({ title: `图${n}`, fileName: `review-${period.label}-${n}.png`, png: png(n) })),
      };
    },
    ticketWorkbook: async (period) => {
      calls.export.push(period);
      return {
        fileName: `tickets-${period.label}.xlsx`,
        bytes: new Uint8Array([0x50, 0x4b, 3, 4]),
        mime: 'x',
        tickets: 7,
      };
    },
  };
}

const opened: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function setUp(
  o: { path?: string; autoSend?: boolean; clock?: FakeClock; store?: Store; realExport?: boolean } = {},
) {
  const store = o.store ?? (await openSqliteStore({ path: o.path ?? ':memory:' }));
  opened.push(store);
  const clock = o.clock ?? new FakeClock('2026-12-03T02:00:00Z');
  const calls = { review: [] as ReviewPeriod[], export: [] as ReviewPeriod[] };
  const app = makeApp({
    store,
    clock,
    staffRooms: [{ channel: 'telegram', chatId: GROUP }],
    policy: { ...DEFAULT_POLICY, supervisors: [{ userId: BOSS }] },
    files: o.realExport ? { review: sources(calls).review } : sources(calls),
    reviewAutoSend: o.autoSend ?? false,
  });
  const sender = new FileRecorder('telegram');
  const dispatcher = new Dispatcher({ store, clock, senders: [sender], log: silentLogger(), workerId: 'w1' });
  let n = 0;
  const say = (text: string, userId: string) =>
    app.handleInbound({
      channel: 'telegram',
      chatId: GROUP,
      chatKind: 'staff',
      userId,
      userName: userId === BOSS ? '赵主管' : '李师傅',
      messageId: `m${++n}-${Math.random()}`,
      receivedAt: clock.now(),
      content: { type: 'text', text },
    });
  return { store, clock, app, sender, dispatcher, say, calls };
}

describe('/summary with charts', () => {
  it('sends the review text with its charts as one message of image attachments, and deletes the bytes once sent', async () => {
    const { say, dispatcher, sender, store, calls } = await setUp();
    await say('/summary 2026-11', WORKER);
    await dispatcher.drain();
    const toGroup = sender.sent.filter((s) => s.chatId === GROUP);
    expect(toGroup).toHaveLength(1);
    const [only] = toGroup;
    if (only?.action.kind !== 'send') throw new Error('expected a send');
    expect(only.action.message.text).toBe('汇总 2026-11');
    expect(only.action.message.attachments?.map((a) => [a.kind, a.name])).toEqual([
      ['image', 'review-2026-11-1.png'],
      ['image', 'review-2026-11-2.png'],
      ['image', 'review-2026-11-3.png'],
    ]);
    expect(only.files.map((f) => [...f.bytes.slice(0, 8)])).toEqual([PNG_MAGIC, PNG_MAGIC, PNG_MAGIC]);
    expect(calls.review.map((p) => p.label)).toEqual(['2026-11']);
    const ids = only.action.message.attachments?.map((a) => a.fileId) ?? [];
    expect(await store.getFiles(ids)).toEqual([]);
  });

  it("reads the period's figures once: a summary drawn with its charts is not worked out again for its text", async () => {
    const { store, calls: storeCalls } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const { say, dispatcher, sender, calls } = await setUp({ store });
    await say('/summary 2026-11', WORKER);
    await dispatcher.drain();
    expect(calls.review.map((p) => p.label)).toEqual(['2026-11']);
    expect(sender.sent.filter((s) => s.chatId === GROUP)).toHaveLength(1);
    // The review source (here a fake) read the figures; the text alone was not read beside it.
    expect(storeCalls.direct.filter((c) => c === 'countPraise')).toEqual([]);
  });

  it('draws the real review charts when the App is given the renderer, and sends them as one message', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    opened.push(store);
    const clock = new FakeClock('2026-12-03T02:00:00Z');
    const charts = createChartRenderer();
    // Owners' praise in November: the review has a chart of it.
    for (const [i, team] of (['security', 'cleaning', 'security'] as const).entries())
      await store.addPraise({
        id: `p${i}`,
        ownerId: 'o1',
        channel: 'telegram',
        text: '谢谢',
        team,
        at: new Date(`2026-11-1${i}T03:00:00Z`),
      });
    try {
      const app = makeApp({ store, clock, staffRooms: [{ channel: 'telegram', chatId: GROUP }], charts });
      const sender = new FileRecorder('telegram');
      const dispatcher = new Dispatcher({ store, clock, senders: [sender], log: silentLogger(), workerId: 'w' });
      await app.handleInbound({
        channel: 'telegram',
        chatId: GROUP,
        chatKind: 'staff',
        userId: WORKER,
        userName: '李师傅',
        messageId: 'real-1',
        receivedAt: clock.now(),
        content: { type: 'text', text: '/summary 2026-11' },
      });
      await dispatcher.drain();
      expect(sender.sent).toHaveLength(1);
      const [only] = sender.sent;
      if (only?.action.kind !== 'send') throw new Error('expected a send');
      expect(only.action.message.text).toContain('2026-11');
      expect(only.action.message.attachments?.length).toBeGreaterThan(0);
      expect(only.files.length).toBe(only.action.message.attachments?.length);
      for (const file of only.files) expect([...file.bytes.slice(0, 8)]).toEqual(PNG_MAGIC);
    } finally {
      await charts.close();
    }
  });

  it('a quarter is one review of three months', async () => {
    const { say, dispatcher, calls } = await setUp();
    await say('/summary 2026-Q4', WORKER);
    await dispatcher.drain();
    expect(calls.review.map((p) => [p.label, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['2026-Q4', '2026-09-30T16:00:00.000Z', '2026-12-31T16:00:00.000Z'],
    ]);
  });
});

describe('/export', () => {
  it('refuses someone who is not a supervisor or manager: a short answer, no file, no workbook made', async () => {
    const { say, dispatcher, sender, calls } = await setUp();
    await say('/export 2026-11', WORKER);
    await dispatcher.drain();
    expect(calls.export).toEqual([]);
    expect(sender.sent.every((s) => s.action.kind !== 'send' || !s.action.message.attachments)).toBe(true);
    const texts = sender.sent.map((s) => (s.action.kind === 'send' ? s.action.message.text : ''));
    expect(texts).toEqual([i18n.translate('zh-CN', 'files.export.refused')]);
  });

  it('sends the workbook to the supervisor privately and tells the group only that', async () => {
    const { say, dispatcher, sender, calls } = await setUp();
    await say('导出 2026-11', BOSS);
    await dispatcher.drain();
    expect(calls.export.map((p) => p.label)).toEqual(['2026-11']);
    const privately = sender.sent.filter((s) => s.chatId === BOSS);
    expect(privately).toHaveLength(1);
    const doc = privately[0];
    if (doc?.action.kind !== 'send') throw new Error('expected a send');
    expect(doc.action.message.attachments?.map((a) => [a.kind, a.name])).toEqual([
      ['document', 'tickets-2026-11.xlsx'],
    ]);
    expect(doc.files[0]?.bytes).toEqual(new Uint8Array([0x50, 0x4b, 3, 4]));
    const group = sender.sent.filter((s) => s.chatId === GROUP);
    expect(group.map((s) => (s.action.kind === 'send' ? s.action.message.attachments : 'edit'))).toEqual([undefined]);
  });

  it("without a source of its own, sends the export use case's workbook (an XLSX, masked)", async () => {
    const { say, dispatcher, sender } = await setUp({ realExport: true });
    await say('/export 2026-11', BOSS);
    await dispatcher.drain();
    const doc = sender.sent.find((s) => s.chatId === BOSS);
    expect(doc?.files[0]?.name).toBe('tickets-2026-11.xlsx');
    expect([...(doc?.files[0]?.bytes.slice(0, 2) ?? [])]).toEqual([0x50, 0x4b]);
  });

  it('asks for a period it can read', async () => {
    const { say, dispatcher, sender } = await setUp();
    await say('/export last-month', BOSS);
    await dispatcher.drain();
    expect(sender.sent.map((s) => (s.action.kind === 'send' ? s.action.message.text : ''))).toEqual([
      i18n.translate('zh-CN', 'files.export.usage'),
    ]);
  });
});

describe('a crash between queueing and sending', () => {
  it('loses no file: a restarted process delivers the album with its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residesk-files-'));
    dirs.push(dir);
    const path = join(dir, 'db.sqlite');
    const clock = new FakeClock('2026-12-03T02:00:00Z');
    const first = await setUp({ path, clock });
    await first.say('/summary 2026-11', WORKER);
    // The first process leases the item and dies before settling it.
    const leased = await first.store.claimOutbox(clock.now(), 'dead-worker', 4000, 10);
    expect(leased).toHaveLength(1);
    await first.store.close();
    opened.splice(opened.indexOf(first.store), 1);

    clock.advance(10_000);
    const again = await openSqliteStore({ path });
    opened.push(again);
    const sender = new FileRecorder('telegram');
    const dispatcher = new Dispatcher({ store: again, clock, senders: [sender], log: silentLogger(), workerId: 'w2' });
    await dispatcher.drain();
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]?.files.map((f) => f.name)).toEqual([
      'review-2026-11-1.png',
      'review-2026-11-2.png',
      'review-2026-11-3.png',
    ]);
    expect(sender.sent[0]?.files.every((f) => f.bytes.length === 11)).toBe(true);
  });

  it('retention prunes files no unsent item names, and keeps those of a pending one', async () => {
    const { say, store, clock } = await setUp();
    await say('/summary 2026-11', WORKER);
    await store.saveFile({ id: 'orphan', name: 'x.png', mime: 'image/png', bytes: png(9), createdAt: clock.now() });
    clock.advance(8 * 86_400_000);
    expect(await store.pruneFiles(new Date(clock.now().getTime() - 7 * 86_400_000), 100)).toBe(1);
    const [item] = await store.listOutbox({ status: 'pending' });
    const ids = item?.action.kind === 'send' ? (item.action.message.attachments ?? []).map((a) => a.fileId) : [];
    expect((await store.getFiles(ids)).length).toBe(3);
  });
});

describe('a transaction run again', () => {
  /** The store, running each transaction once and rolling it back before running it for real (as MongoDB's driver does after a transient conflict). */
  async function retryingStore(): Promise<Store> {
    const inner = await openSqliteStore({ path: ':memory:' });
    class Conflict extends Error {}
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return async <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> => {
          await inner
            .transaction(async (tx) => {
              await fn(tx);
              throw new Conflict();
            })
            .catch((error: unknown) => {
              if (!(error instanceof Conflict)) throw error;
            });
          return inner.transaction(fn);
        };
      },
    });
  }

  it("still has /summary's charts and /export's workbook made before it, and makes them only once", async () => {
    const { say, dispatcher, sender, calls } = await setUp({ store: await retryingStore() });
    await say('/summary 2026-11', WORKER);
    await say('/export 2026-11', BOSS);
    await dispatcher.drain();
    expect(calls.review.map((p) => p.label)).toEqual(['2026-11']);
    expect(calls.export.map((p) => p.label)).toEqual(['2026-11']);
    const album = sender.sent.find((s) => s.chatId === GROUP && s.files.length > 0);
    expect(album?.files.map((f) => f.name)).toEqual([
      'review-2026-11-1.png',
      'review-2026-11-2.png',
      'review-2026-11-3.png',
    ]);
    expect(sender.sent.filter((s) => s.chatId === BOSS).map((s) => s.files.map((f) => f.name))).toEqual([
      ['tickets-2026-11.xlsx'],
    ]);
  });
});

describe('the review sent by itself', () => {
  it('finds the first weekday of the month at business opening', () => {
    const zone = 'Asia/Shanghai';
    // 2026-11-01 is a Sunday: Monday the 2nd, 08:00.
    expect(nextReviewMorning(new Date('2026-10-15T00:00:00Z'), 480, zone).toISOString()).toBe(
      '2026-11-02T00:00:00.000Z',
    );
    expect(nextReviewMorning(new Date('2026-11-02T00:00:00Z'), 480, zone).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(periodsEndingBefore(new Date('2027-01-01T00:00:00Z'), zone).map((p) => p.label)).toEqual([
      '2026-12',
      '2026-Q4',
    ]);
  });

  it('goes to the staff group once, on the first business morning, and schedules the next', async () => {
    const clock = new FakeClock('2026-11-28T02:00:00Z');
    const { app, store, sender, dispatcher, calls } = await setUp({ clock, autoSend: true });
    expect((await app.scheduleReviews())?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // Start-up again (a restart): still one job.
    await app.scheduleReviews();
    expect(await store.listJobs({ status: 'pending', type: REVIEW_JOB })).toHaveLength(1);
    const scheduler = new Scheduler({ store, clock, log: silentLogger(), workerId: 's', handlers: app.jobHandlers() });
    clock.set('2026-11-30T23:59:00Z');
    await scheduler.tick();
    await dispatcher.drain();
    expect(sender.sent).toHaveLength(0);
    clock.set('2026-12-01T00:00:30Z');
    await scheduler.tick();
    await scheduler.tick();
    await dispatcher.drain();
    expect(calls.review.map((p) => p.label)).toEqual(['2026-11']);
    expect(sender.sent.map((s) => [s.chatId, s.files.length])).toEqual([[GROUP, 3]]);
    const next = await store.listJobs({ status: 'pending', type: REVIEW_JOB });
    expect(next.map((j) => j.dueAt.toISOString())).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it('is not sent when switched off', async () => {
    const clock = new FakeClock('2026-11-28T02:00:00Z');
    const { app, store, sender, dispatcher } = await setUp({ clock, autoSend: false });
    expect(await app.scheduleReviews()).toBeUndefined();
    const scheduler = new Scheduler({ store, clock, log: silentLogger(), workerId: 's', handlers: app.jobHandlers() });
    clock.set('2026-12-01T01:00:00Z');
    await scheduler.tick();
    await dispatcher.drain();
    expect(sender.sent).toHaveLength(0);
    expect(await store.listJobs({ type: REVIEW_JOB })).toEqual([]);
  });

  it('REVIEW_AUTOSEND is on by default, off when set so, and a wrong value is named', () => {
    expect(loadConfig({}).reviewAutoSend).toBe(true);
    expect(loadConfig({ REVIEW_AUTOSEND: 'off' }).reviewAutoSend).toBe(false);
    expect(() => loadConfig({ REVIEW_AUTOSEND: 'sometimes' })).toThrow(/REVIEW_AUTOSEND/);
  });
});
