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
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StoreError } from '../../../core/ports.js';

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

/**
 * Starts a worker reading the WAL database at `path`. Undefined when no worker can be started (the reads
 * then stay on the bot's connection, as before).
 */
export function startReportWorker(path: string): StatementRunner | undefined {
  let worker: Worker;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver } });
  } catch {
    return undefined;
  }
  let alive = true;
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const fail = (cause: unknown) => {
    alive = false;
    for (const call of pending.values()) {
      call.reject(new StoreError('STORE_UNAVAILABLE', 'the report reader stopped', { cause }));
    }
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.error) {
      const corrupt = reply.error.code === 'SQLITE_CORRUPT' || reply.error.code === 'SQLITE_NOTADB';
      call.reject(new StoreError(corrupt ? 'STORE_CORRUPT' : 'STORE_UNAVAILABLE', reply.error.message));
    } else call.resolve(reply.result);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the report worker exited (${code})`)));
  // Idle, it keeps nobody alive; while a read is pending it does, so the answer is not lost.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    get alive() {
      return alive;
    },
    run(statement) {
      if (!alive) return Promise.reject(new StoreError('STORE_UNAVAILABLE', 'the report reader stopped'));
      nextId += 1;
      const id = nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, ...statement });
      });
    },
    async stop() {
      if (!alive) return;
      worker.ref();
      worker.postMessage('stop');
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([exited, timeout]);
      await worker.terminate();
    },
  };
}
