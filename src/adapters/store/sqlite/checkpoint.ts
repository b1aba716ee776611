/**
 * WAL checkpoints off the event loop. A commit only appends to the write-ahead log; copying the log back
 * into the database file (a checkpoint: page copies and two fsyncs) is what made every ~100th commit take
 * 15–50 ms on the bot's thread, with every owner's message waiting behind it. Here a worker thread with
 * its own connection copies the log five times a second (PASSIVE: it never waits for, nor blocks, the
 * bot's transactions), so a page written many times meanwhile is copied once, and off the event loop.
 * (2,000 owner messages, 16 at a time, on this 2-core machine: commit p99 14–22 ms -> 4–11 ms, and the
 * stalls over 5 ms summed 1.4–2.1 s -> 0.4–0.8 s.)
 *
 * The worker runs only while the bot writes: a thread with its own V8 isolate and connection costs ~9 MB
 * of the process's memory, which an idle bot (issue 17, goal 6) should not carry. The store tells the
 * checkpointer of every write commit ({@link Checkpointer.committed}: a clock read and a comparison); at
 * most every {@link SAMPLE_MS} it looks at how many rows the bot's connection has changed (SQLite's
 * `total_changes()`: the dispatcher's empty outbox claims, four a second on an idle bot, change none).
 * Once {@link BUSY_ROWS} rows changed within one quiet spell ({@link QUIET_MS}), the worker starts; once a
 * whole spell passes with fewer, it makes a last checkpoint and exits, and the next busy spell starts it
 * again. A start-up's few writes (jobs scheduled) do not start it.
 *
 * The bot's own connection keeps SQLite's automatic checkpoint with a larger threshold
 * ({@link WAL_AUTOCHECKPOINT_PAGES}): with the worker keeping up it finds little left to copy, and it is
 * what lets the log start over from its beginning (a passive checkpoint never resets it). While the worker
 * is not running (a quiet bot), or should it fail to start or die, that automatic checkpoint alone keeps
 * the log bounded, as before the worker.
 */
import { type SqliteWorker, startSqliteWorker, stopSqliteWorker } from './worker-thread.js';

/** The bot's connection checkpoints itself once the log holds this many pages (4 KiB each: 16 MiB). */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;
/** How often the worker copies what the log holds (nothing to copy costs a lock and a look at the log's header). */
const INTERVAL_MS = 200;
/** Rows changed within one quiet spell that make the bot busy enough for the worker. */
const BUSY_ROWS = 50;
/** The spell over which the rows are counted: with fewer changed in one, the running worker exits. */
const QUIET_MS = 30_000;
/** How often, at most, a commit looks at the rows changed (one statement on the bot's connection). */
const SAMPLE_MS = 250;

/** The worker (CommonJS, evaluated): one connection, a passive checkpoint per interval, closed on 'stop'. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000, fileMustExist: true });
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (another process checkpoints) or a passing I/O error: the next interval tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** A background checkpointer that runs while the bot writes; `stop` resolves once its connection is closed. */
export interface Checkpointer {
  /** Called after every write transaction commits: cheap (no allocation) unless a look at the rows is due. */
  committed(): void;
  /** Whether its worker is running now. */
  readonly running: boolean;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** Rows the bot's connection has changed since it opened (SQLite's `total_changes()`). */
  changes: () => number;
  /** Tests shorten these; see the module's comment. */
  busyRows?: number;
  quietMs?: number;
  sampleMs?: number;
}

/**
 * Checkpoints the WAL database at `path` from a worker thread while the bot writes (see the module's
 * comment); no worker starts until then. Without a worker (never started, failed, or exited after a quiet
 * spell) the connection's automatic checkpoint does the work, on the bot's thread.
 */
export function startCheckpointer(path: string, options: CheckpointerOptions): Checkpointer {
  const busyRows = options.busyRows ?? BUSY_ROWS;
  const quietMs = options.quietMs ?? QUIET_MS;
  const sampleMs = options.sampleMs ?? SAMPLE_MS;
  let running: (SqliteWorker & { timer: ReturnType<typeof setInterval> }) | undefined;
  /** Workers asked to stop, until they have exited. */
  const leaving = new Set<Promise<void>>();
  let failed = false;
  let stopped = false;
  let sampledAt = 0;
  /** The rows changed by the last look, and by the start of the spell being counted (and when it began). */
  let looked = options.changes();
  let spellBase = looked;
  let spellAt = Date.now();

  const newSpell = (now: number, base: number) => {
    spellAt = now;
    spellBase = base;
  };

  const spawn = () => {
    let started: SqliteWorker;
    try {
      started = startSqliteWorker(WORKER_SOURCE, { path, intervalMs: INTERVAL_MS });
    } catch {
      failed = true;
      return;
    }
    const { worker } = started;
    // A failed worker (the file vanished, a driver error) ends quietly and is not started again; the
    // automatic checkpoint remains.
    worker.on('error', () => {
      failed = true;
    });
    worker.once('exit', () => {
      if (running?.worker === worker) retire();
    });
    // Idle, it keeps nobody alive.
    worker.unref();
    const timer = setInterval(endOfSpell, quietMs);
    timer.unref();
    running = { ...started, timer };
    newSpell(Date.now(), options.changes());
  };

  /** Forgets the running worker and starts counting a new spell; returns it to be asked to stop. */
  const retire = () => {
    const current = running;
    if (current) clearInterval(current.timer);
    running = undefined;
    if (!stopped) {
      looked = options.changes();
      newSpell(Date.now(), looked);
    }
    return current;
  };

  /** Every quiet spell while running: with fewer than `busyRows` rows changed in it, the worker leaves. */
  const endOfSpell = () => {
    const changes = options.changes();
    const busy = changes - spellBase >= busyRows;
    newSpell(Date.now(), changes);
    if (busy) return;
    const current = retire();
    if (current) leave(current);
  };

  /** Asks the worker to stop (a last checkpoint, its connection closed); `stop` waits for it. */
  const leave = (current: SqliteWorker) => {
    const gone = stopSqliteWorker(current).then(() => {
      leaving.delete(gone);
    });
    leaving.add(gone);
  };

  return {
    committed() {
      if (running !== undefined || failed || stopped) return;
      const now = Date.now();
      if (now - sampledAt < sampleMs) return;
      sampledAt = now;
      const changes = options.changes();
      // A new spell once the last has passed: the rows changed since the last look count towards it.
      if (now - spellAt >= quietMs) newSpell(now, looked);
      looked = changes;
      if (changes - spellBase >= busyRows) spawn();
    },
    get running() {
      return running !== undefined;
    },
    async stop() {
      stopped = true;
      const current = retire();
      if (current) leave(current);
      await Promise.all(leaving);
    },
  };
}
