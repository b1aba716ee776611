/**
 * The SQLite store: better-sqlite3 behind the async Store port.
 *
 * Domain objects are JSON documents (instants as ISO strings) next to the columns the queries need
 * (instants as integer UTC milliseconds); each type has its own explicit mapping in both directions.
 * better-sqlite3 is synchronous, so every transaction in the process goes through one promise-based lock
 * per database file, and takes SQLite's write lock with `BEGIN IMMEDIATE` against other processes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type {
  SurveyCampaign,
  SurveyCampaignStatus,
  SurveyInvitation,
  SurveyInvitationStatus,
  SurveyResponse,
} from '../../../core/ports.js';
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
  type Thread,
  type TicketQuery,
} from '../../../core/ports.js';
import type { Ticket, TimelineEvent } from '../../../core/tickets/ticket.js';
import type { Channel, OutboundAction, Owner, Staff } from '../../../core/types.js';
import { migrate } from './migrations.js';

/** Where the database lives: a file (its directory is created if missing) or `:memory:`. */
export type SqliteStoreOptions = { path: string } | { path: ':memory:' };

/**
 * Opens (creating if needed) and migrates a SQLite database and returns it as a Store.
 *
 * Files use WAL, `synchronous = NORMAL`, `busy_timeout = 5000` and foreign keys. Several processes may
 * open the same file: migrations and transactions take SQLite's write lock, and a process waits up to
 * five seconds for another's lock. Store instances opened on the same file in one process share one
 * in-process lock, so they never wait on each other's SQLite lock while blocking the event loop.
 *
 * Inside `transaction(fn)` use only the `tx` handed to `fn`: calling the store itself (or another
 * instance on the same file) from inside `fn` would wait for the transaction it is part of, so it is
 * refused with `StoreError('STORE_CONFLICT')` instead. `tx` refuses to work once `fn` has settled.
 *
 * Throws `StoreError` (`STORE_UNAVAILABLE`, `STORE_CORRUPT` or `STORE_MIGRATION`) when the database
 * cannot be opened or migrated.
 */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const memory = opts.path === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!memory) mkdirSync(dirname(resolve(opts.path)), { recursive: true });
    db = new Database(opts.path, { timeout: 5000 });
    db.pragma('busy_timeout = 5000');
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    const ops = new SqliteOps(db);
    const lock = memory ? { mutex: new Mutex(), release: () => {} } : acquireFileLock(realpathSync(opts.path));
    return new SqliteStore(db, ops, lock.mutex, lock.release).asStore();
  } catch (error) {
    db?.close();
    throw (
      toStoreError(error, 'open') ?? new StoreError('STORE_UNAVAILABLE', 'cannot open the database', { cause: error })
    );
  }
}

/** Whether a port method only reads (runs in a deferred transaction) or writes (takes the write lock). */
type Access = 'read' | 'write';

const ACCESS = {
  markInbound: 'write',
  getOwner: 'read',
  findOwnerByIdentity: 'read',
  saveOwner: 'write',
  listOwners: 'read',
  findOwnersByPhone: 'read',
  getStaff: 'read',
  findStaff: 'read',
  saveStaff: 'write',
  listStaff: 'read',
  getThread: 'read',
  saveThread: 'write',
  logMessage: 'write',
  listMessages: 'read',
  nextSequence: 'write',
  getTicket: 'read',
  getTicketByNumber: 'read',
  saveTicket: 'write',
  listTickets: 'read',
  scheduleJob: 'write',
  cancelJobs: 'write',
  getJob: 'read',
  claimJobs: 'write',
  completeJob: 'write',
  retryJob: 'write',
  failJob: 'write',
  releaseJob: 'write',
  listJobs: 'read',
  enqueue: 'write',
  claimOutbox: 'write',
  markOutboxSent: 'write',
  markOutboxRetry: 'write',
  markOutboxDead: 'write',
  listOutbox: 'read',
  setMessageRef: 'write',
  getMessageRef: 'read',
  findRefByMessage: 'read',
  getSetting: 'read',
  setSetting: 'write',
  createSurveyCampaign: 'write',
  saveSurveyCampaign: 'write',
  getSurveyCampaign: 'read',
  listSurveyCampaigns: 'read',
  addSurveyInvitation: 'write',
  getSurveyInvitation: 'read',
  updateSurveyInvitation: 'write',
  listSurveyInvitations: 'read',
  listSurveyInvitationsOfOwner: 'read',
  addSurveyResponse: 'write',
  getSurveyResponse: 'read',
  listSurveyResponses: 'read',
  setSurveyOptOut: 'write',
  clearSurveyOptOut: 'write',
  getSurveyOptOut: 'read',
  listSurveyOptOuts: 'read',
} as const satisfies Record<keyof StoreTx, Access>;

type Method = keyof StoreTx;
const METHODS = Object.keys(ACCESS) as Method[];

/** The port's methods, synchronous: what one connection does inside an open transaction. */
type SyncTx = { [K in Method]: StoreTx[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never };

/** Builds a StoreTx whose every method forwards to `call`. */
function facade(call: (method: Method, args: unknown[]) => Promise<unknown>): StoreTx {
  const tx: Partial<Record<Method, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of METHODS) tx[method] = (...args: unknown[]) => call(method, args);
  return tx as StoreTx;
}

function invoke(ops: SyncTx, method: Method, args: unknown[]): unknown {
  return (ops[method] as (...a: unknown[]) => unknown).apply(ops, args);
}

