/**
 * The SQLite store's two worker threads start only when needed (issue 17, goal 6: an idle bot carries
 * neither). The workers are counted as Node announces them (the `worker_threads` diagnostics channel) and
 * as they exit: real threads, not a flag of ours.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../../src/adapters/store/sqlite/checkpoint.js';
import { connectionRunner, withReportReader } from '../../../src/adapters/store/sqlite/report-reader.js';
import { type ReadStatement, startReportWorker } from '../../../src/adapters/store/sqlite/report-worker.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/store.js';
import { privateLock } from '../../../src/adapters/store/sqlite/transactions.js';
import type { Store } from '../../../src/core/ports.js';
import { makeTicket } from '../../fixtures.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NOVEMBER = { from: new Date('2026-11-01T00:00:00.000Z'), to: new Date('2026-12-01T00:00:00.000Z') };

/** The worker threads started from now on, and how many of them are still running. */
function watchWorkers() {
  const started: Worker[] = [];
  let live = 0;
  const seen = (message: unknown) => {
    const worker = (message as { worker: Worker }).worker;
    started.push(worker);
    live += 1;
    worker.once('exit', () => {
      live -= 1;
    });
  };
  subscribe('worker_threads', seen);
  return {
    started,
    get live() {
      return live;
    },
    close: () => unsubscribe('worker_threads', seen),
  };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !condition() && waited < ms; waited += 20) await pause(20);
}

let dir: string;
let file: string;
const cleanups: (() => unknown)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-workers-'));
  file = join(dir, 'residesk.db');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A WAL file with a table, its connection checkpointing only when told (no automatic checkpoint). */
function walFile(): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  cleanups.push(() => db.close());
  return db;
}

const COUNT: ReadStatement = { sql: 'SELECT count(*) FROM t', params: [], mode: 'get', pluck: true };

describe('the report worker', () => {
  it('starts no worker until the first read, which starts one and returns the rows', async () => {
    const db = walFile();
    db.prepare('INSERT INTO t (body) VALUES (?), (?)').run('a', 'b');
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const runner = startReportWorker(file);
    cleanups.push(() => runner.stop());
    await pause(100);
    expect(workers.started).toHaveLength(0);
    expect(runner.alive).toBe(true);

    expect(await runner.run(COUNT)).toBe(2);
    expect(await runner.run({ ...COUNT, mode: 'all', pluck: false })).toEqual([{ 'count(*)': 2 }]);
    expect(workers.started).toHaveLength(1);
    expect(workers.live).toBe(1);
    await runner.stop();
    await until(() => workers.live === 0);
    expect(workers.live).toBe(0);
  });

  it('stops at once when never used', async () => {
    walFile();
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const runner = startReportWorker(file);
    await runner.stop();
    expect(workers.started).toHaveLength(0);
    expect(runner.alive).toBe(false);
  });

  it('leaves after a while without a read and starts again at the next', async () => {
    const db = walFile();
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const runner = startReportWorker(file, { idleMs: 150 });
    cleanups.push(() => runner.stop());
    expect(await runner.run(COUNT)).toBe(0);
    expect(workers.live).toBe(1);
    await until(() => workers.live === 0);
    expect(workers.live).toBe(0);
    expect(runner.alive).toBe(true);

    db.prepare('INSERT INTO t (body) VALUES (?)').run('c');
    expect(await runner.run(COUNT)).toBe(1);
    expect(workers.started).toHaveLength(2);
    expect(workers.live).toBe(1);
  });

  it('hands a read whose worker could not start back to the bot’s connection', async () => {
    const store = await openSqliteStore({ path: file });
    cleanups.push(() => store.close());
    await store.saveTicket(makeTicket({ createdAt: new Date('2026-11-03T02:00:00.000Z') }));
    const db = new Database(file);
    cleanups.push(() => db.close());
    // A worker on a file that does not exist fails as it starts (its connection must find the file).
    const runner = startReportWorker(join(dir, 'missing.db'));
    const reports = withReportReader(store, runner, connectionRunner(db, privateLock()));

    expect((await reports.countTicketsCreated(NOVEMBER)).total).toBe(1);
    expect(runner.alive).toBe(false);
    expect((await reports.listTicketsCreated(NOVEMBER)).tickets).toHaveLength(1);
  });
});

