/**
 * The MongoDB store: mongoose 9 behind the async Store port, held to the same contract as SQLite.
 *
 * Composed from one module per aggregate (owners, staff, threads, tickets, jobs, outbox, surveys,
 * settings, praise, enquiries, notices, audit, files) over the shared transaction plumbing of `transactions.ts`.
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
import mongoose, { type ClientSession, type Connection, type Model } from 'mongoose';
import type {
  AuditStore,
  ContactStore,
  EnquiryStore,
  FileStore,
  Job,
  JobStore,
  NoticeStore,
  OutboxItem,
  OutboxStore,
  OwnerStore,
  PraiseStore,
  SettingStore,
  StaffStore,
  Store,
  StoreTx,
  SurveyStore,
  ThreadStore,
  TicketStore,
} from '../../../core/ports.js';
import { StoreError } from '../../../core/ports.js';
import type { Channel } from '../../../core/types.js';
import { AGGREGATES } from '../shared/methods.js';
import { AUDIT_COLLECTION, AUDIT_INDEXES, type AuditDoc, MongoAudit, registerAuditModel } from './audit.js';
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
  addTicketSource,
  CONTACT_INDEXES,
  CONTACTS_COLLECTION,
  MongoContacts,
  registerContactModel,
} from './contacts.js';
import { MongoEnquiries } from './enquiries.js';
import { FILE_INDEXES, FILES_COLLECTION, MongoFiles, registerFileModel } from './files.js';
import { COLLECTIONS, type CollectionKey, INDEXES, type IndexDefinition } from './indexes.js';
import { MongoJobs } from './jobs.js';
import { type CounterDoc, jobToDoc, type OutboxDoc, outboxToDoc } from './mapping.js';
import { MongoNotices } from './notices.js';
import { MongoOutbox } from './outbox.js';
import { MongoOwners } from './owners.js';
import { MongoPraise } from './praise.js';
import { type Models, registerModels } from './schemas.js';
import { MongoSettings } from './settings.js';
import { MongoStaff } from './staff.js';
import { MongoSurveys } from './surveys.js';
import { MongoThreads } from './threads.js';
import { MongoTickets } from './tickets.js';
import { bump, MongoTransactions, messageOf, toStoreError } from './transactions.js';

export { toStoreError } from './transactions.js';

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
  praise: number;
  enquiries: number;
  knowledgeEntries: number;
  notices: number;
  noticeDeliveries: number;
  /** The collections kept apart from the others (contacts.ts, audit.ts, files.ts). */
  contacts: number;
  auditLog: number;
  outboxFiles: number;
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
    addTicketSource();
    const models = registerModels(connection);
    const contacts = registerContactModel(connection);
    const audit = registerAuditModel(connection);
    const files = registerFileModel(connection);
    if (opts.createIndexes !== false) {
      await createCollectionsAndIndexes(connection);
    }
    const runner = new MongoTransactions(connection, owned, (session) => ({
      ...composeOps(models, audit, files, session),
      ...bind<ContactStore>(new MongoContacts(contacts, session), AGGREGATES.contacts),
    }));
    const apart: ApartModels = { contacts, auditLog: audit, outboxFiles: files };
    return Object.assign(runner.asStore(), {
      maintenance: new Maintenance(models, apart, () => runner.assertOpen()),
    });
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

/** The collections whose schema and indexes live in their own module (contacts.ts, audit.ts, files.ts). */
const APART: readonly (readonly [string, readonly IndexDefinition[]])[] = [
  [CONTACTS_COLLECTION, CONTACT_INDEXES],
  [AUDIT_COLLECTION, AUDIT_INDEXES],
  [FILES_COLLECTION, FILE_INDEXES],
];

/** Creates every collection (so that no transaction ever creates one implicitly) and every index. */
async function createCollectionsAndIndexes(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new StoreError('STORE_UNAVAILABLE', 'the MongoDB connection has no database');
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const all = [
    ...(Object.keys(COLLECTIONS) as CollectionKey[]).map((k) => [COLLECTIONS[k], INDEXES[k]] as const),
    ...APART,
  ];
  for (const [name, indexes] of all) {
    if (!existing.has(name)) {
      try {
        await db.createCollection(name);
      } catch (error) {
        // 48 NamespaceExists: another process created it meanwhile.
        if ((error as { code?: unknown }).code !== 48) throw error;
      }
    }
    try {
      await db.collection(name).createIndexes(indexes.map((index) => ({ ...index })));
    } catch (error) {
      throw new StoreError(
        'STORE_MIGRATION',
        `cannot create the indexes of ${name} (${indexes.map((i) => i.name).join(', ')}): ${messageOf(error)}. ` +
          'An index of the same name but another definition may be there: drop it and start again.',
        { cause: error },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The port, composed from one class per aggregate on the same session (or none).

/** Binds the methods of `group` (one aggregate's part of the port) on `part`. */
function bind<P extends object>(part: P, group: Record<keyof P, unknown>): P {
  const bound: Record<string, unknown> = {};
  for (const name of Object.keys(group))
    bound[name] = (part as Record<string, (...a: unknown[]) => unknown>)[name]?.bind(part);
  return bound as P;
}

function composeOps(
  m: Models,
  audit: Model<AuditDoc>,
  files: ReturnType<typeof registerFileModel>,
  session: ClientSession | undefined,
): Omit<StoreTx, keyof ContactStore> {
  return {
    ...bind<OwnerStore>(new MongoOwners(m, session), AGGREGATES.owners),
    ...bind<StaffStore>(new MongoStaff(m, session), AGGREGATES.staff),
    ...bind<ThreadStore>(new MongoThreads(m, session), AGGREGATES.threads),
    ...bind<TicketStore>(new MongoTickets(m, session), AGGREGATES.tickets),
    ...bind<JobStore>(new MongoJobs(m, session), AGGREGATES.jobs),
    ...bind<OutboxStore>(new MongoOutbox(m, session), AGGREGATES.outbox),
    ...bind<SurveyStore>(new MongoSurveys(m, session), AGGREGATES.surveys),
    ...bind<SettingStore>(new MongoSettings(m, session), AGGREGATES.settings),
    ...bind<PraiseStore>(new MongoPraise(m, session), AGGREGATES.praise),
    ...bind<EnquiryStore>(new MongoEnquiries(m, session), AGGREGATES.enquiries),
    ...bind<NoticeStore>(new MongoNotices(m, session), AGGREGATES.notices),
    ...bind<AuditStore>(new MongoAudit(audit, session), AGGREGATES.audit),
    ...bind<FileStore>(new MongoFiles(files, m, session), AGGREGATES.files),
  };
}

// ---------------------------------------------------------------------------------------------------
// Maintenance: what a migration writes beyond the port.

const COUNTED = STORE_COLLECTIONS satisfies readonly (keyof MongoCounts & CollectionKey)[];

/** The models of the collections kept apart from `Models`, counted with the others. */
type ApartModels = Record<
  Exclude<keyof MongoCounts, CollectionKey>,
  { countDocuments(filter: Record<string, never>): { exec(): Promise<number> } }
>;

class Maintenance implements MongoMaintenance {
  constructor(
    private readonly m: Models,
    private readonly apart: ApartModels,
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
      for (const key of Object.keys(this.apart) as (keyof ApartModels)[]) {
        counts[key] = await this.apart[key].countDocuments({}).exec();
      }
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
