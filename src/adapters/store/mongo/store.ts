/**
 * The MongoDB store: mongoose 9 behind the async Store port, held to the same contract as SQLite.
 *
 * One dedicated connection (never mongoose's global one). At start-up the store checks that the server
 * is a replica set member or a mongos (transactions need one), creates every collection and index, and
 * fails with one `StoreError('STORE_UNAVAILABLE')` naming the host, never the password, when it cannot.
 *
 * `transaction(fn)` is one MongoDB transaction (snapshot reads, majority commit). Conflicting
 * transactions are retried whole by the driver, so `fn` may run more than once: it must do nothing but
 * store work. Direct calls are single atomic operations, except `enqueue`, which runs in its own
 * transaction. Claims lease one document at a time with `findOneAndUpdate`, so several processes can
 * claim from one database without ever taking the same job or outbox item twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, { type ClientSession, type Connection, type Model } from 'mongoose';
import {
  type Job,
  type JobStatus,
  type MessageLogEntry,
  type NewJob,
  type NewOutboxItem,
  type OutboxItem,
  type OutboxStatus,
  type Store,
  StoreError,
  type StoreTx,
  type SurveyCampaign,
  type SurveyCampaignStatus,
  type SurveyInvitation,
  type SurveyInvitationStatus,
  type SurveyResponse,
  type Thread,
  type TicketQuery,
} from '../../../core/ports.js';
import type { Ticket } from '../../../core/tickets/ticket.js';
import type { Channel, Owner, Staff } from '../../../core/types.js';
import {
  databaseName,
  describeHosts,
  type HelloReply,
  redactUri,
  replicaSetProblem,
  STORE_COLLECTIONS,
  unreachableError,
} from './connection.js';
import {
  type CounterDoc,
  campaignFromDoc,
  campaignToDoc,
  type InboundDoc,
  identityKey,
  invitationFromDoc,
  invitationToDoc,
  type JobDoc,
  jobFromDoc,
  jobToDoc,
  type MessageDoc,
  type MessageRefDoc,
  messageFromDoc,
  messageToDoc,
  type OutboxDoc,
  type OwnerDoc,
  optOutFromDoc,
  outboxFromDoc,
  outboxToDoc,
  ownerFromDoc,
  ownerToDoc,
  responseFromDoc,
  responseToDoc,
  type SettingDoc,
  type StaffDoc,
  type SurveyCampaignDoc,
  type SurveyInvitationDoc,
  type SurveyOptOutDoc,
  type SurveyResponseDoc,
  staffFromDoc,
  staffToDoc,
  type ThreadDoc,
  type TicketDoc,
  threadFromDoc,
  threadToDoc,
  ticketFromDoc,
  ticketToDoc,
} from './mapping.js';
import { COLLECTIONS, type CollectionKey, INDEXES, type Models, registerModels } from './schemas.js';

/**
 * Where the store lives: a connection string (the store opens and owns a connection; the database is
 * `dbName`, else the one the string names, else `residesk`), or a mongoose connection the caller opened
 * and keeps (closing the store leaves it open). `createIndexes: false` skips creating collections and
 * indexes (a look that writes nothing, e.g. a migration's dry run); the default creates them.
 */
export type MongoStoreOptions = (
  | { uri: string; serverSelectionTimeoutMs: number; dbName?: string }
  | { connection: Connection }
) & { createIndexes?: boolean };

/** Document counts per collection, named as the migration names them. */
export interface MongoCounts {
  owners: number;
  staff: number;
  threads: number;
  messages: number;
  tickets: number;
  jobs: number;
  outbox: number;
  messageRefs: number;
  settings: number;
  inbound: number;
  counters: number;
  surveyCampaigns: number;
  surveyInvitations: number;
  surveyResponses: number;
  surveyOptOuts: number;
}

/**
 * Operations outside the port, for copying a deployment into MongoDB (`npm run migrate`): they write
 * what the port lets only the store itself write (a job's status and lease, a delivered outbox item,
 * a counter's value). Each is idempotent.
 */
export interface MongoMaintenance {
  counts(): Promise<MongoCounts>;
  hasInbound(channel: Channel, messageId: string): Promise<boolean>;
  counterValue(name: string): Promise<number | undefined>;
  /** Sets the counter to `value` unless it is already at least that. */
  raiseCounter(name: string, value: number): Promise<void>;
  /** Inserts or replaces the job with exactly these fields. */
  putJob(job: Job): Promise<void>;
  /** Replaces the item keeping its place in the order, or inserts it after every item already there. */
  putOutbox(item: OutboxItem): Promise<void>;
}

export interface MongoStore extends Store {
  readonly maintenance: MongoMaintenance;
}

/** Transactions read one snapshot and commit to a majority. */
const TRANSACTION_OPTIONS = {
  readConcern: { level: 'snapshot' as const },
  writeConcern: { w: 'majority' as const },
  readPreference: 'primary' as const,
};

/**
 * Connects, checks the deployment, creates collections and indexes, and returns the store.
 * Throws `StoreError('STORE_UNAVAILABLE')` when the server cannot be reached, refuses the credentials or
 * is standalone, and `StoreError('STORE_MIGRATION')` when an index cannot be created.
 */