describe('the SQLite store', () => {
  it('starts no worker for a few writes and plain reads, and the report worker at the first report', async () => {
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const store: Store = await openSqliteStore({ path: file });
    cleanups.push(() => store.close());
    for (let i = 0; i < 5; i++) await store.setSetting(`k${i}`, 'v');
    await store.saveTicket(makeTicket({ createdAt: new Date('2026-11-03T02:00:00.000Z') }));
    expect(await store.getSetting('k4')).toBe('v');
    await pause(100);
    expect(workers.started).toHaveLength(0);

    expect((await store.countTicketsCreated(NOVEMBER)).total).toBe(1);
    expect(workers.started).toHaveLength(1);
    expect(workers.live).toBe(1);
    await store.close();
    await until(() => workers.live === 0);
    expect(workers.live).toBe(0);
  });
});

describe('the checkpointer', () => {
  it('starts while rows are written, leaves after a quiet spell and starts again at the next writes', async () => {
    const db = walFile();
    const totalChanges = db.prepare('SELECT total_changes()').pluck();
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const nothing = db.prepare('UPDATE t SET body = body WHERE id < 0');
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const checkpointer = startCheckpointer(file, {
      changes: () => totalChanges.get() as number,
      busyRows: 20,
      quietMs: 400,
      sampleMs: 0,
    });
    cleanups.push(() => checkpointer.stop());

    // A few rows, and commits that change none (an idle bot's empty claims): no worker.
    for (let i = 0; i < 5; i++) {
      insert.run('x');
      checkpointer.committed();
    }
    for (let i = 0; i < 100; i++) {
      nothing.run();
      checkpointer.committed();
    }
    await pause(100);
    expect(workers.started).toHaveLength(0);
    expect(checkpointer.running).toBe(false);

    // Busy: the worker starts and copies the log into the file (the connection never checkpoints).
    const before = statSync(file).size;
    for (let i = 0; i < 30; i++) {
      insert.run('y'.repeat(20_000));
      checkpointer.committed();
    }
    expect(checkpointer.running).toBe(true);
    expect(workers.started).toHaveLength(1);
    await until(() => statSync(file).size > before + 30 * 20_000);
    expect(statSync(file).size).toBeGreaterThan(before + 30 * 20_000);

    // Quiet: it leaves within two spells.
    await until(() => workers.live === 0);
    expect(workers.live).toBe(0);
    expect(checkpointer.running).toBe(false);

    // Busy again: another worker.
    for (let i = 0; i < 25; i++) {
      insert.run('z');
      checkpointer.committed();
    }
    expect(checkpointer.running).toBe(true);
    expect(workers.started).toHaveLength(2);
    await checkpointer.stop();
    expect(workers.live).toBe(0);
    // Stopped, it starts nothing more.
    for (let i = 0; i < 25; i++) {
      insert.run('w');
      checkpointer.committed();
    }
    expect(workers.started).toHaveLength(2);
  });

  it('runs for a store that writes many rows in one spell, not for one that writes a few', async () => {
    const workers = watchWorkers();
    cleanups.push(workers.close);
    const store = await openSqliteStore({ path: file });
    cleanups.push(() => store.close());
    for (let i = 0; i < 10; i++) await store.setSetting(`few:${i}`, 'x');
    expect(workers.started).toHaveLength(0);
    await store.transaction(async (tx) => {
      for (let i = 0; i < 60; i++) await tx.setSetting(`many:${i}`, 'x');
    });
    // The next write commit after the sampling pause looks at the rows changed.
    await pause(300);
    await store.setSetting('one more', 'x');
    expect(workers.started).toHaveLength(1);
    expect(workers.live).toBe(1);
    await store.close();
    expect(workers.live).toBe(0);
  });
});
