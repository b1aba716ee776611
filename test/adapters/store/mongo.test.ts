/**
 * The MongoDB store. The contract suite and the server tests run against MONGODB_URI (a replica set:
 * see the README) and are reported as skipped, by name, without it. Everything that needs no server runs
 * always: the mapping of every type, the schemas, the index list, URI redaction and the start-up errors.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseName,
  describeHosts,
  redactUri,
  replicaSetProblem,
  unreachableError,
  withDatabase,
} from '../../../src/adapters/store/mongo/connection.js';
import {
  COLLECTIONS,
  type CollectionKey,
  INDEXES,
  type IndexDefinition,
} from '../../../src/adapters/store/mongo/indexes.js';
import {
  campaignFromDoc,
  campaignToDoc,
  deliveryFromDoc,
  deliveryToDoc,
  enquiryFromDoc,
  enquiryToDoc,
  invitationFromDoc,
  invitationToDoc,
  jobFromDoc,
  jobToDoc,
  knowledgeEntryFromDoc,
  knowledgeEntryToDoc,
  messageFromDoc,
  messageToDoc,
  noticeFromDoc,
  noticeToDoc,
  outboxFromDoc,
  outboxToDoc,
  ownerFromDoc,
  ownerToDoc,
  responseFromDoc,
  responseToDoc,
  staffFromDoc,
  staffToDoc,
  threadFromDoc,
  threadToDoc,
  ticketFromDoc,
  ticketToDoc,
} from '../../../src/adapters/store/mongo/mapping.js';
import { type Models, registerModels, SCHEMAS } from '../../../src/adapters/store/mongo/schemas.js';
import { openMongoStore, toStoreError } from '../../../src/adapters/store/mongo/store.js';
import type { KnowledgeEntry } from '../../../src/core/knowledge/entry.js';
import type {
  Enquiry,
  Job,
  MessageLogEntry,
  Notice,
  NoticeDelivery,
  OutboxItem,
  Store,
  SurveyCampaign,
  SurveyInvitation,
  SurveyResponse,
  Thread,
} from '../../../src/core/ports.js';
import { StoreError } from '../../../src/core/ports.js';
import { transition } from '../../../src/core/tickets/ticket.js';
import { storeContract } from '../../contracts/store.contract.js';
import { makeOwner, makeStaff, makeTicket } from '../../fixtures.js';

const MONGODB_URI = process.env.MONGODB_URI;
const SKIP_REASON = 'MongoDB contract skipped: MONGODB_URI not set';
const T0 = new Date('2026-11-28T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

// ---------------------------------------------------------------------------------------------------
// Against a server (MONGODB_URI).

describe.skipIf(!MONGODB_URI)('mongodb store (MONGODB_URI)', () => {
  const uri = MONGODB_URI ?? '';
  let admin: Connection;
  const databases: string[] = [];

  beforeAll(async () => {
    admin = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  });

  afterAll(async () => {
    for (const name of databases) await admin.useDb(name, { useCache: false }).dropDatabase();
    await admin.destroy();
  });

  async function open(): Promise<{ store: Store; dbName: string; cleanup: () => Promise<void> }> {
    const dbName = `residesk_test_${randomUUID().slice(0, 8)}`;
    databases.push(dbName);
    const store = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000, dbName });
    return {
      store,
      dbName,
      cleanup: async () => {
        await store.close();
        await admin.useDb(dbName, { useCache: false }).dropDatabase();
      },
    };
  }

  storeContract('mongodb', open);

  it('creates every collection and index at start-up, and again without complaint', async () => {
    const { dbName, cleanup } = await open();
    try {
      const second = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000, dbName });
      await second.close();
      const db = admin.useDb(dbName, { useCache: false });
      for (const key of Object.keys(COLLECTIONS) as CollectionKey[]) {
        const names = (await db.collection(COLLECTIONS[key]).indexes()).map((index) => index.name);
        expect(names).toEqual(expect.arrayContaining(INDEXES[key].map((index) => index.name)));
      }
    } finally {
      await cleanup();
    }
  });

  it('keeps _id and store fields out of what it returns', async () => {
    const { store, cleanup } = await open();
    try {
      const owner = makeOwner();
      await store.saveOwner(owner);
      const read = await store.getOwner(owner.id);
      expect(read).toStrictEqual(owner);
      const job = await store.scheduleJob({ id: 'j-1', type: 't', dueAt: T0, payload: {}, key: 'k' }, T0);
      expect(Object.keys(job)).not.toContain('unfinishedKey');
      expect(Object.keys((await store.getJob('j-1')) ?? {})).not.toContain('_id');
    } finally {
      await cleanup();
    }
  });

  it('lets two stores on one database claim jobs without ever claiming one twice', async () => {
    const { store: a, dbName, cleanup } = await open();
    const b = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000, dbName });
    try {
      const total = 200;
      await a.transaction(async (tx) => {
        for (let i = 0; i < total; i++) {
          await tx.scheduleJob({ id: `job-${i}`, type: 'reminder', dueAt: T0, payload: { i } }, T0);
        }
      });
      const claims: string[] = [];
      const work = async (store: Store, worker: string, batch: number) => {
        for (;;) {
          const jobs =
            batch % 2 === 0
              ? await store.claimJobs(T0, worker, 60_000, batch)
              : await store.transaction((tx) => tx.claimJobs(T0, worker, 60_000, batch));
          if (jobs.length === 0) return;
          for (const job of jobs) {
            claims.push(job.id);
            expect(await store.completeJob(job.id, worker, T0)).toBe(true);
          }
        }
      };
      await Promise.all([work(a, 'worker-a', 7), work(b, 'worker-b', 5)]);
      expect(claims).toHaveLength(total);
      expect(new Set(claims).size).toBe(total);
      expect(await b.listJobs({ status: 'done' })).toHaveLength(total);
    } finally {
      await b.close();
      await cleanup();
    }
  }, 60_000);

  it('lets two stores on one database deliver the outbox in order per chat, each item once', async () => {
    const { store: a, dbName, cleanup } = await open();
    const b = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000, dbName });
    try {
      const chats = 10;
      const perChat = 5;
      await a.enqueue(
        Array.from({ length: chats * perChat }, (_, i) => ({
          id: `out-${i}`,
          channel: 'telegram' as const,
          chatId: `chat-${i % chats}`,
          action: { kind: 'send' as const, message: { text: String(Math.floor(i / chats)) } },
        })),
        T0,
      );
      const delivered = new Map<string, string[]>();
      const work = async (store: Store, worker: string) => {
        for (;;) {
          const items = await store.claimOutbox(T0, worker, 60_000, 3);
          if (items.length === 0) return;
          for (const item of items) {
            const text = item.action.kind === 'send' ? item.action.message.text : '?';
            delivered.set(item.chatId, [...(delivered.get(item.chatId) ?? []), text]);
            await store.markOutboxSent(item.id, `pm-${item.id}`, T0);
          }
        }
      };
      await Promise.all([work(a, 'worker-a'), work(b, 'worker-b')]);
      expect(delivered.size).toBe(chats);
      for (const texts of delivered.values()) expect(texts).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      await b.close();
      await cleanup();
    }
  }, 60_000);

  it('serialises conflicting transactions of two stores by retrying them', async () => {
    const { store: a, dbName, cleanup } = await open();
    const b = await openMongoStore({ uri, serverSelectionTimeoutMs: 5000, dbName });
    try {
      const increment = (store: Store) =>
        store.transaction(async (tx) => {
          const value = Number((await tx.getSetting('counter')) ?? '0');
          await new Promise((r) => setTimeout(r, 2));
          await tx.setSetting('counter', String(value + 1));
        });
      await Promise.all(Array.from({ length: 10 }, (_, i) => increment(i % 2 === 0 ? a : b)));
      expect(await a.getSetting('counter')).toBe('10');
    } finally {
      await b.close();
      await cleanup();
    }
  }, 60_000);

  it('accepts the server at MONGODB_URI as a replica set member or a mongos', async () => {
    const hello = await admin.db?.command({ hello: 1 });
    expect(replicaSetProblem(hello ?? {}, describeHosts(uri))).toBeUndefined();
  });
});

it.runIf(!MONGODB_URI)(SKIP_REASON, () => {
  // Named so that the run's output says why the MongoDB contract did not run; the suite above is skipped.
  console.info(`${SKIP_REASON}: set it to a replica set (see the README, "Running with MongoDB") to run it.`);
  expect(process.env.MONGODB_URI ?? '').toBe('');
});

// ---------------------------------------------------------------------------------------------------
// Mapping: every type, through the schema and BSON, back to an equal domain object.

describe('mongo mapping', () => {
  let connection: Connection;
  let models: Models;

  beforeAll(() => {
    // Never connected: models only validate and cast here.
    connection = mongoose.createConnection();
    models = registerModels(connection);
  });

  afterAll(async () => {
    await connection.destroy();
  });

  /** What a write then a read does to a document: validation, casting, BSON both ways. */
  async function stored(key: CollectionKey, doc: object): Promise<Record<string, unknown>> {
    const model = models[key] as unknown as mongoose.Model<unknown>;
    const document = new model(doc);
    await document.validate();
    const bson = mongoose.mongo.BSON.serialize(document.toBSON() as Record<string, unknown>);
    return mongoose.mongo.BSON.deserialize(bson) as Record<string, unknown>;
  }

  /** Null or undefined anywhere in a stored document (a lost `undefined` would come back as null). */
  function blanks(value: unknown, path = ''): string[] {
    if (value === null || value === undefined) return [path];
    if (Array.isArray(value)) return value.flatMap((v, i) => blanks(v, `${path}[${i}]`));
    if (typeof value === 'object' && !(value instanceof Date) && value.constructor === Object) {
      return Object.entries(value).flatMap(([k, v]) => blanks(v, path ? `${path}.${k}` : k));
    }
    return [];
  }

  function expectClean(read: object, original: object): void {
    expect(read).toStrictEqual(original);
    expect(Object.keys(read)).not.toContain('_id');
    expect(Object.keys(read)).not.toContain('__v');
  }

  it('round-trips owners, with and without optional fields and identities', async () => {
    const full = makeOwner({
      identities: [
        { channel: 'telegram', userId: 'tg-1', chatId: 'c-1' },
        { channel: 'wechat', userId: 'wx-1', chatId: 'c-2' },
      ],
      units: ['3-2-501', '5-1-1202'],
      locale: 'en',
    });
    const { name: _n, phone: _p, ...bare } = makeOwner({ identities: [], units: [] });
    for (const owner of [full, bare]) {
      const doc = await stored('owners', ownerToDoc(owner));
      expect(blanks(doc)).toEqual([]);
      expectClean(ownerFromDoc(doc), owner);
    }
    expect(ownerToDoc(full).identityKeys).toEqual(['telegram:tg-1', 'wechat:wx-1']);
    expect(ownerToDoc(bare)).not.toHaveProperty('identityKeys');
  });

  it('round-trips staff', async () => {
    const staff = makeStaff({ role: 'manager', active: false, channel: 'wechat' });
    expectClean(staffFromDoc(await stored('staff', staffToDoc(staff))), staff);
  });

  it('round-trips a thread with a nested conversation state', async () => {
    const thread: Thread = {
      channel: 'telegram',
      chatId: 'chat-1',
      ownerId: 'owner-1',
      state: {
        v: 1,
        locale: 'zh-CN',
        seq: 3,
        flow: {
          flowId: 'complaint',
          flowVersion: 2,
          stepId: 'photos',
          answers: { kind: 'repair', photos: [{ ref: 'f-1' }], location: { kind: 'public', description: '东门' } },
          history: ['kind'],
          context: {},
          startedAt: T0.toISOString(),
        },
        queue: [],
      },
      updatedAt: T0,
    };
    const doc = await stored('threads', threadToDoc(thread));
    expectClean(threadFromDoc(doc), thread);
    expect(structuredClone(threadFromDoc(doc))).toStrictEqual(thread);
  });

  it('round-trips message log entries, bodies as JSON reads them back', async () => {
    const entries: MessageLogEntry[] = [
      {
        channel: 'telegram',
        chatId: 'c',
        direction: 'in',
        at: T0,
        messageId: '101',
        body: { type: 'text', text: '你好' },
      },
      { channel: 'wechat', chatId: 'c', direction: 'out', at: at(1000), body: 'plain' },
      { channel: 'console', chatId: 'c', direction: 'in', at: at(2000), body: 7 },
      { channel: 'console', chatId: 'c', direction: 'in', at: at(3000), body: { empty: {}, list: [] } },
    ];
    for (const [i, entry] of entries.entries()) {
      const doc = await stored('messages', messageToDoc(entry, i + 1));
      expect(doc.seq).toBe(i + 1);
      expectClean(messageFromDoc(doc), entry);
    }
    const undefinedBody = messageFromDoc(
      await stored(
        'messages',
        messageToDoc({ channel: 'console', chatId: 'c', direction: 'in', at: T0, body: undefined }, 9),
      ),
    );
    expect(undefinedBody.body).toBeNull();
  });

  it('round-trips a fully populated ticket, a minimal one, and one moved by transition()', async () => {
    const full = makeTicket({
      status: 'closed',
      responsibility: 'developer',
      location: { kind: 'unit', building: '3', room: '501' },
      subject: 'roof',
      demand: 'fix it',
      contact: { name: '王女士', phone: '+8613812345678' },
      attachments: [
        { ref: 'f-1', channel: 'telegram', caption: 'ceiling' },
        { ref: 'f-2', channel: 'telegram' },
      ],
      assignee: { id: 'staff-1', name: 'Li' },
      plan: 'seal',
      scheduledFor: at(86_400_000),
      resolution: 'sealed',
      rejection: 'not ours',
      reopenCount: 2,
      firstResponseAt: at(60_000),
      resolvedAt: at(2 * 86_400_000),
      closedAt: at(3 * 86_400_000),
      summary: 'roof leaks over the kitchen',
      paidWork: false,
      revisit: {
        at: at(4 * 86_400_000),
        by: 'chat',
        solved: true,
        attitude: 'satisfied',
        charged: false,
        score: 9,
        comment: '师傅很细心',
        outcome: 'closed',
      },
      revisitOutcome: 'answered',
      timeline: [
        { at: T0, actor: { type: 'owner', id: 'owner-1' }, action: 'create', to: 'recorded' },
        {
          at: at(60_000),
          actor: { type: 'staff', id: 'staff-1', name: 'Li' },
          action: 'accept',
          from: 'recorded',
          to: 'accepted',
          note: 'on it',
          data: { nested: { list: [1, 'two'] } },
        },
        { at: at(120_000), actor: { type: 'system' }, action: 'reminder' },
        {
          at: at(180_000),
          actor: { type: 'system' },
          action: 'escalation',
          detail: { code: 'sla.checkpoint', phase: 'accept', percent: 100 },
        },
        { at: at(240_000), actor: { type: 'system' }, action: 'escalation', note: 'emergency not accepted, round 1' },
      ],
    });
    const minimal = makeTicket({ location: { kind: 'public', description: '3号楼电梯' } });
    const { location: _l, ...noLocation } = makeTicket();
    const moved = transition(makeTicket(), 'accept', { type: 'staff', id: 's', name: 'S' }, at(1000));
    if (!moved.ok) throw new Error('transition refused');
    for (const ticket of [full, minimal, noLocation, moved.ticket]) {
      const doc = await stored('tickets', ticketToDoc(ticket));
      expect(blanks(doc)).toEqual([]);
      expect(ticketFromDoc(doc)).toEqual(ticket);
      expect(Object.keys(ticketFromDoc(doc))).not.toContain('_id');
    }
    // transition() writes `note: undefined` and `data: undefined`: they are left out, never stored as null.
    expect(moved.ticket.timeline[1]).toHaveProperty('note', undefined);
    expect(ticketToDoc(moved.ticket).timeline[1]).not.toHaveProperty('note');
    expect(ticketToDoc(moved.ticket).timeline[1]).not.toHaveProperty('data');
    expectClean(ticketFromDoc(await stored('tickets', ticketToDoc(full))), full);
  });

  it('round-trips jobs in every state, keeping the unfinished key only while pending or running', async () => {
    const base: Job = {
      id: 'job-1',
      type: 'sla.check',
      dueAt: T0,
      payload: { ticketId: 't-1', nested: { a: [1, 2] } },
      status: 'pending',
      attempts: 0,
      key: 'sla:t-1',
      createdAt: T0,
      updatedAt: T0,
    };
    const running: Job = {
      ...base,
      status: 'running',
      attempts: 2,
      leaseOwner: 'w',
      leaseUntil: at(30_000),
      lastError: 'x',
    };
    const done: Job = { ...base, status: 'done', attempts: 1, updatedAt: at(1000) };
    const { key: _k, ...keyless } = base;
    for (const job of [base, running, done, keyless, { ...base, payload: {} }]) {
      const doc = await stored('jobs', jobToDoc(job));
      expectClean(jobFromDoc(doc), job);
      expect(Object.keys(jobFromDoc(doc))).not.toContain('unfinishedKey');
    }
    expect(jobToDoc(running).unfinishedKey).toBe('sla:t-1');
    expect(jobToDoc(done)).not.toHaveProperty('unfinishedKey');
  });

  it('round-trips outbox items, the store-wide seq included', async () => {
    const item: OutboxItem = {
      id: 'out-1',
      seq: 42,
      channel: 'telegram',
      chatId: 'chat-1',
      action: {
        kind: 'edit',
        ref: 'card:T261128-0007',
        message: { text: '工单', buttons: [[{ label: 'OK', data: 'ok:7' }]], mentions: [{ userId: '1', name: 'Li' }] },
      },
      status: 'sent',
      attempts: 3,
      notBefore: at(1000),
      leaseOwner: 'w',
      leaseUntil: at(2000),
      lastError: '429',
      platformMessageId: '555',
      createdAt: T0,
    };
    const { leaseOwner: _o, leaseUntil: _u, lastError: _e, platformMessageId: _p, ...bare } = item;
    for (const original of [item, { ...bare, status: 'pending' as const }]) {
      const { seq, ...rest } = original;
      const doc = await stored('outbox', outboxToDoc(rest, seq));
      expectClean(outboxFromDoc(doc), original);
    }
  });

  it('round-trips survey campaigns, invitations and responses', async () => {
    const campaign: SurveyCampaign = {
      id: 'S001',
      questionnaireId: 'residential',
      questionnaireVersion: 1,
      name: '2026 年度满意度调查',
      status: 'running',
      target: { kind: 'buildings', buildings: ['3', '5'] },
      startAt: at(1000),
      endAt: at(2000),
      createdBy: 'telegram:42',
      createdAt: T0,
      updatedAt: T0,
      previewedAt: T0,
      startedAt: at(1000),
      invitedCount: 12,
    };
    expectClean(campaignFromDoc(await stored('surveyCampaigns', campaignToDoc(campaign))), campaign);
    const invitation: SurveyInvitation = {
      campaignId: 'S001',
      ownerId: 'o-1',
      status: 'reminded1',
      channel: 'wechat',
      chatId: 'c-1',
      building: '3',
      invitedAt: T0,
      lastRemindedAt: at(5000),
      draft: { overall: 4, improve: ['lift'] },
    };
    const invitationDoc = await stored('surveyInvitations', invitationToDoc(invitation));
    expect(invitationDoc.lastContactAt).toEqual(at(5000));
    expectClean(invitationFromDoc(invitationDoc), invitation);
    const response: SurveyResponse = {
      id: 'r-1',
      campaignId: 'S001',
      ownerId: 'o-1',
      questionnaireVersion: 1,
      answers: { overall: 5, comments: '很好', follow_up: false },
      channel: 'telegram',
      submittedAt: T0,
    };
    expectClean(responseFromDoc(await stored('surveyResponses', responseToDoc(response))), response);
  });

  it('round-trips enquiries and staff-saved knowledge entries, full and minimal', async () => {
    const minimal: Enquiry = {
      id: 'Q001',
      ownerId: 'o-1',
      channel: 'wechat',
      chatId: 'c-1',
      locale: 'zh-CN',
      text: '物业费怎么交？',
      kind: 'enquiry',
      status: 'waiting',
      askedAt: T0,
      updatedAt: T0,
    };
    expectClean(enquiryFromDoc(await stored('enquiries', enquiryToDoc(minimal))), minimal);
    const full: Enquiry = {
      ...minimal,
      building: '3',
      kind: 'human',
      status: 'staff',
      matched: ['fees.pay', 'fees.late'],
      topic: 'fees',
      helpful: false,
      dueAt: at(1000),
      remindedAt: at(2000),
      escalatedAt: at(3000),
      answer: '可以在服务中心缴费。',
      answeredBy: { id: 'console:li', name: '李经理' },
      answeredAt: at(4000),
      savedAs: 'learned.K001',
      updatedAt: at(4000),
    };
    const fullDoc = await stored('enquiries', enquiryToDoc(full));
    expect(blanks(fullDoc)).toEqual([]);
    expect(fullDoc.helpful).toBe(false);
    expectClean(enquiryFromDoc(fullDoc), full);

    const entry: KnowledgeEntry = {
      id: 'learned.K001',
      topic: 'pets',
      questions: { 'zh-CN': ['花园能遛狗吗？'], en: ['Can I walk my dog in the garden?'] },
      answer: { 'zh-CN': '可以，请牵绳。' },
      keywords: { 'zh-CN': ['遛狗'] },
      source: 'staff:console:li',
      createdBy: 'console:li',
      createdAt: T0,
      fromEnquiry: 'Q012',
    };
    expectClean(knowledgeEntryFromDoc(await stored('knowledgeEntries', knowledgeEntryToDoc(entry))), entry);
    const bare: KnowledgeEntry = {
      id: 'x',
      topic: 'other',
      questions: { en: ['?'] },
      answer: { en: '!' },
      source: 's',
    };
    expectClean(knowledgeEntryFromDoc(await stored('knowledgeEntries', knowledgeEntryToDoc(bare))), bare);
  });

  it('round-trips notices (corrections with their instants) and deliveries, full and minimal', async () => {
    const minimal: Notice = {
      id: 'N001',
      kind: 'outage_water',
      urgent: false,
      target: { kind: 'all' },
      text: { 'zh-CN': '12月8日停水。' },
      validFrom: at(1000),
      validTo: at(2000),
      status: 'draft',
      createdBy: 'cli:admin',
      createdAt: T0,
      updatedAt: T0,
      corrections: [],
    };
    expectClean(noticeFromDoc(await stored('notices', noticeToDoc(minimal))), minimal);
    const full: Notice = {
      ...minimal,
      urgent: true,
      target: { kind: 'places', places: ['3', '5-2'] },
      text: { 'zh-CN': '今晚有台风。', en: 'A typhoon tonight.' },
      photo: { channel: 'telegram', fileRef: 'file-1' },
      sendAt: at(500),
      status: 'published',
      previewedAt: at(100),
      publishedBy: 'console:wang',
      publishedAt: at(200),
      sentDoneAt: at(600),
      corrections: [{ at: at(700), by: 'console:wang', text: { en: 'Moved to tomorrow.' } }],
      cancelledAt: at(800),
      expiredAt: at(900),
      remindedAt: at(950),
    };
    const fullDoc = await stored('notices', noticeToDoc(full));
    expect(blanks(fullDoc)).toEqual([]);
    const read = noticeFromDoc(fullDoc);
    expectClean(read, full);
    expect(read.corrections[0]?.at).toBeInstanceOf(Date);

    const delivery: NoticeDelivery = {
      noticeId: 'N001',
      ownerId: 'o-1',
      channel: 'wechat',
      chatId: 'c-1',
      sentAt: T0,
      updatesSent: 0,
    };
    expectClean(deliveryFromDoc(await stored('noticeDeliveries', deliveryToDoc(delivery))), delivery);
    const read2 = { ...delivery, readAt: at(1000), remindedAt: at(500), updatesSent: 2 };
    expectClean(deliveryFromDoc(await stored('noticeDeliveries', deliveryToDoc(read2))), read2);
  });

  it('reads a damaged document as STORE_CORRUPT, not as a wrong object', () => {
    expect(() => ownerFromDoc({ ...ownerToDoc(makeOwner()), createdAt: 'not a date' as unknown as Date })).toThrow(
      expect.objectContaining({ name: 'StoreError', code: 'STORE_CORRUPT' }),
    );
    expect(() =>
      jobFromDoc({
        ...jobToDoc({
          id: 'j',
          type: 't',
          dueAt: T0,
          payload: {},
          status: 'pending',
          attempts: 0,
          createdAt: T0,
          updatedAt: T0,
        }),
        type: null,
      }),
    ).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });
});

