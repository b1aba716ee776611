/**
 * The SQLite store: better-sqlite3 behind the async Store port, composed from one module per aggregate
 * (owners, staff, threads, tickets, jobs, outbox, surveys, settings, praise, enquiries, notices, contacts, audit, files) over the
 * shared transaction plumbing of `transactions.ts`. Every statement is prepared once per connection.
 *
 * Domain objects are JSON documents (instants as ISO strings) next to the columns the queries need
 * (instants as integer UTC milliseconds); each type has its own explicit mapping in both directions.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Store, StoreError, type StoreTx } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { auditOps } from './audit.js';
import { startCheckpointer, WAL_AUTOCHECKPOINT_PAGES } from './checkpoint.js';
import { contactOps } from './contacts.js';
import { enquiryOps } from './enquiries.js';
import { fileOps } from './files.js';
import { jobOps } from './jobs.js';
import { migrate } from './migrations.js';
import { noticeOps } from './notices.js';
import { outboxOps } from './outbox.js';
import { ownerOps } from './owners.js';
import { praiseOps } from './praise.js';
import { connectionRunner, withReportReader } from './report-reader.js';
import { startReportWorker } from './report-worker.js';
import { toStoreError } from './rows.js';
import { settingOps } from './settings.js';
import { staffOps } from './staff.js';
import { surveyOps } from './surveys.js';
import { threadOps } from './threads.js';
import { ticketOps } from './tickets.js';
import { acquireFileLock, privateLock, SqliteTransactions } from './transactions.js';

/** Where the database lives: a file (its directory is created if missing) or `:memory:`. */
export type SqliteStoreOptions = { path: string } | { path: ':memory:' };

/**
 * Opens (creating if needed) and migrates a SQLite database and returns it as a Store.
 *
 * Files use WAL, `synchronous = NORMAL`, `busy_timeout = 5000` and foreign keys; the log is copied back
 * into the file by a worker thread while the bot writes (checkpoint.ts), not by the commits of the bot. Several processes may
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
    const ops = composeOps(db);
    const lock = memory ? privateLock() : acquireFileLock(realpathSync(opts.path));
    if (memory) return new SqliteTransactions(db, ops, lock).asStore();
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    // The rows the bot has changed: what tells the checkpointer the bot is busy writing.
    const totalChanges = db.prepare('SELECT total_changes()').pluck();
    const checkpointer = startCheckpointer(realpathSync(opts.path), { changes: () => totalChanges.get() as number });
    const store = new SqliteTransactions(db, ops, lock, checkpointer).asStore();
    // Reports read from a worker's connection (report-worker.ts), started at the first: none holds the
    // bot's thread.
    return withReportReader(store, startReportWorker(realpathSync(opts.path)), connectionRunner(db, lock));
  } catch (error) {
    db?.close();
    throw (
      toStoreError(error, 'open') ?? new StoreError('STORE_UNAVAILABLE', 'cannot open the database', { cause: error })
    );
  }
}

/** Every aggregate's operations on one connection, as one synchronous port. */
export function composeOps(db: Database.Database): Sync<StoreTx> {
  return {
    ...ownerOps(db),
    ...staffOps(db),
    ...threadOps(db),
    ...ticketOps(db),
    ...jobOps(db),
    ...outboxOps(db),
    ...surveyOps(db),
    ...settingOps(db),
    ...praiseOps(db),
    ...enquiryOps(db),
    ...noticeOps(db),
    ...contactOps(db),
    ...auditOps(db),
    ...fileOps(db),
  };
}