/** A FIFO lock: `acquire` resolves with the function that releases it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

const fileLocks = new Map<string, { mutex: Mutex; refs: number }>();

function acquireFileLock(file: string): { mutex: Mutex; release: () => void } {
  let entry = fileLocks.get(file);
  if (!entry) {
    entry = { mutex: new Mutex(), refs: 0 };
    fileLocks.set(file, entry);
  }
  entry.refs += 1;
  const held = entry;
  return {
    mutex: held.mutex,
    release: () => {
      held.refs -= 1;
      if (held.refs === 0 && fileLocks.get(file) === held) fileLocks.delete(file);
    },
  };
}

/** The transaction the current async context is inside, if any. */
const insideTransaction = new AsyncLocalStorage<{ mutex: Mutex; active: boolean }>();

class SqliteStore {
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    private readonly ops: SqliteOps,
    private readonly mutex: Mutex,
    private readonly releaseFileLock: () => void,
  ) {}

  asStore(): Store {
    const direct = facade((method, args) => this.direct(method, args));
    return Object.assign(direct, {
      transaction: <T>(fn: (tx: StoreTx) => Promise<T>) => this.transaction(fn),
      close: () => this.close(),
    });
  }

  private async direct(method: Method, args: unknown[]): Promise<unknown> {
    this.refuseReentry(method);
    const release = await this.mutex.acquire();
    try {
      this.assertOpen();
      this.db.exec(ACCESS[method] === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      try {
        const result = invoke(this.ops, method, args);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.rollbackQuietly();
        throw error;
      }
    } catch (error) {
      throw toStoreError(error, method) ?? error;
    } finally {
      release();
    }
  }

  private async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.refuseReentry('transaction');
    const release = await this.mutex.acquire();
    const context = { mutex: this.mutex, active: true };
    try {
      this.assertOpen();
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        throw toStoreError(error, 'transaction') ?? error;
      }
      const tx = facade(async (method, args) => {
        if (!context.active) {
          throw new StoreError('STORE_UNAVAILABLE', `${method} called on a transaction that has ended`);
        }
        return ACCESS[method] === 'write' ? this.atomically(method, args) : this.guarded(method, args);
      });
      let result: T;
      try {
        result = await insideTransaction.run(context, () => fn(tx));
      } catch (error) {
        context.active = false;
        this.rollbackQuietly();
        throw error;
      }
      context.active = false;
      try {
        this.db.exec('COMMIT');
      } catch (error) {
        this.rollbackQuietly();
        throw toStoreError(error, 'commit') ?? error;
      }
      return result;
    } finally {
      context.active = false;
      release();
    }
  }

  /** Runs one write method inside a savepoint, so that a failing method leaves no partial change behind. */
  private atomically(method: Method, args: unknown[]): unknown {
    this.db.exec('SAVEPOINT port_method');
    try {
      const result = invoke(this.ops, method, args);
      this.db.exec('RELEASE port_method');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK TO port_method; RELEASE port_method');
      throw toStoreError(error, method) ?? error;
    }
  }

  private guarded(method: Method, args: unknown[]): unknown {
    try {
      return invoke(this.ops, method, args);
    } catch (error) {
      throw toStoreError(error, method) ?? error;
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.refuseReentry('close');
    const release = await this.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      this.db.close();
      this.releaseFileLock();
    } finally {
      release();
    }
  }

  private refuseReentry(method: string): void {
    const context = insideTransaction.getStore();
    if (context?.active && context.mutex === this.mutex) {
      throw new StoreError(
        'STORE_CONFLICT',
        `${method} called on the store from inside one of its transactions: use the tx passed to the callback`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_UNAVAILABLE', 'the store is closed');
  }

  private rollbackQuietly(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // The error that made us roll back is the one worth reporting; SQLite rolls back on close anyway.
    }
  }
}

/** Maps a SQLite failure to a StoreError; undefined for anything else (the caller rethrows it as it is). */
function toStoreError(error: unknown, what: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (!(error instanceof Database.SqliteError)) return undefined;
  const code = error.code;
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new StoreError('STORE_CONFLICT', `${what}: ${code}`, {
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('STORE_CORRUPT', `${what}: ${code}`, {
      cause: error,
    });
  }
  return new StoreError('STORE_UNAVAILABLE', `${what}: ${code}`, {
    cause: error,
  });
}

// ---------------------------------------------------------------------------------------------------
// Documents and rows: one explicit mapping per type.

function iso(date: Date): string {
  return date.toISOString();
}

function ms(date: Date): number {
  return date.getTime();
}

function reviveDate(value: string | number, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new StoreError('STORE_CORRUPT', `invalid instant in ${field}`);
  return date;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoreError('STORE_CORRUPT', `${what} is not valid JSON`, {
      cause: error,
    });
  }
}

type OwnerDoc = Omit<Owner, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

function ownerToDoc(owner: Owner): OwnerDoc {
  return {
    ...owner,
    createdAt: iso(owner.createdAt),
    updatedAt: iso(owner.updatedAt),
  };
}

