/**
 * The SQLite store's transaction plumbing, in one place for every aggregate: better-sqlite3 is
 * synchronous, so every transaction in the process goes through one promise-based lock per database
 * file, and takes SQLite's write lock with `BEGIN IMMEDIATE` against other processes. Each write method
 * inside a transaction runs in a savepoint, so a failing method leaves no partial change behind.
 */
import type Database from 'better-sqlite3';
import { type Store, StoreError, type StoreTx } from '../../../core/ports.js';
import { ACCESS, assertActive, facade, invoke, type Method, type Sync, TransactionGuard } from '../shared/methods.js';
import { toStoreError } from './rows.js';

/** A FIFO lock: `acquire` resolves with the function that releases it. */
export class Mutex {
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

const fileLocks = new Map<string, { mutex: Mutex; refs: number; guard: TransactionGuard }>();

/** The lock (and reentry guard) every store opened on `file` in this process shares. */
export function acquireFileLock(file: string): { mutex: Mutex; guard: TransactionGuard; release: () => void } {
  let entry = fileLocks.get(file);
  if (!entry) {
    const mutex = new Mutex();
    entry = { mutex, refs: 0, guard: new TransactionGuard(mutex) };
    fileLocks.set(file, entry);
  }
  entry.refs += 1;
  const held = entry;
  return {
    mutex: held.mutex,
    guard: held.guard,
    release: () => {
      held.refs -= 1;
      if (held.refs === 0 && fileLocks.get(file) === held) fileLocks.delete(file);
    },
  };
}

/** A lock of its own, for an in-memory database. */
export function privateLock(): { mutex: Mutex; guard: TransactionGuard; release: () => void } {
  const mutex = new Mutex();
  return { mutex, guard: new TransactionGuard(mutex), release: () => {} };
}

/** Runs the synchronous `ops` of one connection as the async Store port. */
export class SqliteTransactions {
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    private readonly ops: Sync<StoreTx>,
    private readonly lock: { mutex: Mutex; guard: TransactionGuard; release: () => void },
  ) {}

  asStore(): Store {
    const direct = facade((method, args) => this.direct(method, args));
    return Object.assign(direct, {
      transaction: <T>(fn: (tx: StoreTx) => Promise<T>) => this.transaction(fn),
      close: () => this.close(),
    });
  }

  private async direct(method: Method, args: unknown[]): Promise<unknown> {
    this.lock.guard.refuseReentry(method);
    const release = await this.lock.mutex.acquire();
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
    this.lock.guard.refuseReentry('transaction');
    const release = await this.lock.mutex.acquire();
    try {
      this.assertOpen();
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        throw toStoreError(error, 'transaction') ?? error;
      }
      let result: T;
      try {
        result = await this.lock.guard.run((scope) =>
          fn(
            facade(async (method, args) => {
              assertActive(scope, method);
              return ACCESS[method] === 'write' ? this.atomically(method, args) : this.guarded(method, args);
            }),
          ),
        );
      } catch (error) {
        this.rollbackQuietly();
        throw error;
      }
      try {
        this.db.exec('COMMIT');
      } catch (error) {
        this.rollbackQuietly();
        throw toStoreError(error, 'commit') ?? error;
      }
      return result;
    } finally {
      release();
    }
  }

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
    this.lock.guard.refuseReentry('close');
    const release = await this.lock.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      this.db.close();
      this.lock.release();
    } finally {
      release();
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
