/**
 * Report reads off the event loop. better-sqlite3 is synchronous: a `/summary` over a month of a long
 * history held the bot's only thread for its whole length (745 ms at 1M tickets, an owner's webhook
 * waiting 694 ms behind it). Here a worker thread with its own connection to the same file runs the
 * statements (WAL lets it read beside the bot's writer: it never waits for nor blocks a transaction), and
 * the bot's thread only posts the statement and receives the rows.
 *
 * The worker is a plain statement runner (source evaluated, like checkpoint.ts, so it runs the same from
 * src/ under tsx, from the bundle in dist/ and under vitest): the SQL and the mapping of rows stay in the
 * adapter's modules (see report-reader.ts). Its connection is `query_only`: it cannot write.
 *
 * It starts at the first read and exits after five minutes without one: a thread costs ~9 MB of the
 * process's memory (a V8 isolate and a connection), which an idle bot should not carry (issue 17, goal 6).
 */
import type { Worker } from 'node:worker_threads';
import { StoreError } from '../../../core/ports.js';
import { startSqliteWorker, stopSqliteWorker } from './worker-thread.js';

/** One statement to run: its text, its parameters, whether one row (`get`) or all, whether plucked. */
export interface ReadStatement {
  sql: string;
  params: unknown[];
  mode: 'all' | 'get';
  pluck: boolean;
}

/** Runs read statements somewhere other than the caller's thread. */
export interface StatementRunner {
  run(statement: ReadStatement): Promise<unknown>;
  /** Whether it still runs statements (a worker that failed hands the reads back to the bot's connection). */
  readonly alive: boolean;
  stop(): Promise<void>;
}

/** The worker (CommonJS, evaluated): one query-only connection, statements prepared once by text. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000, fileMustExist: true });
db.pragma('query_only = ON');
const statements = new Map();
parentPort.on('message', (message) => {
  if (message === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  const { id, sql, params, mode, pluck } = message;
  try {
    const key = (pluck ? 'pluck:' : 'rows:') + sql;
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(sql);
      if (pluck) statement.pluck();
      statements.set(key, statement);
    }
    const result = mode === 'get' ? statement.get(...params) : statement.all(...params);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Reply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

/** How long the worker stays without a read before it exits (the next read starts another). */
const IDLE_MS = 5 * 60_000;

export interface ReportWorkerOptions {
  /** Tests shorten it. */
  idleMs?: number;
}

/**
 * A runner of read statements on a worker reading the WAL database at `path`. The worker starts at the
 * first read, not before (an idle bot does without its ~9 MB: a V8 isolate and a connection), and exits
 * after `idleMs` without a read. Should it fail to start or die, the runner is no longer `alive`: the
 * reads then go back to the bot's connection (see report-reader.ts).
 */
export function startReportWorker(path: string, options: ReportWorkerOptions = {}): StatementRunner {
  const idleMs = options.idleMs ?? IDLE_MS;
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  /** A worker that left for idleness, until it has exited. */
  let leaving: Promise<void> = Promise.resolve();
  let idle: ReturnType<typeof setTimeout> | undefined;
  let alive = true;
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const fail = (cause: unknown) => {
    alive = false;
    worker = undefined;
    if (idle) clearTimeout(idle);
    for (const call of pending.values()) {
      call.reject(new StoreError('STORE_UNAVAILABLE', 'the report reader stopped', { cause }));
    }
    pending.clear();
  };

  const spawn = (): Worker | undefined => {
    let started: Worker;
    try {
      ({ worker: started, exited } = startSqliteWorker(WORKER_SOURCE, { path }));
    } catch (cause) {
      fail(cause);
      return undefined;
    }
    started.on('message', (reply: Reply) => {
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if (pending.size === 0) {
        started.unref();
        idle = setTimeout(retire, idleMs);
        idle.unref();
      }
      if (reply.error) {
        const corrupt = reply.error.code === 'SQLITE_CORRUPT' || reply.error.code === 'SQLITE_NOTADB';
        call.reject(new StoreError(corrupt ? 'STORE_CORRUPT' : 'STORE_UNAVAILABLE', reply.error.message));
      } else call.resolve(reply.result);
    });
    // Only the current worker's end is a failure; one that left for idleness was asked to.
    started.on('error', (error) => {
      if (worker === started) fail(error);
    });
    started.on('exit', (code) => {
      if (worker === started) fail(new Error(`the report worker exited (${code})`));
    });
    return started;
  };

  /** After `idleMs` without a read: the worker closes its connection and exits, unreferenced. */
  const retire = () => {
    const current = worker;
    if (!current || pending.size > 0) return;
    worker = undefined;
    leaving = exited;
    current.postMessage('stop');
  };

  return {
    get alive() {
      return alive;
    },
    run(statement) {
      if (!alive) return Promise.reject(new StoreError('STORE_UNAVAILABLE', 'the report reader stopped'));
      if (idle) clearTimeout(idle);
      worker ??= spawn();
      const current = worker;
      if (!current) return Promise.reject(new StoreError('STORE_UNAVAILABLE', 'the report reader did not start'));
      nextId += 1;
      const id = nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Held while a read is pending, so the answer is not lost; idle, it keeps nobody alive.
        current.ref();
        current.postMessage({ id, ...statement });
      });
    },
    async stop() {
      const current = worker;
      alive = false;
      worker = undefined;
      if (idle) clearTimeout(idle);
      if (current) await stopSqliteWorker({ worker: current, exited });
      await leaving;
      fail(new Error('the report reader was stopped'));
    },
  };
}
