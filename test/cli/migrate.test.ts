/**
 * `npm run migrate`: copies a populated SQLite deployment into another store. A second SQLite file
 * stands in for MongoDB here (the same port, the same planning, copying and counting); with
 * MONGODB_URI set, the same copy also runs into a scratch MongoDB database.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_COLLECTION } from '../../src/adapters/store/mongo/audit.js';
import { withDatabase } from '../../src/adapters/store/mongo/connection.js';
import { CONTACTS_COLLECTION } from '../../src/adapters/store/mongo/contacts.js';
import { FILES_COLLECTION } from '../../src/adapters/store/mongo/files.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { COLLECTION_NAMES } from '../../src/cli/migrate/contract.js';
import {
  COLLECTIONS,
  canonical,
  type MigrationReport,
  migrate,
  parseArgs,
  runMigrate,
  SqliteFile,
  USAGE,
  UsageError,
} from '../../src/cli/migrate.js';
import type { AuditEntry, ContactRecord, Store, StoredFile } from '../../src/core/ports.js';
import { makeOwner, makeStaff, makeTicket } from '../fixtures.js';

const T0 = new Date('2026-11-28T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

const CHATS = [
  { channel: 'telegram' as const, chatId: 'chat-1' },
  { channel: 'wechat' as const, chatId: 'chat-2' },
  { channel: 'telegram' as const, chatId: 'staff' },
];

/** Writes a little of everything, in every state, through the port. */
async function populate(store: Store): Promise<void> {
  await store.saveOwner(
    makeOwner({
      id: 'owner-a',
      identities: [
        { channel: 'telegram', userId: 'tg-a', chatId: 'chat-1' },
        { channel: 'wechat', userId: 'wx-a', chatId: 'chat-2' },
      ],
    }),
  );
  const { name: _n, phone: _p, ...bare } = makeOwner({ id: 'owner-b', identities: [], units: [] });
  await store.saveOwner(bare);
  await store.saveStaff(makeStaff({ id: 'staff-1', role: 'supervisor' }));
  await store.saveStaff(makeStaff({ id: 'staff-2', channel: 'wechat', active: false }));
  await store.saveThread({
    channel: 'telegram',
    chatId: 'chat-1',
    ownerId: 'owner-a',
    state: {
      v: 1,
      seq: 4,
      prompt: 'menu',
      queue: [{ flowId: 'revisit', context: { ticketId: 't' }, queuedAt: T0.toISOString() }],
    },
    updatedAt: T0,
  });
  await store.saveThread({
    channel: 'wechat',
    chatId: 'chat-2',
    ownerId: 'owner-a',
    state: { v: 1, seq: 0, queue: [] },
    updatedAt: at(MINUTE),
  });
  for (let i = 0; i < 5; i++) {
    for (const chat of CHATS) {
      await store.logMessage({
        ...chat,
        direction: i % 2 === 0 ? 'in' : 'out',
        at: at(i * 1000),
        messageId: `m-${i}`,
        body: { n: i },
      });
    }
  }
  // The same entry twice in one chat: a multiset, not a set.
  await store.logMessage({ ...CHATS[0]!, direction: 'in', at: T0, body: 'again' });
  await store.logMessage({ ...CHATS[0]!, direction: 'in', at: T0, body: 'again' });

  const li = { id: 'staff-1', name: 'Li' };
  await store.saveTicket(makeTicket({ ownerId: 'owner-a', createdAt: T0 }));
  await store.saveTicket(makeTicket({ ownerId: 'owner-a', createdAt: T0, status: 'accepted', assignee: li }));
  await store.saveTicket(
    makeTicket({ ownerId: 'owner-b', status: 'scheduled', assignee: li, scheduledFor: at(86_400_000), plan: 'Monday' }),
  );

  const job = (id: string, key?: string) => ({
    id,
    type: 'sla.check',
    dueAt: T0,
    payload: { id },
    ...(key ? { key } : {}),
  });
  await store.scheduleJob(job('job-done'), T0);
  await store.scheduleJob(job('job-running', 'k-run'), T0);
  await store.scheduleJob(job('job-failed'), T0);
  await store.claimJobs(T0, 'worker-1', MINUTE, 3);
  await store.completeJob('job-done', 'worker-1', at(1000));
  await store.failJob('job-failed', 'worker-1', 'gave up', at(1000));
  await store.scheduleJob({ ...job('job-later', 'k-later'), dueAt: at(60 * MINUTE) }, T0);
  await store.scheduleJob(job('job-cancelled', 'k-cancel'), T0);
  await store.cancelJobs('k-cancel', at(2000));

  const send = (id: string, chatId: string, text: string) => ({
    id,
    channel: 'telegram' as const,
    chatId,
    action: { kind: 'send' as const, message: { text, buttons: [[{ label: 'OK', data: 'ok' }]] } },
  });
  await store.enqueue([send('o-1', 'chat-1', 'one'), send('o-2', 'chat-1', 'two'), send('o-3', 'staff', 'card')], T0);
  await store.enqueue([send('o-4', 'chat-1', 'three'), send('o-5', 'chat-9', 'poison')], at(1000));
  // A cosmetic edit (takes the buttons off an answered question): the flag is copied with it.
  await store.enqueue(
    [
      {
        id: 'o-6',
        channel: 'telegram',
        chatId: 'chat-2',
        action: { kind: 'edit', ref: 'prompt:1', message: { text: 'one ✓' } },
        cosmetic: true,
      },
    ],
    at(1000),
  );
  await store.claimOutbox(T0, 'worker-1', MINUTE, 10);
  await store.markOutboxSent('o-1', 'pm-1', at(1000));
  await store.markOutboxSent('o-3', 'pm-3', at(1000));
  await store.claimOutbox(at(2000), 'worker-1', MINUTE, 10);
  await store.markOutboxRetry('o-2', at(5000), '502', true);
  await store.markOutboxDead('o-5', '400 bad request', at(2000));

  await store.setMessageRef('telegram', 'staff', 'card:T1', 'pm-3');
  await store.setMessageRef('telegram', 'staff', 'card:T2', 'pm-4');
  await store.setMessageRef('telegram', 'staff', 'card:T1', 'pm-5');
  await store.setSetting('staff_chat', '-100123');
  await store.setSetting('empty', '');
  for (const id of ['u-1', 'u-2', 'u-3']) await store.markInbound('telegram', id, at(1000));
  await store.markInbound('wechat', 'u-1', T0);
  for (let i = 0; i < 7; i++) await store.nextSequence('ticket:261128');
  await store.nextSequence('other');

  await store.createSurveyCampaign({
    id: 'S001',
    questionnaireId: 'residential',
    questionnaireVersion: 1,
    name: '2026 满意度',
    status: 'running',
    target: { kind: 'buildings', buildings: ['3'] },
    startAt: T0,
    createdBy: 'cli:admin',
    createdAt: T0,
    updatedAt: T0,
    invitedCount: 2,
  });
  await store.addSurveyInvitation({
    campaignId: 'S001',
    ownerId: 'owner-a',
    status: 'invited',
    channel: 'telegram',
    chatId: 'chat-1',
    invitedAt: T0,
  });
  await store.addSurveyInvitation({
    campaignId: 'S001',
    ownerId: 'owner-b',
    status: 'reminded1',
    channel: 'telegram',
    chatId: 'chat-3',
    building: '3',
    invitedAt: T0,
    lastRemindedAt: at(MINUTE),
    draft: { overall: 3 },
  });
  await store.addSurveyResponse({
    id: 'r-1',
    campaignId: 'S001',
    ownerId: 'owner-a',
    questionnaireVersion: 1,
    answers: { overall: 5, improve: ['lift'] },
    channel: 'telegram',
    submittedAt: at(MINUTE),
  });
  await store.setSurveyOptOut('owner-b', at(2 * MINUTE));

  await store.addPraise({
    id: 'p-1',
    ownerId: 'owner-a',
    channel: 'telegram',
    text: '保洁阿姨很认真',
    team: 'cleaning',
    at: T0,
  });
  await store.addPraise({
    id: 'p-2',
    ownerId: 'owner-b',
    channel: 'wechat',
    text: '谢谢王师傅',
    team: 'engineering',
    staff: { id: 'staff-1', name: '王师傅' },
    place: '3栋',
    at: at(MINUTE),
  });

  const enquiry = {
    ownerId: 'owner-a',
    channel: 'telegram' as const,
    chatId: 'chat-1',
    locale: 'zh-CN' as const,
    kind: 'enquiry' as const,
  };
  await store.createEnquiry({
    ...enquiry,
    id: 'Q001',
    text: '物业费怎么交？',
    status: 'answered',
    matched: ['fees.pay'],
    topic: 'fees',
    helpful: true,
    askedAt: T0,
    updatedAt: T0,
  });
  await store.createEnquiry({
    ...enquiry,
    id: 'Q002',
    text: '可以在小区里放风筝吗？',
    building: '3',
    kind: 'human',
    status: 'staff',
    askedAt: at(MINUTE),
    dueAt: at(60 * MINUTE),
    answer: '可以，请远离电线。',
    answeredBy: { id: 'staff-1', name: '李经理' },
    answeredAt: at(2 * MINUTE),
    savedAs: 'learned.K001',
    updatedAt: at(2 * MINUTE),
  });
  await store.saveKnowledgeEntry({
    id: 'learned.K001',
    topic: 'facilities',
    questions: { 'zh-CN': ['可以在小区里放风筝吗？'] },
    answer: { 'zh-CN': '可以，请远离电线。' },
    source: 'staff:staff-1',
    createdBy: 'staff-1',
    createdAt: at(3 * MINUTE),
    fromEnquiry: 'Q002',
  });

  await store.createNotice({
    id: 'N001',
    kind: 'outage_water',
    urgent: false,
    target: { kind: 'places', places: ['3'] },
    text: { 'zh-CN': '3栋12月8日停水。', en: 'No water in building 3 on 8 December.' },
    validFrom: at(86_400_000),
    validTo: at(2 * 86_400_000),
    status: 'published',
    createdBy: 'staff-1',
    createdAt: T0,
    updatedAt: at(MINUTE),
    publishedBy: 'staff-1',
    publishedAt: at(MINUTE),
    corrections: [{ at: at(2 * MINUTE), by: 'staff-1', text: { 'zh-CN': '改为上午9点开始。' } }],
  });
  await store.createNotice({
    id: 'N002',
    kind: 'event',
    urgent: false,
    target: { kind: 'all' },
    text: { en: 'Garden party on Saturday.' },
    validFrom: T0,
    validTo: at(86_400_000),
    status: 'draft',
    createdBy: 'cli:admin',
    createdAt: at(MINUTE),
    updatedAt: at(MINUTE),
    corrections: [],
  });
  const delivery = { noticeId: 'N001', channel: 'telegram' as const, sentAt: at(MINUTE), updatesSent: 1 };
  await store.addNoticeDelivery({ ...delivery, ownerId: 'owner-a', chatId: 'chat-1', readAt: at(5 * MINUTE) });
  await store.addNoticeDelivery({ ...delivery, ownerId: 'owner-b', chatId: 'chat-3' });

  for (const record of CONTACTS) await store.addContact(record);
  for (const entry of AUDIT) await store.appendAudit(entry);

  // A report's chart queued with the message that names it (in one transaction, as the app does), and a
  // workbook a crash left behind after its message was sent (retention's to remove, the copy's to copy).
  await store.transaction(async (tx) => {
    await tx.saveFile(CHART);
    await tx.enqueue(
      [
        {
          id: 'o-7',
          channel: 'telegram',
          chatId: 'staff',
          action: {
            kind: 'send',
            message: { text: '汇总', attachments: [{ kind: 'image', fileId: CHART.id, name: CHART.name }] },
          },
        },
      ],
      at(3000),
    );
  });
  await store.saveFile(WORKBOOK);
}