function ownerFromDoc(text: string): Owner {
  const doc = parseJson<OwnerDoc>(text, 'owner');
  return {
    ...doc,
    createdAt: reviveDate(doc.createdAt, 'owner.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'owner.updatedAt'),
  };
}

type TimelineEventDoc = Omit<TimelineEvent, 'at'> & { at: string };

type TicketDateField = 'createdAt' | 'updatedAt' | 'scheduledFor' | 'firstResponseAt' | 'resolvedAt' | 'closedAt';

type TicketDoc = Omit<Ticket, TicketDateField | 'timeline' | 'revisit'> & {
  revisit?: Omit<NonNullable<Ticket['revisit']>, 'at'> & { at: string };
  createdAt: string;
  updatedAt: string;
  scheduledFor?: string;
  firstResponseAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  timeline: TimelineEventDoc[];
};

function ticketToDoc(ticket: Ticket): TicketDoc {
  const { createdAt, updatedAt, scheduledFor, firstResponseAt, resolvedAt, closedAt, timeline, revisit, ...rest } =
    ticket;
  const doc: TicketDoc = {
    ...rest,
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    timeline: timeline.map((event) => ({ ...event, at: iso(event.at) })),
  };
  if (revisit) doc.revisit = { ...revisit, at: iso(revisit.at) };
  if (scheduledFor) doc.scheduledFor = iso(scheduledFor);
  if (firstResponseAt) doc.firstResponseAt = iso(firstResponseAt);
  if (resolvedAt) doc.resolvedAt = iso(resolvedAt);
  if (closedAt) doc.closedAt = iso(closedAt);
  return doc;
}

function ticketFromDoc(text: string): Ticket {
  const doc = parseJson<TicketDoc>(text, 'ticket');
  const { createdAt, updatedAt, scheduledFor, firstResponseAt, resolvedAt, closedAt, timeline, revisit, ...rest } = doc;
  const ticket: Ticket = {
    ...rest,
    createdAt: reviveDate(createdAt, 'ticket.createdAt'),
    updatedAt: reviveDate(updatedAt, 'ticket.updatedAt'),
    timeline: timeline.map((event) => ({
      ...event,
      at: reviveDate(event.at, 'ticket.timeline.at'),
    })),
  };
  if (scheduledFor !== undefined) ticket.scheduledFor = reviveDate(scheduledFor, 'ticket.scheduledFor');
  if (firstResponseAt !== undefined) ticket.firstResponseAt = reviveDate(firstResponseAt, 'ticket.firstResponseAt');
  if (resolvedAt !== undefined) ticket.resolvedAt = reviveDate(resolvedAt, 'ticket.resolvedAt');
  if (closedAt !== undefined) ticket.closedAt = reviveDate(closedAt, 'ticket.closedAt');
  if (revisit !== undefined) ticket.revisit = { ...revisit, at: reviveDate(revisit.at, 'ticket.revisit.at') };
  return ticket;
}

type ThreadDoc = Omit<Thread, 'updatedAt'> & { updatedAt: string };

function threadToDoc(thread: Thread): ThreadDoc {
  return { ...thread, updatedAt: iso(thread.updatedAt) };
}

function threadFromDoc(text: string): Thread {
  const doc = parseJson<ThreadDoc>(text, 'thread');
  return { ...doc, updatedAt: reviveDate(doc.updatedAt, 'thread.updatedAt') };
}

interface MessageRow {
  channel: Channel;
  chat_id: string;
  direction: 'in' | 'out';
  at: number;
  message_id: string | null;
  body: string;
}

function messageFromRow(row: MessageRow): MessageLogEntry {
  const entry: MessageLogEntry = {
    channel: row.channel,
    chatId: row.chat_id,
    direction: row.direction,
    at: reviveDate(row.at, 'message_log.at'),
    body: parseJson<unknown>(row.body, 'message_log.body'),
  };
  if (row.message_id !== null) entry.messageId = row.message_id;
  return entry;
}

interface JobRow {
  id: string;
  type: string;
  status: JobStatus;
  due_at: number;
  key: string | null;
  payload: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function jobFromRow(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    type: row.type,
    dueAt: reviveDate(row.due_at, 'jobs.due_at'),
    payload: parseJson<Record<string, unknown>>(row.payload, 'jobs.payload'),
    status: row.status,
    attempts: row.attempts,
    createdAt: reviveDate(row.created_at, 'jobs.created_at'),
    updatedAt: reviveDate(row.updated_at, 'jobs.updated_at'),
  };
  if (row.key !== null) job.key = row.key;
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) job.leaseUntil = reviveDate(row.lease_until, 'jobs.lease_until');
  if (row.last_error !== null) job.lastError = row.last_error;
  return job;
}

interface OutboxRow {
  seq: number;
  id: string;
  channel: Channel;
  chat_id: string;
  action: string;
  status: OutboxStatus;
  attempts: number;
  not_before: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  platform_message_id: string | null;
  created_at: number;
}

function outboxFromRow(row: OutboxRow): OutboxItem {
  const item: OutboxItem = {
    id: row.id,
    seq: row.seq,
    channel: row.channel,
    chatId: row.chat_id,
    action: parseJson<OutboundAction>(row.action, 'outbox.action'),
    status: row.status,
    attempts: row.attempts,
    notBefore: reviveDate(row.not_before, 'outbox.not_before'),
    createdAt: reviveDate(row.created_at, 'outbox.created_at'),
  };
  if (row.lease_owner !== null) item.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) item.leaseUntil = reviveDate(row.lease_until, 'outbox.lease_until');
  if (row.last_error !== null) item.lastError = row.last_error;
  if (row.platform_message_id !== null) item.platformMessageId = row.platform_message_id;
  return item;
}

// ---------------------------------------------------------------------------------------------------
// The statements. Every method assumes the caller has opened a transaction on the connection.

interface TicketColumns {
  id: string;
  number: string;
  owner_id: string;
  assignee_id: string | null;
  status: string;
  created_at: number;
  updated_at: number;
  doc: string;
}