export async function openMongoStore(opts: MongoStoreOptions): Promise<MongoStore> {
  let connection: Connection;
  let owned: boolean;
  let where: string;
  if ('connection' in opts) {
    connection = opts.connection;
    owned = false;
    where = connection.host ? `${connection.host}:${connection.port}` : 'the connected server';
    try {
      await connection.asPromise();
    } catch (error) {
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach MongoDB at ${where}`, { cause: error });
    }
  } else {
    where = describeHosts(opts.uri);
    owned = true;
    let created: Connection | undefined;
    try {
      created = mongoose.createConnection(opts.uri, {
        serverSelectionTimeoutMS: opts.serverSelectionTimeoutMs,
        dbName: opts.dbName ?? databaseName(opts.uri),
        autoIndex: false,
        autoCreate: false,
        bufferCommands: false,
      });
      await created.asPromise();
    } catch (error) {
      await created?.destroy(true).catch(() => {});
      throw unreachableError(error, opts.uri, opts.serverSelectionTimeoutMs);
    }
    connection = created;
  }

  try {
    const problem = replicaSetProblem(await hello(connection), where);
    if (problem) throw problem;
    const models = registerModels(connection);
    if (opts.createIndexes !== false) await createCollectionsAndIndexes(connection);
    return new MongoStoreImpl(connection, owned, models).asStore();
  } catch (error) {
    if (owned) await connection.destroy(true).catch(() => {});
    if (error instanceof StoreError) throw error;
    const shown = 'uri' in opts ? redactUri(opts.uri) : where;
    throw new StoreError('STORE_UNAVAILABLE', `cannot use MongoDB at ${where} (${shown}): ${messageOf(error)}`, {
      cause: error,
    });
  }
}

async function hello(connection: Connection): Promise<HelloReply> {
  const db = connection.db;
  if (!db) throw new StoreError('STORE_UNAVAILABLE', 'the MongoDB connection has no database');
  try {
    return (await db.command({ hello: 1 })) as HelloReply;
  } catch (error) {
    // Servers before 4.4.2 (and 4.2.10) know only the legacy name.
    if ((error as { code?: unknown }).code === 59) return (await db.command({ isMaster: 1 })) as HelloReply;
    throw error;
  }
}

/** Creates every collection (so that no transaction ever creates one implicitly) and every index. */
async function createCollectionsAndIndexes(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new StoreError('STORE_UNAVAILABLE', 'the MongoDB connection has no database');
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const key of Object.keys(COLLECTIONS) as CollectionKey[]) {
    const name = COLLECTIONS[key];
    if (!existing.has(name)) {
      try {
        await db.createCollection(name);
      } catch (error) {
        // 48 NamespaceExists: another process created it meanwhile.
        if ((error as { code?: unknown }).code !== 48) throw error;
      }
    }
    try {
      await db.collection(name).createIndexes(INDEXES[key].map((index) => ({ ...index })));
    } catch (error) {
      throw new StoreError(
        'STORE_MIGRATION',
        `cannot create the indexes of ${name} (${INDEXES[key].map((i) => i.name).join(', ')}): ${messageOf(error)}. ` +
          'An index of the same name but another definition may be there: drop it and start again.',
        { cause: error },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The store: direct calls, transactions, errors.

type Method = keyof StoreTx;

/** Every method of the port (the compiler checks that none is missing). */
const METHOD_NAMES = {
  markInbound: true,
  getOwner: true,
  findOwnerByIdentity: true,
  saveOwner: true,
  listOwners: true,
  findOwnersByPhone: true,
  getStaff: true,
  findStaff: true,
  saveStaff: true,
  listStaff: true,
  getThread: true,
  saveThread: true,
  logMessage: true,
  listMessages: true,
  nextSequence: true,
  getTicket: true,
  getTicketByNumber: true,
  saveTicket: true,
  listTickets: true,
  scheduleJob: true,
  cancelJobs: true,
  getJob: true,
  claimJobs: true,
  completeJob: true,
  retryJob: true,
  failJob: true,
  releaseJob: true,
  listJobs: true,
  enqueue: true,
  claimOutbox: true,
  markOutboxSent: true,
  markOutboxRetry: true,
  markOutboxDead: true,
  listOutbox: true,
  setMessageRef: true,
  getMessageRef: true,
  findRefByMessage: true,
  getSetting: true,
  setSetting: true,
  createSurveyCampaign: true,
  saveSurveyCampaign: true,
  getSurveyCampaign: true,
  listSurveyCampaigns: true,
  addSurveyInvitation: true,
  getSurveyInvitation: true,
  updateSurveyInvitation: true,
  listSurveyInvitations: true,
  listSurveyInvitationsOfOwner: true,
  addSurveyResponse: true,
  getSurveyResponse: true,
  listSurveyResponses: true,
  setSurveyOptOut: true,
  clearSurveyOptOut: true,
  getSurveyOptOut: true,
  listSurveyOptOuts: true,
} as const satisfies Record<Method, true>;

const METHODS = Object.keys(METHOD_NAMES) as Method[];

/** Direct calls of these run in a transaction of their own: they write several documents. */
const DIRECT_IN_TRANSACTION: ReadonlySet<Method> = new Set<Method>(['enqueue']);

function facade(call: (method: Method, args: unknown[]) => Promise<unknown>): StoreTx {
  const tx: Partial<Record<Method, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of METHODS) tx[method] = (...args: unknown[]) => call(method, args);
  return tx as StoreTx;
}

function invoke(target: StoreTx, method: Method, args: unknown[]): Promise<unknown> {
  return (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
}

/** The transaction the current async context is inside, if any. */
const insideTransaction = new AsyncLocalStorage<{ store: MongoStoreImpl; active: boolean }>();

class MongoStoreImpl {
  private closed = false;
  private readonly direct: MongoOps;

  constructor(
    private readonly connection: Connection,
    private readonly owned: boolean,
    private readonly models: Models,
  ) {
    this.direct = new MongoOps(models, undefined);
  }

  asStore(): MongoStore {
    const direct = facade((method, args) => this.call(method, args));
    return Object.assign(direct, {
      transaction: <T>(fn: (tx: StoreTx) => Promise<T>) => this.transaction(fn),
      close: () => this.close(),
      maintenance: new Maintenance(this.models, () => this.assertOpen()),
    });
  }

  private async call(method: Method, args: unknown[]): Promise<unknown> {
    this.refuseReentry(method);
    this.assertOpen();
    if (DIRECT_IN_TRANSACTION.has(method)) return this.transaction((tx) => invoke(tx, method, args));
    try {
      return await invoke(this.direct, method, args);
    } catch (error) {
      throw toStoreError(error, method) ?? error;
    }
  }

  private async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.refuseReentry('transaction');
    this.assertOpen();
    try {
      return await this.connection.transaction(async (session) => {
        // One attempt: the driver calls this again after a transient conflict.
        const context = { store: this, active: true };
        let transient: unknown;
        const ops = new MongoOps(this.models, session);
        const tx = facade(async (method, args) => {
          if (!context.active) {
            throw new StoreError('STORE_UNAVAILABLE', `${method} called on a transaction that has ended`);
          }
          try {
            return await invoke(ops, method, args);
          } catch (error) {
            if (isTransient(error)) transient ??= error;
            throw toStoreError(error, method) ?? error;
          }
        });
        try {
          const result = await insideTransaction.run(context, () => fn(tx));
          // The server aborted this attempt even if fn carried on: let the driver run it again.
          if (transient !== undefined) throw transient;
          return result;
        } catch (error) {
          throw transient ?? error;
        } finally {
          context.active = false;
        }
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      throw toStoreError(error, 'transaction') ?? error;
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.refuseReentry('close');
    this.closed = true;
    if (this.owned) await this.connection.destroy();
  }

  private refuseReentry(method: string): void {
    const context = insideTransaction.getStore();
    if (context?.active && context.store === this) {
      throw new StoreError(
        'STORE_CONFLICT',
        `${method} called on the store from inside one of its transactions: use the tx passed to the callback`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_UNAVAILABLE', 'the store is closed');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isMongoError(error: unknown): error is InstanceType<typeof mongoose.mongo.MongoError> {
  return error instanceof mongoose.mongo.MongoError;
}

function isTransient(error: unknown): boolean {
  return isMongoError(error) && error.hasErrorLabel('TransientTransactionError');
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * Maps a MongoDB or mongoose failure to a StoreError; undefined for anything else (the caller rethrows
 * it as it is). Messages name the fields or paths, never the values (they may be personal data).
 */
export function toStoreError(error: unknown, what: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (isDuplicateKey(error)) {
    const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
    const fields = pattern ? Object.keys(pattern).join(', ') : 'unique key';
    return new StoreError('STORE_CONFLICT', `${what}: duplicate ${fields}`, { cause: error });
  }
  if (error instanceof mongoose.Error.ValidationError) {
    return new StoreError(
      'STORE_CORRUPT',
      `${what}: refused a document that does not fit the schema (${Object.keys(error.errors).join(', ')})`,
      { cause: error },
    );
  }
  if (error instanceof mongoose.Error.CastError || error instanceof mongoose.Error.StrictModeError) {
    return new StoreError('STORE_CORRUPT', `${what}: refused a value the schema does not allow (${error.path})`, {
      cause: error,
    });
  }
  if (isMongoError(error)) {
    if (isTransient(error) || error.code === 112) {
      const name = (error as { codeName?: string }).codeName ?? error.name;
      return new StoreError('STORE_CONFLICT', `${what}: conflicting write (${name})`, { cause: error });
    }
    return new StoreError('STORE_UNAVAILABLE', `${what}: ${error.name}${error.code ? ` ${error.code}` : ''}`, {
      cause: error,
    });
  }
  if (error instanceof mongoose.Error) {
    return new StoreError('STORE_UNAVAILABLE', `${what}: ${error.name}: ${error.message}`, { cause: error });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The operations, on one session (inside a transaction) or none (a direct call).

/** SQLite's LIMIT: a negative limit means none; so here does one too large for the server. */
function limitOf(limit: number): number | undefined {
  if (limit < 0 || limit >= 2 ** 31 - 1) return undefined;
  return Math.floor(limit);
}

const UNFINISHED: OutboxStatus[] = ['pending', 'sending'];

/** Atomically adds `by` to the named counter (creating it at `by`) and returns the new value. */
async function bump(
  model: Model<CounterDoc>,
  name: string,
  by: number,
  session: ClientSession | undefined,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const doc = await model
        .findOneAndUpdate({ name }, { $inc: { value: by } }, { upsert: true, returnDocument: 'after', session })
        .lean<CounterDoc>();
      if (!doc) throw new StoreError('STORE_CORRUPT', `counter ${name} upsert returned no document`);
      return doc.value;
    } catch (error) {
      // Two first increments at once outside a transaction: one inserts, the other tries again.
      if (!session && isDuplicateKey(error) && attempt < 3) continue;
      throw error;
    }
  }
}

/** An upsert that tries again when a concurrent first insert of the same key wins (outside transactions). */
async function upsert(session: ClientSession | undefined, write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (!session && isDuplicateKey(error) && attempt < 3) continue;
      throw error;
    }
  }
}

class MongoOps implements StoreTx {
  constructor(
    private readonly m: Models,
    private readonly session: ClientSession | undefined,
  ) {}

  /** Options every operation takes. */
  private get o(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  async markInbound(channel: Channel, messageId: string, at: Date): Promise<boolean> {
    try {
      const result = await this.m.inbound.updateOne(
        { channel, messageId },
        { $setOnInsert: { at: new Date(at.getTime()) } satisfies Partial<InboundDoc> },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      // The same id delivered to two processes at once: one of them records it.
      if (!this.session && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async getOwner(id: string): Promise<Owner | undefined> {
    const doc = await this.m.owners.findOne({ id }, null, this.o).lean<OwnerDoc>();
    return doc ? ownerFromDoc(doc) : undefined;
  }

  async findOwnerByIdentity(channel: Channel, userId: string): Promise<Owner | undefined> {
    const doc = await this.m.owners
      .findOne({ identityKeys: identityKey(channel, userId) }, null, this.o)
      .lean<OwnerDoc>();
    return doc ? ownerFromDoc(doc) : undefined;
  }

  async saveOwner(owner: Owner): Promise<void> {
    const doc = ownerToDoc(owner);
    // Checked first so that a refusal inside a transaction does not abort it; the unique index decides races.
    if (doc.identityKeys) {
      const clash = await this.m.owners
        .findOne({ identityKeys: { $in: doc.identityKeys }, id: { $ne: owner.id } }, { id: 1 }, this.o)
        .lean();
      if (clash) throw new StoreError('STORE_CONFLICT', 'saveOwner: an identity belongs to another owner');
    }
    await this.m.owners.replaceOne({ id: owner.id }, doc, { upsert: true, runValidators: true, ...this.o });
  }

  async listOwners(): Promise<Owner[]> {
    const docs = await this.m.owners.find({}, null, this.o).sort({ createdAt: 1, id: 1 }).lean<OwnerDoc[]>();
    return docs.map(ownerFromDoc);
  }

  async findOwnersByPhone(phone: string): Promise<Owner[]> {
    const docs = await this.m.owners.find({ phone }, null, this.o).sort({ createdAt: 1, id: 1 }).lean<OwnerDoc[]>();
    return docs.map(ownerFromDoc);
  }

  async getStaff(id: string): Promise<Staff | undefined> {
    const doc = await this.m.staff.findOne({ id }, null, this.o).lean<StaffDoc>();
    return doc ? staffFromDoc(doc) : undefined;
  }

  async findStaff(channel: Channel, userId: string): Promise<Staff | undefined> {
    const doc = await this.m.staff.findOne({ channel, userId }, null, this.o).lean<StaffDoc>();
    return doc ? staffFromDoc(doc) : undefined;
  }

  async saveStaff(staff: Staff): Promise<void> {
    const clash = await this.m.staff
      .findOne({ channel: staff.channel, userId: staff.userId, id: { $ne: staff.id } }, { id: 1 }, this.o)
      .lean();
    if (clash) throw new StoreError('STORE_CONFLICT', 'saveStaff: the identity belongs to another staff member');
    await this.m.staff.replaceOne({ id: staff.id }, staffToDoc(staff), {
      upsert: true,
      runValidators: true,
      ...this.o,
    });
  }

  async listStaff(): Promise<Staff[]> {
    const docs = await this.m.staff.find({}, null, this.o).sort({ id: 1 }).lean<StaffDoc[]>();
    return docs.map(staffFromDoc);
  }

  async getThread(channel: Channel, chatId: string): Promise<Thread | undefined> {
    const doc = await this.m.threads.findOne({ channel, chatId }, null, this.o).lean<ThreadDoc>();
    return doc ? threadFromDoc(doc) : undefined;
  }

  async saveThread(thread: Thread): Promise<void> {
    const doc = threadToDoc(thread);
    await upsert(this.session, () =>
      this.m.threads.replaceOne({ channel: thread.channel, chatId: thread.chatId }, doc, {
        upsert: true,
        runValidators: true,
        ...this.o,
      }),
    );
  }

  /** Numbered per chat from a counter, so that the chat's order is the order of logging. */
  async logMessage(entry: MessageLogEntry): Promise<void> {
    const seq = await bump(this.m.sequences, `message_log:${entry.channel}:${entry.chatId}`, 1, this.session);
    await this.m.messages.insertMany([messageToDoc(entry, seq)], this.o);
  }

  async listMessages(channel: Channel, chatId: string, limit = 100): Promise<MessageLogEntry[]> {
    const n = limitOf(limit);
    if (n === 0) return [];
    let query = this.m.messages.find({ channel, chatId }, null, this.o).sort({ seq: -1 });
    if (n !== undefined) query = query.limit(n);
    const docs = await query.lean<MessageDoc[]>();
    return docs.reverse().map(messageFromDoc);
  }

  nextSequence(name: string): Promise<number> {
    return bump(this.m.counters, name, 1, this.session);
  }

  async getTicket(id: string): Promise<Ticket | undefined> {
    const doc = await this.m.tickets.findOne({ id }, null, this.o).lean<TicketDoc>();
    return doc ? ticketFromDoc(doc) : undefined;
  }

  async getTicketByNumber(number: string): Promise<Ticket | undefined> {
    const doc = await this.m.tickets.findOne({ number }, null, this.o).lean<TicketDoc>();
    return doc ? ticketFromDoc(doc) : undefined;
  }

  async saveTicket(ticket: Ticket): Promise<void> {
    const clash = await this.m.tickets
      .findOne({ number: ticket.number, id: { $ne: ticket.id } }, { id: 1 }, this.o)
      .lean();
    if (clash) throw new StoreError('STORE_CONFLICT', 'saveTicket: another ticket has this number');
    await this.m.tickets.replaceOne({ id: ticket.id }, ticketToDoc(ticket), {
      upsert: true,
      runValidators: true,
      ...this.o,
    });
  }

  /** Newest first, ties in the order the tickets were first saved; an empty `statuses` matches nothing. */
  async listTickets(query: TicketQuery): Promise<Ticket[]> {
    const filter: Record<string, unknown> = {};
    if (query.ownerId !== undefined) filter.ownerId = query.ownerId;
    if (query.assigneeId !== undefined) filter['assignee.id'] = query.assigneeId;
    if (query.statuses !== undefined) {
      if (query.statuses.length === 0) return [];
      filter.status = { $in: [...query.statuses] };
    }
    const n = limitOf(query.limit ?? 50);
    if (n === 0) return [];
    let find = this.m.tickets.find(filter, null, this.o).sort({ createdAt: -1, _id: -1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<TicketDoc[]>();
    return docs.map(ticketFromDoc);
  }

  async scheduleJob(job: NewJob, now: Date): Promise<Job> {
    const unfinished = async () =>
      job.key === undefined ? null : await this.m.jobs.findOne({ unfinishedKey: job.key }, null, this.o).lean<JobDoc>();
    const existing = await unfinished();
    if (existing) return jobFromDoc(existing);
    const created: Job = {
      id: job.id,
      type: job.type,
      dueAt: job.dueAt,
      payload: job.payload,
      status: 'pending',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (job.key !== undefined) created.key = job.key;
    const doc = jobToDoc(created);
    try {
      await this.m.jobs.insertMany([doc], this.o);
    } catch (error) {
      // Another process scheduled the same key meanwhile: return its job, as if it had been first.
      if (!this.session && isDuplicateKey(error)) {
        const winner = await unfinished();
        if (winner) return jobFromDoc(winner);
      }
      throw error;
    }
    return jobFromDoc(doc);
  }

  async cancelJobs(key: string, now: Date): Promise<number> {
    const result = await this.m.jobs.updateMany(
      { key, status: 'pending' },
      { $set: { status: 'cancelled', updatedAt: now }, $unset: { unfinishedKey: 1 } },
      this.o,
    );
    return result.modifiedCount;
  }

  async getJob(id: string): Promise<Job | undefined> {
    const doc = await this.m.jobs.findOne({ id }, null, this.o).lean<JobDoc>();
    return doc ? jobFromDoc(doc) : undefined;
  }

  /** Leases one job at a time, earliest due first (ties in scheduling order), until `limit` or none is left. */
  async claimJobs(now: Date, worker: string, leaseMs: number, limit: number): Promise<Job[]> {
    const n = limitOf(limit) ?? Number.POSITIVE_INFINITY;
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: Job[] = [];
    while (claimed.length < n) {
      const doc = await this.m.jobs
        .findOneAndUpdate(
          {
            $or: [
              { status: 'pending', dueAt: { $lte: now } },
              { status: 'running', leaseUntil: { $lt: now } },
            ],
            id: { $nin: claimed.map((job) => job.id) },
          },
          { $set: { status: 'running', leaseOwner: worker, leaseUntil, updatedAt: now }, $inc: { attempts: 1 } },
          { sort: { dueAt: 1, _id: 1 }, returnDocument: 'after', ...this.o },
        )
        .lean<JobDoc>();
      if (!doc) break;
      claimed.push(jobFromDoc(doc));
    }
    return claimed;
  }

  /** Changes a running job while `worker` holds its lease; true when it did. */
  private async leased(
    id: string,
    worker: string,
    update: Record<string, unknown> | Record<string, unknown>[],
  ): Promise<boolean> {
    const result = await this.m.jobs.updateOne({ id, status: 'running', leaseOwner: worker }, update, {
      ...this.o,
      ...(Array.isArray(update) ? { updatePipeline: true } : {}),
    });
    return result.matchedCount === 1;
  }

  completeJob(id: string, worker: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'done', updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1, unfinishedKey: 1 },
    });
  }

  retryJob(id: string, worker: string, dueAt: Date, error: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'pending', dueAt, lastError: error, updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1 },
    });
  }

  failJob(id: string, worker: string, error: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'failed', lastError: error, updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1, unfinishedKey: 1 },
    });
  }

  /** Back to pending without counting the attempt its claim counted. */
  releaseJob(id: string, worker: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, [
      { $set: { status: 'pending', attempts: { $max: [{ $subtract: ['$attempts', 1] }, 0] }, updatedAt: now } },
      { $unset: ['leaseOwner', 'leaseUntil'] },
    ]);
  }

  async listJobs(filter: { status?: JobStatus; type?: string }): Promise<Job[]> {
    const query: Record<string, unknown> = {};
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.type !== undefined) query.type = filter.type;
    const docs = await this.m.jobs.find(query, null, this.o).sort({ dueAt: 1, _id: 1 }).lean<JobDoc[]>();
    return docs.map(jobFromDoc);
  }

  /**
   * Takes a block of `seq` values from the store's counter inside the transaction, so that a lower seq
   * is never committed after a higher one: the order across the store is the order of commits.
   */
  async enqueue(items: NewOutboxItem[], now: Date): Promise<void> {
    if (items.length === 0) return;
    const last = await bump(this.m.sequences, 'outbox', items.length, this.session);
    const first = last - items.length + 1;
    // Nothing waits behind an item due later: each item is due no later than any later item of its chat
    // in this batch, and the chat's deferred items already queued are brought forward the same way.
    const soonest = new Map<string, Date>();
    const due: Date[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i] as NewOutboxItem;
      const key = `${item.channel}\u0000${item.chatId}`;
      const own = item.notBefore ?? now;
      const later = soonest.get(key);
      const at = later && later.getTime() < own.getTime() ? later : own;
      soonest.set(key, at);
      due[i] = at;
    }
    for (const item of items) {
      const at = soonest.get(`${item.channel}\u0000${item.chatId}`) as Date;
      if (!soonest.delete(`${item.channel}\u0000${item.chatId}`)) continue;
      await this.m.outbox.updateMany(
        {
          channel: item.channel,
          chatId: item.chatId,
          status: 'pending',
          attempts: 0,
          lastError: { $exists: false },
          notBefore: { $gt: at },
        },
        { $set: { notBefore: at } },
        this.o,
      );
    }
    const docs = items.map((item, i) =>
      outboxToDoc(
        {
          id: item.id,
          channel: item.channel,
          chatId: item.chatId,
          action: item.action,
          status: 'pending',
          attempts: 0,
          notBefore: due[i] as Date,
          createdAt: now,
        },
        first + i,
      ),
    );
    await this.m.outbox.insertMany(docs, { ordered: true, ...this.o });
  }

  async claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    const n = limitOf(limit);
    if (n === 0) return [];
    const deliverable: Record<string, unknown> = {
      $or: [
        { status: 'pending', notBefore: { $lte: now } },
        { status: 'sending', leaseUntil: { $lt: now } },
      ],
    };
    // The head of every chat (its lowest unfinished seq), kept when it can be delivered now.
    const heads = await this.m.outbox
      .aggregate<{ id: string }>([
        { $match: { status: { $in: UNFINISHED } } },
        { $sort: { channel: 1, chatId: 1, seq: 1 } },
        {
          $group: {
            _id: { channel: '$channel', chatId: '$chatId' },
            id: { $first: '$id' },
            seq: { $first: '$seq' },
            status: { $first: '$status' },
            notBefore: { $first: '$notBefore' },
            leaseUntil: { $first: '$leaseUntil' },
          },
        },
        { $match: deliverable },
        { $sort: { seq: 1 } },
        ...(n === undefined ? [] : [{ $limit: n }]),
        { $project: { _id: 0, id: 1 } },
      ])
      .session(this.session ?? null);
    // A head stays its chat's head until it is finished (no lower seq is ever committed later), so
    // leasing it under the same condition is enough; one that another worker took meanwhile is skipped.
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: OutboxItem[] = [];
    for (const head of heads) {
      const doc = await this.m.outbox
        .findOneAndUpdate(
          { id: head.id, ...deliverable },
          { $set: { status: 'sending', leaseOwner: worker, leaseUntil, updatedAt: now } },
          { returnDocument: 'after', ...this.o },
        )
        .lean<OutboxDoc>();
      if (doc) claimed.push(outboxFromDoc(doc));
    }
    return claimed;
  }

  async markOutboxSent(id: string, platformMessageId: string | undefined, now: Date): Promise<void> {
    const set: Record<string, unknown> = { status: 'sent', updatedAt: now };
    const unset: Record<string, 1> = { leaseOwner: 1, leaseUntil: 1 };
    if (platformMessageId === undefined) unset.platformMessageId = 1;
    else set.platformMessageId = platformMessageId;
    await this.m.outbox.updateOne({ id, status: { $in: UNFINISHED } }, { $set: set, $unset: unset }, this.o);
  }

  async markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): Promise<void> {
    const set: Record<string, unknown> = { status: 'pending', notBefore };
    if (error !== undefined) set.lastError = error;
    await this.m.outbox.updateOne(
      { id, status: { $in: UNFINISHED } },
      { $set: set, $inc: { attempts: countAttempt ? 1 : 0 }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
      this.o,
    );
  }

  async markOutboxDead(id: string, error: string, now: Date): Promise<void> {
    await this.m.outbox.updateOne(
      { id, status: { $in: UNFINISHED } },
      { $set: { status: 'dead', lastError: error, updatedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
      this.o,
    );
  }

  async listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): Promise<OutboxItem[]> {
    const query: Record<string, unknown> = {};
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.channel !== undefined) query.channel = filter.channel;
    if (filter.chatId !== undefined) query.chatId = filter.chatId;
    const docs = await this.m.outbox.find(query, null, this.o).sort({ seq: 1 }).lean<OutboxDoc[]>();
    return docs.map(outboxFromDoc);
  }

  async setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): Promise<void> {
    await upsert(this.session, () =>
      this.m.messageRefs.updateOne(
        { channel, chatId, ref },
        { $set: { platformMessageId } satisfies Partial<MessageRefDoc> },
        { upsert: true, ...this.o },
      ),
    );
  }

  async getMessageRef(channel: Channel, chatId: string, ref: string): Promise<string | undefined> {
    const doc = await this.m.messageRefs.findOne({ channel, chatId, ref }, null, this.o).lean<MessageRefDoc>();
    return doc?.platformMessageId ?? undefined;
  }

  /** The ref created last for that message, as SQLite's rowid order has it. */
  async findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): Promise<string | undefined> {
    const doc = await this.m.messageRefs
      .findOne({ channel, chatId, platformMessageId }, null, this.o)
      .sort({ _id: -1 })
      .lean<MessageRefDoc>();
    return doc?.ref ?? undefined;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const doc = await this.m.settings.findOne({ key }, null, this.o).lean<SettingDoc>();
    return doc?.value ?? undefined;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await upsert(this.session, () =>
      this.m.settings.updateOne(
        { key },
        { $set: { value } satisfies Partial<SettingDoc> },
        { upsert: true, ...this.o },
      ),
    );
  }

  // ── satisfaction surveys ──────────────────────────────────────────────────

  async createSurveyCampaign(campaign: SurveyCampaign): Promise<void> {
    // Checked first so that a refusal inside a transaction does not abort it.
    if (await this.m.surveyCampaigns.exists({ id: campaign.id }).session(this.session ?? null)) {
      throw new StoreError('STORE_CONFLICT', 'createSurveyCampaign: the id is taken');
    }
    await this.m.surveyCampaigns.insertMany([campaignToDoc(campaign)], this.o);
  }

  async saveSurveyCampaign(campaign: SurveyCampaign): Promise<void> {
    const doc = campaignToDoc(campaign);
    await upsert(this.session, () =>
      this.m.surveyCampaigns.replaceOne({ id: campaign.id }, doc, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async getSurveyCampaign(id: string): Promise<SurveyCampaign | undefined> {
    const doc = await this.m.surveyCampaigns.findOne({ id }, null, this.o).lean<SurveyCampaignDoc>();
    return doc ? campaignFromDoc(doc) : undefined;
  }

  async listSurveyCampaigns(
    filter: { questionnaireId?: string; statuses?: readonly SurveyCampaignStatus[] } = {},
  ): Promise<SurveyCampaign[]> {
    const query: Record<string, unknown> = {};
    if (filter.questionnaireId !== undefined) query.questionnaireId = filter.questionnaireId;
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    const docs = await this.m.surveyCampaigns
      .find(query, null, this.o)
      .sort({ createdAt: -1, id: -1 })
      .lean<SurveyCampaignDoc[]>();
    return docs.map(campaignFromDoc);
  }

  async addSurveyInvitation(invitation: SurveyInvitation): Promise<boolean> {
    const { campaignId, ownerId, ...rest } = invitationToDoc(invitation);
    try {
      const result = await this.m.surveyInvitations.updateOne(
        { campaignId, ownerId },
        { $setOnInsert: rest },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async getSurveyInvitation(campaignId: string, ownerId: string): Promise<SurveyInvitation | undefined> {
    const doc = await this.m.surveyInvitations
      .findOne({ campaignId, ownerId }, null, this.o)
      .lean<SurveyInvitationDoc>();
    return doc ? invitationFromDoc(doc) : undefined;
  }

  async updateSurveyInvitation(invitation: SurveyInvitation): Promise<void> {
    await this.m.surveyInvitations.replaceOne(
      { campaignId: invitation.campaignId, ownerId: invitation.ownerId },
      invitationToDoc(invitation),
      { runValidators: true, ...this.o },
    );
  }

  async listSurveyInvitations(
    campaignId: string,
    filter: { statuses?: readonly SurveyInvitationStatus[]; contactedBefore?: Date; limit?: number } = {},
  ): Promise<SurveyInvitation[]> {
    const query: Record<string, unknown> = { campaignId };
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    if (filter.contactedBefore !== undefined) query.lastContactAt = { $lt: filter.contactedBefore };
    const n = filter.limit === undefined ? undefined : limitOf(filter.limit);
    if (n === 0) return [];
    let find = this.m.surveyInvitations.find(query, null, this.o).sort({ invitedAt: 1, ownerId: 1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<SurveyInvitationDoc[]>();
    return docs.map(invitationFromDoc);
  }

  async listSurveyInvitationsOfOwner(ownerId: string): Promise<SurveyInvitation[]> {
    const docs = await this.m.surveyInvitations
      .find({ ownerId }, null, this.o)
      .sort({ invitedAt: -1, campaignId: -1 })
      .lean<SurveyInvitationDoc[]>();
    return docs.map(invitationFromDoc);
  }

  /** False when the owner answered already; a response id used by another response is a conflict. */
  async addSurveyResponse(response: SurveyResponse): Promise<boolean> {
    const { campaignId, ownerId, ...rest } = responseToDoc(response);
    if (!this.session) {
      // Outside a transaction a duplicate (campaign, owner) raced in is "answered already", not a conflict.
      const existing = await this.m.surveyResponses.exists({ campaignId, ownerId });
      if (existing) return false;
    } else {
      // Checked first so that a clash of ids does not abort the transaction.
      const clash = await this.m.surveyResponses
        .exists({ id: response.id, $or: [{ campaignId: { $ne: campaignId } }, { ownerId: { $ne: ownerId } }] })
        .session(this.session);
      if (clash) throw new StoreError('STORE_CONFLICT', 'addSurveyResponse: the response id is taken');
    }
    try {
      const result = await this.m.surveyResponses.updateOne(
        { campaignId, ownerId },
        { $setOnInsert: rest },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) {
        const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
        if (pattern && 'campaignId' in pattern) return false;
      }
      throw error;
    }
  }

  async getSurveyResponse(campaignId: string, ownerId: string): Promise<SurveyResponse | undefined> {
    const doc = await this.m.surveyResponses.findOne({ campaignId, ownerId }, null, this.o).lean<SurveyResponseDoc>();
    return doc ? responseFromDoc(doc) : undefined;
  }

  async listSurveyResponses(campaignId: string): Promise<SurveyResponse[]> {
    const docs = await this.m.surveyResponses
      .find({ campaignId }, null, this.o)
      .sort({ submittedAt: 1, id: 1 })
      .lean<SurveyResponseDoc[]>();
    return docs.map(responseFromDoc);
  }

  /** Keeps the first instant. */
  async setSurveyOptOut(ownerId: string, at: Date): Promise<void> {
    try {
      await this.m.surveyOptOuts.updateOne(
        { ownerId },
        { $setOnInsert: { at: new Date(at.getTime()) } },
        { upsert: true, ...this.o },
      );
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) return;
      throw error;
    }
  }

  async clearSurveyOptOut(ownerId: string): Promise<boolean> {
    const result = await this.m.surveyOptOuts.deleteOne({ ownerId }, this.o);
    return result.deletedCount === 1;
  }

  async getSurveyOptOut(ownerId: string): Promise<Date | undefined> {
    const doc = await this.m.surveyOptOuts.findOne({ ownerId }, null, this.o).lean<SurveyOptOutDoc>();
    return doc ? optOutFromDoc(doc) : undefined;
  }

  async listSurveyOptOuts(): Promise<string[]> {
    const docs = await this.m.surveyOptOuts
      .find({}, { ownerId: 1 }, this.o)
      .sort({ ownerId: 1 })
      .lean<Pick<SurveyOptOutDoc, 'ownerId'>[]>();
    return docs.map((doc) => doc.ownerId);
  }
}

// ---------------------------------------------------------------------------------------------------
// Maintenance: what a migration writes beyond the port.

const COUNTED = STORE_COLLECTIONS satisfies readonly (keyof MongoCounts & CollectionKey)[];

class Maintenance implements MongoMaintenance {
  constructor(
    private readonly m: Models,
    private readonly assertOpen: () => void,
  ) {}

  private async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, what) ?? error;
    }
  }

  counts(): Promise<MongoCounts> {
    return this.run('counts', async () => {
      const values = await Promise.all(
        COUNTED.map((key) => (this.m[key] as unknown as Model<unknown>).countDocuments({}).exec()),
      );
      const counts: Partial<MongoCounts> = {};
      COUNTED.forEach((key, i) => {
        counts[key] = values[i] ?? 0;
      });
      return counts as MongoCounts;
    });
  }

  hasInbound(channel: Channel, messageId: string): Promise<boolean> {
    return this.run('hasInbound', async () => (await this.m.inbound.exists({ channel, messageId })) !== null);
  }

  counterValue(name: string): Promise<number | undefined> {
    return this.run('counterValue', async () => {
      const doc = await this.m.counters.findOne({ name }).lean<CounterDoc>();
      return doc?.value ?? undefined;
    });
  }

  raiseCounter(name: string, value: number): Promise<void> {
    return this.run('raiseCounter', async () => {
      await this.m.counters.updateOne({ name }, { $max: { value } }, { upsert: true });
    });
  }

  putJob(job: Job): Promise<void> {
    return this.run('putJob', async () => {
      await this.m.jobs.replaceOne({ id: job.id }, jobToDoc(job), { upsert: true, runValidators: true });
    });
  }

  putOutbox(item: OutboxItem): Promise<void> {
    return this.run('putOutbox', async () => {
      const existing = await this.m.outbox.findOne({ id: item.id }, { seq: 1 }).lean<Pick<OutboxDoc, 'seq'>>();
      const seq = existing?.seq ?? (await bump(this.m.sequences, 'outbox', 1, undefined));
      await this.m.outbox.replaceOne({ id: item.id }, outboxToDoc(item, seq), { upsert: true, runValidators: true });
    });
  }
}