const CONTACTS: ContactRecord[] = [
  {
    id: 'c-1',
    kind: 'visit',
    at: at(-86_400_000),
    place: '3栋1201',
    party: 'owner',
    who: '张先生',
    ownerId: 'owner-a',
    phone: '+8613800000001',
    staff: { id: 'staff-1', name: '李经理' },
    said: '询问漏水维修进度',
    result: '约定周二上门',
    recordedAt: T0,
  },
  {
    id: 'c-2',
    kind: 'meeting',
    at: at(-2 * 86_400_000),
    party: 'committee',
    who: '业主委员会',
    staff: { id: 'staff-1', name: '李经理' },
    said: '讨论电梯更换方案',
    recordedAt: at(MINUTE),
  },
  {
    id: 'c-3',
    kind: 'phone',
    at: at(-86_400_000),
    party: 'contractor',
    who: '电梯公司',
    staff: { id: 'staff-2', name: '王师傅' },
    said: '催报价',
    recordedAt: at(2 * MINUTE),
  },
];

const AUDIT: AuditEntry[] = [
  { id: 'a-1', at: T0, actor: { kind: 'system', id: 'system' }, action: 'app.start', via: 'system' },
  {
    id: 'a-2',
    at: at(MINUTE),
    actor: { kind: 'staff', id: 'staff-1', name: '李经理', role: 'supervisor' },
    action: 'ticket.accept',
    via: 'telegram',
    subject: { kind: 'ticket', id: 'T261128-001' },
    detail: { urgent: true, attempt: 1, from: 'new' },
  },
  // The same instant as a-2: the log orders by time, then id.
  {
    id: 'a-0',
    at: at(MINUTE),
    actor: { kind: 'cli', id: 'cli:admin' },
    action: 'export.unmasked',
    via: 'cli',
    subject: { kind: 'period', id: '2026-11' },
  },
];

