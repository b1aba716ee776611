/**
 * Survey results as pictures (issue 19), driven as a supervisor would through App.handleInbound with a
 * fake clock and the dispatcher: `/survey report` and a campaign's closing summary (at its end date, and
 * on `/survey close`) reach the staff group as the text with the campaign's charts attached — one album,
 * PNG bytes from the file store — drawn before the message's transaction; without a renderer, or when
 * drawing fails, the text goes alone as before.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { Scheduler } from '../../src/app/scheduler.js';
import { ChartRenderError, type ChartRenderer } from '../../src/core/ports/charts.js';
import type { Store } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { FileRecorder, makeApp, surveyContent } from '../support/harness.js';

const { questionnaires, i18n, registry } = surveyContent();

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GROUP = '-100300';
const BOSS = '42';
/** 2026-12-01 10:00 in Shanghai. */
const MORNING = '2026-12-01T02:00:00Z';

const renderer = createChartRenderer();
afterAll(() => renderer.close());

const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

/** A renderer that notes whether a store transaction was open while it drew. */
function watched(inner: ChartRenderer, open: () => number) {
  const calls: { openTx: number }[] = [];
  const wrapper: ChartRenderer = {
    async render(specs) {
      calls.push({ openTx: open() });
      return inner.render(specs);
    },
    close: () => inner.close(),
  };
  return { renderer: wrapper, calls };
}

async function setUp(charts?: ChartRenderer | ((openTx: () => number) => ChartRenderer)) {
  const store = await openSqliteStore({ path: ':memory:' });
  opened.push(store);
  let openTx = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = (async (fn: Parameters<Store['transaction']>[0]) => {
    openTx += 1;
    try {
      return await transaction(fn);
    } finally {
      openTx -= 1;
    }
  }) as Store['transaction'];
  const clock = new FakeClock(MORNING);
  const renderer = typeof charts === 'function' ? charts(() => openTx) : charts;
  const app = makeApp({
    store,
    clock,
    registry,
    i18n,
    staffRooms: [{ channel: 'telegram', chatId: GROUP }],
    policy: { ...DEFAULT_POLICY, supervisors: [{ userId: BOSS }] },
    surveys: { questionnaires },
    ...(renderer ? { charts: renderer } : {}),
  });
  const sender = new FileRecorder();
  const dispatcher = new Dispatcher({ store, clock, senders: [sender], log: silentLogger(), workerId: 'w' });
  const scheduler = new Scheduler({ store, clock, log: silentLogger(), workerId: 's', handlers: app.jobHandlers() });
  let n = 0;
  /** The supervisor types in the staff group; returns what reached the group for it. */
  const say = async (text: string) => {
    const before = sender.sent.length;
    await app.handleInbound({
      channel: 'telegram',
      chatId: GROUP,
      chatKind: 'staff',
      userId: BOSS,
      userName: '赵主管',
      messageId: `m${++n}`,
      receivedAt: clock.now(),
      content: { type: 'text', text },
    });
    await dispatcher.drain();
    return sender.sent.slice(before);
  };
  return { store, clock, app, sender, dispatcher, scheduler, say };
}

/** A campaign of the residential questionnaire with four answers from buildings 3 and 5. */
async function campaignWithAnswers(w: Awaited<ReturnType<typeof setUp>>): Promise<string> {
  const created = await w.say('/survey create residential');
  const id = created.map((s) => (s.action.kind === 'send' ? s.action.message.text : '')).join('\n');
  const campaignId = id.match(/S\d{3}/)?.[0];
  if (!campaignId) throw new Error(`no campaign id in: ${id}`);
  const q = questionnaires.get('residential');
  if (!q) throw new Error('no residential questionnaire');
  const ratings = q.questions.filter((x) => x.kind === 'rating').map((x) => x.id);
  for (const [i, score] of [5, 4, 2, 5].entries()) {
    await w.store.addSurveyResponse({
      id: `r${i}`,
      campaignId,
      ownerId: `o${i}`,
      building: i < 2 ? '3' : '5',
      questionnaireVersion: q.version,
      answers: Object.fromEntries(ratings.map((r) => [r, score])),
      channel: 'telegram',
      submittedAt: w.clock.now(),
    });
  }
  return campaignId;
}

type Sent = FileRecorder['sent'][number];
const sends = (sent: Sent[]) =>
  sent.flatMap((s) => (s.action.kind === 'send' ? [{ ...s, message: s.action.message }] : []));