function prepareStatements(db: Database.Database) {
  const doc = (sql: string) => db.prepare<[string], string>(sql).pluck();
  return {
    markInbound: db.prepare<[Channel, string, number]>(
      'INSERT INTO inbound_seen (channel, message_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),

    getOwner: doc('SELECT doc FROM owners WHERE id = ?'),
    findOwnerByIdentity: db
      .prepare<[Channel, string], string>(
        `SELECT o.doc FROM owner_identities i JOIN owners o ON o.id = i.owner_id
           WHERE i.channel = ? AND i.user_id = ?`,
      )
      .pluck(),
    upsertOwner: db.prepare<
      [{ id: string; created_at: number; updated_at: number; phone: string | null; doc: string }]
    >(
      `INSERT INTO owners (id, created_at, updated_at, phone, doc) VALUES (@id, @created_at, @updated_at, @phone, @doc)
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, updated_at = excluded.updated_at,
           phone = excluded.phone, doc = excluded.doc`,
    ),
    clearIdentities: db.prepare<[string]>('DELETE FROM owner_identities WHERE owner_id = ?'),
    addIdentity: db.prepare<[Channel, string, string]>(
      'INSERT INTO owner_identities (channel, user_id, owner_id) VALUES (?, ?, ?)',
    ),
    listOwners: db.prepare<[], string>('SELECT doc FROM owners ORDER BY created_at, id').pluck(),
    findOwnersByPhone: doc('SELECT doc FROM owners WHERE phone = ? ORDER BY created_at, id'),

    getStaff: doc('SELECT doc FROM staff WHERE id = ?'),
    findStaff: db.prepare<[Channel, string], string>('SELECT doc FROM staff WHERE channel = ? AND user_id = ?').pluck(),
    upsertStaff: db.prepare<[{ id: string; channel: Channel; user_id: string; doc: string }]>(
      `INSERT INTO staff (id, channel, user_id, doc) VALUES (@id, @channel, @user_id, @doc)
         ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, user_id = excluded.user_id, doc = excluded.doc`,
    ),
    listStaff: db.prepare<[], string>('SELECT doc FROM staff ORDER BY id').pluck(),

    getThread: db
      .prepare<[Channel, string], string>('SELECT doc FROM threads WHERE channel = ? AND chat_id = ?')
      .pluck(),
    upsertThread: db.prepare<
      [{ channel: Channel; chat_id: string; owner_id: string; updated_at: number; doc: string }]
    >(
      `INSERT INTO threads (channel, chat_id, owner_id, updated_at, doc)
         VALUES (@channel, @chat_id, @owner_id, @updated_at, @doc)
         ON CONFLICT (channel, chat_id) DO UPDATE SET owner_id = excluded.owner_id, updated_at = excluded.updated_at,
           doc = excluded.doc`,
    ),

    logMessage: db.prepare<[Channel, string, 'in' | 'out', number, string | null, string]>(
      'INSERT INTO message_log (channel, chat_id, direction, at, message_id, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    listMessages: db.prepare<[Channel, string, number], MessageRow>(
      `SELECT * FROM (
           SELECT id, channel, chat_id, direction, at, message_id, body FROM message_log
           WHERE channel = ? AND chat_id = ? ORDER BY id DESC LIMIT ?
         ) ORDER BY id`,
    ),

    nextSequence: db
      .prepare<[string], number>(
        `INSERT INTO counters (name, value) VALUES (?, 1)
           ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .pluck(),

    getTicket: doc('SELECT doc FROM tickets WHERE id = ?'),
    getTicketByNumber: doc('SELECT doc FROM tickets WHERE number = ?'),
    upsertTicket: db.prepare<[TicketColumns]>(
      `INSERT INTO tickets (id, number, owner_id, assignee_id, status, created_at, updated_at, doc)
         VALUES (@id, @number, @owner_id, @assignee_id, @status, @created_at, @updated_at, @doc)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, owner_id = excluded.owner_id,
           assignee_id = excluded.assignee_id, status = excluded.status, created_at = excluded.created_at,
           updated_at = excluded.updated_at, doc = excluded.doc`,
    ),

    unfinishedJobByKey: db.prepare<[string], JobRow>(
      "SELECT * FROM jobs WHERE key = ? AND status IN ('pending', 'running')",
    ),
    insertJob: db.prepare<
      [{ id: string; type: string; due_at: number; key: string | null; payload: string; now: number }],
      JobRow
    >(
      `INSERT INTO jobs (id, type, status, due_at, key, payload, attempts, created_at, updated_at)
         VALUES (@id, @type, 'pending', @due_at, @key, @payload, 0, @now, @now) RETURNING *`,
    ),
    cancelJobs: db.prepare<[number, string]>(
      "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE key = ? AND status = 'pending'",
    ),
    getJob: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    claimableJobs: db
      .prepare<[number, number, number], string>(
        `SELECT id FROM jobs
           WHERE (status = 'pending' AND due_at <= ?) OR (status = 'running' AND lease_until < ?)
           ORDER BY due_at, rowid LIMIT ?`,
      )
      .pluck(),
    leaseJob: db.prepare<[string, number, number, string], JobRow>(
      `UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = ? RETURNING *`,
    ),
    completeJob: db.prepare<[number, string, string]>(
      `UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    retryJob: db.prepare<[number, string, number, string, string]>(
      `UPDATE jobs SET status = 'pending', due_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    failJob: db.prepare<[string, number, string, string]>(
      `UPDATE jobs SET status = 'failed', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    releaseJob: db.prepare<[number, string, string]>(
      `UPDATE jobs SET status = 'pending', attempts = max(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),

    insertOutbox: db.prepare<
      [{ id: string; channel: Channel; chat_id: string; action: string; not_before: number; now: number }]
    >(
      `INSERT INTO outbox (id, channel, chat_id, action, status, attempts, not_before, created_at, updated_at)
         VALUES (@id, @channel, @chat_id, @action, 'pending', 0, @not_before, @now, @now)`,
    ),
    pullOutboxForward: db.prepare<[{ channel: Channel; chat_id: string; not_before: number }]>(
      `UPDATE outbox SET not_before = @not_before
         WHERE channel = @channel AND chat_id = @chat_id AND status = 'pending' AND attempts = 0
           AND last_error IS NULL AND not_before > @not_before`,
    ),
    claimableOutbox: db
      .prepare<[number, number, number], number>(
        `SELECT o.seq FROM outbox o
           WHERE ((o.status = 'pending' AND o.not_before <= ?) OR (o.status = 'sending' AND o.lease_until < ?))
             AND NOT EXISTS (
               SELECT 1 FROM outbox p
               WHERE p.channel = o.channel AND p.chat_id = o.chat_id AND p.seq < o.seq
                 AND p.status IN ('pending', 'sending')
             )
           ORDER BY o.seq LIMIT ?`,
      )
      .pluck(),
    leaseOutbox: db.prepare<[string, number, number, number], OutboxRow>(
      `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE seq = ? RETURNING *`,
    ),
    markOutboxSent: db.prepare<[string | null, number, string]>(
      `UPDATE outbox SET status = 'sent', platform_message_id = ?, lease_owner = NULL, lease_until = NULL,
           updated_at = ?
         WHERE id = ? AND status IN ('pending', 'sending')`,
    ),
    markOutboxRetry: db.prepare<[number, string | null, number, string]>(
      `UPDATE outbox SET status = 'pending', not_before = ?, last_error = coalesce(?, last_error),
           attempts = attempts + ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND status IN ('pending', 'sending')`,
    ),
    markOutboxDead: db.prepare<[string, number, string]>(
      `UPDATE outbox SET status = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status IN ('pending', 'sending')`,
    ),

    setMessageRef: db.prepare<[Channel, string, string, string]>(
      `INSERT INTO message_refs (channel, chat_id, ref, platform_message_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, chat_id, ref) DO UPDATE SET platform_message_id = excluded.platform_message_id`,
    ),
    getMessageRef: db
      .prepare<[Channel, string, string], string>(
        'SELECT platform_message_id FROM message_refs WHERE channel = ? AND chat_id = ? AND ref = ?',
      )
      .pluck(),
    findRefByMessage: db
      .prepare<[Channel, string, string], string>(
        `SELECT ref FROM message_refs WHERE channel = ? AND chat_id = ? AND platform_message_id = ?
           ORDER BY rowid DESC LIMIT 1`,
      )
      .pluck(),

    getSetting: db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck(),
    setSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

class SqliteOps implements SyncTx {
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly sv: ReturnType<typeof prepareSurveyStatements>;

  constructor(private readonly db: Database.Database) {
    this.s = prepareStatements(db);
    this.sv = prepareSurveyStatements(db);
  }

  markInbound(channel: Channel, messageId: string, at: Date): boolean {
    return this.s.markInbound.run(channel, messageId, ms(at)).changes === 1;
  }

  getOwner(id: string): Owner | undefined {
    const doc = this.s.getOwner.get(id);
    return doc === undefined ? undefined : ownerFromDoc(doc);
  }

  findOwnerByIdentity(channel: Channel, userId: string): Owner | undefined {
    const doc = this.s.findOwnerByIdentity.get(channel, userId);
    return doc === undefined ? undefined : ownerFromDoc(doc);
  }

  saveOwner(owner: Owner): void {
    this.s.upsertOwner.run({
      id: owner.id,
      created_at: ms(owner.createdAt),
      updated_at: ms(owner.updatedAt),
      phone: owner.phone ?? null,
      doc: JSON.stringify(ownerToDoc(owner)),
    });
    this.s.clearIdentities.run(owner.id);
    const seen = new Set<string>();
    for (const identity of owner.identities) {
      const key = JSON.stringify([identity.channel, identity.userId]);
      if (seen.has(key)) continue;
      seen.add(key);
      this.s.addIdentity.run(identity.channel, identity.userId, owner.id);
    }
  }

  listOwners(): Owner[] {
    return this.s.listOwners.all().map(ownerFromDoc);
  }

  findOwnersByPhone(phone: string): Owner[] {
    return this.s.findOwnersByPhone.all(phone).map(ownerFromDoc);
  }

  getStaff(id: string): Staff | undefined {
    const doc = this.s.getStaff.get(id);
    return doc === undefined ? undefined : parseJson<Staff>(doc, 'staff');
  }

  findStaff(channel: Channel, userId: string): Staff | undefined {
    const doc = this.s.findStaff.get(channel, userId);
    return doc === undefined ? undefined : parseJson<Staff>(doc, 'staff');
  }

  saveStaff(staff: Staff): void {
    this.s.upsertStaff.run({
      id: staff.id,
      channel: staff.channel,
      user_id: staff.userId,
      doc: JSON.stringify(staff),
    });
  }

  listStaff(): Staff[] {
    return this.s.listStaff.all().map((doc) => parseJson<Staff>(doc, 'staff'));
  }

  getThread(channel: Channel, chatId: string): Thread | undefined {
    const doc = this.s.getThread.get(channel, chatId);
    return doc === undefined ? undefined : threadFromDoc(doc);
  }

  saveThread(thread: Thread): void {
    this.s.upsertThread.run({
      channel: thread.channel,
      chat_id: thread.chatId,
      owner_id: thread.ownerId,
      updated_at: ms(thread.updatedAt),
      doc: JSON.stringify(threadToDoc(thread)),
    });
  }

  logMessage(entry: MessageLogEntry): void {
    this.s.logMessage.run(
      entry.channel,
      entry.chatId,
      entry.direction,
      ms(entry.at),
      entry.messageId ?? null,
      JSON.stringify(entry.body) ?? 'null',
    );
  }

  listMessages(channel: Channel, chatId: string, limit = 100): MessageLogEntry[] {
    return this.s.listMessages.all(channel, chatId, limit).map(messageFromRow);
  }

  nextSequence(name: string): number {
    const value = this.s.nextSequence.get(name);
    if (value === undefined) throw new StoreError('STORE_CORRUPT', 'counter upsert returned no value');
    return value;
  }

  getTicket(id: string): Ticket | undefined {
    const doc = this.s.getTicket.get(id);
    return doc === undefined ? undefined : ticketFromDoc(doc);
  }

  getTicketByNumber(number: string): Ticket | undefined {
    const doc = this.s.getTicketByNumber.get(number);
    return doc === undefined ? undefined : ticketFromDoc(doc);
  }

  saveTicket(ticket: Ticket): void {
    this.s.upsertTicket.run({
      id: ticket.id,
      number: ticket.number,
      owner_id: ticket.ownerId,
      assignee_id: ticket.assignee?.id ?? null,
      status: ticket.status,
      created_at: ms(ticket.createdAt),
      updated_at: ms(ticket.updatedAt),
      doc: JSON.stringify(ticketToDoc(ticket)),
    });
  }

  /** An empty `statuses` matches nothing. */
  listTickets(query: TicketQuery): Ticket[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.ownerId !== undefined) {
      where.push('owner_id = ?');
      params.push(query.ownerId);
    }
    if (query.assigneeId !== undefined) {
      where.push('assignee_id = ?');
      params.push(query.assigneeId);
    }
    if (query.statuses !== undefined) {
      if (query.statuses.length === 0) return [];
      where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
      params.push(...query.statuses);
    }
    params.push(query.limit ?? 50);
    const sql = `SELECT doc FROM tickets ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...params)
      .map(ticketFromDoc);
  }

  scheduleJob(job: NewJob, now: Date): Job {
    if (job.key !== undefined) {
      const existing = this.s.unfinishedJobByKey.get(job.key);
      if (existing) return jobFromRow(existing);
    }
    const row = this.s.insertJob.get({
      id: job.id,
      type: job.type,
      due_at: ms(job.dueAt),
      key: job.key ?? null,
      payload: JSON.stringify(job.payload),
      now: ms(now),
    });
    if (!row) throw new StoreError('STORE_CORRUPT', 'job insert returned no row');
    return jobFromRow(row);
  }

  cancelJobs(key: string, now: Date): number {
    return this.s.cancelJobs.run(ms(now), key).changes;
  }

  getJob(id: string): Job | undefined {
    const row = this.s.getJob.get(id);
    return row === undefined ? undefined : jobFromRow(row);
  }

  claimJobs(now: Date, worker: string, leaseMs: number, limit: number): Job[] {
    const ids = this.s.claimableJobs.all(ms(now), ms(now), limit);
    const leaseUntil = ms(now) + leaseMs;
    return ids.flatMap((id) => {
      const row = this.s.leaseJob.get(worker, leaseUntil, ms(now), id);
      return row ? [jobFromRow(row)] : [];
    });
  }

  completeJob(id: string, worker: string, now: Date): boolean {
    return this.s.completeJob.run(ms(now), id, worker).changes === 1;
  }

  retryJob(id: string, worker: string, dueAt: Date, error: string, now: Date): boolean {
    return this.s.retryJob.run(ms(dueAt), error, ms(now), id, worker).changes === 1;
  }

  failJob(id: string, worker: string, error: string, now: Date): boolean {
    return this.s.failJob.run(error, ms(now), id, worker).changes === 1;
  }

  releaseJob(id: string, worker: string, now: Date): boolean {
    return this.s.releaseJob.run(ms(now), id, worker).changes === 1;
  }

  listJobs(filter: { status?: JobStatus; type?: string }): Job[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.type !== undefined) {
      where.push('type = ?');
      params.push(filter.type);
    }
    const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY due_at, rowid`;
    return this.db
      .prepare<unknown[], JobRow>(sql)
      .all(...params)
      .map(jobFromRow);
  }

  enqueue(items: NewOutboxItem[], now: Date): void {
    for (const item of items) {
      const notBefore = ms(item.notBefore ?? now);
      // Nothing waits behind an item due later: what goes now takes its chat's deferred items with it.
      this.s.pullOutboxForward.run({ channel: item.channel, chat_id: item.chatId, not_before: notBefore });
      this.s.insertOutbox.run({
        id: item.id,
        channel: item.channel,
        chat_id: item.chatId,
        action: JSON.stringify(item.action),
        not_before: notBefore,
        now: ms(now),
      });
    }
  }

  claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): OutboxItem[] {
    const seqs = this.s.claimableOutbox.all(ms(now), ms(now), limit);
    const leaseUntil = ms(now) + leaseMs;
    return seqs.flatMap((seq) => {
      const row = this.s.leaseOutbox.get(worker, leaseUntil, ms(now), seq);
      return row ? [outboxFromRow(row)] : [];
    });
  }

  markOutboxSent(id: string, platformMessageId: string | undefined, now: Date): void {
    this.s.markOutboxSent.run(platformMessageId ?? null, ms(now), id);
  }

  markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): void {
    this.s.markOutboxRetry.run(ms(notBefore), error ?? null, countAttempt ? 1 : 0, id);
  }

  markOutboxDead(id: string, error: string, now: Date): void {
    this.s.markOutboxDead.run(error, ms(now), id);
  }

  listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): OutboxItem[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.channel !== undefined) {
      where.push('channel = ?');
      params.push(filter.channel);
    }
    if (filter.chatId !== undefined) {
      where.push('chat_id = ?');
      params.push(filter.chatId);
    }
    const sql = `SELECT * FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return this.db
      .prepare<unknown[], OutboxRow>(sql)
      .all(...params)
      .map(outboxFromRow);
  }

  setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): void {
    this.s.setMessageRef.run(channel, chatId, ref, platformMessageId);
  }

  getMessageRef(channel: Channel, chatId: string, ref: string): string | undefined {
    return this.s.getMessageRef.get(channel, chatId, ref);
  }

  findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): string | undefined {
    return this.s.findRefByMessage.get(channel, chatId, platformMessageId);
  }

  getSetting(key: string): string | undefined {
    return this.s.getSetting.get(key);
  }

  setSetting(key: string, value: string): void {
    this.s.setSetting.run(key, value);
  }

  // ── satisfaction surveys ──────────────────────────────────────────────────

  createSurveyCampaign(campaign: SurveyCampaign): void {
    this.sv.insertCampaign.run(campaignColumns(campaign));
  }

  saveSurveyCampaign(campaign: SurveyCampaign): void {
    this.sv.upsertCampaign.run(campaignColumns(campaign));
  }

  getSurveyCampaign(id: string): SurveyCampaign | undefined {
    const doc = this.sv.getCampaign.get(id);
    return doc === undefined ? undefined : campaignFromDoc(doc);
  }

  listSurveyCampaigns(
    filter: { questionnaireId?: string; statuses?: readonly SurveyCampaignStatus[] } = {},
  ): SurveyCampaign[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.questionnaireId !== undefined) {
      where.push('questionnaire_id = ?');
      params.push(filter.questionnaireId);
    }
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    const sql = `SELECT doc FROM survey_campaigns ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...params)
      .map(campaignFromDoc);
  }

  addSurveyInvitation(invitation: SurveyInvitation): boolean {
    return this.sv.addInvitation.run(invitationColumns(invitation)).changes === 1;
  }

  getSurveyInvitation(campaignId: string, ownerId: string): SurveyInvitation | undefined {
    const doc = this.sv.getInvitation.get(campaignId, ownerId);
    return doc === undefined ? undefined : invitationFromDoc(doc);
  }

  updateSurveyInvitation(invitation: SurveyInvitation): void {
    this.sv.updateInvitation.run(invitationColumns(invitation));
  }

  listSurveyInvitations(
    campaignId: string,
    filter: { statuses?: readonly SurveyInvitationStatus[]; contactedBefore?: Date; limit?: number } = {},
  ): SurveyInvitation[] {
    const where = ['campaign_id = ?'];
    const params: (string | number)[] = [campaignId];
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    if (filter.contactedBefore !== undefined) {
      where.push('last_contact_at < ?');
      params.push(ms(filter.contactedBefore));
    }
    let sql = `SELECT doc FROM survey_invitations WHERE ${where.join(' AND ')} ORDER BY invited_at, owner_id`;
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...params)
      .map(invitationFromDoc);
  }

  listSurveyInvitationsOfOwner(ownerId: string): SurveyInvitation[] {
    return this.sv.invitationsOfOwner.all(ownerId).map(invitationFromDoc);
  }

  addSurveyResponse(response: SurveyResponse): boolean {
    return (
      this.sv.addResponse.run({
        campaign_id: response.campaignId,
        owner_id: response.ownerId,
        id: response.id,
        submitted_at: ms(response.submittedAt),
        doc: JSON.stringify(withIsoDates(response, RESPONSE_DATES)),
      }).changes === 1
    );
  }

  getSurveyResponse(campaignId: string, ownerId: string): SurveyResponse | undefined {
    const doc = this.sv.getResponse.get(campaignId, ownerId);
    return doc === undefined ? undefined : withDates<SurveyResponse>(doc, 'survey_response', RESPONSE_DATES);
  }

  listSurveyResponses(campaignId: string): SurveyResponse[] {
    return this.sv.listResponses
      .all(campaignId)
      .map((doc) => withDates<SurveyResponse>(doc, 'survey_response', RESPONSE_DATES));
  }

  setSurveyOptOut(ownerId: string, at: Date): void {
    this.sv.setOptOut.run(ownerId, ms(at));
  }

  clearSurveyOptOut(ownerId: string): boolean {
    return this.sv.clearOptOut.run(ownerId).changes === 1;
  }

  getSurveyOptOut(ownerId: string): Date | undefined {
    const at = this.sv.getOptOut.get(ownerId);
    return at === undefined ? undefined : reviveDate(at, 'survey_opt_outs.at');
  }

  listSurveyOptOuts(): string[] {
    return this.sv.listOptOuts.all();
  }
}

// ---------------------------------------------------------------------------------------------------
// Satisfaction surveys: documents, columns and statements.

const CAMPAIGN_DATES = [
  'startAt',
  'endAt',
  'createdAt',
  'updatedAt',
  'previewedAt',
  'startedAt',
  'closedAt',
  'invitationsDoneAt',
] as const;
const INVITATION_DATES = ['invitedAt', 'lastRemindedAt', 'answeredAt'] as const;
const RESPONSE_DATES = ['submittedAt'] as const;

/** A JSON document of `value` with the named Date fields as ISO strings (absent ones left out). */
function withIsoDates(value: object, fields: readonly string[]): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...value };
  for (const f of fields) {
    const v = doc[f];
    if (v instanceof Date) doc[f] = iso(v);
    else if (v === undefined) delete doc[f];
  }
  return doc;
}

/** The inverse of {@link withIsoDates}. */
function withDates<T>(text: string, what: string, fields: readonly string[]): T {
  const doc = parseJson<Record<string, unknown>>(text, what);
  for (const f of fields) {
    const v = doc[f];
    if (v !== undefined) doc[f] = reviveDate(v as string, `${what}.${f}`);
  }
  return doc as T;
}

function campaignFromDoc(text: string): SurveyCampaign {
  return withDates<SurveyCampaign>(text, 'survey_campaign', CAMPAIGN_DATES);
}

function invitationFromDoc(text: string): SurveyInvitation {
  return withDates<SurveyInvitation>(text, 'survey_invitation', INVITATION_DATES);
}

interface CampaignColumns {
  id: string;
  questionnaire_id: string;
  status: SurveyCampaignStatus;
  created_at: number;
  doc: string;
}

function campaignColumns(c: SurveyCampaign): CampaignColumns {
  return {
    id: c.id,
    questionnaire_id: c.questionnaireId,
    status: c.status,
    created_at: ms(c.createdAt),
    doc: JSON.stringify(withIsoDates(c, CAMPAIGN_DATES)),
  };
}

interface InvitationColumns {
  campaign_id: string;
  owner_id: string;
  status: SurveyInvitationStatus;
  invited_at: number;
  last_contact_at: number;
  doc: string;
}

function invitationColumns(i: SurveyInvitation): InvitationColumns {
  return {
    campaign_id: i.campaignId,
    owner_id: i.ownerId,
    status: i.status,
    invited_at: ms(i.invitedAt),
    last_contact_at: ms(i.lastRemindedAt ?? i.invitedAt),
    doc: JSON.stringify(withIsoDates(i, INVITATION_DATES)),
  };
}

function prepareSurveyStatements(db: Database.Database) {
  return {
    insertCampaign: db.prepare<[CampaignColumns]>(
      `INSERT INTO survey_campaigns (id, questionnaire_id, status, created_at, doc)
         VALUES (@id, @questionnaire_id, @status, @created_at, @doc)`,
    ),
    upsertCampaign: db.prepare<[CampaignColumns]>(
      `INSERT INTO survey_campaigns (id, questionnaire_id, status, created_at, doc)
         VALUES (@id, @questionnaire_id, @status, @created_at, @doc)
         ON CONFLICT (id) DO UPDATE SET questionnaire_id = excluded.questionnaire_id, status = excluded.status,
           created_at = excluded.created_at, doc = excluded.doc`,
    ),
    getCampaign: db.prepare<[string], string>('SELECT doc FROM survey_campaigns WHERE id = ?').pluck(),

    addInvitation: db.prepare<[InvitationColumns]>(
      `INSERT INTO survey_invitations (campaign_id, owner_id, status, invited_at, last_contact_at, doc)
         VALUES (@campaign_id, @owner_id, @status, @invited_at, @last_contact_at, @doc)
         ON CONFLICT (campaign_id, owner_id) DO NOTHING`,
    ),
    updateInvitation: db.prepare<[InvitationColumns]>(
      `UPDATE survey_invitations SET status = @status, invited_at = @invited_at, last_contact_at = @last_contact_at,
           doc = @doc
         WHERE campaign_id = @campaign_id AND owner_id = @owner_id`,
    ),
    getInvitation: db
      .prepare<[string, string], string>('SELECT doc FROM survey_invitations WHERE campaign_id = ? AND owner_id = ?')
      .pluck(),
    invitationsOfOwner: db
      .prepare<[string], string>(
        'SELECT doc FROM survey_invitations WHERE owner_id = ? ORDER BY invited_at DESC, campaign_id DESC',
      )
      .pluck(),

    addResponse: db.prepare<[{ campaign_id: string; owner_id: string; id: string; submitted_at: number; doc: string }]>(
      `INSERT INTO survey_responses (campaign_id, owner_id, id, submitted_at, doc)
         VALUES (@campaign_id, @owner_id, @id, @submitted_at, @doc)
         ON CONFLICT (campaign_id, owner_id) DO NOTHING`,
    ),
    getResponse: db
      .prepare<[string, string], string>('SELECT doc FROM survey_responses WHERE campaign_id = ? AND owner_id = ?')
      .pluck(),
    listResponses: db
      .prepare<[string], string>('SELECT doc FROM survey_responses WHERE campaign_id = ? ORDER BY submitted_at, id')
      .pluck(),

    setOptOut: db.prepare<[string, number]>(
      'INSERT INTO survey_opt_outs (owner_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    clearOptOut: db.prepare<[string]>('DELETE FROM survey_opt_outs WHERE owner_id = ?'),
    getOptOut: db.prepare<[string], number>('SELECT at FROM survey_opt_outs WHERE owner_id = ?').pluck(),
    listOptOuts: db.prepare<[], string>('SELECT owner_id FROM survey_opt_outs ORDER BY owner_id').pluck(),
  };
}