// ---------------------------------------------------------------------------------------------------
// Schemas and indexes.

describe('mongo schemas', () => {
  let connection: Connection;
  let models: Models;

  beforeAll(() => {
    connection = mongoose.createConnection();
    models = registerModels(connection);
  });

  afterAll(async () => {
    await connection.destroy();
  });

  async function problems(key: CollectionKey, doc: object): Promise<string[]> {
    const model = models[key] as unknown as mongoose.Model<unknown>;
    try {
      await new model(doc).validate();
      return [];
    } catch (error) {
      if (!(error instanceof mongoose.Error.ValidationError)) throw error;
      return Object.keys(error.errors).sort();
    }
  }

  const job = (): Record<string, unknown> => ({
    ...jobToDoc({
      id: 'j',
      type: 't',
      dueAt: T0,
      payload: {},
      status: 'pending',
      attempts: 0,
      createdAt: T0,
      updatedAt: T0,
    }),
  });

  it('requires the fields every query and mapping relies on', async () => {
    const { id: _id, createdAt: _c, ...owner } = ownerToDoc(makeOwner());
    expect(await problems('owners', owner)).toEqual(['createdAt', 'id']);
    const { number: _n, origin: _o, timeline: _t, ...ticket } = ticketToDoc(makeTicket());
    expect(await problems('tickets', ticket)).toEqual(['number', 'origin', 'timeline']);
    const { dueAt: _d, payload: _p, ...rest } = job();
    expect(await problems('jobs', rest)).toEqual(['dueAt', 'payload']);
    expect(await problems('inbound', { channel: 'telegram' })).toEqual(['at', 'messageId']);
    expect(await problems('settings', { key: 'k', value: '' })).toEqual([]);
  });

  it('accepts only the statuses and channels the domain has', async () => {
    expect(await problems('jobs', { ...job(), status: 'paused' })).toEqual(['status']);
    const { seq, ...item } = {
      seq: 1,
      id: 'o',
      channel: 'telegram' as const,
      chatId: 'c',
      action: { kind: 'send' as const, message: { text: 'x' } },
      status: 'pending' as const,
      attempts: 0,
      notBefore: T0,
      createdAt: T0,
    };
    expect(await problems('outbox', { ...outboxToDoc(item, seq), status: 'delivered' })).toEqual(['status']);
    expect(await problems('tickets', { ...ticketToDoc(makeTicket()), status: 'open' })).toEqual(['status']);
    expect(await problems('staff', { ...staffToDoc(makeStaff()), channel: 'sms' })).toEqual(['channel']);
    expect(
      await problems('messages', {
        ...messageToDoc({ channel: 'telegram', chatId: 'c', direction: 'in', at: T0, body: 1 }, 1),
        direction: 'sideways',
      }),
    ).toEqual(['direction']);
    expect(
      await problems('surveyInvitations', {
        ...invitationToDoc({
          campaignId: 'S',
          ownerId: 'o',
          status: 'invited',
          channel: 'telegram',
          chatId: 'c',
          invitedAt: T0,
        }),
        status: 'ignored',
      }),
    ).toEqual(['status']);
    expect(await problems('jobs', { ...job(), attempts: -1 })).toEqual(['attempts']);
  });

  it('checks the statuses, kinds and topics of enquiries, notices and knowledge entries', async () => {
    const enquiry = enquiryToDoc({
      id: 'Q001',
      ownerId: 'o',
      channel: 'telegram',
      chatId: 'c',
      locale: 'en',
      text: 'x',
      kind: 'enquiry',
      status: 'waiting',
      askedAt: T0,
      updatedAt: T0,
    });
    expect(await problems('enquiries', enquiry)).toEqual([]);
    expect(await problems('enquiries', { ...enquiry, status: 'open', topic: 'weather' })).toEqual(['status', 'topic']);
    const { askedAt: _a, ...undated } = enquiry;
    expect(await problems('enquiries', undated)).toEqual(['askedAt']);
    const notice = noticeToDoc({
      id: 'N001',
      kind: 'event',
      urgent: false,
      target: { kind: 'all' },
      text: { en: 'x' },
      validFrom: T0,
      validTo: T0,
      status: 'draft',
      createdBy: 'c',
      createdAt: T0,
      updatedAt: T0,
      corrections: [],
    });
    expect(await problems('notices', notice)).toEqual([]);
    expect(await problems('notices', { ...notice, status: 'live', kind: 'party' })).toEqual(['kind', 'status']);
    const { validTo: _v, ...endless } = notice;
    expect(await problems('notices', endless)).toEqual(['validTo']);
    expect(
      await problems('noticeDeliveries', {
        noticeId: 'N001',
        ownerId: 'o',
        channel: 'telegram',
        chatId: 'c',
        sentAt: T0,
        updatesSent: -1,
      }),
    ).toEqual(['updatesSent']);
    expect(
      await problems('knowledgeEntries', { id: 'k', topic: 'gossip', questions: {}, answer: {}, source: 's' }),
    ).toEqual(['topic']);
  });

  it('keeps the unfinished-key invariant and the shape of a location', async () => {
    expect(await problems('jobs', { ...job(), key: 'k' })).toEqual(['unfinishedKey']);
    expect(await problems('jobs', { ...job(), key: 'k', unfinishedKey: 'k' })).toEqual([]);
    expect(await problems('jobs', { ...job(), status: 'done', key: 'k', unfinishedKey: 'k' })).toEqual([
      'unfinishedKey',
    ]);
    expect(
      await problems('tickets', { ...ticketToDoc(makeTicket()), location: { kind: 'unit', building: '3' } }),
    ).toEqual(['location.building']);
    expect(await problems('tickets', { ...ticketToDoc(makeTicket()), location: { kind: 'public' } })).toEqual([
      'location.description',
    ]);
  });

  it('refuses fields the schema does not have', () => {
    expect(() => new models.owners({ ...ownerToDoc(makeOwner()), password: 'x' })).toThrow(
      mongoose.Error.StrictModeError,
    );
  });

  function find(key: CollectionKey, fields: Record<string, 1 | -1>): IndexDefinition | undefined {
    return INDEXES[key].find((index) => JSON.stringify(index.key) === JSON.stringify(fields));
  }

  it('defines the indexes the queries use', () => {
    expect(find('inbound', { channel: 1, messageId: 1 })?.unique).toBe(true);
    expect(find('tickets', { number: 1 })?.unique).toBe(true);
    expect(find('tickets', { id: 1 })?.unique).toBe(true);
    expect(find('tickets', { status: 1, createdAt: -1 })).toBeDefined();
    expect(find('tickets', { ownerId: 1, createdAt: -1 })).toBeDefined();
    expect(find('tickets', { 'assignee.id': 1, createdAt: -1 })).toBeDefined();
    expect(find('tickets', { 'location.building': 1, createdAt: -1 })).toBeDefined();
    expect(find('jobs', { status: 1, dueAt: 1 })).toBeDefined();
    expect(find('jobs', { status: 1, leaseUntil: 1 })).toBeDefined();
    expect(find('jobs', { unfinishedKey: 1 })).toMatchObject({ unique: true, sparse: true });
    expect(find('outbox', { status: 1, channel: 1, chatId: 1, seq: 1 })).toBeDefined();
    expect(find('outbox', { channel: 1, chatId: 1, seq: 1 })).toBeDefined();
    expect(find('outbox', { seq: 1 })?.unique).toBe(true);
    expect(find('threads', { channel: 1, chatId: 1 })?.unique).toBe(true);
    expect(find('owners', { identityKeys: 1 })).toMatchObject({ unique: true, sparse: true });
    expect(find('owners', { phone: 1, createdAt: 1, id: 1 })).toBeDefined();
    expect(find('messages', { channel: 1, chatId: 1, seq: 1 })?.unique).toBe(true);
    expect(find('counters', { name: 1 })?.unique).toBe(true);
    expect(find('messageRefs', { channel: 1, chatId: 1, ref: 1 })?.unique).toBe(true);
    expect(find('surveyInvitations', { campaignId: 1, ownerId: 1 })?.unique).toBe(true);
    expect(find('surveyResponses', { campaignId: 1, ownerId: 1 })?.unique).toBe(true);
    expect(find('noticeDeliveries', { noticeId: 1, ownerId: 1 })?.unique).toBe(true);
    expect(find('enquiries', { id: 1 })?.unique).toBe(true);
    expect(find('enquiries', { askedAt: -1, id: -1 })).toBeDefined();
    expect(find('enquiries', { status: 1, askedAt: -1, id: -1 })).toBeDefined();
    expect(find('enquiries', { ownerId: 1, askedAt: -1, id: -1 })).toBeDefined();
    expect(find('knowledgeEntries', { id: 1 })?.unique).toBe(true);
    expect(find('notices', { id: 1 })?.unique).toBe(true);
    expect(find('notices', { status: 1, createdAt: -1, id: -1 })).toBeDefined();
  });

  it('gives every index a unique name and puts each on its schema', () => {
    const names = Object.values(INDEXES).flatMap((list) => list.map((index) => index.name));
    expect(new Set(names).size).toBe(names.length);
    for (const key of Object.keys(COLLECTIONS) as CollectionKey[]) {
      const schema = SCHEMAS[key] as unknown as mongoose.Schema;
      const onSchema = schema.indexes().map(([fields, options]) => ({ key: fields, ...options }));
      expect(onSchema).toEqual(INDEXES[key].map((index) => ({ ...index })));
      // Every indexed path exists on the schema (a typo would index nothing).
      for (const index of INDEXES[key]) {
        for (const path of Object.keys(index.key)) {
          if (path !== '_id') expect(schema.path(path), `${key}.${path}`).toBeDefined();
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Connection strings and start-up errors.

describe('mongo connection strings', () => {
  it('masks the password and secret options, and keeps hosts, database and harmless options', () => {
    expect(redactUri('mongodb://bob:s3cr%40t@db1:27017,db2:27017/residesk?replicaSet=rs0&authSource=admin')).toBe(
      'mongodb://bob:***@db1:27017,db2:27017/residesk?replicaSet=rs0&authSource=admin',
    );
    expect(redactUri('mongodb+srv://app:pw@cluster0.example.net/prod?retryWrites=true&w=majority')).toBe(
      'mongodb+srv://app:***@cluster0.example.net/prod?retryWrites=true&w=majority',
    );
    expect(redactUri('mongodb://localhost:27017')).toBe('mongodb://localhost:27017');
    expect(redactUri('mongodb://localhost/?directConnection=true')).toBe('mongodb://localhost/?directConnection=true');
    expect(redactUri('mongodb://bob@localhost/')).toBe('mongodb://bob@localhost');
    expect(
      redactUri(
        'mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc&tlsCertificateKeyFilePassword=x',
      ),
    ).toBe('mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=***&tlsCertificateKeyFilePassword=***');
  });

  it('never shows a password it cannot parse around', () => {
    for (const uri of [
      'mongodb://u:pa?ss@host/db',
      'mongodb://u:p@ss@host/db',
      'mongodb://u:pa/ss@host/db',
      'not a uri',
    ]) {
      const shown = redactUri(uri);
      expect(shown).not.toMatch(/pa\?ss|p@ss|pa\/ss|ss@/);
    }
    expect(redactUri('mongodb://u:p@ss@host/db')).toBe('mongodb://u:***@host/db');
    expect(redactUri('mongodb+srv://u:pa?ss@host/db')).toBe('mongodb+srv://***');
  });

  it('names hosts and databases', () => {
    expect(describeHosts('mongodb://u:p@a:1,b:2/x')).toBe('a:1, b:2');
    expect(databaseName('mongodb://a/x?replicaSet=rs0')).toBe('x');
    expect(databaseName('mongodb://a/?replicaSet=rs0')).toBe('residesk');
    expect(databaseName('mongodb://a')).toBe('residesk');
    expect(withDatabase('mongodb://u:p@a:1/x?replicaSet=rs0', 'y')).toBe('mongodb://u:p@a:1/y?replicaSet=rs0');
    expect(withDatabase('mongodb://a:1', 'y')).toBe('mongodb://a:1/y');
  });
});

describe('mongo start-up errors', () => {
  it('accepts a replica set member and a mongos, and refuses a standalone server with the way out', () => {
    expect(replicaSetProblem({ isWritablePrimary: true, setName: 'rs0' }, 'db:27017')).toBeUndefined();
    expect(replicaSetProblem({ ismaster: true, msg: 'isdbgrid' }, 'router:27017')).toBeUndefined();
    const error = replicaSetProblem({ isWritablePrimary: true, maxWireVersion: 21 }, 'db:27017');
    expect(error).toBeInstanceOf(StoreError);
    expect(error?.code).toBe('STORE_UNAVAILABLE');
    expect(error?.message).toMatch(/db:27017 is a standalone server/);
    expect(error?.message).toMatch(/replica set/);
    expect(error?.message).toMatch(/--replSet rs0/);
    expect(error?.message).toMatch(/rs\.initiate\(\)/);
  });

  it('names the host, the timeout and the hint, never the password, when the server cannot be reached', () => {
    const uri = 'mongodb://bob:hunter2@db1:27017,db2:27017/residesk?replicaSet=rs0';
    const cause = Object.assign(
      new Error('Server selection timed out after 5000 ms; uri mongodb://bob:hunter2@db1:27017'),
      {
        name: 'MongoServerSelectionError',
        reason: { type: 'ReplicaSetNoPrimary', servers: new Map([['db1:27017', { type: 'RSGhost' }]]) },
      },
    );
    const error = unreachableError(cause, uri, 5000);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toMatch(/cannot reach MongoDB at db1:27017, db2:27017 within 5000 ms/);
    expect(error.message).toMatch(/rs\.initiate\(\)/);
    expect(error.message).not.toMatch(/hunter2/);
    expect(error.cause).toBe(cause);
  });

  it('says when the credentials are refused or the string is not usable', () => {
    const auth = unreachableError(
      Object.assign(new Error('Authentication failed.'), { name: 'MongoServerError', code: 18 }),
      'mongodb://bob:hunter2@db:27017',
      5000,
    );
    expect(auth.message).toMatch(/db:27017 refused the credentials/);
    expect(auth.message).not.toMatch(/hunter2/);
    const parse = unreachableError(
      Object.assign(new Error('option foo is not supported'), { name: 'MongoParseError' }),
      'mongodb://bob:hunter2@db:27017/?foo=1',
      5000,
    );
    expect(parse.message).toMatch(/MONGODB_URI is not usable/);
    expect(parse.message).not.toMatch(/hunter2/);
  });

  it('fails to open against a closed port with one clear error and no password', async () => {
    const open = openMongoStore({ uri: 'mongodb://bob:hunter2@127.0.0.1:9/residesk', serverSelectionTimeoutMs: 300 });
    await expect(open).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
    const error = (await open.catch((e: unknown) => e)) as StoreError;
    expect(error.message).toMatch(/cannot reach MongoDB at 127\.0\.0\.1:9 within 300 ms/);
    expect(error.message).not.toMatch(/hunter2/);
  });

  it('maps driver failures to StoreError codes without the values involved', () => {
    const duplicate = Object.assign(
      new mongoose.mongo.MongoServerError({ message: 'E11000 dup key: { number: "T1" }' }),
      {
        code: 11000,
        keyPattern: { number: 1 },
      },
    );
    const conflict = toStoreError(duplicate, 'saveTicket');
    expect(conflict).toMatchObject({ code: 'STORE_CONFLICT', message: 'saveTicket: duplicate number' });
    const network = toStoreError(new mongoose.mongo.MongoNetworkError('socket closed'), 'getOwner');
    expect(network?.code).toBe('STORE_UNAVAILABLE');
    expect(toStoreError(new Error('app'), 'x')).toBeUndefined();
  });
});