const CHART: StoredFile = {
  id: 'f-chart',
  name: '汇总-2026-11-1.png',
  mime: 'image/png',
  bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
  createdAt: at(3000),
};
const WORKBOOK: StoredFile = {
  id: 'f-book',
  name: '工单-2026-11.xlsx',
  mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  bytes: new Uint8Array(200_000).map((_, i) => (i * 7) % 256),
  createdAt: at(2000),
};

const ALL_TIME = { from: new Date(0), to: new Date('2100-01-01T00:00:00Z') };

/** Everything a store shows through the port, as one comparable value (outbox seq left out). */
async function snapshot(store: Store): Promise<unknown> {
  const messages = [];
  for (const chat of [...CHATS, { channel: 'telegram' as const, chatId: 'chat-9' }]) {
    messages.push(await store.listMessages(chat.channel, chat.chatId, 1000));
  }
  return JSON.parse(
    canonical({
      owners: await store.listOwners(),
      staff: await store.listStaff(),
      threads: [await store.getThread('telegram', 'chat-1'), await store.getThread('wechat', 'chat-2')],
      messages,
      tickets: await store.listTickets({ limit: 1000 }),
      jobs: await store.listJobs({}),
      outbox: (await store.listOutbox({})).map(({ seq: _seq, ...item }) => item),
      refs: [
        await store.getMessageRef('telegram', 'staff', 'card:T1'),
        await store.getMessageRef('telegram', 'staff', 'card:T2'),
        await store.findRefByMessage('telegram', 'staff', 'pm-3'),
        await store.findRefByMessage('telegram', 'staff', 'pm-5'),
      ],
      settings: [await store.getSetting('staff_chat'), await store.getSetting('empty'), await store.getSetting('none')],
      campaigns: await store.listSurveyCampaigns(),
      invitations: await store.listSurveyInvitations('S001'),
      responses: await store.listSurveyResponses('S001'),
      optOuts: [await store.listSurveyOptOuts(), await store.getSurveyOptOut('owner-b')],
      praise: [await store.listPraise(ALL_TIME), await store.countPraise(ALL_TIME)],
      enquiries: [await store.listEnquiries(), await store.countEnquiries(ALL_TIME)],
      knowledge: await store.listKnowledgeEntries(),
      notices: await store.listNotices(),
      deliveries: [await store.listNoticeDeliveries('N001'), await store.countNoticeDeliveries('N001')],
      contacts: await store.listContacts({ limit: 1000 }),
      audit: await store.listAudit({}, { limit: 1000 }),
      files: (await store.getFiles(['f-chart', 'f-book', 'f-none']))
        .map(({ bytes, ...file }) => ({ ...file, bytes: Buffer.from(bytes).toString('base64') }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    }),
  );
}

/** Every row of every table of a SQLite file (rowids and seqs included): what "changes nothing" means. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

function capture(): {
  io: { out: (t: string) => void; err: (t: string) => void };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: { out: (t) => (out += t), err: (t) => (err += t) },
    out: () => out,
    err: () => err,
  };
}

/** The table's rows as `name → [source, target, written]`. */
function table(output: string): Record<string, number[]> {
  const rows: Record<string, number[]> = {};
  for (const line of output.split('\n')) {
    const match = /^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
    if (match) rows[match[1] ?? ''] = [Number(match[2]), Number(match[3]), Number(match[4])];
  }
  return rows;
}

describe('migrate (sqlite to sqlite)', () => {
  let dir: string;
  let sourcePath: string;
  let targetPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'residesk-migrate-'));
    sourcePath = join(dir, 'source.db');
    targetPath = join(dir, 'target.db');
    const source = await openSqliteStore({ path: sourcePath });
    await populate(source);
    await source.close();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function withStore<T>(path: string, fn: (store: Store) => Promise<T>): Promise<T> {
    const store = await openSqliteStore({ path });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  it('copies everything, with counts that match on both sides', async () => {
    const run = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], run.io)).toBe(0);
    expect(run.out()).toContain('counts match on both sides.');

    const rows = table(run.out());
    expect(Object.keys(rows)).toHaveLength(COLLECTIONS.length);
    // A fresh target: everything is written once, and both sides count the same.
    for (const [name, [source, target, written]] of Object.entries(rows)) {
      expect(target, name).toBe(source);
      expect(written, name).toBe(source);
    }
    expect(rows.message_log).toEqual([17, 17, 17]);
    expect(rows.jobs).toEqual([5, 5, 5]);
    expect(rows.outbox).toEqual([7, 7, 7]);
    expect(rows.outbox_files).toEqual([2, 2, 2]);
    expect(rows.contacts).toEqual([3, 3, 3]);
    expect(rows.audit_log).toEqual([3, 3, 3]);
    expect(rows.survey_invitations).toEqual([2, 2, 2]);
    expect(rows.praise).toEqual([2, 2, 2]);
    expect(rows.enquiries).toEqual([2, 2, 2]);
    expect(rows.knowledge_entries).toEqual([1, 1, 1]);
    expect(rows.notices).toEqual([2, 2, 2]);
    expect(rows.notice_deliveries).toEqual([2, 2, 2]);

    const before = await withStore(sourcePath, snapshot);
    expect(await withStore(targetPath, snapshot)).toEqual(before);

    await withStore(targetPath, async (target) => {
      // Order per chat survives, dedupe keys are there, counters go on from the source's values.
      expect((await target.listOutbox({ chatId: 'chat-1' })).map((i) => i.id)).toEqual(['o-1', 'o-2', 'o-4']);
      expect((await target.claimOutbox(at(10_000), 'w', MINUTE, 10)).map((i) => i.id)).toEqual(['o-2', 'o-7']);
      // The pending report finds its chart, byte for byte, as the dispatcher would read it.
      const [chart] = await target.getFiles(['f-chart']);
      expect(chart && Buffer.from(chart.bytes).equals(Buffer.from(CHART.bytes))).toBe(true);
      expect(chart).toMatchObject({ name: CHART.name, mime: CHART.mime, createdAt: CHART.createdAt });
      // The audit log reads back in its order (time, then id) and by subject; contacts by owner.
      expect((await target.listAudit({})).entries.map((e) => e.id)).toEqual(['a-1', 'a-0', 'a-2']);
      expect((await target.listAudit({ subjectId: 'T261128-001' })).entries).toEqual([AUDIT[1]]);
      expect(await target.listContacts({ ownerId: 'owner-a' })).toEqual([CONTACTS[0]]);
      expect(await target.getJob('job-running')).toMatchObject({
        status: 'running',
        leaseOwner: 'worker-1',
        attempts: 1,
      });
      expect((await target.scheduleJob({ id: 'dup', type: 't', dueAt: T0, payload: {}, key: 'k-run' }, T0)).id).toBe(
        'job-running',
      );
      expect(await target.markInbound('telegram', 'u-2', T0)).toBe(false);
      expect(await target.markInbound('wechat', 'u-1', T0)).toBe(false);
      expect(await target.markInbound('wechat', 'u-2', T0)).toBe(true);
      expect(await target.nextSequence('ticket:261128')).toBe(8);
      expect(await target.nextSequence('other')).toBe(2);
    });
  });

  it('changes nothing when run twice, and finishes an interrupted run', async () => {
    // An interrupted earlier run: part of one chat's log and one owner are there already.
    await withStore(targetPath, async (target) => {
      await withStore(sourcePath, async (source) => {
        for (const entry of (await source.listMessages('telegram', 'chat-1', 1000)).slice(0, 3))
          await target.logMessage(entry);
        const [owner] = await source.listOwners();
        if (owner) await target.saveOwner(owner);
      });
      // And one contact record, the first audit entry and the workbook.
      await target.addContact(CONTACTS[1]!);
      await target.appendAudit(AUDIT[0]!);
      await target.saveFile(WORKBOOK);
    });

    const first = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], first.io)).toBe(0);
    expect(table(first.out()).message_log).toEqual([17, 17, 14]);
    expect(table(first.out()).owners).toEqual([2, 2, 1]);
    expect(table(first.out()).contacts).toEqual([3, 3, 2]);
    expect(table(first.out()).audit_log).toEqual([3, 3, 2]);
    expect(table(first.out()).outbox_files).toEqual([2, 2, 1]);
    const afterFirst = dump(targetPath);

    const second = capture();
    expect(await runMigrate([`--from=sqlite:${sourcePath}`, `--to=sqlite:${targetPath}`], second.io)).toBe(0);
    for (const [name, [source, target, written]] of Object.entries(table(second.out()))) {
      expect(target, name).toBe(source);
      expect(written, name).toBe(0);
    }
    expect(dump(targetPath)).toEqual(afterFirst);
    expect(await withStore(targetPath, snapshot)).toEqual(await withStore(sourcePath, snapshot));
  });

  it('writes nothing on a dry run and says what it would copy', async () => {
    const sourceBefore = dump(sourcePath);
    const run = capture();
    expect(
      await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`, '--dry-run'], run.io),
    ).toBe(0);
    expect(run.out()).toContain('dry run: nothing was written.');
    expect(run.out()).toMatch(/collection\s+source\s+target\s+to write/);
    const rows = table(run.out());
    expect(rows.owners).toEqual([2, 0, 2]);
    expect(rows.message_log).toEqual([17, 0, 17]);
    expect(rows.counters).toEqual([2, 0, 2]);
    for (const [table, rowsOf] of Object.entries(dump(targetPath))) {
      if (table !== 'schema_migrations') expect(rowsOf, table).toEqual([]);
    }
    expect(dump(sourcePath)).toEqual(sourceBefore);
  });

  it('exits 1 and names the collection when the target holds more than the source', async () => {
    await withStore(targetPath, (target) => target.saveStaff(makeStaff({ id: 'staff-extra' })));
    const run = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], run.io)).toBe(1);
    expect(run.out()).toContain('MISMATCH: counts differ for staff');
    expect(table(run.out()).staff).toEqual([2, 3, 2]);
  });

  it('copies praise once, and names a different praise the target holds under the same id', async () => {
    await withStore(targetPath, (target) =>
      target.addPraise({ id: 'p-2', ownerId: 'owner-b', channel: 'wechat', text: '别的', team: 'all', at: T0 }),
    );
    const run = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], run.io)).toBe(1);
    expect(table(run.out()).praise).toEqual([2, 2, 1]);
    expect(run.out()).toContain('MISMATCH: praise: the target holds another praise under the id p-2');
    const again = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], again.io)).toBe(1);
    expect(table(again.out()).praise).toEqual([2, 2, 0]);
  });

  it('names a different contact record, audit entry or file the target holds under the same id', async () => {
    await withStore(targetPath, async (target) => {
      await target.addContact({ ...CONTACTS[0]!, said: '别的事' });
      await target.appendAudit({ ...AUDIT[1]!, action: 'ticket.close' });
      await target.saveFile({ ...CHART, bytes: new Uint8Array([1, 2, 3]) });
    });
    const run = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], run.io)).toBe(1);
    const rows = table(run.out());
    // The others are copied; the one under each taken id is left as the target has it, and named.
    expect(rows.contacts).toEqual([3, 3, 2]);
    expect(rows.audit_log).toEqual([3, 3, 2]);
    expect(rows.outbox_files).toEqual([2, 2, 1]);
    expect(run.out()).toContain('MISMATCH: contacts: the target holds another record under the id c-1');
    expect(run.out()).toContain('MISMATCH: audit_log: the target holds another entry under the id a-2');
    expect(run.out()).toContain('MISMATCH: outbox_files: the target holds another file under the id f-chart');
    const again = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], again.io)).toBe(1);
    expect(table(again.out()).contacts).toEqual([3, 3, 0]);
    expect(table(again.out()).audit_log).toEqual([3, 3, 0]);
    expect(table(again.out()).outbox_files).toEqual([2, 2, 0]);
  });

  it('names contact records, audit entries and files the source lacks as a count mismatch', async () => {
    await withStore(targetPath, async (target) => {
      await target.addContact({ ...CONTACTS[2]!, id: 'c-extra' });
      await target.appendAudit({ ...AUDIT[0]!, id: 'a-extra' });
      await target.saveFile({ ...CHART, id: 'f-extra' });
    });
    const run = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], run.io)).toBe(1);
    expect(run.out()).toContain('MISMATCH: counts differ for outbox_files, contacts, audit_log');
    expect(table(run.out()).contacts).toEqual([3, 4, 3]);
    expect(table(run.out()).audit_log).toEqual([3, 4, 3]);
    expect(table(run.out()).outbox_files).toEqual([2, 3, 2]);
  });

  it('names the collections kept apart from the store as their MongoDB modules do', () => {
    expect([COLLECTION_NAMES.contacts, COLLECTION_NAMES.auditLog, COLLECTION_NAMES.outboxFiles]).toEqual([
      CONTACTS_COLLECTION,
      AUDIT_COLLECTION,
      FILES_COLLECTION,
    ]);
    // Files just before the outbox that names them.
    expect(COLLECTIONS.indexOf('outboxFiles')).toBe(COLLECTIONS.indexOf('outbox') - 1);
  });

  it('copies a notice delivery read since the last run, and an enquiry answered since', async () => {
    const first = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], first.io)).toBe(0);
    await withStore(sourcePath, async (source) => {
      const unread = await source.getNoticeDelivery('N001', 'owner-b');
      if (unread) await source.saveNoticeDelivery({ ...unread, readAt: at(10 * MINUTE) });
      const waiting = await source.getEnquiry('Q001');
      if (waiting) await source.saveEnquiry({ ...waiting, helpful: false, status: 'waiting', updatedAt: at(MINUTE) });
    });
    const second = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${targetPath}`], second.io)).toBe(0);
    const rows = table(second.out());
    expect(rows.notice_deliveries).toEqual([2, 2, 1]);
    expect(rows.enquiries).toEqual([2, 2, 1]);
    expect(rows.notices).toEqual([2, 2, 0]);
    await withStore(targetPath, async (target) => {
      expect(await target.countNoticeDeliveries('N001')).toEqual({ sent: 2, read: 2 });
      expect((await target.getEnquiry('Q001'))?.status).toBe('waiting');
    });
    expect(await withStore(targetPath, snapshot)).toEqual(await withStore(sourcePath, snapshot));
  });

  it('runs on two stores and a reader, with progress per collection', async () => {
    const lines: string[] = [];
    const source = await openSqliteStore({ path: sourcePath });
    const target = await openSqliteStore({ path: targetPath });
    const reader = new SqliteFile(sourcePath, { readonly: true });
    const admin = new SqliteFile(targetPath, { readonly: false });
    let report: MigrationReport;
    try {
      report = await migrate({ source, reader, target, admin, dryRun: false, progress: (line) => lines.push(line) });
    } finally {
      reader.close();
      admin.close();
      await source.close();
      await target.close();
    }
    expect(report.problems).toEqual([]);
    expect(report.rows.map((r) => r.collection)).toEqual([...COLLECTIONS]);
    expect(lines).toHaveLength(COLLECTIONS.length);
    expect(lines[0]).toBe('owners: 2 written');
  });

  it('refuses a source it cannot read and a target that is the source', async () => {
    const missing = capture();
    expect(
      await runMigrate(['--from', `sqlite:${join(dir, 'nope.db')}`, '--to', `sqlite:${targetPath}`], missing.io),
    ).toBe(2);
    expect(missing.err()).toContain('no SQLite database at');
    const same = capture();
    expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', `sqlite:${sourcePath}`], same.io)).toBe(2);
    expect(same.err()).toContain('same file');
  });
});

