/**
 * The SQLite store's transaction plumbing, in one place for every aggregate: better-sqlite3 is
 * synchronous, so every transaction in the process goes through one promise-based lock per database
 * file, and takes SQLite's write lock with `BEGIN IMMEDIATE` against other processes.
 *
 * A failing method leaves no partial change behind: a single statement is atomic in SQLite (a refused
 * statement undoes its own changes and leaves the transaction open), so only the write methods that may
 * run several writing statements ({@link COMPOUND_WRITES}) take a savepoint inside a transaction.
 * Transaction control goes through statements prepared once, never through `exec` (parsed every time).
 *
 * Transactions and single writes made directly on the store (a delivery settled, a claim, a job
 * completed) commit as a group: those that queue up for the lock one after another share one SQLite
 * transaction, each still all or nothing on its own (see {@link SqliteTransactions}), and each caller is
 * answered only once the group has committed. Under load most of a commit's cost is writing the pages it
 * changed to the log; a group writes a page many of its members changed (the outbox's indexes, the
 * message log's last page) once.
 */
import type Database from 'better-sqlite3';
import { type Store, StoreError, type StoreTx } from '../../../core/ports.js';
import { ACCESS, assertActive, facade, invoke, type Method, type Sync, TransactionGuard } from '../shared/methods.js';
import type { Checkpointer } from './checkpoint.js';
import { toStoreError } from './rows.js';

/**
 * The write methods that may run more than one writing statement (an owner and their identities, a
 * batch of outbox items, several leases): inside a transaction each runs in a savepoint, so that a
 * failure part-way undoes its earlier statements while the transaction goes on. Every other method runs
 * one writing statement at most. A method that comes to write twice must be added here.
 */
export const COMPOUND_WRITES: ReadonlySet<Method> = new Set<Method>([
  'saveOwner',
  'claimJobs',
  'enqueue',
  'claimOutbox',
  'markOutboxSent',
]);

/** BEGIN, COMMIT, savepoints: prepared once per connection. */
interface Control {
  begin: Database.Statement;
  beginImmediate: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
  savepoint: Database.Statement;
  release: Database.Statement;
  rollbackTo: Database.Statement;
  /** Around one member of a group of several. */
  member: Database.Statement;
  releaseMember: Database.Statement;
  rollbackToMember: Database.Statement;
}

function prepareControl(db: Database.Database): Control {
  return {
    begin: db.prepare('BEGIN'),
    beginImmediate: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT port_method'),
    release: db.prepare('RELEASE port_method'),
    rollbackTo: db.prepare('ROLLBACK TO port_method'),
    member: db.prepare('SAVEPOINT group_member'),
    releaseMember: db.prepare('RELEASE group_member'),
    rollbackToMember: db.prepare('ROLLBACK TO group_member'),
  };
}

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

/** The most members one group commit holds (a group bounds how long the ones behind it wait). */
export const GROUP_MAX = 64;

/**
 * The most transactions one group holds. A transaction's callback does the work of a whole message (some
 * milliseconds) and its caller waits for the group's commit: a bound keeps the first one's wait short.
 */
export const GROUP_MAX_TRANSACTIONS = 16;

/**
 * How long a group may run before what it has done is committed and answered, the rest of the group going
 * on in a new SQLite transaction (the lock still held): so the first members of a long group are not kept
 * waiting for the callbacks of all the others.
 */
export const GROUP_SPAN_MS = 10;

