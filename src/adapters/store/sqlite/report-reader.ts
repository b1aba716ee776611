/**
 * The store's report reads (what `/tickets` and `/summary` read before the message's transaction, and
 * the service figures of service.ts) routed through a {@link StatementRunner}: for a file, the worker of
 * report-worker.ts, so no report holds the bot's thread; every other method is the store's own.
 *
 * The reads are the adapter's own operations (tickets.ts, praise.ts, enquiries.ts, service.ts), unchanged:
 * they are built over a connection stand-in whose statements do not run but are replayed. An operation's
 * first run stops at its first statement and records it; the worker runs it; the operation runs again with
 * that statement's rows (and so on, should it run several). The SQL and the row mapping live in one place
 * and the bot's thread only maps the rows a report keeps.
 */
import type Database from 'better-sqlite3';
import type { Store } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { enquiryOps } from './enquiries.js';
import { praiseOps } from './praise.js';
import type { ReadStatement, StatementRunner } from './report-worker.js';
import { toStoreError } from './rows.js';
import { type ServiceReads, serviceOps } from './service.js';
import { ticketOps } from './tickets.js';

/** The reads a report is made of, routed off the bot's thread. */
const REPORT_READS = [
  'listTickets',
  'listTicketsCreated',
  'countTicketsCreated',
  'listRevisitComments',
  'countPraise',
  'countEnquiries',
] as const;
type ReportRead = (typeof REPORT_READS)[number];

/** The service figures' reads, asynchronous as the port's. */
export type ServiceReader = {
  [K in keyof ServiceReads]: (...args: Parameters<ServiceReads[K]>) => Promise<ReturnType<ServiceReads[K]>>;
};

/** Thrown inside an operation's run to stop it at a statement not yet run. */
const RECORDED = Symbol('recorded');

/** Replays synchronous operations over statements run elsewhere (see the module's comment). */
class Replay {
  /** The rows of the statements run so far in the current call, in order; undefined between calls. */
  private rows: unknown[] | undefined;
  /** How many of `rows` the current run has been given. */
  private served = 0;
  private recorded: ReadStatement | undefined;

  constructor(private readonly runner: StatementRunner) {}

  /** A stand-in for the connection: its statements answer from the current call's rows. */
  connection(): Database.Database {
    const statement = (sql: string) => {
      let pluck = false;
      const answer = (mode: ReadStatement['mode'], params: unknown[]) => this.answer({ sql, params, mode, pluck });
      const stmt = {
        pluck(on = true) {
          pluck = on;
          return stmt;
        },
        all: (...params: unknown[]) => answer('all', params),
        get: (...params: unknown[]) => answer('get', params),
        run() {
          throw new Error('a report reader does not write');
        },
      };
      return stmt;
    };
    return { prepare: statement } as unknown as Database.Database;
  }

  private answer(statement: ReadStatement): unknown {
    const rows = this.rows;
    if (!rows) throw new Error('a report read ran outside Replay.run');
    if (this.served < rows.length) {
      this.served += 1;
      return rows[this.served - 1];
    }
    this.recorded = statement;
    throw RECORDED;
  }

  /** Runs `op` to the end, each statement it reaches run by the runner. */
  async run<R>(op: () => R): Promise<R> {
    const rows: unknown[] = [];
    for (;;) {
      this.rows = rows;
      this.served = 0;
      this.recorded = undefined;
      let statement: ReadStatement | undefined;
      try {
        return op();
      } catch (error) {
        if (error !== RECORDED || !this.recorded) throw error;
        statement = this.recorded;
      } finally {
        this.rows = undefined;
      }
      rows.push(await this.runner.run(statement));
    }
  }
}

/** The report reads and the service figures over `runner`. */
export function replayedReads(runner: StatementRunner): Pick<Store, ReportRead> & ServiceReader {
  const replay = new Replay(runner);
  const db = replay.connection();
  const ops: Pick<Sync<Store>, ReportRead> & ServiceReads = {
    ...pick(ticketOps(db), ['listTickets', 'listTicketsCreated', 'countTicketsCreated', 'listRevisitComments']),
    ...pick(praiseOps(db), ['countPraise']),
    ...pick(enquiryOps(db), ['countEnquiries']),
    ...serviceOps(db),
  };
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A) =>
      replay.run(() => f(...args));
  return {
    listTickets: wrap(ops.listTickets),
    listTicketsCreated: wrap(ops.listTicketsCreated),
    countTicketsCreated: wrap(ops.countTicketsCreated),
    listRevisitComments: wrap(ops.listRevisitComments),
    countPraise: wrap(ops.countPraise),
    countEnquiries: wrap(ops.countEnquiries),
    countService: wrap(ops.countService),
    listAccepted: wrap(ops.listAccepted),
    countPlaces: wrap(ops.countPlaces),
    countScores: wrap(ops.countScores),
    countCategories: wrap(ops.countCategories),
  };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = source[key];
  return out;
}

/**
 * Runs the statements of the report reads on the bot's own connection, each in its turn with the bot's
 * transactions (`lock`): one statement is one implicit read transaction, so it sees only what is committed,
 * as on the worker. What the reads fall back on when the worker has stopped.
 */
export function connectionRunner(
  db: Database.Database,
  lock: { mutex: { acquire(): Promise<() => void> }; guard: { refuseReentry(method: string): void } },
): StatementRunner {
  const statements = new Map<string, Database.Statement>();
  return {
    alive: true,
    async run({ sql, params, mode, pluck }) {
      lock.guard.refuseReentry('a report read');
      const release = await lock.mutex.acquire();
      try {
        const key = (pluck ? 'pluck:' : 'rows:') + sql;
        let statement = statements.get(key);
        if (!statement) {
          statement = db.prepare(sql);
          if (pluck) statement.pluck();
          statements.set(key, statement);
        }
        return mode === 'get' ? statement.get(...params) : statement.all(...params);
      } catch (error) {
        throw toStoreError(error, 'report') ?? error;
      } finally {
        release();
      }
    },
    async stop() {},
  };
}

/**
 * The SQLite store with its report reads run by `runner` (falling back to the store's own connection
 * once the runner has stopped: the store's methods, and the service figures over `own`), the service
 * figures beside them, and `close` stopping the runner first. A read the runner fails because it stopped
 * meanwhile (its worker failed to start at that read, or died) is read again on the own connection:
 * reads change nothing, so reading twice is safe.
 */
export function withReportReader(store: Store, runner: StatementRunner, own: StatementRunner): Store & ServiceReader {
  const off = replayedReads(runner);
  // The service figures have no method of the store to fall back on: the same reads, over its connection.
  const home = replayedReads(own);
  const route =
    <A extends unknown[], R>(away: (...args: A) => Promise<R>, here: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      runner.alive
        ? away(...args).catch((error: unknown) => {
            if (runner.alive) throw error;
            return here(...args);
          })
        : here(...args);
  const routed = {} as Pick<Store, ReportRead>;
  for (const method of REPORT_READS) {
    const mine = store[method] as (...args: unknown[]) => Promise<unknown>;
    (routed as Record<string, unknown>)[method] = route(
      off[method] as (...args: unknown[]) => Promise<unknown>,
      (...args) => mine.apply(store, args),
    );
  }
  return {
    ...store,
    ...routed,
    countService: route(off.countService, home.countService),
    listAccepted: route(off.listAccepted, home.listAccepted),
    countPlaces: route(off.countPlaces, home.countPlaces),
    countScores: route(off.countScores, home.countScores),
    countCategories: route(off.countCategories, home.countCategories),
    async close() {
      await runner.stop();
      await store.close();
    },
  };
}