describe('migrate arguments', () => {
  it('parses --from and --to (also with =) and --dry-run', () => {
    expect(parseArgs(['--from', 'sqlite:a.db', '--to', 'mongodb://h/residesk', '--dry-run'])).toEqual({
      help: false,
      from: { kind: 'sqlite', path: 'a.db' },
      to: { kind: 'mongodb', uri: 'mongodb://h/residesk' },
      dryRun: true,
    });
    expect(parseArgs(['--to=mongodb+srv://u:p@c.example.net/x', '--from=sqlite:/data/r.db'])).toMatchObject({
      to: { kind: 'mongodb', uri: 'mongodb+srv://u:p@c.example.net/x' },
      dryRun: false,
    });
    expect(parseArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [[], '--from is missing'],
    [['--from', 'sqlite:a.db'], '--to is missing'],
    [['--from', 'a.db', '--to', 'mongodb://h'], '--from must be sqlite:<path>'],
    [['--from', 'mongodb://h', '--to', 'sqlite:b.db'], '--from must be sqlite:<path>'],
    [['--from', 'sqlite:a.db', '--to', 'ftp://h'], '--to must be'],
    [['--from', 'sqlite:', '--to', 'mongodb://h'], 'needs a path'],
    [['--from', 'sqlite:a.db', '--to'], '--to needs a value'],
    [['--from', 'sqlite:a.db', '--from', 'sqlite:b.db', '--to', 'mongodb://h'], 'given twice'],
    [['--from', 'sqlite:a.db', '--to', 'mongodb://h', '--force'], 'unknown argument --force'],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:./a.db'], 'same file'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('answers bad arguments with the usage line and exit code 2, and --help with it and 0', async () => {
    const bad = capture();
    expect(await runMigrate(['--from', 'sqlite:a.db'], bad.io)).toBe(2);
    expect(bad.err()).toBe(`migrate: --to is missing\n${USAGE}\n`);
    expect(bad.out()).toBe('');
    const help = capture();
    expect(await runMigrate(['--help'], help.io)).toBe(0);
    expect(help.out()).toBe(`${USAGE}\n`);
  });

  it('never prints the password of the MongoDB target', async () => {
    const run = capture();
    // Nothing listens on port 9: the command fails fast, after saying where it copies to.
    const dir = await mkdtemp(join(tmpdir(), 'residesk-migrate-'));
    try {
      const source = await openSqliteStore({ path: join(dir, 's.db') });
      await source.close();
      const code = await runMigrate(
        ['--from', `sqlite:${join(dir, 's.db')}`, '--to', 'mongodb://bob:hunter2@127.0.0.1:9/residesk', '--dry-run'],
        run.io,
        { serverSelectionTimeoutMs: 300 },
      );
      expect(code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(run.out()).toContain('mongodb://bob:***@127.0.0.1:9/residesk');
    expect(run.err()).toContain('STORE_UNAVAILABLE: cannot reach MongoDB at 127.0.0.1:9');
    expect(run.out() + run.err()).not.toContain('hunter2');
  });

  it('waits for a MongoDB target as long as MONGODB_SERVER_SELECTION_TIMEOUT says, as the bot does', async () => {
    const run = capture();
    const dir = await mkdtemp(join(tmpdir(), 'residesk-migrate-'));
    try {
      const source = await openSqliteStore({ path: join(dir, 's.db') });
      await source.close();
      const to = 'mongodb://127.0.0.1:9/residesk';
      const args = ['--from', `sqlite:${join(dir, 's.db')}`, '--to', to, '--dry-run'];
      expect(await runMigrate(args, run.io, { env: { MONGODB_SERVER_SELECTION_TIMEOUT: '300ms' } })).toBe(1);
      expect(run.err()).toContain('cannot reach MongoDB at 127.0.0.1:9 within 300 ms');
      const bad = capture();
      expect(await runMigrate(args, bad.io, { env: { MONGODB_SERVER_SELECTION_TIMEOUT: 'soon' } })).toBe(2);
      expect(bad.err()).toContain('MONGODB_SERVER_SELECTION_TIMEOUT: not a duration');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!process.env.MONGODB_URI)('migrate (sqlite to MONGODB_URI)', () => {
  it('copies everything into a scratch database, and changes nothing the second time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'residesk-migrate-'));
    const uri = withDatabase(process.env.MONGODB_URI ?? '', `residesk_migrate_${randomUUID().slice(0, 8)}`);
    const { openMongoStore } = await import('../../src/adapters/store/mongo/store.js');
    try {
      const sourcePath = join(dir, 'source.db');
      const source = await openSqliteStore({ path: sourcePath });
      await populate(source);
      const expected = await snapshot(source);
      await source.close();

      const first = capture();
      // The suite's own environment is not a deployment's: only the target comes from it.
      const options = { env: {} };
      expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', uri], first.io, options)).toBe(0);
      expect(table(first.out()).contacts).toEqual([3, 3, 3]);
      expect(table(first.out()).audit_log).toEqual([3, 3, 3]);
      expect(table(first.out()).outbox_files).toEqual([2, 2, 2]);
      const second = capture();
      expect(await runMigrate(['--from', `sqlite:${sourcePath}`, '--to', uri], second.io, options)).toBe(0);
      for (const [name, [source, target, written]] of Object.entries(table(second.out()))) {
        expect(target, name).toBe(source);
        expect(written, name).toBe(0);
      }
      const target = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000 });
      try {
        expect(await snapshot(target)).toEqual(expected);
        expect(await target.nextSequence('ticket:261128')).toBe(8);
      } finally {
        await target.close();
      }
    } finally {
      const mongoose = (await import('mongoose')).default;
      const connection = await mongoose.createConnection(uri).asPromise();
      await connection.dropDatabase();
      await connection.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