/** A direct write or a transaction's callback, waiting for its group's commit. */
type Queued = (
  | { kind: 'write'; method: Method; args: unknown[] }
  | { kind: 'transaction'; fn: (tx: StoreTx) => Promise<unknown> }
) & {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/** An open group: its members, and how many of them are transactions. */
interface Group {
  members: Queued[];
  transactions: number;
}

/** Runs the synchronous `ops` of one connection as the async Store port. */
export class SqliteTransactions {
  private closed = false;
  private readonly control: Control;
  /**
   * The group that later transactions and direct writes still join: the last request for the lock. A
   * read or a close ends it, so that the lock is still taken in the order it was asked for: work joins a
   * group only when nothing else asked for the lock between them.
   */
  private openGroup?: Group;
  /** Commits of groups (a long group commits more than once), and the members they committed (what the tests see of group commit). */
  readonly groups = { commits: 0, writes: 0 };

  constructor(
    private readonly db: Database.Database,
    private readonly ops: Sync<StoreTx>,
    private readonly lock: { mutex: Mutex; guard: TransactionGuard; release: () => void },
    /** The WAL checkpointer of a file database, told of every write commit, stopped before the connection closes. */
    private readonly checkpointer?: Checkpointer,
  ) {
    this.control = prepareControl(db);
  }

  asStore(): Store {
    const direct = facade((method, args) => this.direct(method, args));
    return Object.assign(direct, {
      transaction: async <T>(fn: (tx: StoreTx) => Promise<T>) => {
        this.lock.guard.refuseReentry('transaction');
        return (await this.grouped({ kind: 'transaction', fn })) as T;
      },
      close: () => this.close(),
    });
  }

  /** A method called on the store itself: a write joins a group commit, a read runs in a read transaction. */
  private async direct(method: Method, args: unknown[]): Promise<unknown> {
    this.lock.guard.refuseReentry(method);
    if (ACCESS[method] === 'write') return this.grouped({ kind: 'write', method, args });
    this.openGroup = undefined;
    const release = await this.lock.mutex.acquire();
    try {
      this.assertOpen();
      this.control.begin.run();
      try {
        const result = invoke(this.ops, method, args);
        this.control.commit.run();
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

  /** A transaction or a direct write: joins the open group while it has room, or opens one and asks for the lock. */
  private grouped(
    work:
      | { kind: 'write'; method: Method; args: unknown[] }
      | { kind: 'transaction'; fn: (tx: StoreTx) => Promise<unknown> },
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const member = { ...work, resolve, reject } as Queued;
      const transaction = member.kind === 'transaction' ? 1 : 0;
      const open = this.openGroup;
      if (open && open.members.length < GROUP_MAX && open.transactions + transaction <= GROUP_MAX_TRANSACTIONS) {
        open.members.push(member);
        open.transactions += transaction;
        return;
      }
      const group = { members: [member], transactions: transaction };
      this.openGroup = group;
      void this.commitGroup(group);
    });
  }

  /**
   * Runs a group in one SQLite transaction, its members in the order they asked. Each member is all or
   * nothing on its own: in a group of several each runs in a savepoint, and one that fails (a write
   * refused, a transaction's callback throwing) is answered with its error, its changes undone, while the
   * others go on. A transaction SQLite abandoned part-way (a full disk, an I/O error) or a commit that
   * fails fails every member that had not failed already: none of them happened.
   */
  private async commitGroup(group: Group): Promise<void> {
    const release = await this.lock.mutex.acquire();
    // The work asked for in this turn of the event loop joins before the group closes (the lock is held
    // meanwhile, so what asked for it later still comes later).
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.openGroup === group) this.openGroup = undefined;
    const { members } = group;
    const alone = members.length === 1;
    let done: { member: Queued; value: unknown }[] = [];
    try {
      this.beginWrite();
      let since = performance.now();
      for (const member of members) {
        if (done.length > 0 && performance.now() - since > GROUP_SPAN_MS) {
          this.commitDone(done);
          done = [];
          this.beginWrite();
          since = performance.now();
        }
        try {
          // Alone, a member that fails rolls the transaction back (below); in a group it is undone to its
          // savepoint, whatever it wrote before failing, and the others go on.
          const value =
            member.kind === 'write'
              ? alone
                ? this.guarded(member.method, member.args)
                : this.atomically(member.method, member.args)
              : alone
                ? await this.body(member.fn)
                : await this.member(member.fn);
          done.push({ member, value });
        } catch (error) {
          member.reject(error);
          if (alone) {
            this.rollbackQuietly();
            return;
          }
        }
        if (!this.db.inTransaction) {
          // SQLite rolled the whole transaction back: what was done is undone, and the rest cannot run in it.
          throw new StoreError('STORE_UNAVAILABLE', 'the transaction was rolled back by the database');
        }
      }
      this.commitDone(done);
    } catch (error) {
      // Nothing of the group since its last commit happened: every member not yet answered fails with the
      // reason (one answered already keeps its answer: a promise answered once keeps it).
      for (const member of members) member.reject(error);
    } finally {
      release();
    }
  }

  /** Commits the open SQLite transaction of a group and answers the members it did. */
  private commitDone(done: readonly { member: Queued; value: unknown }[]): void {
    try {
      this.control.commit.run();
    } catch (error) {
      this.rollbackQuietly();
      throw toStoreError(error, 'commit') ?? error;
    }
    this.groups.commits += 1;
    this.groups.writes += done.length;
    this.checkpointer?.committed();
    for (const { member, value } of done) member.resolve(value);
  }

  /** A transaction's callback, given the transaction's methods (refused once the callback has settled). */
  private body(fn: (tx: StoreTx) => Promise<unknown>): Promise<unknown> {
    return this.lock.guard.run((scope) =>
      fn(
        facade(async (method, args) => {
          assertActive(scope, method);
          return COMPOUND_WRITES.has(method) ? this.atomically(method, args) : this.guarded(method, args);
        }),
      ),
    );
  }

  /** A transaction's callback as one member of a group: in a savepoint, undone on its own if it throws. */
  private async member(fn: (tx: StoreTx) => Promise<unknown>): Promise<unknown> {
    this.control.member.run();
    try {
      const value = await this.body(fn);
      this.control.releaseMember.run();
      return value;
    } catch (error) {
      if (this.db.inTransaction) {
        this.control.rollbackToMember.run();
        this.control.releaseMember.run();
      }
      throw error;
    }
  }

  /** Takes SQLite's write lock (`BEGIN IMMEDIATE`) for a transaction or a group, on an open store. */
  private beginWrite(): void {
    this.assertOpen();
    try {
      this.control.beginImmediate.run();
    } catch (error) {
      throw toStoreError(error, 'transaction') ?? error;
    }
  }

  private atomically(method: Method, args: unknown[]): unknown {
    this.control.savepoint.run();
    try {
      const result = invoke(this.ops, method, args);
      this.control.release.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.control.rollbackTo.run();
        this.control.release.run();
      }
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
    this.openGroup = undefined;
    const release = await this.lock.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      await this.checkpointer?.stop();
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
      this.control.rollback.run();
    } catch {
      // The error that made us roll back is the one worth reporting; SQLite rolls back on close anyway.
    }
  }
}