/** The one message of the group that carries images; its images' bytes must be PNGs, one file per attachment. */
function album(sent: Sent[]) {
  const withFiles = sends(sent).filter((s) => (s.message.attachments?.length ?? 0) > 0);
  expect(withFiles).toHaveLength(1);
  const [only] = withFiles;
  if (!only) throw new Error('no album');
  expect(only.chatId).toBe(GROUP);
  expect(only.message.attachments?.every((a) => a.kind === 'image' && a.name.endsWith('.png'))).toBe(true);
  expect(only.files.map((f) => f.id).sort()).toEqual(only.message.attachments?.map((a) => a.fileId).sort());
  for (const f of only.files) {
    expect([...f.bytes.slice(0, 8)]).toEqual(PNG_MAGIC);
    expect(f.bytes.length).toBeGreaterThan(5_000);
  }
  return only;
}

describe('survey results as pictures', () => {
  it('/survey report sends the summary with the campaign charts as one album, drawn before the transaction', async () => {
    let calls: { openTx: number }[] = [];
    const w = await setUp((open) => {
      const x = watched(renderer, open);
      calls = x.calls;
      return x.renderer;
    });
    const id = await campaignWithAnswers(w);
    const sent = await w.say(`/survey report ${id}`);
    const first = album(sent);
    // The album goes with the summary's first message: its title names the campaign.
    expect(first.message.text).toContain(id);
    expect(sends(sent)[0]?.message.attachments?.length).toBeGreaterThan(0);
    expect(first.message.attachments?.map((a) => a.name)).toEqual(
      expect.arrayContaining([`survey-${id}-areas.png`, `survey-${id}-buildings.png`]),
    );
    expect(calls).toEqual([{ openTx: 0 }]);
    // Sent: the bytes leave the file store.
    expect(await w.store.getFiles(first.files.map((f) => f.id))).toEqual([]);
  }, 60_000);

  it('the closing summary at the end date carries the charts to the staff group', async () => {
    const w = await setUp(renderer);
    const id = await campaignWithAnswers(w);
    await w.say(`/survey preview ${id}`);
    await w.say(`/survey start ${id} end=2026-12-05`);
    const before = w.sender.sent.length;
    w.clock.set('2026-12-06T02:00:00Z');
    for (let i = 0; i < 10; i++) if ((await w.scheduler.tick()) === 0) break;
    await w.dispatcher.drain();
    const sent = w.sender.sent.slice(before);
    const first = album(sent);
    expect(first.message.text).toContain(id);
    expect((await w.store.getSurveyCampaign(id))?.status).toBe('closed');
  }, 60_000);

  it('/survey close posts the closing summary with the charts', async () => {
    const w = await setUp(renderer);
    const id = await campaignWithAnswers(w);
    await w.say(`/survey preview ${id}`);
    await w.say(`/survey start ${id}`);
    const sent = await w.say(`/survey close ${id}`);
    expect(album(sent).message.text).toContain(id);
  }, 60_000);

  it('without a renderer the report and the closing summary are text alone, and no file is kept', async () => {
    const w = await setUp();
    const id = await campaignWithAnswers(w);
    const report = await w.say(`/survey report ${id}`);
    expect(sends(report).length).toBeGreaterThan(0);
    expect(sends(report)[0]?.message.text).toContain(id);
    await w.say(`/survey preview ${id}`);
    await w.say(`/survey start ${id}`);
    const closing = await w.say(`/survey close ${id}`);
    expect(sends(closing).some((s) => s.message.text.includes(id))).toBe(true);
    for (const s of [...report, ...closing]) {
      expect(s.action.kind === 'send' ? s.action.message.attachments : undefined).toBeUndefined();
      expect(s.files).toEqual([]);
    }
  });

  it('when drawing fails the text goes alone, as before', async () => {
    let tried = 0;
    const failing: ChartRenderer = {
      async render() {
        tried += 1;
        throw new ChartRenderError('the renderer thread died');
      },
      async close() {},
    };
    const w = await setUp(failing);
    const id = await campaignWithAnswers(w);
    const report = await w.say(`/survey report ${id}`);
    expect(tried).toBe(1);
    expect(sends(report)[0]?.message.text).toContain(id);
    expect(report.every((s) => s.files.length === 0)).toBe(true);
    expect(sends(report).every((s) => s.message.attachments === undefined)).toBe(true);
  });
});
